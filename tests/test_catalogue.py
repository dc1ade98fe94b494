"""Every rule is complete: metadata, documentation sections, and a case file that shows it
firing and not firing (and fixing, when it has a fix)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from dockerlint_slim.findings import Severity, doc_section
from dockerlint_slim.rule import DOC_SECTIONS, all_rules
from tests.test_cases import load_case_files

RULES = all_rules()


def test_rules_are_discovered():
    codes = {r.code for r in RULES}
    assert {"DL3042", "DL3009", "DL3015"} <= codes


def test_codes_and_names_are_unique():
    assert len({r.code for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_metadata(rule):
    assert re.fullmatch(r"(DL\d{4}|DLS\d{3})", rule.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert isinstance(rule.severity, Severity)
    assert rule.message.endswith(".") and rule.message.count(". ") == 0, "one sentence"
    if rule.fix_safety is not None:
        assert rule.fix_title, "a rule with a fix needs a fix title"
    docs = rule.docs()
    for section in DOC_SECTIONS:
        assert doc_section(docs, section), f"{rule.code}: missing or empty '## {section}'"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_has_case_file(rule):
    docs = load_case_files()
    assert rule.code in docs, f"fixtures/cases/{rule.code}.toml is missing"
    cases = docs[rule.code]["cases"].values()
    assert any("pass" in c for c in cases), "needs a pass case"
    assert any("fail" in c for c in cases), "needs a fail case"
    if rule.fix_safety is not None:
        assert any("fix" in c for c in cases), "a rule with a fix needs a fix case"


def test_every_case_file_names_a_rule():
    codes = {r.code for r in RULES}
    for stem in load_case_files():
        assert stem in codes, f"fixtures/cases/{stem}.toml names no known rule"


REPO = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    """The modules ``path`` imports, relative ones as written (``.x`` for ``from .x``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            if node.module is None:  # from . import x
                found.update(base + alias.name for alias in node.names)
            else:
                found.add(base)
    return found


@pytest.mark.parametrize("path", sorted((REPO / "rules").glob("*.py")), ids=lambda p: p.name)
def test_rules_are_leaves(path: Path) -> None:
    """A rule reads the package (facts, commands, model…) and the rule-only helpers of
    rules/_common.py, never another rule file."""
    rule_files = {p.stem for p in (REPO / "rules").glob("*.py")} - {"__init__", "_common"}
    for name in _imports(path):
        last = name.rsplit(".", 1)[-1]
        inside = name.startswith(".") or name.startswith("dockerlint_slim.rules")
        assert not (inside and last in rule_files), f"{path.name} imports the rule {name}"


def test_the_package_does_not_import_the_rules() -> None:
    for path in sorted((REPO / "dockerlint_slim").rglob("*.py")):
        for name in _imports(path):
            assert "rules" not in name.split("."), f"{path.relative_to(REPO)} imports {name}"
