"""Lossless Dockerfile scanner.

Turns the text of a Dockerfile into a flat list of items (BOM, parser directives, comments,
blank lines and instructions) whose spans cover the text exactly, so that
``render(scan(text)) == text`` for every text it accepts. The line rules follow BuildKit's
parser: directives only at the very top, the escape token (``\\`` or a backtick) ending a
line continues it (trailing spaces and tabs allowed), comment lines and empty lines inside a
continuation are skipped, ``#`` is a comment only at the start of a line, heredocs
(``<<EOF``, ``<<-EOF``, quoted delimiters, several per line) for RUN, COPY and ADD.

Offsets are indices into the decoded ``str`` (the BOM, if any, is the character at index 0).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Union

from .lazy import lazy_pattern

INSTRUCTIONS = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)
_KEYWORDS = {k: k for k in INSTRUCTIONS}
HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
# instructions whose arguments may be a JSON array (exec form)
JSON_INSTRUCTIONS = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL", "VOLUME", "COPY", "ADD"})
FLAG_INSTRUCTIONS = frozenset({"FROM", "RUN", "COPY", "ADD", "HEALTHCHECK"})
DIRECTIVES = frozenset({"syntax", "escape", "check"})

_DIRECTIVE_RE = re.compile(r"^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$")
_HEREDOC_RE = lazy_pattern(r"^(\d*)<<(-?)([^<]*)$")
# Go's unicode.IsSpace, which BuildKit uses to trim a line's leading whitespace (Python's
# str.isspace also counts \x1c-\x1f); the keyword ends at BuildKit's [\t\v\f\r ].
_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SEPARATORS = "\t\v\f\r "  # BuildKit's tokenWhitespace, between a keyword and its arguments
_KEYWORD_RE = re.compile(f"[{_SPACE}]*([^{_SEPARATORS}]+)")


class ScanError(Exception):
    """The text is not a Dockerfile this tool can read; ``line`` is 1-based (0: whole file).
    ``start`` and ``end`` are the offsets of the text that is wrong (an unknown keyword, the
    ``<<EOF`` of a heredoc never closed), when known."""

    def __init__(
        self,
        message: str,
        line: int = 0,
        start: int | None = None,
        end: int | None = None,
        kind: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.start = start
        self.end = end if end is not None else start
        # what is wrong, for the rules that report one kind of error under their own code
        # ("onbuild-trigger": ONBUILD ONBUILD, FROM or MAINTAINER, DL3043)
        self.kind = kind

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True)
class Span:
    """A span of the text: ``text[start:end]``."""

    __slots__ = ("end", "start")  # a file has many: no __dict__ each
    start: int
    end: int


@dataclass(frozen=True)
class Bom:
    """A UTF-8 byte order mark at the start of the text."""

    start: int
    end: int
    line: int = 1


@dataclass(frozen=True)
class Directive:
    """A parser directive (``# syntax=…``, ``# escape=…``, ``# check=…``) at the top."""

    name: str  # lower-case
    value: str
    start: int
    end: int
    line: int


@dataclass(frozen=True)
class Comment:
    """A comment line outside an instruction."""

    text: str  # the comment without its line ending, leading whitespace kept
    start: int
    end: int
    line: int

    @property
    def body(self) -> str:
        """The text after ``#``, stripped."""
        return self.text.strip()[1:].strip()


@dataclass(frozen=True)
class Blank:
    """An empty or whitespace-only line outside an instruction."""

    start: int
    end: int
    line: int


@dataclass(frozen=True)
class Flag:
    """``--name=value`` (or ``--name``) before an instruction's arguments."""

    __slots__ = ("end", "name", "start", "value")
    name: str
    value: str | None
    start: int
    end: int


@dataclass(frozen=True)
class Heredoc:
    """A heredoc of a RUN, COPY or ADD: its ``<<EOF`` marker, body and terminator line."""

    name: str  # delimiter, unquoted
    strip_tabs: bool  # <<-
    quoted: bool  # <<'EOF' / <<"EOF": no expansion
    fd: int | None
    marker: Span  # the ``<<EOF`` word in the instruction line
    body: Span  # body lines, up to (not including) the terminator line
    terminator: Span  # the terminator line including its line ending
    content: str  # body text as the builder sees it (leading tabs removed for <<-)


@dataclass(frozen=True)
class RawInstruction:
    """One instruction exactly as written.

    ``segments`` are the spans of the text that make up the logical line (continuation
    characters, line endings, comment lines and empty lines inside a continuation are not part
    of it); ``value`` is their concatenation after the keyword, as BuildKit builds it.
    """

    keyword: str  # upper-case
    keyword_span: Span
    start: int  # first character of the line the instruction starts on
    end: int  # one past the last character, line ending and heredoc bodies included
    line: int  # 1-based first line
    end_line: int  # 1-based last line (heredoc terminator included)
    command_end: int  # end of the instruction's own text (before any heredoc body)
    segments: tuple[Span, ...]
    flags: tuple[Flag, ...]
    args_start: int  # offset of the first argument after the flags (== command_end if none)
    value: str  # logical text after the keyword (flags included), joined like BuildKit
    args: str  # logical text after the flags, stripped
    json_args: tuple[str, ...] | None  # exec form, when the arguments are a JSON array
    heredocs: tuple[Heredoc, ...]
    sub: RawInstruction | None  # the instruction an ONBUILD wraps

    __slots__ = (  # a file has many: no __dict__ each
        "args",
        "args_start",
        "command_end",
        "end",
        "end_line",
        "flags",
        "heredocs",
        "json_args",
        "keyword",
        "keyword_span",
        "line",
        "segments",
        "start",
        "sub",
        "value",
    )

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)

    @property
    def is_exec_form(self) -> bool:
        return self.json_args is not None


