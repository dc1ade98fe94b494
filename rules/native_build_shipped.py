"""DLS003: a Python install in a shipped stage that compiles native code (sdist-only packages,
``--no-binary``, musl without musllinux wheels, or a project with extension modules)."""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlparse

from dockerlint_slim.commands import (
    PIP_SHORT_VALUE_OPTIONS,
    PIP_VALUE_OPTIONS,
    TOOL_VALUE_OPTIONS,
    module_argv,
    pip_call,
    split_options,
)
from dockerlint_slim.findings import Severity
from dockerlint_slim.images import BaseInfo, classify
from dockerlint_slim.model import Dockerfile, Instruction, Stage, substitute
from dockerlint_slim.packages import (
    build_packages_left,
    is_build_tool,
    is_dev_package,
    package_ops,
)
from dockerlint_slim.project import (
    Project,
    Requirement,
    RequirementsFile,
    builds_from_source,
    canonical,
    extra_packages,
    native_package,
    parse_requirement,
)
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.shell import Command, Word

__all__ = ["CompilesInShippedStage", "native_builds_in"]

_PYTHON = re.compile(r"python(\d+(\.\d+)?)?[mu]?$")
_TOOLS = {"uv", "poetry", "pipenv", "pdm"}
_PYPI_HOSTS = {"pypi.org", "pypi.python.org", "files.pythonhosted.org"}
# extra indexes that serve their own wheels only (never an sdist-only package's wheel)
_WHEEL_ONLY_HOSTS = {"download.pytorch.org"}
_SETUP_COMMANDS = {"install", "build_ext", "bdist_wheel", "develop", "build", "bdist_egg"}
_MAX_NAMES = 5


# --------------------------------------------------------------------------- the facts


@dataclass
class _Install:
    """One install command, read from its words: what it asks to install and how."""

    tool: str  # "pip", "uv", "poetry", "pipenv", "pdm", "setup.py"
    start: int
    end: int
    names: list[str] = field(default_factory=list)  # requirement strings (PEP 508)
    req_files: list[str] = field(default_factory=list)  # as written (in-image paths)
    constraint_files: list[str] = field(default_factory=list)
    req_file_only: bool = False  # uv pip sync: the files are the whole set
    projects: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (path, extras)
    projects_deps: list[Project] = field(default_factory=list)  # -r pyproject.toml
    manager: str | None = None  # poetry/uv/pdm/pipenv: the project's manager installs
    manager_dir: str = "."  # -C / --project / --directory
    manager_root: bool = True  # the project itself is installed (not --no-root …)
    manager_deps: bool = True  # dependencies are installed (not --only-root)
    no_dev: bool = False  # dev groups left out
    extras: tuple[str, ...] = ()  # extras / optional groups asked for ("*" = all)
    no_binary: set[str] = field(default_factory=set)
    only_binary: set[str] = field(default_factory=set)
    prefer_binary: bool = False
    other_index: bool = False  # an index or find-links that may hold wheels pip can use
    no_build: bool = False  # uv --no-build / --only-binary :all:: never compiles


@dataclass(frozen=True)
class _Base:
    musl: bool
    python: str | None
    windows: bool
    build_tools: bool


def _base(df: Dockerfile, stage: Stage) -> _Base:
    root = list(df.lineage(stage))[-1]
    info: BaseInfo = classify(root.base)
    return _Base(
        info.libc == "musl",
        info.python_minor,
        info.variant == "windows" or info.distro == "windows",
        info.has_build_tools,
    )


# --------------------------------------------------------------------------- command reading


def _expand(word: Word, inst: Instruction, cmd: Command) -> str | None:
    """The word's value with ENV/ARG and prefix assignments expanded; None when unknown."""
    text = word.text
    if "$" not in text and "`" not in text:
        return text
    if "`" in text or "$(" in text:
        return None
    values: dict[str, str | None] = {**inst.env, **dict(cmd.assignments)}
    value, complete = substitute(text, values)
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


@dataclass(frozen=True)
class _Copy:
    sources: tuple[str, ...]  # build context paths (posix, relative; "." is the root)
    dest: str  # absolute in-image path
    dest_dir: bool  # the destination is a folder (ends with "/" or several sources)


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


