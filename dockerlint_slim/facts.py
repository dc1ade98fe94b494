"""What each stage of a Dockerfile builds, installs and leaves installed, read once per file.

Several rules and the multi-stage rewrite ask the same questions of a stage: which RUNs leave
compilers, build tools or ``-dev`` packages installed (``toolchain``), which Python installs
compile native code and what they compile (``native_builds``), and which PyPI projects the
installs name (``python_packages``). :class:`Facts` answers them for one parsed file and one
build context, each when first asked and then from memory: rules are leaves that read facts.

The answers are kept on :class:`Facts`, which the engine makes once per linted file (through
:attr:`dockerlint_slim.rule.Context.facts`), not on the model: the model is immutable and
knows nothing of the build context, while the facts read the context's requirement files and
project metadata. A fixed file is a new model with a new context, so nothing goes stale.

Cost is linear in the file: each stage's instructions are walked once, after those of the
stage it is built FROM, keeping the working folder, the files copied from the build context
and whether a RUN left build packages installed; each RUN is then read once from that state.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from urllib.parse import urlparse

from .commands import (
    PIP_SHORT_VALUE_OPTIONS,
    PIP_VALUE_OPTIONS,
    TOOL_VALUE_OPTIONS,
    module_argv,
    pip_call,
    split_options,
)
from .images import BaseInfo, classify
from .lazy import lazy_pattern
from .model import Dockerfile, Instruction, Overlay, Stage, substitute
from .packages import (
    PackageOp,
    build_packages_left,
    is_build_tool,
    is_dev_package,
    package_name,
    package_ops,
)
from .project import (
    Project,
    Requirement,
    RequirementsFile,
    builds_from_source,
    canonical,
    extra_packages,
    native_package,
    parse_requirement,
)
from .shell import Command, Word

__all__ = ["Facts", "PythonInstall", "RunFacts", "StageFacts"]

_PYTHON = lazy_pattern(r"python(\d+(\.\d+)?)?[mu]?$")
_TOOLS = {"uv", "poetry", "pipenv", "pdm", "flit"}
_PYPI_HOSTS = {"pypi.org", "pypi.python.org", "files.pythonhosted.org"}
# extra indexes that serve their own wheels only (never an sdist-only package's wheel)
_WHEEL_ONLY_HOSTS = {"download.pytorch.org"}
_SETUP_COMMANDS = {"install", "build_ext", "bdist_wheel", "develop", "build", "bdist_egg"}


# --------------------------------------------------------------------------- the facts


@dataclass(frozen=True)
class PythonInstall:
    """One Python install command of a RUN (pip, ``uv pip``, ``uv sync``, poetry, pipenv,
    pdm, ``python setup.py``) and what it installs."""

    tool: str  # "pip", "uv", "poetry", "pipenv", "pdm", "setup.py"
    start: int  # the span that names the command: its program to its subcommand
    end: int
    # what it builds from source: package names, "the project itself" or "every package"
    # (``--no-binary :all:``); empty when it compiles nothing
    compiles: tuple[str, ...]
    details: tuple[str, ...]  # why it compiles, when the name alone does not say
    packages: tuple[str, ...]  # every PyPI project it names (normalised), extras included
    # what it installs from that could not be read (a requirements file or project that the
    # build context does not have, or no build context): its packages are not known
    unread: tuple[str, ...] = ()


class RunFacts:
    """What one RUN does. Each attribute is computed when first read, then kept."""

    def __init__(self, facts: Facts, inst: Instruction, state: _State, base: _Base) -> None:
        self.instruction = inst
        self._facts = facts
        self._state = state
        self._base = base

    def __repr__(self) -> str:
        return f"RunFacts(line {self.instruction.line})"

    @cached_property
    def _windows(self) -> bool:
        stage = self._facts.dockerfile.stage_of(self.instruction)
        return stage is not None and stage.windows

    @cached_property
    def ops(self) -> list[PackageOp]:
        """The package-manager calls of the RUN (its own shell variables read), in order.
        None on a Windows image: the package managers read here are Linux ones."""
        inst = self.instruction
        if not inst.commands or self._windows:
            return []
        return package_ops(inst.commands, inst.shell_env)

    @cached_property
    def toolchain(self) -> tuple[tuple[str, Word], ...]:
        """The build tools and development packages this RUN installs and does not remove in
        the same RUN (exact names, pins stripped), with the word that names each, one per
        name, in the order written. A removal in the same RUN counts (``apk del`` of the
        virtual package, ``apt-get purge``, ``apt-mark auto`` + autoremove); dry runs and
        download-only calls are not installs. Exec-form RUNs are read too."""
        inst = self.instruction
        if inst.commands or self._windows:
            ops = self.ops
        else:
            commands = _exec_command(inst, self._facts.dockerfile.text)
            ops = package_ops(commands, inst.shell_env) if commands else []
        out: list[tuple[str, Word]] = []
        seen: set[str] = set()
        for op, word in build_packages_left([op for op in ops if not _changes_nothing(op)]):
            name = package_name(word.text, op.manager)
            if name not in seen:
                seen.add(name)
                out.append((name, word))
        return tuple(out)

    @cached_property
    def _leaves_build_packages(self) -> bool:
        """Whether a package install of this RUN leaves build tools or development packages
        behind (dry runs included)."""
        return bool(build_packages_left(self.ops))

    @cached_property
    def contained(self) -> bool:
        """The RUN installs its compiler and removes it again (``apk add --virtual
        .build-deps … && apk del .build-deps``) on a base without build tools, and no
        earlier RUN of the image left one: what it builds ships, its toolchain does not."""
        if self._base.build_tools:
            return False
        installs = any(
            op.kind == "install" and any(is_build_tool(n) or is_dev_package(n) for n in op.names)
            for op in self.ops
        )
        return installs and not self._leaves_build_packages and not self._state.toolchain_left

    @cached_property
    def installs(self) -> tuple[PythonInstall, ...]:
        """Every Python install command of the RUN, in order, with what it compiles and the
        packages it names (none on Windows images)."""
        inst, state, base = self.instruction, self._state, self._base
        if not inst.commands or base.windows:
            return ()
        project = self._facts.project
        paths = None
        if project is not None and project.exists:
            paths = _Paths(project, state.cwd, state.copies, inst)
        cwd: str | None = state.cwd if paths is not None else "/"
        moved = False  # a `cd` in this RUN: no guessing of unmapped paths
        out: list[PythonInstall] = []
        for cmd in inst.commands:
            if cmd.name == "cd":
                cwd = _cd(cmd, inst, cwd) if cwd is not None else None
                moved = True
                continue
            install = _install_of(cmd, inst)
            if install is None:
                continue
            use = paths if cwd is not None else None
            finding = _judge_install(install, base, use, cwd or "/", not moved)
            out.append(
                PythonInstall(
                    install.tool,
                    install.start,
                    install.end,
                    tuple(finding.labels),
                    tuple(finding.details),
                    tuple(finding.installed),
                    tuple(finding.unread),
                )
            )
        return tuple(out)

    @cached_property
    def builds(self) -> tuple[PythonInstall, ...]:
        """The installs that compile native code."""
        return tuple(i for i in self.installs if i.compiles)

    @cached_property
    def compiles(self) -> tuple[str, ...]:
        """What the RUN builds from source (see :attr:`PythonInstall.compiles`), each once."""
        return tuple(dict.fromkeys(label for i in self.builds for label in i.compiles))


class StageFacts:
    """What builds one stage's image: its own RUNs and those of the stages it is built FROM,
    oldest first. Each attribute is computed when first read, then kept."""

    def __init__(self, stage: Stage, runs: tuple[RunFacts, ...]) -> None:
        self.stage = stage
        self.runs = runs

    def __repr__(self) -> str:
        return f"StageFacts({self.stage.name})"

    @cached_property
    def toolchain(self) -> tuple[tuple[Instruction, tuple[str, ...]], ...]:
        """Each RUN that leaves compilers, build tools or development packages installed,
        with their names (see :attr:`RunFacts.toolchain`). A removal in a later RUN does
        not count: the bytes stay in the earlier layer."""
        return tuple(
            (run.instruction, tuple(name for name, _ in run.toolchain))
            for run in self.runs
            if run.toolchain
        )

    @cached_property
    def native_builds(self) -> tuple[tuple[Instruction, tuple[str, ...]], ...]:
        """Each RUN whose Python installs compile native code, with what they compile: the
        package names pip builds from source, ``"the project itself"`` or ``"every
        package"`` (``--no-binary :all:``)."""
        return tuple((run.instruction, run.compiles) for run in self.runs if run.compiles)

    @cached_property
    def native_builds_uncontained(self) -> tuple[tuple[Instruction, tuple[str, ...]], ...]:
        """:attr:`native_builds` without the RUNs that install their compiler and remove it
        again (:attr:`RunFacts.contained`): those ship the build, not the toolchain."""
        return tuple(
            (run.instruction, run.compiles)
            for run in self.runs
            if run.compiles and not run.contained
        )

    @cached_property
    def unread(self) -> tuple[str, ...]:
        """What the stage's Python installs install from that could not be read, each once."""
        return tuple(dict.fromkeys(u for run in self.runs for i in run.installs for u in i.unread))

    @cached_property
    def python_packages(self) -> tuple[str, ...]:
        """The PyPI projects (normalised names) that the Python installs name: on the
        command line, in requirement files, lock files and project metadata it can read, and
        those an extra pulls in (not transitive dependencies)."""
        return tuple(
            dict.fromkeys(name for run in self.runs for i in run.installs for name in i.packages)
        )


