"""Runs every rule case file in ``fixtures/cases/`` (one TOML file per rule code).

A case has ``pass`` (the rule must not fire) or ``fail`` (it must fire; ``violations`` lists
the expected codes and lines). For a ``fail`` case, fixing (safe fixes, or unsafe ones with
``unsafe-fixes = true``) must give ``fix`` exactly, or leave the text unchanged when ``fix``
is absent; the fixed text must be clean of the rule, and fixing it again changes nothing.
``config`` may set ``target``, ``select`` (default: the case file's rule alone; rules that
judge pragmas need the rules the pragmas name) and the rule options of the configuration
file (``trusted-registries``, ``label-schema``, ``strict-labels``); ``skip`` gives a reason
to skip; ``files`` (relative path -> text) is written to a build context folder that
project-aware rules read.

What users see of a ``fail`` case is pinned in a snapshot beside the case file
(``CODE.snap``): for each finding of the rule, its range, severity and message, its help,
its note (why no fix was offered), its related locations and the title and safety of its fix.
A change in wording or position fails the case until the snapshot is updated on purpose::

    python3 -m pytest tests/test_cases.py --snapshot-update
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from dockerlint_slim.config import Settings, merge_cli
from dockerlint_slim.engine import lint
from dockerlint_slim.findings import Finding
from dockerlint_slim.fixer import fix_text
from dockerlint_slim.scanner import ScanError, scan

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CASES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "cases"
CASE_KEYS = {"pass", "fail", "fix", "violations", "config", "skip", "unsafe-fixes", "files"}


def load_case_files() -> dict[str, dict]:
    out = {}
    for path in sorted(CASES_DIR.glob("*.toml")):
        with open(path, "rb") as handle:
            out[path.stem] = tomllib.load(handle)
    return out


def _params():
    params = []
    for stem, doc in load_case_files().items():
        for name, case in doc.get("cases", {}).items():
            params.append(pytest.param(doc["rule"], case, id=f"{stem}::{name}"))
    return params


def _settings(code: str, case: dict) -> tuple[Settings, bool]:
    config = case.get("config", {})
    select = config.get("select", [code])
    settings = merge_cli(Settings.default(), select=select, target=config.get("target"))
    # rule options, as the configuration file gives them
    options = {
        "trusted_registries": tuple(config.get("trusted-registries", ())),
        "label_schema": tuple(config.get("label-schema", {}).items()),
        "strict_labels": bool(config.get("strict-labels", False)),
    }
    return replace(settings, **options), bool(case.get("unsafe-fixes", False))


def test_case_files_are_well_formed():
    docs = load_case_files()
    assert docs, f"no case files in {CASES_DIR}"
    for stem, doc in docs.items():
        assert doc.get("rule") == stem, f"{stem}.toml must say rule = {stem!r}"
        assert doc.get("cases"), f"{stem}.toml has no cases"
        for name, case in doc["cases"].items():
            unknown = set(case) - CASE_KEYS
            assert not unknown, f"{stem}::{name}: unknown keys {sorted(unknown)}"
            assert ("pass" in case) != ("fail" in case), f"{stem}::{name}: one of pass/fail"
            if "fix" in case or "violations" in case:
                assert "fail" in case, f"{stem}::{name}: fix/violations need a fail text"


def _context(case: dict, tmp_path: Path) -> Path | None:
    """A case's ``files`` table (relative path -> text) becomes its build context folder;
    cases without one are linted with no build context."""
    files = case.get("files")
    if files is None:
        return None
    for rel, content in files.items():
        target = tmp_path / "context" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    (tmp_path / "context").mkdir(exist_ok=True)
    return tmp_path / "context"


# ---------------------------------------------------------------- snapshots

_SECTION = re.compile(r"^--- (?P<name>[\w.-]+) ---$", re.M)


def _snap_path(code: str) -> Path:
    return CASES_DIR / f"{code}.snap"


def read_snapshots(code: str) -> dict[str, str]:
    """The sections of ``CODE.snap``: case name -> what the case reports."""
    path = _snap_path(code)
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8")
    marks = list(_SECTION.finditer(text))
    return {
        m.group("name"): text[m.end() + 1 : nxt.start() if nxt else len(text)].rstrip("\n")
        for m, nxt in zip(marks, [*marks[1:], None])
    }


def write_snapshot(code: str, name: str, body: str | None) -> None:
    """Set (or, with ``body`` None, drop) one section of ``CODE.snap``, in the case file's
    order."""
    sections = read_snapshots(code)
    if body is None:
        sections.pop(name, None)
    else:
        sections[name] = body
    order = list(load_case_files().get(code, {}).get("cases", {}))
    names = sorted(sections, key=lambda n: (order.index(n) if n in order else len(order), n))
    path = _snap_path(code)
    if not names:
        path.unlink(missing_ok=True)
        return
    header = f"# What the failing cases of {code}.toml report (tests/test_cases.py).\n"
    text = header + "".join(f"--- {n} ---\n{sections[n]}\n" for n in names)
    path.write_text(text, encoding="utf-8", newline="\n")


def _span(line: int, column: int, end_line: int, end_column: int) -> str:
    return f"{line}:{column}-{end_line}:{end_column}"


def render_findings(found: list[Finding]) -> str:
    """What a user sees of ``found``, one block per finding."""
    blocks = []
    for f in sorted(found, key=lambda f: (f.line, f.column, f.end_line, f.end_column)):
        lines = [
            f"{_span(f.line, f.column, f.end_line, f.end_column)} {f.severity.label} {f.message}"
        ]
        if f.hint:
            lines.append(f"  help: {f.hint}")
        if f.note:
            lines.append(f"  note: {f.note}")
        for r in f.related:
            where = _span(r.line, r.column, r.end_line, r.end_column)
            lines.append(f"  related {where}: {r.message}")
        if f.fix is not None and f.fix.edits:
            lines.append(f"  fix ({f.fix.safety.name.lower()}): {f.fix.title}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def test_snapshots_belong_to_failing_cases(snapshot_update: bool):
    """Every section of a snapshot names a failing case of its case file (a renamed or
    removed case leaves none behind)."""
    docs = load_case_files()
    for path in sorted(CASES_DIR.glob("*.snap")):
        code = path.stem
        cases = docs.get(code, {}).get("cases", {})
        stale = [n for n in read_snapshots(code) if "fail" not in cases.get(n, {})]
        if stale and snapshot_update:
            for name in stale:
                write_snapshot(code, name, None)
            continue
        assert not stale, (
            f"{path.name}: sections for no failing case: {', '.join(stale)} "
            "(run pytest tests/test_cases.py --snapshot-update)"
        )


@pytest.mark.parametrize(("code", "case"), _params())
def test_case(code: str, case: dict, tmp_path: Path, snapshot_update: bool, request):
    if "skip" in case:
        pytest.skip(case["skip"])
    settings, unsafe = _settings(code, case)
    ctx = _context(case, tmp_path)
    text = case.get("pass", case.get("fail"))
    try:
        assert scan(text).render() == text  # every case text that parses round-trips
    except ScanError:
        # the rules that report text that does not parse: DL1000, and DL3043 for the ONBUILD
        # triggers Docker refuses
        assert code in ("DL1000", "DL3043"), "only these rules' cases may not parse"
    found = [
        f for f in lint(text, "Dockerfile", settings, context_dir=ctx).findings if f.code == code
    ]
    if "pass" in case:
        assert found == [], [f"{f.line}:{f.column} {f.message}" for f in found]
        return
    assert found, f"{code} did not fire"
    if "violations" in case:
        expected = sorted((v["code"], v["line"]) for v in case["violations"])
        assert sorted((f.code, f.line) for f in found) == expected
    name = request.node.callspec.id.split("::", 1)[1]
    seen = render_findings(found)
    if snapshot_update:
        write_snapshot(code, name, seen)
    else:
        pinned = read_snapshots(code).get(name)
        assert pinned is not None, (
            f"{code}.snap has no section for {name} "
            "(run pytest tests/test_cases.py --snapshot-update and review the diff)"
        )
        assert seen == pinned, "what the case reports differs from its snapshot"
    outcome = fix_text(text, "Dockerfile", settings, unsafe=unsafe, context_dir=ctx)
    expected_text = case.get("fix", text)
    assert outcome.text == expected_text
    if "fix" in case:
        remaining = [f for f in outcome.result.findings if f.code == code]
        assert remaining == [], "the fixed text still violates the rule"
        again = fix_text(outcome.text, "Dockerfile", settings, unsafe=unsafe, context_dir=ctx)
        assert again.text == outcome.text