class _Paths:
    """Where in-image paths of one RUN came from in the build context."""

    def __init__(self, df: Dockerfile, stage: Stage, inst: Instruction, project: Project):
        self.project = project
        self.copies: list[_Copy] = []
        cwd = "/"
        for prev in df.inherited_instructions(stage):
            if prev.index >= inst.index:
                break
            if prev.keyword == "WORKDIR" and prev.args.strip():
                value, complete = substitute(prev.args.strip(), prev.env)
                cwd = _join(cwd, value) if complete else cwd
            elif prev.keyword in ("COPY", "ADD") and prev.flag("from") is None:
                self._add(prev, cwd)
        self.cwd = cwd
        for m in inst.mounts():
            if m.get("type") != "bind" or m.get("from") or not m.get("target"):
                continue
            src = _ctx_rel(m.get("source", m.get("src", ".")))
            if src is not None:
                target = _join(cwd, m["target"])
                self.copies.append(_Copy((src,), target, self._is_dir(src)))

    def _is_dir(self, rel: str) -> bool:
        if rel == ".":
            return True
        target = self.project.path(rel)
        return target is not None and target.is_dir()

    def _add(self, inst: Instruction, cwd: str) -> None:
        words = _copy_words(inst)
        if not words or len(words) < 2 or inst.heredocs:
            return
        dest_raw, complete = substitute(words[-1], inst.env)
        if not complete:
            return
        sources: list[str] = []
        for w in words[:-1]:
            value, ok = substitute(w, inst.env)
            rel = _ctx_rel(value) if ok else None
            if rel is not None:
                sources.append(rel)
        if not sources:
            return
        dest = _join(cwd, dest_raw)
        dest_dir = dest_raw.endswith("/") or dest_raw in (".", "./") or len(words) > 2
        self.copies.append(_Copy(tuple(sources), dest, dest_dir))

    def context_file(self, image_path: str) -> str | None:
        """The build context file copied (or bind-mounted) to ``image_path`` (absolute)."""
        p = _norm(image_path)
        for copy in reversed(self.copies):
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


@dataclass
class _Finding:
    labels: list[str] = field(default_factory=list)  # package names, "the project itself"
    details: list[str] = field(default_factory=list)  # why, when not obvious
    installed: list[str] = field(default_factory=list)  # every package the install names

    def add(self, label: str, detail: str | None = None) -> None:
        if label not in self.labels:
            self.labels.append(label)
        if detail and detail not in self.details:
            self.details.append(detail)


_WHY = re.compile(r"^(?P<name>\S+) (?P<version>\S+) (?P<why>.*): pip builds it from source$")
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
                continue
            rel = paths.locate(written, cwd, fallback)
            rf = project.requirements(rel) if rel else None
            if rf is not None and rf.exists:
                files.append(rf)
                _apply_file_options(install, judge, rf)
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
        if target is None:
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
        if target is not None:
            _judge_manager(judge, target, install)
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


# --------------------------------------------------------------------------- per RUN


def _cd(cmd: Command, inst: Instruction, cwd: str) -> str | None:
    """The folder after ``cd DIR`` (None: not known)."""
    args = [w for w in cmd.args if not w.text.startswith("-")]
    if not args:
        return None
    value = _expand(args[0], inst, cmd)
    if value is None or value.startswith("~") or value == "-":
        return None
    return _join(cwd, value)


def _installs(
    inst: Instruction, stage: Stage, ctx: Context, every: bool = False
) -> list[tuple[_Install, _Finding]]:
    """Each install command of the RUN ``inst`` that compiles (``every``: each one), with
    what it compiles and the packages it names."""
    if inst.keyword != "RUN" or not inst.commands:
        return []
    df = ctx.dockerfile
    base = _base(df, stage)
    if base.windows:
        return []
    project = ctx.project
    paths = _Paths(df, stage, inst, project) if project is not None and project.exists else None
    cwd: str | None = paths.cwd if paths is not None else "/"
    moved = False  # a `cd` in this RUN: no guessing of unmapped paths
    out: list[tuple[_Install, _Finding]] = []
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
        if finding.labels or every:
            out.append((install, finding))
    return out