Item = Union[Bom, Directive, Comment, Blank, RawInstruction]


@dataclass
class ScanResult:
    """A scanned text: its items in order (they cover the text exactly) and directives."""

    text: str
    items: list[Item]
    escape: str = "\\"
    directives: dict[str, str] = field(default_factory=dict)
    line_starts: list[int] = field(default_factory=list)

    @property
    def instructions(self) -> list[RawInstruction]:
        return [i for i in self.items if isinstance(i, RawInstruction)]

    def render(self) -> str:
        return "".join(self.text[i.start : i.end] for i in self.items)

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of ``offset`` (a BOM does not count as a column)."""
        return line_col(self.line_starts, offset, self.text)


def line_col(line_starts: Sequence[int], offset: int, text: str = "") -> tuple[int, int]:
    import bisect

    idx = bisect.bisect_right(line_starts, offset) - 1
    idx = max(idx, 0)
    col = offset - line_starts[idx] + 1
    if idx == 0 and text.startswith("\ufeff") and offset > 0:
        col -= 1
    return idx + 1, col


def compute_line_starts(text: str) -> list[int]:
    starts = [0]
    pos = text.find("\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


class _Line:
    """One line of the text (read-only by convention: the scanner's own, made for every
    line it reads, so a plain class that is quick to make rather than a frozen dataclass)."""

    __slots__ = ("content_end", "end", "number", "start")

    def __init__(self, start: int, content_end: int, end: int, number: int) -> None:
        self.start = start  # offset of the first character
        self.content_end = content_end  # offset of the line ending (\r\n or \n) or text end
        self.end = end  # offset after the line ending
        self.number = number  # 1-based


class _Lines:
    """The lines of a text as :class:`_Line` objects, each made when it is read: a big file
    has many lines, and the scanner reads each only a few times. ``starts`` are the offsets
    where lines start (:func:`compute_line_starts`)."""

    def __init__(self, text: str, starts: list[int]) -> None:
        self.text = text
        self.starts = starts
        # a text that ends with a line ending (or is empty) has no line after it
        self.count = len(starts) - (1 if starts[-1] == len(text) else 0)
        self.first_start = starts[0]  # moved past a byte order mark

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i: int) -> _Line:
        if not 0 <= i < self.count:
            raise IndexError(i)
        text, start = self.text, self.starts[i]
        if i + 1 < len(self.starts):
            end = self.starts[i + 1]  # the next line's start: one int object for both
            nl = end - 1
            content_end = nl - 1 if nl > start and text[nl - 1] == "\r" else nl
        else:
            content_end = end = len(text)
        return _Line(self.first_start if i == 0 else start, content_end, end, i + 1)


def check_text(data: bytes) -> str:
    """Decode file bytes for scanning, rejecting binary and non-UTF-8 input."""
    nul = data.find(b"\x00")
    if nul != -1:
        raise ScanError("binary file, not a Dockerfile (NUL byte)", data.count(b"\n", 0, nul) + 1)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ScanError(
            f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start})", line
        ) from None


def scan(text: str) -> ScanResult:
    """Scan a Dockerfile's text. Raises :class:`ScanError` for text it cannot read."""
    if "\x00" in text:
        nul = text.index("\x00")
        line = text.count("\n", 0, nul) + 1
        raise ScanError("binary file, not a Dockerfile (NUL byte)", line, nul, nul + 1)
    items: list[Item] = []
    begin = 0
    if text.startswith("\ufeff"):
        begin = 1
    starts = compute_line_starts(text)
    lines = _Lines(text, starts)
    if begin and lines:
        # the BOM is its own item; the first line starts after it
        items.append(Bom(0, 1))
        lines.first_start = 1
    result = ScanResult(text=text, items=items, line_starts=starts)

    i = 0
    # parser directives: only at the very top, before any comment, blank line or instruction
    seen_names: set[str] = set()
    while i < len(lines):
        ln = lines[i]
        m = _DIRECTIVE_RE.match(text[ln.start : ln.content_end])
        if not m or m.group(1).lower() not in DIRECTIVES:
            break
        name = m.group(1).lower()
        if name in seen_names:
            raise ScanError(
                f"only one {name} parser directive can be used",
                ln.number,
                ln.start,
                ln.content_end,
            )
        seen_names.add(name)
        value = m.group(2)
        if name == "escape" and value not in ("\\", "`"):
            raise ScanError(
                f"invalid escape token {value!r} does not match ` or \\",
                ln.number,
                ln.start,
                ln.content_end,
            )
        result.directives[name] = value
        items.append(Directive(name, value, ln.start, ln.end, ln.number))
        i += 1
    escape = result.directives.get("escape", "\\")
    result.escape = escape

    while i < len(lines):
        ln = lines[i]
        content = text[ln.start : ln.content_end]
        stripped = content.lstrip(_SPACE)
        if not stripped:
            items.append(Blank(ln.start, ln.end, ln.number))
            i += 1
            continue
        if stripped.startswith("#"):
            items.append(Comment(content, ln.start, ln.end, ln.number))
            i += 1
            continue
        inst, i = _scan_instruction(text, lines, i, escape)
        items.append(inst)
    return result


