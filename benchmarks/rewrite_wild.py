"""Rewrite benchmark on generated projects: is the rewrite offered, and is it never broken?

    python3 benchmarks/rewrite_wild.py [--seed 7] [--count 100] [--bookworm-only]
                                       [--keep DIR] [--output benchmarks/results/rewrite_wild.md]
                                       [--offer-only] [--timeout SECONDS]

Generates ``--count`` projects with :mod:`benchmarks.wild` (seeded: the same seed gives the
same projects), rewrites each (``check --fix --unsafe-fixes`` with the project folder as the
build context), builds the original and the rewrite on the local Docker engine, runs the
image's own ENTRYPOINT/CMD in both and compares exit code and output, and records the sizes.

It prints and writes to ``--output``:

- generated, offered (the rewrite changed the file), verified (both built, same output,
  every shared library resolves) and broken: an offered rewrite whose build fails where the
  original built, or whose output differs;
- projects whose original does not build (a generator problem, listed apart, not counted);
- fixed/original size ratios (the median on full-image bases);
- the refusal reasons of the projects not offered.

Targets (over at least 100 projects): 0 broken; offered on >= 90 % of the projects; median
fixed/original <= 0.20 on full-image bases. ``--offer-only`` skips the builds (no engine
needed) and reports the offer rate alone. ``--bookworm-only`` keeps to the bases that
``make-python-bases.sh`` builds by default; without it the bullseye and trixie stand-ins
(``--suites bullseye,trixie``) are needed too.

Exit code 0 when the targets are met, 1 when one is not, 2 when there is no engine.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.wild import BASES, BOOKWORM_BASES, Project, generate  # noqa: E402
from dockerlint_slim import verify  # noqa: E402
from dockerlint_slim.fixer import fix_text  # noqa: E402

BROKEN_TARGET = 0
OFFER_TARGET = 0.90
RATIO_TARGET = 0.20
COUNT_TARGET = 100  # the targets speak of at least this many projects


@dataclass
class Outcome:
    project: Project
    offered: bool
    refusal: str = ""
    original_ok: bool | None = None
    verified: bool | None = None
    broken: bool = False
    why: str = ""
    output: str = ""  # what the original printed
    original_mb: float | None = None
    fixed_mb: float | None = None
    seconds: float = 0.0

    @property
    def ratio(self) -> float | None:
        if self.original_mb and self.fixed_mb:
            return self.fixed_mb / self.original_mb
        return None


def rewrite(project: Project, folder: Path) -> tuple[str, str, str]:
    """(original, fixed, refusal note) for the project written in ``folder``."""
    original = (folder / "Dockerfile").read_text(encoding="utf-8")
    outcome = fix_text(
        original,
        str(folder / "Dockerfile"),
        unsafe=True,
        file_path=folder / "Dockerfile",
        context_dir=folder,
    )
    notes = [f.note or "" for f in outcome.result.findings if f.code == "DLS007" and f.note]
    return original, outcome.text, (notes[0] if notes else "")


def run_one(
    project: Project, folder: Path, docker: verify.Docker | None, timeout: float
) -> Outcome:
    original, fixed, note = rewrite(project, folder)
    out = Outcome(project, offered=fixed != original, refusal=note)
    if docker is None:
        return out
    started = time.monotonic()
    result = verify.compare(
        original, fixed, folder, docker=docker, name=project.name, smoke=None, timeout=timeout
    )
    out.seconds = time.monotonic() - started
    out.original_ok = result.original.ok
    if result.original_smoke is not None:
        out.output = (result.original_smoke.stdout or "").strip().replace("\n", " / ")[:160]
    if result.original.image is not None:
        out.original_mb = result.original.image.size / 1e6
    if not out.original_ok:
        out.why = "the original does not build"
        return out
    if result.original_smoke is None or not result.original_smoke.ok:
        # the generated project is wrong, not the rewrite: not counted
        out.original_ok = False
        out.why = "the original fails its own command"
        return out
    if out.offered:
        fixed_build = result.fixed
        if fixed_build is not None and fixed_build.image is not None:
            out.fixed_mb = fixed_build.image.size / 1e6
        if fixed_build is None or not fixed_build.ok:
            out.broken, out.why = True, "the rewrite does not build"
        elif result.smoke_matches is False:
            out.broken, out.why = True, "the output differs"
    out.verified = result.ok
    if not out.why and not result.ok:
        out.why = "; ".join(result.problems())
    return out


def report(outcomes: list[Outcome], args: argparse.Namespace, engine: str) -> tuple[str, bool]:
    counted = [o for o in outcomes if o.original_ok is not False]
    offered = [o for o in counted if o.offered]
    broken = [o for o in counted if o.broken]
    verified = [o for o in counted if o.verified]
    full = [
        o.ratio
        for o in offered
        if o.ratio is not None and o.project.base not in ("debian",) and o.verified
    ]
    median = statistics.median(full) if full else None
    offer_rate = len(offered) / len(counted) if counted else 0.0
    met = offer_rate >= OFFER_TARGET and len(outcomes) >= COUNT_TARGET
    if not args.offer_only:
        met = met and len(broken) <= BROKEN_TARGET and median is not None
        met = met and median is not None and median <= RATIO_TARGET
    lines = [
        "# Rewrite benchmark on generated projects",
        "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- engine: {engine}",
        f"- seed {args.seed}, {len(outcomes)} projects"
        + (" (bookworm bases only)" if args.bookworm_only else ""),
        f"- bases: {', '.join(sorted(collections.Counter(o.project.base for o in outcomes)))}",
        "",
        "| figure | value | target |",
        "|---|---:|---|",
        f"| generated | {len(outcomes)} | >= 100 |",
        f"| original does not build or run (not counted) | "
        f"{sum(o.original_ok is False for o in outcomes)} | 0 |",
        f"| offered | {len(offered)} of {len(counted)} ({100 * offer_rate:.0f} %) | >= 90 % |",
    ]
    if not args.offer_only:
        lines += [
            f"| verified | {len(verified)} | all offered |",
            f"| broken | {len(broken)} | 0 |",
            "| median fixed/original, full-image bases | "
            + (f"{median:.2f} ({len(full)} projects)" if median is not None else "-")
            + " | <= 0.20 |",
        ]
    verdict = "met" if met else "NOT met"
    if len(outcomes) < COUNT_TARGET:
        verdict += (
            f" (the targets need at least {COUNT_TARGET} projects; this run has {len(outcomes)})"
        )
    lines += ["", f"Targets {verdict}.", ""]
    refusals = collections.Counter(o.refusal for o in counted if not o.offered)
    if refusals:
        lines += ["## Not offered", "", "| projects | reason |", "|---:|---|"]
        lines += [f"| {n} | {reason.replace('|', '/')} |" for reason, n in refusals.most_common()]
        lines.append("")
    lines += [
        "## Projects",
        "",
        "| project | shapes | offered | MB original | MB fixed | ratio | result | output |",
        "|---|---|---|---:|---:|---:|---|---|",
    ]
    for o in outcomes:
        result = (
            "broken: " + o.why
            if o.broken
            else "verified"
            if o.verified
            else (o.why or ("not built" if o.original_ok is None else "-"))
        )
        lines.append(
            f"| {o.project.name} | {', '.join(o.project.shapes)} | {'yes' if o.offered else 'no'} "
            f"| {o.original_mb or 0:.1f} | {o.fixed_mb or 0:.1f} "
            f"| {o.ratio or 0:.2f} | {result} | {o.output.replace('|', '/')} |"
        )
    return "\n".join(lines) + "\n", met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--bookworm-only", action="store_true")
    parser.add_argument("--offer-only", action="store_true", help="no builds: the offer rate")
    parser.add_argument("--keep", type=Path, help="write the projects here and keep them")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument(
        "--output", type=Path, default=ROOT / "benchmarks" / "results" / "rewrite_wild.md"
    )
    args = parser.parse_args(argv)
    bases = BOOKWORM_BASES if args.bookworm_only else tuple(BASES)
    projects = generate(args.seed, args.count, bases)
    docker = None
    engine = "none (--offer-only)"
    if not args.offer_only:
        try:
            docker = verify.find_docker()
        except verify.EngineUnavailable as exc:
            print(f"rewrite_wild: {exc}", file=sys.stderr)
            return 2
        engine = f"Docker {docker.server_version} (client {docker.binary})"
    work = args.keep or Path(tempfile.mkdtemp(prefix="dockerlint-slim-wild-"))
    outcomes = []
    for i, project in enumerate(projects, 1):
        folder = project.write(work)
        o = run_one(project, folder, docker, args.timeout)
        outcomes.append(o)
        state = (
            "not offered: " + o.refusal
            if not o.offered
            else "BROKEN: " + o.why
            if o.broken
            else "verified"
            if o.verified
            else o.why or "offered"
        )
        ratio = f" {o.ratio:.2f}" if o.ratio else ""
        print(f"[{i}/{len(projects)}] {project.name} ({', '.join(project.shapes)}):{ratio} {state}",
              flush=True)  # fmt: skip
    text, met = report(outcomes, args, engine)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    print(f"written to {args.output}; projects in {work}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
