"""Edits and fixes: replacements of spans of the ORIGINAL text.

A fix is a set of non-overlapping edits plus a title and a safety level (ruff's model).
Offsets are indices into the decoded text (``str``); the text is re-encoded as UTF-8 when
written, so a file that is not changed by any edit comes back byte for byte.
"""

from __future__ import annotations

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
    out = text
    for e in reversed(ordered):
        if e.end > len(out):
            raise ValueError(f"edit {e.start}..{e.end} is past the end of the text")
        out = out[: e.start] + e.content + out[e.end :]
    return out


def select_fixes(fixes: Iterable[Fix], allowed: Safety) -> list[Fix]:
    """Pick fixes at or below ``allowed`` safety, dropping any that overlap an earlier pick."""
    chosen: list[Fix] = []
    for fix in sorted(fixes, key=lambda f: (f.start, f.end)):
        if fix.safety > allowed or fix.safety == Safety.DISPLAY_ONLY or not fix.edits:
            continue
        if any(fix.overlaps(c) for c in chosen):
            continue
        chosen.append(fix)
    return chosen