def native_builds_in(
    stage: Stage, ctx: Context, contained: bool = True
) -> list[tuple[Instruction, list[str]]]:
    """Every RUN of ``stage`` and of the stages it is built FROM (oldest first) whose Python
    installs compile native code, with short reasons: the package names pip builds from
    source, ``"the project itself"`` or ``"every package"`` (``--no-binary :all:``).
    ``contained=False`` leaves out a RUN that installs its compiler and removes it again on a
    base without one: it ships the build, not the toolchain."""
    df = ctx.dockerfile
    out: list[tuple[Instruction, list[str]]] = []
    for inst in df.inherited_instructions(stage):
        if inst.keyword != "RUN":
            continue
        owner = df.stage_of(inst) or stage
        if not contained and _toolchain_contained(inst, owner, ctx, _base(df, owner)):
            continue
        labels: list[str] = []
        for _, finding in _installs(inst, owner, ctx):
            labels += [label for label in finding.labels if label not in labels]
        if labels:
            out.append((inst, labels))
    return out


def python_packages_in(stage: Stage, ctx: Context) -> list[str]:
    """The PyPI projects (normalised names) that the Python installs of ``stage`` and of the
    stages it is built FROM name: on the command line, in requirement files, lock files and
    project metadata it can read, and those an extra pulls in (not transitive dependencies)."""
    df = ctx.dockerfile
    out: list[str] = []
    for inst in df.inherited_instructions(stage):
        if inst.keyword != "RUN":
            continue
        owner = df.stage_of(inst) or stage
        for _, finding in _installs(inst, owner, ctx, every=True):
            out += [n for n in finding.installed if n not in out]
    return out


def _toolchain_contained(inst: Instruction, stage: Stage, ctx: Context, base: _Base) -> bool:
    """The RUN installs its compiler and removes it again (``apk add --virtual .build-deps …
    && apk del .build-deps``) on a base without build tools, and no earlier RUN left one."""
    if base.build_tools:
        return False
    ops = package_ops(inst.commands, inst.env)
    installs = any(
        op.kind == "install" and any(is_build_tool(n) or is_dev_package(n) for n in op.names)
        for op in ops
    )
    if not installs or build_packages_left(ops):
        return False
    for prev in ctx.dockerfile.inherited_instructions(stage):
        if prev.index >= inst.index:
            break
        if prev.keyword == "RUN" and build_packages_left(package_ops(prev.commands, prev.env)):
            return False
    return True


def _message(install: _Install, finding: _Finding) -> str:
    tool = "python setup.py" if install.tool == "setup.py" else install.tool
    labels = finding.labels
    shown = ", ".join(labels[:_MAX_NAMES])
    if len(labels) > _MAX_NAMES:
        shown += f" and {len(labels) - _MAX_NAMES} more"
    detail = f" ({'; '.join(finding.details[:2])})" if finding.details else ""
    return (
        f"{tool} builds {shown} from source here{detail}: the compiler and headers ship in "
        "the final image; build wheels in a builder stage."
    )


