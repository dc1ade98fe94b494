"""The immutable model of a Dockerfile: stages, instructions and parsed RUN bodies.

Built from a :class:`~dockerlint_slim.scanner.ScanResult` by :func:`build_model`. Rules read
this model only; they never look at raw text except through the spans it gives.
"""

from __future__ import annotations

import bisect
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TypeVar, overload

from .scanner import Blank, Comment, Flag, Heredoc, RawInstruction, ScanResult, scan
from .shell import Command, Word, blank_run_text, parse_shell

__all__ = [
    "SHELLS",
    "Dockerfile",
    "Env",
    "ImageRef",
    "Instruction",
    "ModelError",
    "Overlay",
    "Stage",
    "build_model",
    "change_workdir",
    "substitute",
]


_T = TypeVar("_T")
_V = TypeVar("_V", covariant=True)


class ModelError(Exception):
    """The file scans but cannot be modelled as asked (e.g. an unknown ``--target``)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


# --------------------------------------------------------------------------- variables

_VAR_RE = re.compile(
    r"\$(?:\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-+])(?P<word>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


def substitute(text: str, values: Mapping[str, str | None]) -> tuple[str, bool]:
    """Expand ``$V``, ``${V}``, ``${V:-w}``, ``${V-w}``, ``${V:+w}``, ``${V+w}`` like BuildKit.

    Returns the expanded text and whether every variable was known (declared, even empty).
    """
    complete = True

    def repl(m: re.Match[str]) -> str:
        nonlocal complete
        name = m.group("name") or m.group("bare")
        op = m.group("op")
        word = m.group("word") or ""
        declared = name in values
        value = values.get(name)
        if op is None:
            if value is None:
                complete = False
                return ""
            return value
        if op == ":-":
            return value if value else word
        if op == "-":
            return value if declared and value is not None else word
        if op == ":+":
            return word if value else ""
        return word if declared else ""  # "+"

    return _VAR_RE.sub(repl, text), complete


def change_workdir(current: str | None, value: str, env: Mapping[str, str | None]) -> str | None:
    """The working folder after ``WORKDIR value`` (variables expanded from ``env``) when it
    was ``current``; None when either cannot be told."""
    value, known = substitute(value.strip(), env)
    value = value.strip("\"'")
    if not known or current is None or not value:
        return None
    return posixpath.normpath(posixpath.join(current, value))


# --------------------------------------------------------------------------- environments


class _EnvStore:
    """The values that the ENV and ARG instructions of a line of stages set, with the version
    (a count of the instructions that changed something) each was set at: one store serves
    every instruction of those stages, so no instruction needs a copy of the map.

    ``base`` is the environment the first stage starts from when it is built FROM a stage whose
    store another stage continued already (read when a name is not set here)."""

    __slots__ = ("base", "depth", "history", "sizes", "version")

    def __init__(self, base: Env | None = None) -> None:
        self.base = base
        self.depth: int = base._store.depth + 1 if base is not None else 0
        # name -> (versions it was set at, ascending; the values)
        self.history: dict[str, tuple[list[int], list[str]]] = {}
        self.sizes = [len(base) if base is not None else 0]  # how many names per version
        self.version = 0

    def lookup(self, key: str, version: int) -> str | None:
        found = self.history.get(key)
        if found is not None:
            versions, values = found
            if versions[-1] <= version:
                return values[-1]
            at = bisect.bisect_right(versions, version)
            if at:
                return values[at - 1]
        return self.base._get(key) if self.base is not None else None


class Env(Mapping[str, str]):
    """The environment an instruction sees (its stage's ENV values and the ARG values in
    effect): a read-only mapping. Instructions between two changes share one ``Env``; a change
    records only the names it sets, so building the environments of a file takes time and
    memory linear in its ENV and ARG instructions. Reading a name is a dict look-up (a binary
    search when the name was set again later in the stage)."""

    __slots__ = ("_store", "_version")

    def __init__(self, store: _EnvStore | None = None, version: int = 0) -> None:
        self._store = store if store is not None else _EnvStore()
        self._version = version

    def _get(self, key: str) -> str | None:
        return self._store.lookup(key, self._version)

    def __getitem__(self, key: str) -> str:
        value = self._get(key)
        if value is None:
            raise KeyError(key)
        return value

    @overload
    def get(self, key: str, /) -> str | None: ...
    @overload
    def get(self, key: str, default: str | _T, /) -> str | _T: ...
    def get(self, key: str, default: object = None, /) -> object:
        value = self._get(key)
        return default if value is None else value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._get(key) is not None

    def __len__(self) -> int:
        return self._store.sizes[self._version]

    def __iter__(self) -> Iterator[str]:
        store, version = self._store, self._version
        own = [k for k, (versions, _) in store.history.items() if versions[0] <= version]
        if store.base is None:
            return iter(own)
        return iter(dict.fromkeys([*store.base, *own]))

    def __repr__(self) -> str:
        return f"Env({dict(self)!r})"


class _EnvBuilder:
    """Builds the environments of one stage's instructions (see :class:`Env`)."""

    _MAX_DEPTH = 16  # stores read through before a stage's start is copied instead

    def __init__(self, start: Env | None = None) -> None:
        if start is None:
            self.store = _EnvStore()
        elif start._version == start._store.version:
            self.store = start._store  # nothing came after it: continue its store
        elif start._store.depth < self._MAX_DEPTH:
            self.store = _EnvStore(start)
        else:
            self.store = _EnvStore()
            for key in start:
                self._write(key, start[key])
            self.store.version = 0
        self.current = start if start is not None else Env(self.store, 0)
        self._open = False  # the newest version is being written

    @property
    def live(self) -> Env:
        """The environment with the writes of the instruction being read."""
        return Env(self.store, self.store.version) if self._open else self.current

    def _write(self, key: str, value: str) -> None:
        store = self.store
        found = store.history.get(key)
        if found is None:
            store.history[key] = ([store.version], [value])
            if store.base is None or key not in store.base:
                store.sizes[-1] += 1
        elif found[0][-1] == store.version:
            found[1][-1] = value
        else:
            found[0].append(store.version)
            found[1].append(value)

    def set(self, key: str, value: str) -> None:
        if not self._open:
            self.store.version += 1
            self.store.sizes.append(self.store.sizes[-1])
            self._open = True
        self._write(key, value)

    def setdefault(self, key: str, value: str) -> None:
        if key not in self.live:
            self.set(key, value)

    def commit(self) -> Env:
        """The environment after the instruction: ``current`` when it changed nothing."""
        if self._open:
            self.current = Env(self.store, self.store.version)
            self._open = False
        return self.current


