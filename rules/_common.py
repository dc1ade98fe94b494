"""Helpers shared by rules (not a rule module: names starting with ``_`` are skipped)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar

from dockerlint_slim.commands import removed_paths
from dockerlint_slim.edits import Edit
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import (
    Dockerfile,
    Instruction,
    Stage,
    exec_words,
    shell_script,
    substitute,
    unquote,
)
from dockerlint_slim.packages import RPM_OPTIONS_WITH_VALUE
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.scanner import RawInstruction, word_spans
from dockerlint_slim.shell import Command, Word, parse_commands

_COMMENT = lazy_pattern(r"(^|\s)#")


def append_point(inst: Instruction, text: str, appended: str) -> int | None:
    """Offset in ``text`` (the file) where ``appended`` (`` && a command``) can be appended to
    a RUN's shell text (the shell form, or the script of ``RUN ["/bin/sh", "-c", "script"]``),
    or ``None`` when that is not mechanical: an exec form that runs no shell, heredocs, a
    trailing comment or operator, a script with JSON escapes, or a shell text that would not
    read what is appended as a command (see :func:`_appends_a_command`)."""
    raw = inst.raw
    if inst.form == "exec" and raw.sub is None:
        return _script_end(inst, text, appended)
    if inst.form != "shell" or inst.shell != "sh" or raw.heredocs or raw.sub is not None:
        return None  # PowerShell and cmd: `&&` and `rm -rf` mean other things there
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


def _script_end(inst: Instruction, text: str, appended: str) -> int | None:
    """For ``RUN ["/bin/sh", "-c", "script"]``: the offset just after the script's last
    character, inside its closing quote, when the script is the array's last element and its
    JSON string has no escapes (so what is appended there is the script's own text)."""
    words = exec_words(inst.raw, text)
    script = shell_script(words) if words else None
    if words is None or script is None or script is not words[-1]:
        return None
    if script.raw[1:-1] != script.text or _COMMENT.search(script.text):
        return None
    stripped = script.text.rstrip()
    if not stripped or stripped[-1] in ";&|\\`" or not _appends_a_command(stripped, appended):
        return None
    return script.start + 1 + len(stripped)


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

_BRACES = lazy_pattern(r"^(.*?)\{([^{}]*,[^{}]*)\}(.*)$")


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
_SIMPLE_WORD = lazy_pattern(r"[\w./+-]+$")


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
    commands = shell_commands(inst)
    if not any(cmd.name in tools for cmd in commands):
        return None  # none of the tools runs (the common case): no command fills the cache
    if mounted_away(inst, folders):
        return None
    pending: tuple[Command, Word] | None = None
    for cmd in commands:
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


# --------------------------------------------------------------------------- COPY --from
# (used by DL3022 copy-from-undefined-alias, DL3023 copy-from-own-stage and DLS103
# copy-from-invalid-source)

_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)"
_PATH = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
# an image reference as Docker parses one (distribution/reference): [domain[:port]/]path
# [:tag][@digest]; a first component is a domain only with a dot, a port or as localhost
_IMAGE_REFERENCE = lazy_pattern(
    rf"(?:(?:{_DOMAIN}(?:\.{_DOMAIN})+(?::\d+)?|{_DOMAIN}:\d+|localhost)/)?"
    rf"{_PATH}(?:/{_PATH})*"
    r"(?::[\w][\w.-]{0,127})?"
    r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?"
)


@dataclass(frozen=True)
class CopySource:
    """What the ``--from`` of a ``COPY`` names, resolved the way Docker does: a number is a
    stage index, a name is first looked up among the stage names (case-insensitively) and
    otherwise taken as an image reference to pull."""

    value: str  # as written (quotes removed)
    start: int  # the ``--from=…`` flag
    end: int
    # own: the stage the COPY is in; earlier / later: another stage, by name or index;
    # no-stage: an index past the last stage; image: no stage has the name, it is an image
    # reference; not-an-image: no stage has the name and it is no valid image reference;
    # variable: the value holds a variable, unknown here
    kind: str
    stage: int | None = None  # the stage named (earlier, later, own)


def copy_source(inst: Instruction, stage: Stage, ctx: Context) -> CopySource | None:
    """The source a ``COPY --from=…`` copies from (None for any other instruction)."""
    if inst.keyword != "COPY":
        return None
    flags = [f for f in inst.flags if f.name == "from"]
    if not flags:
        return None
    flag = flags[-1]
    value = (flag.value or "").strip()
    if len(value) > 1 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    names = ctx.once(("COPY --from", "stage names"), lambda: _stage_names(ctx.dockerfile))
    kind, named = _resolve(value, stage, len(ctx.dockerfile.stages), names)
    return CopySource(value, flag.start, flag.end, kind, named)


