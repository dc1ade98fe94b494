"""The multi-stage rewrite: one Python stage that builds and ships becomes a builder stage and
a slim runtime stage.

The builder is the original stage on the original base (it has the compilers and headers):
its build packages, a virtual environment at :data:`VENV`, and the Python installs, which
run unchanged with the virtual environment first on ``PATH``. The runtime stage starts from
the slim image of the same Python minor and distribution release and keeps every other
instruction of the original in order (ENV, ARG, LABEL, WORKDIR, USER, EXPOSE, VOLUME,
HEALTHCHECK, CMD, ENTRYPOINT, the app's COPY/ADD, RUNs that do runtime work, comments); the
package installs are replaced by one install of the runtime libraries that the build
packages stand for (from :mod:`dockerlint_slim.runtime_libs`) and the Python installs by
``COPY --from=builder`` of the virtual environment.

Shapes the rewrite cannot handle with confidence are refused with a reason
(:class:`Refusal`): several stages, an ARG-driven or unknown base, ONBUILD, a RUN that mixes
build and runtime work, installs that bypass a virtual environment (``--user``, an absolute
pip path), commands that start through a project tool the runtime image will not have, and
so on. The rewrite only writes syntax the input already uses or that every BuildKit release
accepts: no ``# syntax=`` line, no heredocs, no ``COPY --link``.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import runtime_libs as _rl
from .commands import module_argv, pip_call, removed_paths
from .edits import line_ending
from .images import (
    FULL_ONLY_TOOLS,
    BaseInfo,
    classify,
    distro_python_minor,
    full_only_tools_in,
    slim_tag,
)
from .model import Dockerfile, Instruction, Stage, substitute
from .packages import is_build_tool, is_dev_package, package_ops
from .scanner import Blank, Bom, Comment, Directive, RawInstruction
from .shell import Command, Word, parse_commands

__all__ = ["VENV", "Refusal", "Rewrite", "rewrite", "runtime_library_install"]

VENV = "/opt/venv"

# Python installers that manage a project (their install-like subcommands)
_PROJECT_TOOLS = {
    "poetry": {"install", "add", "sync", "update", "lock", "config", "self", "export"},
    "pipenv": {"install", "sync", "lock", "update", "requirements"},
    "uv": {"pip", "sync", "add", "lock", "venv", "export"},
    "pdm": {"install", "sync", "add", "lock", "export", "config"},
}
# packages that are installers/build helpers rather than application dependencies: a pip
# install of only these runs before the virtual environment is made
_PIP_ITSELF = frozenset({"pip", "setuptools", "wheel"})
_TOOL_PACKAGES = frozenset(
    {"pip", "setuptools", "wheel", "poetry", "pipenv", "uv", "pdm", "pip-tools", "virtualenv"}
    | {"poetry-plugin-export", "cython", "build"}
)
# distribution packages that serve only to build or install Python packages
_PYTHON_BUILD_PACKAGES = re.compile(
    r"python3?(\.\d+)?-(pip|venv|setuptools|wheel|dev|distutils)$|libpython3(\.\d+)?-dev$"
    r"|python-dev-is-python3$|python3-all-dev$"
)
_PYTHON_INTERPRETER_PACKAGE = re.compile(r"python3(\.\d+)?(-minimal|-full)?$")
# programs the runtime does not need to run a RUN that only cleans up
_NEUTRAL = frozenset({"cd", "true", ":", "set", "export", "umask"})
# programs of the full images that a RUN/HEALTHCHECK/CMD may call at run time: the package to
# install in the slim runtime (Debian-like and Alpine names are the same here)
_TOOL_PACKAGES_BY_PROGRAM = {
    "curl": "curl",
    "wget": "wget",
    "git": "git",
    "ps": "procps",
    "pgrep": "procps",
    "pkill": "procps",
    "top": "procps",
    "free": "procps",
    "watch": "procps",
    "unzip": "unzip",
    "bzip2": "bzip2",
    "bunzip2": "bzip2",
    "xz": "xz-utils",
    "unxz": "xz-utils",
    "patch": "patch",
    "file": "file",
    "ssh": "openssh-client",
    "scp": "openssh-client",
}
# programs that always mean "this RUN builds something"
_COMPILERS = frozenset(
    {"gcc", "g++", "cc", "c++", "make", "cmake", "clang", "ld", "cargo", "rustc", "go"}
)
_DOWNLOADERS = frozenset({"curl", "wget", "git"})
# installer scripts of Python build tools and toolchains, fetched and run in one RUN
_INSTALLER_URL = re.compile(
    r"https?://(?:install\.python-poetry\.org|astral\.sh/uv/|sh\.rustup\.rs"
    r"|bootstrap\.pypa\.io/get-pip|pdm-project\.org/install|raw\.githubusercontent\.com/"
    r"(?:pdm-project/pdm|python-poetry/install\.python-poetry\.org)/)"
)
_INSTALLER_HELPERS = frozenset(
    {"curl", "wget", "sh", "bash", "python", "python3", "chmod", "ln", "mv", "mkdir", "echo"}
)
_RUN_TOOLS = {"poetry", "pipenv", "pdm", "uv", "hatch", "pipx"}
_ABSOLUTE_PYTHON = re.compile(r"(?<![\w/.-])/usr(?:/local)?/bin/(python|pip)[\w.]*")
_PROJECT_VENV = re.compile(r"(?<![\w.-])(?:[\w./-]*/)?\.venv/bin/[\w.+-]+")
_OPTIONAL_RUNTIME = re.compile(r"^gir1\.2-|-extra$")
_LOCAL_BIN = re.compile(r"(?<![\w/.-])/usr/local/bin/[\w.+-]+")


class Refusal(Exception):
    """The file is not rewritten; ``str(exc)`` says why (one sentence)."""


@dataclass(frozen=True)
class Rewrite:
    """A rewritten Dockerfile and what was decided on the way."""

    text: str
    builder: str  # the builder stage's name
    runtime_base: str
    runtime_packages: tuple[str, ...]
    notes: tuple[str, ...] = ()


# --------------------------------------------------------------------------- reading


@dataclass
class _Run:
    """How one RUN of the stage takes part in the build."""

    kind: str  # "system", "python", "tool", "runtime"
    installed: list[str] = field(default_factory=list)  # system packages installed
    removed: list[str] = field(default_factory=list)  # system packages removed
    pip: bool = False  # installs with pip (`pip install`, `python setup.py`): the venv needs pip
    uv_sync: bool = False  # `uv sync`: its project environment is pointed at the venv
    # folders outside the venv that the RUN builds into (in-place extension builds, editable
    # installs, ``cythonize -i``): the runtime stage copies them from the builder
    writes: list[str] = field(default_factory=list)


def _is_cleanup(cmd: Command) -> bool:
    """``rm -rf`` of caches, package lists and temporary files only."""
    if cmd.name != "rm":
        return False
    paths = removed_paths(cmd)
    if not paths:
        return False
    prefixes = ("/var/lib/apt/lists", "/var/cache/", "/root/.cache", "/tmp/", "~/.cache")
    for p in paths:
        p = p.rstrip("*").rstrip("/") + "/"
        if not any(p.startswith(x.rstrip("/") + "/") for x in prefixes) and p not in (
            "/tmp/",
            "/var/cache/",
        ):
            return False
    return True


def _pip_kind(cmd: Command) -> tuple[str, list[str]] | None:
    """("python"|"tool", problems) for a pip install/uninstall/wheel, ``None`` otherwise."""
    call = pip_call(cmd)
    if call is None:
        return None
    if call.sub not in ("install", "uninstall", "wheel", "download"):
        return ("neutral", [])
    problems: list[str] = []
    if "/" in cmd.argv[0].text and not cmd.argv[0].text.startswith(VENV + "/"):
        problems.append(f"`{cmd.argv[0].text}` calls pip by its absolute path")
    options = call.all_option_texts
    for bad in ("--user", "--target", "-t", "--prefix", "--root"):
        if any(o == bad or o.startswith(bad + "=") for o in options):
            problems.append(f"`pip install {bad}` installs outside a virtual environment")
    if call.sub != "install":
        return ("python", problems)
    names = []
    skip = False
    for w in call.args:
        t = w.text
        if skip:
            skip = False
            continue
        if t.startswith("-"):
            if t in ("-r", "-c", "-e", "--requirement", "--constraint", "--editable"):
                return ("python", problems)
            if t in ("-i", "--index-url", "--extra-index-url", "-f", "--find-links"):
                skip = True
            continue
        names.append(_requirement_name(t))
    if names and all(n in _TOOL_PACKAGES for n in names):
        return ("tool", problems)
    return ("python", problems)


def _requirement_name(text: str) -> str:
    """``Pip_Tools[x]>=7`` -> ``pip-tools``: the project a requirement word names."""
    return re.split(r"[\[<>=!~; ]", text, maxsplit=1)[0].lower().replace("_", "-")


def _pip_itself(inst: Instruction) -> list[Word]:
    """The requirement words of the ``pip install`` commands of ``inst`` that install only
    pip, setuptools or wheel (an upgrade of the installer itself)."""
    out: list[Word] = []
    for cmd in inst.commands:
        call = pip_call(cmd)
        if call is None or call.sub != "install":
            continue
        words = [w for w in call.args if not w.text.startswith("-")]
        names = {_requirement_name(w.text) for w in words}
        if words and names <= _PIP_ITSELF:
            out += words
    return out


def _editable(args: Sequence[str]) -> bool:
    return any(a in ("-e", "--editable") or a.startswith(("--editable=", "-e")) for a in args)


@dataclass(frozen=True)
class _Place:
    """The working folder (None: not known) and the user in effect at an instruction."""

    workdir: str | None
    user: str


def _places(body: Sequence[Instruction]) -> dict[int, _Place]:
    """:class:`_Place` of each instruction of the stage (by index). The base images the
    rewrite knows (python, debian, ubuntu, alpine) start in ``/`` as root."""
    out: dict[int, _Place] = {}
    workdir: str | None = "/"
    user = "root"
    for inst in body:
        out[inst.index] = _Place(workdir, user)
        if inst.keyword == "WORKDIR":
            value, known = substitute(inst.args.strip(), inst.env)
            value = value.strip("\"'")
            workdir = (
                posixpath.normpath(posixpath.join(workdir, value))
                if known and workdir is not None and value
                else None
            )
        elif inst.keyword == "USER":
            user = inst.args.strip() or user
    return out


def _resolve(cwd: str | None, path: str) -> str | None:
    if "$" in path or "`" in path or (cwd is None and not path.startswith("/")):
        return None
    return posixpath.normpath(posixpath.join(cwd or "/", path))


def _inplace_writes(cmd: Command, cwd: str | None) -> list[str | None] | None:
    """The folders a build command writes its results into next to the sources (None in the
    list: a folder that cannot be told), or None when ``cmd`` is not such a command."""
    argv = module_argv(cmd)
    texts = [w.text for w in argv]
    name = os.path.basename(texts[0]) if texts else ""
    call = pip_call(cmd)
    if call is not None:
        if call.sub != "install":
            return None
        found: list[str | None] = []
        args = call.arg_texts
        for i, a in enumerate(args):
            target = None
            if a in ("-e", "--editable") and i + 1 < len(args):
                target = args[i + 1]
            elif a.startswith("--editable="):
                target = a.split("=", 1)[1]
            elif a.startswith("-e") and len(a) > 2 and not a.startswith("--"):
                target = a[2:]
            if target is None or "://" in target or target.startswith(("git+", "hg+", "svn+")):
                continue
            found.append(_resolve(cwd, re.sub(r"\[.*\]$", "", target)))
        return found or None
    if re.fullmatch(r"python(\d+(\.\d+)?)?", name) and texts[1:2] in (["setup.py"], ["./setup.py"]):
        subs = set(texts[2:])
        if subs & {"develop", "--inplace", "-i"}:
            return [cwd]
        return None
    if name == "cythonize":
        return [cwd]
    if name == "maturin" and "develop" in texts[1:2]:
        return [cwd]
    return None


def _classify_run(
    inst: Instruction, model: Dockerfile, workdir: str | None = "/"
) -> tuple[_Run, list[str]]:
    """Read a RUN (``workdir``: the working folder it starts in): what kind of work it does,
    and reasons it cannot be rewritten."""
    problems: list[str] = []
    where = f"the RUN on line {inst.line}"
    if inst.form == "exec" or inst.heredocs:
        text = " ".join(inst.exec_args or ()) + " " + inst.args
        if re.search(r"\b(pip3?|apt-get|apk|poetry|pipenv|uv|pdm)\b", text):
            problems.append(f"{where} installs packages in a form the rewrite does not split")
        return _Run("runtime"), problems
    kinds: set[str] = set()
    others: list[str] = []
    run = _Run("runtime")
    cwd = workdir
    for cmd in inst.commands:
        name = cmd.name
        if not name:
            continue
        if name == "cd":
            target = cmd.args[0].text if cmd.args else "~"
            cwd = None if target.startswith(("~", "-")) else _resolve(cwd, target)
            continue
        writes = _inplace_writes(cmd, cwd)
        for folder in writes or ():
            if folder is None:
                problems.append(f"{where} builds in place in a folder the rewrite cannot tell")
            elif folder == "/":
                problems.append(
                    f"{where} builds in place in /, which the rewrite cannot copy on its own"
                )
            elif folder != VENV and not folder.startswith(VENV + "/"):
                run.writes.append(folder)
        if writes is not None and pip_call(cmd) is None:
            # cythonize, maturin develop, python setup.py develop / build_ext --inplace
            kinds.add("python")
            run.pip = True
            continue
        pip = _pip_kind(cmd)
        argv = module_argv(cmd)
        tool = os.path.basename(argv[0].text) if argv else ""
        if pip is not None:
            if pip[0] != "neutral":
                kinds.add(pip[0])
            problems += pip[1]
            call = pip_call(cmd)
            run.pip = run.pip or (call is not None and call.sub == "install")
        elif tool in _PROJECT_TOOLS:
            sub = next((w.text for w in argv[1:] if not w.text.startswith("-")), "")
            if sub in _PROJECT_TOOLS[tool]:
                kinds.add("python")
                if tool == "uv" and (
                    cmd.env("UV_SYSTEM_PYTHON") or inst.env.get("UV_SYSTEM_PYTHON")
                ):
                    problems.append(
                        f"{where} runs uv with UV_SYSTEM_PYTHON set, which skips every "
                        "virtual environment"
                    )
                if tool in ("uv", "pdm", "poetry") and sub == "add":
                    problems.append(
                        f"{where} uses `{tool} add`, which changes the project's dependencies "
                        "while it builds"
                    )
                if tool == "uv" and sub == "sync":
                    run.uv_sync = True
            else:
                others.append(tool)
        elif re.fullmatch(r"python(\d+(\.\d+)?)?", name) and any(
            w.text in ("setup.py", "./setup.py") for w in cmd.args[:1]
        ):
            kinds.add("python")
            run.pip = True
        elif (
            re.fullmatch(r"python(\d+(\.\d+)?)?", name)
            and [w.text for w in cmd.args[:2]]
            in (
                ["-m", "venv"],
                ["-m", "virtualenv"],
            )
        ) or name in ("virtualenv",):
            problems.append(f"{where} makes its own virtual environment")
        elif name in ("apt-get", "apt", "aptitude", "apt-mark", "apk", "dpkg-reconfigure"):
            kinds.add("system")
        elif _is_cleanup(cmd) or name in _NEUTRAL:
            continue
        else:
            others.append(name)
    for op in package_ops(inst.commands, inst.env):
        if op.manager not in ("apt", "apk"):
            problems.append(f"{where} uses {op.manager}, which the rewrite does not handle")
            continue
        if op.unknown:
            problems.append(
                f"{where} installs packages named by a value the rewrite cannot read "
                f"({op.unknown[0].raw})"
            )
        if op.kind == "install":
            run.installed += list(op.names)
        elif op.kind == "remove":
            run.removed += list(op.names)
    if others and set(others) <= _INSTALLER_HELPERS and _INSTALLER_URL.search(inst.args):
        # ``curl -sSL https://install.python-poetry.org | python3 -``: an installer or
        # toolchain script that only the build needs
        kinds.add("tool")
        others = []
    build_words = kinds & {"system", "python", "tool"}
    if build_words and others:
        problems.append(
            f"{where} mixes build work ({', '.join(sorted(build_words))} installs) with "
            f"runtime work ({', '.join(dict.fromkeys(others))}), which the rewrite cannot split"
        )
    if "python" in kinds:
        run.kind = "python"
    elif "tool" in kinds:
        run.kind = "tool"
    elif "system" in kinds:
        run.kind = "system"
    else:
        run.kind = "runtime"
    return run, problems


# --------------------------------------------------------------------------- planning


def _runtime_base(info: BaseInfo, stage: Stage) -> str:
    base = stage.base
    if info.family == "unknown" or info.variant == "other":
        raise Refusal(f"the base image `{base.raw}` is not one the rewrite knows")
    if info.libc not in ("glibc", "musl") or info.package_manager not in ("apt", "apk"):
        raise Refusal(f"the base image `{base.raw}` is not a Debian, Ubuntu or Alpine image")
    new = slim_tag(base)
    if new is None:
        raise Refusal(f"no slim image of the same Python and release is known for `{base.raw}`")
    return new


def _slim_info(ref: str) -> BaseInfo:
    from .model import ImageRef

    return classify(ImageRef.parse(ref))


_DEBIAN_ORDER = ("stretch", "buster", "bullseye", "bookworm", "trixie", "forky")


def _candidate_releases(info: BaseInfo) -> list[str]:
    """The releases the image may be: the named one, or for a tag that does not name it
    (``python:3.11``) the implied one and the one before (images built before the default
    moved, and mirrors of them)."""
    release = info.release or ""
    if info.release_implied and info.distro == "debian" and release in _DEBIAN_ORDER:
        i = _DEBIAN_ORDER.index(release)
        if i > 0:
            return [release, _DEBIAN_ORDER[i - 1]]
    return [release]


@dataclass
class _Packages:
    """What the runtime stage installs: ``plain`` names, and ``choices`` for libraries whose
    package name depends on a release the tag does not fix (one alternative per release)."""

    plain: list[str] = field(default_factory=list)
    choices: list[tuple[tuple[str, ...], ...]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        out = list(self.plain)
        for alternatives in self.choices:
            out += [p for a in alternatives for p in a if p not in out]
        return out


def _runtime_packages(
    info: BaseInfo,
    installed: Sequence[str],
    removed: Sequence[str],
    native: Sequence[str],
    programs: Iterable[str],
    loads: Sequence[str] = (),
) -> _Packages:
    distro = info.distro or ("alpine" if info.libc == "musl" else "debian")
    releases = _candidate_releases(info)
    out = _Packages()
    keep = out.plain
    gone = set(removed)
    explicit_dev = []
    for name in dict.fromkeys(installed):
        if name in gone:
            continue
        if _PYTHON_BUILD_PACKAGES.match(name):
            continue
        if is_dev_package(name):
            explicit_dev.append(name)
            continue
        if is_build_tool(name):
            continue
        keep.append(name)
    dev_needed = list(explicit_dev)
    implicit: set[str] = set()
    if info.fat:
        for release in releases:
            implicit |= _rl.fat_base_dev_packages(release)
    for project in native:
        for dev in _rl.python_build_deps(project, distro):
            if dev in dev_needed:
                continue
            if dev in implicit:
                dev_needed.append(dev)
                out.notes.append(f"{project} links {dev}, which `{info.family}` provides")
    # what ctypes opens is the library itself: not its typelibs (gir1.2-*) nor optional
    # plugin packages (ImageMagick's -extra coders), which the full image happened to have
    loaded: set[str] = set()
    if info.fat:
        for project in loads:
            for dev in _rl.python_loads(project, distro):
                if dev not in dev_needed:
                    dev_needed.append(dev)
                    loaded.add(dev)
                    out.notes.append(
                        f"{project} loads the libraries of {dev} at run time, which "
                        f"`{info.family}` provides"
                    )
    for dev in dev_needed:
        if _PYTHON_BUILD_PACKAGES.match(dev) or dev in ("linux-libc-dev", "libc6-dev", "musl-dev"):
            continue
        found = {r: _rl.runtime_packages(dev, distro, r) for r in releases}
        if dev in loaded:
            found = {
                r: tuple(p for p in libs if not _OPTIONAL_RUNTIME.search(p)) if libs else libs
                for r, libs in found.items()
            }
        known = [libs for libs in found.values() if libs is not None]
        if not known:
            shown = " or ".join(r for r in releases if r) or "(release?)"
            raise Refusal(f"no runtime package is known for `{dev}` on {distro} {shown}")
        distinct = list(dict.fromkeys(tuple(libs) for libs in known))
        if len(distinct) == 1:
            keep += [lib for lib in distinct[0] if lib not in keep]
        else:
            if not all(distinct):
                raise Refusal(
                    f"`{dev}` needs a runtime package on one of {', '.join(releases)} and none "
                    "on another, and the base image's tag does not say which release it is"
                )
            if distinct not in [list(c) for c in out.choices]:
                out.choices.append(tuple(distinct))
    if info.family != "python" and distro != "alpine":
        # a distribution's own Python: its slim image has python3 but not libpython3.X,
        # which a program that embeds Python (uwsgi) links
        embedders = [project for project in native if _rl.links_python(project)]
        minor = distro_python_minor(info)
        if embedders and minor is None:
            raise Refusal(
                f"{embedders[0]} links the Python runtime library, and which Python "
                f"`{info.family}` {info.release or ''} has is not known"
            )
        if embedders and f"libpython{minor}" not in keep:
            keep.append(f"libpython{minor}")
            out.notes.append(f"{embedders[0]} links the Python runtime library")
    for program in programs:
        pkg = _TOOL_PACKAGES_BY_PROGRAM.get(program)
        if pkg and pkg not in keep:
            keep.append(pkg)
            out.notes.append(f"`{program}` is used at run time; the slim image needs {pkg}")
    return out


def _runtime_programs(insts: Iterable[Instruction]) -> list[str]:
    """Full-image-only programs that runtime instructions call."""
    found: list[str] = []
    for inst in insts:
        if inst.keyword == "RUN" and inst.form == "shell":
            names = [c.name for c in inst.commands]
        elif inst.keyword in ("CMD", "ENTRYPOINT", "HEALTHCHECK", "RUN"):
            if inst.exec_args is not None:
                names = [os.path.basename(inst.exec_args[0])] if inst.exec_args else []
                names += [w for a in inst.exec_args for w in full_only_tools_in(a) if w == "curl"]
            else:
                names = full_only_tools_in(inst.args)
        else:
            continue
        for n in names:
            if n in FULL_ONLY_TOOLS and n not in found:
                found.append(n)
    return found


def _check_entrypoints(insts: Sequence[Instruction]) -> None:
    # programs the file itself puts into /usr/local/bin stay where they are
    copied = set()
    for inst in insts:
        if inst.keyword in ("COPY", "ADD"):
            words = list(inst.exec_args) if inst.exec_args is not None else inst.args.split()
            if words:
                dest = words[-1]
                names = [os.path.basename(w) for w in words[:-1]]
                copied.add(dest)
                copied |= {dest.rstrip("/") + "/" + n for n in names}
    for inst in insts:
        if inst.keyword not in ("CMD", "ENTRYPOINT", "HEALTHCHECK", "RUN"):
            continue
        text = " ".join(inst.exec_args) if inst.exec_args is not None else inst.args
        m = _PROJECT_VENV.search(text)
        if m:
            raise Refusal(
                f"the {inst.keyword} on line {inst.line} runs `{m.group(0)}` from the project's "
                f"own environment, which the rewrite replaces with {VENV}"
            )
        m = _ABSOLUTE_PYTHON.search(text)
        if m:
            raise Refusal(
                f"the {inst.keyword} on line {inst.line} runs `{m.group(0)}`, which bypasses "
                "the virtual environment"
            )
        if inst.keyword in ("CMD", "ENTRYPOINT"):
            words = list(inst.exec_args) if inst.exec_args is not None else inst.args.split()
            for i, w in enumerate(words[:3]):
                base = os.path.basename(w)
                if base in _RUN_TOOLS and i + 1 < len(words) and words[i + 1] == "run":
                    raise Refusal(
                        f"the {inst.keyword} on line {inst.line} starts through `{base} run`, "
                        f"and {base} is not in the runtime image"
                    )
            m = _LOCAL_BIN.search(text)
            if m and m.group(0) not in copied:
                raise Refusal(
                    f"the {inst.keyword} on line {inst.line} runs `{m.group(0)}`, which a "
                    "package install put there; it moves into the virtual environment"
                )


def _carried_folders(
    body: Sequence[Instruction], runs: dict[int, _Run], places: dict[int, _Place]
) -> dict[int, list[tuple[str, str]]]:
    """Where the runtime stage copies folders that builder RUNs built into: instruction index
    -> [(folder, user)], at the last RUN that writes each folder (the builder's copy then has
    every result). Refuses when a RUN that stays in the runtime stage changes such a folder
    before it is copied (the copy would undo that change)."""
    last: dict[str, int] = {}
    for inst in body:
        if inst.keyword == "RUN":
            for folder in runs[inst.index].writes:
                last[folder] = inst.index
    out: dict[int, list[tuple[str, str]]] = {}
    for folder, index in last.items():
        for inst in body:
            if inst.index >= index or inst.keyword != "RUN" or runs[inst.index].kind != "runtime":
                continue
            cwd = places[inst.index].workdir
            inside = cwd is not None and (cwd == folder or cwd.startswith(folder + "/"))
            if inside or folder in inst.args:
                raise Refusal(
                    f"the RUN on line {inst.line} changes {folder} before the build into it "
                    "is copied from the builder stage, which would undo the change"
                )
        user = places[index].user
        out.setdefault(index, []).append((folder, user))
    return out


_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh"})
_PATH_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
_MAX_SCRIPT = 1 << 20
_MAX_SCRIPT_DEPTH = 4


def _command_words(inst: Instruction) -> list[str]:
    """The words of the command a CMD, ENTRYPOINT or HEALTHCHECK starts (shell form split on
    blanks: only its first words are looked at)."""
    words = list(inst.exec_args) if inst.exec_args is not None else inst.args.split()
    if inst.keyword == "HEALTHCHECK":
        words = [w for w in words if not w.startswith("--")]
        if not words or words[0].upper() != "CMD":
            return []
        words = words[1:]
        if len(words) == 1 and inst.exec_args is None:
            words = words[0].split()
    return words


def _script_words(words: Sequence[str]) -> list[str]:
    """The words of a command line that may name a script file: the program, or the first
    argument of a shell (``sh start.sh``); ``sh -c '…'`` names none."""
    if not words:
        return []
    if os.path.basename(words[0]) in _SHELLS:
        return [words[1]] if len(words) > 1 and not words[1].startswith("-") else []
    return [words[0]]


class _ContextFiles:
    """Files of the build context that the stage's COPY and ADD put into the image: which
    context file is at an image path (the last copy wins), read without running anything."""

    def __init__(
        self, body: Sequence[Instruction], places: dict[int, _Place], context: Path | None
    ) -> None:
        self.context = context
        self.copies: list[tuple[list[str], str, bool]] = []  # (sources, dest, dest is a folder)
        for inst in body:
            if inst.keyword not in ("COPY", "ADD") or inst.flag_values("from"):
                continue
            words = list(inst.exec_args) if inst.exec_args is not None else inst.args.split()
            if len(words) < 2:
                continue
            dest = _resolve(places[inst.index].workdir, words[-1])
            if dest is None:
                continue
            folder = words[-1].endswith("/") or words[-1] in (".", "..") or len(words) > 2
            self.copies.append((words[:-1], dest, folder))

    def source_of(self, image_path: str) -> str | None:
        """The context-relative file copied to ``image_path`` ("" when a copy covers the
        path but the context is not known), or None when no COPY puts a file there."""
        for sources, dest, folder in reversed(self.copies):
            for source in sources:
                rel = posixpath.normpath(source.lstrip("/"))
                if any(ch in source for ch in "*?[") or "://" in source:
                    continue
                found = self._is_dir(rel)
                if found is None:  # no context: any copy of a matching name or folder
                    if image_path in (dest, posixpath.join(dest, posixpath.basename(rel))):
                        return ""
                    if image_path.startswith(dest.rstrip("/") + "/") and not folder:
                        return ""
                    continue
                if found:
                    if image_path.startswith(dest.rstrip("/") + "/") or dest == "/":
                        inner = posixpath.relpath(image_path, dest)
                        return posixpath.normpath(posixpath.join(rel, inner))
                    continue
                target = posixpath.join(dest, posixpath.basename(rel)) if folder else dest
                if target == image_path:
                    return rel
        return None

    def _is_dir(self, rel: str) -> bool | None:
        if self.context is None:
            return None
        path = self.context / rel
        return path.is_dir() if path.exists() else False

    def read(self, rel: str) -> str | None:
        if self.context is None:
            return None
        path = (self.context / rel).resolve()
        try:
            path.relative_to(self.context.resolve())
            if not path.is_file() or path.stat().st_size > _MAX_SCRIPT:
                return None
            return path.read_bytes().decode("utf-8", "replace")
        except (OSError, ValueError):
            return None


def _script_programs(
    runtime_insts: Sequence[Instruction], places: dict[int, _Place], files: _ContextFiles
) -> list[str]:
    """Full-image-only programs that the scripts started by CMD, ENTRYPOINT and HEALTHCHECK
    call, read from the build context (shell scripts are parsed, never run), with the
    scripts they start in turn. Refuses when such a script is copied from the context but
    cannot be read."""
    found: list[str] = []
    seen: set[str] = set()

    def visit(word: str, inst: Instruction, depth: int) -> None:
        cwd = places[inst.index].workdir
        if "/" in word:
            candidates = [_resolve(cwd, word)]
        else:
            candidates = [posixpath.join(d, word) for d in _PATH_DIRS]
            if word.endswith(".sh"):
                candidates.append(_resolve(cwd, word))
        for image_path in candidates:
            if image_path is None or image_path in seen:
                continue
            rel = files.source_of(image_path)
            if rel is None:
                continue
            seen.add(image_path)
            where = f"the {inst.keyword} on line {inst.line}"
            text = files.read(rel) if rel else None
            if text is None:
                raise Refusal(
                    f"{where} runs {image_path}, and the rewrite cannot read it from the "
                    "build context to see which programs it needs"
                    + ("" if files.context is not None else " (no build context is known)")
                )
            first = text.split("\n", 1)[0]
            if first.startswith("#!") and "python" in first:
                return  # a Python script: no programs of the full image
            if depth >= _MAX_SCRIPT_DEPTH:
                return
            for cmd in parse_commands(text, 0):
                name = cmd.name
                if name in FULL_ONLY_TOOLS and name not in found:
                    found.append(name)
                words = [w.text for w in cmd.argv]
                for inner in _script_words(words):
                    if inner.endswith(".sh") or inner.startswith(("./", "/")):
                        visit(inner, inst, depth + 1)
            return
        if word.endswith(".sh") and not any(c is None for c in candidates):
            return  # not copied from the context (from the base image, or made by a RUN)

    for inst in runtime_insts:
        if inst.keyword in ("CMD", "ENTRYPOINT", "HEALTHCHECK"):
            for word in _script_words(_command_words(inst)):
                visit(word, inst, 0)
    return found


# --------------------------------------------------------------------------- writing


def _cut(model: Dockerfile, inst: Instruction, spans: Iterable[tuple[int, int]], nl: str) -> str:
    """The instruction as written with ``spans`` (and the blanks after each) cut out, ending
    with a line ending."""
    text = model.text
    pieces = []
    pos = inst.start
    for start, end in sorted(spans):
        pieces.append(text[pos:start])
        pos = end
        while pos < len(text) and text[pos] in " \t":
            pos += 1
    pieces.append(text[pos : inst.end])
    out = "".join(pieces)
    return out if out.endswith(("\n", "\r")) else out + nl


def _source(model: Dockerfile, inst: Instruction, nl: str) -> str:
    """The instruction exactly as written, ending with a line ending."""
    return _cut(model, inst, (), nl)


def _without_flags(model: Dockerfile, inst: Instruction, names: set[str], nl: str) -> str:
    """The instruction as written with the ``--name`` flags in ``names`` cut out."""
    return _cut(model, inst, [(f.start, f.end) for f in inst.flags if f.name in names], nl)


def _uv_system_words(inst: Instruction) -> list[tuple[int, int]]:
    """Spans of ``--system`` in ``uv pip …`` commands: uv then skips every virtual
    environment, so the builder drops the flag to install into :data:`VENV`."""
    spans = []
    for cmd in inst.commands:
        argv = module_argv(cmd)
        if not argv or os.path.basename(argv[0].text) != "uv":
            continue
        if "pip" not in [w.text for w in argv[1:3]]:
            continue
        spans += [(w.start, w.end) for w in argv[1:] if w.text == "--system"]
    return spans


def _builder_run(model: Dockerfile, inst: Instruction, nl: str) -> str:
    """A RUN as the builder runs it: as written, with ``uv pip --system`` made to install
    into the virtual environment."""
    return _cut(model, inst, _uv_system_words(inst), nl)


def _comments(inst: Instruction, nl: str) -> str:
    return "".join(c.text + nl for c in inst.comments)


def _install_line(manager: str, packages: _Packages, escape: str, nl: str) -> str:
    if manager == "apk":
        return f"RUN apk add --no-cache {' '.join(packages.all())}{nl}"
    cont = f" {escape}{nl}    "
    install = "apt-get install -y --no-install-recommends"
    steps = ["apt-get update"]
    if packages.plain:
        steps.append(f"{install} {' '.join(packages.plain)}")
    for alternatives in packages.choices:
        # the tag does not fix the release: install whichever name the release has
        tries = f"{cont}     || ".join(f"{install} {' '.join(a)}" for a in alternatives)
        steps.append(f"{{ {tries}; }}")
    steps.append("rm -rf /var/lib/apt/lists/*")
    return "RUN " + f"{cont}&& ".join(steps) + nl


def runtime_library_install(
    info: BaseInfo, loads: Sequence[str], escape: str = "\\", nl: str = "\n"
) -> str | None:
    """The RUN (with its line ending) that installs, in the slim image of the full image
    ``info``, the libraries that the Python packages ``loads`` open at run time (ctypes or
    cffi) and the full image had; None when they need none. Raises :class:`Refusal` when a
    library's package is not known for the image's release."""
    packages = _runtime_packages(info, (), (), (), (), loads)
    if not packages.all():
        return None
    manager = "apk" if info.package_manager == "apk" else "apt"
    return _install_line(manager, packages, escape, nl)


def _venv_env() -> str:
    return f'ENV VIRTUAL_ENV={VENV} PATH="{VENV}/bin:$PATH"'


def rewrite(
    model: Dockerfile,
    native: Sequence[str] = (),
    loads: Sequence[str] = (),
    context: Path | None = None,
) -> Rewrite:
    """Rewrite ``model`` (one stage) into a builder and a slim runtime stage.

    ``native`` names the Python packages the build compiles from source (for the runtime
    libraries they link that the original base provided without an explicit install);
    ``loads`` the installed Python packages that may open system libraries at run time
    (ctypes/cffi: the libraries the full base image has are installed in the slim one);
    ``context`` the build context, where the scripts that CMD, ENTRYPOINT and HEALTHCHECK
    start are read (for the programs they call). Raises :class:`Refusal` with the reason
    when the file is not one the rewrite handles.
    """
    if any(i.keyword == "ONBUILD" for i in model.instructions):
        raise Refusal("the file uses ONBUILD, whose effect depends on images built from it")
    if len(model.stages) != 1:
        raise Refusal(
            "the file has several stages; the rewrite splits a single-stage file only"
            if model.stages
            else "the file has no FROM"
        )
    stage = model.stages[0]
    base = stage.base
    if not base.resolved or "$" in stage.from_instruction.args.split()[0]:
        raise Refusal("the base image is chosen by an ARG; the slim image cannot be told")
    info = classify(base)
    runtime_base = _runtime_base(info, stage)
    scan = model.scan
    text = model.text
    nl = line_ending(text)
    escape = scan.escape
    body = stage.instructions[1:]

    places = _places(body)
    runs: dict[int, _Run] = {}
    problems: list[str] = []
    for inst in body:
        if inst.keyword == "RUN":
            run, found = _classify_run(inst, model, places[inst.index].workdir)
            runs[inst.index] = run
            problems += found
    if problems:
        raise Refusal(problems[0])
    carried = _carried_folders(body, runs, places)
    if "the project itself" in native:
        for inst in body:
            calls = [pip_call(c) for c in inst.commands]
            if any(c and c.sub == "install" and _editable(c.arg_texts) for c in calls):
                raise Refusal(
                    f"the RUN on line {inst.line} installs the project in editable mode; its "
                    "compiled modules stay in the builder's source folder"
                )
    python_runs = [i for i in body if i.keyword == "RUN" and runs[i.index].kind == "python"]
    if not python_runs:
        raise Refusal("the stage installs no Python packages, so there is nothing to move")
    build_runs = [
        i for i in body if i.keyword == "RUN" and runs[i.index].kind in ("system", "tool")
    ]
    last_build = max(i.index for i in python_runs + build_runs)
    first_python = python_runs[0].index

    installed = [p for r in runs.values() for p in r.installed]
    removed = [p for r in runs.values() for p in r.removed]
    distro_python = info.family != "python"
    if distro_python and not any(_PYTHON_INTERPRETER_PACKAGE.match(p) for p in installed):
        raise Refusal(
            f"`{base.raw}` has no Python and the file installs none the rewrite recognises"
        )
    runtime_insts = [i for i in body if i.keyword != "RUN" or runs[i.index].kind == "runtime"]
    _check_entrypoints(runtime_insts)
    # runtime RUNs before the last install that download things may feed the build
    for inst in body:
        if inst.index < last_build and inst.keyword == "RUN" and runs[inst.index].kind == "runtime":
            used = {c.name for c in inst.commands} & (_DOWNLOADERS | _COMPILERS)
            if used:
                raise Refusal(
                    f"the RUN on line {inst.line} runs {', '.join(sorted(used))} before the "
                    "installs; the rewrite cannot tell whether the build needs it"
                )
    for inst in runtime_insts:
        if inst.keyword == "RUN":
            used = {c.name for c in inst.commands} & _COMPILERS
            if used:
                raise Refusal(
                    f"the RUN on line {inst.line} runs {', '.join(sorted(used))}, which the "
                    "slim runtime image does not have"
                )
    files = _ContextFiles(body, places, context)
    programs = _runtime_programs(runtime_insts)
    programs += [p for p in _script_programs(runtime_insts, places, files) if p not in programs]
    programs = [p for p in programs if p not in installed]
    missing = [p for p in programs if p not in _TOOL_PACKAGES_BY_PROGRAM]
    if missing:
        raise Refusal(
            f"the runtime steps call {', '.join(missing)}, which the slim image does not have"
        )
    manager = "apk" if info.package_manager == "apk" else "apt"
    packages = _runtime_packages(info, installed, removed, native, programs, loads)
    system_site = distro_python and any(
        p.startswith(("python3-", "py3-"))
        and not _PYTHON_BUILD_PACKAGES.match(p)
        and not _PYTHON_INTERPRETER_PACKAGE.match(p)
        for p in installed
        if p not in removed
    )

    needs_pip = any(runs[inst.index].pip for inst in python_runs)
    uv_sync = any(runs[inst.index].uv_sync for inst in python_runs)
    # `pip install --upgrade pip setuptools` before the installs upgraded the pip that did
    # them: the venv's own pip gets the same upgrade
    upgrade = [
        w.raw
        for inst in build_runs
        if inst.index < first_python and runs[inst.index].kind == "tool"
        for w in _pip_itself(inst)
    ]
    aliases = {s.alias for s in model.stages if s.alias}
    builder = next(n for n in ("builder", "build", "venv-builder") if n not in aliases)

    # ---- builder stage
    from_inst = stage.from_instruction
    words = from_inst.args.split()
    flags = "".join(text[f.start : f.end] + " " for f in from_inst.flags if f.name == "platform")
    out: list[str] = []
    # everything above FROM (directives, global ARGs, the file's header comments) stays on top
    out.append(text[: from_inst.start])
    out.append(f"FROM {flags}{words[0]} AS {builder}{nl}")
    python = "python3" if distro_python else "python"
    venv_added = False
    for inst in body:
        if inst.index > last_build:
            break
        kw = inst.keyword
        if kw == "RUN":
            kind = runs[inst.index].kind
            if kind == "runtime":
                continue
            if kind == "python" and not venv_added:
                if (
                    needs_pip
                    and distro_python
                    and manager == "apt"
                    and "python3-venv" not in installed
                ):
                    out.append(_install_line(manager, _Packages(["python3-venv"]), escape, nl))
                opt = " --system-site-packages" if system_site else ""
                # poetry, pipenv and uv install into the environment without its own pip
                opt += "" if needs_pip else " --without-pip"
                then = ""
                if needs_pip and upgrade:
                    wanted = " ".join(dict.fromkeys(upgrade))
                    then = f" && {VENV}/bin/pip install --no-cache-dir --upgrade {wanted}"
                out.append(f"RUN {python} -m venv{opt} {VENV}{then}{nl}")
                # `uv sync` syncs the project environment (./.venv unless told otherwise);
                # poetry and pipenv use the active one (VIRTUAL_ENV)
                uv_env = f" UV_PROJECT_ENVIRONMENT={VENV}" if uv_sync else ""
                out.append(f"{_venv_env()} PIP_NO_CACHE_DIR=1{uv_env}{nl}")
                venv_added = True
            out.append(_comments(inst, nl) + _builder_run(model, inst, nl))
        elif kw in ("COPY", "ADD"):
            out.append(_comments(inst, nl) + _without_flags(model, inst, {"chown", "chmod"}, nl))
        elif kw in ("ENV", "ARG", "WORKDIR", "SHELL"):
            out.append(_source(model, inst, nl))

    # ---- runtime stage
    out.append(nl)
    alias = f" AS {words[2]}" if len(words) >= 3 and words[1].lower() == "as" else ""
    out.append(f"FROM {flags}{runtime_base}{alias}{nl}")
    packages_written = False
    venv_written = False
    # the runtime libraries go where the original installed system packages, else before
    # the first step that adds files (early, so that app changes do not re-run the install)
    first_system = next(
        (i.index for i in body if i.keyword == "RUN" and runs[i.index].kind == "system"),
        next((i.index for i in body if i.keyword in ("COPY", "ADD", "RUN")), first_python),
    )
    # the items between FROM and the end of the file, in order (blank lines and standalone
    # comments kept; comment blocks directly above an instruction travel with it)
    attached = {c.start for i in body for c in i.comments}
    by_start = {i.start: i for i in body}
    started = False
    for item in scan.items:
        if isinstance(item, RawInstruction) and item.start == from_inst.start:
            started = True
            continue
        if not started or isinstance(item, (Bom, Directive)):
            continue
        if isinstance(item, Comment):
            if item.start not in attached:
                out.append(item.text + nl)
            continue
        if isinstance(item, Blank):
            last = next((piece for piece in reversed(out) if piece), "")
            if last.strip():  # one blank line where a dropped instruction left two
                out.append(text[item.start : item.end] or nl)
            continue
        inst = by_start[item.start]
        kind = runs[inst.index].kind if inst.keyword == "RUN" else "runtime"
        if inst.index >= first_system and packages.all() and not packages_written:
            out.append(_install_line(manager, packages, escape, nl))
            packages_written = True
        if kind == "python" and not venv_written:
            out.append(f"COPY --from={builder} {VENV} {VENV}{nl}")
            out.append(f"{_venv_env()}{nl}")
            venv_written = True
        for folder, user in carried.get(inst.index, ()):
            # built next to its sources: the results are only in the builder's copy
            chown = "" if user.split(":")[0] in ("root", "0") else f"--chown={user} "
            out.append(f"COPY --from={builder} {chown}{folder} {folder}{nl}")
        if kind == "runtime":
            out.append(_comments(inst, nl) + _source(model, inst, nl))
    result = "".join(out)
    return Rewrite(result, builder, runtime_base, tuple(packages.all()), tuple(packages.notes))
