"""The immutable model of a Dockerfile: stages, instructions and parsed RUN bodies.

Built from a :class:`~dockerlint_slim.scanner.ScanResult` by :func:`build_model`. Rules read
this model only; they never look at raw text except through the spans it gives.
"""

from __future__ import annotations

import bisect
import json
import os
import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, overload

from .lazy import lazy_pattern
from .scanner import Blank, Comment, Flag, Heredoc, RawInstruction, ScanResult, scan
from .shell import Command, Word, blank_run_text, command_from_words, parse_shell

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
    "exec_scripts",
    "exec_words",
    "key_value_pairs",
    "shell_kind",
    "shell_script",
    "substitute",
    "unquote",
    "windows_image",
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

_VAR_RE = lazy_pattern(
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


# tag words of Windows images: python:3.12-windowsservercore-ltsc2022, …-nanoserver-1809,
# mcr.microsoft.com/powershell:lts-windowsservercore-ltsc2022, dotnet/sdk:8.0-nanoserver-…
_WINDOWS_TAG_WORDS = frozenset({"windowsservercore", "nanoserver", "servercore", "windows"})


def windows_image(image: ImageRef, platform: str | None = None) -> bool:
    """Whether ``image`` is a Windows container image: ``FROM --platform=windows/…``,
    Microsoft's Windows bases (``mcr.microsoft.com/windows/servercore``, ``…/nanoserver``,
    ``…/windows``, ``…/windows/server``, the old ``microsoft/windowsservercore``, the .NET
    Framework images ``mcr.microsoft.com/dotnet/framework/…``), or a tag
    that names a Windows variant (``python:3.12-windowsservercore-ltsc2022``,
    ``mcr.microsoft.com/powershell:lts-nanoserver-1809``)."""
    if platform is not None:
        return platform.strip().lower().startswith("windows")
    parts = image.repository.split("/")
    microsoft = image.registry == "mcr.microsoft.com" or (
        not image.registry and parts[0] == "microsoft"
    )
    if microsoft and (
        parts[0] == "windows"
        or parts[-1] in ("windowsservercore", "nanoserver", "servercore", "windows")
        or parts[:2] == ["dotnet", "framework"]  # .NET Framework images are Windows only
    ):
        return True
    tag = (image.tag or "").lower()
    return any(word in _WINDOWS_TAG_WORDS for word in re.split(r"[-_.]", tag))


# --------------------------------------------------------------------------- instructions

# programs that run a shell command line or script (the first word of an exec form)
SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "busybox"})


