"""Checkstyle XML: one ``<file>`` per checked file (even a clean one), one ``<error>`` per
finding."""

from __future__ import annotations

from ..findings import Report, Severity
from . import FormatOptions, by_path, checked_files, sorted_findings, span, xml_escape

_SEVERITIES = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "info",
    Severity.STYLE: "info",
}


def render(report: Report, options: FormatOptions) -> str:
    findings = sorted_findings(report)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<checkstyle version="4.3">']
    grouped = by_path(findings)
    for path in checked_files(report, findings):
        mine = grouped.get(path, [])
        if not mine:
            lines.append(f'  <file name="{xml_escape(path)}"/>')
            continue
        lines.append(f'  <file name="{xml_escape(path)}">')
        for f in mine:
            line, column, _, _ = span(f)
            lines.append(
                f'    <error line="{line}" column="{column}"'
                f' severity="{_SEVERITIES[f.severity]}"'
                f' message="{xml_escape(f.message)}"'
                f' source="{xml_escape("dockerlint-slim." + f.code)}"/>'
            )
        lines.append("  </file>")
    lines.append("</checkstyle>")
    return "\n".join(lines) + "\n"
