"""Helpers shared by rules (not a rule module: names starting with ``_`` are skipped)."""

from __future__ import annotations

import re

from dockerlint_slim.model import Instruction

_COMMENT = re.compile(r"(^|\s)#")


def append_point(inst: Instruction, text: str) -> int | None:
    """Offset in ``text`` (the file) where `` && more`` can be appended to a shell-form RUN,
    or ``None`` when that is not mechanical (exec form, heredocs, a trailing comment or a
    trailing operator)."""
    raw = inst.raw
    if inst.form != "shell" or raw.heredocs or raw.sub is not None:
        return None
    args = raw.args
    if _COMMENT.search(args):
        return None
    stripped = args.rstrip()
    if not stripped or stripped[-1] in ";&|\\`":
        return None
    end = raw.command_end
    first = raw.segments[-1].start
    while end > first and text[end - 1].isspace():
        end -= 1
    return end


def norm_path(path: str) -> str:
    """``/root/.cache/pip/*`` -> ``/root/.cache/pip``; ``~`` and ``$HOME`` kept as written."""
    p = path.strip()
    while p.endswith(("/*", "/")) and len(p) > 1:
        p = p[:-2] if p.endswith("/*") else p[:-1]
    return p