def _continues(text: str, ln: _Line, escape: str) -> tuple[bool, int]:
    """Whether the line ends with the escape token; returns the offset where content ends."""
    end = ln.content_end
    while end > ln.start and text[end - 1] in " \t":
        end -= 1
    # BuildKit: ([^E])E[ \t]*$|^E[ \t]*$ -- an escaped escape token (``\\``) does not continue
    if end > ln.start and text[end - 1] == escape:
        if end - 1 > ln.start and text[end - 2] == escape:
            return False, ln.content_end
        return True, end - 1
    return False, ln.content_end


def _is_comment(text: str, ln: _Line) -> bool:
    return text[ln.start : ln.content_end].lstrip(_SPACE).startswith("#")


def _is_empty(text: str, ln: _Line) -> bool:
    return not text[ln.start : ln.content_end].lstrip(_SPACE)


def _scan_instruction(text: str, lines: _Lines, i: int, escape: str) -> tuple[RawInstruction, int]:
    first = lines[i]
    segments: list[Span] = []
    cont, seg_end = _continues(text, first, escape)
    # leading whitespace is not part of the instruction's value
    lead = first.start
    while lead < seg_end and text[lead] in _SPACE:
        lead += 1
    segments.append(Span(lead, seg_end))
    last = first
    j = i + 1
    while cont and j < len(lines):
        ln = lines[j]
        j += 1
        if _is_comment(text, ln) or _is_empty(text, ln):
            last = ln
            continue
        cont, seg_end = _continues(text, ln, escape)
        segments.append(Span(ln.start, seg_end))
        last = ln
    command_end = segments[-1].end
    inst_end = last.end
    raw = _build(text, segments, first.number, escape, top=True)
    heredocs: list[Heredoc] = []
    end_line = last.number
    # ONBUILD RUN/COPY/ADD take heredocs too (BuildKit's heredocCompoundDirectives)
    target = raw.sub if raw.sub is not None else raw
    target_segments = raw.sub.segments if raw.sub is not None else segments
    if target.keyword in HEREDOC_INSTRUCTIONS and target.json_args is None:
        markers = _heredoc_markers(text, target.value, escape, target_segments)
        for fd, strip_tabs, quoted, name, marker in markers:
            body_start = lines[j].start if j < len(lines) else len(text)
            body_lines: list[str] = []
            while True:
                if j >= len(lines):
                    raise ScanError(
                        f"unterminated heredoc: no line {name!r} closes the heredoc "
                        f"started on line {first.number}",
                        first.number,
                        marker.start,
                        marker.end,
                    )
                ln = lines[j]
                j += 1
                content = text[ln.start : ln.content_end]
                check = content.lstrip("\t") if strip_tabs else content
                if check == name:
                    heredocs.append(
                        Heredoc(
                            name=name,
                            strip_tabs=strip_tabs,
                            quoted=quoted,
                            fd=fd,
                            marker=marker,
                            body=Span(body_start, ln.start),
                            terminator=Span(ln.start, ln.end),
                            content="".join(body_lines),
                        )
                    )
                    inst_end = ln.end
                    end_line = ln.number
                    break
                body = text[ln.start : ln.end].replace("\r\n", "\n")
                body_lines.append(body.lstrip("\t") if strip_tabs else body)
    inst = RawInstruction(
        keyword=raw.keyword,
        keyword_span=raw.keyword_span,
        start=first.start,
        end=inst_end,
        line=first.number,
        end_line=end_line,
        command_end=command_end,
        segments=tuple(segments),
        flags=raw.flags,
        args_start=raw.args_start,
        value=raw.value,
        args=raw.args,
        json_args=raw.json_args,
        heredocs=tuple(heredocs),
        sub=replace(raw.sub, heredocs=tuple(heredocs)) if raw.sub and heredocs else raw.sub,
    )
    return inst, j


