"""SARIF 2.1.0 output, shaped for GitHub code scanning.

Every result carries the properties code scanning requires (``message.text``, one
``physicalLocation`` with ``artifactLocation.uri`` and a full ``region``, and
``partialFingerprints``); every rule has ``shortDescription``, ``fullDescription`` and
``help``. Columns count Unicode code points (``columnKind``), 1-based, end exclusive.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..edits import Fix
from ..escaping import json_safe
from ..findings import Finding, Report, RuleMeta, Severity
from . import (
    INFORMATION_URI,
    TOOL_NAME,
    FormatOptions,
    LineIndex,
    checked_files,
    fingerprinted,
    line_indexes,
    posix_path,
    rule_table,
    sorted_findings,
    span,
)

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
# GitHub code scanning truncates longer rule descriptions.
MAX_DESCRIPTION = 1024

_LEVELS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
    Severity.STYLE: "note",
}
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:/")
# characters kept as they are in a URI path (RFC 3986 pchar minus ":" plus "/")
_URI_SAFE = "/!$&'()*+,;=@~"


def _clip(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 1] + "\u2026"


def _quote(path: str) -> str:
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that is not an undecodable byte
        raw = path.encode("utf-8", "surrogatepass")
    return quote(raw, safe=_URI_SAFE)


def artifact_location(path: str, index: int | None = None) -> dict[str, Any]:
    """A relative path becomes a URI relative to ``%SRCROOT%``; an absolute one a file URI.
    Controls are percent-encoded like any other byte, and so are the bytes of a file name
    that are not UTF-8 (they come back as the file's real bytes)."""
    posix = posix_path(path)
    location: dict[str, Any]
    if posix.startswith("/"):
        location = {"uri": "file://" + _quote(posix)}
    elif _WINDOWS_DRIVE.match(posix):
        location = {"uri": "file:///" + posix[:2] + _quote(posix[2:])}
    else:
        while posix.startswith("./"):
            posix = posix[2:]
        location = {"uri": _quote(posix), "uriBaseId": SRCROOT}
    if index is not None:
        location["index"] = index
    return location


def _rule_descriptor(rule: RuleMeta) -> dict[str, Any]:
    summary = rule.summary or rule.message or rule.code
    docs = rule.docs.strip() or summary
    tags = ["dockerfile", rule.severity.label]
    properties: dict[str, Any] = {"tags": tags}
    if rule.hadolint:
        properties["hadolint"] = list(rule.hadolint)
    if rule.fix_safety:
        properties["fix"] = rule.fix_safety
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": _clip(rule.message or summary)},
        "fullDescription": {"text": _clip(summary)},
        "help": {"text": docs, "markdown": docs},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": properties,
    }


def _adhoc_descriptor(finding: Finding) -> dict[str, Any]:
    """Descriptor for a code that is not among ``report.rules`` (e.g. a parse error)."""
    return {
        "id": finding.code,
        "name": finding.name,
        "shortDescription": {"text": _clip(finding.message)},
        "fullDescription": {"text": _clip(finding.message)},
        "help": {"text": finding.hint or finding.message},
        "defaultConfiguration": {"level": _LEVELS[finding.severity]},
        "properties": {"tags": ["dockerfile", finding.severity.label]},
    }


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    if end_line == line and end_column <= column:
        end_column = column + 1  # code scanning wants a non-empty region
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _fix(fix: Fix, path: str, index: LineIndex | None, artifact: int | None) -> dict[str, Any]:
    replacements = []
    for edit in fix.edits:
        deleted: dict[str, int] = {}
        if index is not None:
            start_line, start_column = index.position(edit.start)
            end_line, end_column = index.position(edit.end)
            deleted = {
                "startLine": start_line,
                "startColumn": start_column,
                "endLine": end_line,
                "endColumn": end_column,
            }
        deleted.update(charOffset=edit.start, charLength=edit.end - edit.start)
        replacement: dict[str, Any] = {"deletedRegion": deleted}
        if edit.content:
            replacement["insertedContent"] = {"text": edit.content}
        replacements.append(replacement)
    return {
        "description": {"text": f"{fix.title} ({fix.safety.label})"},
        "artifactChanges": [
            {"artifactLocation": artifact_location(path, artifact), "replacements": replacements}
        ],
    }


def _byte_length(text: str) -> int:
    """The size in bytes of the file ``text`` was read from (bytes it held that are not
    UTF-8 come back as one byte each; any other lone surrogate counts as a replacement)."""
    try:
        return len(text.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:
        return len(text.encode("utf-8", "replace"))


def build_log(report: Report) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict."""
    findings = sorted_findings(report)
    indexes = line_indexes(report)
    rules = rule_table(report)

    descriptors: dict[str, dict[str, Any]] = {
        code: _rule_descriptor(rules[code]) for code in sorted(rules)
    }
    for f in findings:
        if f.code not in descriptors:
            descriptors[f.code] = _adhoc_descriptor(f)
    rule_index = {code: i for i, code in enumerate(descriptors)}

    files = checked_files(report, findings)
    file_index = {path: i for i, path in enumerate(files)}
    artifacts = []
    for path in files:
        artifact: dict[str, Any] = {
            "location": artifact_location(path),
            "roles": ["analysisTarget"],
            "sourceLanguage": "dockerfile",
        }
        if path in report.sources:
            artifact["length"] = _byte_length(report.sources[path])
        artifacts.append(artifact)

    results = []
    for f, key, occurrence in fingerprinted(report, indexes):
        region = _region(*span(f))
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": rule_index[f.code],
            "level": _LEVELS[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": artifact_location(f.path, file_index[f.path]),
                        "region": region,
                    }
                }
            ],
            "partialFingerprints": {"primaryLocationLineHash": f"{key[:16]}:{occurrence}"},
        }
        if f.related:
            result["relatedLocations"] = [
                {
                    "id": n,
                    "physicalLocation": {
                        "artifactLocation": artifact_location(f.path, file_index[f.path]),
                        "region": _region(r.line, r.column, r.end_line, r.end_column),
                    },
                    "message": {"text": r.message},
                }
                for n, r in enumerate(f.related, 1)
            ]
        if f.fix is not None and f.fix.edits:
            index = indexes.get(f.path)
            result["fixes"] = [_fix(f.fix, f.path, index, file_index[f.path])]
        if f.hint or f.stage is not None:
            properties: dict[str, Any] = {}
            if f.hint:
                properties["hint"] = f.hint
            if f.stage is not None:
                properties["stage"] = f.stage
            result["properties"] = properties
        results.append(result)

    version = report.version or __version__
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": version,
                        "informationUri": INFORMATION_URI,
                        "rules": list(descriptors.values()),
                    }
                },
                "invocations": [{"executionSuccessful": True}],
                "artifacts": artifacts,
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def render(report: Report, options: FormatOptions) -> str:
    return json_safe(json.dumps(build_log(report), indent=2, ensure_ascii=False)) + "\n"
