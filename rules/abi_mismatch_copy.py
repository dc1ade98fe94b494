"""DLS005: compiled Python artifacts copied between images of a different libc or Python
minor version."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Set
from dataclasses import replace

from dockerlint_slim.commands import VENV_VALUE_OPTIONS, pip_call
from dockerlint_slim.findings import Severity
from dockerlint_slim.images import BaseInfo, classify, distro_python_minor, same_abi
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import Dockerfile, ImageRef, Instruction, Overlay, Stage, substitute
from dockerlint_slim.packages import package_name, package_ops
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.shell import Command, Word

# --------------------------------------------------------------------------- artifact kinds

_VENV = "venv"  # a virtual environment: packages plus a link to an interpreter
_PACKAGES = "packages"  # site-packages, an install prefix or target folder
_WHEELS = "wheels"  # built wheels, a wheel folder, a package manager's cache
_CACHE = "cache"  # a package manager's cache: downloaded and built wheels
_PYTHON = "python"  # a whole interpreter (pyenv, conda): only the libc matters

_WHAT = {
    _VENV: "a virtualenv",
    _PACKAGES: "Python packages",
    _WHEELS: "wheels",
    _CACHE: "a Python package cache",
    _PYTHON: "a Python installation",
}

# path components that name an artifact wherever they appear
_VENV_NAME = lazy_pattern(r"\.?(venv|virtualenvs?)([-_.][\w.-]*|\d[\w.-]*)?$|[\w.-]+[-_.]venv$")
_PACKAGES_NAME = lazy_pattern(r"(site|dist)-packages$|__pypackages__$")
_LIB_PYTHON = lazy_pattern(r"python\d(\.\d+)?$")
# `venv.py`, `venv-requirements.txt`: files named after a venv are not one
_FILE_EXT = lazy_pattern(r"\.(py|pyc|txt|sh|cfg|ini|toml|json|ya?ml|md|lock|in|conf)$")
_WHEEL_DIRS = {"wheels", "wheelhouse", ".wheels"}
_CACHE_TOOLS = {"pip", "uv", "pypoetry", "pdm", "pipenv"}
_PYTHON_HOMES = {".pyenv", "conda", ".conda", "miniconda3", "miniforge3", "mambaforge", "anaconda3"}

_PYTHON_NAME = lazy_pattern(r"python(\d+(\.\d+)?)?$")
_APT_PYTHON = lazy_pattern(r"python(?P<minor>3\.\d+)(-(venv|dev|full|minimal|distutils|pip))?$")
_DISTRO_PYTHON = {
    "python3",
    "python3-venv",
    "python3-dev",
    "python3-full",
    "python3-minimal",
    "python3-pip",
    "python3-virtualenv",
    "python-is-python3",
    "py3-pip",
    "py3-virtualenv",
}
# tools that bring their own interpreter: a distribution's python3 is then not the one used
_OTHER_PYTHONS = {"pyenv", "conda", "mamba", "micromamba", "asdf", "mise", "rye"}
_DISTRO_FAMILIES = {"debian", "ubuntu", "alpine", "buildpack-deps"}


class _Side:
    """One end of the copy: what it runs on and how to name it in a message."""

    __slots__ = ("image", "info", "python_from", "stage")

    def __init__(self, info: BaseInfo, image: str, python_from: str, stage: Stage | None) -> None:
        self.info = info
        self.image = image  # the root base image as written
        self.python_from = python_from  # "" or how the stage gets its Python: "python3.11"…
        self.stage = stage  # None for an external image


# --------------------------------------------------------------------------- paths


def _norm(path: str) -> str:
    p = path.strip()
    while p.endswith(("/*", "/.", "/")) and len(p) > 1:
        p = p[:-2] if p.endswith(("/*", "/.")) else p[:-1]
    if not p.startswith("/"):
        p = "/" + p
    return posixpath.normpath(p)


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _name_kind(path: str, src: _Side) -> str | None:
    """The artifact a source path names by itself (no knowledge of the stage)."""
    parts = [p for p in path.split("/") if p]
    for i, part in enumerate(parts):
        rest = parts[i + 1 :]
        if _PACKAGES_NAME.match(part):
            return _PACKAGES
        if _VENV_NAME.match(part) and not _FILE_EXT.search(part):
            return _VENV
        if part in _PYTHON_HOMES:
            return _PYTHON
        if part in ("lib", "lib64") and rest and _LIB_PYTHON.match(rest[0]):
            return _PACKAGES
        if part in _WHEEL_DIRS:
            return _WHEELS
        if part == ".cache" and (not rest or rest[0] in _CACHE_TOOLS):
            return _CACHE
        if part == ".local" and (not rest or rest[0] in ("lib", "share")):
            return _PACKAGES  # pip --user, pipx and uv-managed environments
    last = parts[-1] if parts else ""
    if last.endswith(".whl") and "dist" not in parts[:-1]:
        # a project's own wheel (`dist/*.whl`) is almost always pure Python: not judged
        return _WHEELS
    # the official python images keep Python and its site-packages under /usr/local
    if src.info.family == "python" and path in ("/usr/local", "/usr/local/lib"):
        return _PACKAGES
    return None


def _kind(path: str, src: _Side, made: Mapping[str, str]) -> str | None:
    kind = _name_kind(path, src)
    if kind is not None:
        return kind
    for folder, k in made.items():
        # the folder itself, something in it, or a parent that holds it (`COPY /app /app`
        # for `/app/.venv` is caught by name; `/opt` holding `/opt/env` here)
        if _under(path, folder) or (path != "/" and _under(folder, path)):
            return k
    return None


# --------------------------------------------------------------------------- stage facts


def _words_after(args: tuple[Word, ...], value_opts: Set[str]) -> list[str]:
    """Positional words of ``args`` (options and their separate values skipped)."""
    out: list[str] = []
    i = 0
    while i < len(args):
        t = args[i].text
        if t == "--":
            out.extend(w.text for w in args[i + 1 :])
            break
        if t.startswith("-") and t != "-":
            if "=" not in t and t in value_opts:
                i += 1
        else:
            out.append(t)
        i += 1
    return out


def _option_values(args: Iterable[str], longs: tuple[str, ...], short: str = "") -> list[str]:
    args = list(args)
    out: list[str] = []
    for i, t in enumerate(args):
        name, eq, value = t.partition("=")
        if name in longs or (short and t == short):
            if eq:
                out.append(value)
            elif i + 1 < len(args):
                out.append(args[i + 1])
        elif short and t.startswith(short) and not t.startswith("--") and len(t) > 2:
            out.append(t[2:])
    return out


def _venv_targets(cmd: Command) -> list[str]:
    """Folders a command creates a virtual environment in (relative paths as written)."""
    argv = cmd.argv
    name = cmd.name
    if _PYTHON_NAME.match(name) and len(argv) > 2 and argv[1].text == "-m":
        module = argv[2].text
        if module in ("venv", "virtualenv"):
            return _words_after(argv[3:], VENV_VALUE_OPTIONS)
        if module == "uv" and len(argv) > 3 and argv[3].text == "venv":
            return _words_after(argv[4:], VENV_VALUE_OPTIONS)[:1] or [".venv"]
        return []
    if name == "virtualenv":
        return _words_after(argv[1:], VENV_VALUE_OPTIONS)
    if name == "uv" and cmd.arg_texts[:1] == ("venv",):
        return _words_after(argv[2:], VENV_VALUE_OPTIONS)[:1] or [".venv"]
    return []


def _pip_targets(cmd: Command) -> list[tuple[str, str]]:
    """(folder, kind) that ``pip install``/``pip wheel`` (also ``uv pip``) writes to."""
    call = pip_call(cmd)
    if call is not None:
        sub, args = call.sub, call.arg_texts
    elif cmd.name == "uv" and cmd.arg_texts[:1] == ("pip",) and len(cmd.args) > 1:
        sub, args = cmd.args[1].text, cmd.arg_texts[2:]
    else:
        return []
    out: list[tuple[str, str]] = []
    if sub == "install":
        for folder in _option_values(args, ("--prefix", "--target", "--root"), "-t"):
            out.append((folder, _PACKAGES))
        if "--user" in args:
            out.append(("~/.local", _PACKAGES))
    elif sub in ("wheel", "download"):
        for folder in _option_values(
            args, ("--wheel-dir", "--dest"), "-w" if sub == "wheel" else "-d"
        ):
            out.append((folder, _WHEELS))
    return out


def _resolve(path: str, cwd: str, env: Mapping[str, str | None], home: str) -> str | None:
    if path.startswith("~"):
        path = home + path[1:]
    if "$" in path:
        path, complete = substitute(path, env)
        if not complete or not path:
            return None
    if not path.startswith("/"):
        path = posixpath.join(cwd, path)
    return posixpath.normpath(path)


def _made(df: Dockerfile, stage: Stage) -> dict[str, str]:
    """Folders the stage (and the stages it is built FROM) fills with Python artifacts:
    virtualenvs it creates, pip's ``--prefix``/``--target``/``--user`` installs and wheel
    folders, and the folders named by ``VIRTUAL_ENV``/``UV_PROJECT_ENVIRONMENT``."""
    made: dict[str, str] = {}
    cwd = "/"
    home = "/root"
    for inst in df.inherited_instructions(stage):
        if inst.keyword == "WORKDIR" and inst.args.strip():
            target = _resolve(inst.args.strip(), cwd, inst.env, home)
            cwd = target or cwd
        elif inst.keyword == "USER" and inst.args.split():
            user = inst.args.split()[0].split(":")[0]
            home = "/root" if user in ("root", "0") else f"/home/{user}"
        elif inst.keyword == "RUN":
            run_cwd = cwd
            for cmd in inst.commands:
                if cmd.name == "cd" and cmd.args:
                    run_cwd = _resolve(cmd.args[0].text, run_cwd, inst.env, home) or run_cwd
                    continue
                env = Overlay(dict(cmd.assignments), inst.env)
                found = [(t, _VENV) for t in _venv_targets(cmd)] + _pip_targets(cmd)
                if cmd.name == "uv" and cmd.arg_texts[:1] == ("sync",):
                    found.append((env.get("UV_PROJECT_ENVIRONMENT") or ".venv", _VENV))
                for folder, kind in found:
                    resolved = _resolve(folder, run_cwd, env, home)
                    if resolved is not None and resolved != "/":
                        made.setdefault(resolved, kind)
        for var in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"):
            value = inst.env.get(var)
            if value and value.startswith("/") and "$" not in value and _norm(value) != "/":
                made.setdefault(_norm(value), _VENV)
    return made


def _python_installs(df: Dockerfile, stage: Stage) -> tuple[set[str], bool, bool]:
    """(versioned ``python3.X`` minors installed with apt, whether the distribution's
    ``python3`` is installed, whether another interpreter manager is used)."""
    minors: set[str] = set()
    distro = False
    other = False
    for inst in df.inherited_instructions(stage):
        if inst.keyword != "RUN":
            continue
        for cmd in inst.commands:
            if cmd.name in _OTHER_PYTHONS or (
                cmd.name == "uv" and cmd.arg_texts[:2] == ("python", "install")
            ):
                other = True
        for op in package_ops(inst.commands, inst.env):
            if op.kind != "install":
                continue
            for word in op.packages:
                name = package_name(word.text, op.manager)
                m = _APT_PYTHON.match(name)
                if m and op.manager == "apt":
                    minors.add(m.group("minor"))
                elif name in _DISTRO_PYTHON or name.startswith(("python3-", "py3-")):
                    distro = True  # python3-lxml, py3-numpy … pull the release's python3
    return minors, distro, other


def _with_python(info: BaseInfo, df: Dockerfile, stage: Stage) -> tuple[BaseInfo, str]:
    """A distribution base gets the Python its stage installs: an apt ``python3.X`` or the
    release's ``python3``. Nothing is assumed when no Python package is installed, when an
    interpreter manager (pyenv, conda, uv python) is used, or when the choice is ambiguous."""
    if info.family not in _DISTRO_FAMILIES or info.python_minor:
        return info, ""
    minors, distro, other = _python_installs(df, stage)
    if other:
        return info, ""
    own = distro_python_minor(info)
    if len(minors) == 1 and (not distro or own in minors):
        minor = next(iter(minors))
        return replace(info, python_minor=minor), f"python{minor}"
    if distro and not minors and own:
        return replace(info, python_minor=own), "its python3"
    return info, ""


def _stage_side(df: Dockerfile, stage: Stage) -> _Side | None:
    root = list(df.lineage(stage))[-1]
    if "$" in root.from_instruction.args.split()[0]:
        return None  # ARG-driven base: the default is only one of the images it builds
    info, python_from = _with_python(classify(root.base), df, stage)
    return _Side(info, root.base.raw, python_from, stage)


def _source(inst: Instruction, stage: Stage, ctx: Context, value: str) -> _Side | None:
    df = ctx.dockerfile
    variable = "$" in value
    if variable:
        value, complete = substitute(value, Overlay(inst.env, df.global_args))
        if not complete or not value:
            return None
    for other in df.stages:
        if other.alias is not None and other.alias == value.lower():
            return None if other.index == stage.index else _side_of(ctx, other)
    if value.isdigit():
        n = int(value)
        if n < len(df.stages) and n != stage.index:
            return _side_of(ctx, df.stages[n])
        return None
    if variable:
        return None  # an image named by an ARG: its default is only one of the choices
    image = ImageRef.parse(value)
    return _Side(classify(image), image.raw, "", None)


def _side_of(ctx: Context, stage: Stage) -> _Side | None:
    """:func:`_stage_side`, worked out once per stage and file (every COPY --from of a
    stage asks)."""
    return ctx.once(("DLS005", "side", stage.index), lambda: _stage_side(ctx.dockerfile, stage))


# --------------------------------------------------------------------------- messages


def _dest_label(side: _Side) -> str:
    return f"{side.image} with {side.python_from}" if side.python_from else side.image


def _label(side: _Side) -> str:
    if side.stage is None:
        return f"image {_dest_label(side)}"
    return f"{_dest_label(side)}, stage {side.stage.name}"


def _message(kind: str, src: _Side, dst: _Side) -> str | None:
    what = _WHAT[kind]
    verb = "filled" if kind == _CACHE else "built"
    a, b = src.info, dst.info
    if a.libc and b.libc and a.libc != b.libc:
        if kind == _WHEELS:
            tail = "compiled wheels among them will not install"
        elif kind == _CACHE:
            tail = "the compiled wheels in it cannot be used"
        elif kind == _PYTHON:
            tail = "its interpreter and compiled extensions will not run"
        else:
            tail = "compiled extensions will not load"
        return (
            f"Copies {what} {verb} on {a.libc} ({_label(src)}) into a {b.libc} image "
            f"({_dest_label(dst)}): {tail}."
        )
    if kind == _PYTHON:
        return None  # a whole interpreter brings its own Python version
    if a.python_minor and b.python_minor and a.python_minor != b.python_minor:
        if kind == _WHEELS:
            tail = "compiled wheels among them will not install"
        elif kind == _CACHE:
            tail = "the compiled wheels in it cannot be used"
        elif kind == _VENV:
            tail = f"Python {b.python_minor} will not find or load its packages"
        else:
            tail = f"Python {b.python_minor} will not find or load them"
        return (
            f"Copies {what} {verb} for Python {a.python_minor} ({_label(src)}) into "
            f"Python {b.python_minor} ({_dest_label(dst)}): {tail}."
        )
    return None


def _sources(inst: Instruction) -> list[str]:
    words = list(inst.exec_args) if inst.exec_args is not None else inst.args.split()
    return [w for w in words[:-1] if not w.startswith("<<")]


def _span(inst: Instruction, text: str, word: str) -> tuple[int, int]:
    at = text.find(word, inst.raw.args_start, inst.raw.command_end)
    if at >= 0:
        return at, at + len(word)
    for flag in inst.flags:
        if flag.name == "from":
            return flag.start, flag.end
    return inst.start, inst.raw.command_end


class AbiMismatchCopy(Rule):
    """
    ## What it does
    Checks for `COPY --from=<stage>` (or `--from=<index>`, or `--from=<image>`) of compiled
    Python artifacts between images of a different C library (glibc on Debian and Ubuntu,
    musl on Alpine) or a different Python minor version. Artifacts are:

    - virtualenvs: a folder the source stage created with `python -m venv`, `virtualenv`,
      `uv venv` or `uv sync` (or named by `VIRTUAL_ENV`/`UV_PROJECT_ENVIRONMENT`), or a path
      named like one (`/opt/venv`, `/venv`, `/app/.venv`);
    - installed packages: `site-packages`, `dist-packages`, `__pypackages__`,
      `lib/python3.X`, `~/.local`, the folders of `pip install --prefix/--target/--root`,
      and `/usr/local` or `/usr/local/lib` of an official python image;
    - wheels: `*.whl`, a `wheels`/`wheelhouse` folder, the folder of `pip wheel -w`, and the
      package managers' caches (`~/.cache`, `.cache/pip`, `.cache/uv` …);
    - whole interpreters (`~/.pyenv`, `/opt/conda`): only the C library is compared.

    Each side's image is the root base image of its stage (through `FROM <stage>`). A
    Debian, Ubuntu or Alpine base counts as having the Python its stage installs with the
    package manager: `python3` (the release's version: Debian bookworm has 3.11) or an apt
    `python3.X`. The rule stays silent when either side cannot be told: a base set by an
    `ARG`, an unknown or private image, `python:3` against `python:3.12`, no Python package
    installed, or pyenv/conda/`uv python install` in the stage. A project's own wheels
    (`dist/*.whl`) are not judged: they are almost always pure Python. Source code
    (`COPY --from=builder /app/src /app`) and console scripts (`/usr/local/bin`) are not
    artifacts. Every stage is judged, not only the ones that ship: a broken copy breaks the
    stage that uses it, and any stage can be built with `--target`.

    ## Why is this bad?
    Compiled extension modules (`.so` files) are linked against the C library and built for
    one Python ABI. An extension built on glibc does not load on musl, and one built for
    Python 3.11 is not imported by Python 3.12, which also does not look in
    `lib/python3.11/site-packages` at all. The build succeeds and the container fails at
    import time (`ImportError`, `Error relocating`, `No module named …`); copied wheels
    that are not built for the target fail `pip install` ("is not a supported wheel on this
    platform"). The classic case builds wheels on `python:3` and installs them in
    `python:3-alpine`.

    ## Example
    ```dockerfile
    FROM python:3.11 AS builder
    RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir psycopg2

    FROM python:3.11-alpine
    COPY --from=builder /opt/venv /opt/venv
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11 AS builder
    RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir psycopg2

    FROM python:3.11-slim
    COPY --from=builder /opt/venv /opt/venv
    ```

    ## Fix safety
    There is no automatic fix. The remedy is to build both stages on the same C library and
    Python minor version (usually the slim image of the builder's Python and Debian
    release, or an Alpine builder for an Alpine runtime), and which base to change is the
    author's choice.

    ## References
    - [Python: binary extensions and the ABI](https://docs.python.org/3/c-api/stable.html)
    - [PEP 656: platform tags for musl (musllinux)](https://peps.python.org/pep-0656/)
    - [Docker: multi-stage builds](https://docs.docker.com/build/building/multi-stage/)
    - [Docker: COPY --from](https://docs.docker.com/reference/dockerfile/#copy---from)
    """

    code = "DLS005"
    name = "abi-mismatch-copy"
    severity = Severity.ERROR
    message = (
        "Compiled Python artifacts are copied between images of a different libc or Python version."
    )
    fix_title = None
    fix_safety = None
    hadolint = ()
    shipped_only = False
    keywords = frozenset({"COPY"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        value = inst.flag("from")
        if not value:
            return
        src = _source(inst, stage, ctx, value)
        if src is None:
            return
        dst = _side_of(ctx, stage)
        if dst is None or same_abi(src.info, dst.info) is not False:
            return
        made: dict[str, str] = {}
        if src.stage is not None:
            from_stage = src.stage
            made = ctx.once(
                ("DLS005", "made", from_stage.index), lambda: _made(ctx.dockerfile, from_stage)
            )
        for word in _sources(inst):
            path = word
            if "$" in path:
                path, complete = substitute(path, inst.env)
                if not complete or not path:
                    continue
            kind = _kind(_norm(path), src, made)
            if kind is None:
                continue
            message = _message(kind, src, dst)
            if message is None:
                continue
            start, end = _span(inst, ctx.dockerfile.text, word)
            yield self.violation(start, end, message=message)
            return
