"""DLS006: the whole build context copied before the dependency install of the same stage."""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Sequence, Set

from dockerlint_slim.commands import (
    PIP_SHORT_VALUE_OPTIONS,
    PIP_VALUE_OPTIONS,
    TOOL_VALUE_OPTIONS,
    has_option,
    module_argv,
    pip_call,
)
from dockerlint_slim.edits import Edit, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import Dockerfile, Instruction, Stage, change_workdir, substitute
from dockerlint_slim.project import Project
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.shell import Command, Word

_PYTHON = lazy_pattern(r"python(\d+(\.\d+)?)?$")
# the working folder of the base image is not known: a stand-in root that no real path uses
_BASE_WORKDIR = "/\x00base-workdir"
_ARCHIVE = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip", ".tar")
_SAFE_NAME = lazy_pattern(r"[\w.+@-]+(/[\w.+@-]+)*$")
# commands a movable install RUN may also hold: they do not read the project's sources
_HARMLESS = frozenset(
    {"set", "true", ":", "echo", "apt-get", "apt", "apk", "dnf", "yum", "microdnf", "export"}
)
_CACHE_DIRS = (
    "/root/.cache",
    "~/.cache",
    "$HOME/.cache",
    "${HOME}/.cache",
    "/tmp/",
    "/var/lib/apt/",
    "/var/cache/",
)
# variables that pip, uv, compilers or the shell read without the RUN naming them
_IMPLICIT_VARS = lazy_pattern(
    r"(PIP_|UV_|PYTHON|VIRTUAL_ENV$|PATH$|HOME$|.*_PROXY$|CC$|CXX$|.*FLAGS$|LD_|PKG_CONFIG|"
    r"SSL_CERT|REQUESTS_CA|TMPDIR$|LANG$|LC_|SETUPTOOLS|MAKEFLAGS$|CARGO|RUST)",
    re.IGNORECASE,
)


class _Install:
    """One dependency install found in a RUN."""

    __slots__ = ("command", "cwd", "end", "files", "kind", "label", "movable", "start")

    def __init__(
        self,
        command: Command,
        start: int,
        end: int,
        label: str,
        kind: str,
        files: list[str],
        cwd: str | None = None,
        movable: bool = False,
    ) -> None:
        self.command = command
        self.start = start  # span to name in messages
        self.end = end
        self.label = label  # ``pip install -r requirements.txt``
        # "requirements" (from -r files), "project" (local sources), "lock" (poetry, uv
        # sync…), "no-deps" (``--no-deps``: no dependency installed) or "named" (named
        # packages only)
        self.kind = kind
        self.files = files  # -r / -c files as written
        self.cwd = cwd  # folder the command runs in (image path), None: not known
        self.movable = movable  # needs nothing but the files named by `files`


# --------------------------------------------------------------------------- reading RUNs


def _local_path(text: str) -> bool:
    """A pip operand that names local sources (``.``, ``./pkg[extra]``, ``/src``)."""
    if "://" in text or text.startswith(("git+", "hg+", "svn+", "bzr+", "file:")):
        return text.startswith("file:")
    base = re.sub(r"\[[^\]]*\]$", "", text)
    if base.endswith(_ARCHIVE) or any(c in base for c in "*?"):
        return False
    return base.startswith((".", "/", "~")) or "/" in base


def _pathlike(text: str) -> bool:
    return "://" not in text and (text.startswith((".", "/", "~")) or "/" in text)


def _option(word: str) -> tuple[str, str | None]:
    """``--opt=value`` -> (``--opt``, ``value``); ``-rfile`` -> (``-r``, ``file``)."""
    if word.startswith("--"):
        name, eq, value = word.partition("=")
        return name, value if eq else None
    if len(word) > 2 and word[0] == "-" and word[1] in PIP_SHORT_VALUE_OPTIONS:
        return word[:2], word[2:].lstrip("=")
    return word, None


