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

import fnmatch
import json
import os
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from . import runtime_libs as _rl
from .commands import (
    PIP_VALUE_OPTIONS,
    VENV_VALUE_OPTIONS,
    module_argv,
    pip_call,
    removed_paths,
)
from .edits import line_ending
from .images import (
    FULL_ONLY_TOOLS,
    BaseInfo,
    classify,
    distro_python_minor,
    full_only_tools_in,
    slim_tag,
)
from .model import SHELLS, Dockerfile, Instruction, Stage, change_workdir, substitute
from .packages import (
    PackageOp,
    distro_python,
    is_build_tool,
    is_dev_package,
    is_python_build_package,
    package_name,
    package_ops,
)
from .project import requirement_name
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
    "flit": {"install"},
}
# packages that are installers/build helpers rather than application dependencies: a pip
# install of only these runs before the virtual environment is made
_PIP_ITSELF = frozenset({"pip", "setuptools", "wheel"})
_TOOL_PACKAGES = frozenset(
    {"pip", "setuptools", "wheel", "poetry", "pipenv", "uv", "pdm", "pip-tools", "virtualenv"}
    | {"poetry-plugin-export", "cython", "build"}
)
# programs the runtime does not need to run a RUN that only cleans up
_NEUTRAL = frozenset({"cd", "true", ":", "set", "export", "umask", ".", "source"})
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
    "gpg": "gnupg",
    "dirmngr": "dirmngr",
    "apt-key": "gnupg",  # apt's, but it runs gpg
}
# programs that always mean "this RUN builds something"
_COMPILERS = frozenset(
    {"gcc", "g++", "cc", "c++", "make", "cmake", "clang", "ld", "cargo", "rustc", "go"}
)
# installers of Python packages that the rewrite does not read: run in the runtime stage
# they would install there, and compile without a compiler
_OTHER_INSTALLERS = frozenset(
    {"easy_install", "pip-sync", "pipx", "conda", "mamba", "micromamba", "hatch", "rye", "pixi"}
)
# programs of build tools (compilers, build systems, toolchain helpers)
_BUILD_PROGRAMS = _COMPILERS | frozenset(
    {"c++", "as", "ar", "autoconf", "automake", "autoreconf", "libtool", "libtoolize"}
    | {"pkg-config", "ninja", "meson", "gfortran"}
)
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
_OPTIONAL_RUNTIME = re.compile(r"^gir1\.2-|-extra$")
_TOOLCHAIN_RUNTIME = re.compile(r"^(gcc-\d+-base|lib(a|l|t|ub|hwa)san\d+|libdpkg-perl|libcc1-0)$")
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


class _Run:
    """How one RUN of the stage takes part in the build (filled in as it is read)."""

    __slots__ = (
        "installed",
        "kind",
        "ops",
        "pip",
        "recommends",
        "removed",
        "split",
        "uv_sync",
        "venv",
        "writes",
        "written",
    )

    def __init__(self, kind: str) -> None:
        self.kind = kind  # "system", "python", "tool", "runtime"
        self.installed: list[str] = []  # system packages installed
        self.written: dict[str, str] = {}  # name -> as written, when pinned
        self.recommends: set[str] = set()  # installed with recommended packages
        self.ops: list[PackageOp] = []  # its package-manager calls
        self.removed: list[str] = []  # system packages removed
        self.pip = False  # installs with pip (`pip install`, `python setup.py`): needs pip
        self.uv_sync = False  # `uv sync`: its project environment is pointed at the venv
        # folders outside the venv that the RUN builds into (in-place extension builds,
        # editable installs, ``cythonize -i``): the runtime stage copies them from the builder
        self.writes: list[str] = []
        self.split: _Split | None = None  # a RUN of build and runtime work, split at `&&`s
        self.venv = ""  # the virtual environment the RUN makes (the file's own)


# a package tool's own cache clearing: ``pipenv --clear``, ``poetry cache clear --all pypi``
_CACHE_CLEARS = {
    "pipenv": ("--clear",),
    "poetry": ("cache",),
    "uv": ("cache",),
    "pdm": ("cache",),
}
# ``rm -rf "$(pip cache dir)"``: the folder pip names as its cache
_PIP_CACHE_DIR = re.compile(
    r"\$\((?:python[\d.]*\s+-m\s+)?pip[\d.]*\s+cache\s+dir\s*\)|`pip[\d.]*\s+cache\s+dir`"
)


_HARMLESS_REDIRECT = re.compile(r"\d*>>?\s*/dev/null|\d*>&\s*\d")
_FILE_REDIRECT = re.compile(r">|\btee\b")


def _is_cleanup(cmd: Command) -> bool:
    """``rm -rf`` of caches, package lists and temporary files only, or a package tool's
    clearing of its own cache."""
    words = [w.text for w in cmd.args]
    clears = _CACHE_CLEARS.get(cmd.name)
    if clears is not None:
        return bool(words) and words[0] in clears
    if cmd.name != "rm":
        return False
    if words and all(w.startswith("-") or _PIP_CACHE_DIR.fullmatch(w) for w in words):
        return any(_PIP_CACHE_DIR.fullmatch(w) for w in words)
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


def _pip_kind(cmd: Command, venv: str = VENV) -> tuple[str, list[str]] | None:
    """("python"|"tool", problems) for a pip install/uninstall/wheel, ``None`` otherwise."""
    call = pip_call(cmd)
    if call is None:
        return None
    if call.sub not in ("install", "uninstall", "wheel", "download"):
        return ("neutral", [])
    problems: list[str] = []
    program = cmd.argv[0].text
    if (
        "/" in program
        and not program.startswith(venv + "/")
        and not _ABSOLUTE_PIP.fullmatch(program)
    ):
        problems.append(f"`{program}` calls pip by its absolute path")
    options = call.all_option_texts
    # (`--user` installs into the user's site-packages, which the venv replaces)
    for bad in ("--target", "-t", "--prefix", "--root"):
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
            if t in PIP_VALUE_OPTIONS:
                skip = True
            continue
        names.append(_requirement_name(t))
    if names and all(n in _TOOL_PACKAGES for n in names):
        return ("tool", problems)
    return ("python", problems)


def _requirement_name(text: str) -> str:
    """``Pip_Tools[x]>=7`` -> ``pip-tools``: the project a requirement word names ("" for a
    path or a URL)."""
    return requirement_name(text) or ""


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


class _Place:
    """The working folder (None: not known) and the user in effect at an instruction."""

    __slots__ = ("user", "workdir")

    def __init__(self, workdir: str | None, user: str) -> None:
        self.workdir = workdir
        self.user = user


def _places(body: Sequence[Instruction]) -> dict[int, _Place]:
    """:class:`_Place` of each instruction of the stage (by index). The base images the
    rewrite knows (python, debian, ubuntu, alpine) start in ``/`` as root."""
    out: dict[int, _Place] = {}
    workdir: str | None = "/"
    user = "root"
    for inst in body:
        out[inst.index] = _Place(workdir, user)
        if inst.keyword == "WORKDIR":
            workdir = change_workdir(workdir, inst.args, inst.env)
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


def _venv_target(cmd: Command, cwd: str | None, env: Mapping[str, str] | None = None) -> str | None:
    """The folder ``python -m venv``/``virtualenv`` makes a virtual environment in ("" when it
    cannot be told; ``env`` expands variables), or None when ``cmd`` makes none."""
    texts = [w.text for w in cmd.argv]
    if re.fullmatch(r"python(\d+(\.\d+)?)?", cmd.name) and texts[1:3] in (
        ["-m", "venv"],
        ["-m", "virtualenv"],
    ):
        rest = texts[3:]
    elif cmd.name == "virtualenv":
        rest = texts[1:]
    else:
        return None
    i = 0
    while i < len(rest) and rest[i].startswith("-"):
        i += 2 if rest[i] in VENV_VALUE_OPTIONS and "=" not in rest[i] else 1
    if i >= len(rest):
        return ""
    target, known = substitute(rest[i], env or {})
    return (_resolve(cwd, target) or "") if known else ""


