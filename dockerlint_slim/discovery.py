"""Finding Dockerfiles on disk and reading them byte-exactly."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .scanner import RawInstruction

__all__ = [
    "DOCKERFILE_PATTERNS",
    "SKIPPED_DIRS",
    "DiscoveryError",
    "InputError",
    "find_dockerfiles",
    "guess_context",
    "is_dockerfile_name",
    "read_dockerfile",
]

#: What a directory walk looks for (matched case-insensitively).
DOCKERFILE_PATTERNS: tuple[str, ...] = (
    "Dockerfile",
    "Containerfile",
    "*.Dockerfile",
    "*.dockerfile",
    "*.Containerfile",
    "Dockerfile.*",
    "Containerfile.*",
)

#: Folders never entered by a directory walk (an explicitly given folder is always walked).
SKIPPED_DIRS: frozenset[str] = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "build",
        "dist",
        "site-packages",
    }
)

# Editor backups, merge leftovers and swap files are never Dockerfiles.
_BACKUP_SUFFIXES = (".swp", ".swo", ".swx", ".orig", ".rej", ".bak")
_BASE_NAMES = ("dockerfile", "containerfile")


class DiscoveryError(Exception):
    """A path given on the command line cannot be searched for Dockerfiles."""


class InputError(Exception):
    """A Dockerfile cannot be read as UTF-8 text."""


def is_dockerfile_name(name: str) -> bool:
    """Whether a directory walk should pick up a file called ``name``.

    ``Dockerfile``, ``Containerfile``, ``*.Dockerfile``, ``*.Containerfile``,
    ``Dockerfile.*`` and ``Containerfile.*`` (case-insensitive), except ``*.dockerignore``
    and editor leftovers (``Dockerfile~``, ``*.swp``, ``*.orig``, ``*.rej``, ``*.bak``,
    ``.#Dockerfile``, ``#Dockerfile#``).
    """
    lower = name.lower()
    if (
        lower.endswith(("~", ".dockerignore", *_BACKUP_SUFFIXES))
        or lower.startswith((".#", "#"))
        or "/" in name
        or os.sep in name
    ):
        return False
    for base in _BASE_NAMES:
        if lower == base:
            return True
        if lower.startswith(base + ".") and len(lower) > len(base) + 1:
            return True
        if lower.endswith("." + base) and len(lower) > len(base) + 1:
            return True
    return False


def _os_error(path: Path, exc: OSError) -> str:
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return f"{path}: no such file or directory"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"{path}: permission denied"
    if exc.errno == errno.EISDIR:
        return f"{path}: is a directory"
    if exc.errno == errno.ELOOP:
        return f"{path}: too many levels of symbolic links"
    reason = (exc.strerror or str(exc)).lower()
    return f"{path}: {reason}"


def _walk(top: Path) -> list[Path]:
    """Dockerfiles below ``top`` (not following symlinked folders), sorted."""
    found: list[Path] = []
    failure: list[OSError] = []

    def onerror(exc: OSError) -> None:
        failure.append(exc)

    for dirpath, dirnames, filenames in os.walk(top, onerror=onerror, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        here = Path(dirpath)
        for name in filenames:
            candidate = here / name
            # skips broken symlinks, sockets, fifos found while walking
            if is_dockerfile_name(name) and candidate.is_file():
                found.append(candidate)
        if failure:
            break
    if failure:
        exc = failure[0]
        where = Path(exc.filename) if exc.filename else top
        raise DiscoveryError(_os_error(where, exc))
    return sorted(found, key=lambda p: p.parts)


def find_dockerfiles(paths: Sequence[Path], errors: list[str] | None = None) -> list[Path]:
    """Expand command-line ``paths`` into the Dockerfiles to check.

    A path naming a file (or anything that is not a directory) is kept whatever its name.
    A directory is searched recursively with :func:`is_dockerfile_name`, skipping
    :data:`SKIPPED_DIRS` and symlinked folders. The result keeps the order of ``paths``,
    sorted within each directory, without duplicates (same real file counted once; the
    first spelling wins).

    A missing path, a permission problem, or a directory containing no Dockerfile raises
    :class:`DiscoveryError`; with ``errors``, its message is appended there instead and the
    other paths are still searched.
    """
    result: list[Path] = []
    seen: set[str] = set()

    def add(path: Path) -> None:
        key = os.path.normcase(os.path.realpath(path))
        if key not in seen:
            seen.add(key)
            result.append(path)

    for raw in paths:
        try:
            found = _expand(Path(raw))
        except DiscoveryError as exc:
            if errors is None:
                raise
            errors.append(str(exc))
            continue
        for dockerfile in found:
            add(dockerfile)
    return result


def _expand(path: Path) -> list[Path]:
    """The Dockerfiles one command-line path stands for (see :func:`find_dockerfiles`)."""
    try:
        os.stat(path)  # follows symlinks: a broken link does not exist
    except OSError as exc:
        raise DiscoveryError(_os_error(path, exc)) from None
    if not path.is_dir():
        return [path]
    found = _walk(path)
    if not found:
        patterns = ", ".join(DOCKERFILE_PATTERNS)
        raise DiscoveryError(f"{path}: no Dockerfile found (looked for {patterns})")
    return found


def read_dockerfile(path: Path) -> str:
    """The text of ``path``, byte for byte: a UTF-8 BOM stays as U+FEFF and line endings
    (``\\r\\n``, ``\\r``) are untouched.

    Raises :class:`InputError` with a one-line message when the file cannot be read, is
    binary (contains a NUL byte) or is not valid UTF-8.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except PermissionError as exc:
        # Windows reports opening a folder as "permission denied"
        if Path(path).is_dir():
            raise InputError(f"{path}: is a directory") from None
        raise InputError(_os_error(Path(path), exc)) from None
    except OSError as exc:
        raise InputError(_os_error(Path(path), exc)) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            f"{path}: not UTF-8 text (UTF-16 byte order mark found; save the file as UTF-8)"
        )
    if b"\x00" in data:
        raise InputError(f"{path}: binary file, not a Dockerfile")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        raise InputError(
            f"{path}: not UTF-8 text (invalid byte 0x{bad:02x} at offset {exc.start})"
        ) from None