def _pip_like(cmd: Command, args: Sequence[Word], label: str, cwd: str | None) -> _Install | None:
    """``pip install …`` or ``uv pip install …`` (``args`` after ``install``)."""
    files: list[str] = []  # -r, -c and --override files
    shown = ""  # the operand named in messages
    requirements = False
    project = False
    local_options = False
    i = 0
    while i < len(args):
        t = args[i].text
        if t == "--":
            project |= any(_local_path(w.text) for w in args[i + 1 :])
            break
        if t.startswith("-") and t != "-":
            name, value = _option(t)
            if name in PIP_VALUE_OPTIONS and value is None:
                value = args[i + 1].text if i + 1 < len(args) else ""
                i += 1
            if name in ("-r", "--requirement", "-c", "--constraint", "--override"):
                files.append(value or "")
                if name in ("-r", "--requirement") and not requirements:
                    requirements, shown = True, shown or f"-r {value}"
            elif name in ("-e", "--editable"):
                if _local_path(value or "") and not project:
                    project, shown = True, f"-e {value}"
                local_options = True
            elif name in ("-f", "--find-links", "--src", "--group"):
                local_options = True
        elif _local_path(t):
            if not project:
                project, shown = True, t
        elif _pathlike(t):
            local_options = True  # a wheel or an archive in the sources
        i += 1
    if has_option([w.text for w in args], "--no-deps", min_prefix=len("--no-de")):
        kind = "no-deps"  # installs no dependency at all
    elif project:
        kind = "project"
    elif requirements:
        kind = "requirements"
    else:
        kind = "named"  # named packages only (`pip install --upgrade pip`)
    movable = (
        not project
        and not local_options
        and all(f and _SAFE_NAME.match(f.lstrip("/")) and f.endswith(".txt") for f in files)
    )
    return _Install(cmd, cmd.start, cmd.end, f"{label} {shown}", kind, files, cwd, movable)


def _tool(cmd: Command) -> tuple[str, list[str], Word | None, Word | None]:
    """(tool, option words, first subcommand word, second word) for uv, poetry, pipenv and
    pdm (also ``python -m uv``)."""
    argv = list(module_argv(cmd))
    name = os.path.basename(argv[0].text) if argv else ""
    globals_ = TOOL_VALUE_OPTIONS.get(name)
    if globals_ is None:
        return "", [], None, None
    options: list[str] = []
    words: list[Word] = []
    i = 1
    while i < len(argv):
        t = argv[i].text
        if t.startswith("-") and t != "-":
            options.append(t)
            if t in globals_ and not words and i + 1 < len(argv):
                i += 1
        else:
            words.append(argv[i])
        i += 1
    first = words[0] if words else None
    second = words[1] if len(words) > 1 else None
    return name, options, first, second


def _installs(cmd: Command, cwd: str | None) -> _Install | None:
    """The dependency install ``cmd`` runs, if any."""
    pip = pip_call(cmd)
    if pip is not None:
        if pip.sub not in ("install", "wheel", "download"):
            return None
        label = " ".join(w.text for w in pip.program) + " " + pip.sub
        return _pip_like(cmd, pip.args, label, cwd)
    argv = cmd.argv
    if (
        _PYTHON.match(cmd.name)
        and len(argv) > 2
        and os.path.basename(argv[1].text) == "setup.py"
        and argv[2].text in ("install", "develop")
    ):
        return _Install(cmd, cmd.start, cmd.end, f"setup.py {argv[2].text}", "project", [], cwd)
    tool, options, first, second = _tool(cmd)
    if first is None:
        return None
    sub = first.text
    if tool == "uv":
        if sub == "pip" and second is not None and second.text in ("install", "sync"):
            rest = [w for w in cmd.argv if w.start > second.start]
            label = f"uv pip {second.text}"
            if second.text == "install":
                return _pip_like(cmd, rest, label, cwd)
            files = [w.text for w in rest if not w.text.startswith("-")]
            return _Install(cmd, cmd.start, cmd.end, label, "requirements", files, cwd)
        if sub == "sync":
            return _Install(cmd, cmd.start, cmd.end, "uv sync", "lock", [], cwd)
        return None
    if tool == "poetry":
        if sub in ("install", "sync") and "--only-root" not in options:
            return _Install(cmd, cmd.start, cmd.end, f"poetry {sub}", "lock", [], cwd)
        return None
    if tool in ("pipenv", "pdm") and sub in ("install", "sync"):
        return _Install(cmd, cmd.start, cmd.end, f"{tool} {sub}", "lock", [], cwd)
    return None


