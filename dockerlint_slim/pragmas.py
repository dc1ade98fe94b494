"""Pragma comments: the suppressions a file asks for, where each code is written, and which
of them suppressed something.

* ``# dockerlint-slim: ignore=CODE[,CODE]`` in the comment block directly above an
  instruction silences those rules for that instruction;
* ``# dockerlint-slim: ignore-stage=CODE[,…]`` directly above a ``FROM``: the whole stage;
* ``# dockerlint-slim: ignore-file=CODE[,…]`` anywhere: the whole file;
* hadolint's ``# hadolint ignore=DL…`` (instruction), ``# hadolint global ignore=DL…`` (file)
  and ``# hadolint stage ignore=DL…`` (stage) apply to rules that carry that DL code.

A code may also be a rule name or ``ALL``, in any letter case. The engine applies the
suppressions and records which code of which comment was used; the pragma rules (unknown
codes, unused codes) read that record through ``Context.pragmas``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from .lazy import lazy_pattern
from .model import Dockerfile, Instruction
from .scanner import Comment

__all__ = ["PragmaCode", "PragmaComment", "Pragmas", "parse_pragmas", "pragma_matches"]

_OWN = lazy_pattern(
    r"^[ \t]*#[ \t]*dockerlint-slim[ \t]*:[ \t]*(ignore-stage|ignore-file|ignore)[ \t]*=[ \t]*",
    re.I,
)
_HADOLINT = lazy_pattern(
    r"^[ \t]*#[ \t]*hadolint[ \t]+(?:(global|stage)[ \t]+)?ignore[ \t]*=[ \t]*", re.I
)
_TOKEN = lazy_pattern(r"[^\s]*")
# a comment that starts like one of ours: ``# dockerlint-slim: …``
_OURS = lazy_pattern(r"^[ \t]*#[ \t]*dockerlint-slim[ \t]*:", re.I)


class _RuleLike(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def hadolint(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, eq=False)
class PragmaCode:
    """One code of a pragma comment, with its span in the file."""

    code: str  # as written
    start: int
    end: int
    comment: PragmaComment = field(repr=False)


@dataclass(eq=False)
class PragmaComment:
    """A pragma comment: ``kind`` is ``own`` (``# dockerlint-slim: …``) or ``hadolint``;
    ``scope`` is ``instruction``, ``stage`` or ``file``. ``applies`` is False for a comment
    whose scope has nothing to apply to (``ignore-stage`` that is not above a ``FROM``, an
    instruction pragma not directly above an instruction)."""

    comment: Comment
    kind: str
    scope: str
    codes: list[PragmaCode] = field(default_factory=list)
    applies: bool = False
    stage: int | None = None  # the stage of the instruction it is above, if any


@dataclass
class Pragmas:
    """Suppressions found in the comments of one file, and which codes were used."""

    file: set[PragmaCode] = field(default_factory=set)
    stage: dict[int, set[PragmaCode]] = field(default_factory=dict)
    instruction: dict[int, set[PragmaCode]] = field(default_factory=dict)
    comments: list[PragmaComment] = field(default_factory=list)  # in file order
    used: set[PragmaCode] = field(default_factory=set)
    # comments that start like ours (``# dockerlint-slim:``) but cannot be read as a pragma
    # (an unknown kind such as ``ignore-files=``, no ``=``, no code)
    unreadable: list[Comment] = field(default_factory=list)

    def suppresses(self, rule: _RuleLike, inst: Instruction | None) -> bool:
        """Whether a pragma in scope silences ``rule`` at ``inst``; every code that does is
        marked as used."""
        scopes = [self.file]
        if inst is not None:
            scopes.append(self.instruction.get(inst.index, set()))
            if inst.stage is not None:
                scopes.append(self.stage.get(inst.stage, set()))
        hit = False
        for scope in scopes:
            for entry in scope:
                if pragma_matches(entry.comment.kind, entry.code, rule):
                    self.used.add(entry)
                    hit = True
        return hit


def pragma_matches(kind: str, code: str, rule: _RuleLike) -> bool:
    """Whether ``code`` of a pragma of ``kind`` names ``rule`` (letter case does not matter):
    hadolint's comments name codes only; ours also names and ``ALL``."""
    upper = code.upper()
    if kind == "hadolint":
        return upper in (h.upper() for h in rule.hadolint) or upper == rule.code.upper()
    return (
        upper in ("ALL", rule.code.upper())
        or code.lower() == rule.name
        or upper in (h.upper() for h in rule.hadolint)
    )


_SHELLCHECK_CODE = lazy_pattern(r"SC[0-9]{4}|SHELLCHECK")


def known_code(code: str, rules: Iterable[_RuleLike]) -> bool:
    """Whether ``code`` names ``ALL``, one of ``rules`` (code, name or hadolint code) or
    ShellCheck's codes (``SC2086``, ``shellcheck``: findings of ``--shellcheck``)."""
    return (
        code.upper() == "ALL"
        or _SHELLCHECK_CODE.fullmatch(code.upper()) is not None
        or any(pragma_matches("own", code, r) for r in rules)
    )


def _parse_comment(comment: Comment) -> PragmaComment | None:
    text = comment.text
    m = _OWN.match(text)
    if m:
        scope = {"ignore": "instruction", "ignore-stage": "stage", "ignore-file": "file"}
        kind, scope_name = "own", scope[m.group(1).lower()]
    else:
        m = _HADOLINT.match(text)
        if not m:
            return None
        which = (m.group(1) or "").lower()
        kind, scope_name = (
            "hadolint",
            {"global": "file", "stage": "stage"}.get(which, "instruction"),
        )
    parsed = PragmaComment(comment, kind, scope_name)
    # the codes are the first word after ``=``, separated by commas
    word = _TOKEN.match(text, m.end())
    at = m.end()
    for part in (word.group(0) if word else "").split(","):
        stripped = part.strip()
        if stripped:
            begin = comment.start + at + part.index(stripped)
            parsed.codes.append(PragmaCode(stripped, begin, begin + len(stripped), parsed))
        at += len(part) + 1
    return parsed


def parse_pragmas(model: Dockerfile) -> Pragmas:
    pragmas = Pragmas()
    above: dict[int, Instruction] = {}  # comment start -> the instruction it is above
    for below in model.instructions:
        for comment in below.comments:
            above[comment.start] = below
    for item in model.scan.items:
        if not isinstance(item, Comment):
            continue
        parsed = _parse_comment(item)
        if parsed is None or (parsed.kind == "own" and not parsed.codes):
            if _OURS.match(item.text):
                pragmas.unreadable.append(item)
            continue
        pragmas.comments.append(parsed)
        entries = set(parsed.codes)
        inst = above.get(item.start)
        parsed.stage = inst.stage if inst is not None else None
        if parsed.scope == "file":
            pragmas.file.update(entries)
            parsed.applies = True
        elif inst is None:
            continue
        elif parsed.scope == "stage":
            if inst.keyword == "FROM" and inst.stage is not None:
                pragmas.stage.setdefault(inst.stage, set()).update(entries)
                parsed.applies = True
        else:
            pragmas.instruction.setdefault(inst.index, set()).update(entries)
            parsed.applies = True
    return pragmas


def code_names(rules: Sequence[_RuleLike]) -> list[str]:
    """Every code and name of ``rules``, for "did you mean" hints."""
    return sorted({r.code for r in rules} | {r.name for r in rules})
