"""How linting scales with the size of a Dockerfile: time, time per instruction and memory.

    python3 benchmarks/scale.py [--sizes 1000,10000,100000] [--only CASE[,CASE]]
                                [--timeout SECONDS] [--max-memory MB]
                                [--output benchmarks/results/scale.md]

Generates Dockerfiles of growing size and lints each with every rule (``lint()``, no build
context), one case per subprocess so that measurements are separate:

- ``env-N``: ``FROM`` and N ``ENV`` lines (each sets two variables, one read from the other);
- ``run-N``: ``FROM`` and N ``RUN echo i && pip install pkgi`` lines;
- ``mixed-N``: N instructions of every kind (ENV, ARG, RUN with apt, pip, rm and echo, COPY,
  WORKDIR, USER, LABEL, EXPOSE), a new stage every 500 instructions, each built FROM the
  one before it (so every stage ships, through a long line of stages);
- ``prefrom-N``: N ``ENV`` and ``RUN`` lines before the only ``FROM`` (each one a finding
  that a rule reports from its finish step, DL3061);
- ``file-10mb``: the mixed kinds until the file holds 10 MB;
- ``long-run``: one RUN line of 100,000 characters (echo, pip and apt installs, removals,
  ``cd`` and variable assignments joined by ``&&``).

For each it prints, and writes as a table to ``--output``: instructions, size, the time of
``lint()`` (the rules loaded and the parser warmed up before; the text is already in
memory), microseconds per instruction, and the peak resident memory of the subprocess
(``ru_maxrss``: the interpreter and every import included). A case that runs longer than
``--timeout`` or needs more address space than ``--max-memory`` fails.

Targets (the issue's): the 10 MB file in <= 15 s and <= 400 MB; the 100,000-character RUN
line in <= 1 s; time per instruction flat: for each kind, the time per instruction of the
largest size at most twice that of the smallest. Exit code 0 when every target is met,
1 otherwise.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FILE_BYTES = 10 * 1024 * 1024
FILE_SECONDS = 15.0
FILE_MB = 400.0
LONG_RUN_CHARS = 100_000
LONG_RUN_SECONDS = 1.0
FLAT_RATIO = 2.0  # per-instruction time of the largest size / of the smallest
KINDS = ("env", "run", "mixed", "prefrom")


# --------------------------------------------------------------------------- the inputs


def env_file(n: int) -> str:
    return "FROM python:3.11\n" + "".join(f"ENV V{i}=value{i} W{i}=$V{i}/x\n" for i in range(n))


def run_file(n: int) -> str:
    return "FROM python:3.11\n" + "".join(f"RUN echo {i} && pip install pkg{i}\n" for i in range(n))


def prefrom_file(n: int) -> str:
    lines = (f"ENV V{i}=value{i}\n" if i % 2 else f"RUN echo {i}\n" for i in range(n))
    return "".join(lines) + "FROM python:3.11-slim\n"


_MIXED = (
    "ENV APP_{i}=/opt/app{i} MODE_{i}=$APP_{i}/mode\n",
    "RUN apt-get update && apt-get install -y --no-install-recommends libfoo{i} "
    "&& rm -rf /var/lib/apt/lists/*\n",
    "ARG VERSION_{i}=1.{i}\n",
    "RUN pip install --no-cache-dir pkg{i}==1.{i} && echo done{i}\n",
    "COPY src{i}/ /app/src{i}/\n",
    "RUN echo {i} && pip install pkg{i}\n",
    "WORKDIR /app/w{i}\n",
    "RUN rm -rf /tmp/build{i} /app/src{i}/tests\n",
    "LABEL org.example.k{i}=v{i}\n",
    "USER app{i}\n",
    "EXPOSE {port}\n",
    "RUN cd /app/src{i} && python setup.py build && DEBUG=1 make -j2 install\n",
)
_STAGE_EVERY = 500


def _mixed_lines():
    """Lines of instructions of every kind, endlessly."""
    i = 0
    stage = 0
    yield "FROM python:3.11-slim AS s0\n"
    while True:
        if i and i % _STAGE_EVERY == 0:
            stage += 1
            yield f"FROM s{stage - 1} AS s{stage}\n"
        yield _MIXED[i % len(_MIXED)].format(i=i, port=1024 + i % 60000)
        i += 1


def mixed_file(n: int) -> str:
    out = []
    for line in _mixed_lines():
        out.append(line)
        if len(out) >= n:
            break
    return "".join(out)


def big_file(size: int = FILE_BYTES) -> str:
    out = []
    total = 0
    for line in _mixed_lines():
        out.append(line)
        total += len(line)
        if total >= size:
            break
    return "".join(out)


def long_run(chars: int = LONG_RUN_CHARS) -> str:
    parts = []
    total = 0
    i = 0
    shapes = (
        "echo {i}",
        "pip install pkg{i}",
        "apt-get install -y libfoo{i}",
        "rm -rf /tmp/build{i}",
        "cd /app/src{i}",
        "V{i}=x{i}",
        "python -m pip install --no-cache-dir -r req{i}.txt",
        "mkdir -p /opt/d{i}",
    )
    while total < chars:
        part = shapes[i % len(shapes)].format(i=i)
        parts.append(part)
        total += len(part) + 4
        i += 1
    line = "RUN " + " && ".join(parts)
    return "FROM python:3.11\n" + line[: chars + 4].rsplit(" && ", 1)[0] + "\n"


def case_text(name: str) -> str:
    if name == "file-10mb":
        return big_file()
    if name == "long-run":
        return long_run()
    kind, _, size = name.partition("-")
    makers = {"env": env_file, "run": run_file, "mixed": mixed_file, "prefrom": prefrom_file}
    return makers[kind](int(size))


# --------------------------------------------------------------------------- one case


def measure_here(name: str, max_mb: float) -> dict:
    """Lint one case in this process; what the parent reads back (JSON on stdout)."""
    if max_mb > 0:  # a runaway case fails with MemoryError instead of taking the machine
        limit = int(max_mb * 1024 * 1024)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from dockerlint_slim.engine import lint
    from dockerlint_slim.rule import all_rules

    all_rules()
    lint("FROM python:3.11\nRUN pip install x && echo y\n")  # parser and caches warm
    text = case_text(name)
    start = time.perf_counter()
    result = lint(text)
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_mb = rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024
    return {
        "name": name,
        "instructions": len(result.model.instructions),
        "bytes": len(text.encode("utf-8")),
        "longest_line": max(len(line) for line in text.splitlines()),
        "findings": len(result.findings),
        "seconds": seconds,
        "rss_mb": rss_mb,
    }


@dataclass
class Outcome:
    name: str
    data: dict | None  # None: it failed or ran out of time
    error: str = ""

    @property
    def per_instruction_us(self) -> float | None:
        if self.data is None:
            return None
        return 1e6 * self.data["seconds"] / max(self.data["instructions"], 1)


def run_case(name: str, timeout: float, max_mb: float) -> Outcome:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    try:
        proc = subprocess.run(
            [sys.executable, __file__, "--case", name, "--max-memory", str(max_mb)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Outcome(name, None, f"still running after {timeout:.0f} s")
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        if last.startswith("MemoryError"):
            last = f"more than {max_mb:.0f} MB"
        return Outcome(name, None, last)
    return Outcome(name, json.loads(proc.stdout.strip().splitlines()[-1]))


# --------------------------------------------------------------------------- targets


def judge(outcomes: dict[str, Outcome], sizes: list[int]) -> list[tuple[str, str, bool]]:
    """(target, measured, met) rows for the targets whose cases were run."""
    rows: list[tuple[str, str, bool]] = []
    big = outcomes.get("file-10mb")
    if big is not None:
        d = big.data
        met = d is not None and d["seconds"] <= FILE_SECONDS
        shown = f"{d['seconds']:.1f} s" if d else big.error
        rows.append((f"10 MB file in <= {FILE_SECONDS:.0f} s", shown, met))
        met = d is not None and d["rss_mb"] <= FILE_MB
        shown = f"{d['rss_mb']:.0f} MB" if d else big.error
        rows.append((f"10 MB file in <= {FILE_MB:.0f} MB", shown, met))
    long = outcomes.get("long-run")
    if long is not None:
        d = long.data
        met = d is not None and d["seconds"] <= LONG_RUN_SECONDS
        shown = f"{d['seconds']:.2f} s" if d else long.error
        rows.append((f"100,000-character RUN line in <= {LONG_RUN_SECONDS:.0f} s", shown, met))
    if len(sizes) >= 2:
        for kind in KINDS:
            first = outcomes.get(f"{kind}-{sizes[0]}")
            last = outcomes.get(f"{kind}-{sizes[-1]}")
            if first is None or last is None:
                continue
            a, b = first.per_instruction_us, last.per_instruction_us
            if a is None or b is None:
                rows.append((f"{kind}: flat time per instruction", "a case failed", False))
                continue
            ratio = b / a
            rows.append(
                (
                    f"{kind}: time per instruction at {sizes[-1]:,} <= {FLAT_RATIO:g}x "
                    f"that at {sizes[0]:,}",
                    f"{a:.0f} -> {b:.0f} µs ({ratio:.2f}x)",
                    ratio <= FLAT_RATIO,
                )
            )
    return rows


def report(outcomes: dict[str, Outcome], rows: list[tuple[str, str, bool]]) -> str:
    lines = [
        "# How linting scales with the size of a Dockerfile",
        "",
        f"Measured {datetime.date.today().isoformat()} with `python3 benchmarks/scale.py` "
        f"(Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores): `lint()` with every rule, no build context, one "
        "subprocess per case; memory is the peak resident size of that subprocess "
        "(interpreter and imports included).",
        "",
        "| case | instructions | size | longest line | findings | time | per instruction "
        "| peak memory |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, o in outcomes.items():
        d = o.data
        if d is None:
            lines.append(f"| {name} | | | | | {o.error} | | |")
            continue
        lines.append(
            f"| {name} | {d['instructions']:,} | {d['bytes'] / 1e6:.2f} MB "
            f"| {d['longest_line']:,} | {d['findings']:,} | {d['seconds']:.2f} s "
            f"| {o.per_instruction_us:.0f} µs | {d['rss_mb']:.0f} MB |"
        )
    lines += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {'yes' if ok else 'NO'} |" for t, m, ok in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", help=argparse.SUPPRESS)  # the subprocess: one case
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--only", default="", help="comma-separated case names")
    parser.add_argument("--timeout", type=float, default=900.0, help="per case, in seconds")
    parser.add_argument(
        "--max-memory", type=float, default=4096.0, help="per case, in MB (0: no limit)"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "scale.md")
    args = parser.parse_args(argv)
    if args.case:
        print(json.dumps(measure_here(args.case, args.max_memory)))
        return 0
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    names = [f"{kind}-{n}" for kind in KINDS for n in sizes] + ["file-10mb", "long-run"]
    if args.only:
        wanted = {s.strip() for s in args.only.split(",")}
        names = [n for n in names if n in wanted]
    outcomes: dict[str, Outcome] = {}
    for name in names:
        o = outcomes[name] = run_case(name, args.timeout, args.max_memory)
        if o.data is None:
            print(f"{name}: {o.error}", flush=True)
        else:
            d = o.data
            print(
                f"{name}: {d['instructions']:,} instructions, {d['bytes'] / 1e6:.2f} MB, "
                f"{d['seconds']:.2f} s, {o.per_instruction_us:.0f} µs/instruction, "
                f"{d['rss_mb']:.0f} MB",
                flush=True,
            )
    rows = judge(outcomes, sizes)
    text = report(outcomes, rows)
    sys.stdout.write("\n" + text)
    if not args.only:
        args.output.write_text(text, encoding="utf-8")
    return 0 if all(ok for _, _, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
