"""JSON output: an array of findings with a stable schema (documented in docs/formats.md)."""

from __future__ import annotations

import json
from typing import Any

from ..edits import Edit
from ..escaping import json_safe
from ..findings import Finding, Report
from . import FormatOptions, LineIndex, line_indexes, rule_table, sorted_findings, span


def _edit(edit: Edit, index: LineIndex | None) -> dict[str, Any]:
    out: dict[str, Any] = {"start": edit.start, "end": edit.end, "content": edit.content}
    if index is not None:
        start_line, start_column = index.position(edit.start)
        end_line, end_column = index.position(edit.end)
        out.update(
            start_line=start_line,
            start_column=start_column,
            end_line=end_line,
            end_column=end_column,
        )
    else:
        out.update(start_line=None, start_column=None, end_line=None, end_column=None)
    return out


def finding_to_dict(finding: Finding, index: LineIndex | None, url: str | None) -> dict[str, Any]:
    line, column, end_line, end_column = span(finding)
    fix: dict[str, Any] | None = None
    if finding.fix is not None:
        fix = {
            "title": finding.fix.title,
            "applicability": finding.fix.safety.label,
            "edits": [_edit(e, index) for e in finding.fix.edits],
        }
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.label,
        "message": finding.message,
        "file": finding.path,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "fixable": finding.fixable,
        "fix": fix,
        "hint": finding.hint,
        "note": finding.note,
        "related": [
            {
                "message": r.message,
                "line": r.line,
                "column": r.column,
                "end_line": r.end_line,
                "end_column": r.end_column,
            }
            for r in finding.related
        ],
        "url": url,
    }


def render(report: Report, options: FormatOptions) -> str:
    rules = rule_table(report)
    indexes = line_indexes(report)
    items = []
    for f in sorted_findings(report):
        rule = rules.get(f.code)
        items.append(finding_to_dict(f, indexes.get(f.path), rule.help_uri if rule else None))
    return json_safe(json.dumps(items, indent=2, ensure_ascii=False)) + "\n"