class _Logical:
    """The logical line of an instruction and a map from its indices to text offsets."""

    def __init__(self, text: str, segments: Sequence[Span]) -> None:
        self.parts: list[tuple[int, int]] = []  # (logical index, text offset) per segment
        buf: list[str] = []
        n = 0
        for seg in segments:
            self.parts.append((n, seg.start))
            buf.append(text[seg.start : seg.end])
            n += seg.end - seg.start
        self.value = "".join(buf)
        self.end_offset = segments[-1].end if segments else 0

    def offset(self, index: int) -> int:
        """Text offset of logical index ``index`` (``len(value)`` maps to the end)."""
        if index >= len(self.value):
            return self.end_offset
        lo = 0
        for k, (li, _off) in enumerate(self.parts):
            if li <= index:
                lo = k
            else:
                break
        li, off = self.parts[lo]
        return off + (index - li)

    def end(self, index: int) -> int:
        """Text offset just after logical index ``index - 1`` (for the end of a span: at a
        segment boundary this is the end of the earlier segment, not the start of the next)."""
        if index <= 0:
            return self.offset(0)
        return self.offset(index - 1) + 1


class _Parsed:
    """What :func:`_build` reads of an instruction's logical line (the scanner's own, made
    once per instruction: a plain class that is quick to make)."""

    __slots__ = (
        "args",
        "args_start",
        "flags",
        "json_args",
        "keyword",
        "keyword_span",
        "sub",
        "value",
    )

    def __init__(
        self,
        keyword: str,
        keyword_span: Span,
        flags: tuple[Flag, ...],
        args_start: int,
        value: str,
        args: str,
        json_args: tuple[str, ...] | None,
        sub: RawInstruction | None,
    ) -> None:
        self.keyword = keyword
        self.keyword_span = keyword_span
        self.flags = flags
        self.args_start = args_start
        self.value = value
        self.args = args
        self.json_args = json_args
        self.sub = sub


def word_spans(value: str, start: int, escape: str) -> Iterator[tuple[int, int]]:
    """Split ``value`` (from index ``start``) on unquoted whitespace as BuildKit does,
    keeping quotes and escapes; yields the (start, end) indices of each word."""
    return _words(value, start, escape)


def _words(value: str, start: int, escape: str) -> Iterator[tuple[int, int]]:
    """Split on unquoted whitespace, keeping quotes; yields (start, end) logical indices."""
    n = len(value)
    i = start
    while i < n:
        while i < n and value[i] in " \t\r\n":
            i += 1
        if i >= n:
            return
        b = i
        quote = ""
        while i < n:
            c = value[i]
            if quote:
                if c == escape and quote == '"' and i + 1 < n:
                    i += 2
                    continue
                if c == quote:
                    quote = ""
            elif c in "\"'":
                quote = c
            elif c == escape and i + 1 < n:
                i += 2
                continue
            elif c in " \t\r\n":
                break
            i += 1
        yield b, i