def _join(base: str | None, path: str) -> str | None:
    if base is None or not path or "$" in path or path.startswith("~"):
        return None
    return posixpath.normpath(posixpath.join(base, path))


def _run_installs(inst: Instruction, workdir: str | None) -> tuple[list[_Install], bool]:
    """The dependency installs of a RUN, and whether its other commands are harmless for a
    move above the source copy (no ``cd`` to an unknown folder, nothing that reads files)."""
    found: list[_Install] = []
    harmless = True
    cwd = workdir
    for cmd in inst.commands:
        call = _installs(cmd, cwd)
        if call is not None:
            found.append(call)
            continue
        name = cmd.name
        if name == "cd":
            args = cmd.arg_texts
            cwd = _join(cwd, args[0]) if len(args) == 1 else None
        elif pip_call(cmd) is not None:
            continue  # pip install of named packages, pip cache purge…
        elif name == "rm":
            paths = [a for a in cmd.arg_texts if not a.startswith("-")]
            harmless &= all(p.startswith(_CACHE_DIRS) for p in paths)
        elif name not in _HARMLESS:
            harmless = False
    return found, harmless


# --------------------------------------------------------------------------- the copy


def _whole_context(inst: Instruction) -> tuple[list[str], str] | None:
    """(sources, destination) when ``inst`` copies the whole build context."""
    if inst.keyword not in ("COPY", "ADD") or inst.flag("from") is not None:
        return None
    if inst.exec_args is not None:
        words = list(inst.exec_args)
    else:
        if inst.heredocs:
            return None
        words = inst.args.split()
    if len(words) < 2:
        return None
    sources, dest = words[:-1], words[-1]
    if not all(posixpath.normpath(s) == "." for s in sources):
        return None
    return sources, dest


class _Table:
    """What the rule reads of the whole file, read once: the working folder at each
    instruction, the dependency installs of each RUN (when first asked), and for each copy of
    the whole build context what its image installed before it."""

    def __init__(self, dockerfile: Dockerfile) -> None:
        self.workdirs: dict[int, str | None] = {}
        # by the index of a copy of the whole context: (any dependency install before it,
        # the dependency files those installs read)
        self.before: dict[int, tuple[bool, frozenset[str]]] = {}
        self._installs: dict[int, tuple[list[_Install], bool]] = {}
        ends: list[tuple[str | None, bool, frozenset[str]]] = []  # per stage, at its end
        for stage in dockerfile.stages:  # a stage is built FROM an earlier one
            if stage.parent is None:
                current: str | None = _BASE_WORKDIR
                earlier_any, files = False, frozenset[str]()
            else:
                current, earlier_any, files = ends[stage.parent]
            earlier_files = set(files)
            for inst in stage.instructions:
                if inst.keyword == "WORKDIR":
                    current = change_workdir(current, inst.args, inst.env)
                self.workdirs[inst.index] = current
                if _whole_context(inst) is not None:
                    self.before[inst.index] = (earlier_any, frozenset(earlier_files))
                if inst.keyword != "RUN":
                    continue
                for call in self.installs(inst)[0]:
                    if call.kind in ("named", "no-deps") or (
                        call.kind == "project" and not call.files
                    ):
                        continue  # not an install of the dependency manifests
                    earlier_any = True
                    for f in call.files:
                        earlier_files.add(_join(call.cwd, f) or f)
            ends.append((current, earlier_any, frozenset(earlier_files)))

    def installs(self, inst: Instruction) -> tuple[list[_Install], bool]:
        """:func:`_run_installs` of a RUN, read once."""
        found = self._installs.get(inst.index)
        if found is None:
            found = self._installs[inst.index] = _run_installs(inst, self.workdirs.get(inst.index))
        return found


# --------------------------------------------------------------------------- .dockerignore


