"""Human-readable output: ``path:line:col: CODE [name] message`` plus source excerpts.

Colours are ANSI escapes, emitted only when ``options.color`` is set.
"""

from __future__ import annotations

from typing import Any

import click

from ..edits import Safety
from ..escaping import printable
from ..findings import AppliedFix, Finding, Report, Severity
from . import FormatOptions, LineIndex, applicable_fix, line_indexes, sorted_findings, span

MAX_EXCERPT_LINES = 3

_SEVERITY_STYLE: dict[Severity, dict[str, Any]] = {
    Severity.ERROR: {"fg": "red", "bold": True},
    Severity.WARNING: {"fg": "yellow", "bold": True},
    Severity.INFO: {"fg": "blue", "bold": True},
    Severity.STYLE: {"dim": True},
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class _Painter:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, **style: Any) -> str:
        return click.style(text, **style) if self.color and text else text

    def severity(self, text: str, severity: Severity) -> str:
        return self(text, **_SEVERITY_STYLE[severity])


def _excerpt(finding: Finding, index: LineIndex, paint: _Painter) -> list[str]:
    line, column, end_line, end_column = span(finding)
    last = min(end_line, line + MAX_EXCERPT_LINES - 1, index.line_count)
    if line > last:
        return []
    width = len(str(last))
    bar = paint("|", fg="blue", bold=True)
    blank_gutter = " " * width + " " + bar
    out = [blank_gutter]
    for number in range(line, last + 1):
        # controls, escape sequences and bidi overrides are shown escaped, tabs kept
        text = printable(index.line(number) or "", tabs=False)
        gutter = paint(f"{number:>{width}}", fg="blue", bold=True)
        out.append(f"{gutter} {bar} {text}".rstrip())
        if number == line:
            first = index.line(line) or ""
            stop = end_column if end_line == line else len(first) + 1
            stop = min(stop, len(first) + 1)
            start = min(column, len(first) + 1)
            # the carets sit under the span as printed: an escape is several characters
            # wide, and tabs are kept so the terminal moves both lines to the same stop
            before = printable(first[: start - 1], tabs=False)
            pad = "".join("\t" if ch == "\t" else " " for ch in before)
            carets = "^" * max(len(printable(first[start - 1 : stop - 1], tabs=False)), 1)
            out.append(f"{blank_gutter} {pad}{paint.severity(carets, finding.severity)}")
    if last < end_line:
        out.append(f"{' ' * width} {paint('...', dim=True)}")
    return out


def _lines_of(numbers: list[int]) -> str:
    numbers = sorted(set(numbers))
    if len(numbers) == 1:
        return f"line {numbers[0]}"
    return "lines " + ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"


def _also(fix: AppliedFix) -> str:
    by_code: dict[str, list[int]] = {}
    for code, line in fix.also:
        by_code.setdefault(code, []).append(line)
    return ", ".join(f"{code} ({_lines_of(lines)})" for code, lines in sorted(by_code.items()))


def render_fixes(
    report: Report, *, heading: str = "Fixed", listed: bool = True, color: bool = False
) -> str:
    """What the fixes did, as ruff's ``--show-fixes`` lists it: ``Fixed N problems:`` (N
    counts every finding the fixes made go away), then per file each fix applied with the
    line and column of its finding in the original file, its code, name and title, and the
    other findings it fixed as well. Without ``listed``: the first line only, ending with a
    full stop. ``""`` when nothing was fixed."""
    paint = _Painter(color)
    total = sum(report.fixed.values())
    if not report.fixes and not total:
        return ""
    if not listed or not report.fixes:
        return f"{heading} {_plural(total, 'problem')}.\n"
    lines = [paint(f"{heading} {_plural(total, 'problem')}:", bold=True)]
    grouped: dict[str, list[AppliedFix]] = {}
    for fix in report.fixes:
        grouped.setdefault(fix.path, []).append(fix)
    for path, fixes in grouped.items():
        lines.append(f"- {paint(printable(path), bold=True)}:")
        for fix in sorted(fixes, key=lambda f: (f.line, f.column, f.code)):
            code = paint(fix.code, bold=True)
            where = f"{fix.line}:{fix.column}"
            lines.append(f"    {where} {code} [{fix.name}] {printable(fix.title)}")
            if fix.also:
                lines.append(f"    {' ' * len(where)} also fixed: {_also(fix)}")
    return "\n".join(lines) + "\n"


def render(report: Report, options: FormatOptions) -> str:
    paint = _Painter(options.color)
    indexes = line_indexes(report) if options.show_source else {}
    findings = sorted_findings(report)
    lines: list[str] = []
    for f in findings:
        line, column, _, _ = span(f)
        location = paint(f"{printable(f.path)}:{line}:{column}:", bold=True)
        code = paint.severity(f.code, f.severity)
        # a message spanning lines keeps its later lines indented under the header
        message = printable(f.message, newlines=True).replace("\n", "\n    ")
        lines.append(f"{location} {code} [{f.name}] {message}")
        index: LineIndex | None = indexes.get(f.path)
        excerpt = _excerpt(f, index, paint) if index is not None else []
        lines.extend(excerpt)
        if f.hint:
            prefix = " " * (len(excerpt[0]) - len(excerpt[0].lstrip()) if excerpt else 2)
            lines.append(f"{prefix}{paint('= help:', bold=True)} {printable(f.hint)}")
        if f.note:
            prefix = " " * (len(excerpt[0]) - len(excerpt[0].lstrip()) if excerpt else 2)
            lines.append(f"{prefix}{paint('= note:', bold=True)} {printable(f.note)}")
        for r in f.related:
            prefix = " " * (len(excerpt[0]) - len(excerpt[0].lstrip()) if excerpt else 2)
            where = f"{printable(f.path)}:{r.line}:{r.column}:"
            related = printable(r.message)
            lines.append(f"{prefix}{paint('= related:', bold=True)} {where} {related}")
        if excerpt:
            lines.append("")

    if options.show_fixes:
        listing = render_fixes(report, color=options.color)
        if listing:
            lines.extend([*listing.rstrip("\n").split("\n"), ""])

    fixed = sum(report.fixed.values())
    if findings or fixed:
        safe = sum(1 for f in findings if applicable_fix(f) == Safety.SAFE)
        unsafe = sum(1 for f in findings if applicable_fix(f) == Safety.UNSAFE)
        details = []
        if fixed:  # after --fix, as ruff says it: "(8 fixed, 1 remaining)"
            details += [f"{fixed} fixed", f"{len(findings)} remaining"]
        if safe:
            details.append(f"{safe} fixable with --fix")
        if unsafe:
            details.append(f"{unsafe} more with --unsafe-fixes")
        suffix = f" ({', '.join(details)})" if details else ""
        summary = f"Found {_plural(len(findings) + fixed, 'problem')}{suffix}"
        lines.append(paint(summary, bold=True))
    else:
        lines.append(paint("All checks passed!", fg="green", bold=True))
    return "\n".join(lines) + "\n"
