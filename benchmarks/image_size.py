"""Image-size benchmark: every fixture project built three ways on the local Docker engine.

    python3 benchmarks/image_size.py [--only NAME ...] [--projects-dir DIR]
                                     [--output benchmarks/results/image_size.md]
                                     [--no-cache] [--timeout SECONDS]

For each project in ``fixtures/projects/<name>/`` (see tests/test_projects_e2e.py for the
layout) it builds the original ``Dockerfile``, the file as fixed by
``dockerlint-slim check --fix --unsafe-fixes`` (build context: the project folder) and the
hand-written ``Dockerfile.expert``; runs the project's smoke command in each image and compares
its stdout with ``expected``; prints a table and writes it, with the date, the engine version
and the targets, to the output file. Images are removed after each project; the build cache is
kept (build times are with a warm cache unless ``--no-cache``).

Targets:
  1. every project builds and passes its smoke test after the fix;
  2. fixed <= 0.25 x original for projects with ``fat_compiles = true``;
  3. fixed <= 1.05 x expert for every project.

Exit code 0 when every target is met, 1 when one is not, 2 when there is no engine or no
project. The docker client is chosen as by ``dockerlint-slim verify`` ($DOCKER, …).
"""

from __future__ import annotations

import argparse
import datetime
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dockerlint_slim import verify  # noqa: E402
from dockerlint_slim.fixer import fix_text  # noqa: E402

FAT_TARGET = 0.25
EXPERT_TARGET = 1.05
WAYS = ("original", "fixed", "expert")


@dataclass
class Project:
    name: str
    folder: Path
    smoke: str
    expected: str
    rewrite: bool
    fat_compiles: bool
    description: str = ""

    @classmethod
    def load(cls, folder: Path) -> Project:
        meta = tomllib.loads((folder / "project.toml").read_text(encoding="utf-8"))
        return cls(
            folder.name,
            folder,
            str(meta["smoke"]),
            str(meta["expected"]),
            bool(meta.get("rewrite", True)),
            bool(meta.get("fat_compiles", False)),
            str(meta.get("description", "")),
        )


@dataclass
class Way:
    built: bool = False
    size: int | None = None
    seconds: float | None = None
    smoke_ok: bool = False
    note: str = ""  # why the build or the smoke test failed


@dataclass
class Row:
    project: Project
    ways: dict[str, Way] = field(default_factory=dict)
    error: str = ""  # the project could not be measured at all
    rewritten: bool | None = None

    def ratio(self, a: str, b: str) -> float | None:
        x, y = self.ways.get(a), self.ways.get(b)
        if x is None or y is None or not x.size or not y.size:
            return None
        return x.size / y.size

    def fix_ok(self) -> bool:
        """The fixed file builds and passes the smoke test."""
        fixed = self.ways.get("fixed")
        return not self.error and fixed is not None and fixed.built and fixed.smoke_ok

    def fat_ok(self) -> bool | None:
        if not self.project.fat_compiles:
            return None
        r = self.ratio("fixed", "original")
        return r is not None and r <= FAT_TARGET

    def expert_ok(self) -> bool:
        r = self.ratio("fixed", "expert")
        return r is not None and r <= EXPERT_TARGET


def find_projects(projects_dir: Path, only: list[str]) -> list[Project]:
    folders = sorted(p for p in projects_dir.iterdir() if p.is_dir())
    if only:
        known = {p.name for p in folders}
        unknown = [n for n in only if n not in known]
        if unknown:
            raise SystemExit(f"image_size: no such project: {', '.join(unknown)}")
        folders = [p for p in folders if p.name in only]
    return [Project.load(p) for p in folders if (p / "project.toml").is_file()]


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure(
    project: Project, docker: verify.Docker, *, timeout: float, no_cache: bool, verbose: bool
) -> Row:
    row = Row(project)
    dockerfile = project.folder / "Dockerfile"
    try:
        original = dockerfile.read_text(encoding="utf-8")
        expert = (project.folder / "Dockerfile.expert").read_text(encoding="utf-8")
    except OSError as exc:
        row.error = f"cannot read: {exc}"
        return row
    texts = {"original": original, "expert": expert}
    fix_error = ""
    try:
        texts["fixed"] = fix_text(
            original, str(dockerfile), unsafe=True, file_path=dockerfile, context_dir=project.folder
        ).text
        row.rewritten = texts["fixed"] != original
    except Exception as exc:  # a fixer bug must not stop the other projects
        fix_error = f"the fix failed: {type(exc).__name__}: {exc}"
    repo = verify.image_repository(project.name)
    built: list[str] = []
    progress = _say if verbose else None
    try:
        for way in WAYS:
            if way == "fixed" and fix_error:
                row.ways[way] = Way(note=fix_error)
                continue
            if way == "fixed" and not row.rewritten:
                row.ways[way] = row.ways["original"]  # the same file: the same image
                continue
            _say(f"== {project.name}: building {way}")
            result = docker.build(
                texts[way],
                project.folder,
                f"{repo}:{way}",
                label=way,
                progress=progress,
                no_cache=no_cache,
            )
            w = Way(built=result.ok, seconds=result.seconds)
            row.ways[way] = w
            if not result.ok:
                w.note = "build failed: " + " | ".join(result.excerpt(3))
                continue
            built.append(result.tag)
            assert result.image is not None
            w.size = result.image.size
            smoke = docker.smoke(result.tag, project.smoke or None, timeout)
            w.smoke_ok = smoke.exit_code == 0 and smoke.stdout.strip() == project.expected
            if not w.smoke_ok:
                got = smoke.output.strip().splitlines()
                w.note = f"smoke {smoke.describe()}: {got[-1] if got else '(no output)'}"
    finally:
        docker.remove(built)
    return row