class Overlay(Mapping[str, _V]):
    """``top`` read before ``below``, without copying either (``{**below, **top}`` as a
    view)."""

    __slots__ = ("below", "top")

    def __init__(self, top: Mapping[str, _V], below: Mapping[str, _V]) -> None:
        self.top = top
        self.below = below

    def __getitem__(self, key: str) -> _V:
        if key in self.top:
            return self.top[key]
        return self.below[key]

    def __contains__(self, key: object) -> bool:
        return key in self.top or key in self.below

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self.top, *self.below]))

    def __len__(self) -> int:
        return sum(1 for _ in self)


_EMPTY_ENV = Env()


# --------------------------------------------------------------------------- images


@dataclass(frozen=True)
class ImageRef:
    """A parsed image reference such as ``docker.io/library/python:3.11-slim@sha256:…``."""

    raw: str  # after ARG substitution
    registry: str
    repository: str  # "python", "library/python" is normalised to "python"
    tag: str | None
    digest: str | None
    resolved: bool = True  # False when an ARG in the reference had no value

    @classmethod
    def parse(cls, text: str, resolved: bool = True) -> ImageRef:
        rest = text.strip()
        digest = None
        if "@" in rest:
            rest, _, digest = rest.partition("@")
        registry = ""
        first, sep, remainder = rest.partition("/")
        if sep and ("." in first or ":" in first or first == "localhost"):
            registry, rest = first, remainder
        tag = None
        slash = rest.rfind("/")
        colon = rest.rfind(":")
        if colon > slash:
            rest, tag = rest[:colon], rest[colon + 1 :]
        repository = rest.lower()
        if registry in ("", "docker.io", "index.docker.io") and repository.startswith("library/"):
            repository = repository[len("library/") :]
        return cls(text.strip(), registry, repository, tag, digest, resolved)

    @property
    def name(self) -> str:
        """Last path component of the repository: ``python``, ``alpine``."""
        return self.repository.rsplit("/", 1)[-1]

    @property
    def is_scratch(self) -> bool:
        return self.repository == "scratch" and not self.registry

    @property
    def official(self) -> bool:
        """A Docker Hub official image (no namespace)."""
        return self.registry in ("", "docker.io", "index.docker.io") and "/" not in self.repository

    def __str__(self) -> str:
        return self.raw


