"""Apply fixes: lint, pick non-overlapping fixes of the allowed safety, apply them to the text,
re-scan and re-lint, until nothing changes (bounded). Writes files atomically."""

from __future__ import annotations

import bisect
import contextlib
import errno
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .config import Settings
from .edits import Edit, Fix, Safety, apply_edits, select_fixes
from .engine import LintResult, lint
from .findings import AppliedFix, Finding
from .scanner import ScanError, compute_line_starts, line_col, scan

__all__ = ["FixError", "FixOutcome", "fix_text", "write_atomic"]

MAX_PASSES = 10


class FixError(Exception):
    """Fixing was refused; nothing was written."""


@dataclass
class FixOutcome:
    """The text after fixing, the fixes applied and the lint of that text."""

    text: str
    applied: int  # number of fixes applied over all passes
    result: LintResult  # lint of the final text
    fixes: list[AppliedFix] = field(default_factory=list)  # each fix applied, in order
    removed: int = 0  # findings the fixes made go away (a rewrite removes several at once)

    def changed(self, original: str) -> bool:
        return self.text != original


class _Positions:
    """(line, column) of a text to offsets and back, as the scanner counts them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = compute_line_starts(text)

    def offset(self, line: int, column: int) -> int:
        index = min(max(line, 1), len(self.starts)) - 1
        at = self.starts[index] + max(column, 1) - 1
        if index == 0 and self.text.startswith("\ufeff"):
            at += 1
        return min(at, len(self.text))

    def position(self, offset: int) -> tuple[int, int]:
        return line_col(self.starts, offset, self.text)


class _Pass:
    """The edits of one fixing pass, to map offsets of its output back to its input."""

    def __init__(self, edits: Sequence[Edit]) -> None:
        self.edits = sorted(edits, key=lambda e: (e.start, e.end))
        self.starts = [e.start for e in self.edits]
        self.new_starts: list[int] = []
        self.deltas: list[int] = []  # output offset - input offset before each edit
        delta = 0
        for e in self.edits:
            self.new_starts.append(e.start + delta)
            self.deltas.append(delta)
            delta += len(e.content) - (e.end - e.start)

    def back(self, offset: int) -> tuple[int, int | None]:
        """The input offset of output ``offset``, and the index of the edit whose new text
        holds it (None when it is text the pass kept)."""
        i = bisect.bisect_right(self.new_starts, offset) - 1
        if i < 0:
            return offset, None
        e = self.edits[i]
        if offset < self.new_starts[i] + len(e.content):
            return e.start, i
        after = self.deltas[i] + len(e.content) - (e.end - e.start)
        return offset - after, None

    def inside(self, offset: int) -> int | None:
        """Index of the edit that replaces input ``offset``, None when the pass keeps it."""
        i = bisect.bisect_right(self.starts, offset) - 1
        if i >= 0 and self.edits[i].start <= offset < self.edits[i].end:
            return i
        return None

    def nearest(self, offset: int) -> int:
        """Index of the edit nearest to input ``offset`` (the pass has at least one)."""
        i = bisect.bisect_right(self.starts, offset) - 1
        candidates = [j for j in (i, i + 1) if 0 <= j < len(self.edits)]

        def distance(j: int) -> int:
            e = self.edits[j]
            return (
                0 if e.start <= offset <= e.end else min(abs(offset - e.start), abs(offset - e.end))
            )

        return min(candidates, key=distance)


def _account(
    before: _Positions,
    after: _Positions,
    found: Sequence[Finding],
    left: Sequence[Finding],
    fixes: Sequence[Fix],
    step: _Pass,
) -> tuple[list[tuple[Fix, Finding, list[Finding], bool]], dict[int, Finding]]:
    """Which findings of a pass's input are gone from its output, and which applied fix made
    each go: a finding on text the pass kept is still there when its code is still reported
    on its line; one on text an edit replaced, when its code is still reported inside that
    edit's new text. Returns, per fix: the finding that offered it, the other findings it made
    go and whether its own finding went; and for each finding of the output that was there
    before (by ``id``), the finding of the input it is."""
    still: dict[tuple[str, str, int], list[Finding]] = {}
    for f in left:
        offset, edit = step.back(after.offset(f.line, f.column))
        if edit is not None:
            key = (f.code, "edit", edit)
        else:
            key = (f.code, "line", before.position(offset)[0])
        still.setdefault(key, []).append(f)
    carried: dict[int, Finding] = {}
    chosen = {id(fix): fix for fix in fixes}
    owners: dict[int, Finding] = {}
    for f in found:
        if f.fix is not None and id(f.fix) in chosen:
            owners.setdefault(id(f.fix), f)
    owner_ids = {id(f) for f in owners.values()}
    fix_of_edit = {id(e): fix for fix in fixes for e in fix.edits}
    gone_with: dict[int, list[Finding]] = {id(fix): [] for fix in fixes}
    own_gone: set[int] = set()
    # a finding whose own fix was applied is the last to be taken for one still reported
    for f in sorted(found, key=lambda f: id(f) in owner_ids):
        offset = before.offset(f.line, f.column)
        edit = step.inside(offset)
        key = (f.code, "edit", edit) if edit is not None else (f.code, "line", f.line)
        if still.get(key):
            carried[id(still[key].pop(0))] = f
            continue
        if id(f) in owner_ids and f.fix is not None:
            own_gone.add(id(f.fix))
            continue
        fix = fix_of_edit[id(step.edits[step.nearest(offset)])]
        gone_with[id(fix)].append(f)
    out = []
    for fix in fixes:
        owner = owners.get(id(fix))
        if owner is not None:
            out.append((fix, owner, gone_with[id(fix)], id(fix) in own_gone))
    return out, carried


def fix_text(
    text: str,
    path: str = "Dockerfile",
    settings: Settings | None = None,
    *,
    unsafe: bool = False,
    target: str | None = None,
    file_path: Path | None = None,
    context_dir: Path | None = None,
    guess_context: bool = False,
) -> FixOutcome:
    """Fix ``text`` to a fixed point. A text that does not parse is returned unchanged (its
    result has ``parse_error`` set and the parse error finding); raises ``ModelError`` for an
    unknown target and :class:`FixError` when a fix would break the file."""
    allowed = Safety.UNSAFE if unsafe else Safety.SAFE
    current = text
    applied = 0
    result = lint(
        current,
        path,
        settings,
        target=target,
        file_path=file_path,
        context_dir=context_dir,
        guess_context=guess_context,
    )
    if result.parse_error is not None:
        return FixOutcome(text, 0, result)  # never rewrite what could not be read
    context_dir = result.context_dir  # told once: every pass reads the same build context
    original = _Positions(text)
    passes: list[_Pass] = []  # to map a later pass's offsets back to the original text
    applied_fixes: list[AppliedFix] = []
    removed = 0

    def in_original(offset: int) -> tuple[int, int]:
        for step in reversed(passes):
            offset = step.back(offset)[0]
        return original.position(offset)

    # where each current finding is in the original file: a finding a pass carried over
    # (a rewrite keeps an apt install that lacks --no-install-recommends) keeps its place
    origin: dict[int, tuple[int, int]] = {id(f): (f.line, f.column) for f in result.findings}

    for _ in range(MAX_PASSES):
        fixes = select_fixes([f.fix for f in result.findings if f.fix is not None], allowed)
        if not fixes:
            break
        candidate = apply_edits(current, [e for fix in fixes for e in fix.edits])
        if candidate == current:
            break
        try:
            scanned = scan(candidate)
        except ScanError as exc:
            titles = ", ".join(sorted({f.title for f in fixes}))
            raise FixError(
                f"not fixed: applying ({titles}) would give a file that does not parse ({exc})"
            ) from None
        fixed_result = lint(
            scanned,
            path,
            settings,
            target=target,
            file_path=file_path,
            context_dir=context_dir,
        )
        before = _Positions(current)
        step = _Pass([e for fix in fixes for e in fix.edits])
        after = _Positions(candidate)
        accounts, carried = _account(
            before, after, result.findings, fixed_result.findings, fixes, step
        )
        for fix, owner, others, own_gone in accounts:
            line, column = origin[id(owner)]
            also = tuple((f.code, origin[id(f)][0]) for f in others)
            count = len(others) + (1 if own_gone else 0)
            removed += count
            applied_fixes.append(
                AppliedFix(path, owner.code, owner.name, fix.title, line, column, also, count)
            )
        passes.append(step)
        origin = {
            id(f): origin[id(carried[id(f)])]
            if id(f) in carried
            else in_original(after.offset(f.line, f.column))
            for f in fixed_result.findings
        }
        current = candidate
        applied += len(fixes)
        result = fixed_result
    return FixOutcome(current, applied, result, applied_fixes, removed)


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8, line endings and BOM as in ``text``), keeping the
    file mode. The new content is written to a temporary file in the same folder first, which
    then replaces the file: a failed write leaves the file as it was and no temporary file.

    Raises ``OSError`` (nothing written) when the file is read-only for this process (a
    rename could replace it anyway: it needs only the folder to be writable) or the folder
    is, where the temporary file goes."""
    path = Path(os.path.realpath(path))  # a symlinked Dockerfile stays a symlink
    directory = path.parent
    mode = None
    with contextlib.suppress(OSError):
        mode = stat.S_IMODE(os.stat(path).st_mode)
    import tempfile  # only when a file is written

    if mode is not None and not os.access(path, os.W_OK):
        raise PermissionError(errno.EACCES, "the file is read-only", str(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OSError(
            exc.errno, f"cannot create a temporary file in {directory}: {exc.strerror}"
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