def _mb(way: Way | None) -> str:
    if way is None or way.size is None:
        return "-" if way is None or way.built else "failed"
    return f"{way.size / verify.MB:.1f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _secs(way: Way | None) -> str:
    return "-" if way is None or way.seconds is None else f"{way.seconds:.1f}"


def _smoke(way: Way | None) -> str:
    if way is None or not way.built:
        return "-"
    return "ok" if way.smoke_ok else "FAIL"


def table(rows: list[Row]) -> list[str]:
    head = (
        "| project | fat_compiles | MB original | MB fixed | MB expert | fixed/original "
        "| fixed/expert | build s (orig/fixed/expert) | smoke (orig/fixed/expert) |"
    )
    lines = [head, "|---|---|---:|---:|---:|---:|---:|---|---|"]
    for row in rows:
        fat = "yes" if row.project.fat_compiles else "no"
        if row.error:
            lines.append(f"| {row.project.name} | {fat} | error | | | | | | |")
            continue
        w = [row.ways.get(x) for x in WAYS]
        name = row.project.name + (" (unchanged)" if row.rewritten is False else "")
        lines.append(
            f"| {name} | {fat} | {_mb(w[0])} | {_mb(w[1])} | {_mb(w[2])} "
            f"| {_ratio(row.ratio('fixed', 'original'))} | {_ratio(row.ratio('fixed', 'expert'))} "
            f"| {' / '.join(_secs(x) for x in w)} | {' / '.join(_smoke(x) for x in w)} |"
        )
    return lines


def targets(rows: list[Row]) -> tuple[list[str], bool]:
    fat = [r for r in rows if r.project.fat_compiles]
    checks = [
        (
            "every project builds and passes its smoke test after the fix",
            [r.project.name for r in rows if not r.fix_ok()],
            len(rows),
        ),
        (
            f"fixed <= {FAT_TARGET} x original for `fat_compiles` projects",
            [r.project.name for r in fat if not r.fat_ok()],
            len(fat),
        ),
        (
            f"fixed <= {EXPERT_TARGET} x expert for every project",
            [r.project.name for r in rows if not r.expert_ok()],
            len(rows),
        ),
    ]
    lines = []
    all_met = True
    for title, failing, total in checks:
        met = not failing
        all_met = all_met and met
        state = "met" if met else "NOT met"
        detail = f"{total - len(failing)}/{total} projects"
        if failing:
            detail += f"; failing: {', '.join(failing)}"
        lines.append(f"- {title}: **{state}** ({detail})")
    return lines, all_met


def notes(rows: list[Row]) -> list[str]:
    out = []
    for row in rows:
        if row.error:
            out.append(f"- {row.project.name}: {row.error}")
        for way in WAYS:
            w = row.ways.get(way)
            if w is not None and w.note and not (way == "fixed" and row.rewritten is False):
                out.append(f"- {row.project.name} ({way}): {w.note}")
    return out


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build every fixture project as original, fixed and expert; compare sizes."
    )
    parser.add_argument("--only", nargs="+", action="extend", default=[], metavar="NAME")
    parser.add_argument(
        "--projects-dir", type=Path, default=ROOT / "fixtures" / "projects", metavar="DIR"
    )
    parser.add_argument(
        "--output", type=Path, default=ROOT / "benchmarks" / "results" / "image_size.md"
    )
    parser.add_argument("--no-cache", action="store_true", help="docker build --no-cache")
    parser.add_argument(
        "--timeout", type=float, default=180.0, help="smoke test timeout (s)", metavar="SECONDS"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show the build steps")
    args = parser.parse_args(argv)

    if not args.projects_dir.is_dir():
        _say(f"image_size: {args.projects_dir}: no such folder")
        return 2
    projects = find_projects(args.projects_dir, args.only)
    if not projects:
        _say(f"image_size: no project (a folder with project.toml) in {args.projects_dir}")
        return 2
    try:
        docker = verify.find_docker()
    except verify.EngineUnavailable as exc:
        _say(f"image_size: {exc}")
        return 2

    rows = [
        measure(p, docker, timeout=args.timeout, no_cache=args.no_cache, verbose=args.verbose)
        for p in projects
    ]
    target_lines, all_met = targets(rows)
    body = table(rows)
    print("\n".join(body))
    print()
    print("\n".join(target_lines))
    extra = notes(rows)
    if extra:
        print("\n".join(extra))

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cache = "cold (--no-cache)" if args.no_cache else "warm (cached layers reused)"
    report = [
        "# Image size benchmark",
        "",
        f"- date: {now}",
        f"- engine: Docker {docker.server_version} (client {docker.binary})",
        f"- projects: {len(rows)} from `{_shown(args.projects_dir)}`",
        f"- build cache: {cache}",
        "- MB = 10^6 bytes (`docker image inspect` .Size); smoke ok = exit 0 and the expected "
        "output",
        "",
        *body,
        "",
        "## Targets",
        "",
        *target_lines,
    ]
    if extra:
        report += ["", "## Failures", "", *extra]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(report) + "\n", encoding="utf-8")
    _say(f"wrote {args.output}")
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
