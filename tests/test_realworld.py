"""Runs the scanner, the linter, the fixer and the CLI over real-world Dockerfiles.

``fixtures/realworld/`` holds Dockerfiles of public Python projects, copied byte for byte
(``SOURCES.md`` names the repository, path, commit and licence of each). For every file:

1. the scan round-trips byte for byte, or the file is listed in ``EXPECTED_REJECTED`` and the
   scanner raises ``ScanError`` naming the expected line;
2. linting finishes and every finding points inside the file;
3. fixing with unsafe fixes gives text that scans and fixing that again changes nothing; the
   fixes of the size rules (which add options, cleanups and stages) differ from the original
   only by insertions, while the rules that rewrite an instruction's syntax (ADD to COPY,
   MAINTAINER to LABEL, shell form to exec form) may replace text;
4. the CLI, run once over the whole folder, writes valid JSON and no traceback.
"""

from __future__ import annotations

import difflib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dockerlint_slim.config import Settings, merge_cli
from dockerlint_slim.engine import lint
from dockerlint_slim.fixer import fix_text
from dockerlint_slim.scanner import ScanError, scan

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "fixtures" / "realworld"
FILES = sorted(CORPUS.glob("*.Dockerfile"))

# Files that are not Dockerfiles BuildKit accepts: name -> the line ScanError must report.
EXPECTED_REJECTED = {
    # A Jinja2 template that ue4-docker renders before building; line 4 is
    # `{% if not disable_labels %}`, which BuildKit also rejects as an unknown instruction.
    "adamrehn__ue4-docker__ue4docker_dockerfiles_ue4-build-prerequisites_linux_Dockerfile"
    ".Dockerfile": 4,
}

ACCEPTED = [path for path in FILES if path.name not in EXPECTED_REJECTED]

# the rules whose fixes only add text to a file (options, cleanups, slim tags, stages)
INSERTING = merge_cli(
    Settings.default(),
    select=["DLS", "DL3009", "DL3015", "DL3019", "DL3032", "DL3040", "DL3042"],
)


def _read(path: Path) -> str:
    # bytes, not read_text(): keep CRLF, a missing final newline and a BOM exactly as stored
    return path.read_bytes().decode("utf-8")


def _line_count(text: str) -> int:
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def _is_subsequence(original: str, fixed: str) -> bool:
    """Every character of ``original`` appears in ``fixed``, in order."""
    chars = iter(fixed)
    return all(char in chars for char in original)


def _ids(paths: list[Path]) -> list[str]:
    return [path.name.removesuffix(".Dockerfile") for path in paths]


def test_corpus_is_complete():
    assert len(FILES) >= 40, f"expected about 40 Dockerfiles in {CORPUS}, found {len(FILES)}"
    assert set(EXPECTED_REJECTED) <= {path.name for path in FILES}
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    missing = [path.name for path in FILES if f"`{path.name}`" not in sources]
    assert not missing, f"not listed in SOURCES.md: {missing}"


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_scan_round_trips_or_rejects_with_line(path: Path):
    text = _read(path)
    if path.name in EXPECTED_REJECTED:
        with pytest.raises(ScanError) as info:
            scan(text)
        assert info.value.line == EXPECTED_REJECTED[path.name], str(info.value)
        return
    assert scan(text).render() == text


@pytest.mark.parametrize("path", ACCEPTED, ids=_ids(ACCEPTED))
def test_lint_findings_point_inside_the_file(path: Path):
    text = _read(path)
    lines = _line_count(text)
    result = lint(text, str(path))
    for finding in result.findings:
        where = f"{finding.code} at {finding.line}:{finding.column}"
        assert 1 <= finding.line <= lines, where
        assert finding.column >= 1, where
        assert finding.line <= finding.end_line <= lines, where


@pytest.mark.parametrize("path", ACCEPTED, ids=_ids(ACCEPTED))
def test_every_fix_scans_and_is_idempotent(path: Path):
    text = _read(path)
    fixed = fix_text(text, str(path), unsafe=True).text
    assert scan(fixed).render() == fixed
    assert fix_text(fixed, str(path), unsafe=True).text == fixed, "fixing twice changed the text"


