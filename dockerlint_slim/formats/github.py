"""GitHub Actions workflow commands (``::error file=…::message``), shown as annotations."""

from __future__ import annotations

from ..escaping import printable
from ..findings import Report, Severity
from . import FormatOptions, posix_path, sorted_findings, span

_COMMANDS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
    Severity.STYLE: "notice",
}


def escape_data(value: str) -> str:
    """Escape the message part of a workflow command: controls, escape sequences and bidi
    overrides become visible escapes (the log shows the command as it is), then ``%``, CR and
    LF are escaped as the runner expects (line breaks stay line breaks of the annotation)."""
    value = "\r\n".join(printable(part, newlines=True) for part in value.split("\r\n"))
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a property value (``file=``, ``title=``) of a workflow command: a line break
    is shown escaped, and ``:`` and ``,`` are escaped as well."""
    value = printable(value)
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, options: FormatOptions) -> str:
    lines = []
    for f in sorted_findings(report):
        line, column, end_line, end_column = span(f)
        props = [("file", posix_path(f.path)), ("line", str(line)), ("endLine", str(end_line))]
        if end_line == line:  # columns are only meaningful on a single-line annotation
            props += [("col", str(column)), ("endColumn", str(end_column))]
        props.append(("title", f"{f.code} {f.name}"))
        joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
        lines.append(f"::{_COMMANDS[f.severity]} {joined}::{escape_data(f.message)}")
    return "".join(line + "\n" for line in lines)