def guess_context(
    dockerfile: Path,
    source: str | Iterable[RawInstruction] | None,
    levels: int = 4,
) -> Path:
    """The build context of ``dockerfile`` when none is given: its folder, or the nearest
    folder above it (up to the repository root, at most ``levels`` up) that holds every
    source its ``COPY`` and ``ADD`` instructions name (``docker build -f docker/Dockerfile
    .`` is common). ``source`` is the file's text, or its instructions when they are already
    scanned. The Dockerfile's folder when no folder holds them all, or when the text cannot
    be read."""
    from .scanner import RawInstruction, ScanError, scan

    folder = dockerfile.parent
    if not source:
        return folder
    if isinstance(source, str):
        try:
            source = [i for i in scan(source).items if isinstance(i, RawInstruction)]
        except (ScanError, ValueError):
            return folder  # the check reports what is wrong with it
    sources: list[str] = []
    for inst in source:
        if inst.keyword not in ("COPY", "ADD") or any(f.name == "from" for f in inst.flags):
            continue
        words = list(inst.json_args) if inst.json_args is not None else inst.args.split()
        words = [w for w in words if not w.startswith("--")]
        for src in words[:-1]:
            if "$" in src or "://" in src or src.startswith("git@") or inst.heredocs:
                continue
            sources.append(src.lstrip("/") or ".")
    if not sources:
        return folder

    def holds(candidate: Path) -> bool:
        for src in sources:
            if any(c in src for c in "*?["):
                if not any(candidate.glob(src)):
                    return False
            elif not (candidate / src).exists():
                return False
        return True

    candidate = folder
    for _ in range(levels + 1):
        try:
            if holds(candidate):
                return candidate
            if (candidate / ".git").exists() or candidate.parent == candidate:
                break
        except OSError:
            break
        candidate = candidate.parent
    return folder