def _ignore_regex(pattern: str) -> re.Pattern[str] | None:
    out = ""
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out += "(.*/)?"
            i += 3
            continue
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
            continue
        if c == "*":
            out += "[^/]*"
        elif c == "?":
            out += "[^/]"
        elif c == "[":
            j = pattern.find("]", i)
            if j < 0:
                return None
            out += "[" + pattern[i + 1 : j].replace("\\", "\\\\") + "]"
            i = j
        elif c == "\\" and i + 1 < len(pattern):
            out += re.escape(pattern[i + 1])
            i += 1
        else:
            out += re.escape(c)
        i += 1
    try:
        return re.compile(out + r"$")
    except re.error:
        return None


def _ignored(project: Project, relpaths: Iterable[str]) -> bool:
    """Whether ``.dockerignore`` keeps any of ``relpaths`` out of the context (or cannot be
    read well enough to tell)."""
    ignore = project.root / ".dockerignore"
    if not ignore.exists():
        return False
    try:
        text = ignore.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return True
    rules: list[tuple[bool, re.Pattern[str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line[1:].strip() if negate else line
        pattern = posixpath.normpath(pattern.lstrip("/")) if pattern.lstrip("/") else "."
        regex = _ignore_regex(pattern)
        if regex is None:
            return True
        rules.append((negate, regex))
    for rel in relpaths:
        parts = rel.split("/")
        candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        excluded = False
        for negate, regex in rules:
            if any(regex.match(c) for c in candidates):
                excluded = not negate
        if excluded:
            return True
    return False


# --------------------------------------------------------------------------- the rule


class CacheBustingCopy(Rule):
    """
    ## What it does
    Checks for a `COPY` (or `ADD`) of the whole build context (`COPY . .`, `COPY ./ /app`,
    `ADD . /app`, also with `--chown` and other flags) followed, in the same stage, by a
    dependency install: `pip install -r …`, `pip install .`, `pip install -e .`,
    `python setup.py install`, `uv pip install -r …`, `uv pip sync`, `uv sync`,
    `poetry install`, `pipenv install`, `pdm install`, and `pip wheel`/`pip download` of
    the same (also behind `python -m`, `sudo` or `poetry run`). A cache mount on the
    install does not silence it: it spares the downloads, not the reinstall. Only the first
    install after the copy is reported. A `RUN` in exec form (`RUN ["pip", …]`, or the
    script of `RUN ["/bin/sh", "-c", …]`) is read too; the fix is offered for the shell form
    only.

    It does not fire when the dependencies were installed before the copy (the manifests
    copied alone, then installed: the correct pattern) and the install after the copy only
    adds the project itself or the same requirements files; nor for `pip install --no-deps .`
    and `poetry install --only-root`, which install no dependency; nor for installs of named
    packages (`pip install gunicorn`) or of built archives (`pip install dist/*.whl`).

    Every stage is judged, not only those that ship: this rule is about build time, and a
    builder stage that reinstalls everything on each edit is as slow as a final one.

    ## Why is this bad?
    Docker reuses a layer only while every file it depends on is unchanged. A `COPY .`
    depends on every file of the project, so any edit to any source file invalidates it and
    every instruction after it: the dependency install runs again from scratch, downloading
    and often compiling every package, on every build. Copying the dependency manifests
    first, installing, and only then copying the sources keeps the install layer cached
    until the dependencies themselves change.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    WORKDIR /app
    COPY . .
    RUN pip install --no-cache-dir -r requirements.txt
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    WORKDIR /app
    COPY requirements.txt ./
    RUN pip install --no-cache-dir -r requirements.txt
    COPY . .
    ```

    ## Fix safety
    Unsafe, and offered only for installs from requirements files (`pip install -r`,
    `uv pip install -r`) when the build context is known: a `COPY` of the requirements
    files the install reads (with the files they include through `-r` and `-c`, each to the
    place it has under the original destination, with the original `--chown`, `--chmod` and
    `--link` flags) is inserted before the `COPY .`, and the install `RUN` (with the comment
    block directly above it) is moved, unchanged, between the two. No fix is offered when:

    - the install also needs the sources: `pip install .`, `-e .`, a local path in a
      requirements file, `--find-links` or `--editable` options, `python setup.py install`
      (moving it above the copy would break the build, the sources are not there yet);
    - it uses `poetry`, `pipenv`, `uv sync` or `pdm`, whose installs of the project itself
      need the sources (path dependencies, the package being installed): split them by hand
      into an install of the dependencies only (`poetry install --no-root`,
      `uv sync --no-install-project`) before the copy and the full install after it;
    - a requirements file is missing from the build context or excluded by `.dockerignore`;
    - anything but `LABEL`, `EXPOSE` or an `ENV`/`ARG` the install cannot read stands
      between the copy and the install (a `WORKDIR`, `USER` or another `RUN` may be what the
      install depends on);
    - the `RUN` does more than install (apart from system package installs, `echo`, `cd`
      and removing caches), uses a bind mount, or the working folder is not known.

    It is unsafe because a requirements file may still reference something the copy brought
    in that the linter cannot see (a `${VAR}` path, a build hook of an sdist).

    ## References
    - [Docker: optimizing builds with cache management](https://docs.docker.com/build/cache/optimize/)
    - [Docker: best practices, leverage build cache](https://docs.docker.com/build/building/best-practices/#leverage-build-cache)
    - [uv: using uv in Docker, intermediate layers](https://docs.astral.sh/uv/guides/integration/docker/#intermediate-layers)
    - [Poetry: FAQ, Docker layer caching](https://python-poetry.org/docs/faq/#poetry-busts-my-docker-cache-because-it-requires-me-to-copy-my-source-files-in-before-installing-3rd-party-dependencies)
    """

    code = "DLS006"
    name = "cache-busting-copy"
    severity = Severity.WARNING
    message = (
        "The whole build context is copied before the dependency install, so every source "
        "change reinstalls every dependency."
    )
    fix_title = "Copy the requirements files and install them before `COPY .`"
    fix_safety = Safety.UNSAFE
    hadolint = ()
    shipped_only = False
    keywords = frozenset({"COPY", "ADD"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        copy = _whole_context(inst)
        if copy is None:
            return
        table = ctx.once(("DLS006", "table"), lambda: _Table(ctx.dockerfile))
        workdirs = table.workdirs
        dest_dir = _join(workdirs.get(inst.index), substitute(copy[1], inst.env)[0])
        if not substitute(copy[1], inst.env)[1]:
            dest_dir = None

        # what was installed before the copy (this stage and the stages it is built FROM)
        earlier_any, earlier_files = table.before[inst.index]

        # the first install after the copy, up to the next copy of the whole context
        between: list[Instruction] = []
        at = inst.index - stage.instructions[0].index  # a stage's instructions are in a row
        for later in stage.instructions[at + 1 :]:
            if _whole_context(later) is not None:
                return
            if later.keyword != "RUN":
                between.append(later)
                continue
            calls, harmless = table.installs(later)
            busting = [c for c in calls if self._busts(c, earlier_any, earlier_files)]
            if not busting:
                between.append(later)
                continue
            first = busting[0]
            kw = inst.raw.keyword_span
            what = " ".join(f"{ctx.dockerfile.text[kw.start : kw.end]} {inst.raw.value}".split())
            message = (
                f"`{what}` copies the whole build context before `{first.label}` "
                f"(line {later.line}), so every source change reinstalls every dependency."
            )
            edits = self._fix(ctx, inst, copy[1], dest_dir, later, calls, harmless, between)
            yield self.violation(
                inst.raw.keyword_span.start,
                _trim(ctx.dockerfile.text, inst.raw.keyword_span.start, inst.raw.command_end),
                message=message,
                edits=edits,
            )
            return

    @staticmethod
    def _busts(call: _Install, earlier_any: bool, earlier_files: Set[str]) -> bool:
        if call.kind in ("named", "no-deps"):
            return False
        if not earlier_any:
            return True
        if call.kind != "requirements":
            return False  # the project itself, its dependencies already in place
        # the same file installed again (also when copied to another folder before)
        names = {posixpath.basename(f) for f in earlier_files}
        return not all(
            (_join(call.cwd, f) or f) in earlier_files or posixpath.basename(f) in names
            for f in call.files
        )

    def _fix(
        self,
        ctx: Context,
        copy: Instruction,
        dest: str,
        dest_dir: str | None,
        run: Instruction,
        calls: list[_Install],
        harmless: bool,
        between: list[Instruction],
    ) -> list[Edit]:
        project = ctx.project
        text = ctx.dockerfile.text
        if project is None or not project.exists or dest_dir is None or not harmless:
            return []
        if not all(c.kind in ("requirements", "named") and c.movable for c in calls):
            return []
        if any(m.get("type") not in ("cache", "tmpfs", "secret", "ssh") for m in run.mounts()):
            return []
        if run.form != "shell" or run.raw.sub is not None:
            return []
        allowed_flags = {"chown", "chmod", "link"}
        if any(f.name not in allowed_flags for f in copy.flags):
            return []
        if " " in dest or "\t" in dest or not self._quiet_between(between, run):
            return []
        # the requirements files, as paths in the build context
        files: list[str] = []
        for call in calls:
            for f in call.files:
                image_path = _join(call.cwd, f)
                if image_path is None or not (
                    image_path == dest_dir or image_path.startswith(dest_dir.rstrip("/") + "/")
                ):
                    return []
                rel = posixpath.relpath(image_path, dest_dir)
                reqs = project.requirements(rel)
                if reqs is None or not reqs.exists or not project.has(rel):
                    return []
                if any("not found" in w or "not read" in w for w in reqs.warnings):
                    return []
                entries = reqs.requirements + reqs.constraints
                if any(r.path is not None or r.editable for r in entries):
                    return []
                if any(not re.match(r"[a-z][a-z0-9+.-]*://", u) for u in reqs.find_links):
                    return []
                for inc in reqs.includes:
                    if inc.startswith("/") or not _SAFE_NAME.match(inc):
                        return []
                    if inc not in files:
                        files.append(inc)
        if not files or _ignored(project, files):
            return []
        # the new COPY lines, one per folder of the context
        eol = "\r\n" if text[copy.raw.command_end : copy.raw.command_end + 2] == "\r\n" else "\n"
        indent = text[copy.start : copy.raw.keyword_span.start]
        keyword = "copy" if text[copy.raw.keyword_span.start].islower() else "COPY"
        flags = "".join(" " + text[f.start : f.end] for f in copy.flags)
        base = dest if dest.endswith("/") else dest + "/"
        folders: dict[str, list[str]] = {}
        for f in files:
            folders.setdefault(posixpath.dirname(f), []).append(f)
        lines = ""
        for folder, names in folders.items():
            target = base + folder + "/" if folder else base
            lines += f"{indent}{keyword}{flags} {' '.join(names)} {target}{eol}"
        # the RUN with the comment block directly above it, moved above the copy and its own
        # comment block
        start, at = _with_comments(text, run), _with_comments(text, copy)
        end = run.end
        moved = text[start:end]
        delete_from = start
        if not moved.endswith("\n"):
            moved += eol
            before = text[:start]
            delete_from = start - (2 if before.endswith("\r\n") else 1 if before else 0)
        return [Edit(at, at, lines + moved), Edit(delete_from, end, "")]

    @staticmethod
    def _quiet_between(between: list[Instruction], run: Instruction) -> bool:
        """Whether the instructions between the copy and the install can be stepped over:
        ``LABEL``, ``EXPOSE``, and ``ENV``/``ARG`` the install cannot read."""
        body = run.args + "".join(h.content for h in run.heredocs)
        for inst in between:
            if inst.keyword in ("LABEL", "EXPOSE"):
                continue
            if inst.keyword not in ("ENV", "ARG"):
                return False
            for name in _declared(inst):
                if _IMPLICIT_VARS.match(name) or re.search(rf"\${{?{name}\b", body):
                    return False
        return True


def _declared(inst: Instruction) -> list[str]:
    """Names an ENV or ARG instruction sets."""
    args = inst.args.strip()
    if inst.keyword == "ENV" and "=" not in args.split(None, 1)[0]:
        return [args.split(None, 1)[0]]  # legacy `ENV NAME value`
    return [m.group(1) for m in re.finditer(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)(?==|\s|$)", args)]


def _with_comments(text: str, inst: Instruction) -> int:
    """Where ``inst`` starts, with the comment block directly above it."""
    if inst.comments:
        first = inst.comments[0].start
        if first == 0 or text[first - 1] == "\n":
            return first
    return inst.start


def _trim(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end
