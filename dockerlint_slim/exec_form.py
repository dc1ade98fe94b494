"""Fixes that touch an exec-form instruction (``RUN ["pip", "install", "flask"]``).

Rules write their edits as they would for the shell form: ``--no-cache-dir`` inserted after
``install``, `` && rm -rf …`` appended to a script. In a JSON array such text would break the
array (and BuildKit would silently run the broken line as a shell command), so the engine
passes every fix through :func:`exec_safe`:

* an insertion of plain words right after an element of the array becomes new elements
  (`` --no-cache-dir`` after ``"install"`` → ``, "--no-cache-dir"``);
* an edit inside the script of ``["/bin/sh", "-c", "script"]`` (or of
  ``["powershell", "-Command", …]``, ``["cmd", "/S", "/C", …]``) stays as it is when the
  script's JSON string has no escapes (offsets are exact there) and the new text needs no
  escaping either;
* anything else is not offered, and the finding says why.

The result is checked: the instruction must still be a JSON array of strings.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Sequence
from dataclasses import replace

from .edits import Edit, Fix, apply_edits
from .lazy import lazy_pattern
from .model import Dockerfile, Instruction, exec_scripts, exec_words
from .scanner import scan

__all__ = ["EXEC_NOTE", "exec_index", "exec_safe"]

EXEC_NOTE = "the fix cannot be written into this exec-form (JSON array) instruction"
_PLAIN_WORDS = lazy_pattern(r" ([\w.,/:=+@%-]+(?: [\w.,/:=+@%-]+)*)")


class _Index:
    """The instructions of a file by start offset, to find the one an edit falls in."""

    def __init__(self, model: Dockerfile) -> None:
        self.instructions = model.instructions
        self.starts = [i.start for i in model.instructions]

    def at(self, offset: int) -> Instruction | None:
        k = bisect.bisect_right(self.starts, offset) - 1
        if k < 0:
            return None
        inst = self.instructions[k]
        return inst if inst.start <= offset < inst.end else None


def exec_index(model: Dockerfile) -> _Index | None:
    """What :func:`exec_safe` needs to find instructions, made once per file; None when the
    file has no exec-form instruction (then no fix needs looking at)."""
    if not any(i.raw.json_args is not None for i in model.instructions):
        return None
    return _Index(model)


def exec_safe(fix: Fix, model: Dockerfile, index: _Index | None = None) -> Fix | None:
    """``fix`` with its edits inside exec-form instructions written as JSON (see the module
    docs), or None when that cannot be done safely. Fixes that touch no exec-form
    instruction come back unchanged."""
    index = index or _Index(model)
    out: list[Edit] = []
    touched: dict[int, Instruction] = {}
    for edit in fix.edits:
        inst = index.at(edit.start)
        if inst is None or not _in_array(edit, inst) or _whole(edit, inst):
            # not in a JSON array (flags, other instructions), or the whole instruction
            # replaced or deleted
            out.append(edit)
            continue
        rewritten = _rewrite(edit, inst, model.text) or _in_one_string(edit, inst, model.text)
        if rewritten is None:
            return None
        touched[inst.index] = inst
        out.append(rewritten)
    if not touched:
        return fix
    for inst in touched.values():
        if not _still_json(inst, [e for e in out if inst.start <= e.start < inst.end], model):
            return None
    return replace(fix, edits=tuple(out))


def _in_array(edit: Edit, inst: Instruction) -> bool:
    """Whether ``edit`` changes text inside the JSON array of an exec-form instruction (the
    array starts at the arguments: an insertion right before its ``[`` is outside)."""
    raw = inst.raw
    if raw.json_args is None:
        return False
    begin, end = raw.args_start, raw.command_end
    if edit.start == edit.end:
        return begin < edit.start < end
    return edit.start < end and edit.end > begin


def _whole(edit: Edit, inst: Instruction) -> bool:
    """Whether ``edit`` replaces the whole instruction (or more)."""
    return edit.start <= inst.start and edit.end >= inst.end


def _in_one_string(edit: Edit, inst: Instruction, text: str) -> Edit | None:
    """``edit`` when it changes the text inside one JSON string of the array that has no
    escapes, and what it writes needs none and adds no word (``"/app"`` -> ``"/app/"``);
    else None."""
    if json.dumps(edit.content, ensure_ascii=False)[1:-1] != edit.content:
        return None
    if any(ch.isspace() for ch in edit.content):
        return None  # words added inside a word: not what the fix means
    for word in exec_words(inst.raw, text) or ():
        inside = word.start < edit.start and edit.end < word.end
        if inside and word.raw[1:-1] == word.text:
            return edit
    return None


def _rewrite(edit: Edit, inst: Instruction, text: str) -> Edit | None:
    words = exec_words(inst.raw, text)
    if not words:
        return None
    found = exec_scripts(words)
    if found is not None:
        content_ok = json.dumps(edit.content, ensure_ascii=False)[1:-1] == edit.content
        for script in found[1]:
            inside = script.start < edit.start and edit.end < script.end
            if inside and script.raw[1:-1] == script.text and content_ok:
                return edit
        return None
    m = _PLAIN_WORDS.fullmatch(edit.content)
    after_word = any(w.end == edit.start for w in words)
    if edit.start != edit.end or m is None or not after_word:
        return None
    added = "".join(f", {json.dumps(word)}" for word in m.group(1).split(" "))
    return Edit(edit.start, edit.end, added)


def _still_json(inst: Instruction, edits: Sequence[Edit], model: Dockerfile) -> bool:
    piece = model.text[inst.start : inst.end]
    local = [Edit(e.start - inst.start, e.end - inst.start, e.content) for e in edits]
    changed = apply_edits(piece, local)
    head = "" if model.scan.escape == "\\" else f"# escape={model.scan.escape}\n"
    try:
        scanned = scan(head + changed).instructions
    except Exception:
        return False
    return len(scanned) == 1 and scanned[0].json_args is not None
