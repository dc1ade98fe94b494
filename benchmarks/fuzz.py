"""The long fuzzing campaign: Dockerfiles from the grammar and mutated fixture files against
every property of ``tests/properties.py``.

    python3 benchmarks/fuzz.py [--examples 100000] [--seed 1] [--property NAME ...]
                               [--source grammar|mutated|both] [--failures DIR]
                               [--progress N] [--output benchmarks/results/fuzz.md]

Each example is one file (bytes) from ``tests/strategies.py``; every property runs on it.
Printed per property: examples, accepted, documented parse errors, declined (a fix refused,
the rewrite declining with its reason), failures. Each failing input is written to
``--failures`` (default ``fuzz-failures/`` under the current folder) as
``<property>-<n>.Dockerfile`` with the error next to it (``.txt``); a failure a regression
test should keep goes to ``tests/fuzz_cases/`` (see ``tests/test_fuzz.py``). The same seed
gives the same examples. ``--output`` also writes the counts as a Markdown table. Exit code 0
when no property failed, 1 otherwise (Ctrl-C or SIGTERM stops the campaign and prints what it
counted).

The examples are drawn by Hypothesis without shrinking, so the campaign goes on past a
failure; a failing input is usually small enough to read as it is.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import signal
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    from hypothesis import HealthCheck, Phase, given, seed, settings
    from hypothesis import strategies as st

    from tests import strategies
    from tests.properties import OUTCOMES, PROPERTIES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000, help="files to generate")
    parser.add_argument("--seed", type=int, default=1, help="the same seed, the same files")
    parser.add_argument(
        "--property",
        action="append",
        choices=sorted(PROPERTIES),
        help="run only this property (repeatable; default: all)",
    )
    parser.add_argument("--source", choices=("grammar", "mutated", "both"), default="both")
    parser.add_argument("--failures", type=Path, default=Path("fuzz-failures"))
    parser.add_argument("--progress", type=int, default=0, help="print a line every N examples")
    parser.add_argument(
        "--output", type=Path, help="also write the counts as Markdown (benchmarks/results/)"
    )
    args = parser.parse_args(argv)

    chosen = {name: PROPERTIES[name] for name in (args.property or PROPERTIES)}
    source = {
        "grammar": strategies.dockerfiles(),
        "mutated": strategies.mutated(),
        "both": strategies.any_dockerfile(),
    }[args.source]
    counts = {name: collections.Counter() for name in chosen}
    failures: list[tuple[str, bytes, str]] = []
    seen_failures: set[tuple[str, str]] = set()
    examples = 0
    started = time.monotonic()

    @seed(args.seed)
    @settings(
        max_examples=args.examples,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def campaign(data: st.DataObject) -> None:
        nonlocal examples
        example = data.draw(source)
        examples += 1
        for name, prop in chosen.items():
            try:
                outcome = prop(example)
            except Exception as exc:
                counts[name]["failures"] += 1
                where = traceback.extract_tb(exc.__traceback__)[-1]
                key = (name, f"{type(exc).__name__} {where.filename}:{where.lineno}")
                if key not in seen_failures or len(failures) < 50:  # each kind, and a few more
                    seen_failures.add(key)
                    detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
                    failures.append((name, example, detail))
            else:
                counts[name][outcome] += 1
            counts[name]["examples"] += 1
        if args.progress and examples % args.progress == 0:
            rate = examples / (time.monotonic() - started)
            print(f"... {examples} examples ({rate:.0f}/s)", file=sys.stderr, flush=True)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)  # `kill PID` stops it like Ctrl-C
    interrupted = False
    try:
        campaign()
    except KeyboardInterrupt:  # a long campaign stopped by hand still reports its counts
        interrupted = True
    finally:
        signal.signal(signal.SIGTERM, previous)
    elapsed = time.monotonic() - started

    header = ["property", "examples", *OUTCOMES, "failures"]
    rows = [[name, *(str(counts[name][k]) for k in header[1:])] for name in chosen]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in
                        enumerate(zip(row, widths))))  # fmt: skip
    summary = (
        f"{examples} files (source: {args.source}, seed {args.seed}) in {elapsed:.1f} s "
        f"({examples / elapsed if elapsed else 0:.0f} files/s)"
        + (", interrupted" if interrupted else "")
    )
    print(summary)
    if args.output is not None:
        lines = [
            "# Fuzzing campaign",
            "",
            f"Measured {datetime.date.today()} with `python3 benchmarks/fuzz.py "
            f"--examples {args.examples} --seed {args.seed} --source {args.source}`: "
            f"{summary}.",
            "",
            "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header),
            *("| " + " | ".join(row) + " |" for row in rows),
        ]
        args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if failures:
        args.failures.mkdir(parents=True, exist_ok=True)
        for n, (name, example, detail) in enumerate(failures, 1):
            stem = args.failures / f"{name}-{n}"
            stem.with_suffix(".Dockerfile").write_bytes(example)
            stem.with_suffix(".txt").write_text(detail, encoding="utf-8")
        total = sum(c["failures"] for c in counts.values())
        print(f"{total} failures; {len(failures)} inputs written to {args.failures}/")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