class _Copies:
    """The files copied from the build context so far, newest first (a linked list, so that
    every RUN keeps the copies before it without a copy of its own)."""

    __slots__ = ("before", "copy")

    def __init__(self, copy: _Copy, before: _Copies | None) -> None:
        self.copy = copy
        self.before = before


@dataclass(frozen=True)
class _State:
    """What the instructions before a RUN set up, in its stage and the stages it is built
    FROM: the working folder, the build context files copied in, and whether an earlier RUN
    left build packages installed."""

    cwd: str = "/"
    copies: _Copies | None = None
    toolchain_left: bool = False


class Facts:
    """The facts of one parsed file with one build context (``project``; None: no context,
    then only the command lines are read). Each stage is walked once, when first asked."""

    def __init__(self, dockerfile: Dockerfile, project: Project | None = None) -> None:
        self.dockerfile = dockerfile
        self.project = project
        self._runs: dict[int, RunFacts] = {}  # by instruction index
        self._ends: dict[int, _State] = {}  # by stage index: the state after its last line
        self._stages: dict[int, StageFacts] = {}
        self._bases: dict[int, _Base] = {}

    def run(self, inst: Instruction) -> RunFacts | None:
        """The facts of ``inst`` when it is a RUN of a stage, else None."""
        if inst.keyword != "RUN" or inst.stage is None:
            return None
        if inst.index not in self._runs:
            self._walk(self.dockerfile.stages[inst.stage])
        return self._runs.get(inst.index)

    def stage(self, stage: Stage) -> StageFacts:
        """The facts of ``stage``'s image (its RUNs and those of the stages it is built
        FROM)."""
        found = self._stages.get(stage.index)
        if found is None:
            self._walk(stage)
            runs = tuple(
                self._runs[inst.index]
                for inst in self.dockerfile.inherited_instructions(stage)
                if inst.index in self._runs
            )
            found = self._stages[stage.index] = StageFacts(stage, runs)
        return found

    # ------------------------------------------------------------------ the walk

    def _walk(self, stage: Stage) -> None:
        """Walk the instructions of ``stage`` and of the stages it is built FROM that were
        not walked yet, oldest first, recording the state each RUN starts from."""
        chain = list(self.dockerfile.lineage(stage))  # nearest first
        state = _State()
        for current in reversed(chain):
            done = self._ends.get(current.index)
            if done is not None:
                state = done
                continue
            base = self._base(chain[-1])
            for inst in current.instructions:
                kw = inst.keyword
                if kw == "RUN":
                    run = self._runs[inst.index] = RunFacts(self, inst, state, base)
                    if not state.toolchain_left and run._leaves_build_packages:
                        state = replace(state, toolchain_left=True)
                elif kw == "WORKDIR" and inst.args.strip():
                    value, complete = substitute(inst.args.strip(), inst.env)
                    if complete:
                        state = replace(state, cwd=_join(state.cwd, value))
                elif kw in ("COPY", "ADD") and inst.flag("from") is None:
                    copy = _copy_of(inst, state.cwd)
                    if copy is not None:
                        state = replace(state, copies=_Copies(copy, state.copies))
            self._ends[current.index] = state

    def _base(self, root: Stage) -> _Base:
        found = self._bases.get(root.index)
        if found is None:
            info: BaseInfo = classify(root.base)
            found = self._bases[root.index] = _Base(
                info.libc == "musl",
                info.python_minor,
                info.variant == "windows" or info.distro == "windows",
                info.has_build_tools,
            )
        return found