def _stage_names(model: Dockerfile) -> dict[str, list[int]]:
    """Stage name (lower-case) -> the indexes of the stages that have it, in order."""
    names: dict[str, list[int]] = {}
    for s in model.stages:
        if s.alias is not None:
            names.setdefault(s.alias, []).append(s.index)
    return names


def _resolve(
    value: str, stage: Stage, count: int, names: dict[str, list[int]]
) -> tuple[str, int | None]:
    if "$" in value:
        return "variable", None
    if value.isdigit():
        index = int(value)
        if index == stage.index:
            return "own", index
        if index >= count:
            return "no-stage", None
        return ("earlier" if index < stage.index else "later"), index
    lowered = value.lower()
    if stage.alias == lowered:
        return "own", stage.index
    named = names.get(lowered)
    if named:
        earlier = [i for i in named if i < stage.index]
        return ("earlier", earlier[-1]) if earlier else ("later", named[0])
    if _IMAGE_REFERENCE.fullmatch(value):
        return "image", None
    return "not-an-image", None


def label_pairs(inst: Instruction, text: str) -> list[tuple[str, str, int, int]]:
    """The ``key=value`` pairs of a LABEL, each with the span of its key in ``text`` (the
    file; the instruction's span when the key cannot be found as written)."""
    from dockerlint_slim.model import key_value_pairs

    out = []
    pos = inst.raw.args_start
    for key, value in key_value_pairs(inst.args):
        at = text.find(key, pos, inst.end)
        if at < 0:
            out.append((key, value, inst.start, inst.end))
            continue
        out.append((key, value, at, at + len(key)))
        pos = at + len(key)
    return out


def label_schema(ctx: Context) -> dict[str, str]:
    """The label schema of the configuration (label name -> type), empty when none."""
    settings = ctx.settings
    return dict(settings.label_schema) if settings is not None else {}


def typed_labels(inst: Instruction, ctx: Context, kind: str) -> list[tuple[str, str, int, int]]:
    """The pairs of a LABEL whose key the label schema gives type ``kind`` (``url``,
    ``semver``, …), with their key spans (see :func:`label_pairs`)."""
    schema = label_schema(ctx)
    wanted = {label for label, typ in schema.items() if typ == kind}
    if not wanted:
        return []
    return [p for p in label_pairs(inst, ctx.dockerfile.text) if p[0] in wanted]


# --------------------------------------------------------------------------- RUN bodies

# instructions whose shell commands the RUN-body rules read: RUN, and ONBUILD RUN (its
# trigger runs in the images built FROM this one; hadolint checks both)
RUN_KEYWORDS = frozenset({"RUN", "ONBUILD"})


def shell_commands(inst: Instruction) -> tuple[Command, ...]:
    """The commands of a shell-form ``RUN``, or of the ``RUN`` an ``ONBUILD`` wraps."""
    return inst.commands or inst.onbuild_commands


def operand_values(words: Iterable[Word], inst: Instruction) -> list[tuple[Word, str]]:
    """Each of ``words`` (a command's operands) with its value; a word made of variables
    (``$PACKAGES``) is read from the RUN's own variables, ENV and ARG, one value for each
    word of its text. Words whose variables have no known value are left out: nothing can be
    said about them."""
    out: list[tuple[Word, str]] = []
    for w in words:
        if "$" not in w.text:
            out.append((w, w.text))
            continue
        value, known = substitute(w.text, inst.shell_env)
        if known:
            out.extend((w, part) for part in value.split())
    return out


# --------------------------------------------------------------------------- rpm installers
# (used by DL3030/DL3038 yum/dnf without -y and DL3033/DL3041 unpinned yum/dnf installs)

# subcommands that ask "Is this ok [y/N]" before they change packages (``group`` and
# ``module`` are followed by their own subcommand)
_RPM_ASKS = frozenset(
    {
        "install",
        "groupinstall",
        "localinstall",
        "reinstall",
        "remove",
        "erase",
        "upgrade",
        "update",
        "downgrade",
        "distro-sync",
        "autoremove",
        "swap",
        "groupremove",
        "groupupdate",
    }
)
_RPM_ASKS_SECOND = {
    "group": frozenset({"install", "remove", "upgrade", "update"}),
    "groups": frozenset({"install", "remove", "upgrade", "update"}),
    "module": frozenset({"install", "remove", "enable", "disable", "reset", "switch-to"}),
}