def _build(text: str, segments: Sequence[Span], line: int, escape: str, top: bool) -> _Parsed:
    log = _Logical(text, segments)
    value = log.value
    m = _KEYWORD_RE.match(value)
    if m is None:  # e.g. a lone line continuation
        first = segments[0] if segments else Span(0, 0)
        raise ScanError("line continuation without an instruction", line, first.start, first.end)
    word = m.group(1)
    keyword = _KEYWORDS.get(word.upper())  # one string per keyword, not one per instruction
    kw_start = log.offset(m.start(1))
    if segments and kw_start == segments[0].start:
        kw_start = segments[0].start  # one int object for both (a big file has many)
    kw_span = Span(kw_start, log.end(m.end(1)))
    if keyword is None:
        raise ScanError(f"unknown instruction {word!r}", line, kw_span.start, kw_span.end)
    rest_at = m.end(1)
    rest = value[rest_at:]
    if not rest.strip(_SPACE):
        raise ScanError(
            f"{keyword} requires at least one argument", line, kw_span.start, kw_span.end
        )
    flags: list[Flag] = []
    pos = rest_at
    if keyword in FLAG_INSTRUCTIONS:
        for b, e in _words(value, rest_at, escape):
            w = value[b:e]
            if not w.startswith("--") or w == "--":
                break
            name, eq, fval = w[2:].partition("=")
            flags.append(Flag(name, fval if eq else None, log.offset(b), log.end(e)))
            pos = e
    after = value[pos:]
    # BuildKit splits the keyword from the rest at a run of [\t\v\f\r ] (and flags at
    # spaces and tabs): none of them starts the arguments
    args = after.lstrip(_SEPARATORS).rstrip(" \t")
    lead = len(after) - len(after.lstrip(_SEPARATORS))
    args_start = log.offset(pos + lead)
    sub: RawInstruction | None = None
    if keyword == "ONBUILD":
        if not top:
            raise ScanError(
                "ONBUILD cannot wrap another ONBUILD",
                line,
                kw_span.start,
                kw_span.end,
                kind="onbuild-trigger",
            )
        sub_segments = _sub_segments(log, segments, pos + lead)
        p = _build(text, sub_segments, line, escape, top=False)
        if p.keyword in ("ONBUILD", "FROM", "MAINTAINER"):
            raise ScanError(
                f"{p.keyword} isn't allowed as an ONBUILD trigger",
                line,
                p.keyword_span.start,
                p.keyword_span.end,
                kind="onbuild-trigger",
            )
        sub = RawInstruction(
            keyword=p.keyword,
            keyword_span=p.keyword_span,
            start=sub_segments[0].start,
            end=sub_segments[-1].end,
            line=line,
            end_line=line,
            command_end=sub_segments[-1].end,
            segments=tuple(sub_segments),
            flags=p.flags,
            args_start=p.args_start,
            value=p.value,
            args=p.args,
            json_args=p.json_args,
            heredocs=(),
            sub=None,
        )
    json_args: tuple[str, ...] | None = None
    if keyword in JSON_INSTRUCTIONS and args.startswith("["):
        json_args = _parse_json_array(args)
    if keyword == "HEALTHCHECK":
        inner = re.match(r"(?i)CMD\s+", args)
        if inner and args[inner.end() :].startswith("["):
            json_args = _parse_json_array(args[inner.end() :])
    return _Parsed(
        keyword=keyword,
        keyword_span=kw_span,
        flags=tuple(flags),
        args_start=args_start,
        value=rest,
        args=args,
        json_args=json_args,
        sub=sub,
    )


def _sub_segments(log: _Logical, segments: Sequence[Span], from_index: int) -> list[Span]:
    start_off = log.offset(from_index)
    out: list[Span] = []
    for seg in segments:
        if seg.end <= start_off and not (seg.start == seg.end == start_off):
            continue
        out.append(Span(max(seg.start, start_off), seg.end))
    return out or [Span(start_off, start_off)]


def _parse_json_array(s: str) -> tuple[str, ...] | None:
    try:
        data = json.loads(s)
    except ValueError:
        return None
    if isinstance(data, list) and all(isinstance(x, str) for x in data):
        return tuple(data)
    return None


def _unquote(word: str) -> tuple[str, bool]:
    out: list[str] = []
    quoted = False
    quote = ""
    for c in word:
        if quote:
            if c == quote:
                quote = ""
            else:
                out.append(c)
        elif c in "\"'":
            quote = c
            quoted = True
        else:
            out.append(c)
    return "".join(out), quoted


def _heredoc_markers(
    text: str, value: str, escape: str, segments: Sequence[Span]
) -> list[tuple[int | None, bool, bool, str, Span]]:
    found: list[tuple[int | None, bool, bool, str, Span]] = []
    if "<<" not in value:
        return found  # every marker has one
    # map logical indices of ``value`` (text after the keyword) back through the segments
    log = _Logical(text, segments)
    base = len(log.value) - len(value)
    for b, e in _words(value, 0, escape):
        w = value[b:e]
        m = _HEREDOC_RE.match(w)
        if not m or not m.group(3):
            continue
        name, quoted = _unquote(m.group(3))
        if not name:
            continue
        fd = int(m.group(1)) if m.group(1) else None
        span = Span(log.offset(base + b), log.end(base + e))
        found.append((fd, m.group(2) == "-", quoted, name, span))
    return found