# --------------------------------------------------------------------------- command reading


class _Install:
    """One install command, read from its words: what it asks to install and how (filled
    in as the words are read)."""

    __slots__ = (
        "constraint_files",
        "end",
        "extras",
        "manager",
        "manager_deps",
        "manager_dir",
        "manager_root",
        "names",
        "no_binary",
        "no_build",
        "no_dev",
        "only_binary",
        "other_index",
        "prefer_binary",
        "projects",
        "projects_deps",
        "req_file_only",
        "req_files",
        "start",
        "tool",
    )

    def __init__(self, tool: str, start: int, end: int, manager: str | None = None) -> None:
        self.tool = tool  # "pip", "uv", "poetry", "pipenv", "pdm", "setup.py"
        self.start = start
        self.end = end
        self.names: list[str] = []  # requirement strings (PEP 508)
        self.req_files: list[str] = []  # as written (in-image paths)
        self.constraint_files: list[str] = []
        self.req_file_only = False  # uv pip sync: the files are the whole set
        self.projects: list[tuple[str, tuple[str, ...]]] = []  # (path, extras)
        self.projects_deps: list[Project] = []  # -r pyproject.toml
        self.manager = manager  # poetry/uv/pdm/pipenv: the project's manager installs
        self.manager_dir = "."  # -C / --project / --directory
        self.manager_root = True  # the project itself is installed (not --no-root …)
        self.manager_deps = True  # dependencies are installed (not --only-root)
        self.no_dev = False  # dev groups left out
        self.extras: tuple[str, ...] = ()  # extras / optional groups asked for ("*" = all)
        self.no_binary: set[str] = set()
        self.only_binary: set[str] = set()
        self.prefer_binary = False
        self.other_index = False  # an index or find-links that may hold wheels pip can use
        self.no_build = False  # uv --no-build / --only-binary :all:: never compiles


class _Base:
    """What the root image of a stage's FROM chain means for its builds."""

    __slots__ = ("build_tools", "musl", "python", "windows")

    def __init__(self, musl: bool, python: str | None, windows: bool, build_tools: bool) -> None:
        self.musl = musl
        self.python = python
        self.windows = windows
        self.build_tools = build_tools


def _expand(word: Word, inst: Instruction, cmd: Command) -> str | None:
    """The word's value with ENV/ARG and prefix assignments expanded; None when unknown."""
    text = word.text
    if "$" not in text and "`" not in text:
        return text
    if "`" in text or "$(" in text:
        return None
    value, complete = substitute(text, Overlay(dict(cmd.assignments), inst.env))
    return value if complete else None


def _env(name: str, inst: Instruction, cmd: Command) -> str | None:
    value = cmd.env(name)
    return value if value is not None else inst.env.get(name)


def _format_control(value: str, target: set[str], other: set[str]) -> None:
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        if part == ":all:":
            target.clear()
            other.discard(":all:")
            target.add(":all:")
        elif part == ":none:":
            target.clear()
        else:
            n = canonical(part)
            other.discard(n)
            target.add(n)


def _index_may_have_wheels(url: str) -> bool:
    host = (urlparse(url).hostname or "").lower()
    if host in _PYPI_HOSTS:
        return False
    return host not in _WHEEL_ONLY_HOSTS