class CompilesInShippedStage(Rule):
    """
    ## What it does
    Checks for Python installs in a stage that ships which compile native code. It reads
    `pip install` and `pip wheel` (`pip3`, `/venv/bin/pip`, `python -m pip`), `uv pip
    install`, `uv pip sync`, `uv sync`, `poetry install`, `pipenv install`/`sync`, `pdm
    install`/`sync` and `python setup.py install|build_ext|bdist_wheel|develop`, and
    reports the command when it will build:

    - a package that has no wheel for Linux (`psycopg2` — not `psycopg2-binary` —,
      `pycrypto`, `mysqlclient`, `uwsgi`, `python-ldap` …), named on the command line or in
      what the command installs: a requirements file (with its `-r`/`-c` includes), the
      project's `pyproject.toml`, `setup.py`, `setup.cfg` or `Pipfile` and the lock files
      (`poetry.lock`, `uv.lock`, `pdm.lock`, `Pipfile.lock`). The version pin and the
      Python version of the base image count: a release that has a wheel for that Python
      is not reported;
    - any package named by `--no-binary` (or `--no-binary :all:`), on the command line, in
      `PIP_NO_BINARY` or as an option line of a requirements file;
    - on an Alpine (musl) base, a package whose release has glibc wheels only;
    - the project itself (`pip install .`, `pip install -e .`, `python setup.py install`,
      `poetry install`, `uv sync`, `pdm install`) when its `setup.py` declares
      `ext_modules`, `Extension(…)`, `cythonize(…)`, `cffi_modules` or `rust_extensions`,
      or its build backend compiles (scikit-build-core, meson-python, maturin,
      setuptools-rust …).

    Files named in the command are found in the build context by following the `COPY` and
    `ADD` instructions (and `RUN --mount=type=bind`) of the stage and its `WORKDIR`: with
    `WORKDIR /app` and `COPY requirements.txt .`, `pip install -r requirements.txt` reads
    the context's `requirements.txt`. A path that no `COPY` explains is looked up at the
    same relative path, then by its base name, in the context root. Without a build context
    only the command line is judged.

    Not reported: installs with `--only-binary :all:`, uv's `--no-build`, `--no-index`,
    `--find-links` or a private index (those usually serve wheels built elsewhere),
    `--platform`, Windows images, and a `RUN` that installs its compiler and removes it
    again itself (`apk add --virtual .build-deps … && apk del .build-deps`) on a base
    without build tools. One finding per install command.

    ## Why is this bad?
    Compiling needs a C compiler, the Python headers and the `-dev` packages of the
    libraries the extension links against (`gcc`, `libpq-dev`, `libldap2-dev` …). Built in
    the image you ship, all of that ships too: often 200 to 400 MB of toolchain that the
    application never uses, plus a bigger attack surface and slower builds. Build the
    wheels in a builder stage and install them in a slim final stage that only has the
    runtime libraries (`libpq5`), or use a package that ships wheels
    (`psycopg2-binary`, `pycryptodome` instead of the dead `pycrypto`).

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \
        && rm -rf /var/lib/apt/lists/*
    RUN pip install --no-cache-dir psycopg2==2.9.9
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim AS builder
    RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \
        && rm -rf /var/lib/apt/lists/*
    RUN pip wheel --no-cache-dir --wheel-dir /wheels psycopg2==2.9.9

    FROM python:3.12-slim
    RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \
        && rm -rf /var/lib/apt/lists/*
    COPY --from=builder /wheels /wheels
    RUN pip install --no-cache-dir --no-index --find-links=/wheels psycopg2==2.9.9 \
        && rm -rf /wheels
    ```

    ## Fix safety
    There is no automatic fix: the remedy is a multi-stage rewrite (a builder stage with
    the toolchain, the runtime libraries in the final stage), which needs to know the
    runtime packages of each extension.

    ## References
    - [Docker: multi-stage builds](https://docs.docker.com/build/building/multi-stage/)
    - [pip: --no-binary and --only-binary](https://pip.pypa.io/en/stable/cli/pip_install/#cmdoption-no-binary)
    - [pip wheel](https://pip.pypa.io/en/stable/cli/pip_wheel/)
    - [Python Packaging User Guide: platform compatibility tags](https://packaging.python.org/en/latest/specifications/platform-compatibility-tags/)
    - [psycopg2: installation (psycopg2-binary)](https://www.psycopg.org/docs/install.html)
    """

    code = "DLS003"
    name = "compiles-in-shipped-stage"
    severity = Severity.WARNING
    message = "A Python install compiles native code in a stage that ships."
    fix_title = None
    fix_safety = None
    hadolint = ()
    shipped_only = True
    keywords = frozenset({"RUN"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        found = _installs(inst, stage, ctx)
        if not found or _toolchain_contained(inst, stage, ctx, _base(ctx.dockerfile, stage)):
            return
        for install, finding in found:
            yield self.violation(install.start, install.end, message=_message(install, finding))
