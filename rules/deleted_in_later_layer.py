"""DLS004: a path or package added in one layer and removed in a later one."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from fnmatch import fnmatchcase

from dockerlint_slim.commands import PIP_VALUE_OPTIONS, has_option, pip_call, removed_paths
from dockerlint_slim.findings import Severity
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import Dockerfile, Instruction, Overlay, Stage, substitute
from dockerlint_slim.packages import package_ops
from dockerlint_slim.project import requirement_name
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.shell import Command, Word

# The working folder a stage inherits from its base image is unknown: relative paths are
# resolved against this symbolic root, which never equals an absolute path.
_BASE_WD = "@"
_UNSET = object()
_GLOB = lazy_pattern(r"[*?\[]")
# Folders that exist before this Dockerfile writes to them: a COPY into them does not make
# everything inside them "added here".
_SYSTEM = frozenset(
    {
        "/",
        "/bin",
        "/boot",
        "/dev",
        "/etc",
        "/home",
        "/lib",
        "/lib32",
        "/lib64",
        "/libx32",
        "/media",
        "/mnt",
        "/opt",
        "/proc",
        "/root",
        "/run",
        "/sbin",
        "/srv",
        "/sys",
        "/tmp",
        "/usr",
        "/var",
        "/usr/src",
        "/var/tmp",
        "/var/www",
    }
)
_SYSTEM_TREES = ("/etc/", "/usr/", "/var/", "/lib", "/bin/", "/sbin/", "/proc/", "/sys/", "/dev/")
_FAMILY = {"apt": "apt", "apk": "apk", "zypper": "zypper"}  # dnf, yum, microdnf: "rpm"
_ARCHIVE = lazy_pattern(r"\.(?:tar|tgz|tbz2?|txz|tar\.(?:gz|bz2|xz|zst|lz4)|zip)$")


class _Added:
    """Something an instruction put into its layer."""

    __slots__ = ("layer", "line", "path", "removed", "tree", "what")

    def __init__(
        self, path: str, line: int, layer: int, tree: bool, what: str = "", removed: bool = False
    ) -> None:
        self.path = path  # normalised; may hold globs (``COPY *.whl /tmp/``)
        self.line = line
        self.layer = layer  # Instruction.index
        self.tree = tree  # a folder whose whole content this instruction wrote
        self.what = what  # how to name it in a message when not by path
        self.removed = removed


class _Package:
    """A package an install put in a layer."""

    __slots__ = ("key", "layer", "line", "removed")

    def __init__(self, key: tuple[str, str], line: int, layer: int) -> None:
        self.key = key  # (family, name)
        self.line = line
        self.layer = layer
        self.removed = False


class _Node:
    """One folder of :class:`_AddedTree`."""

    __slots__ = ("children", "here", "wild")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.here: list[tuple[int, _Added]] = []  # added at exactly this path
        self.wild: list[tuple[int, _Added]] = []  # a glob in the next part of the path


class _AddedTree:
    """Everything the instructions added so far, in order, filed by the parts of its path:
    a removal looks only at what lies on its path or under it (and at what has a glob where
    its path goes on), not at everything added before it. What was removed is dropped."""

    def __init__(self) -> None:
        self.root = _Node()
        self.count = 0

    def append(self, added: _Added) -> None:
        node = self.root
        for part in _parts(added.path):
            if _GLOB.search(part):
                node.wild.append((self.count, added))
                break
            node = node.children.setdefault(part, _Node())
        else:
            node.here.append((self.count, added))
        self.count += 1

    def extend(self, items: Iterable[_Added]) -> None:
        for added in items:
            self.append(added)

    def candidates(self, removed: str) -> list[_Added]:
        """What removing ``removed`` may touch (a superset of what :func:`_relation`
        relates it to), not removed yet, in the order it was added."""
        out: list[tuple[int, _Added]] = []
        node: _Node | None = self.root
        for part in _parts(removed):
            assert node is not None
            if _GLOB.search(part):
                break
            out += _live(node.here) + _live(node.wild)
            node = node.children.get(part)
            if node is None:
                break
        if node is not None:
            _subtree(node, out)
        out.sort(key=lambda pair: pair[0])
        return [a for _, a in out]


def _live(items: list[tuple[int, _Added]]) -> list[tuple[int, _Added]]:
    if any(a.removed for _, a in items):
        items[:] = [(n, a) for n, a in items if not a.removed]
    return items


def _subtree(node: _Node, out: list[tuple[int, _Added]]) -> bool:
    """Add what lies at ``node`` or under it to ``out``; whether anything does (folders
    that hold nothing any more are dropped on the way)."""
    out += _live(node.here) + _live(node.wild)
    found = bool(node.here or node.wild)
    for name, child in list(node.children.items()):
        if _subtree(child, out):
            found = True
        else:
            del node.children[name]
    return found


class _State:
    """What the layers walked so far added (files, packages), and where the walk is."""

    __slots__ = ("added", "packages", "user_root", "workdir")

    def __init__(self) -> None:
        self.workdir: str | None = _BASE_WD
        self.user_root = True
        self.added = _AddedTree()
        # what was installed and not removed yet, by (family, name)
        self.packages: dict[tuple[str, str], list[_Package]] = {}


class _Later:
    """The commands of a RUN after the ``n``-th: what they add and install."""

    __slots__ = ("last_add", "last_install", "n")

    def __init__(
        self, n: int, last_add: Mapping[str, int], last_install: Mapping[tuple[str, str], int]
    ) -> None:
        self.n = n
        self.last_add = last_add  # path -> the last command of the RUN that adds it
        self.last_install = last_install  # package -> the last that installs it

    def adds(self, path: str) -> bool:
        return self.last_add.get(path, -1) > self.n

    def installs(self, key: tuple[str, str]) -> bool:
        return self.last_install.get(key, -1) > self.n


def _owned(path: str) -> bool:
    """Whether a folder this Dockerfile writes to is its own (not a system folder that held
    files before), so that anything removed inside it came from here."""
    if path.startswith(_BASE_WD):
        return True
    if path in _SYSTEM or path.startswith(_SYSTEM_TREES):
        return path.startswith("/usr/src/") and path.count("/") >= 3
    return not re.fullmatch(r"/home/[^/]+", path)


def _parts(path: str) -> list[str]:
    if path.startswith(_BASE_WD):
        return [_BASE_WD] + [p for p in path[len(_BASE_WD) :].split("/") if p]
    return ["/"] + [p for p in path.split("/") if p]


def _part_matches(pattern: str, name: str) -> bool:
    """One path component: ``pattern`` (the removal, may be a glob) against ``name`` (what
    was added, may itself be a glob). Shell globs do not match a leading dot."""
    if pattern == name:
        return True
    if _GLOB.search(pattern):
        if name.startswith(".") and not pattern.startswith("."):
            return False
        if fnmatchcase(name, pattern):
            return True
    return bool(_GLOB.search(name)) and fnmatchcase(pattern, name)


def _relation(removed: str, added: str) -> str | None:
    """``covers`` when removing ``removed`` deletes all of ``added`` (the same path, a
    folder above it, or a glob matching either), ``inside`` when it deletes part of it."""
    r, a = _parts(removed), _parts(added)
    n = min(len(r), len(a))
    if not all(_part_matches(r[i], a[i]) for i in range(n)):
        return None
    if len(r) <= len(a) or (len(r) == len(a) + 1 and r[-1] == "*"):
        return "covers"  # ``folder/*`` empties the folder
    return "inside"


class _Resolver:
    """Turns words into normalised absolute paths for one instruction."""

    def __init__(self, inst: Instruction, state: _State) -> None:
        home = inst.env.get("HOME") or ("/root" if state.user_root else None)
        env: Mapping[str, str | None] = inst.env
        if home is not None and "HOME" not in env:
            env = Overlay({"HOME": home}, env)
        self.env = env
        self.home = home
        self.cwd = state.workdir

    def path(self, text: str, cwd: str | object | None = _UNSET) -> str | None:
        """``text`` as a normalised path (relative to ``cwd``, by default the WORKDIR), or
        None when it cannot be known."""
        if not isinstance(cwd, str) and cwd is not None:
            cwd = self.cwd
        t = text.strip()
        if not t or "$(" in t or "`" in t or "://" in t:
            return None
        if t == "~" or t.startswith("~/"):
            if self.home is None:
                return None
            t = self.home + t[1:]
        elif t.startswith("~"):
            return None
        if "$" in t:
            t, complete = substitute(t, self.env)
            if not complete or "$" in t:
                return None
        if not t.startswith("/"):
            if cwd is None:
                return None
            t = cwd.rstrip("/") + "/" + t
        if t.startswith(_BASE_WD):
            rest = posixpath.normpath("/" + t[len(_BASE_WD) :])
            if "/.." in t:
                return None
            return _BASE_WD if rest == "/" else _BASE_WD + rest
        return posixpath.normpath(t).replace("//", "/")


def _line(df: Dockerfile, offset: int) -> int:
    return df.scan.line_col(offset)[0]


def _split_args(inst: Instruction) -> list[str]:
    if inst.exec_args is not None:
        return list(inst.exec_args)
    return inst.args.split()


def _copy_added(inst: Instruction, res: _Resolver) -> list[_Added]:
    words = _split_args(inst)
    if len(words) < 2:
        return []
    *sources, dest = words
    d = res.path(dest)
    if d is None:
        return []
    folder = dest.endswith(("/", "/.")) or dest in (".", "..") or len(sources) > 1
    out: list[_Added] = []
    if not folder or any(_is_dir_like(s) for s in sources):
        # `dest` is the copied file, or receives the content of a copied folder
        out.append(_Added(d, inst.line, inst.index, tree=_owned(d)))
    for src in sources:
        # a file copied into `dest`, which is (or may be) a folder
        if src.startswith("<<") or (not folder and _is_dir_like(src)):
            continue
        base = src.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
        if base in ("", ".", ".."):
            continue
        if inst.keyword == "ADD" and _ARCHIVE.search(base) and "://" not in src:
            continue  # extracted into `dest`
        if "$" in base:
            base, complete = substitute(base, res.env)
            if not complete:
                continue
        out.append(_Added(posixpath.join(d, base), inst.line, inst.index, tree=False))
    return out


def _is_dir_like(src: str) -> bool:
    """A COPY source that is a folder (or may be one): ``.``, ``src/``, ``app``. Names with
    an extension (``requirements.txt``) and globs count as files."""
    if src.startswith("<<") or "://" in src:
        return False
    if src.endswith("/") or src in (".", ".."):
        return True
    base = src.rsplit("/", 1)[-1]
    return not _GLOB.search(base) and "." not in base.lstrip(".")


# --------------------------------------------------------------------------- RUN producers


def _option_value(args: Sequence[Word], longs: tuple[str, ...], short: str) -> list[str]:
    """Values of ``--long VALUE``/``--long=VALUE`` and ``-sVALUE``/``-s VALUE`` (also at the
    end of a cluster of short flags such as ``-fsSLo FILE``)."""
    out: list[str] = []
    for i, w in enumerate(args):
        t = w.text
        if t == "--":
            break
        name, eq, val = t.partition("=")
        if name in longs:
            if eq:
                out.append(val)
            elif i + 1 < len(args):
                out.append(args[i + 1].text)
            continue
        if short and t.startswith("-") and not t.startswith("--") and short in t[1:]:
            rest = t[t.index(short, 1) + 1 :]
            if rest:
                out.append(rest)
            elif i + 1 < len(args):
                out.append(args[i + 1].text)
    return out


def _urls(args: Sequence[Word]) -> list[str]:
    return [w.text for w in args if "://" in w.text and not w.text.startswith("-")]


def _url_name(url: str) -> str:
    path = url.split("://", 1)[1].split("?", 1)[0].split("#", 1)[0]
    return path.rstrip("/").rsplit("/", 1)[-1] if "/" in path else ""


def _download_targets(cmd: Command) -> list[tuple[str, bool, bool]]:
    """(path, relative to the working folder allowed, is a folder) that a download or
    extraction command writes."""
    args = cmd.args
    name = cmd.name
    out: list[tuple[str, bool, bool]] = []
    if name == "curl":
        outputs = _option_value(args, ("--output",), "o")
        out.extend((p, True, False) for p in outputs if p != "-")
        remote = any(
            w.text == "--remote-name"
            or (w.text[:1] == "-" and w.text[1:2] != "-" and "O" in w.text)
            for w in args
        )
        if (
            remote
            and not outputs
            and not has_option([w.text for w in args], "--remote-header-name", short="-J")
        ):
            folder = (_option_value(args, ("--output-dir",), "") or ["."])[-1]
            out.extend((folder + "/" + n, True, False) for n in map(_url_name, _urls(args)) if n)
    elif name == "wget":
        texts = [w.text for w in args]
        outputs = _option_value(args, ("--output-document",), "O")
        if outputs:
            out.extend((p, True, False) for p in outputs if p != "-")
        elif not has_option(texts, "--recursive", short="-r") and not has_option(
            texts, "--mirror", short="-m"
        ):
            folder = (_option_value(args, ("--directory-prefix",), "P") or ["."])[-1]
            out.extend((folder + "/" + n, True, False) for n in map(_url_name, _urls(args)) if n)
    elif name == "git" and args and args[0].text == "clone":
        operands = _git_clone_operands(args[1:])
        if len(operands) == 1:
            n = _url_name("x://" + operands[0].split("://")[-1].split(":")[-1])
            n = n[:-4] if n.endswith(".git") else n
            if n:
                out.append((n, True, True))
        elif len(operands) == 2:
            out.append((operands[1], True, True))
    elif name in ("tar", "bsdtar"):
        texts = [w.text for w in args]
        extract = any(
            t in ("-x", "--extract", "--get")
            or (t[:1] == "-" and t[1:2] != "-" and "x" in t)
            or (n == 0 and t[:1] != "-" and "x" in t)
            for n, t in enumerate(texts)
        )
        if extract:
            folders = _option_value(args, ("--directory",), "C")
            out.extend((p, False, True) for p in folders)
    elif name == "unzip":
        out.extend((p, False, True) for p in _option_value(args, (), "d"))
    return out


_GIT_CLONE_WITH_VALUE = {
    "-b",
    "--branch",
    "--depth",
    "-o",
    "--origin",
    "-c",
    "--config",
    "--reference",
    "--reference-if-able",
    "--separate-git-dir",
    "-j",
    "--jobs",
    "--filter",
    "--template",
    "-u",
    "--upload-pack",
    "--shallow-since",
    "--shallow-exclude",
    "--server-option",
    "--bundle-uri",
    "--revision",
}


def _git_clone_operands(args: Sequence[Word]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(args):
        t = args[i].text
        if t.startswith("-") and t != "-":
            i += 2 if t in _GIT_CLONE_WITH_VALUE else 1
            continue
        out.append(t)
        i += 1
    return out


_NO_CACHE_SET = lazy_pattern(r"\bPIP_NO_CACHE_DIR=")


def _pip_cache_dir(cmd: Command, inst: Instruction, res: _Resolver, exported: bool) -> str | None:
    """The cache folder a ``pip install`` writes, or None (no cache, or unknown).
    ``exported``: the RUN sets ``PIP_NO_CACHE_DIR=`` somewhere."""
    call = pip_call(cmd)
    if call is None or call.sub not in ("install", "download", "wheel"):
        return None
    if "PIP_NO_CACHE_DIR" in inst.env or cmd.env("PIP_NO_CACHE_DIR") is not None:
        return None
    if exported:
        return None
    options = call.all_option_texts
    if has_option(options, "--no-cache-dir", min_prefix=len("--no-cac")):
        return None
    own = _option_value(call.global_options + call.args, ("--cache-dir",), "")
    configured = cmd.env("PIP_CACHE_DIR") or inst.env.get("PIP_CACHE_DIR")
    if own:
        return res.path(own[-1])
    if configured:
        return res.path(configured)
    xdg = cmd.env("XDG_CACHE_HOME") or inst.env.get("XDG_CACHE_HOME")
    if xdg:
        return res.path(xdg + "/pip")
    return res.path("~/.cache/pip")


def _pip_names(words: Sequence[Word]) -> list[tuple[Word, str]]:
    """Requirement words of ``pip install``/``pip uninstall`` with their canonical names
    (paths, URLs, archives and option values skipped)."""
    out: list[tuple[Word, str]] = []
    i = 0
    while i < len(words):
        t = words[i].text
        if t.startswith("-"):
            i += 2 if t in PIP_VALUE_OPTIONS else 1
            continue
        i += 1
        if "/" in t or "\\" in t or "$" in t or t.startswith(".") or _ARCHIVE.search(t):
            continue
        if t.endswith(".whl"):
            continue
        name = requirement_name(t)
        if name:
            out.append((words[i - 1], name))
    return out


# --------------------------------------------------------------------------- the rule


class _RunItem:
    """What one command of a RUN adds and removes, in order."""

    __slots__ = ("adds", "index", "line", "packages", "removes", "unpackages")

    def __init__(self, index: int, line: int) -> None:
        self.index = index
        self.line = line
        self.adds: list[_Added] = []
        self.packages: list[tuple[str, str]] = []
        self.removes: list[tuple[Word, str]] = []  # word, normalised path
        self.unpackages: list[tuple[Word, tuple[str, str]]] = []


class DeletedInLaterLayer(Rule):
    """
    ## What it does
    Checks for a `RUN` in a stage that ships that removes something an earlier instruction
    of the same stage (or of a stage it is built `FROM`) added: a path written by `COPY`,
    `ADD` or a `RUN` (a download with `curl -o`/`wget -O`, a `git clone`, an archive
    extracted with `tar -C`/`unzip -d`, pip's cache, `apt-get update`'s package lists), or a
    package installed with apt, apk, dnf/yum, zypper or pip. Removals are `rm`,
    `apt-get purge/remove/autoremove`, `apk del`, `dnf/yum remove` and `pip uninstall`.

    Paths are resolved against `WORKDIR` and `cd`; `~` and `$HOME` are `/root` until a
    `USER` changes user. A glob such as `/tmp/*` counts when it matches something that was
    added. Removals in the same `RUN` as the add, removals of files that came with the base
    image, and adds in a stage that does not ship are not reported. Removing part of a
    copied folder counts when the folder is the project's own (`/app`, `/src`), not a
    system folder such as `/usr/local/bin` that held files before; a removal the same `RUN`
    follows by adding the path or package again (a replacement) and a removal inside a
    `--mount` target are not reported either.

    ## Why is this bad?
    Every instruction adds a layer on top of the previous ones, and a layer can only hide
    files of the layers below, not take their bytes away. A file added in one layer and
    deleted in a later one is invisible in the container but is still downloaded, stored
    and shipped with the image: the deletion makes the image bigger, not smaller.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    COPY --from=builder /wheels /wheels
    RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \\
        pip install --no-cache-dir /wheels/*.whl
    ```

    ## Fix safety
    There is no automatic fix. The remedy is to add and remove in the same `RUN` (or not to
    add at all: a bind or cache mount, a narrower `COPY`, a multi-stage build), and moving
    commands from one layer to another can change what later instructions see, so it is
    left to you.

    ## References
    - [Docker: image layers](https://docs.docker.com/get-started/docker-concepts/building-images/understanding-image-layers/)
    - [Docker: best practices, minimize the number of layers](https://docs.docker.com/build/building/best-practices/)
    """

    code = "DLS004"
    name = "deleted-in-later-layer"
    severity = Severity.WARNING
    message = "A later layer removes what an earlier layer added, so its bytes still ship."
    fix_title = None
    fix_safety = None
    hadolint = ()
    shipped_only = True
    keywords = frozenset({"RUN"})

    def __init__(self) -> None:
        self._found: dict[int, dict[int, list[Violation]]] = {}
        # by stage index: the state after a stage's walk, until a stage built FROM it takes
        # it to walk on from there (the stages that ship are a line: one takes each)
        self._ends: dict[int, _State] = {}

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        if stage.index not in self._found:
            self._found[stage.index] = self._analyse(stage, ctx.dockerfile)
        return self._found[stage.index].get(inst.index, [])

    # -- the walk over a stage and its ancestors, oldest instruction first

    def _analyse(self, stage: Stage, df: Dockerfile) -> dict[int, list[Violation]]:
        walk: list[Stage] = []  # the stages to walk, nearest first
        state = None
        for s in df.lineage(stage):
            if s is not stage and s.index in self._ends:
                state = self._ends.pop(s.index)
                break
            walk.append(s)
        state = state or _State()
        found: dict[int, list[Violation]] = {}
        for inst in (i for s in reversed(walk) for i in s.instructions):
            kw = inst.keyword
            res = _Resolver(inst, state)
            if kw == "FROM":
                if inst.stage is not None and df.stages[inst.stage].parent is None:
                    state.workdir, state.user_root = _BASE_WD, True
            elif kw == "WORKDIR":
                state.workdir = res.path(inst.args) if inst.args else state.workdir
            elif kw == "USER":
                user = inst.args.strip().split(":", 1)[0]
                state.user_root = user in ("root", "0")
            elif kw in ("COPY", "ADD"):
                state.added.extend(_copy_added(inst, res))
            elif kw == "RUN" and inst.commands:
                out = list(self._run(inst, state, res, df))
                if out and inst.stage == stage.index:
                    found[inst.index] = out
        self._ends[stage.index] = state
        return found

    def _run(
        self, inst: Instruction, state: _State, res: _Resolver, df: Dockerfile
    ) -> Iterator[Violation]:
        items = self._read_run(inst, res, df)
        mounts = [res.path(t) for t in (m.get("target", "") for m in inst.mounts()) if t]
        mounted = [m for m in mounts if m]

        def in_mount(path: str) -> bool:
            return any(_relation(m, path) == "covers" for m in mounted)

        last_add: dict[str, int] = {}
        last_install: dict[tuple[str, str], int] = {}
        for n, item in enumerate(items):
            last_add.update((a.path, n) for a in item.adds)
            last_install.update((key, n) for key in item.packages)
        for n, item in enumerate(items):
            later = _Later(n, last_add, last_install)
            for word, path in item.removes:
                if in_mount(path):
                    continue
                v = self._remove_path(inst, state, word, path, later)
                if v is not None:
                    yield v
            for word, key in item.unpackages:
                v = self._remove_package(inst, state, word, key, later)
                if v is not None:
                    yield v
            for added in item.adds:
                if not in_mount(added.path):
                    state.added.append(added)
            for key in item.packages:
                state.packages.setdefault(key, []).append(_Package(key, item.line, inst.index))

    def _read_run(self, inst: Instruction, res: _Resolver, df: Dockerfile) -> list[_RunItem]:
        items: list[_RunItem] = []
        cwd = res.cwd
        cache_mounts = {res.path(t) for t in inst.cache_mount_targets()}
        stage = df.stage_of(inst)
        linux = stage is None or not stage.windows  # apt, apk, dnf… are Linux package managers
        ops = {id(op.command): op for op in package_ops(inst.commands, inst.env)} if linux else {}
        exported = _NO_CACHE_SET.search(inst.raw.value) is not None
        for i, cmd in enumerate(inst.commands):
            line = _line(df, cmd.start)
            item = _RunItem(i, line)
            items.append(item)
            if cmd.name == "cd":
                texts = [w.text for w in cmd.args]
                folders = [t for t in texts if not t.startswith("-")] or [res.home or "-"]
                cwd = None if "-" in texts or folders[0] == "-" else res.path(folders[0], cwd)
                continue
            for word in _rm_words(cmd):
                path = res.path(word.text, cwd)
                if path is not None:
                    item.removes.append((word, path))
            for target, relative, is_dir in _download_targets(cmd):
                if not relative and not target.startswith(("/", "~", "$")):
                    continue
                path = res.path(target, cwd)
                if path is not None:
                    item.adds.append(_Added(path, line, inst.index, tree=is_dir and _owned(path)))
            call = pip_call(cmd)
            cache = _pip_cache_dir(cmd, inst, res, exported)
            if call is not None and cache is not None and cache not in cache_mounts:
                what = f"the cache that `pip {call.sub}` wrote"
                item.adds.append(_Added(cache, line, inst.index, tree=True, what=what))
            if call is not None:
                if call.sub == "install":
                    item.packages.extend(("pip", name) for _, name in _pip_names(call.args))
                elif call.sub == "uninstall":
                    item.unpackages.extend((w, ("pip", name)) for w, name in _pip_names(call.args))
                elif call.sub in ("download", "wheel"):
                    opt = ("--dest",) if call.sub == "download" else ("--wheel-dir",)
                    for d in _option_value(call.args, opt, "d" if call.sub == "download" else "w"):
                        path = res.path(d, cwd)
                        if path is not None:
                            item.adds.append(_Added(path, line, inst.index, tree=_owned(path)))
            op = ops.get(id(cmd))
            if op is None:
                continue
            family = _FAMILY.get(op.manager, "rpm")
            if op.kind == "update" or (op.kind == "install" and op.manager == "apk"):
                lists = _INDEX_DIRS.get(op.manager)
                if lists and not op.no_cache and lists not in cache_mounts:
                    sub = "add" if op.manager == "apk" and op.kind == "install" else op.kind
                    what = f"the package lists that `{cmd.name} {sub}` wrote"
                    item.adds.append(_Added(lists, line, inst.index, tree=True, what=what))
            if op.kind == "install" and not op.group:
                item.packages.extend((family, name) for name in op.names)
                if op.virtual:
                    item.packages.append((family, op.virtual))
            elif op.kind == "remove" and not op.group:
                item.unpackages.extend(
                    (w, (family, name)) for w, name in zip(op.packages, op.names)
                )
        return items

    # -- judging one removal

    def _remove_path(
        self, inst: Instruction, state: _State, word: Word, path: str, later: _Later
    ) -> Violation | None:
        covered: list[_Added] = []
        inside: list[_Added] = []
        for a in state.added.candidates(path):
            rel = _relation(path, a.path)
            if rel == "covers":
                covered.append(a)
            elif rel == "inside" and a.tree:
                inside.append(a)
        own = {a.path for a in covered + inside if a.layer == inst.index}

        def gone(a: _Added) -> bool:
            return a.layer < inst.index and a.path not in own and not later.adds(a.path)

        earlier = [a for a in covered if gone(a)]
        earlier_inside = [a for a in inside if gone(a)]
        for a in covered:
            a.removed = True
        if earlier:
            first = earlier[0]
            if first.what:
                lead = f"`{word.text}` removes {first.what} in line {first.line}"
            elif first.path == path:
                lead = f"`{word.text}` was added in line {first.line} and is removed here"
            else:
                lead = f"`{word.text}` removes `{_show(first.path)}`, added in line {first.line}"
                lines = sorted({a.line for a in earlier} - {first.line})
                if lines:
                    lead += f", and what line{'s' if len(lines) > 1 else ''} "
                    lead += ", ".join(map(str, lines)) + " added"
            return self._violation(word, lead, plural=len({a.layer for a in earlier}) > 1)
        if earlier_inside and not _GLOB.search(word.text):
            first = earlier_inside[0]
            owner = first.what or f"`{_show(first.path)}`"
            lead = f"`{word.text}` is part of {owner}, added in line {first.line}"
            return self._violation(word, lead)
        return None

    def _remove_package(
        self,
        inst: Instruction,
        state: _State,
        word: Word,
        key: tuple[str, str],
        later: _Later,
    ) -> Violation | None:
        matches = state.packages.pop(key, [])
        if not matches:
            return None
        for p in matches:
            p.removed = True
        if any(p.layer == inst.index for p in matches):
            return None
        if later.installs(key):
            return None  # removed and installed again: a replacement
        first = matches[0]
        what = "installed" if key[0] != "pip" else "installed with pip"
        msg = (
            f"`{word.text}` was {what} in line {first.line} and is removed here: its files still "
            "ship in the earlier layer; install and remove it in the same RUN, or never install it"
        )
        return self.violation(word.start, word.end, message=msg + ".")

    def _violation(self, word: Word, lead: str, plural: bool = False) -> Violation:
        layers = "earlier layers" if plural else "earlier layer"
        msg = (
            f"{lead}: the bytes still ship in the {layers}; remove it in the same RUN, "
            "or never add it."
        )
        return self.violation(word.start, word.end, message=msg)


_INDEX_DIRS: Mapping[str, str] = {
    "apt": "/var/lib/apt/lists",
    "apk": "/var/cache/apk",
}


def _show(path: str) -> str:
    if path.startswith(_BASE_WD):
        return path[len(_BASE_WD) :].lstrip("/") or "."
    return path


def _rm_words(cmd: Command) -> list[Word]:
    """The argument words of ``rm`` that :func:`removed_paths` names, in order."""
    paths = removed_paths(cmd)
    out: list[Word] = []
    k = 0
    for w in cmd.args:
        if k < len(paths) and w.text == paths[k]:
            out.append(w)
            k += 1
    return out