# --------------------------------------------------------------------------- instructions

# programs that run a shell command line or script (the first word of an exec form)
SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "busybox"})


@dataclass(frozen=True)
class Instruction:
    """One instruction. ``stage`` is ``None`` for ARGs before the first FROM."""

    index: int
    raw: RawInstruction
    stage: int | None
    commands: tuple[Command, ...] = ()  # shell-form RUN: every simple command, in order
    env: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    comments: tuple[Comment, ...] = ()  # the comment block directly above
    # shell-form RUN: the shell variables it sets on their own (``deps='gcc' && …``), in order
    shell_vars: tuple[tuple[str, str], ...] = ()
    # ``ONBUILD RUN …`` in shell form: the commands of the trigger (they run in the images
    # built FROM this one, so they are kept apart from ``commands``)
    onbuild_commands: tuple[Command, ...] = ()

    @property
    def shell_env(self) -> Mapping[str, str]:
        """``env`` with the RUN's own shell variables on top: what ``$deps`` in its commands
        reads (a variable set after its use is taken too: a rare shape)."""
        if not self.shell_vars:
            return self.env
        return Overlay(dict(self.shell_vars), self.env)

    @property
    def keyword(self) -> str:
        return self.raw.keyword

    @property
    def line(self) -> int:
        return self.raw.line

    @property
    def end_line(self) -> int:
        return self.raw.end_line

    @property
    def start(self) -> int:
        return self.raw.start

    @property
    def end(self) -> int:
        return self.raw.end

    @property
    def flags(self) -> tuple[Flag, ...]:
        return self.raw.flags

    @property
    def args(self) -> str:
        return self.raw.args

    @property
    def heredocs(self) -> tuple[Heredoc, ...]:
        return self.raw.heredocs

    @property
    def form(self) -> str:
        """``exec`` (JSON array), ``shell``, or ``none`` (no arguments)."""
        if self.raw.json_args is not None:
            return "exec"
        return "shell" if self.raw.args else "none"

    @property
    def exec_args(self) -> tuple[str, ...] | None:
        return self.raw.json_args

    def flag(self, name: str) -> str | None:
        """Value of the last ``--name`` flag ("" for a bare flag), ``None`` when absent."""
        found: str | None = None
        for f in self.raw.flags:
            if f.name == name:
                found = f.value if f.value is not None else ""
        return found

    def flag_values(self, name: str) -> list[str]:
        return [f.value or "" for f in self.raw.flags if f.name == name]

    def mounts(self) -> list[dict[str, str]]:
        """``--mount`` flags as dictionaries (``type`` defaults to ``bind``)."""
        out = []
        for value in self.flag_values("mount"):
            opts: dict[str, str] = {"type": "bind"}
            for part in value.split(","):
                key, sep, val = part.partition("=")
                opts[key.strip().lower()] = val.strip() if sep else "true"
            if "dst" in opts and "target" not in opts:
                opts["target"] = opts["dst"]
            if "destination" in opts and "target" not in opts:
                opts["target"] = opts["destination"]
            out.append(opts)
        return out

    def cache_mount_targets(self) -> list[str]:
        return [m.get("target", "") for m in self.mounts() if m.get("type") == "cache"]