def _pip_like(
    tool: str,
    span: tuple[int, int],
    words: Sequence[str],
    inst: Instruction,
    cmd: Command,
    sync: bool = False,
) -> _Install:
    options, positional = split_options(words, PIP_VALUE_OPTIONS, PIP_SHORT_VALUE_OPTIONS)
    out = _Install(tool, *span)
    prefix = "UV_" if tool == "uv" else "PIP_"
    for var, opt in (("NO_BINARY", "--no-binary"), ("ONLY_BINARY", "--only-binary")):
        value = _env(prefix + var, inst, cmd)
        if value:
            options.insert(0, (opt, value))
    if _env(prefix + "FIND_LINKS", inst, cmd) or _env(prefix + "NO_INDEX", inst, cmd):
        out.other_index = True
    for var in ("INDEX_URL", "EXTRA_INDEX_URL", "DEFAULT_INDEX", "INDEX"):
        value = _env(prefix + var, inst, cmd)
        if value and any(_index_may_have_wheels(v) for v in value.split()):
            out.other_index = True
    if _env(prefix + "PREFER_BINARY", inst, cmd) not in (None, "", "0", "false", "off", "no"):
        out.prefer_binary = True
    if tool == "uv" and _env("UV_NO_BUILD", inst, cmd) not in (None, "", "0", "false", "no"):
        out.no_build = True
    for name, value in options:
        if name in ("-r", "--requirement") and value:
            out.req_files.append(value)
        elif name in ("-c", "--constraint") and value:
            out.constraint_files.append(value)
        elif name in ("-e", "--editable") and value:
            req = parse_requirement(value, editable=True)
            if req is not None and req.path is not None:
                out.projects.append((req.path, req.extras))
        elif name == "--no-binary" and value:
            _format_control(value, out.no_binary, out.only_binary)
        elif name == "--only-binary" and value:
            _format_control(value, out.only_binary, out.no_binary)
        elif name in ("--no-binary-package",) and value:
            _format_control(value, out.no_binary, out.only_binary)
        elif name in ("--only-binary-package", "--no-build-package") and value:
            _format_control(value, out.only_binary, out.no_binary)
        elif name == "--no-build":
            out.no_build = True
        elif name == "--prefer-binary":
            out.prefer_binary = True
        elif name in ("--no-index", "-f", "--find-links"):
            out.other_index = True
        elif name in ("-i", "--index-url", "--extra-index-url", "--index", "--default-index"):
            if value is None or _index_may_have_wheels(value):
                out.other_index = True
        elif name in ("--platform", "--python-platform", "--dry-run"):
            out.no_build = True  # downloads for another platform, or installs nothing
    if ":all:" in out.only_binary and ":all:" not in out.no_binary:
        out.no_build = True
    if sync:
        out.req_files.extend(positional)
        out.req_file_only = True
        return out
    for text in positional:
        req = parse_requirement(text)
        if req is None:
            continue
        if req.path is not None and not req.path.endswith((".whl", ".tar.gz", ".zip", ".tgz")):
            out.projects.append((req.path, req.extras))
        elif req.name and req.url is None and req.path is None:
            out.names.append(text)
    return out


def _manager_call(cmd: Command, inst: Instruction) -> _Install | None:
    argv = list(module_argv(cmd))
    if not argv:
        return None
    name = os.path.basename(argv[0].text)
    if name not in _TOOLS:
        return _setup_py(argv, inst, cmd) if _PYTHON.match(name) else None
    texts: list[str] = []
    for w in argv[1:]:
        value = _expand(w, inst, cmd)
        texts.append(value if value is not None else "\x00")
    values = TOOL_VALUE_OPTIONS[name]
    options, positional = split_options(texts, values)
    # subcommand words: positionals before the first option are not always first, but the
    # subcommand is always the first positional word
    if not positional:
        return None
    sub = positional[0]
    start = argv[0].start
    sub_word = next((w for w in argv[1:] if w.text == sub), argv[0])
    span = (start, sub_word.end)
    opts = {o for o, _ in options}

    def values_of(*names: str) -> list[str]:
        return [v for o, v in options if o in names and v]

    if name == "uv":
        if sub == "pip" and len(positional) > 1 and positional[1] in ("install", "sync"):
            second = next(
                (w for w in argv[1:] if w.text == positional[1] and w.start > sub_word.start),
                sub_word,
            )
            i = texts.index(positional[1])
            rest = texts[:i] + texts[i + 1 :]
            rest = [t for t in rest if t != "pip"] if rest.count("pip") == 1 else rest
            return _pip_like(
                "uv", (start, second.end), rest, inst, cmd, sync=positional[1] == "sync"
            )
        if sub != "sync" or "--dry-run" in opts or "--script" in opts:
            return None
        out = _Install("uv", *span, manager="uv")
        out.manager_dir = (values_of("--project", "--directory") or ["."])[-1]
        out.manager_root = not ({"--no-install-project", "--only-dev"} & opts)
        out.no_dev = bool({"--no-dev", "--only-group", "--no-default-groups"} & opts)
        out.extras = ("*",) if "--all-extras" in opts else tuple(values_of("--extra"))
        if "--no-build" in opts or _env("UV_NO_BUILD", inst, cmd) not in (None, "", "0"):
            out.no_build = True
        if "--no-binary" in opts:
            out.no_binary.add(":all:")
        for v in values_of("--no-binary-package"):
            out.no_binary.add(canonical(v))
        for v in values_of("--no-build-package"):
            out.only_binary.add(canonical(v))
        if values_of("-f", "--find-links") or any(
            _index_may_have_wheels(v)
            for v in values_of("-i", "--index-url", "--extra-index-url", "--index")
        ):
            out.other_index = True
        return out
    if name == "poetry":
        if sub not in ("install", "sync") or "--dry-run" in opts:
            return None
        out = _Install("poetry", *span, manager="poetry")
        out.manager_dir = (values_of("-C", "--directory", "-P", "--project") or ["."])[-1]
        out.manager_root = "--no-root" not in opts
        out.manager_deps = "--only-root" not in opts
        only = values_of("--only")
        out.no_dev = "--no-dev" in opts or bool(only) or bool(values_of("--without"))
        out.extras = ("*",) if "--all-extras" in opts else tuple(values_of("-E", "--extras"))
        return out
    if name == "pipenv":
        if sub not in ("install", "sync") or "--dry-run" in opts:
            return None
        out = _Install("pipenv", *span, manager="pipenv")
        out.manager_root = False
        out.no_dev = not ({"--dev", "-d"} & opts)
        out.req_files.extend(values_of("-r", "--requirements"))
        out.names.extend(
            t
            for t in positional[1:]
            if t != "\x00" and (r := parse_requirement(t)) is not None and r.name and not r.url
        )
        if values_of("-i", "--index", "--pypi-mirror"):
            out.other_index = True
        return out
    if name == "flit":
        # `flit install`: the project of its pyproject.toml (-f), like `pip install .`
        if sub != "install":
            return None
        out = _Install("flit", *span)
        ini = (values_of("-f", "--ini-file") or ["pyproject.toml"])[-1]
        extras = [e for v in values_of("--extras") for e in v.split(",") if e]
        out.projects.append((posixpath.dirname(ini) or ".", tuple(extras)))
        return out
    # pdm
    if sub not in ("install", "sync") or {"--dry-run", "--check", "--plugins"} & opts:
        return None
    out = _Install("pdm", *span, manager="pdm")
    out.manager_dir = (values_of("-p", "--project") or ["."])[-1]
    out.manager_root = "--no-self" not in opts
    out.no_dev = bool({"--prod", "--production"} & opts)
    return out