def _classify_run(
    inst: Instruction, model: Dockerfile, workdir: str | None = "/", venv: str = VENV
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
    run = _Run("runtime")
    cwd = workdir
    # each command's part: "build" and "cleanup" (cache removal) move to the builder,
    # "runtime" stays, "shared" (shell set-up: cd, set, export, an assignment) goes to both
    # halves of a split RUN
    roles: list[tuple[Command, str]] = []
    # a redirection to a file (`echo x > /etc/app.conf`): such a message is runtime work
    writes_files = _FILE_REDIRECT.search(_HARMLESS_REDIRECT.sub("", inst.args)) is not None
    for cmd in inst.commands:
        name = cmd.name
        role = "build"
        if not name or name in _NEUTRAL:
            role = "shared"
            if name == "cd":
                target = cmd.args[0].text if cmd.args else "~"
                cwd = None if target.startswith(("~", "-")) else _resolve(cwd, target)
            roles.append((cmd, role))
            continue
        writes = _inplace_writes(cmd, cwd)
        for folder in writes or ():
            if folder is None:
                problems.append(f"{where} builds in place in a folder the rewrite cannot tell")
            elif folder == "/":
                problems.append(
                    f"{where} builds in place in /, which the rewrite cannot copy on its own"
                )
            elif folder != venv and not folder.startswith(venv + "/"):
                run.writes.append(folder)
        pip = _pip_kind(cmd, venv)
        argv = module_argv(cmd)
        tool = os.path.basename(argv[0].text) if argv else ""
        if writes is not None and pip is None:
            # cythonize, maturin develop, python setup.py develop / build_ext --inplace
            kinds.add("python")
            run.pip = True
        elif pip is not None:
            if pip[0] != "neutral":
                kinds.add(pip[0])
            problems += pip[1]
            call = pip_call(cmd)
            run.pip = run.pip or (call is not None and call.sub == "install")
        elif tool in _PROJECT_TOOLS:
            sub = next((w.text for w in argv[1:] if not w.text.startswith("-")), "")
            if sub in _PROJECT_TOOLS[tool]:
                kinds.add("python")
                problems += _project_tool_problems(inst, cmd, tool, sub, where)
                run.uv_sync = run.uv_sync or (tool == "uv" and sub == "sync")
            elif _is_cleanup(cmd):
                role = "cleanup"
            else:
                role = "runtime"
        elif re.fullmatch(r"python(\d+(\.\d+)?)?", name) and any(
            w.text in ("setup.py", "./setup.py") for w in cmd.args[:1]
        ):
            kinds.add("python")
            run.pip = True
        elif (made := _venv_target(cmd, cwd, inst.env)) is not None:
            if made != venv:
                problems.append(
                    f"{where} makes a virtual environment "
                    + (f"at {made} " if made else "")
                    + "besides the one the installs use"
                )
            kinds.add("tool")
            run.venv = made
        elif name in ("apt-get", "apt", "aptitude", "apt-mark", "apk"):
            kinds.add("system")
        elif _is_cleanup(cmd) or (name in ("echo", "printf") and not writes_files):
            role = "cleanup"  # a message in the build log goes along with the installs
        else:
            role = "runtime"
        roles.append((cmd, role))
    run.ops = package_ops(inst.commands, inst.shell_env)
    for op in run.ops:
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
            if op.manager == "apt" and not _no_recommends(op.options):
                run.recommends.update(op.names)
            chosen = [o for o in op.options if o.startswith(("-t", "--target-release"))]
            chosen += [o for o in op.options if o.startswith("--default-release")]
            if op.manager == "apt" and chosen:
                problems.append(
                    f"{where} installs from a chosen release ({chosen[0]}), which the runtime "
                    "stage's install does not carry"
                )
            # a version or release pin is kept as written (`nodejs=20.*`, `pkg/bookworm`)
            run.written.update(
                (name, word.text)
                for name, word in zip(op.names, op.packages)
                if name != word.text and "://" not in word.text and not word.text.startswith(".")
            )
        elif op.kind == "remove":
            run.removed += list(op.names)
    others = [cmd.name for cmd, role in roles if role == "runtime"]
    if others and set(others) <= _INSTALLER_HELPERS and _INSTALLER_URL.search(inst.args):
        # ``curl -sSL https://install.python-poetry.org | python3 -``: an installer or
        # toolchain script that only the build needs
        kinds.add("tool")
        others = []
    build_words = kinds & {"system", "python", "tool"}
    if build_words and others:
        run.split = _split_run(model, inst, roles)
        if run.split is None:
            problems.append(
                f"{where} mixes build work ({', '.join(sorted(build_words))} installs) with "
                f"runtime work ({', '.join(dict.fromkeys(others))}) in a way the rewrite "
                "cannot split (it splits a plain `&&` chain of simple commands, or a `;` one "
                "after `set -e`, without `||`, pipes into the installs or subshells around "
                "them)"
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


def _project_tool_problems(
    inst: Instruction, cmd: Command, tool: str, sub: str, where: str
) -> list[str]:
    problems = []
    if tool == "uv" and (cmd.env("UV_SYSTEM_PYTHON") or inst.env.get("UV_SYSTEM_PYTHON")):
        problems.append(
            f"{where} runs uv with UV_SYSTEM_PYTHON set, which skips every virtual environment"
        )
    if tool == "flit":
        words = {w.text.split("=", 1)[0] for w in cmd.args}
        linked = words & {"-s", "--symlink", "--pth-file"}
        if linked:
            problems.append(
                f"{where} runs `flit install {sorted(linked)[0]}`, which links the project to "
                "its sources in the builder stage"
            )
        elsewhere = words & {"--python", "--user"}
        if elsewhere or cmd.env("FLIT_INSTALL_PYTHON") or inst.env.get("FLIT_INSTALL_PYTHON"):
            which = sorted(elsewhere)[0] if elsewhere else "FLIT_INSTALL_PYTHON"
            problems.append(
                f"{where} runs `flit install` for another Python ({which}), outside the "
                "virtual environment"
            )
    if tool in ("uv", "pdm", "poetry") and sub == "add":
        problems.append(
            f"{where} uses `{tool} add`, which changes the project's dependencies while it builds"
        )
    return problems


# runtime commands that set up users, groups and folders: before the installs, the runtime
# stage may run them after its runtime libraries
_SETUP = frozenset(
    {"useradd", "groupadd", "adduser", "addgroup", "usermod", "mkdir", "chown", "chmod", "ln"}
)
_COMMENT_LINE = re.compile(r"(?m)^[ \t]*#.*$")
# the gaps of a chain the rewrite splits (blanks removed): redirections, then `&&` or `|`
_REDIRECTS = re.compile(r"(?:\d*(?:>>|&>|>&|>|<)(?:&?\d+-?|[^&|;<>()`$]+))*")
_AND_GAP = re.compile(_REDIRECTS.pattern + "&&")
# `;` is split like `&&` once `set -e` (or `-o errexit`) makes every failure stop the RUN
_SEMI_GAP = re.compile(_REDIRECTS.pattern + ";")
_PIPE_GAP = re.compile(_REDIRECTS.pattern + r"\|")


def _and_operator(escape: str) -> re.Pattern[str]:
    """``&&`` as written, a line continuation (with the blank and comment lines it skips)
    allowed between its two characters."""
    cont = re.escape(escape) + r"[ \t]*\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*"
    return re.compile(f"&(?:{cont})?&")


def _strip_continuation(gap: str, escape: str) -> str:
    """``gap`` without the blanks, line continuations and comment lines at its end."""
    while True:
        cut = _COMMENT_LINE.sub("", gap).rstrip() if "#" in gap else gap.rstrip()
        cut = cut[:-1].rstrip() if cut.endswith(escape) else cut
        if cut == gap:
            return gap
        gap = cut


class _Split:
    """A RUN whose ``&&`` chain is split at its command boundaries.

    ``build``: the builder's commands (the installs, and every runtime command before the last
    install, which may feed the build: the builder is the original up to its last install).
    ``runtime``: the runtime stage's commands (every runtime command, with the shell set-up
    they need). ``pre``: when runtime work other than user and folder set-up comes before the
    first install (an apt source, a download, a locale), the runtime stage runs it on its own
    before the runtime libraries are installed, and ``runtime`` then holds what follows."""

    __slots__ = ("build", "feed", "pre", "runtime")

    def __init__(
        self,
        build: tuple[Command, ...],
        runtime: tuple[Command, ...],
        pre: tuple[Command, ...] = (),
        feed: tuple[Command, ...] = (),
    ) -> None:
        self.build = build
        self.runtime = runtime
        self.pre = pre
        # the builder's commands when a later RUN installs more: the whole chain
        self.feed = feed


def _sets_errexit(cmd: Command) -> bool:
    """Whether ``cmd`` is ``set -e`` (``set -eux``, ``set -o errexit``, …)."""
    if cmd.name != "set":
        return False
    words = [w.text for w in cmd.args]
    return any(
        (w.startswith("-") and not w.startswith("--") and "e" in w[1:])
        or (w == "-o" and nxt == "errexit")
        for w, nxt in zip(words, [*words[1:], ""])
    )


def _split_run(
    model: Dockerfile, inst: Instruction, roles: list[tuple[Command, str]]
) -> _Split | None:
    """The RUN split at its ``&&`` boundaries, or None when it is not a plain chain of simple
    commands."""
    text = model.text
    escape = model.scan.escape
    cmds = [cmd for cmd, _ in roles]
    if not cmds:
        return None

    def bare(gap: str) -> str:
        gap = _COMMENT_LINE.sub("", gap).replace(escape + "\r\n", " ").replace(escape + "\n", " ")
        return "".join(gap.split())

    # commands inside another's words (`echo "$(date)"`) belong to that command's unit
    outer: list[int] = []
    nested: dict[int, list[int]] = {}
    for i, cmd in enumerate(cmds):
        if outer and cmd.start < cmds[outer[-1]].end:
            nested.setdefault(outer[-1], []).append(i)
        else:
            outer.append(i)
    head = text[inst.raw.args_start : cmds[0].start]
    tail = text[cmds[outer[-1]].end : inst.raw.command_end]
    if bare(head) or not _REDIRECTS.fullmatch(bare(tail)):
        return None
    # the units of the chain: a command with its redirections, or a pipeline of them
    units: list[list[int]] = [[0, *nested.get(0, [])]]
    errexit = False
    for a, b in zip(outer, outer[1:]):
        errexit = errexit or _sets_errexit(cmds[a])
        gap = bare(text[cmds[a].end : cmds[b].start])
        if _AND_GAP.fullmatch(gap) or (errexit and _SEMI_GAP.fullmatch(gap)):
            units.append([b])
        elif _PIPE_GAP.fullmatch(gap):
            units[-1].append(b)
        else:
            return None
        units[-1] += nested.get(b, [])
    merged: list[tuple[Command, str]] = []
    for n, members in enumerate(units):
        first, last = cmds[members[0]], cmds[max(i for i in members if i in outer)]
        if n + 1 < len(units):
            gap = text[last.end : cmds[units[n + 1][0]].start]
            # the last separator: `&&` (its two characters maybe on either side of a line
            # continuation) or, after `set -e`, `;`
            ands = [m.start() for m in _and_operator(escape).finditer(gap)]
            cut = max([*ands, gap.rfind(";")])
            if cut < 0:
                return None
            gap = gap[:cut]
        else:
            gap = tail
        end = last.end + len(_strip_continuation(gap, escape))
        # a unit's part is its pipeline's (the commands inside a `$(…)` of it go along:
        # `rm -rf "$(pip cache dir)"` is a cleanup)
        piped = [i for i in members if i in outer]
        unit_roles = {roles[i][1] for i in piped}
        if len(piped) > 1 and unit_roles - {"runtime", "shared"}:
            return None  # an install in a pipeline: not split
        role = roles[piped[0]][1] if len(unit_roles) == 1 else "runtime"
        inner = {roles[i][1] for i in members if i not in outer}
        if role in ("runtime", "shared") and "build" in inner:
            return None  # an install inside runtime work (`echo "$(pip install x)"`)
        merged.append((replace(first, end=end) if end != first.end else first, role))
    roles = merged
    builds = [i for i, (_, role) in enumerate(roles) if role == "build"]
    if not builds:
        return None
    first_build, last_build = builds[0], builds[-1]
    build = tuple(cmd for i, (cmd, role) in enumerate(roles) if role != "runtime" or i < last_build)
    runtime = tuple(cmd for cmd, role in roles if role in ("runtime", "shared"))
    feed = tuple(cmd for cmd, _ in roles)
    before = roles[:first_build]
    if all(role != "runtime" or cmd.name in _SETUP for cmd, role in before):
        return _Split(build, runtime, (), feed)
    pre = tuple(cmd for cmd, role in before if role in ("runtime", "shared"))
    # the shell set-up before the first install (cd, export) holds for the rest as well
    after = tuple(cmd for cmd, role in before if role == "shared")
    after += tuple(cmd for cmd, role in roles[first_build:] if role in ("runtime", "shared"))
    if not any(role == "runtime" for _, role in roles[first_build:]):
        after = ()
    return _Split(build, after, pre, feed)


# --------------------------------------------------------------------------- planning


def _runtime_base(info: BaseInfo, stage: Stage) -> str:
    base = stage.base
    if stage.windows:
        raise Refusal(
            f"the base image `{base.raw}` is a Windows image; only Linux images are rewritten"
        )
    if info.family == "unknown" or info.variant == "other":
        raise Refusal(f"the base image `{base.raw}` is not one the rewrite knows")
    if info.libc not in ("glibc", "musl") or info.package_manager not in ("apt", "apk"):
        raise Refusal(f"the base image `{base.raw}` is not a Debian, Ubuntu or Alpine image")
    new = slim_tag(base)
    if new is None:
        raise Refusal(f"no slim image of the same Python and release is known for `{base.raw}`")
    return new


_ARG_REF = re.compile(r"\$\{(\w+)\}|\$(\w+)")


def _slim_with_args(written: str, resolved: str, slim: str) -> str:
    """The slim reference written with the ARGs of ``written`` (``python:${PY}-bookworm``,
    resolved with the defaults to ``resolved``): ``python:${PY}-slim-bookworm``. Refuses when
    an ARG names more than a part of the tag, or its value is not found exactly once."""
    why = f"the base image `{written}` is chosen by an ARG in a form the rewrite cannot carry"
    masked = re.sub(r"\$\{[^}]*\}", lambda m: "_" * len(m.group(0)), written)
    cut = masked.rfind(":")
    repo, tag = written[: max(cut, 0)], written[cut + 1 :]
    if cut < 0 or "$" in repo or "/" in masked[cut:]:
        raise Refusal(f"{why} (only ARGs in the tag are)")
    if re.search(r"\$\{\w+[:?+-]", tag):
        raise Refusal(f"{why} (an ARG with a modifier such as ${{V:-x}})")
    pattern = ""
    pos = 0
    refs: list[str] = []
    for m in _ARG_REF.finditer(tag):
        pattern += re.escape(tag[pos : m.start()]) + f"(?P<v{len(refs)}>.+?)"
        refs.append("${" + (m.group(1) or m.group(2)) + "}")
        pos = m.end()
    pattern += re.escape(tag[pos:])
    found = re.fullmatch(pattern, resolved.rpartition(":")[2])
    slim_repo, _, slim_tag_text = slim.rpartition(":")
    if found is None or slim_repo not in (repo, repo.rsplit("/", 1)[-1]):
        raise Refusal(why)
    out = slim_tag_text
    for i, ref in enumerate(refs):
        value = found.group(f"v{i}")
        if not value or out.count(value) != 1:
            raise Refusal(f"{why} (its value `{value}` does not stand once in `{slim}`)")
        out = out.replace(value, ref)
    return f"{repo}:{out}"


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


class _Packages:
    """What the runtime stage installs: ``plain`` names, and ``choices`` for libraries whose
    package name depends on a release the tag does not fix (one alternative per release)."""

    __slots__ = (
        "choices",
        "discover",
        "discover_all_dev",
        "discover_libraries",
        "notes",
        "per_release",
        "plain",
        "recommends",
        "upgrade",
    )

    def __init__(self, plain: list[str] | None = None, recommends: set[str] | None = None) -> None:
        self.plain: list[str] = plain if plain is not None else []
        self.choices: list[tuple[tuple[str, ...], ...]] = []
        self.notes: list[str] = []
        # release -> packages installed only on that release (its image is told by its
        # /etc/os-release)
        self.per_release: dict[str, list[str]] = {}
        # of ``plain``: the packages the original installed with their recommended packages
        self.recommends: set[str] = recommends if recommends is not None else set()
        self.upgrade = False  # the original upgraded the image's packages
        # for a release the runtime-library data lacks: the -dev packages whose runtime
        # libraries the builder finds in its own package database at build time (with the
        # libraries the built files link), or None when the data names every package
        self.discover: tuple[str, ...] | None = None
        self.discover_all_dev = False  # every -dev package of the builder image
        # library files (``libmagic.so``) that what ctypes or cffi opens are looked up by
        self.discover_libraries: tuple[str, ...] = ()

    def all(self) -> list[str]:
        out = list(self.plain)
        for alternatives in self.choices:
            out += [p for a in alternatives for p in a if p not in out]
        for names in self.per_release.values():
            out += [p for p in names if p not in out]
        return out


def _runtime_packages(
    info: BaseInfo,
    installed: Sequence[str],
    removed: Sequence[str],
    native: Sequence[str],
    programs: Iterable[str],
    loads: Sequence[str] = (),
    unread: Sequence[str] = (),
) -> _Packages:
    """What the runtime stage installs. ``unread``: what the Python installs install from
    that could not be read; on a full image their builds may link any library it has, so
    the runtime libraries of every -dev package of the full image are installed."""
    distro = info.distro or ("alpine" if info.libc == "musl" else "debian")
    releases = _candidate_releases(info)
    out = _Packages()
    keep = out.plain
    gone = set(removed)
    explicit_dev = []
    for name in dict.fromkeys(installed):
        if name in gone:
            continue
        if is_python_build_package(name):
            continue
        if is_dev_package(name):
            explicit_dev.append(name)
            continue
        if is_build_tool(name):
            continue
        keep.append(name)
    # a distribution's Python: what links libpython (uwsgi) needs the runtime library
    # a distribution's own Python: its slim image has python3 but not libpython3.X, which a
    # program that embeds Python (uwsgi) links
    embedders = (
        [project for project in native if _rl.links_python(project)]
        if info.family not in ("python", "pytorch") and distro != "alpine"
        else []
    )
    needs_data = explicit_dev or embedders or (info.fat and (native or loads or unread))
    if needs_data and _discovers(info, distro, releases):
        return _discovered_packages(
            info, distro, releases, out, explicit_dev, loads, unread, programs
        )
    dev_needed = list(explicit_dev)
    implicit: set[str] = set()
    if info.fat:
        for release in releases:
            fat_devs = _rl.fat_base_dev_packages(release)
            needs = [
                d
                for project in [*native, *loads]
                for d in (
                    *_rl.python_build_deps(project, distro),
                    *_rl.python_loads(project, distro),
                )
            ]
            if not fat_devs and needs and distro != "alpine":
                # which libraries the full image gave the build is not known for this release
                raise Refusal(_no_runtime_package(needs[0], distro, [release]))
            implicit |= fat_devs
    for project in native:
        for dev in _rl.python_build_deps(project, distro):
            if dev in dev_needed:
                continue
            if dev in implicit:
                dev_needed.append(dev)
                out.notes.append(f"{project} links {dev}, which `{info.family}` provides")
    if info.fat and unread:
        # their builds may link any library of the full image: the runtime libraries of
        # every -dev package it has, per release when the tag does not fix one
        per_release: dict[str, list[str]] = {}
        for release in releases:
            libs: list[str] = []
            for dev in sorted(_rl.fat_base_dev_packages(release)):
                if is_python_build_package(dev) or dev in ("linux-libc-dev", "libc6-dev"):
                    continue
                runtime = _rl.runtime_packages(dev, distro, release)
                if runtime is None:
                    raise Refusal(_no_runtime_package(dev, distro, [release]))
                libs += [x for x in runtime if not _TOOLCHAIN_RUNTIME.match(x) and x not in libs]
            if not libs:
                raise Refusal(_no_runtime_package(f"{unread[0]}", distro, [release]))
            per_release[release] = libs
        common = [x for x in per_release[releases[0]] if all(x in v for v in per_release.values())]
        keep += [x for x in common if x not in keep]
        if len(per_release) > 1:
            out.per_release = {r: [x for x in v if x not in common] for r, v in per_release.items()}
        out.notes.append(
            f"the packages of {unread[0]} are not known (it is not in the build context): "
            f"the runtime stage gets the runtime libraries of every -dev package of "
            f"`{info.family}`, which their builds may link"
        )
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
        if is_python_build_package(dev) or dev in ("linux-libc-dev", "libc6-dev", "musl-dev"):
            continue
        found = {r: _rl.runtime_packages(dev, distro, r) for r in releases}
        if dev in loaded:
            found = {
                r: tuple(p for p in libs if not _OPTIONAL_RUNTIME.search(p)) if libs else libs
                for r, libs in found.items()
            }
        known = [libs for libs in found.values() if libs is not None]
        if not known:
            raise Refusal(_no_runtime_package(dev, distro, releases))
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
    if embedders:
        minor = distro_python_minor(info)
        if minor is None:
            raise Refusal(
                f"{embedders[0]} links the Python runtime library, and which Python "
                f"`{info.family}` {info.release or ''} has is not known"
            )
        if f"libpython{minor}" not in keep:
            keep.append(f"libpython{minor}")
            out.notes.append(f"{embedders[0]} links the Python runtime library")
    _add_program_packages(out, programs)
    return out


def _add_program_packages(out: _Packages, programs: Iterable[str]) -> None:
    """The packages of the full image's programs that the runtime steps call (curl)."""
    for program in programs:
        pkg = _TOOL_PACKAGES_BY_PROGRAM.get(program)
        if pkg and pkg not in out.plain:
            out.plain.append(pkg)
            out.notes.append(f"`{program}` is used at run time; the slim image needs {pkg}")


def _discovers(info: BaseInfo, distro: str, releases: Sequence[str]) -> bool:
    """Whether the runtime packages are found at build time: a Debian or Ubuntu image
    (apt, dpkg) of a release that the runtime-library data does not cover (buster, stretch,
    an Ubuntu release it lacks, a tag that names no release)."""
    if distro not in ("debian", "ubuntu") or info.package_manager != "apt":
        return False
    covered = _rl.known_releases().get(distro, ())
    return not releases or not all(r and r in covered for r in releases)


def _discovered_packages(
    info: BaseInfo,
    distro: str,
    releases: Sequence[str],
    out: _Packages,
    explicit_dev: Sequence[str],
    loads: Sequence[str],
    unread: Sequence[str],
    programs: Iterable[str],
) -> _Packages:
    """The runtime packages of an image whose release the data lacks: the builder stage
    looks them up in its own package database (see :func:`_discovery_run`): the packages
    that own the libraries of the -dev packages the file installs (or the full image has,
    for what its builds and ctypes loads use) and of every library the built files link."""
    devs = list(explicit_dev)
    libraries: list[str] = []
    if info.fat:
        # what ctypes or cffi opens: the full image may have the library without its -dev
        for project in loads:
            libraries += [x for x in _rl.python_load_libraries(project) if x not in libraries]
    devs = [
        d
        for d in devs
        if not is_python_build_package(d) and d not in ("linux-libc-dev", "libc6-dev")
    ]
    out.discover = tuple(devs)
    out.discover_libraries = tuple(libraries)
    out.discover_all_dev = bool(info.fat and unread)
    named = " or ".join(r for r in releases if r) or "(its tag names none)"
    why = "; ".join(
        f"{r}: {_rl.unavailable(distro)[r]}" for r in releases if r in _rl.unavailable(distro)
    )
    out.notes.append(
        f"the runtime-library data has no {distro} {named}"
        + (f" ({why})" if why else "")
        + ": the builder stage finds the packages that own the libraries the build links "
        "(and those of the -dev packages it installs) in its own package database, and the "
        "runtime stage installs them"
    )
    _add_program_packages(out, programs)
    return out


_DISCOVERED = "/runtime-packages.txt"


def _discovery_run(packages: _Packages, folders: Sequence[str], escape: str, nl: str) -> str:
    """The builder's last RUN for :attr:`_Packages.discover`: it writes to
    :data:`_DISCOVERED` the packages (one a line) that own the shared libraries which the
    listed -dev packages provide and which the files of ``folders`` (the virtual
    environment, folders built in place) link, as ``dpkg-query --search`` finds them; the
    toolchain's own runtime (sanitizers, gcc-N-base) is left out. Every command of it
    succeeds whatever it finds, so an empty list is an empty file."""
    cont = f" {escape}{nl}    "
    devs = " ".join(packages.discover or ())
    if packages.discover_all_dev:
        devs = (devs + " $(dpkg-query -W -f '${Package}\\n' '*-dev')").strip()
    where = " ".join(folders)
    inside = "".join(f" -e '\\#^{f.rstrip('/')}/#d'" for f in folders)
    parts = []
    if packages.discover_libraries:
        names = " ".join(f"'*/{name}.*'" for name in packages.discover_libraries)
        parts.append(f"printf '%s\\n' {names};")
    if devs:
        parts.append(f"dpkg -L {devs} 2>/dev/null | sed -n '/\\.so$/p' | xargs -r readlink -f;")
    parts.append(
        f"find {where} -type f \\( -name '*.so' -o -name '*.so.*' -o -perm -u+x \\)"
        " -exec ldd {} + 2>/dev/null"
        f"{cont}  | awk '$2 == \"=>\" && $3 ~ /^\\// {{ print $3 }}'; true;"
    )
    listing = f"{{ {f'{cont}  '.join(parts)} }}"
    steps = [
        listing,
        f"sed{inside} -e 's#^/usr/#/#' -e 's#^/#*/#' | sort -u",
        "xargs -r sh -c 'dpkg-query --search \"$@\" 2>/dev/null; true' sh",
        "sed -n 's/^\\([^ ,]*\\): .*/\\1/p' | sed 's/:.*//'",
        # a -dev package owns a linker script named like a library (libc.so, libncurses.so)
        "awk '!/-dev$/ && !/^(gcc-[0-9]+-base|lib(a|l|t|ub|hwa)san[0-9]+|libdpkg-perl|libcc1-0)$/'",
        f"sort -u > {_DISCOVERED}",
    ]
    return "RUN " + f"{cont}| ".join(steps) + nl


def _no_runtime_package(dev: str, distro: str, releases: Sequence[str]) -> str:
    """Why no runtime package is known for ``dev``: a release the data lacks (and why), or a
    package the release's data has no runtime library for."""
    named = [r for r in releases if r]
    covered = _rl.known_releases().get(distro, ())
    if not covered:
        why = sorted(set(_rl.unavailable(distro).values()))
        return (
            f"`{dev}` needs a runtime package, and the runtime-library data has no {distro} "
            f"release ({'; '.join(why) or 'not collected'})"
        )
    if not named:
        return (
            f"`{dev}` needs a runtime package, and the base image's tag names no {distro} "
            "release to look it up in"
        )
    missing = [r for r in named if r not in covered]
    if len(missing) == len(named):
        why = [
            f"{r}: {_rl.unavailable(distro).get(r, 'a release the data does not cover')}"
            for r in missing
        ]
        return (
            f"`{dev}` needs a runtime package, and the runtime-library data has no {distro} "
            f"{' or '.join(named)} ({'; '.join(why)}; covered: {', '.join(covered) or 'none'})"
        )
    excluded = any(fnmatch.fnmatchcase(dev, pattern) for pattern in _rl.excluded_patterns())
    if not excluded and all(r in covered for r in named):
        # the data has every -dev package of these indexes
        return (
            f"`{dev}` is not a package of {distro} {' or '.join(named)} (their package indexes "
            "have no such name), so the original's install fails there too"
        )
    return f"no runtime package is known for `{dev}` on {distro} {' or '.join(named)}"


def _runtime_programs(insts: Iterable[Instruction]) -> list[str]:
    """Full-image-only programs that runtime instructions call."""
    found: list[str] = []
    for inst in insts:
        if inst.keyword == "RUN" and inst.form == "shell":
            names = [c.name for c in inst.commands]
        elif inst.keyword in ("CMD", "ENTRYPOINT", "HEALTHCHECK", "RUN"):
            words = _command_words(inst) if inst.keyword != "RUN" else list(inst.exec_args or ())
            names = [os.path.basename(argv[0]) for argv in _started_argvs(words)]
            # `python -c "…curl…"` and the like: curl named anywhere
            names += [w for a in words for w in full_only_tools_in(a) if w == "curl"]
        else:
            continue
        for n in names:
            if n in FULL_ONLY_TOOLS and n not in found:
                found.append(n)
    return found


# a program the runtime stage finds in the virtual environment instead: the interpreter or
# pip by an absolute path, a program of a project's own ./.venv (uv sync, poetry in-project),
# a console script that pip put into /usr/local/bin
_VENV_PROGRAM = re.compile(
    r"(?<![\w/.-])(?:/usr(?:/local)?/bin/(?P<py>(?:python|pip)[\d.]*)(?![\w.+-])"
    r"|(?:[\w./-]*/)?\.venv/bin/(?P<venv>[\w.+-]+)"
    r"|(?:/root|/home/[\w.-]+|~|\$HOME|\$\{HOME\})/\.local/bin/(?P<user>[\w.+-]+)"
    r"|/usr/local/bin/(?P<local>[\w.+-]+))"
)
_ABSOLUTE_PIP = re.compile(
    r"(?<![\w/.-])/usr(?:/local)?/bin/(?P<py>(?:python|pip)[\d.]*)(?![\w.+-])"
)
# `X run` options that change nothing once the environment is the venv itself
_RUN_OPTIONS = {
    "uv": {"--no-sync", "--frozen", "--locked", "--no-dev", "--offline", "-q", "--quiet"},
    "poetry": {"-q", "--quiet", "-n", "--no-interaction", "--no-ansi"},
    "pdm": set(),
    "pipenv": set(),
}


class _Retarget:
    """Points the runtime stage's commands at :data:`VENV`: absolute paths of the interpreter,
    pip and console scripts, programs of a project's own ``.venv``, and commands started
    through ``uv run``, ``poetry run``, ``pdm run`` or ``pipenv run`` (the runtime image has
    none of these tools; with the venv first on PATH the command itself is enough)."""

    def __init__(
        self, insts: Sequence[Instruction], context: Path | None, venv: str = VENV
    ) -> None:
        self.context = context
        self.venv = venv
        # programs the file itself puts into /usr/local/bin (COPY, or a runtime RUN that
        # names the path) stay where they are
        self.kept: set[str] = set()
        for inst in insts:
            if inst.keyword in ("COPY", "ADD"):
                words = list(inst.exec_args) if inst.exec_args is not None else inst.args.split()
                if words:
                    dest = words[-1]
                    self.kept.add(dest)
                    self.kept |= {dest.rstrip("/") + "/" + os.path.basename(w) for w in words[:-1]}
            elif inst.keyword == "RUN":
                self.kept |= {m.group(0) for m in _LOCAL_BIN.finditer(inst.args)}

    def paths(self, text: str, where: str) -> str:
        def swap(m: re.Match[str]) -> str:
            whole = m.group(0)
            name = m.group("py") or m.group("venv") or m.group("user") or m.group("local")
            if m.group("local") is not None:
                if whole in self.kept:
                    return whole
                if name in _TOOL_PACKAGES or name in _RUN_TOOLS:
                    raise Refusal(
                        f"{where} runs `{whole}`, which the builder stage installs only to "
                        "build; the runtime image does not have it"
                    )
            return f"{self.venv}/bin/{name}"

        return _VENV_PROGRAM.sub(swap, text)

    def program(self, cmd: Command, where: str) -> str | None:
        """The path ``cmd`` (a command of a runtime RUN) should start instead of its own
        program, or None to keep it. Only the program is looked at: ``ln -s /usr/bin/python3
        /usr/local/bin/python`` keeps its arguments."""
        if not cmd.argv:
            return None
        word = cmd.argv[0].text
        if not _VENV_PROGRAM.fullmatch(word):
            return None
        new = self.paths(word, where)
        return new if new != word else None

    def run_tool(self, inst: Instruction, source: str) -> str:
        """``source`` (the CMD or ENTRYPOINT as written) without a leading ``X run``."""
        where = f"the {inst.keyword} on line {inst.line}"
        words = list(inst.exec_args) if inst.exec_args is not None else inst.args.split()
        at = next(
            (
                i
                for i, w in enumerate(words[:3])
                if os.path.basename(w) in _RUN_OPTIONS and words[i + 1 : i + 2] == ["run"]
            ),
            None,
        )
        if at is None:
            return source
        tool = os.path.basename(words[at])
        rest = at + 2
        while rest < len(words) and words[rest].startswith("-"):
            if words[rest] not in _RUN_OPTIONS[tool]:
                raise Refusal(
                    f"{where} starts through `{tool} run {words[rest]}`, an option the rewrite "
                    "cannot carry over to the virtual environment"
                )
            rest += 1
        if rest >= len(words):
            raise Refusal(f"{where} names no command after `{tool} run`")
        program = words[rest]
        self._check_tool_script(tool, program, where)
        new = words[:at] + (["python"] if program.endswith(".py") else []) + words[rest:]
        if inst.exec_args is not None:
            import json

            body = json.dumps(new)
            open_at = source.index("[", inst.raw.args_start - inst.start)
            close_at = source.rindex("]")
            return source[:open_at] + body + source[close_at + 1 :]
        args_at = inst.raw.args_start - inst.start
        pattern = r"\s+".join(re.escape(w) for w in words[at:rest]) + r"\s+"
        python = "python " if program.endswith(".py") else ""
        return source[:args_at] + re.sub(pattern, python, source[args_at:], count=1)

    def _check_tool_script(self, tool: str, program: str, where: str) -> None:
        """Refuses when ``pdm run NAME`` or ``pipenv run NAME`` may mean a script of the
        project file (or pipenv's .env), which the venv knows nothing of."""
        if tool not in ("pdm", "pipenv"):
            return
        if self.context is None:
            raise Refusal(
                f"{where} starts through `{tool} run`, and without the build context the "
                f"rewrite cannot tell whether `{program}` is a {tool} script"
            )
        if tool == "pipenv" and (self.context / ".env").exists():
            raise Refusal(f"{where} starts through `pipenv run`, which also loads .env")
        name = "pyproject.toml" if tool == "pdm" else "Pipfile"
        try:
            data = _toml(self.context / name)
        except (OSError, ValueError):
            return
        scripts = data.get("tool", {}).get("pdm", {}) if tool == "pdm" else data
        if isinstance(scripts, dict) and program in (scripts.get("scripts") or {}):
            raise Refusal(f"{where} runs `{tool} run {program}`, a script of the project's {name}")


def _toml(path: Path) -> dict:
    from .lazy import toml_module  # tomllib (tomli before Python 3.11)

    with open(path, "rb") as handle:
        return toml_module().load(handle)


def _check_installs_use(venv: str, body: Sequence[Instruction], runs: dict[int, _Run]) -> None:
    """Refuses unless every Python install of the stage goes into the virtual environment
    ``venv`` that the file makes: the program is the venv's (``/venv/bin/pip``), its
    ``bin`` folder is first on PATH, VIRTUAL_ENV names it, or the RUN activates it first."""
    made_at = min(i.index for i in body if i.keyword == "RUN" and runs[i.index].venv)
    for inst in body:
        if inst.keyword != "RUN" or runs[inst.index].kind != "python" or runs[inst.index].venv:
            continue
        where = f"the RUN on line {inst.line}"
        if inst.index < made_at:
            raise Refusal(f"{where} installs before the file makes its virtual environment")
        env = inst.env
        on_path = (env.get("PATH") or "").split(":")[0].rstrip("/") == f"{venv}/bin"
        active = on_path or env.get("VIRTUAL_ENV", "").rstrip("/") == venv
        for cmd in inst.commands:
            words = [w.text for w in cmd.argv]
            if cmd.name in (".", "source") and words[1:2] == [f"{venv}/bin/activate"]:
                active = True
                continue
            installs = (
                pip_call(cmd) is not None
                or os.path.basename(module_argv(cmd)[0].text if module_argv(cmd) else "")
                in _PROJECT_TOOLS
            )
            if not installs:
                continue
            program = cmd.argv[0].text
            if not (program.startswith(f"{venv}/bin/") or ("/" not in program and active)):
                raise Refusal(
                    f"{where} runs `{program}`, which does not install into the virtual "
                    f"environment {venv} that the file makes"
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


_PATH_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
_MAX_SCRIPT = 1 << 20
_MAX_SCRIPT_DEPTH = 4


# programs that start the rest of their command line (after their own options, and the
# user for gosu and su-exec): `tini -- /entrypoint.sh`, `gosu app ./start.sh`
_LAUNCHERS = {"tini": 0, "dumb-init": 0, "catatonit": 0, "exec": 0, "gosu": 1, "su-exec": 1}
# a shell's options that take a value (`bash -o pipefail -c '…'`)
_SHELL_VALUE_OPTIONS = frozenset({"-o", "+o", "-O", "+O", "--rcfile", "--init-file"})


def _started_argvs(words: Sequence[str], depth: int = 0) -> list[list[str]]:
    """The command lines that ``words`` (an exec-form command) starts: itself, the command
    after a launcher (``tini --``, ``gosu user``), or each simple command of a shell's ``-c``
    string (``sh -c 'wait-for db && exec ./start.sh'``)."""
    words = list(words)
    while words and os.path.basename(words[0]) in _LAUNCHERS:
        skip = _LAUNCHERS[os.path.basename(words[0])]
        rest = words[1:]
        while rest and rest[0].startswith("-"):
            if rest[0] == "--":
                rest = rest[1:]
                break
            rest = rest[1:]
        words = rest[skip:]
    if not words:
        return []
    if os.path.basename(words[0]) in SHELLS and depth < _MAX_SCRIPT_DEPTH:
        i = 1
        command = False
        while i < len(words) and words[i][:1] in "-+" and words[i] != "--":
            flag = words[i]
            if flag in _SHELL_VALUE_OPTIONS:
                i += 2
                continue
            command = command or (not flag.startswith("--") and "c" in flag[1:])
            i += 1
        if command:
            if i >= len(words):
                return []
            return [
                argv
                for cmd in parse_commands(words[i], 0)
                for argv in _started_argvs([w.text for w in cmd.argv], depth + 1)
            ]
    return [words]


def _script_words(words: Sequence[str]) -> list[str]:
    """The words of a command line that may name a script file: the program, or the first
    argument of a shell (``sh start.sh``); for ``sh -c '…'`` and launchers (``tini --``),
    those of the commands they start."""
    found = []
    for argv in _started_argvs(words):
        if os.path.basename(argv[0]) in SHELLS:
            rest = [w for w in argv[1:] if not w.startswith(("-", "+"))]
            found += rest[:1]
        else:
            found.append(argv[0])
    return found


def _command_words(inst: Instruction) -> list[str]:
    """The command line a CMD, ENTRYPOINT or HEALTHCHECK starts, in exec form: a shell form
    is what Docker runs, ``/bin/sh -c '…'``."""
    if inst.exec_args is not None:
        return list(inst.exec_args)  # HEALTHCHECK's without its CMD
    text = inst.args
    if inst.keyword == "HEALTHCHECK":
        m = re.match(r"(?:\s*--\S+)*\s*(\S+)\s*", text)
        if m is None or m.group(1).upper() != "CMD":
            return []
        text = text[m.end() :]
        if text.lstrip().startswith("["):  # HEALTHCHECK CMD ["curl", …]
            try:
                words = json.loads(text)
            except ValueError:
                words = None
            if isinstance(words, list) and all(isinstance(w, str) for w in words):
                return words
    return ["/bin/sh", "-c", text]


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
                    # any source may be a folder (`COPY . /app` puts /app/entry.sh there)
                    if image_path.startswith(dest.rstrip("/") + "/"):
                        return ""
                    continue
                if found:
                    if image_path.startswith(dest.rstrip("/") + "/") or dest == "/":
                        inner = posixpath.relpath(image_path, dest)
                        return posixpath.normpath(posixpath.join(rel, inner))
                    continue
                inside = posixpath.join(dest, posixpath.basename(rel))
                # without a trailing slash the destination may still be a folder of the
                # image (COPY start.sh /usr/local/bin): either reading can be the right one
                if image_path == inside or (not folder and image_path == dest):
                    return rel
        return None

    def named(self, rel: str) -> bool:
        """Whether a COPY or ADD names ``rel`` itself as a source (not a folder holding it)."""
        return any(
            posixpath.normpath(source.lstrip("/")) == rel
            for sources, _, _ in self.copies
            for source in sources
        )

    def exists(self, rel: str) -> bool:
        """Whether the build context (when known) has ``rel``."""
        return self.context is None or (self.context / rel).exists()

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
    runtime_insts: Sequence[Instruction],
    places: dict[int, _Place],
    files: _ContextFiles,
    runtime_runs: Sequence[tuple[Instruction, Sequence[Command]]] = (),
) -> list[str]:
    """Full-image-only programs that the scripts started by CMD, ENTRYPOINT, HEALTHCHECK and
    the commands the runtime stage's RUNs keep (``runtime_runs``) call, read from
    the build context (shell scripts are parsed, never run), with the scripts they start in
    turn. Refuses when such a script is copied from the context but cannot be read."""
    found: list[str] = []
    seen: set[str] = set()

    def visit(word: str, inst: Instruction, depth: int) -> None:
        cwd = places[inst.index].workdir
        on_path: list[str | None] = []
        if "/" in word:
            candidates = [_resolve(cwd, word)]
        else:
            on_path = [posixpath.join(d, word) for d in _PATH_DIRS]
            candidates = list(on_path)
            if word.endswith(".sh"):
                candidates.append(_resolve(cwd, word))
        for image_path in candidates:
            if image_path is None or image_path in seen:
                continue
            rel = files.source_of(image_path)
            if rel is None:
                continue
            if rel and image_path in on_path and not files.exists(rel) and not files.named(rel):
                # a program found on PATH (a console script such as waitress-serve), not a
                # file of the context that a folder copy (`COPY . /`) would put there
                continue
            seen.add(image_path)
            where = f"the {inst.keyword} on line {inst.line}"
            text = files.read(rel) if rel else None
            if text is None and image_path.endswith(".py"):
                return  # a Python script (read or not): no programs of the full image
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
        if word.endswith(".sh"):
            # the bases the rewrite knows ship no such script: the file makes or fetches it
            raise Refusal(
                f"the {inst.keyword} on line {inst.line} runs {word}, which no COPY or ADD "
                "of the build context puts into the image, so the rewrite cannot read it"
            )

    for inst in runtime_insts:
        if inst.keyword in ("CMD", "ENTRYPOINT", "HEALTHCHECK"):
            for word in _script_words(_command_words(inst)):
                visit(word, inst, 0)
    for inst, cmds in runtime_runs:
        for cmd in cmds:
            for word in _script_words([w.text for w in cmd.argv]):
                if "/" in word or word.endswith(".sh"):
                    visit(word, inst, 0)
    return found


def _early_runtime_commands(
    body: Sequence[Instruction], runs: Mapping[int, _Run], first_system: int
) -> dict[int, Sequence[Command]]:
    """The runtime commands the runtime stage runs before it installs the runtime libraries
    (by instruction index): runtime RUNs before the first system install, and the runtime
    work a split RUN does before its first install."""
    early: dict[int, Sequence[Command]] = {}
    for inst in body:
        if inst.keyword != "RUN" or inst.index > first_system:
            continue
        run = runs[inst.index]
        if run.split is not None and inst.index == first_system:
            if run.split.pre:
                early[inst.index] = run.split.pre
        elif run.kind == "runtime" and inst.index < first_system:
            early[inst.index] = inst.commands
    return early


# what sets up package sources: apt's and apk's lists and keys, and repository set-up
# scripts piped into a shell
_SOURCE_SETUP = frozenset({"add-apt-repository", "apt-key", "gpg", "apt-add-repository"})
_SOURCE_FILES = re.compile(r"/etc/apt/|sources\.list|/etc/apk/(?:repositories|keys)")


def _sets_sources(inst: Instruction, cmd: Command, text: str) -> bool:
    """Whether ``cmd`` of ``inst`` may set up package sources (its words and redirections
    name apt's or apk's source files, or it is a repository tool or a shell running a
    script)."""
    if any(c.name in _SOURCE_SETUP or c.name in SHELLS for c in _members(inst, cmd)):
        return True
    after = [c.start for c in inst.commands if c.start >= cmd.end]
    return bool(_SOURCE_FILES.search(text[cmd.start : min(after, default=inst.end)]))


def _members(inst: Instruction, unit: Command) -> list[Command]:
    """The commands of ``inst`` that a unit of a split RUN (a command with its redirections,
    or a pipeline) holds."""
    return [c for c in inst.commands if unit.start <= c.start < unit.end] or [unit]


class _SourcesSetUp:
    """Package sources set up between system installs (an apt repository added after the
    first install): the runtime stage installs its packages after the last such step, at
    ``index`` (the RUN) after the unit that ends at ``end`` (None: the whole RUN), and first
    installs what the original installed before it (``helpers``: curl, gnupg, …)."""

    __slots__ = ("end", "helpers", "index")

    def __init__(self, index: int, end: int | None, helpers: tuple[str, ...]) -> None:
        self.index = index
        self.end = end
        self.helpers = helpers


def _package_sources(
    text: str,
    body: Sequence[Instruction],
    runs: Mapping[int, _Run],
    early: Mapping[int, Sequence[Command]],
) -> _SourcesSetUp | None:
    """Where the last runtime step that may set up package sources before the last system
    install is, when one comes after the first install (before it, the runtime stage runs it
    before its install anyway); None when there is none."""
    installs = [
        (inst.index, op.command.start, op.names)
        for inst in body
        if inst.keyword == "RUN"
        for op in runs[inst.index].ops
        if op.kind == "install"
    ]
    if not installs:
        return None
    first, last = installs[0][:2], installs[-1][:2]
    found: tuple[int, int | None, int] | None = None  # (index, unit end or None, position)
    for inst in body:
        if inst.keyword != "RUN" or inst.index > last[0]:
            continue
        run = runs[inst.index]
        if run.split is not None:
            units = [*run.split.pre, *run.split.runtime]
        elif run.kind == "runtime":
            units = list(inst.commands)
        else:
            continue
        for unit in units:
            if unit in early.get(inst.index, ()):
                continue  # runs before the first install in the runtime stage too
            where = (inst.index, unit.start)
            if not first < where < last or not _sets_sources(inst, unit, text):
                continue
            end = unit.end if run.split is not None else None
            found = (inst.index, end, unit.start)
    if found is None:
        return None
    index, end, at = found
    helpers = [n for i, start, names in installs if (i, start) < (index, at) for n in names]
    return _SourcesSetUp(index, end, tuple(dict.fromkeys(helpers)))


# --------------------------------------------------------------------------- writing


def _cut(
    model: Dockerfile,
    inst: Instruction,
    spans: Iterable[tuple[int, int]],
    nl: str,
    replace: Iterable[tuple[int, int, str]] = (),
) -> str:
    """The instruction as written with ``spans`` (and the blanks after each) cut out and the
    ``(start, end, text)`` of ``replace`` put in, ending with a line ending."""
    text = model.text
    pieces = []
    pos = inst.start
    edits = [(s, e, None) for s, e in spans] + list(replace)
    edits += _close_continuation(model, inst)
    for start, end, new in sorted(edits, key=lambda edit: edit[0]):
        pieces.append(text[pos:start])
        pos = end
        if new is not None:
            pieces.append(new)
            continue
        while pos < len(text) and text[pos] in " \t":
            pos += 1
    pieces.append(text[pos : inst.end])
    out = "".join(pieces)
    return out if out.endswith(("\n", "\r")) else out + nl


def _close_continuation(model: Dockerfile, inst: Instruction) -> list[tuple[int, int, str]]:
    """Edits that close the line continuation an instruction leaves open at the end of the
    file: its escape tokens go (that of its last line with text, and of the lines after it
    that hold only one), so that it no longer joins what the rewrite writes after it. Lines
    of only an escape token become blank lines; comment lines stay."""
    text, raw, escape = model.text, inst.raw, model.scan.escape
    if raw.heredocs or not text.startswith(escape, raw.command_end):
        return []
    edits: list[tuple[int, int, str]] = []
    for seg in reversed(raw.segments):
        edits.append((seg.end, seg.end + 1, ""))  # each of these lines continues
        content = text[seg.start : seg.end].rstrip(" \t")
        if content.strip():
            # the line would still end in an escape token (an escaped space before it):
            # only rewording the command could close it
            if content.endswith(escape) and not content.endswith(escape * 2):
                raise Refusal(
                    f"the {inst.keyword} on line {inst.line} ends in a line continuation at "
                    "the end of the file, which cannot be closed without changing the command"
                )
            break
    return edits


def _source(model: Dockerfile, inst: Instruction, nl: str) -> str:
    """The instruction exactly as written, ending with a line ending."""
    return _cut(model, inst, (), nl)


def _without_flags(model: Dockerfile, inst: Instruction, names: set[str], nl: str) -> str:
    """The instruction as written with the ``--name`` flags in ``names`` cut out."""
    return _cut(model, inst, [(f.start, f.end) for f in inst.flags if f.name in names], nl)


def _venv_flag_words(inst: Instruction) -> list[tuple[int, int]]:
    """Spans of ``--system`` in ``uv pip …`` commands (uv then skips every virtual
    environment) and of ``--user`` in ``pip install`` (pip refuses it in a virtual
    environment): the builder drops the flag to install into :data:`VENV`."""
    spans = []
    for cmd in inst.commands:
        call = pip_call(cmd)
        if call is not None and call.sub == "install":
            spans += [(w.start, w.end) for w in call.args if w.text == "--user"]
            continue
        argv = module_argv(cmd)
        if not argv or os.path.basename(argv[0].text) != "uv":
            continue
        if "pip" not in [w.text for w in argv[1:3]]:
            continue
        spans += [(w.start, w.end) for w in argv[1:] if w.text == "--system"]
    return spans


def _venv_programs(cmds: Iterable[Command]) -> list[tuple[int, int, str]]:
    """``(start, end, text)`` replacements that start pip or the interpreter named by an
    absolute path (``/usr/local/bin/pip install``) from the virtual environment, so that
    they install into it. Only the program word: a path in the arguments (``ln -s
    /usr/bin/python3 /usr/local/bin/python``) is left as written."""
    out = []
    for cmd in cmds:
        if cmd.argv and (m := _ABSOLUTE_PIP.fullmatch(cmd.argv[0].text)):
            out.append((cmd.argv[0].start, cmd.argv[0].end, f"{VENV}/bin/{m.group('py')}"))
    return out


def _builder_run(model: Dockerfile, inst: Instruction, nl: str, venv_made: bool = True) -> str:
    """A RUN as the builder runs it: as written, with ``uv pip --system`` and pip or the
    interpreter by absolute path (``/usr/local/bin/pip``) made to install into the virtual
    environment once it is made (before, the environment's programs do not exist yet)."""
    if not venv_made:
        return _cut(model, inst, (), nl)
    return _cut(model, inst, _venv_flag_words(inst), nl, _venv_programs(inst.commands))


def _split_text(
    model: Dockerfile,
    inst: Instruction,
    cmds: Sequence[Command],
    nl: str,
    builder: bool,
    retarget: _Retarget | None = None,
    venv_made: bool = True,
) -> str:
    """One half of a split RUN: its commands joined with ``&&`` (the builder's keeps the RUN's
    flags and installs into the virtual environment, as :func:`_builder_run` does; the
    runtime's starts its programs from the virtual environment, see :meth:`_Retarget.program`)."""
    text = model.text
    cuts: list[tuple[int, int, str | None]] = []
    if builder and venv_made:
        cuts += [(start, end, None) for start, end in _venv_flag_words(inst)]
        cuts += _venv_programs(c for unit in cmds for c in _members(inst, unit))
    parts = []
    for cmd in cmds:
        new = retarget.program(cmd, f"the RUN on line {inst.line}") if retarget else None
        if new is not None:
            first = cmd.argv[0]
            parts.append(text[cmd.start : first.start] + new + text[first.end : cmd.end])
            continue
        piece, pos = "", cmd.start
        for start, end, put in sorted(s for s in cuts if cmd.start <= s[0] < cmd.end):
            piece += text[pos:start] + (put or "")
            pos = end
            while put is None and pos < cmd.end and text[pos] in " \t":
                pos += 1
        parts.append(piece + text[pos : cmd.end])
    head = text[inst.start : inst.raw.args_start] if builder else "RUN "
    body = f" {model.scan.escape}{nl}    && ".join(parts)
    return f"{head}{body}{nl}"


def _comments(inst: Instruction, nl: str) -> str:
    return "".join(c.text + nl for c in inst.comments)


def _no_recommends(options: Sequence[str]) -> bool:
    """Whether apt-get options turn recommended packages off."""
    joined = " ".join(options).lower()
    return (
        "--no-install-recommends" in joined
        or re.search(r"apt::install-recommends\s*=\s*(false|0|no|off)", joined) is not None
    )


def _install_line(
    manager: str, packages: _Packages, escape: str, nl: str, builder: str = ""
) -> str:
    if manager == "apk":
        upgrade = "apk upgrade --no-cache && " if packages.upgrade else ""
        return f"RUN {upgrade}apk add --no-cache {' '.join(packages.all())}{nl}"
    cont = f" {escape}{nl}    "
    install = "apt-get install -y --no-install-recommends"
    steps = ["apt-get update"]
    if packages.upgrade:
        steps.append("apt-get upgrade -y")
    bare = [p for p in packages.plain if p not in packages.recommends]
    # installed as the original did: with their recommended packages, which the application
    # may use (imagemagick's ghostscript)
    full = [p for p in packages.plain if p in packages.recommends]
    for command, names in ((install, bare), ("apt-get install -y", full)):
        if not names:
            continue
        listed = " ".join(names)
        if len(listed) > 72:  # a long list: several names a line
            rows, row = [], ""
            for name in names:
                if row and len(row) + 1 + len(name) > 72:
                    rows.append(row)
                    row = name
                else:
                    row = f"{row} {name}".strip()
            rows.append(row)
            steps.append(f"{command}{cont}    " + f"{cont}    ".join(rows))
        else:
            steps.append(f"{command} {listed}")
    for alternatives in packages.choices:
        # the tag does not fix the release: install whichever name the release has
        tries = f"{cont}     || ".join(f"{install} {' '.join(a)}" for a in alternatives)
        steps.append(f"{{ {tries}; }}")
    for release, only in packages.per_release.items():
        if only:
            # the tag does not fix the release: what only this release's image had
            test = f"! grep -qx 'VERSION_CODENAME={release}' /etc/os-release"
            steps.append(f"{{ {test}{cont}     || {install} {' '.join(only)}; }}")
    copy = ""
    if packages.discover is not None:
        # what the builder found it links: packages the slim image has already stay as
        # they are (--no-upgrade)
        copy = f"COPY --from={builder} {_DISCOVERED} {_DISCOVERED}{nl}"
        steps.append(f"xargs -r {install} --no-upgrade < {_DISCOVERED}")
        steps.append(f"rm -rf /var/lib/apt/lists/* {_DISCOVERED}")
    else:
        steps.append("rm -rf /var/lib/apt/lists/*")
    return copy + "RUN " + f"{cont}&& ".join(steps) + nl


def runtime_library_install(
    info: BaseInfo, loads: Sequence[str], escape: str = "\\", nl: str = "\n"
) -> str | None:
    """The RUN (with its line ending) that installs, in the slim image of the full image
    ``info``, the libraries that the Python packages ``loads`` open at run time (ctypes or
    cffi) and the full image had; None when they need none. Raises :class:`Refusal` when a
    library's package is not known for the image's release."""
    packages = _runtime_packages(info, (), (), (), (), loads)
    if packages.discover is not None:
        # found by a builder stage, which a base image swap has not
        distro = info.distro or "debian"
        devs = [d for project in loads for d in _rl.python_loads(project, distro)]
        raise Refusal(_no_runtime_package(devs[0], distro, _candidate_releases(info)))
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
    unread: Sequence[str] = (),
) -> Rewrite:
    """Rewrite ``model`` (one stage) into a builder and a slim runtime stage.

    ``native`` names the Python packages the build compiles from source (for the runtime
    libraries they link that the original base provided without an explicit install);
    ``loads`` the installed Python packages that may open system libraries at run time
    (ctypes/cffi: the libraries the full base image has are installed in the slim one);
    ``context`` the build context, where the scripts that CMD, ENTRYPOINT and HEALTHCHECK
    start are read (for the programs they call); ``unread`` what the Python installs install
    from that could not be read (their packages are not known: on a full image they may
    link libraries that only it has). Raises :class:`Refusal` with the reason
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
    if not base.resolved:
        raise Refusal(
            "the base image is chosen by an ARG without a default value; the slim image "
            "cannot be told"
        )
    info = classify(base)
    runtime_base = _runtime_base(info, stage)
    written = stage.from_instruction.args.split()[0]
    if "$" in written:
        runtime_base = _slim_with_args(written, base.raw, runtime_base)
    scan = model.scan
    text = model.text
    nl = line_ending(text)
    escape = scan.escape
    body = stage.instructions[1:]

    places = _places(body)
    # a virtual environment the file makes itself is the one the runtime stage copies
    made = {
        _venv_target(cmd, places[inst.index].workdir, inst.env)
        for inst in body
        if inst.keyword == "RUN" and inst.form == "shell"
        for cmd in inst.commands
    } - {None}
    if "" in made or len(made) > 1:
        raise Refusal(
            "the file makes several virtual environments, or one in a folder the rewrite "
            "cannot tell"
        )
    own_venv = next(iter(made), None)
    venv = own_venv or VENV
    runs: dict[int, _Run] = {}
    problems: list[str] = []
    for inst in body:
        if inst.keyword == "RUN":
            run, found = _classify_run(inst, model, places[inst.index].workdir, venv)
            runs[inst.index] = run
            problems += found
    if problems:
        raise Refusal(problems[0])
    if own_venv:
        _check_installs_use(own_venv, body, runs)
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
        raise Refusal(
            "the stage installs no Python packages with an installer the rewrite knows (pip, "
            "uv, poetry, pipenv, pdm, python setup.py), so there is nothing to move"
        )
    build_runs = [
        i for i in body if i.keyword == "RUN" and runs[i.index].kind in ("system", "tool")
    ]
    last_build = max(i.index for i in python_runs + build_runs)
    first_python = python_runs[0].index

    installed = [p for r in runs.values() for p in r.installed]
    removed = [p for r in runs.values() for p in r.removed]
    # pytorch/pytorch has conda's Python (with torch) in both its -devel and -runtime images
    uses_distro_python = info.family not in ("python", "pytorch")
    pythons = [py for p in installed if p not in removed and (py := distro_python(p))]
    if uses_distro_python and not any(own for _, own in pythons):
        # `apt-get install python3-pip python3-dev` brings python3 along: the runtime stage
        # installs that interpreter by name
        implied = [python for python, _ in pythons]
        python2 = [p for p in installed if re.fullmatch(r"python(2(\.7)?)?(-[\w.]+)?", p)]
        if not implied and python2:
            raise Refusal(
                f"the file installs Python 2 ({', '.join(python2[:3])}), which the rewrite "
                "does not handle (it makes a Python 3 virtual environment)"
            )
        if not implied:
            raise Refusal(
                f"`{base.raw}` has no Python and the file installs none the rewrite recognises"
            )
        installed.append(implied[0])
    runtime_insts = [i for i in body if i.keyword != "RUN" or runs[i.index].kind == "runtime"]
    retarget = _Retarget(body, context, venv)
    # the commands that stay in the runtime stage: runtime RUNs, and the runtime half of a
    # split RUN
    runtime_cmds: dict[int, Sequence[Command]] = {}
    for inst in body:
        if inst.keyword == "RUN":
            split = runs[inst.index].split
            if split is not None:
                units = [*split.pre, *split.runtime]
                runtime_cmds[inst.index] = [m for u in units for m in _members(inst, u)]
            elif runs[inst.index].kind == "runtime":
                runtime_cmds[inst.index] = inst.commands
    by_index = {inst.index: inst for inst in body}
    for index, cmds in runtime_cmds.items():
        used = {c.name for c in cmds} & _COMPILERS
        if used:
            raise Refusal(
                f"the RUN on line {by_index[index].line} runs {', '.join(sorted(used))}, "
                "which the slim runtime image does not have"
            )
        installers = {c.name for c in cmds} & _OTHER_INSTALLERS
        if installers:
            raise Refusal(
                f"the RUN on line {by_index[index].line} runs "
                f"{', '.join(sorted(installers))}, an installer the rewrite does not move to "
                "the builder stage (it would install, and maybe compile, in the slim image)"
            )
    first_system = next(
        (i.index for i in body if i.keyword == "RUN" and runs[i.index].kind == "system"),
        next((i.index for i in body if i.keyword in ("COPY", "ADD", "RUN")), first_python),
    )
    early = _early_runtime_commands(body, runs, first_system)
    sources = _package_sources(model.text, body, runs, early)
    files = _ContextFiles(body, places, context)
    programs = _runtime_programs(runtime_insts)
    for cmds in runtime_cmds.values():
        programs += [c.name for c in cmds if c.name in FULL_ONLY_TOOLS and c.name not in programs]
        # apt-key is in every Debian image, but it needs gpg, which only the full image has
        if any(c.name == "apt-key" for c in cmds) and "apt-key" not in programs:
            programs.append("apt-key")
    runtime_runs = [(by_index[i], cmds) for i, cmds in runtime_cmds.items()]
    scripts = _script_programs(runtime_insts, places, files, runtime_runs)
    programs += [p for p in scripts if p not in programs]
    # a build tool (make in an entrypoint script) is in neither runtime image: the runtime
    # stage installs no build tool, whatever the original base or file had
    built = [p for p in programs if p in _BUILD_PROGRAMS]
    if built:
        raise Refusal(
            f"the runtime steps call {', '.join(built)}, a build tool that the runtime stage "
            "does not install"
        )
    programs = [p for p in programs if p not in installed]
    if not info.fat:
        # the original base lacks these programs as much as the slim one: the runtime stage
        # behaves the same without them (adding them would change what the image does)
        programs = []
    missing = [p for p in programs if p not in _TOOL_PACKAGES_BY_PROGRAM]
    if missing:
        raise Refusal(
            f"the runtime steps call {', '.join(missing)}, which the slim image does not have"
        )
    manager = "apk" if info.package_manager == "apk" else "apt"
    packages = _runtime_packages(info, installed, removed, native, programs, loads, unread)
    # packages the file names itself keep their version or release pins, and their
    # recommended packages when the original installed those
    pinned = {name: text for r in runs.values() for name, text in r.written.items()}
    packages.recommends = {
        pinned.get(name, name) for r in runs.values() for name in r.recommends
    } & {pinned.get(p, p) for p in packages.plain}
    packages.plain = [pinned.get(p, p) for p in packages.plain]
    # `apt-get upgrade` in the original: the runtime stage's packages are upgraded too
    packages.upgrade = any(
        c.name in ("apt-get", "apt", "apk")
        and any(w.text in ("upgrade", "dist-upgrade", "full-upgrade") for w in c.args[:3])
        for inst in body
        if inst.keyword == "RUN"
        for c in inst.commands
    )
    # programs that runtime work before the runtime libraries' install calls: their packages
    # are installed on their own, first
    before: dict[int, list[Command]] = {i: list(cmds) for i, cmds in early.items()}
    if sources is not None:
        # what runs up to the last step that sets up package sources: it comes before the
        # runtime stage's main install, with what the original installed before it
        for index, cmds in runtime_cmds.items():
            if first_system <= index <= sources.index:
                units = [*cmds]
                if index == sources.index and sources.end is not None:
                    units = [c for c in units if c.start < sources.end]
                before[index] = before.get(index, []) + units
    early_tools = list(
        dict.fromkeys(
            _TOOL_PACKAGES_BY_PROGRAM[c.name]
            for index, cmds in before.items()
            for unit in cmds
            for c in _members(by_index[index], unit)
            if c.name in programs
        )
    )
    if sources is not None:
        early_tools += [
            p
            for p in packages.plain
            if package_name(p, "apt") in sources.helpers and p not in early_tools
        ]
    packages.plain = [p for p in packages.plain if p not in early_tools]
    # conda's torch and friends stay visible in the venv of a pytorch image
    system_site = info.family == "pytorch" or (
        uses_distro_python
        and any(
            p.startswith(("python3-", "py3-"))
            and not is_python_build_package(p)
            and distro_python(p) != (p, True)  # not the interpreter itself
            for p in installed
            if p not in removed
        )
    )

    needs_pip = any(runs[inst.index].pip for inst in python_runs)
    pip_cache_commands = any(
        (call := pip_call(cmd)) is not None and call.sub == "cache"
        for inst in body
        if inst.keyword == "RUN"
        for cmd in inst.commands
    )
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
    python = "python3" if uses_distro_python else "python"
    venv_added = False
    for inst in body:
        if inst.index > last_build:
            break
        kw = inst.keyword
        if kw == "RUN":
            kind = runs[inst.index].kind
            if kind == "runtime":
                # the original ran it before its last install, which may read what it made
                if inst.index < last_build:
                    out.append(_comments(inst, nl) + _source(model, inst, nl))
                continue
            if kind == "python" and not venv_added and own_venv:
                venv_added = True
            if kind == "python" and not venv_added:
                if (
                    needs_pip
                    and uses_distro_python
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
                # `pip cache purge` fails with the cache off: such a file keeps pip's cache
                no_cache = "" if pip_cache_commands else " PIP_NO_CACHE_DIR=1"
                out.append(f"{_venv_env()}{no_cache}{uv_env}{nl}")
                venv_added = True
            split = runs[inst.index].split
            if split is not None:
                # before the last install, its runtime work may feed a later one
                cmds = split.feed if inst.index < last_build else split.build
                source = _split_text(model, inst, cmds, nl, True, venv_made=venv_added)
                out.append(_comments(inst, nl) + source)
            else:
                out.append(_comments(inst, nl) + _builder_run(model, inst, nl, venv_added))
        elif kw in ("COPY", "ADD"):
            out.append(_comments(inst, nl) + _without_flags(model, inst, {"chown", "chmod"}, nl))
        elif kw in ("ENV", "ARG", "WORKDIR", "SHELL"):
            out.append(_source(model, inst, nl))
    if packages.discover is not None:
        # the lookup is written for bash with pipefail (every Debian and Ubuntu image has it)
        out.append(f'SHELL ["/bin/bash", "-o", "pipefail", "-c"]{nl}')
        folders = [venv, *(f for places_ in carried.values() for f, _ in places_)]
        out.append(_discovery_run(packages, list(dict.fromkeys(folders)), escape, nl))

    # ---- runtime stage
    out.append(nl)
    alias = f" AS {words[2]}" if len(words) >= 3 and words[1].lower() == "as" else ""
    out.append(f"FROM {flags}{runtime_base}{alias}{nl}")
    packages_written = False
    venv_written = False
    # the runtime libraries go where the original installed system packages (first_system),
    # else before the first step that adds files (early, so that app changes do not re-run
    # the install); programs that runtime work before that needs are installed before it
    tools_written = not early_tools
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
        split = runs[inst.index].split if inst.keyword == "RUN" else None
        if (inst.index in early or inst.index >= first_system) and not tools_written:
            first = _Packages(early_tools, recommends=packages.recommends & set(early_tools))
            out.append(_install_line(manager, first, escape, nl))
            tools_written = True
        main_here = (
            inst.index >= first_system
            and (packages.all() or packages.upgrade or packages.discover is not None)
            and not packages_written
            and (sources is None or inst.index > sources.index)
        )
        if split is not None and split.pre:
            # runtime work before the first install (an apt source, a download): before
            # the runtime libraries, as in the original
            source = _split_text(model, inst, split.pre, nl, False, retarget)
            out.append(_comments(inst, nl) + source)
            if sources is not None and sources.index == inst.index:
                main_here = sources.end is not None and sources.end <= split.pre[-1].end
        if main_here:
            out.append(_install_line(manager, packages, escape, nl, builder))
            packages_written = True
        if kind == "python" and not venv_written:
            out.append(f"COPY --from={builder} {venv} {venv}{nl}")
            if not own_venv:  # the file's own ENV lines set up its venv
                out.append(f"{_venv_env()}{nl}")
            venv_written = True
        for folder, user in carried.get(inst.index, ()):
            # built next to its sources: the results are only in the builder's copy
            chown = "" if user.split(":")[0] in ("root", "0") else f"--chown={user} "
            out.append(f"COPY --from={builder} {chown}{folder} {folder}{nl}")
        if split is not None and split.runtime:
            head, tail = list(split.runtime), []
            if sources is not None and sources.index == inst.index and not packages_written:
                # the runtime stage's packages come from the sources set up here
                end = sources.end or 0
                head = [c for c in split.runtime if c.start < end]
                tail = [c for c in split.runtime if c.start >= end]
            if head:
                source = _split_text(model, inst, head, nl, False, retarget)
                out.append(("" if split.pre else _comments(inst, nl)) + source)
            here = tail or (sources is not None and sources.index == inst.index)
            installs = bool(packages.all() or packages.upgrade) or packages.discover is not None
            if here and not packages_written and installs:
                out.append(_install_line(manager, packages, escape, nl, builder))
                packages_written = True
            if tail:
                out.append(_split_text(model, inst, tail, nl, False, retarget))
        if kind == "runtime":
            where = f"the {inst.keyword} on line {inst.line}"
            if inst.keyword == "RUN":
                swaps = [(c.argv[0], retarget.program(c, where)) for c in inst.commands]
                source = _cut(model, inst, (), nl, [(w.start, w.end, s) for w, s in swaps if s])
            else:
                source = _source(model, inst, nl)
            if inst.keyword in ("CMD", "ENTRYPOINT"):
                source = retarget.run_tool(inst, source)
            if inst.keyword in ("CMD", "ENTRYPOINT", "HEALTHCHECK"):
                source = retarget.paths(source, where)
            out.append(_comments(inst, nl) + source)
            if sources is not None and sources.index == inst.index and not packages_written:
                # from the sources this RUN set up
                if packages.all() or packages.upgrade or packages.discover is not None:
                    out.append(_install_line(manager, packages, escape, nl, builder))
                packages_written = True
    result = "".join(out)
    return Rewrite(result, builder, runtime_base, tuple(packages.all()), tuple(packages.notes))