# --------------------------------------------------------------------------- stages


@dataclass(frozen=True)
class Stage:
    index: int
    alias: str | None
    from_instruction: Instruction
    base: ImageRef
    parent: int | None  # index of the stage this one is built FROM, if any
    instructions: tuple[Instruction, ...]  # FROM first
    ships: bool = False  # the target stage or one of its FROM-ancestors
    is_target: bool = False

    @property
    def name(self) -> str:
        return self.alias or str(self.index)


@dataclass(frozen=True)
class Dockerfile:
    path: str
    text: str
    scan: ScanResult
    stages: tuple[Stage, ...]
    instructions: tuple[Instruction, ...]  # in file order, global ARGs included
    global_args: Mapping[str, str | None] = field(default_factory=dict, compare=False)

    @property
    def target(self) -> Stage | None:
        for s in self.stages:
            if s.is_target:
                return s
        return None

    def stage_of(self, inst: Instruction) -> Stage | None:
        return self.stages[inst.stage] if inst.stage is not None else None

    def lineage(self, stage: Stage) -> Iterator[Stage]:
        """``stage`` and then the stages it is built FROM, nearest first."""
        seen = set()
        current: Stage | None = stage
        while current is not None and current.index not in seen:
            seen.add(current.index)
            yield current
            current = self.stages[current.parent] if current.parent is not None else None

    def inherited_instructions(self, stage: Stage) -> list[Instruction]:
        """Every instruction that builds ``stage``'s image, oldest first (through FROM)."""
        chain = list(self.lineage(stage))
        out: list[Instruction] = []
        for s in reversed(chain):
            out.extend(s.instructions)
        return out


# --------------------------------------------------------------------------- building


def _stage_shell(raw: RawInstruction) -> str | None:
    if raw.json_args:
        return raw.json_args[0]
    return None


def _run_commands(
    raw: RawInstruction, text: str, escape: str
) -> tuple[tuple[Command, ...], tuple[tuple[str, str], ...]]:
    """Parse a shell-form RUN into commands and the shell variables it sets on their own.
    Heredoc bodies run by a shell are parsed too."""
    if raw.json_args is not None or raw.args_start >= raw.command_end:
        return (), ()
    segments = [(s.start, s.end) for s in raw.segments]
    snippet = blank_run_text(text, raw.args_start, raw.command_end, segments)
    if escape != "\\":
        snippet = snippet.replace(escape + " ", "  ")
    heredoc_words = []
    for h in raw.heredocs:
        s, e = h.marker.start - raw.args_start, h.marker.end - raw.args_start
        if 0 <= s <= e <= len(snippet):
            heredoc_words.append(snippet[s:e])
            snippet = snippet[:s] + " " * (e - s) + snippet[e:]
    parsed, assigned = parse_shell(snippet, raw.args_start)
    commands, variables = list(parsed), list(assigned)
    if raw.heredocs:
        program = snippet.split()
        runs_shell = not program or (program[0].rsplit("/", 1)[-1] in SHELLS)
        if runs_shell:
            for h in raw.heredocs:
                body = text[h.body.start : h.body.end]
                more, more_vars = parse_shell(body, h.body.start)
                commands.extend(more)
                variables.extend(more_vars)
    return tuple(commands), tuple(variables)


# a program word that is one variable: `$PIP install`, `"${PYTHON}" -m pip`
_PROGRAM_VAR = re.compile(r'"?\$(?:\{(\w+)\}|(\w+))"?')
_PLAIN_WORD = re.compile(r"[\w./+=:@-]+")


