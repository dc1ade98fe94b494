"""The README tells the truth: its rule table is generated from the rule files, its first two
commands are the set-up + example and the test command that CI runs, and the example output
it shows is what the tool prints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_rule_table_is_up_to_date():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_rule_table.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_rule_table_lists_every_rule():
    from dockerlint_slim.rule import all_rules

    for rule in all_rules():
        assert f"| `{rule.code}` | `{rule.name}` |" in README


def test_first_two_commands():
    first, second = (b.strip() for b in _blocks("sh")[:2])
    assert "dockerlint-slim check fixtures/seed/Dockerfile" in first
    assert (ROOT / "fixtures" / "seed" / "Dockerfile").is_file()
    assert second.endswith("python3 -m pytest -q")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m pytest -q" in ci, ".ci/run must call the README's test command"


def test_seed_example_output_matches(monkeypatch):
    from dockerlint_slim.cli import cli
    from tests.support import cli_runner

    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    result = cli_runner().invoke(cli, ["check", "--no-color", "fixtures/seed/Dockerfile"])
    assert result.exit_code == 1
    shown = _blocks("text")[0]
    assert result.stdout == shown
