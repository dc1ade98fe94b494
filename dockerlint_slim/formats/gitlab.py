"""GitLab Code Quality report: a JSON array of Code Climate issues."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..escaping import json_safe
from ..findings import Report, Severity
from . import FormatOptions, fingerprinted, posix_path, span

# GitLab's scale is info < minor < major < critical < blocker; a linter finding is
# never critical or blocker, so errors are major and warnings minor.
_SEVERITIES = {
    Severity.ERROR: "major",
    Severity.WARNING: "minor",
    Severity.INFO: "info",
    Severity.STYLE: "info",
}


def render(report: Report, options: FormatOptions) -> str:
    issues: list[dict[str, Any]] = []
    for f, key, occurrence in fingerprinted(report):
        line, _, end_line, _ = span(f)
        fingerprint = hashlib.sha256(f"{key}:{occurrence}".encode()).hexdigest()
        issues.append(
            {
                "type": "issue",
                "description": f"{f.code} {f.message}",
                "check_name": f.code,
                "fingerprint": fingerprint,
                "severity": _SEVERITIES[f.severity],
                "categories": ["Style"],
                "location": {
                    "path": posix_path(f.path),
                    "lines": {"begin": line, "end": end_line},
                },
            }
        )
    # a file name's undecodable bytes cannot be written as UTF-8
    return json_safe(json.dumps(issues, indent=2, ensure_ascii=False)) + "\n"
