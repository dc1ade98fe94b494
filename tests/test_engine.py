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
from dockerlint_slim.rule import Context, Rule, Violation, all_rules
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
        ("# dockerlint-slim: ignore=dl3042\nRUN pip install x==1\n", []),
        ("# dockerlint-slim: ignore=Pip-Cache-Kept\nRUN pip install x==1\n", []),
        ("# DOCKERLINT-SLIM: IGNORE=all\nRUN pip install x==1\n", []),
        ("# hadolint ignore=dl3042\nRUN pip install x==1\n", []),
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


def test_bad_input_is_a_parse_error_finding():
    result = lint("FROM a\n\n  FOO bar\n")
    assert isinstance(result.parse_error, ScanError)
    [finding] = result.findings
    assert (finding.code, finding.severity) == ("DL1000", Severity.ERROR)
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (3, 3, 3, 6)
    assert finding.fix is None and finding.stage is None
    assert result.model.instructions == () and result.model.text == "FROM a\n\n  FOO bar\n"


def test_parse_error_without_a_rule_that_reports_it_has_no_finding():
    result = lint("FROM a\nFOO bar\n", rules=[r for r in all_rules() if r.code != "DL1000"])
    assert result.findings == [] and result.parse_error is not None


def test_parse_error_pragmas():
    above = "FROM a\n# dockerlint-slim: ignore=DL1000\nFOO bar\n"
    assert lint(above).findings == [] and lint(above).suppressed == 1
    hadolint = "# hadolint global ignore=DL1000\nFROM a\nRUN <<EOF\n"
    assert lint(hadolint).findings == []
    not_above = "FROM a\n# dockerlint-slim: ignore=DL1000\n\nFOO bar\n"
    assert [f.code for f in lint(not_above).findings] == ["DL1000"]
    other = "FROM a\n# dockerlint-slim: ignore-file=DL3042\nFOO bar\n"
    assert [f.code for f in lint(other).findings] == ["DL1000"]


def test_parse_error_positions():
    cases = {
        "FROM a\nRUN\n": (2, 1, 4),  # no arguments: the keyword
        "FROM a\nRUN x <<-'END'\nbody\n": (2, 7, 15),  # unterminated: the marker
        "# escape=\\\n# escape=`\nFROM a\n": (2, 1, 11),  # second directive: its line
        "\ufeffFOO\n": (1, 1, 4),  # a BOM is not a column
        "FROM a\nONBUILD FROM b\n": (2, 9, 13),  # the trigger that is not allowed
    }
    for text, (line, column, end_column) in cases.items():
        [finding] = lint(text).findings
        assert (finding.line, finding.column, finding.end_column) == (line, column, end_column)


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


def test_fix_outcome_tells_each_fix_and_what_it_removed():
    outcome = fix_text("# a comment\n" + BAD, unsafe=True)
    applied = [(f.code, f.line, f.column, f.removed) for f in outcome.fixes]
    # in the order they were applied (by position of their first edit)
    assert applied == [("DL3015", 3, 23, 1), ("DL3009", 3, 5, 1), ("DL3042", 4, 5, 1)]
    assert outcome.fixes[1].title == "Remove `/var/lib/apt/lists/*` in the same `RUN`"
    assert (outcome.removed, outcome.applied, outcome.result.findings) == (3, 3, [])