def _expand_programs(
    commands: tuple[Command, ...],
    shell_vars: tuple[tuple[str, str], ...],
    env: Mapping[str, str | None],
) -> tuple[Command, ...]:
    """Commands whose program is named by a variable (``ARG PIP=pip3`` … ``RUN ${PIP}
    install``) with the variable's value read from the RUN's own assignments, then ENV and
    ARG defaults. The words of the value take the variable's place (and its offsets), so rules
    and the rewrite read ``pip3 install``; a value that is not plain words is left alone."""
    if not any(c.argv and "$" in c.argv[0].raw for c in commands):
        return commands
    own = dict(shell_vars)
    out = []
    for cmd in commands:
        first = cmd.argv[0] if cmd.argv else None
        m = _PROGRAM_VAR.fullmatch(first.raw) if first is not None else None
        if first is None or m is None:
            out.append(cmd)
            continue
        name = m.group(1) or m.group(2)
        value = own.get(name, env.get(name))
        words = value.split() if value else []
        if not words or len(words) > 4 or not all(_PLAIN_WORD.fullmatch(w) for w in words):
            out.append(cmd)
            continue
        new = tuple(Word(w, first.raw, first.start, first.end) for w in words)
        out.append(
            Command(
                new + cmd.argv[1:], cmd.assignments, cmd.wrappers, cmd.start, cmd.end, cmd.piped
            )
        )
    return tuple(out)


def build_model(
    text_or_scan: str | ScanResult, path: str = "Dockerfile", target: str | None = None
) -> Dockerfile:
    """Model a Dockerfile. ``target`` is a stage name or index (``--target``); by default the
    last stage ships. Raises :class:`~dockerlint_slim.scanner.ScanError` or
    :class:`ModelError`."""
    result = scan(text_or_scan) if isinstance(text_or_scan, str) else text_or_scan
    text = result.text
    instructions: list[Instruction] = []
    stage_rows: list[dict] = []
    global_args: dict[str, str | None] = {}
    aliases: dict[str, int] = {}
    env = _EnvBuilder()
    stage_envs: list[Env] = []  # the environment at the end of each stage
    powershell = False
    comments: list[Comment] = []
    for item in result.items:
        if isinstance(item, Comment):
            comments.append(item)
            continue
        if not isinstance(item, RawInstruction):
            if isinstance(item, Blank):
                comments = []
            continue
        raw = item
        above = tuple(comments)
        comments = []
        index = len(instructions)
        kw = raw.keyword
        if kw == "FROM":
            words = raw.args.split()
            base_text = words[0] if words else ""
            alias = None
            if len(words) >= 3 and words[1].lower() == "as":
                alias = words[2].lower()
            expanded, complete = substitute(base_text, global_args)
            parent = None
            lowered = expanded.lower()
            if lowered in aliases:
                parent = aliases[lowered]
            elif expanded.isdigit() and int(expanded) < len(stage_rows):
                parent = int(expanded)
            sidx = len(stage_rows)
            if stage_rows:
                stage_envs.append(env.current)
            env = _EnvBuilder(stage_envs[parent] if parent is not None else None)
            powershell = stage_rows[parent]["powershell"] if parent is not None else False
            inst = Instruction(index, raw, sidx, (), env.current, above)
            stage_rows.append(
                {
                    "alias": alias,
                    "inst": inst,
                    "base": ImageRef.parse(expanded or base_text, resolved=complete),
                    "parent": parent,
                    "insts": [inst],
                    "powershell": powershell,
                }
            )
            if alias:
                aliases[alias] = sidx
            instructions.append(inst)
            continue
        if not stage_rows:
            # Only ARG may come before the first FROM (the scanner accepts others; we model
            # them as global instructions so nothing is lost).
            if kw == "ARG":
                for name, value in _arg_pairs(raw.args):
                    if value is not None:
                        value, _ = substitute(value, global_args)
                    global_args[name] = value
            instructions.append(Instruction(index, raw, None, (), _EMPTY_ENV, above))
            continue
        row = stage_rows[-1]
        sidx = len(stage_rows) - 1
        commands: tuple[Command, ...] = ()
        shell_vars: tuple[tuple[str, str], ...] = ()
        if kw == "RUN" and not row["powershell"]:
            commands, shell_vars = _run_commands(raw, text, result.escape)
            commands = _expand_programs(commands, shell_vars, env.current)
        onbuild: tuple[Command, ...] = ()
        sub = raw.sub
        if kw == "ONBUILD" and sub is not None and sub.keyword == "RUN" and not row["powershell"]:
            onbuild = _run_commands(sub, text, result.escape)[0]
        inst = Instruction(index, raw, sidx, commands, env.current, above, shell_vars, onbuild)
        if kw == "ENV":
            for name, value in _env_pairs(raw.args):
                env.set(name, substitute(value, Overlay(env.live, global_args))[0])
            env.commit()
        elif kw == "ARG":
            for name, value in _arg_pairs(raw.args):
                if value is None:
                    value = global_args.get(name)
                if value is not None:
                    env.setdefault(name, value)
            env.commit()
        elif kw == "SHELL":
            shell = _stage_shell(raw) or ""
            row["powershell"] = (
                "powershell" in shell.lower()
                or "pwsh" in shell.lower()
                or (shell.lower().endswith("cmd") or shell.lower().endswith("cmd.exe"))
            )
        row["insts"].append(inst)
        instructions.append(inst)

    stages = [
        Stage(
            index=i,
            alias=row["alias"],
            from_instruction=row["inst"],
            base=row["base"],
            parent=row["parent"],
            instructions=tuple(row["insts"]),
        )
        for i, row in enumerate(stage_rows)
    ]
    target_index: int | None = None
    if stages:
        if target is None:
            target_index = len(stages) - 1
        elif target.lower() in aliases:
            target_index = aliases[target.lower()]
        elif target.isdigit() and int(target) < len(stages):
            target_index = int(target)
        else:
            names = ", ".join(s.name for s in stages)
            raise ModelError(f"target stage {target!r} not found (stages: {names})")
    shipping: set[int] = set()
    current = target_index
    while current is not None and current not in shipping:
        shipping.add(current)
        current = stages[current].parent
    stages = [
        Stage(
            s.index,
            s.alias,
            s.from_instruction,
            s.base,
            s.parent,
            s.instructions,
            ships=s.index in shipping,
            is_target=s.index == target_index,
        )
        for s in stages
    ]
    return Dockerfile(path, text, result, tuple(stages), tuple(instructions), global_args)


