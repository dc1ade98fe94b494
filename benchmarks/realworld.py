"""How often the multi-stage rewrite is offered on real-world Dockerfiles, and why not.

    python3 benchmarks/realworld.py [--corpus fixtures/realworld]
                                    [--output benchmarks/results/realworld.md]

Lints every ``*.Dockerfile`` of the corpus (``fixtures/realworld/``: public Python projects'
Dockerfiles, see its ``SOURCES.md``) with every rule, the corpus folder as the build context
(so scripts and requirements files the Dockerfiles name are not there, as for a Dockerfile
checked on its own), and every ``*/Dockerfile`` with its own folder as the build context (a
corpus of Dockerfiles with the files they name). For each ``DLS007`` finding (a single- or
multi-stage file that builds native code and ships it) it records whether the rewrite is
offered and, when it is not, the reason the rewrite gave. It prints, and writes to
``--output``: files, files that do not parse, DLS007 findings, rewrites offered (and the
share), the refusals grouped by kind with their files, and the files where the rewrite is
offered.

No build happens here: the offered rewrites of this corpus are not proven by builds (their
projects are not here); the builds are in ``benchmarks/rewrite_wild.py`` and the fixture
projects' end-to-end tests. Exit code 0.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# refusal reasons with their variable parts (line numbers, names) replaced, to group them
_GROUPS = [
    (r"runtime-library data has no alpine", "Alpine: no package index could be downloaded"),
    (r"runtime-library data has no (debian|ubuntu)", "a Debian/Ubuntu release the data lacks"),
    (r"no runtime package is known for", "a -dev package with no runtime package known"),
    (r"is not a package of", "a -dev package the release does not have"),
    (r"is not one the rewrite knows", "a base image the rewrite does not know"),
    (r"chosen by an ARG without a default", "a base chosen by an ARG without a default"),
    (r"cannot read it from the build context", "a started script not in the build context"),
    (r"which no COPY or ADD", "a started script that no COPY provides"),
    (r"has no Python and the file installs none", "no Python the rewrite recognises"),
    (r"installs no Python packages", "no Python packages installed (that it knows)"),
    (r"installs Python 2", "Python 2"),
    (r"several stages", "several stages"),
    (r"ONBUILD", "ONBUILD"),
    (r"mixes build work", "a RUN of build and runtime work it cannot split"),
    (r"runs (make|gcc|g\+\+|cc|cmake|cargo|go)\b", "make or a compiler in runtime work"),
    (r"several virtual environments", "several virtual environments"),
]


def _group(note: str) -> str:
    for pattern, name in _GROUPS:
        if re.search(pattern, note):
            return name
    return "other: " + note.removeprefix("no automatic rewrite: ")[:100]


def corpus_files(corpus: Path) -> list[Path]:
    """The Dockerfiles of a corpus folder: ``NAME.Dockerfile`` files and ``NAME/Dockerfile``
    folders (the latter with the build-context files the Dockerfile names)."""
    found = [*corpus.glob("*.Dockerfile"), *corpus.glob("*/Dockerfile")]
    return sorted(path for path in found if path.is_file())


def measure(corpus: Path) -> dict:
    from dockerlint_slim.engine import lint
    from dockerlint_slim.model import ModelError

    # ``NAME.Dockerfile`` (context: the corpus folder) or ``NAME/Dockerfile`` (context: its
    # own folder, with the files the Dockerfile names)
    files = corpus_files(corpus)
    rejected: list[str] = []
    offered: list[str] = []
    refused: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace")
        name = path.name if path.parent == corpus else path.parent.name
        try:
            result = lint(text, name, None, file_path=path, context_dir=path.parent)
        except ModelError:
            rejected.append(name)
            continue
        if result.parse_error is not None:
            rejected.append(name)
            continue
        for finding in result.findings:
            if finding.code != "DLS007":
                continue
            if finding.fix is not None:
                offered.append(name)
            else:
                note = finding.note or "no reason given"
                refused[_group(note)].append((name, note))
    with_context = sum(1 for path in files if path.parent != corpus)
    return {
        "files": files,
        "rejected": rejected,
        "offered": offered,
        "refused": refused,
        "with_context": with_context,
    }


def report(data: dict, corpus: Path) -> str:
    fired = len(data["offered"]) + sum(len(v) for v in data["refused"].values())
    share = f"{100 * len(data['offered']) / fired:.0f} %" if fired else "n/a"
    lines = [
        "# Rewrite offers on real-world Dockerfiles",
        "",
        f"Measured {datetime.date.today().isoformat()} with `python3 benchmarks/realworld.py` "
        f"over `{corpus.relative_to(ROOT) if corpus.is_relative_to(ROOT) else corpus}` "
        + (
            "(the Dockerfiles only: the scripts and requirements they name are not there)."
            if not data.get("with_context")
            else f"({data['with_context']} of the files with the build-context files they "
            "name: requirements, project files, the scripts they start; not the "
            "applications' code)."
        ),
        "",
        f"- files: {len(data['files'])} ({len(data['rejected'])} do not parse)",
        f"- DLS007 findings: {fired}",
        f"- rewrite offered: {len(data['offered'])} ({share})",
        "",
        "## Refusals, most common first",
        "",
        "| reason | files |",
        "|---|---|",
    ]
    for name, items in sorted(data["refused"].items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines.append(f"| {name} | {len(items)} |")
    lines += ["", "## Each refusal", ""]
    for _name, items in sorted(data["refused"].items(), key=lambda kv: (-len(kv[1]), kv[0])):
        for file, note in items:
            lines.append(f"- `{file}`: {note.removeprefix('no automatic rewrite: ')}")
    lines += ["", "## Offered", ""]
    lines += [f"- `{file}`" for file in data["offered"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "fixtures" / "realworld")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "benchmarks" / "results" / "realworld.md"
    )
    args = parser.parse_args(argv)
    text = report(measure(args.corpus.resolve()), args.corpus.resolve())
    sys.stdout.write(text)
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