def _setup_py(argv: Sequence[Word], inst: Instruction, cmd: Command) -> _Install | None:
    """``python [opts] [path/]setup.py install|build_ext|bdist_wheel|develop …``."""
    i = 1
    while i < len(argv) and argv[i].text.startswith("-"):
        i += 1
    if i + 1 >= len(argv):
        return None
    script = _expand(argv[i], inst, cmd)
    if script is None or posixpath.basename(script) != "setup.py":
        return None
    commands = [w for w in argv[i + 1 :] if not w.text.startswith("-")]
    hit = next((w for w in commands if w.text in _SETUP_COMMANDS), None)
    if hit is None:
        return None
    out = _Install("setup.py", argv[0].start, hit.end)
    out.projects.append((posixpath.dirname(script) or ".", ()))
    return out


def _install_of(cmd: Command, inst: Instruction) -> _Install | None:
    pip = pip_call(cmd)
    if pip is not None:
        if pip.sub not in ("install", "wheel"):
            return None
        texts: list[str] = []
        for w in pip.global_options + pip.args:
            value = _expand(w, inst, cmd)
            if value is None:
                texts.append("\x00")
            elif w.raw.startswith("$") and value != w.text:
                texts.extend(value.split())  # an unquoted $PACKAGES splits into words
            else:
                texts.append(value)
        span = (pip.program[0].start, pip.sub_word.end)
        return _pip_like("pip", span, texts, inst, cmd)
    return _manager_call(cmd, inst)


# --------------------------------------------------------------------------- paths


class _Copy:
    """What a COPY or ADD from the build context brings: sources and destination."""

    __slots__ = ("dest", "dest_dir", "sources")

    def __init__(self, sources: tuple[str, ...], dest: str, dest_dir: bool) -> None:
        self.sources = sources  # build context paths (posix, relative; "." is the root)
        self.dest = dest  # absolute in-image path
        self.dest_dir = dest_dir  # the destination is a folder (ends with "/" or several)


def _norm(path: str) -> str:
    p = posixpath.normpath(path)
    return "/" if p in ("/", "//") else p


def _join(cwd: str, path: str) -> str:
    return _norm(posixpath.join(cwd, path))


def _ctx_rel(src: str) -> str | None:
    if "$" in src or src.startswith(("<<", "http://", "https://", "git@")) or "://" in src:
        return None
    rel = posixpath.normpath(src.lstrip("/")) if src.strip("/") else "."
    return None if rel.startswith("..") else rel


def _copy_words(inst: Instruction) -> list[str] | None:
    if inst.exec_args is not None:
        return list(inst.exec_args)
    import shlex

    try:
        return shlex.split(inst.args, posix=True)
    except ValueError:
        return None


def _copy_of(inst: Instruction, cwd: str) -> _Copy | None:
    """The build context files a COPY or ADD (not ``--from``) run in ``cwd`` copies."""
    words = _copy_words(inst)
    if not words or len(words) < 2 or inst.heredocs:
        return None
    dest_raw, complete = substitute(words[-1], inst.env)
    if not complete:
        return None
    sources: list[str] = []
    for w in words[:-1]:
        value, ok = substitute(w, inst.env)
        rel = _ctx_rel(value) if ok else None
        if rel is not None:
            sources.append(rel)
    if not sources:
        return None
    dest = _join(cwd, dest_raw)
    dest_dir = dest_raw.endswith("/") or dest_raw in (".", "./") or len(words) > 2
    return _Copy(tuple(sources), dest, dest_dir)


