"""The immutable model of a Dockerfile: stages, instructions and parsed RUN bodies.

Built from a :class:`~dockerlint_slim.scanner.ScanResult` by :func:`build_model`. Rules read
this model only; they never look at raw text except through the spans it gives.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from .scanner import Blank, Comment, Flag, Heredoc, RawInstruction, ScanResult, scan
from .shell import Command, blank_run_text, parse_shell

__all__ = [
    "SHELLS",
    "Dockerfile",
    "ImageRef",
    "Instruction",
    "ModelError",
    "Stage",
    "build_model",
    "change_workdir",
    "substitute",
]


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

    @property
    def shell_env(self) -> Mapping[str, str]:
        """``env`` with the RUN's own shell variables on top: what ``$deps`` in its commands
        reads (a variable set after its use is taken too: a rare shape)."""
        if not self.shell_vars:
            return self.env
        return {**self.env, **dict(self.shell_vars)}

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
    env: dict[str, str] = {}
    stage_envs: list[dict[str, str]] = []
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
            env = dict(stage_envs[parent]) if parent is not None else {}
            powershell = stage_rows[parent]["powershell"] if parent is not None else False
            inst = Instruction(index, raw, sidx, (), dict(env), above)
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
            stage_envs.append(env)
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
            instructions.append(Instruction(index, raw, None, (), {}, above))
            continue
        row = stage_rows[-1]
        sidx = len(stage_rows) - 1
        commands: tuple[Command, ...] = ()
        shell_vars: tuple[tuple[str, str], ...] = ()
        if kw == "RUN" and not row["powershell"]:
            commands, shell_vars = _run_commands(raw, text, result.escape)
        inst = Instruction(index, raw, sidx, commands, dict(env), above, shell_vars)
        if kw == "ENV":
            for name, value in _env_pairs(raw.args):
                env[name], _ = substitute(value, {**global_args, **env})
        elif kw == "ARG":
            for name, value in _arg_pairs(raw.args):
                if value is None:
                    value = global_args.get(name)
                if value is not None:
                    env.setdefault(name, value)
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
