"""Helpers shared by rules (not a rule module: names starting with ``_`` are skipped)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from dockerlint_slim.commands import removed_paths
from dockerlint_slim.edits import Edit
from dockerlint_slim.model import Instruction
from dockerlint_slim.packages import RPM_OPTIONS_WITH_VALUE
from dockerlint_slim.shell import Command, Word, parse_commands

_COMMENT = re.compile(r"(^|\s)#")


def append_point(inst: Instruction, text: str, appended: str) -> int | None:
    """Offset in ``text`` (the file) where ``appended`` (`` && a command``) can be appended to
    a shell-form RUN, or ``None`` when that is not mechanical (exec form, heredocs, a trailing
    comment, a trailing operator, or a shell text that would not read what is appended as a
    command: see :func:`_appends_a_command`)."""
    raw = inst.raw
    if inst.form != "shell" or raw.heredocs or raw.sub is not None:
        return None
    args = raw.args
    if _COMMENT.search(args):
        return None
    stripped = args.rstrip()
    if not stripped or stripped[-1] in ";&|\\`" or not _appends_a_command(stripped, appended):
        return None
    end = raw.command_end
    first = raw.segments[-1].start
    while end > first and text[end - 1].isspace():
        end -= 1
    return end


def _appends_a_command(shell: str, appended: str) -> bool:
    """Whether the shell reads ``appended`` after the shell text ``shell`` as a command of its
    own: not when ``shell`` ends inside a quote, a substitution, a ``[[`` test or a heredoc,
    or when the shell reads the end of it as a comment (``r#m`` in some places). What a fix
    appends there would not run, its finding would stay, and every fix pass would append it
    again."""
    return any(cmd.start >= len(shell) for cmd in parse_commands(shell + appended, 0))


def norm_path(path: str) -> str:
    """``/root/.cache/pip/*`` -> ``/root/.cache/pip``; ``~`` and ``$HOME`` kept as written."""
    p = path.strip()
    while p.endswith(("/*", "/")) and len(p) > 1:
        p = p[:-2] if p.endswith("/*") else p[:-1]
    return p


# --------------------------------------------------------------------------- package caches
# (used by DL3019 apk-cache-kept, DL3032 yum-cache-kept, DL3040 dnf-cache-kept)

_BRACES = re.compile(r"^(.*?)\{([^{}]*,[^{}]*)\}(.*)$")


def _expand_braces(path: str) -> list[str]:
    m = _BRACES.match(path)
    if m is None:
        return [path]
    return [x for part in m.group(2).split(",") for x in _expand_braces(m[1] + part + m[3])]


def covers_folder(path: str, folders: Iterable[str]) -> bool:
    """Whether deleting or mounting ``path`` takes away one of ``folders`` (absolute): the
    folder itself or its contents (``/var/cache/apk/*``), a parent (``/var/cache``), globbed
    contents (``/var/cache/apk/*.tar.gz``), or the folder under another root
    (``/mnt/rootfs/var/cache/dnf``, an ``--installroot``). Braces are expanded."""
    for p in _expand_braces(norm_path(path)):
        for folder in folders:
            if p == folder or p.endswith(folder) or folder.startswith(p + "/"):
                return True
            if p.startswith(folder + "/") and "*" in p:
                return True
    return False


def removes_folder(cmd: Command, folders: Iterable[str]) -> bool:
    """Whether ``cmd`` is an ``rm`` that takes away one of ``folders`` (see
    :func:`covers_folder`)."""
    folders = tuple(folders)
    return any(covers_folder(p, folders) for p in removed_paths(cmd))


def mounted_away(inst: Instruction, folders: Iterable[str]) -> bool:
    """Whether a cache or tmpfs ``--mount`` of ``inst`` keeps one of ``folders`` out of the
    layer (a mount on the folder or on a parent of it)."""
    folders = tuple(folders)
    for m in inst.mounts():
        target = m.get("target", "")
        if m.get("type") in ("cache", "tmpfs") and target:
            p = norm_path(target)
            if any(p == f or f.startswith(p + "/") for f in folders):
                return True
    return False


def sudo_prefix(cmd: Command) -> str:
    """``"sudo "`` when ``cmd`` ran behind sudo (so a cleanup appended for it needs it too)."""
    return "sudo " if "sudo" in cmd.wrappers else ""


# rpm package managers: subcommands that download repository metadata (and packages) into
# the cache; ``group``/``groups`` and ``module`` are followed by their own subcommand
_RPM_WRITES = frozenset(
    {
        "install",
        "in",
        "reinstall",
        "localinstall",
        "upgrade",
        "update",
        "up",
        "upgrade-minimal",
        "update-minimal",
        "distro-sync",
        "distrosync",
        "dsync",
        "downgrade",
        "groupinstall",
        "groupupdate",
        "groupupgrade",
        "makecache",
        "mc",
        "builddep",
    }
)
_RPM_SECOND = {"group": {"install", "upgrade", "update"}, "module": {"install", "enable"}}
_RPM_SECOND["groups"] = _RPM_SECOND["group"]
_SIMPLE_WORD = re.compile(r"[\w./+-]+$")


def _rpm_operands(cmd: Command) -> tuple[list[str], list[Word]]:
    options: list[str] = []
    operands: list[Word] = []
    args = cmd.args
    i = 0
    while i < len(args):
        t = args[i].text
        if t == "--":
            operands.extend(args[i + 1 :])
            break
        if t.startswith("-") and t != "-":
            options.append(t)
            if t in RPM_OPTIONS_WITH_VALUE:
                i += 1
        else:
            operands.append(args[i])
        i += 1
    return options, operands


def rpm_writes_cache(cmd: Command, tools: Iterable[str]) -> Word | None:
    """The subcommand word when ``cmd`` is one of ``tools`` (dnf, yum, microdnf…) running a
    subcommand that fills the metadata cache: install, upgrade, group install, makecache…
    Not with ``-C``/``--cacheonly``, which only reads the cache."""
    if cmd.name not in tools:
        return None
    options, operands = _rpm_operands(cmd)
    if not operands or "-C" in options or "--cacheonly" in options:
        return None
    sub = operands[0].text
    if sub in _RPM_SECOND:
        if len(operands) > 1 and operands[1].text in _RPM_SECOND[sub]:
            return operands[1]
        return None
    return operands[0] if sub in _RPM_WRITES else None


def rpm_cleans_cache(cmd: Command, tools: Iterable[str]) -> bool:
    """``TOOL clean all`` (or ``clean metadata``: downloaded packages are removed after a
    successful transaction unless ``keepcache`` is set) for one of ``tools``."""
    if cmd.name not in tools:
        return False
    _, operands = _rpm_operands(cmd)
    targets = {w.text for w in operands[1:]}
    return len(operands) > 1 and operands[0].text == "clean" and bool({"all", "metadata"} & targets)


def rpm_cache_left(
    inst: Instruction, text: str, tools: Iterable[str], folders: Iterable[str]
) -> tuple[Command, Word, Edit | None] | None:
    """The first command of ``inst`` that fills the cache of ``tools`` and is not followed in
    the same RUN by ``clean all`` or an ``rm`` of ``folders`` (nor run with those folders on a
    cache/tmpfs mount), its subcommand word, and the fix appending `` && TOOL clean all`` to
    the RUN when that is mechanical (see :func:`append_point`)."""
    tools, folders = tuple(tools), tuple(folders)
    if not any(cmd.name in tools for cmd in inst.commands):
        return None  # none of the tools runs (the common case): no command fills the cache
    if mounted_away(inst, folders):
        return None
    pending: tuple[Command, Word] | None = None
    for cmd in inst.commands:
        if rpm_cleans_cache(cmd, tools) or removes_folder(cmd, folders):
            pending = None
        elif pending is None:
            sub = rpm_writes_cache(cmd, tools)
            pending = (cmd, sub) if sub is not None else None
    if pending is None:
        return None
    cmd, sub = pending
    tool = cmd.argv[0].text
    cleanup = f" && {sudo_prefix(cmd)}{tool} clean all"
    point = append_point(inst, text, cleanup)
    if point is None or not _SIMPLE_WORD.match(tool) or "--installroot" in " ".join(cmd.arg_texts):
        return cmd, sub, None
    return cmd, sub, Edit(point, point, cleanup)


def names_list(names: Sequence[str], most: int) -> str:
    """``a, b, c and 2 more``: at most ``most`` names, then how many are left out."""
    shown = ", ".join(names[:most])
    if len(names) > most:
        shown += f" and {len(names) - most} more"
    return shown