def rpm_asks(cmd: Command, tools: Iterable[str]) -> Word | None:
    """The (last) subcommand word when ``cmd`` is one of ``tools`` running a subcommand that
    asks for confirmation and nothing answers it: no ``-y``/``--assumeyes`` (also in a cluster
    such as ``-yq``) and no ``--setopt=assumeyes=1``."""
    if cmd.name not in tools:
        return None
    options, operands = _rpm_operands(cmd)
    if not operands:
        return None
    sub = operands[0]
    if sub.text in _RPM_ASKS_SECOND:
        if len(operands) < 2 or operands[1].text not in _RPM_ASKS_SECOND[sub.text]:
            return None
        sub = operands[1]
    elif sub.text not in _RPM_ASKS:
        return None
    for t in options:
        if t == "--assumeyes" or (not t.startswith("--") and "y" in t):
            return None
        if t.startswith("--setopt=") and t.lower().replace(" ", "").endswith(
            ("assumeyes=1", "assumeyes=true", "assumeyes=yes")
        ):
            return None
    return sub


_RPM_VERSION_CHARS = lazy_pattern(r"[A-Za-z0-9.~^_:+]+")


def rpm_version_fixed(package: str) -> bool:
    """``name-version[-release]`` (``openssl-1:1.1.1k``, ``gcc-c++-1.1.1``), an ``.rpm`` file
    or URL, or a path: a part after the first ``-`` made of version characters and one such
    part starting with a digit (``rpm-sign`` is a name, not a version)."""
    if package.endswith(".rpm") or "/" in package:
        return True
    parts = package.split("-")[1:]
    return (
        bool(parts)
        and all(_RPM_VERSION_CHARS.fullmatch(p) for p in parts)
        and any(p[:1].isdigit() for p in parts)
    )


def rpm_installs(cmd: Command, tools: Iterable[str]) -> tuple[bool, list[Word]] | None:
    """For ``TOOL install …`` and ``TOOL module install …`` of one of ``tools``: whether it
    installs modules, and the words naming what it installs (groups, ``@…``, left out)."""
    if cmd.name not in tools:
        return None
    _, operands = _rpm_operands(cmd)
    if not operands:
        return None
    module = operands[0].text == "module"
    rest = operands[1:] if module else operands
    if not rest or rest[0].text != "install":
        return None
    return module, [w for w in rest[1:] if not w.text.startswith("@")]


# --------------------------------------------------------------------------- argument words
# (used by the rules that read the arguments of instructions other than RUN)


@dataclass(frozen=True)
class ArgWord:
    """One word of an instruction's arguments: ``text`` as written (quotes kept) and its
    span in the file. A word continued over lines spans the line break."""

    text: str
    start: int
    end: int
    escape: str = "\\"  # the file's escape character

    @property
    def value(self) -> str:
        """The word without its quotes and escapes (BuildKit's reading)."""
        return unquote(self.text, self.escape)


def arg_words(raw: RawInstruction, text: str, escape: str = "\\") -> list[ArgWord]:
    """The words of ``raw``'s arguments (after its flags), split on unquoted whitespace like
    BuildKit, each with its span in ``text``. Linear in the instruction's length."""
    chars: list[str] = []
    offsets: list[int] = []
    for seg in raw.segments:
        start = max(seg.start, raw.args_start)
        if start >= seg.end:
            continue
        chars.append(text[start : seg.end])
        offsets.extend(range(start, seg.end))
    value = "".join(chars)
    words: list[ArgWord] = []
    for b, e in word_spans(value, 0, escape):
        words.append(ArgWord(value[b:e], offsets[b], offsets[e - 1] + 1, escape))
    return words


def own(inst: Instruction) -> RawInstruction:
    """The instruction that ``inst`` runs: the one an ``ONBUILD`` wraps, else ``inst`` itself
    (rules that judge an instruction judge it inside ``ONBUILD`` too, as hadolint does)."""
    return inst.raw.sub if inst.raw.sub is not None else inst.raw


def keyword_span(raw: RawInstruction) -> tuple[int, int]:
    return raw.keyword_span.start, raw.keyword_span.end


def copy_operands(raw: RawInstruction, text: str, escape: str) -> list[tuple[str, int, int]]:
    """The sources and the destination (last) of a COPY or ADD, each as (value, start, end):
    the value without quotes and the span of the word in ``text``. In exec form the spans are
    those of the JSON strings, quotes included."""
    if raw.json_args is not None:
        out: list[tuple[str, int, int]] = []
        at = raw.args_start
        for value in raw.json_args:
            start = text.find('"', at, raw.command_end)
            end = start + 1
            while 0 < end < raw.command_end and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if start < 0 or end >= raw.command_end:
                return [(v, raw.args_start, raw.args_start) for v in raw.json_args]
            out.append((value, start, end + 1))
            at = end + 1
        return out
    return [(w.value, w.start, w.end) for w in arg_words(raw, text, escape)]


