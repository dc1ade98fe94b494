"""Runs every rule case file in ``fixtures/cases/`` (one TOML file per rule code).

A case has ``pass`` (the rule must not fire) or ``fail`` (it must fire; ``violations`` lists
the expected codes and lines). For a ``fail`` case, fixing (safe fixes, or unsafe ones with
``unsafe-fixes = true``) must give ``fix`` exactly, or leave the text unchanged when ``fix``
is absent; the fixed text must be clean of the rule, and fixing it again changes nothing.
``config`` may set ``target`` and ``select`` (default: the case file's rule alone; rules that
judge pragmas need the rules the pragmas name); ``skip`` gives a reason to skip; ``files``
(relative path -> text) is written to a build context folder that project-aware rules read.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dockerlint_slim.config import Settings, merge_cli
from dockerlint_slim.engine import lint
from dockerlint_slim.fixer import fix_text
from dockerlint_slim.scanner import scan

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
    return settings, bool(case.get("unsafe-fixes", False))


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


@pytest.mark.parametrize(("code", "case"), _params())
def test_case(code: str, case: dict, tmp_path: Path):
    if "skip" in case:
        pytest.skip(case["skip"])
    settings, unsafe = _settings(code, case)
    ctx = _context(case, tmp_path)
    text = case.get("pass", case.get("fail"))
    assert scan(text).render() == text  # every case text is accepted and round-trips
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
    outcome = fix_text(text, "Dockerfile", settings, unsafe=unsafe, context_dir=ctx)
    expected_text = case.get("fix", text)
    assert outcome.text == expected_text
    if "fix" in case:
        remaining = [f for f in outcome.result.findings if f.code == code]
        assert remaining == [], "the fixed text still violates the rule"
        again = fix_text(outcome.text, "Dockerfile", settings, unsafe=unsafe, context_dir=ctx)
        assert again.text == outcome.text