@pytest.mark.parametrize("path", ACCEPTED, ids=_ids(ACCEPTED))
def test_unsafe_fix_only_inserts_or_rewrites_and_is_idempotent(path: Path):
    text = _read(path)
    fixed = fix_text(text, str(path), INSERTING, unsafe=True).text
    assert scan(fixed).render() == fixed
    again = fix_text(fixed, str(path), INSERTING, unsafe=True).text
    assert again == fixed, "fixing twice changed the text"
    if len(scan(fixed).instructions) != len(scan(text).instructions) and " AS builder" in fixed:
        # the multi-stage rewrite (DLS007) moves installs into a builder stage: every other
        # instruction of the original is carried over as written, but for the commands that
        # start programs from the virtual environment instead (see _command_words)
        started = {
            (raw.keyword, _command_words(raw))
            for raw in scan(fixed).instructions
            if raw.keyword in ("CMD", "ENTRYPOINT", "HEALTHCHECK")
        }
        for raw in scan(text).instructions:
            if raw.keyword in ("CMD", "ENTRYPOINT", "HEALTHCHECK"):
                assert (raw.keyword, _command_words(raw)) in started, raw.keyword
            elif raw.keyword not in ("FROM", "RUN"):
                assert text[raw.start : raw.end].rstrip("\r\n") in fixed, raw.keyword
        return
    opcodes = difflib.SequenceMatcher(None, text, fixed, autojunk=False).get_opcodes()
    assert [op for op in opcodes if op[0] == "delete"] == []
    assert _is_subsequence(text, fixed), "the fix removed or replaced original text"


def _command_words(raw) -> tuple[str, ...]:
    """A command's words with the rewrite's retargeting undone: programs by their base name,
    without a leading ``uv run``/``poetry run``/``pdm run``/``pipenv run`` (and its options)
    or a ``python`` put before a ``.py`` script."""
    words = list(raw.json_args) if raw.json_args is not None else raw.args.split()
    words = [w.rsplit("/", 1)[-1] if w.startswith(("/", ".")) else w for w in words]
    for i, w in enumerate(words[:3]):
        if w in ("uv", "poetry", "pdm", "pipenv") and words[i + 1 : i + 2] == ["run"]:
            rest = i + 2
            while rest < len(words) and words[rest].startswith("-"):
                rest += 1
            words = words[:i] + words[rest:]
            break
    if len(words) > 1 and words[0] == "python" and words[1].endswith(".py"):
        words = words[1:]
    return tuple(words)


def test_cli_over_the_whole_folder():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "dockerlint_slim",
            "check",
            "fixtures/realworld",
            "--output-format",
            "json",
            "--exit-zero",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    # A file that does not parse is a DL1000 finding at the line that does not parse (so
    # --exit-zero gives 0); every other file is still linted and reported.
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    findings = json.loads(proc.stdout)
    assert isinstance(findings, list)
    parse_errors = {(f["file"], f["line"]) for f in findings if f["code"] == "DL1000"}
    assert parse_errors == {
        (f"fixtures/realworld/{name}", line) for name, line in EXPECTED_REJECTED.items()
    }
    rejected = {f"fixtures/realworld/{name}" for name in EXPECTED_REJECTED}
    assert all(f["code"] == "DL1000" for f in findings if f["file"] in rejected)
    lines = {f"fixtures/realworld/{path.name}": _line_count(_read(path)) for path in ACCEPTED}
    findings = [f for f in findings if f["file"] not in rejected]
    for finding in findings:
        assert finding["file"] in lines, finding
        assert 1 <= finding["line"] <= lines[finding["file"]], finding
        assert finding["column"] >= 1, finding


@pytest.mark.parametrize("path", ACCEPTED, ids=_ids(ACCEPTED))
def test_fix_with_build_context_parses_and_is_idempotent(path: Path):
    """With the file's folder as build context (project-aware rules read it), the fixed text
    parses, lints again without a new fixable finding, and a second fix changes nothing."""
    text = _read(path)
    outcome = fix_text(text, str(path), unsafe=True, context_dir=path.parent)
    assert scan(outcome.text).render() == outcome.text
    assert [f for f in outcome.result.findings if f.fix is not None] == []
    again = fix_text(outcome.text, str(path), unsafe=True, context_dir=path.parent)
    assert again.text == outcome.text
