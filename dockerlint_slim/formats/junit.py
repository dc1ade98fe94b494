"""JUnit XML: one ``<testsuite>`` per checked file; a failing ``<testcase>`` per finding,
a single passing one for a clean file."""

from __future__ import annotations

from ..findings import Finding, Report
from . import TOOL_NAME, FormatOptions, by_path, checked_files, sorted_findings, span, xml_escape


def _failure(f: Finding) -> list[str]:
    line, column, _, _ = span(f)
    name = f"{f.code} [{f.name}] at {line}:{column}"
    body = f"{f.path}:{line}:{column}: {f.code} [{f.name}] ({f.severity.label}) {f.message}"
    if f.hint:
        body += f"\nhelp: {f.hint}"
    return [
        f'    <testcase name="{xml_escape(name)}" classname="{xml_escape(f.path)}"'
        f' file="{xml_escape(f.path)}" line="{line}" time="0">',
        f'      <failure type="{xml_escape(f.code)}" message="{xml_escape(f.message)}">'
        f"{xml_escape(body, attribute=False)}</failure>",
        "    </testcase>",
    ]


def render(report: Report, options: FormatOptions) -> str:
    findings = sorted_findings(report)
    files = checked_files(report, findings)
    suites: list[str] = []
    total_tests = 0
    grouped = by_path(findings)
    for path in files:
        mine = grouped.get(path, [])
        tests = max(len(mine), 1)
        total_tests += tests
        suites.append(
            f'  <testsuite name="{xml_escape(path)}" tests="{tests}" failures="{len(mine)}"'
            f' errors="0" skipped="0" time="0">'
        )
        if mine:
            for f in mine:
                suites.extend(_failure(f))
        else:
            suites.append(
                f'    <testcase name="{TOOL_NAME}" classname="{xml_escape(path)}"'
                f' file="{xml_escape(path)}" time="0"/>'
            )
        suites.append("  </testsuite>")
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="{TOOL_NAME}" tests="{total_tests}" failures="{len(findings)}"'
        ' errors="0" time="0">',
    ]
    return "\n".join([*head, *suites, "</testsuites>"]) + "\n"
