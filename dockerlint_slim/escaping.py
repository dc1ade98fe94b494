"""Making text from a Dockerfile (or its file name) safe to show.

A Dockerfile can hold any character: escape sequences that retitle or recolour a terminal
(``ESC ] 0 ; … BEL``, ``ESC [ 31 m``), other C0 and C1 controls, DEL, bidirectional
overrides that make a line read differently from what it does (Trojan Source), and a file
name can hold bytes that are not UTF-8 (lone surrogates in Python). Human-readable output
shows such characters as visible escapes (:func:`printable`); machine formats keep their
syntax valid (:func:`json_safe`; XML has its own replacement in ``formats``).

Nothing here imports the rest of the package: the command line and every format use it.
"""

from __future__ import annotations

from .lazy import lazy_pattern

__all__ = ["git_quote", "json_safe", "needs_escape", "printable"]

# C0 controls (the caller decides about tabs and line breaks), DEL, C1 controls, lone
# surrogates, the bidirectional controls (U+061C, U+200E/F, U+202A-E, U+2066-9) and the
# line and paragraph separators.
_UNSAFE = "\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
_UNSAFE_CHARS = lazy_pattern(f"[{_UNSAFE}]")
_UNSAFE_OR_TAB = lazy_pattern(f"[\t{_UNSAFE}]")
_SURROGATES = lazy_pattern("[\ud800-\udfff]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(ch: str) -> str:
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def needs_escape(text: str, *, tabs: bool = True) -> bool:
    """Whether :func:`printable` would change ``text``."""
    return (_UNSAFE_OR_TAB if tabs else _UNSAFE_CHARS).search(text) is not None


def printable(text: str, *, tabs: bool = True, newlines: bool = False) -> str:
    """``text`` with every character that a terminal would act on or that hides what the
    text says replaced by a visible escape: ``\\x1b`` for ESC, ``\\x9b`` for a C1 control,
    ``\\u202e`` for a bidi override, ``\\xff`` for an undecodable byte of a file name,
    ``\\t`` for a tab (unless ``tabs`` is false: an excerpt keeps its tabs so that columns
    line up) and ``\\n``/``\\r`` for line breaks (unless ``newlines`` is true: a message that
    spans lines keeps them, a lone CR is still escaped). Other text is unchanged."""
    pattern = _UNSAFE_OR_TAB if tabs else _UNSAFE_CHARS
    if newlines:
        text = text.replace("\r\n", "\n")
        return "\n".join(pattern.sub(lambda m: _escape(m[0]), part) for part in text.split("\n"))
    return pattern.sub(lambda m: _escape(m[0]), text)


def json_safe(text: str) -> str:
    """``text`` with lone surrogates (undecodable bytes of a file name) replaced by U+FFFD,
    which JSON encoded as UTF-8 cannot carry; every other character is valid JSON once
    ``json.dumps`` has escaped the controls."""
    return _SURROGATES.sub("\ufffd", text)


_GIT_NAMED = {
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    '"': '\\"',
    "\\": "\\\\",
}


def git_quote(name: str) -> str:
    """A file name for a diff header, quoted the way git quotes it (``"a/b\\033c"``, octal
    escapes of the UTF-8 bytes) when it holds a character a terminal or ``git apply`` would
    trip on; unchanged otherwise."""
    if not needs_escape(name) and '"' not in name and "\\" not in name:
        return name
    out = []
    for ch in name:
        if ch in _GIT_NAMED:
            out.append(_GIT_NAMED[ch])
        elif needs_escape(ch):
            # an undecodable byte of a file name is that byte; other characters their UTF-8
            errors = "surrogateescape" if 0xDC80 <= ord(ch) <= 0xDCFF else "surrogatepass"
            out.append("".join(f"\\{byte:03o}" for byte in ch.encode("utf-8", errors)))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