class _Paths:
    """Where in-image paths of one RUN came from in the build context."""

    def __init__(
        self, project: Project, cwd: str, copies: _Copies | None, inst: Instruction
    ) -> None:
        self.project = project
        self.cwd = cwd
        self._copies = copies
        self._mounts: list[_Copy] = []
        for m in inst.mounts():
            if m.get("type") != "bind" or m.get("from") or not m.get("target"):
                continue
            src = _ctx_rel(m.get("source", m.get("src", ".")))
            if src is not None:
                target = _join(cwd, m["target"])
                self._mounts.append(_Copy((src,), target, self._is_dir(src)))

    def _newest_first(self) -> Iterator[_Copy]:
        """The RUN's bind mounts (last first), then the copies before it, newest first."""
        yield from reversed(self._mounts)
        node = self._copies
        while node is not None:
            yield node.copy
            node = node.before

    def _is_dir(self, rel: str) -> bool:
        if rel == ".":
            return True
        target = self.project.path(rel)
        return target is not None and target.is_dir()

    def context_file(self, image_path: str) -> str | None:
        """The build context file copied (or bind-mounted) to ``image_path`` (absolute)."""
        p = _norm(image_path)
        for copy in self._newest_first():
            for src in copy.sources:
                glob = any(c in src for c in "*?[")
                if not glob and self._is_dir(src):
                    if p == copy.dest or p.startswith(copy.dest.rstrip("/") + "/"):
                        rel = p[len(copy.dest) :].lstrip("/")
                        cand = _norm(posixpath.join(src, rel)) if rel else src
                        if self.project.has(cand):
                            return cand
                    continue
                base = posixpath.basename(src)
                if glob:
                    if posixpath.dirname(p) == copy.dest and fnmatch.fnmatchcase(
                        posixpath.basename(p), base
                    ):
                        return _norm(posixpath.join(posixpath.dirname(src), posixpath.basename(p)))
                    continue
                if p == posixpath.join(copy.dest, base) or (not copy.dest_dir and p == copy.dest):
                    return src
        return None

    def locate(self, written: str, cwd: str, fallback: bool) -> str | None:
        """The context file for a path as written in a RUN run in ``cwd``."""
        if "$" in written or "\x00" in written:
            return None
        found = self.context_file(_join(cwd, written))
        if found is not None or not fallback:
            return found
        if not written.startswith("/"):
            rel = _norm(written)
            if self.project.has(rel):
                return rel
        base = posixpath.basename(written)
        return base if base and self.project.has(base) else None

    def project_dir(self, written: str, cwd: str, fallback: bool) -> Project | None:
        """The project a folder path (``.``, ``/app``) of a RUN names, in the context."""
        if "$" in written or "\x00" in written or "://" in written:
            return None
        folder = _join(cwd, written)
        for manifest in _ALL_MANIFESTS:
            found = self.context_file(posixpath.join(folder, manifest))
            if found is not None:
                return self._project(posixpath.dirname(found) or ".")
        if fallback and not written.startswith("/"):
            rel = _norm(written)
            inside = rel != ".." and not rel.startswith("../")
            if inside and any(self.project.has(posixpath.join(rel, m)) for m in _MANIFESTS):
                return self._project(rel)
        return None

    def _project(self, rel: str) -> Project:
        rel = _norm(rel)
        if rel == ".":
            return self.project
        return Project(self.project.root / rel)


_MANIFESTS = ("pyproject.toml", "setup.py", "setup.cfg", "Pipfile")
_ALL_MANIFESTS = (*_MANIFESTS, "poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock")


# --------------------------------------------------------------------------- judging


class _Finding:
    """What one install is found to build, with why, as it is read."""

    __slots__ = ("details", "installed", "labels", "unread")

    def __init__(self) -> None:
        self.labels: list[str] = []  # package names, "the project itself"
        self.details: list[str] = []  # why, when not obvious
        self.installed: list[str] = []  # every package the install names
        self.unread: list[str] = []  # files and projects that were not read

    def add(self, label: str, detail: str | None = None) -> None:
        if label not in self.labels:
            self.labels.append(label)
        if detail and detail not in self.details:
            self.details.append(detail)


_WHY = lazy_pattern(r"^(?P<name>\S+) (?P<version>\S+) (?P<why>.*): pip builds it from source$")
_SDIST_ONLY = ("ships no wheels", "ships wheels for Windows only", "ships no Linux wheels")


def _marker_env(base: _Base) -> dict[str, str]:
    env = {
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": "x86_64",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
    }
    if base.python:
        env["python_version"] = base.python
        env["python_full_version"] = base.python + ".0"
    return env