@dataclass(frozen=True)
class Instruction:
    """One instruction. ``stage`` is ``None`` for ARGs before the first FROM."""

    index: int
    raw: RawInstruction
    stage: int | None
    # RUN: every simple command, in order (exec form: the array, or the script it hands a shell)
    commands: tuple[Command, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    comments: tuple[Comment, ...] = ()  # the comment block directly above
    # shell-form RUN: the shell variables it sets on their own (``deps='gcc' && …``), in order
    shell_vars: tuple[tuple[str, str], ...] = ()
    # the shell that runs a shell-form RUN: ``sh`` (any POSIX shell), ``powershell`` (also
    # pwsh) or ``cmd`` (the default on Windows images), after the stage's ``SHELL``
    shell: str = "sh"
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
        """``--mount`` flags as dictionaries (``type`` defaults to ``bind``): those of a
        ``RUN``, or of the ``RUN`` an ``ONBUILD`` wraps."""
        out = []
        flags = self.raw.sub.flags if self.raw.sub is not None else self.raw.flags
        for value in [f.value or "" for f in flags if f.name == "mount"]:
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
    """One build stage: its FROM, base image, parent stage and instructions."""

    index: int
    alias: str | None
    from_instruction: Instruction
    base: ImageRef
    parent: int | None  # index of the stage this one is built FROM, if any
    instructions: tuple[Instruction, ...]  # FROM first
    ships: bool = False  # the target stage or one of its FROM-ancestors
    is_target: bool = False
    windows: bool = False  # a Windows image (its base, or the stage it is built FROM, is)

    @property
    def name(self) -> str:
        return self.alias or str(self.index)


@dataclass(frozen=True)
class Dockerfile:
    """A modelled Dockerfile: its text, scan, stages and instructions."""

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


def shell_kind(program: str) -> str:
    """``sh``, ``powershell`` or ``cmd``: the kind of shell a ``SHELL`` program is
    (``C:\\Windows\\System32\\cmd.exe``, ``pwsh``, ``/bin/bash``…)."""
    name = re.split(r"[\\/]", program.strip().lower())[-1]
    name = name[:-4] if name.endswith(".exe") else name
    if name in ("powershell", "pwsh"):
        return "powershell"
    if name == "cmd":
        return "cmd"
    return "sh"


# PowerShell and cmd lines: statements end at these; a word is text between blanks, with
# "double" (both) and 'single' (PowerShell) quotes kept together
_STATEMENT_END = {
    "powershell": re.compile(r"&&|\|\||[;|\n]"),  # a lone & is the call operator
    "cmd": re.compile(r"&&|\|\||[;|&\n]"),
}
_PLAIN_WORD = lazy_pattern(r"(?:\"[^\"]*\"|'[^']*'|[^\s\"';|&])+")


def _plain_commands(raw: RawInstruction, text: str, shell: str) -> tuple[Command, ...]:
    """A PowerShell or cmd RUN read as plain command lines: statements split at ``;``,
    ``&&``, ``||``, ``|``, ``&`` and line breaks, words at blanks (quotes kept together and
    removed from the word's text). Enough to see ``pip install flask`` or
    ``& C:\\Python\\python.exe -m pip install flask``; script blocks, pipelines of
    cmdlets and variables are not understood (their words are read as written). A program
    given by a Windows path is named by its file name without ``.exe`` (``pip``)."""
    if raw.json_args is not None or raw.args_start >= raw.command_end or raw.heredocs:
        return ()
    segments = [(s.start, s.end) for s in raw.segments]
    snippet = blank_run_text(text, raw.args_start, raw.command_end, segments)
    return _plain_lines(snippet, raw.args_start, shell)


def _plain_lines(snippet: str, offset: int, shell: str) -> tuple[Command, ...]:
    """The commands of PowerShell or cmd text ``snippet``, which starts at file offset
    ``offset`` (see :func:`_plain_commands`)."""
    commands: list[Command] = []
    begin = 0
    ends = [m.start() for m in _STATEMENT_END[shell].finditer(snippet)]
    comment_end = 0  # a comment runs to the end of its line, over `;` and `&`
    for end in [*ends, len(snippet)]:
        words = [
            _plain_word(m.group(0), offset + m.start())
            for m in _PLAIN_WORD.finditer(snippet, max(begin, comment_end), end)
        ]
        begin = end + (2 if snippet.startswith(("&&", "||"), end) else 1)
        if shell == "powershell":
            at = next((n for n, w in enumerate(words) if w.raw.startswith("#")), None)
        else:
            at = 0 if words and words[0].text.lower() in ("rem", "::") else None
        if at is not None:
            line_end = snippet.find("\n", words[at].start - offset)
            comment_end = len(snippet) if line_end < 0 else line_end
            words = words[:at]
        if words:
            words[0] = _program(words[0])
            cmd = command_from_words(words, words[0].start, words[-1].end)
            if cmd is not None:
                commands.append(cmd)
    return tuple(commands)


def _program(word: Word) -> Word:
    """A program given by a Windows path, named by its file name without ``.exe``:
    ``C:\\Python312\\Scripts\\pip.exe`` -> ``pip`` (offsets and raw text kept)."""
    if "\\" not in word.text and not word.text.lower().endswith(".exe"):
        return word
    program = re.split(r"[\\/]", word.text)[-1]
    if program.lower().endswith(".exe"):
        program = program[:-4]
    return Word(program, word.raw, word.start, word.end)


def _plain_word(raw: str, start: int) -> Word:
    text = re.sub(r"\"([^\"]*)\"|'([^']*)'", lambda m: m.group(1) or m.group(2) or "", raw)
    return Word(text, raw, start, start + len(raw))


def _stage_shell(raw: RawInstruction) -> str | None:
    if raw.json_args:
        return raw.json_args[0]
    return None


_JSON_STRING = lazy_pattern(r'"(?:[^"\\]|\\.)*"', re.S)


def exec_words(raw: RawInstruction, text: str) -> tuple[Word, ...] | None:
    """The elements of an exec-form instruction's JSON array as words: ``text`` is the
    decoded string, ``raw`` the JSON string as written (quotes included) and the offsets its
    span in the file. None when the array cannot be mapped back to the text exactly (a
    string broken by a line continuation)."""
    args = raw.json_args
    if args is None:
        return None
    segments = [(s.start, s.end) for s in raw.segments]
    snippet = blank_run_text(text, raw.args_start, raw.command_end, segments)
    words: list[Word] = []
    for m in _JSON_STRING.finditer(snippet):
        token = m.group(0)
        try:
            value = json.loads(token)
        except ValueError:
            return None
        start = raw.args_start + m.start()
        words.append(Word(value, token, start, start + len(token)))
    if tuple(w.text for w in words) != args:
        return None
    return tuple(words)


def shell_script(words: tuple[Word, ...]) -> Word | None:
    """The script word of ``["/bin/sh", "-c", "script", …]`` (also ``bash -ec``, ``-lc``)."""
    if not words or os.path.basename(words[0].text) not in SHELLS:
        return None
    i = 1
    takes_script = False
    while i < len(words) and words[i].text.startswith("-") and len(words[i].text) > 1:
        takes_script = takes_script or ("c" in words[i].text[1:] and words[i].text[1] != "-")
        i += 1
    return words[i] if takes_script and i < len(words) else None


def _exec_commands(
    raw: RawInstruction, text: str
) -> tuple[tuple[Command, ...], tuple[tuple[str, str], ...]]:
    """An exec-form RUN as commands. ``["pip", "install", "flask"]`` is one command whose
    argv is the array (each word spans its JSON string). ``["/bin/sh", "-c", "script"]``
    runs a shell: the script is parsed; when its JSON string has no escapes, offsets inside
    it are exact; with escapes (``\\"``, ``\\n``) they cannot be mapped back, so every word
    spans the whole script string (read, but no fix can point inside it)."""
    words = exec_words(raw, text)
    if not words:
        return (), ()
    found = exec_scripts(words)
    if found is None:
        cmd = command_from_words((_program(words[0]), *words[1:]), words[0].start, words[-1].end)
        return ((cmd,) if cmd is not None else ()), ()
    kind, scripts = found
    commands: list[Command] = []
    variables: list[tuple[str, str]] = []
    for script in scripts:
        exact = script.raw[1:-1] == script.text
        at = script.start + 1 if exact else 0
        if kind == "sh":
            more, more_vars = parse_shell(script.text, at)
            variables.extend(more_vars)
        else:
            more = _plain_lines(script.text, at, kind)
        if not exact:
            whole = (script.start, script.end)
            more = tuple(
                Command(
                    tuple(Word(w.text, w.raw, *whole) for w in c.argv),
                    c.assignments,
                    c.wrappers,
                    *whole,
                    c.piped,
                )
                for c in more
            )
        commands.extend(more)
    return tuple(commands), tuple(variables)


def exec_scripts(words: Sequence[Word]) -> tuple[str, tuple[Word, ...]] | None:
    """The script words of an exec form that starts a shell, with the kind of shell:
    ``["/bin/sh", "-c", "script"]`` -> ("sh", (script,)); PowerShell's
    ``["powershell", "-Command", "a;", "b"]`` -> ("powershell", (a, b)) (it joins what
    follows ``-Command``); ``["cmd", "/S", "/C", "…"]`` -> ("cmd", (…,)). None otherwise."""
    script = shell_script(tuple(words))
    if script is not None:
        return "sh", (script,)
    if not words:
        return None
    kind = shell_kind(words[0].text)
    if kind == "sh":
        return None
    switches = ("-command", "-c") if kind == "powershell" else ("/c", "/k")
    for i, word in enumerate(words[1:], 1):
        if word.text.lower() in switches:
            rest = tuple(words[i + 1 :])
            return (kind, rest) if rest else None
    return None


def _run_commands(
    raw: RawInstruction, text: str, escape: str
) -> tuple[tuple[Command, ...], tuple[tuple[str, str], ...]]:
    """Parse a RUN into commands and the shell variables it sets on their own: the shell
    form's text, heredoc bodies run by a shell, and the exec form (:func:`_exec_commands`)."""
    if raw.json_args is not None:
        return _exec_commands(raw, text)
    if raw.args_start >= raw.command_end:
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
_PROGRAM_VAR = lazy_pattern(r'"?\$(?:\{(\w+)\}|(\w+))"?')
_VALUE_WORD = lazy_pattern(r"[\w./+=:@-]+")


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
        if not words or len(words) > 4 or not all(_VALUE_WORD.fullmatch(w) for w in words):
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
            base = ImageRef.parse(expanded or base_text, resolved=complete)
            if parent is not None:
                windows = stage_rows[parent]["windows"]
                shell = stage_rows[parent]["shell"]
            else:
                platform = next((f.value for f in raw.flags if f.name == "platform"), None)
                if platform is not None:
                    platform = substitute(platform, global_args)[0]
                    platform = platform if "/" in platform else None  # $BUILDPLATFORM …
                windows = windows_image(base, platform)
                shell = "cmd" if windows else "sh"
            inst = Instruction(index, raw, sidx, (), env.current, above)
            stage_rows.append(
                {
                    "alias": alias,
                    "inst": inst,
                    "base": base,
                    "parent": parent,
                    "insts": [inst],
                    "shell": shell,
                    "windows": windows,
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
        shell = row["shell"]
        if kw == "RUN" and (raw.json_args is not None or shell == "sh"):
            commands, shell_vars = _run_commands(raw, text, result.escape)
            commands = _expand_programs(commands, shell_vars, env.current)
        elif kw == "RUN":
            commands = _plain_commands(raw, text, shell)
        onbuild: tuple[Command, ...] = ()
        sub = raw.sub
        if kw == "ONBUILD" and sub is not None and sub.keyword == "RUN" and shell == "sh":
            onbuild = _run_commands(sub, text, result.escape)[0]
        inst = Instruction(
            index, raw, sidx, commands, env.current, above, shell_vars, shell, onbuild
        )
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
            row["shell"] = shell_kind(_stage_shell(raw) or "")
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
            windows=stage_rows[s.index]["windows"],
        )
        for s in stages
    ]
    return Dockerfile(path, text, result, tuple(stages), tuple(instructions), global_args)


def _arg_pairs(args: str) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for word in _split_words(args):
        name, sep, value = word.partition("=")
        out.append((name, unquote(value) if sep else None))
    return out


def key_value_pairs(args: str) -> list[tuple[str, str]]:
    """The ``key=value`` pairs of an ENV or LABEL (quotes removed; the legacy one-pair form
    ``ENV NAME value with spaces`` too)."""
    return _env_pairs(args)


def _env_pairs(args: str) -> list[tuple[str, str]]:
    words = _split_words(args)
    if words and "=" not in words[0]:
        # legacy form: ENV NAME value with spaces
        name = words[0]
        value = args.strip()[len(name) :].strip()
        return [(name, unquote(value))]
    return [(w.partition("=")[0], unquote(w.partition("=")[2])) for w in words if "=" in w]


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


def unquote(value: str, escape: str = "\\") -> str:
    """A word as BuildKit reads it: ``"a b"`` -> ``a b``, ``'x'`` -> ``x``, the escape token
    dropped outside quotes; inside double quotes it escapes only ``"``, ``$`` and itself and
    is kept before any other character (``"C:\\Temp"`` stays ``C:\\Temp``)."""
    out: list[str] = []
    quote = ""
    i = 0
    while i < len(value):
        ch = value[i]
        if quote:
            if ch == quote:
                quote = ""
            elif (
                ch == escape
                and quote == '"'
                and i + 1 < len(value)
                and value[i + 1] in ('"', "$", escape)
            ):
                i += 1
                out.append(value[i])
            else:
                out.append(ch)
        elif ch in "\"'":
            quote = ch
        elif ch == escape and i + 1 < len(value):
            i += 1
            out.append(value[i])
        else:
            out.append(ch)
        i += 1
    return "".join(out)