# the names of the archives that ADD unpacks (gzip, bzip2, xz, zstd and plain tar)
ARCHIVE_SUFFIXES = (
    ".tar",
    ".Z",
    ".bz2",
    ".gz",
    ".lz",
    ".lzma",
    ".tZ",
    ".tb2",
    ".tbz",
    ".tbz2",
    ".tgz",
    ".tlz",
    ".tpz",
    ".txz",
    ".xz",
    ".zst",
    ".tzst",
)


# --------------------------------------------------------------------------- repeated settings
# (used by DL4003 cmd-repeated, DL4004 entrypoint-repeated, DL3012 healthcheck-repeated)


class RepeatedInstruction(Rule):
    """An instruction of which only the last of a stage takes effect (``repeated``), written
    more than once in a stage: each one after the first is reported, with the one it
    overrides as a related location, and the fix deletes that overridden one (it changes
    nothing in the image). ``ONBUILD`` triggers are not counted: they run in another build."""

    repeated: ClassVar[str] = ""

    def __init__(self) -> None:
        self._last: dict[int, Instruction] = {}  # stage -> the last one seen so far

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        if inst.keyword != self.repeated:
            return
        before = self._last.get(stage.index)
        self._last[stage.index] = inst
        if before is None:
            return
        raw = inst.raw
        line = before.line
        message = (
            f"`{self.repeated}` is set again here: only the last `{self.repeated}` of a stage "
            f"takes effect, so the one on line {line} does nothing."
        )
        related = [(before.raw.keyword_span.start, before.raw.command_end, "overridden here")]
        edits = [Edit(before.start, before.end, "")]
        yield self.violation(
            raw.keyword_span.start, raw.command_end, message=message, edits=edits, related=related
        )


# --------------------------------------------------------------------------- users
# (used by DL3002 user-root and DLS008 runs-as-root)

ROOT_USERS = frozenset({"root", "0"})


def last_user(df: Dockerfile, stage: Stage) -> tuple[Instruction, str, bool] | None:
    """The last ``USER`` that ``stage``'s image gets (its own or one of the stages it is
    built FROM), the user it names (variables expanded, group dropped) and whether every
    variable in it was known; None when no stage of the lineage has a ``USER``."""
    for s in df.lineage(stage):
        for inst in reversed(s.instructions):
            if inst.keyword == "USER" and inst.args.strip():
                value, known = substitute(inst.args.split()[0], inst.env)
                return inst, value.split(":")[0], known
    return None


def rpm_unpinned(rule: Rule, inst: Instruction, tools: Sequence[str]) -> Iterator[Violation]:
    """DL3033 and DL3041: the installs of ``tools`` (yum; dnf and microdnf) in ``inst``
    that name a package without a version (``package-version``) or a module without a
    stream (``module:stream``), at the first such word."""
    for cmd in shell_commands(inst):
        found = rpm_installs(cmd, tools)
        if found is None:
            continue
        module, words = found
        values = operand_values(words, inst)
        if module:
            loose = [(w, p) for w, p in values if ":" not in p]
            what, form = "module", "`module:stream`"
        else:
            loose = [(w, p) for w, p in values if not rpm_version_fixed(p)]
            what, form = "", "`package-version`"
        if loose:
            names = names_list([p for _, p in loose], 3)
            kind = f"{what} " if what else ""
            yield rule.violation(
                loose[0][0].start,
                loose[0][0].end,
                message=f"`{cmd.name}` installs {kind}{names} without a pinned version ({form}).",
            )


def rpm_without_yes(rule: Rule, inst: Instruction, tools: Sequence[str]) -> Iterator[Violation]:
    """DL3030 and DL3038: the subcommands of ``tools`` (yum; dnf and microdnf) in ``inst``
    that ask for a confirmation without ``-y``, with the fix that adds it."""
    for cmd in shell_commands(inst):
        sub = rpm_asks(cmd, tools)
        if sub is None:
            continue
        yield rule.violation(
            cmd.argv[0].start,
            sub.end,
            message=f"`{cmd.name} {sub.text}` without `-y` stops at its confirmation "
            "prompt, which the build cannot answer.",
            edits=[Edit(sub.end, sub.end, " -y")],
        )
