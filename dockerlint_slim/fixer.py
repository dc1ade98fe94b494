"""Apply fixes: lint, pick non-overlapping fixes of the allowed safety, apply them to the text,
re-scan and re-lint, until nothing changes (bounded). Writes files atomically."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .edits import Safety, apply_edits, select_fixes
from .engine import LintResult, lint
from .scanner import ScanError, scan

__all__ = ["FixError", "FixOutcome", "fix_text", "write_atomic"]

MAX_PASSES = 10


class FixError(Exception):
    """Fixing was refused; nothing was written."""


@dataclass
class FixOutcome:
    text: str
    applied: int  # number of fixes applied over all passes
    result: LintResult  # lint of the final text

    def changed(self, original: str) -> bool:
        return self.text != original


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
    """Fix ``text`` to a fixed point. Raises ``ScanError``/``ModelError`` when the input does
    not parse and :class:`FixError` when a fix would break the file."""
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
    context_dir = result.context_dir  # told once: every pass reads the same build context
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
        current = candidate
        applied += len(fixes)
        result = lint(
            scanned,
            path,
            settings,
            target=target,
            file_path=file_path,
            context_dir=context_dir,
        )
    return FixOutcome(current, applied, result)


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