class _Judge:
    def __init__(self, install: _Install, base: _Base) -> None:
        self.install = install
        self.base = base
        self.finding = _Finding()
        self.constraints: dict[str, list[str]] = {}
        self.env = _marker_env(base)

    def package(self, name: str, specifier: str = "", marker_ok: bool = True) -> None:
        inst = self.install
        n = canonical(name)
        if n and marker_ok and n not in self.finding.installed:
            self.finding.installed.append(n)
        if not n or not marker_ok or inst.no_build:
            return
        if n in inst.only_binary or (":all:" in inst.only_binary and n not in inst.no_binary):
            return
        if ":all:" in inst.no_binary:
            return  # reported once, as "every package"
        if n in inst.no_binary:
            self.finding.add(n, f"--no-binary {n}")
            return
        if inst.other_index:
            return
        spec = ",".join(s for s in [specifier, *self.constraints.get(n, [])] if s)
        why = builds_from_source(n, self.base.musl, self.base.python, spec or None)
        if why is None:
            return
        if inst.prefer_binary and not self._always_source(n, spec):
            return
        m = _WHY.match(why)
        info = native_package(n)
        no_linux = info is not None and info.wheels in ("none", "windows-only", "no-linux")
        if m is None or m.group("why").startswith(_SDIST_ONLY) or (no_linux and not self.base.musl):
            self.finding.add(n)
            return
        self.finding.add(n, f"{m.group('name')} {m.group('version')} {m.group('why')}")

    def _always_source(self, name: str, spec: str) -> bool:
        """With ``--prefer-binary`` pip takes an older release that has a wheel."""
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        info = native_package(name)
        if info is None:
            return False
        try:
            allowed = SpecifierSet(spec) if spec else SpecifierSet()
        except InvalidSpecifier:
            allowed = SpecifierSet()
        for version in info.releases:
            if version in allowed and (
                builds_from_source(name, self.base.musl, self.base.python, f"=={version}") is None
            ):
                return False
        return True

    def requirement(self, req: Requirement) -> None:
        if req.name and req.url is None and req.path is None:
            applies = req.applies(self.env)
            self.package(req.name, req.specifier, applies)
            for dep in extra_packages(req.name, req.extras):  # psycopg[c] -> psycopg-c
                self.package(dep, "", applies)

    def text(self, spec: str) -> None:
        req = parse_requirement(spec)
        if req is not None:
            self.requirement(req)

    def project(self, project: Project | None, what: str) -> None:
        if project is None or self.install.no_build:
            return
        info = project.build_info()
        if info.compiles:
            why = info.reasons[0] if info.reasons else f"build backend {info.backend}"
            self.finding.add(what, why)


def _dependencies(project: Project, extras: Iterable[str]) -> Iterator[str | Requirement]:
    """What ``pip install <project>`` installs besides the project: its declared dependencies
    (PEP 621, Poetry main group, setup.py / setup.cfg install_requires) and chosen extras."""
    pp = project.pyproject
    if pp is not None:
        yield from pp.dependencies
        for extra in extras:
            yield from pp.optional_dependencies.get(canonical(extra), ())
        for name, constraint in pp.poetry_groups.get("main", ()):
            yield _poetry_requirement(name, constraint)
    for declared in (project.setup_py, project.setup_cfg):
        if declared is not None:
            yield from declared.install_requires


def _poetry_requirement(name: str, constraint: str) -> str:
    """A Poetry constraint as a PEP 508 requirement string (only plain specifiers kept)."""
    c = constraint.strip()
    if c and c != "*" and re.fullmatch(r"[<>=!~][^;]*", c):
        return f"{name}{c}"
    return name


def _excluded_groups(project: Project, install: _Install) -> set[str]:
    """Names declared only in the groups and extras ``install`` leaves out."""
    pp = project.pyproject
    if pp is None:
        return set()
    main = {r.name for r in pp.dependencies if r.name}
    main |= {n for n, _ in pp.poetry_groups.get("main", ())}
    left: set[str] = set()
    if install.no_dev:
        for reqs in pp.dependency_groups.values():
            left |= {r.name for r in reqs if r.name}
        for group, deps in pp.poetry_groups.items():
            if group != "main":
                left |= {n for n, _ in deps}
    if "*" not in install.extras:
        wanted = {canonical(e) for e in install.extras}
        for extra, reqs in pp.optional_dependencies.items():
            if canonical(extra) not in wanted:
                left |= {r.name for r in reqs if r.name}
    return left - main


def _judge_manager(judge: _Judge, project: Project, install: _Install) -> None:
    excluded = _excluded_groups(project, install)
    lock_kind = {"poetry": "poetry", "uv": "uv", "pdm": "pdm", "pipenv": "pipenv"}[
        install.manager or ""
    ]
    if install.manager_deps:
        lock = next((lk for lk in project.locks if lk.kind == lock_kind), None)
        if install.manager == "pipenv":
            pf = project.pipfile
            if pf is not None and install.no_dev:
                excluded |= {n for n, _ in pf.dev_packages} - {n for n, _ in pf.packages}
        if lock is not None:
            for name, version in lock.packages:
                if name not in excluded:
                    judge.package(name, f"=={version}" if version else "")
        elif install.manager == "pipenv":
            pf = project.pipfile
            if pf is not None:
                pairs = list(pf.packages) + ([] if install.no_dev else list(pf.dev_packages))
                for name, constraint in pairs:
                    judge.text(_poetry_requirement(name, constraint))
        else:
            pp = project.pyproject
            if pp is not None:
                for req in pp.dependencies:
                    judge.requirement(req)
                for group, deps in pp.poetry_groups.items():
                    if group == "main" or not install.no_dev:
                        for name, constraint in deps:
                            judge.text(_poetry_requirement(name, constraint))
                if not install.no_dev:
                    for reqs in pp.dependency_groups.values():
                        for req in reqs:
                            judge.requirement(req)
    if install.manager_root and install.manager != "pipenv":
        pp = project.pyproject
        # uv and pdm install a project without [build-system] as a virtual one (not built)
        if install.manager == "poetry" or (pp is not None and pp.build_backend):
            judge.project(project, "the project itself")


