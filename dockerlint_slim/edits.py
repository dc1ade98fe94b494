"""Edits and fixes: replacements of spans of the ORIGINAL text.

A fix is a set of non-overlapping edits plus a title and a safety level (ruff's model).
Offsets are indices into the decoded text (``str``); the text is re-encoded as UTF-8 when
written, so a file that is not changed by any edit comes back byte for byte.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def line_ending(text: str) -> str:
    """The line ending new lines written into ``text`` should use (CRLF when it has any)."""
    return "\r\n" if "\r\n" in text else "\n"


class Safety(enum.IntEnum):
    """How sure a fix is to keep the image's behaviour (ordered: higher is less safe)."""

    SAFE = 0
    UNSAFE = 1
    DISPLAY_ONLY = 2

    @property
    def label(self) -> str:
        return {0: "safe", 1: "unsafe", 2: "display-only"}[int(self)]


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` with ``content`` (an insertion when start == end)."""

    start: int
    end: int
    content: str = ""

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"bad edit span {self.start}..{self.end}")

    @classmethod
    def insert(cls, at: int, content: str) -> Edit:
        return cls(at, at, content)

    @classmethod
    def delete(cls, start: int, end: int) -> Edit:
        return cls(start, end, "")

    def overlaps(self, other: Edit) -> bool:
        if self.start == self.end and other.start == other.end:
            return self.start == other.start
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Fix:
    """A fix: edits of the original text, a title (the remedy) and how safe it is."""

    title: str
    edits: tuple[Edit, ...]
    safety: Safety = Safety.SAFE

    def __post_init__(self) -> None:
        ordered = sorted(self.edits, key=lambda e: (e.start, e.end))
        for a, b in zip(ordered, ordered[1:]):
            if a.overlaps(b):
                raise ValueError(f"fix {self.title!r} has overlapping edits")
        object.__setattr__(self, "edits", tuple(ordered))

    @property
    def start(self) -> int:
        return self.edits[0].start if self.edits else 0

    @property
    def end(self) -> int:
        return self.edits[-1].end if self.edits else 0

    def overlaps(self, other: Fix) -> bool:
        return any(a.overlaps(b) for a in self.edits for b in other.edits)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits, bottom-up so earlier offsets stay valid."""
    ordered: Sequence[Edit] = sorted(edits, key=lambda e: (e.start, e.end))
    for a, b in zip(ordered, ordered[1:]):
        if a.overlaps(b):
            raise ValueError(f"overlapping edits at {a.start}..{a.end} and {b.start}..{b.end}")
    if ordered and ordered[-1].end > len(text):  # the last edit ends last
        e = ordered[-1]
        raise ValueError(f"edit {e.start}..{e.end} is past the end of the text")
    pieces: list[str] = []
    at = 0
    for e in ordered:
        pieces += (text[at : e.start], e.content)
        at = e.end
    pieces.append(text[at:])
    return "".join(pieces)


def select_fixes(fixes: Iterable[Fix], allowed: Safety) -> list[Fix]:
    """Pick fixes at or below ``allowed`` safety, dropping any that overlap an earlier pick."""
    chosen: list[Fix] = []
    # the edits of the fixes chosen so far, by (start, end): they do not overlap, so their
    # ends grow with their starts and an edit can overlap only those around where it goes
    taken: list[Edit] = []
    keys: list[tuple[int, int]] = []
    for fix in sorted(fixes, key=lambda f: (f.start, f.end)):
        if fix.safety > allowed or fix.safety == Safety.DISPLAY_ONLY or not fix.edits:
            continue
        if any(_overlaps_taken(e, taken, keys) for e in fix.edits):
            continue
        chosen.append(fix)
        for e in fix.edits:
            at = bisect.bisect_right(keys, (e.start, e.end))
            keys.insert(at, (e.start, e.end))
            taken.insert(at, e)
    return chosen


def _overlaps_taken(edit: Edit, taken: list[Edit], keys: list[tuple[int, int]]) -> bool:
    at = bisect.bisect_left(keys, (edit.start, edit.start))
    if at and taken[at - 1].overlaps(edit):
        return True
    while at < len(taken) and taken[at].start <= edit.end:
        if taken[at].overlaps(edit):
            return True
        at += 1
    return False
