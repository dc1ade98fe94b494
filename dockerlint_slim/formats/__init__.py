"""Output formats: one module per format, each with ``render(report, options) -> str``.

Only the chosen format's module is imported (:func:`render` loads it lazily). The helpers
below are shared by the formats: sorting, source positions, fingerprints, escaping.
"""

from __future__ import annotations

import bisect
import importlib
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Callable

from ..edits import Safety
from ..findings import Finding, Report, RuleMeta
from ..lazy import lazy_pattern

__all__ = [
    "FORMATS",
    "FormatOptions",
    "LineIndex",
    "fingerprinted",
    "posix_path",
    "render",
    "rule_table",
    "sorted_findings",
    "statistics",
    "xml_escape",
]

#: Names accepted by :func:`render` (same order as ``config.OUTPUT_FORMATS``).
FORMATS: tuple[str, ...] = ("text", "json", "sarif", "github", "gitlab", "checkstyle", "junit")

# format name -> module of this package (``json`` would shadow the standard library).
_MODULES: dict[str, str] = {name: name for name in FORMATS}
_MODULES["json"] = "json_format"

TOOL_NAME = "dockerlint-slim"
INFORMATION_URI = "https://dockerlint-slim.readthedocs.io/"


@dataclass(frozen=True)
class FormatOptions:
    color: bool = False  # ANSI colours (text format only)
    show_source: bool = True  # source excerpts under each finding (text format only)
    show_fixes: bool = False  # list the fixes applied (text format only)


def render(name: str, report: Report, options: FormatOptions | None = None) -> str:
    """Render ``report`` in the output format ``name`` (one of :data:`FORMATS`)."""
    if name not in _MODULES:
        raise ValueError(f"unknown output format {name!r} (expected one of: {', '.join(FORMATS)})")
    module = importlib.import_module(f"{__name__}.{_MODULES[name]}")
    renderer: Callable[[Report, FormatOptions], str] = module.render
    return renderer(report, options if options is not None else FormatOptions())


#: Output formats that have a statistics view.
STATISTICS_FORMATS: tuple[str, ...] = ("text", "json")


def statistics(report: Report, fmt: str = "text") -> str:
    """One line per code, most frequent first: count, code, ``[*]`` when fixable, name.

    A code is marked ``[*]`` when at least one of its findings has a fix that some
    ``--fix`` mode can apply (safe or unsafe; display-only fixes do not count).
    Returns ``""`` when there are no findings. With ``fmt`` ``json``: a JSON array of
    objects with ``code``, ``name``, ``count`` and ``fixable`` in the same order (``[]``
    when there are no findings).
    """
    if fmt not in STATISTICS_FORMATS:
        raise ValueError(f"no statistics view in the {fmt!r} format")
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    fixable: set[str] = set()
    for f in report.findings:
        counts[f.code] += 1
        names.setdefault(f.code, f.name)
        if applicable_fix(f) is not None:
            fixable.add(f.code)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if fmt == "json":
        import json

        rows = [
            {"code": code, "name": names[code], "count": n, "fixable": code in fixable}
            for code, n in ordered
        ]
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if not counts:
        return ""
    count_width = max(len(str(n)) for _, n in ordered)
    code_width = max(len(code) for code, _ in ordered)
    lines = []
    for code, n in ordered:
        mark = "[*]" if code in fixable else "   "
        lines.append(f"{n:>{count_width}}\t{code:<{code_width}}\t{mark} {names[code]}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- helpers


def sorted_findings(report: Report) -> list[Finding]:
    return sorted(report.findings, key=Finding.sort_key)


def applicable_fix(finding: Finding) -> Safety | None:
    """Safety of the finding's fix when ``--fix`` (possibly unsafe) can apply it, else None."""
    if not finding.fixable or finding.fix is None:
        return None
    if finding.fix.safety == Safety.DISPLAY_ONLY:
        return None
    return finding.fix.safety


def span(finding: Finding) -> tuple[int, int, int, int]:
    """(line, column, end_line, end_column), 1-based, normalised so the end is not before
    the start."""
    line = max(finding.line, 1)
    column = max(finding.column, 1)
    end_line = max(finding.end_line, line)
    end_column = max(finding.end_column, 1)
    if end_line == line and end_column < column:
        end_column = column
    return line, column, end_line, end_column


def posix_path(path: str) -> str:
    """``path`` with the platform's separators turned into forward slashes."""
    if os.sep != "/":
        path = path.replace(os.sep, "/")
    if os.altsep and os.altsep != "/":
        path = path.replace(os.altsep, "/")
    return path


def rule_table(report: Report) -> dict[str, RuleMeta]:
    return {rule.code: rule for rule in report.rules}


class LineIndex:
    """Maps character offsets of a text to 1-based (line, column) and back to lines."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    @property
    def line_count(self) -> int:
        if self.text.endswith("\n"):
            return len(self.starts) - 1
        return len(self.starts)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of ``offset`` (clamped to the text)."""
        offset = min(max(offset, 0), len(self.text))
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def line(self, number: int) -> str | None:
        """Text of line ``number`` (1-based) without its line ending, None when out of range."""
        if number < 1 or number > self.line_count:
            return None
        start = self.starts[number - 1]
        end = self.starts[number] if number < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")


def line_indexes(report: Report) -> dict[str, LineIndex]:
    return {path: LineIndex(text) for path, text in report.sources.items()}


def fingerprinted(
    report: Report, indexes: dict[str, LineIndex] | None = None
) -> Iterator[tuple[Finding, str, int]]:
    """Sorted findings with a stable key and occurrence number.

    The key hashes the code, the path and the trimmed text of the finding's first line
    (the message when the source is not available), so it survives the line moving; the
    occurrence (1-based) tells apart findings of one code on identical lines of a file.
    """
    import hashlib  # only the formats that print fingerprints need it

    indexes = indexes if indexes is not None else line_indexes(report)
    seen: Counter[str] = Counter()
    for f in sorted_findings(report):
        index = indexes.get(f.path)
        text = index.line(f.line) if index is not None else None
        anchor = " ".join(text.split()) if text is not None else f.message
        # surrogatepass: a file name's undecodable bytes hash like any other character
        joined = "\0".join((f.code, posix_path(f.path), anchor)).encode("utf-8", "surrogatepass")
        key = hashlib.sha256(joined).hexdigest()
        seen[key] += 1
        yield f, key, seen[key]


def by_path(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for f in findings:
        grouped.setdefault(f.path, []).append(f)
    return grouped


def checked_files(report: Report, findings: Iterable[Finding]) -> list[str]:
    """``report.files`` in order, then any other path that has findings (sorted)."""
    files = list(dict.fromkeys(report.files))
    known = set(files)
    extra = sorted({f.path for f in findings if f.path not in known})
    return files + extra


# Characters XML 1.0 does not allow at all (even as character references).
_XML_INVALID = lazy_pattern("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_TEXT = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_XML_ATTR = {**_XML_TEXT, '"': "&quot;", "'": "&apos;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def xml_escape(value: object, attribute: bool = True) -> str:
    """Escape ``value`` for an XML attribute (or text node); characters XML cannot carry
    become U+FFFD."""
    text = _XML_INVALID.sub("\ufffd", str(value))
    table = _XML_ATTR if attribute else _XML_TEXT
    return "".join(table.get(ch, ch) for ch in text)