def _judge_install(
    install: _Install, base: _Base, paths: _Paths | None, cwd: str, fallback: bool
) -> _Finding:
    judge = _Judge(install, base)
    files: list[RequirementsFile] = []
    if paths is not None:
        project = paths.project
        for written in install.constraint_files:
            rel = paths.locate(written, cwd, fallback)
            rf = project.requirements(rel) if rel else None
            if rf is not None:
                for req in (*rf.requirements, *rf.constraints):
                    if req.name and req.specifier:
                        judge.constraints.setdefault(req.name, []).append(req.specifier)
        for written in install.req_files:
            if posixpath.basename(written) in _MANIFESTS:  # uv pip install -r pyproject.toml
                target = paths.project_dir(posixpath.dirname(written) or ".", cwd, fallback)
                if target is not None:
                    install.projects_deps.append(target)
                else:
                    judge.finding.unread.append(written)
                continue
            rel = paths.locate(written, cwd, fallback)
            rf = project.requirements(rel) if rel else None
            if rf is not None and rf.exists:
                files.append(rf)
                _apply_file_options(install, judge, rf)
            else:
                judge.finding.unread.append(written)
    if ":all:" in install.no_binary and not install.no_build:
        anything = install.names or install.req_files or install.projects or install.manager
        if anything:
            judge.finding.add("every package", "--no-binary :all:")
    elif install.tool in ("pip", "uv") and not install.no_build:
        for name in sorted(install.no_binary - install.only_binary):
            judge.finding.add(name, f"--no-binary {name}")
    for text in install.names:
        judge.text(text)
    if paths is None:
        judge.finding.unread += install.req_files + [path for path, _ in install.projects]
        if install.manager is not None:
            judge.finding.unread.append(f"the {install.manager} project")
        return judge.finding
    for rf in files:
        for req in rf.requirements:
            if req.path is not None and req.url is None:
                judge.project(paths.project_dir(req.path, cwd, fallback), "the project itself")
            else:
                judge.requirement(req)
    for target in install.projects_deps:
        for dep in _dependencies(target, ()):
            if isinstance(dep, str):
                judge.text(dep)
            else:
                judge.requirement(dep)
    for path, extras in install.projects:
        target = paths.project_dir(path, cwd, fallback)
        if target is None or not any(target.has(m) for m in _ALL_MANIFESTS):
            judge.finding.unread.append(path)
            continue
        judge.project(target, "the project itself")
        if install.tool != "setup.py":
            for dep in _dependencies(target, extras):
                if isinstance(dep, str):
                    judge.text(dep)
                else:
                    judge.requirement(dep)
    if install.manager is not None:
        target = paths.project_dir(install.manager_dir, cwd, fallback)
        if target is not None and any(target.has(m) for m in _ALL_MANIFESTS):
            _judge_manager(judge, target, install)
        else:
            judge.finding.unread.append(f"the {install.manager} project")
    return judge.finding


def _apply_file_options(install: _Install, judge: _Judge, rf: RequirementsFile) -> None:
    """The global option lines of a requirements file act on the whole install."""
    for req in rf.constraints:
        if req.name and req.specifier:
            judge.constraints.setdefault(req.name, []).append(req.specifier)
    if rf.no_index or rf.find_links:
        install.other_index = True
    urls = ([rf.index_url] if rf.index_url else []) + list(rf.extra_index_urls)
    if any(_index_may_have_wheels(u) for u in urls):
        install.other_index = True
    install.prefer_binary = install.prefer_binary or rf.prefer_binary
    if ":all:" in rf.only_binary and ":all:" not in rf.no_binary:
        install.no_build = True
    install.only_binary |= rf.only_binary - {":all:"}
    install.no_binary |= rf.no_binary - install.only_binary


def _cd(cmd: Command, inst: Instruction, cwd: str) -> str | None:
    """The folder after ``cd DIR`` (None: not known)."""
    args = [w for w in cmd.args if not w.text.startswith("-")]
    if not args:
        return None
    value = _expand(args[0], inst, cmd)
    if value is None or value.startswith("~") or value == "-":
        return None
    return _join(cwd, value)


# --------------------------------------------------------------------------- build packages

# options with which an install or remove changes nothing on disk (dry runs, downloads only)
_NO_CHANGE = {
    "apt": {
        "-s",
        "--simulate",
        "--dry-run",
        "--just-print",
        "--no-act",
        "--recon",
        "-d",
        "--download-only",
    },
    "apk": {"-s", "--simulate"},
    "dnf": {"--downloadonly", "--assumeno"},
    "yum": {"--downloadonly", "--assumeno"},
    "microdnf": {"--downloadonly", "--assumeno"},
    "zypper": {"-D", "--dry-run", "-d", "--download-only"},
}
# apt-get's short options that take no value, for combined flags such as ``-qsy``
_APT_SHORT_FLAGS = lazy_pattern(r"-[qysdfmbuVh]+")


def _changes_nothing(op: PackageOp) -> bool:
    no_change = _NO_CHANGE.get(op.manager, set())
    for opt in op.options:
        if opt.split("=", 1)[0] in no_change:
            return True
        if op.manager == "apt" and _APT_SHORT_FLAGS.fullmatch(opt) and ("s" in opt or "d" in opt):
            return True
    return False


def _exec_command(inst: Instruction, text: str) -> tuple[Command, ...]:
    """``RUN ["apt-get", "install", "-y", "gcc"]`` as one command whose words all span the
    JSON array (exec-form arguments carry no offsets of their own)."""
    args = inst.exec_args
    if not args:
        return ()
    start, end = inst.raw.args_start, inst.raw.command_end
    while end > start and text[end - 1].isspace():
        end -= 1
    words = tuple(Word(a, a, start, end) for a in args)
    return (Command(argv=words, assignments=(), wrappers=(), start=start, end=end, piped=False),)
