"""The engine: selection, severity overrides, pragmas (applied centrally), positions; and the
fixer: bounded fixed point, refusal to break a file, atomic writes."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable

import pytest

from dockerlint_slim.config import Settings, merge_cli
from dockerlint_slim.edits import Edit, Safety
from dockerlint_slim.engine import lint, parse_pragmas
from dockerlint_slim.findings import Severity
from dockerlint_slim.fixer import FixError, fix_text, write_atomic
from dockerlint_slim.model import Instruction, Stage, build_model
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.scanner import ScanError

BAD = (
    "FROM python:3.11-slim\n"
    "RUN apt-get update && apt-get install -y curl=7.88*\n"
    "RUN pip install x==1\n"
)


def codes(text: str, settings: Settings | None = None) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in lint(text, "Dockerfile", settings).findings]


def test_all_rules_fire_on_a_bad_file():
    assert codes(BAD) == [("DL3009", 2), ("DL3015", 2), ("DL3042", 3)]


def test_select_ignore_and_severity_override():
    only = merge_cli(Settings.default(), select=["pip-cache-kept"])
    assert codes(BAD, only) == [("DL3042", 3)]
    ignored = merge_cli(Settings.default(), ignore=["DL30"])
    assert codes(BAD, ignored) == []
    raised = Settings(severity=(("DL3009", Severity.ERROR),))
    severities = {f.code: f.severity for f in lint(BAD, "Dockerfile", raised).findings}
    assert severities["DL3009"] == Severity.ERROR
    assert severities["DL3042"] == Severity.WARNING


@pytest.mark.parametrize(
    ("pragma_text", "expected"),
    [
        ("# dockerlint-slim: ignore=DL3042\nRUN pip install x==1\n", []),
        ("# dockerlint-slim: ignore=pip-cache-kept\nRUN pip install x==1\n", []),
        ("# dockerlint-slim: ignore=ALL\nRUN pip install x==1\n", []),
        ("# hadolint ignore=DL3042,DL3009\nRUN pip install x==1\n", []),
        ("# dockerlint-slim: ignore=DL3009\nRUN pip install x==1\n", [("DL3042", 3)]),
        ("# dockerlint-slim: ignore=DL3042\n\nRUN pip install x==1\n", [("DL3042", 4)]),
        ("RUN pip install x==1\n# hadolint global ignore=DL3042\n", []),
        ("RUN pip install x==1\n# dockerlint-slim: ignore-file=DL3042\n", []),
    ],
)
def test_pragmas(pragma_text, expected):
    text = "FROM python:3.11-slim\n" + pragma_text
    assert codes(text) == expected


def test_stage_pragmas_apply_to_the_whole_stage_only():
    text = (
        "# dockerlint-slim: ignore-stage=DL3042\n"
        "FROM python:3.11-slim AS base\n"
        "RUN pip install a==1\n"
        "# hadolint stage ignore=DL3042\n"
        "FROM base AS mid\n"
        "RUN pip install b==1\n"
        "FROM mid\n"
        "RUN pip install c==1\n"
    )
    assert codes(text) == [("DL3042", 8)]
    pragmas = parse_pragmas(build_model(text))
    assert set(pragmas.stage) == {0, 1}


def test_positions_are_one_based_with_exclusive_end():
    finding = lint("FROM python:3.11-slim\nRUN  pip install x==1\n").findings[0]
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (2, 6, 2, 17)


def test_bad_input_raises_scan_error():
    with pytest.raises(ScanError):
        lint("FROM a\nFOO bar\n")


class _Breaker(Rule):
    """A test rule whose 'fix' deletes a heredoc terminator."""

    code = "DLS999"
    name = "breaker"
    message = "Test."
    fix_title = "Break the file"
    fix_safety = Safety.SAFE

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for h in inst.heredocs:
            yield self.violation(
                inst.start, inst.end, edits=[Edit(h.terminator.start, h.terminator.end, "")]
            )


class _Growing(Rule):
    """A test rule whose fix never converges."""

    code = "DLS998"
    name = "growing"
    message = "Test."
    fix_title = "Grow"
    fix_safety = Safety.SAFE
    keywords = frozenset({"RUN"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        end = inst.raw.command_end
        yield self.violation(inst.start, end, edits=[Edit(end, end, " x")])


def test_fixer_refuses_a_fix_that_breaks_the_file(monkeypatch):
    import dockerlint_slim.engine as engine

    monkeypatch.setattr(engine, "all_rules", lambda: [_Breaker])
    text = "FROM a\nRUN <<EOF\necho\nEOF\n"
    with pytest.raises(FixError, match="does not parse"):
        fix_text(text)


def test_fixer_is_bounded(monkeypatch):
    import dockerlint_slim.engine as engine
    import dockerlint_slim.fixer as fixer

    monkeypatch.setattr(engine, "all_rules", lambda: [_Growing])
    outcome = fix_text("FROM a\nRUN echo\n")
    assert outcome.text == "FROM a\nRUN echo" + " x" * fixer.MAX_PASSES + "\n"


def test_unsafe_fixes_only_when_asked():
    text = "FROM debian:bookworm-slim\nRUN apt-get install -y curl=7.88*\n"
    assert fix_text(text).text == text
    assert "--no-install-recommends" in fix_text(text, unsafe=True).text


def test_write_atomic_keeps_mode_bytes_and_symlinks(tmp_path):
    target = tmp_path / "Dockerfile"
    target.write_bytes(b"old\r\n")
    os.chmod(target, 0o640)
    link = tmp_path / "link.Dockerfile"
    link.symlink_to(target)
    write_atomic(link, "\ufeffFROM a\r\nRUN b\r\n")
    assert link.is_symlink()
    assert target.read_bytes() == b"\xef\xbb\xbfFROM a\r\nRUN b\r\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize(
    ("text", "note"),
    [
        (
            "FROM python:3.11\nRUN pip install --no-cache-dir flask\n"
            "HEALTHCHECK CMD curl -f http://localhost/ || exit 1\n",
            "no automatic fix: HEALTHCHECK uses curl",
        ),
        (
            "ARG BASE=python:3.11\nFROM $BASE\nRUN pip install --no-cache-dir flask\n",
            "no automatic fix: the image reference is not written out in the FROM line",
        ),
        ("FROM python:3.11\nRUN pip install --no-cache-dir flask\n", None),  # fixable
    ],
)
def test_fat_base_without_a_fix_says_why(text: str, note: str | None) -> None:
    [finding] = [f for f in lint(text, "Dockerfile").findings if f.code == "DLS001"]
    assert finding.note == note
    assert (finding.fix is None) == (note is not None)


def test_fat_base_fix_installs_the_libraries_packages_open_at_run_time():
    """python-magic opens libmagic with ctypes: the slim switch brings libmagic along."""
    text = "FROM python:3.11-bookworm\r\nRUN pip install --no-cache-dir python-magic==0.4.27\r\n"
    fixed = fix_text(text, "Dockerfile", unsafe=True).text
    assert fixed == (
        "FROM python:3.11-slim-bookworm\r\nRUN apt-get update \\\r\n"
        "    && apt-get install -y --no-install-recommends libmagic1 \\\r\n"
        "    && rm -rf /var/lib/apt/lists/*\r\n"
        "RUN pip install --no-cache-dir python-magic==0.4.27\r\n"
    )
    assert fix_text(fixed, "Dockerfile", unsafe=True).text == fixed


COMPILING = (
    "FROM python:3.11\n"
    "RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev "
    "&& rm -rf /var/lib/apt/lists/*\n"
    "RUN pip install --no-cache-dir psycopg2==2.9.9\n"
)


def test_one_problem_one_finding_with_related_locations() -> None:
    found = codes(COMPILING)
    assert ("DLS007", 1) in found
    assert not {c for c, _ in found} & {"DLS001", "DLS002", "DLS003"}
    [primary] = [f for f in lint(COMPILING).findings if f.code == "DLS007"]
    assert [(r.line, r.message) for r in primary.related] == [
        (2, "installs build tools and headers: gcc, libpq-dev (DLS002)"),
        (3, "builds psycopg2 from source (DLS003)"),
    ]


def test_covered_findings_come_back_when_the_covering_rule_is_off() -> None:
    ignored = merge_cli(Settings.default(), ignore=["DLS007"])
    assert {"DLS001", "DLS002", "DLS003"} <= {c for c, _ in codes(COMPILING, ignored)}
    # an ignore pragma on the FROM has the same effect
    pragma = "# dockerlint-slim: ignore=DLS007\n" + COMPILING
    assert {"DLS001", "DLS002", "DLS003"} <= {c for c, _ in codes(pragma)}