def _arg_pairs(args: str) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for word in _split_words(args):
        name, sep, value = word.partition("=")
        out.append((name, _unquote(value) if sep else None))
    return out


def _env_pairs(args: str) -> list[tuple[str, str]]:
    words = _split_words(args)
    if words and "=" not in words[0]:
        # legacy form: ENV NAME value with spaces
        name = words[0]
        value = args.strip()[len(name) :].strip()
        return [(name, _unquote(value))]
    return [(w.partition("=")[0], _unquote(w.partition("=")[2])) for w in words if "=" in w]


def _split_words(text: str) -> list[str]:
    """Split on unquoted whitespace, keeping quotes (BuildKit's key=value word rules)."""
    words: list[str] = []
    buf: list[str] = []
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            buf.append(ch)
            if ch == "\\" and quote == '"' and i + 1 < len(text):
                buf.append(text[i + 1])
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
            buf.append(ch)
        elif ch == "\\" and i + 1 < len(text):
            buf.append(ch)
            buf.append(text[i + 1])
            i += 1
        elif ch.isspace():
            if buf:
                words.append("".join(buf))
                buf = []
        else:
            buf.append(ch)
        i += 1
    if buf:
        words.append("".join(buf))
    return words


def _unquote(value: str) -> str:
    out: list[str] = []
    quote = ""
    i = 0
    while i < len(value):
        ch = value[i]
        if quote:
            if ch == quote:
                quote = ""
            elif ch == "\\" and quote == '"' and i + 1 < len(value):
                i += 1
                out.append(value[i])
            else:
                out.append(ch)
        elif ch in "\"'":
            quote = ch
        elif ch == "\\" and i + 1 < len(value):
            i += 1
            out.append(value[i])
        else:
            out.append(ch)
        i += 1
    return "".join(out)