class _Marker(Rule):
    """A test rule: marks each pip RUN, and puts two comment lines on top of the file."""

    code = "DLS996"
    name = "marker"
    message = "Test."
    fix_title = "Mark"
    fix_safety = Safety.SAFE
    keywords = frozenset({"RUN"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        end = inst.raw.command_end
        source = ctx.dockerfile.text[inst.start : end]
        if "pip" in source and not source.endswith("&& true"):
            edits = [Edit(0, 0, "# h1\n# h2\n"), Edit(inst.start, end, source + " && true")]
            yield self.violation(inst.start, end, edits=edits)


def test_fix_outcome_lines_are_those_of_the_original_file(monkeypatch):
    import dockerlint_slim.engine as engine

    real = engine.all_rules()
    monkeypatch.setattr(engine, "all_rules", lambda: [*real, _Marker])
    outcome = fix_text("# a comment\n" + BAD, unsafe=True)
    assert outcome.text.startswith("# h1\n# h2\n# a comment\n")
    assert "RUN pip install --no-cache-dir x==1 && true" in outcome.text
    # DL3042's fix overlaps the marker's: it is applied in the second pass, on text whose
    # lines moved, and still reported at its line in the original file
    applied = [(f.code, f.line, f.column) for f in outcome.fixes]
    assert applied == [("DLS996", 4, 1), ("DL3015", 3, 23), ("DL3009", 3, 5), ("DL3042", 4, 5)]
    assert outcome.removed == 4


def test_fix_outcome_counts_findings_a_fix_removes_besides_its_own(monkeypatch):
    import dockerlint_slim.engine as engine

    class _Cleaner(Rule):
        """Flags every RUN; the fix on the first one deletes them all."""

        code = "DLS997"
        name = "cleaner"
        message = "Test."
        fix_title = "Delete every RUN"
        fix_safety = Safety.SAFE
        keywords = frozenset({"RUN"})

        def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
            runs = [i for i in stage.instructions if i.keyword == "RUN"]
            edits = [Edit(r.start, r.end, "") for r in runs] if inst is runs[0] else []
            yield self.violation(inst.start, inst.end, edits=edits)

    monkeypatch.setattr(engine, "all_rules", lambda: [_Cleaner])
    outcome = fix_text("FROM a\nRUN one\nRUN two\nRUN three\n")
    assert outcome.text == "FROM a\n"
    assert [(f.line, f.removed, f.also) for f in outcome.fixes] == [
        (2, 3, (("DLS997", 3), ("DLS997", 4)))
    ]
    assert outcome.removed == 3


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


def test_unknown_pragma_code_points_at_the_code_and_suggests_one():
    text = "FROM python:3.11-slim\n# dockerlint-slim: ignore=DL3042,DL3O42\nRUN pip install x==1\n"
    found = [f for f in lint(text, "Dockerfile").findings]
    assert [(f.code, f.line, f.column, f.end_column) for f in found] == [("DLS200", 2, 34, 40)]
    assert found[0].message == (
        "Unknown rule code `DL3O42` in a pragma comment (did you mean `DL3042`?)."
    )
    assert found[0].fix is None


def test_unused_pragma_is_opt_in_and_judges_only_enabled_rules():
    text = "FROM python:3.11-slim\n# dockerlint-slim: ignore=DL3042,DL3009\nRUN pip install x==1\n"
    assert codes(text) == []  # ALL does not enable DLS201
    chosen = merge_cli(Settings.default(), extend_select=["unused-pragma"])
    assert codes(text, chosen) == [("DLS201", 2)]
    (finding,) = lint(text, "Dockerfile", chosen).findings
    assert (finding.column, finding.end_column) == (34, 40)
    assert fix_text(text, "Dockerfile", chosen).text == text.replace(",DL3009", "")
    # DL3009 off: its code says nothing about the pragma
    off = merge_cli(Settings.default(), extend_select=["DLS201"], ignore=["DL3009"])
    assert codes(text, off) == []


def test_pragma_rules_can_be_suppressed_by_a_file_pragma():
    text = (
        "# dockerlint-slim: ignore-file=DLS200\n"
        "FROM python:3.11-slim\n# dockerlint-slim: ignore=nope\nRUN true\n"
    )
    assert codes(text) == []


class _Inserts(Rule):
    """Test rule: inserts ``content`` at ``offset`` chars after the start of each RUN's
    arguments (negative: before the end of the instruction's own text)."""

    code = "DLS998"
    name = "inserts"
    message = "Inserts."
    fix_title = "Insert"
    keywords = frozenset({"RUN"})
    content = ""
    offset = 0
    original = ""  # fires on this RUN text only, so that fixing ends

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        if ctx.dockerfile.text[inst.start : inst.end].strip() != f"RUN {self.original}":
            return
        base = inst.raw.args_start if self.offset >= 0 else inst.raw.command_end
        at = base + self.offset
        yield self.violation(inst.start, inst.end, edits=[Edit(at, at, self.content)])


@pytest.mark.parametrize(
    ("run", "offset", "content", "fixed"),
    [
        # plain words after an element become elements
        ('["pip", "install", "x"]', 6, " --a --b", '["pip", "--a", "--b", "install", "x"]'),
        # before the array: flags are not in the JSON
        ('["pip", "install", "x"]', 0, "--network=none ", '--network=none ["pip", "install", "x"]'),
        # inside a script without escapes: kept as written
        ('["sh", "-c", "make"]', -2, " && true", '["sh", "-c", "make && true"]'),
        # words that need quoting, a quote in a script, an escaped script, mid-word: dropped
        ('["pip", "install", "x"]', 6, " $HOME", None),
        ('["sh", "-c", "make"]', -2, ' "q"', None),
        ('["sh", "-c", "make \\"a\\""]', -2, " && true", None),
        ('["pip", "install", "x"]', 3, " --a", None),
        ('["pip", "install", "x"]', -1, " && rm -rf /tmp/x", None),
    ],
)
def test_fixes_in_exec_form_are_written_as_json_or_dropped(
    monkeypatch, run, offset, content, fixed
):
    import dockerlint_slim.engine as engine

    rule = type("_Rule", (_Inserts,), {"content": content, "offset": offset, "original": run})
    monkeypatch.setattr(engine, "all_rules", lambda: [rule])
    text = f"FROM a\nRUN {run}\n"
    (finding,) = lint(text).findings
    if fixed is None:
        assert finding.fix is None
        assert "exec-form" in (finding.note or "")
        assert fix_text(text).text == text
    else:
        assert fix_text(text).text == f"FROM a\nRUN {fixed}\n"
        assert build_model(f"FROM a\nRUN {fixed}\n").instructions[1].exec_args is not None
