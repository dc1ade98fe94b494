"""DL3042: a Python package manager's cache (pip, uv, poetry, pipenv, pdm) left in a shipped
layer."""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

from dockerlint_slim.commands import (
    TOOL_VALUE_OPTIONS,
    PipCall,
    has_option,
    module_argv,
    pip_call,
    removed_paths,
)
from dockerlint_slim.edits import Edit, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import Dockerfile, Instruction, Stage, substitute
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.shell import Command, Word

from ._common import RUN_KEYWORDS, append_point, covers_folder, norm_path, shell_commands

# wrappers the shell model does not strip: ``linux32 uv pip install …``
# values of boolean environment variables that mean "on" (clap's BoolishValueParser)
_TRUE = {"1", "true", "t", "yes", "y", "on"}
# a visible pin of poetry older than 1.2, which has no `--no-cache`
_OLD_POETRY = lazy_pattern(
    r"(?i)(\bpoetry\s*(==|~=|<=?|@)\s*[\"']?1\.[01]\b)|(POETRY_VERSION[=\s]+[\"']?1\.[01]\b)"
)


class _Tool:
    """A Python package manager and where its cache is (one object per tool, below)."""

    __slots__ = ("dir_env", "name", "subdir", "value_opts", "windows")

    def __init__(
        self, name: str, subdir: str, dir_env: str, value_opts: frozenset[str], windows: str = ""
    ) -> None:
        self.name = name
        self.subdir = subdir  # folder under ~/.cache
        self.dir_env = dir_env  # environment variable that moves the cache
        self.value_opts = value_opts  # options that take a separate value (commands.py)
        self.windows = windows  # where the cache is on Windows, as the tool documents it


_PIP = _Tool("pip", "pip", "PIP_CACHE_DIR", frozenset(), "%LocalAppData%\\pip\\Cache")
_UV = _Tool("uv", "uv", "UV_CACHE_DIR", TOOL_VALUE_OPTIONS["uv"], "%LocalAppData%\\uv\\cache")
_POETRY = _Tool(
    "poetry",
    "pypoetry",
    "POETRY_CACHE_DIR",
    TOOL_VALUE_OPTIONS["poetry"],
    "%LocalAppData%\\pypoetry\\Cache",
)
_PIPENV = _Tool("pipenv", "pipenv", "PIPENV_CACHE_DIR", TOOL_VALUE_OPTIONS["pipenv"])
_PDM = _Tool("pdm", "pdm", "PDM_CACHE_DIR", TOOL_VALUE_OPTIONS["pdm"])
_TOOLS = {t.name: t for t in (_UV, _POETRY, _PIPENV, _PDM)}


class _Call:
    """``TOOL [options] SUB… [options]`` with the options and the positional words apart."""

    __slots__ = ("command", "options", "program", "tool", "words")

    def __init__(
        self,
        tool: _Tool,
        command: Command,
        program: Word,
        options: tuple[str, ...],
        words: tuple[Word, ...],
    ) -> None:
        self.tool = tool
        self.command = command
        self.program = program  # the word naming the tool (``python -m uv``: ``uv``)
        self.options = options  # every option word, with the values of `value_opts`
        self.words = words  # positional words: subcommand(s) and operands

    def sub(self, n: int = 0) -> str:
        return self.words[n].text if len(self.words) > n else ""


def _tool_call(cmd: Command) -> _Call | None:
    argv = module_argv(cmd)
    if not argv:
        return None
    tool = _TOOLS.get(os.path.basename(argv[0].text))
    if tool is None:
        return None
    options: list[str] = []
    words: list[Word] = []
    i = 1
    while i < len(argv):
        t = argv[i].text
        if t.startswith("-") and t != "-":
            options.append(t)
            if t in tool.value_opts and i + 1 < len(argv) and not words:
                options.append(argv[i + 1].text)
                i += 1
        else:
            words.append(argv[i])
        i += 1
    return _Call(tool, cmd, argv[0], tuple(options), tuple(words))


def _fills(call: _Call) -> Word | None:
    """The subcommand word when ``call`` downloads packages into the tool's cache."""
    opts = call.options
    name, sub = call.tool.name, call.sub()
    if name == "uv":
        if sub in ("pip", "tool"):
            second = call.sub(1)
            wanted = ("install", "sync") if sub == "pip" else ("install",)
            return call.words[1] if second in wanted else None
        if sub == "sync" or (sub == "add" and "--frozen" not in opts and "--no-sync" not in opts):
            return call.words[0]
        return None
    if name == "poetry":
        if sub in ("install", "sync") and "--only-root" not in opts and "--dry-run" not in opts:
            return call.words[0]
        if sub in ("add", "update") and "--lock" not in opts and "--dry-run" not in opts:
            return call.words[0]
        return None
    if name == "pipenv":
        if sub in ("install", "sync") or (sub == "update" and "--outdated" not in opts):
            return call.words[0] if "--dry-run" not in opts else None
        return None
    # pdm
    if sub in ("install", "sync") and not ({"--dry-run", "--check", "--plugins"} & set(opts)):
        return call.words[0]
    if sub in ("add", "update") and "--no-sync" not in opts and "--dry-run" not in opts:
        return call.words[0]
    return None


def _cleans(call: _Call) -> bool:
    """Whether ``call`` empties the whole cache of its tool."""
    name, opts = call.tool.name, call.options
    if name == "uv":
        if call.sub() == "clean" or (call.sub() == "cache" and call.sub(1) == "clean"):
            return len(call.words) == (1 if call.sub() == "clean" else 2)  # no package names
        return call.sub() == "cache" and call.sub(1) == "prune" and "--ci" in opts
    if name == "pipenv":
        return "--clear" in opts and not call.words
    if name == "pdm":
        return call.sub() == "cache" and call.sub(1) == "clear" and len(call.words) == 2
    # poetry: `poetry cache clear --all pypi` empties the repository cache only; the
    # downloaded archives stay in the `artifacts` folder
    return False


def _truthy(value: str) -> bool:
    return value.strip().lower() in _TRUE or "$" in value


def _exported(text: str, name: str) -> list[str]:
    return [m.group(1) for m in re.finditer(rf"(?<![\w$]){name}=[\"']?([^\s;&|\"']*)", text)]


class _Home:
    """Where the user running a command keeps its caches."""

    __slots__ = ("fuzzy", "homes", "label")

    def __init__(self, homes: frozenset[str], fuzzy: bool, label: str) -> None:
        self.homes = homes  # how its home folder can be written
        self.fuzzy = fuzzy  # user not known for sure: any `…/.cache/<tool>` outside /root counts
        self.label = label  # for messages


def _user(inst: Instruction, stage: Stage, ctx: Context) -> tuple[str | None, bool]:
    """The user of the last ``USER`` before ``inst`` (``None``: no USER, the base's user), and
    whether its name is known."""
    table = ctx.once(("DL3042", "users"), lambda: _users(ctx.dockerfile))
    indexes, users = table[stage.index]
    at = bisect.bisect_left(indexes, inst.index)
    return users[at - 1] if at else (None, True)


def _users(df: Dockerfile) -> list[tuple[list[int], list[tuple[str | None, bool]]]]:
    """For each stage, the USER instructions of its image (its own and those of the stages it
    is built FROM; instruction indexes ascending) with the user each sets and whether its name
    is known: read once per file. A stage keeps only the last USER of the stage it is built
    FROM, which is all that the instructions after it can see."""
    out: list[tuple[list[int], list[tuple[str | None, bool]]]] = []
    for stage in df.stages:  # a stage is built FROM an earlier one
        indexes: list[int] = []
        users: list[tuple[str | None, bool]] = []
        if stage.parent is not None and out[stage.parent][0]:
            indexes.append(out[stage.parent][0][-1])
            users.append(out[stage.parent][1][-1])
        for inst in stage.instructions:
            if inst.keyword == "USER" and inst.args.split():
                user, known = substitute(inst.args.split()[0], inst.env)
                indexes.append(inst.index)
                users.append((user.split(":")[0], known))
        out.append((indexes, users))
    return out


def _home(inst: Instruction, cmd: Command, user: str | None, known: bool) -> _Home:
    aliases = {"~", "$HOME", "${HOME}"}
    env_home = inst.env.get("HOME")
    extra = {norm_path(env_home)} if env_home else set()
    if "sudo" in cmd.wrappers or user in ("root", "0"):
        return _Home(frozenset(aliases | extra | {"/root"}), False, "/root")
    if user is None:  # the base image's user, root for almost every image
        return _Home(frozenset(aliases | extra | {"/root"}), True, "~")
    if env_home or not known:
        return _Home(frozenset(aliases | extra), not env_home, "~")
    return _Home(frozenset(aliases | {f"/home/{user}"}), True, "~")


@dataclass(frozen=True)
class _Cache:
    """The cache folder of one call: its spellings, and whether it is the default one."""

    tool: _Tool
    folders: tuple[str, ...]  # every way its folder can be written
    fuzzy: bool
    default: bool  # the default location (not moved by an option or variable)
    label: str  # e.g. "~/.cache/uv"

    def covers(self, path: str) -> bool:
        """Whether removing (or mounting) ``path`` takes the cache away."""
        if not path.strip():
            return False
        if covers_folder(path, self.folders):
            return True
        if not (self.fuzzy and self.default) or norm_path(path).startswith("/root"):
            return False
        return covers_folder(path, (f"/.cache/{self.tool.subdir}",)) or norm_path(path).endswith(
            "/.cache"
        )

    def mounted(self, inst: Instruction) -> bool:
        for m in inst.mounts():
            target = m.get("target", "")
            if m.get("type") not in ("cache", "tmpfs") or not target:
                continue
            p = norm_path(target)
            if any(p == f or f.startswith(p + "/") for f in self.folders if f.startswith("/")):
                return True
            fuzzy = self.fuzzy and self.default and not p.startswith("/root")
            if fuzzy and p.endswith(("/.cache", f"/.cache/{self.tool.subdir}")):
                return True
        return False


def _cache(tool: _Tool, inst: Instruction, home: _Home, configured: str) -> _Cache:
    if configured:
        folders = {norm_path(configured), f"${tool.dir_env}", f"${{{tool.dir_env}}}"}
        return _Cache(tool, tuple(sorted(folders)), False, False, configured)
    sub = tool.subdir
    folders = {f"{h}/.cache/{sub}" for h in home.homes}
    folders |= {f"$XDG_CACHE_HOME/{sub}", f"${{XDG_CACHE_HOME}}/{sub}"}
    xdg = inst.env.get("XDG_CACHE_HOME")
    label = f"{home.label}/.cache/{sub}"
    if xdg:
        folders = {
            f"{norm_path(xdg)}/{sub}",
            f"$XDG_CACHE_HOME/{sub}",
            f"${{XDG_CACHE_HOME}}/{sub}",
        }
        label = f"{norm_path(xdg)}/{sub}"
    return _Cache(tool, tuple(sorted(folders)), home.fuzzy and not xdg, not xdg, label)


def _option_value(options: Iterable[str], name: str) -> str:
    options = tuple(options)
    for i, t in enumerate(options):
        if t.startswith(name + "="):
            return t.split("=", 1)[1]
        if t == name and i + 1 < len(options):
            return options[i + 1]
    return ""


class PipCacheKept(Rule):
    """
    ## What it does
    Checks for Python package installs in a `RUN` or `ONBUILD RUN` of a stage that ships
    whose download cache stays in the layer: no option or variable that turns the cache
    off, no cache mount on the cache folder and no removal of it in the same `RUN`. It
    knows these tools and their caches:

    - pip (`pip`, `pip3`, `pip3.11`, `/venv/bin/pip`, `python -m pip`, also behind `sudo`,
      `env`, `pyenv exec`, `poetry run` or `uv run`): `pip install` fills `~/.cache/pip`.
      Clean with `--no-cache-dir` (or a prefix such as `--no-cache`), `PIP_NO_CACHE_DIR` with
      any value, `pip cache purge`.
    - uv: `uv pip install`, `uv pip sync`, `uv sync`, `uv add` (not with `--frozen` or
      `--no-sync`) and `uv tool install` fill `~/.cache/uv` (`UV_CACHE_DIR`, `--cache-dir`).
      Clean with `--no-cache` (`-n`, `--no-cache-dir`), `UV_NO_CACHE` set to a true value
      (`1`, `true`, `yes`, `on`…), `uv cache clean` or `uv cache prune --ci`. `uv pip
      compile`, `uv lock`, `uv venv` and `uv export` are not flagged.
    - poetry: `poetry install`, `poetry sync`, `poetry add` and `poetry update` fill
      `~/.cache/pypoetry` (`POETRY_CACHE_DIR`). Clean with `--no-cache`. `poetry cache clear
      --all pypi` does not count: it empties the repository cache only, the downloaded
      archives stay in `~/.cache/pypoetry/artifacts`. `poetry lock`, `poetry export` and
      `poetry config` are not flagged.
    - pipenv: `pipenv install`, `pipenv sync` and `pipenv update` fill `~/.cache/pipenv`
      (`PIPENV_CACHE_DIR`; pipenv points pip's cache there too). Clean with
      `PIP_NO_CACHE_DIR` (passed on to pip; not for `pipenv update`, whose resolver writes
      to the cache anyway) or `pipenv --clear`.
    - pdm: `pdm install`, `pdm sync`, `pdm add` and `pdm update` fill `~/.cache/pdm`
      (`PDM_CACHE_DIR`). Clean with `pdm --no-cache …`, `PDM_NO_CACHE` or `pdm cache clear`.

    For every tool an `rm` of the cache folder (or a parent such as `~/.cache`, or the folder
    its variable names) in the same `RUN`, or a `--mount=type=cache` (or `tmpfs`) on it, also
    counts as clean. Caches live under the home folder of the user that runs the command: a
    mount on `/root/.cache` does not help after `USER app`.

    Installs are read in every form of `RUN`: the shell form, the exec form
    (`RUN ["pip", "install", "flask"]`, where the fix adds `"--no-cache-dir"` as a new
    element of the array) and the script of `RUN ["/bin/sh", "-c", "…"]`. On Windows
    images (and under `SHELL ["powershell", …]` or `["cmd", …]`) a `RUN` is read as plain
    command lines, and the message names the folder the tool uses there: pip
    `%LocalAppData%\\pip\\Cache`, uv `%LocalAppData%\\uv\\cache`, poetry
    `%LocalAppData%\\pypoetry\\Cache`.

    ## Why is this bad?
    These tools keep every downloaded archive and every wheel they built in a cache folder.
    In a `RUN` layer that cache is written into the image and ships with it: often tens of
    megabytes, sometimes gigabytes, that the container never reads again. Removing it in a
    later `RUN` does not help: the bytes stay in the earlier layer.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    RUN pip install -r requirements.txt
    RUN uv sync --frozen
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    RUN pip install --no-cache-dir -r requirements.txt
    RUN uv sync --no-cache --frozen
    ```

    ## Fix safety
    - pip: safe. `--no-cache-dir` is added after `install`; it changes only what is left in
      the layer, not what is installed.
    - uv: safe. `--no-cache` is added after `install`, `sync` or `add`; it is one of uv's
      global options, accepted in any position, and changes only what is left in the layer.
    - poetry: unsafe. `--no-cache` is added after the subcommand; poetry older than 1.2
      does not know it and fails. No fix when the Dockerfile pins poetry 1.0 or 1.1.
    - pipenv: safe. ` && rm -rf ~/.cache/pipenv` is appended to the `RUN` (pipenv keeps
      nothing else there; its virtualenvs live elsewhere); no fix when the cache folder was
      moved (`PIPENV_CACHE_DIR`, `XDG_CACHE_HOME`), the command runs behind `sudo`, the
      base is Windows or the `RUN` runs under PowerShell or cmd, or the `RUN` cannot be
      appended to mechanically (heredoc, trailing comment, an exec form that starts no
      shell; in `RUN ["/bin/sh", "-c", "…"]` it is appended inside the script).
    - pdm: unsafe. `--no-cache` is added before the subcommand; it needs pdm 2.13 or newer.

    ## Differences from hadolint
    - Only stages that ship are judged: a builder stage's cache stays in the builder, whose
      files reach the image only through `COPY --from`. hadolint reports every stage.
    - `--no-cache` is accepted: pip takes any unique prefix of an option.
    - `PIP_NO_CACHE_DIR` with any value turns the cache off, `0`, `off`, `no` and `false`
      included: pip disables the cache for every valid value (a false value once did the
      opposite of what it says, and pip kept that behaviour for compatibility), where
      hadolint still reports the install.
    - A cache mount on the cache folder, and an `rm -rf` of the cache or `pip cache purge`
      in the same `RUN`, count as clean.
    - uv, poetry, pipenv (`pipenv install` fills `~/.cache/pipenv` through pip) and pdm are
      checked too.
    - An `ONBUILD RUN` is checked (its trigger runs in every image built FROM this one),
      except in a stage that does not ship: such a trigger runs only when another stage is
      built FROM it, and that stage would ship.

    ## References
    - [pip: caching](https://pip.pypa.io/en/stable/topics/caching/)
    - [uv: using uv in Docker, caching](https://docs.astral.sh/uv/guides/integration/docker/#caching)
    - [uv: cache directory](https://docs.astral.sh/uv/concepts/cache/#cache-directory)
    - [Poetry: global options](https://python-poetry.org/docs/cli/#global-options)
    - [Pipenv: configuration](https://pipenv.pypa.io/en/latest/configuration.html)
    - [PDM: configuration](https://pdm-project.org/en/latest/reference/configuration/)
    - [hadolint DL3042](https://github.com/hadolint/hadolint/wiki/DL3042)
    """

    code = "DL3042"
    name = "pip-cache-kept"
    severity = Severity.WARNING
    message = "A Python package manager's download cache is left in the image layer."
    fix_title = "Turn the package manager's cache off (or remove it in the same `RUN`)"
    fix_safety = Safety.SAFE
    hadolint = ("DL3042",)
    shipped_only = True
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        commands = shell_commands(inst)
        if not commands:
            return
        text = _Text(ctx.dockerfile.text[inst.start : inst.end])
        windows = stage.windows
        user, known = _user(inst, stage, ctx)
        cleaned = _Cleanups(commands)
        pipenv_last: Word | None = None  # the last pipenv install the cleanup can follow
        found: list[tuple[int, int, str, list[Edit], Safety | None]] = []
        for n, cmd in enumerate(commands):
            home = _home(inst, cmd, user, known)
            pip = pip_call(cmd)
            if pip is not None and pip.sub == "install":
                hit = self._pip(inst, text, cmd, pip, home, cleaned.after(n), windows)
                if hit is not None:
                    found.append(hit)
                continue
            call = _tool_call(cmd)
            if call is None:
                continue
            sub = _fills(call)
            if sub is None or self._disabled(call, inst, text):
                continue
            tool = call.tool
            configured = (
                cmd.env(tool.dir_env)
                or (_option_value(call.options, "--cache-dir") if tool is _UV else "")
                or inst.env.get(tool.dir_env, "")
            )
            cache = _cache(tool, inst, home, configured)
            if cache.mounted(inst) or cleaned.after(n).removes(cache):
                continue
            message = f"{tool.name}'s cache{_where(cache, windows)} is left in the image layer."
            edits: list[Edit] = []
            safety: Safety | None = None
            if tool is _UV:
                edits = [Edit(sub.end, sub.end, " --no-cache")]
            elif tool is _POETRY:
                if not _OLD_POETRY.search(ctx.dockerfile.text):
                    edits, safety = [Edit(sub.end, sub.end, " --no-cache")], Safety.UNSAFE
            elif tool is _PDM:
                at = call.program.end
                edits, safety = [Edit(at, at, " --no-cache")], Safety.UNSAFE
            elif cache.default and not windows and "sudo" not in cmd.wrappers:
                pipenv_last = sub
                found.append((call.program.start, sub.end, message, [], None))
                continue
            found.append((call.program.start, sub.end, message, edits, safety))
        cleanup = " && rm -rf ~/.cache/pipenv"
        point = append_point(inst, ctx.dockerfile.text, cleanup) if pipenv_last else None
        for start, end, message, edits, safety in found:
            if pipenv_last is not None and point is not None and end == pipenv_last.end:
                edits = [Edit(point, point, cleanup)]
            yield self.violation(start, end, message=message, edits=edits, safety=safety)

    def _disabled(self, call: _Call, inst: Instruction, text: _Text) -> bool:
        """Whether an option or an environment variable turns the cache off for ``call``."""
        opts, cmd = call.options, call.command
        name = call.tool.name
        if name == "uv":
            if {"--no-cache", "--no-cache-dir", "-n"} & set(opts):
                return True
            values = [cmd.env("UV_NO_CACHE"), inst.env.get("UV_NO_CACHE")]
            values += text.exported("UV_NO_CACHE")
            return any(v is not None and _truthy(v) for v in values)
        if name == "poetry":
            return "--no-cache" in opts
        if name == "pdm":
            if "--no-cache" in opts:
                return True
            values = [cmd.env("PDM_NO_CACHE"), inst.env.get("PDM_NO_CACHE")]
            values += text.exported("PDM_NO_CACHE")
            return any(v for v in values)  # pdm reads any non-empty value as "on"
        # pipenv hands PIP_NO_CACHE_DIR on to the pip it runs; its resolver (`update` always
        # locks) writes to its own cache whatever pip is told
        if call.sub() == "update":
            return False
        if any("--no-cache-dir" in o for o in opts):  # --extra-pip-args
            return True
        return (
            cmd.env("PIP_NO_CACHE_DIR") is not None
            or "PIP_NO_CACHE_DIR" in inst.env
            or bool(text.exported("PIP_NO_CACHE_DIR"))
        )

    def _pip(
        self,
        inst: Instruction,
        text: _Text,
        cmd: Command,
        call: PipCall,
        home: _Home,
        later: _Later,
        windows: bool,
    ) -> tuple[int, int, str, list[Edit], Safety | None] | None:
        if cmd.env("PIP_NO_CACHE_DIR") is not None or "PIP_NO_CACHE_DIR" in inst.env:
            return None
        if text.exported("PIP_NO_CACHE_DIR"):
            return None
        options = call.all_option_texts
        if has_option(options, "--no-cache-dir", min_prefix=len("--no-cac")):
            return None
        configured = (
            cmd.env("PIP_CACHE_DIR")
            or _option_value(options, "--cache-dir")
            or inst.env.get("PIP_CACHE_DIR", "")
        )
        cache = _cache(_PIP, inst, home, configured)
        if cache.mounted(inst):
            return None
        if later.removes(cache, or_purges=True):
            return None
        sub = call.sub_word
        message = f"pip's cache{_where(cache, windows)} is left in the image layer."
        return (
            call.program[0].start,
            sub.end,
            message,
            [Edit(sub.end, sub.end, " --no-cache-dir")],
            None,
        )


def _where(cache: _Cache, windows: bool) -> str:
    """`` (~/.cache/pip)``: where the cache is, for the message; on Windows the folder the
    tool documents there (``%LocalAppData%\\pip\\Cache``), or nothing when unknown."""
    if windows and cache.default:
        return f" ({cache.tool.windows})" if cache.tool.windows else ""
    return f" ({cache.label})"


class _Text:
    """The text of one RUN, with the values it exports of each variable read once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._exported: dict[str, list[str]] = {}

    def exported(self, name: str) -> list[str]:
        if name not in self._exported:
            self._exported[name] = _exported(self.text, name)
        return self._exported[name]


class _Cleanups:
    """Where the commands of one RUN remove a cache: for each cache asked about, the last
    command that removes it is found once, so that each install asks in constant time."""

    def __init__(self, commands: tuple[Command, ...]) -> None:
        self.commands = commands
        self._last: dict[tuple[_Cache, bool], int] = {}

    def after(self, n: int) -> _Later:
        return _Later(self, n)

    def last(self, cache: _Cache, or_purges: bool) -> int:
        """The index of the last command that removes ``cache`` (or, with ``or_purges``,
        runs ``pip cache purge``); -1 when none does."""
        key = (cache, or_purges)
        if key not in self._last:
            self._last[key] = next(
                (
                    n
                    for n in range(len(self.commands) - 1, -1, -1)
                    if _removes(self.commands[n], cache)
                    or (or_purges and _purges(self.commands[n]))
                ),
                -1,
            )
        return self._last[key]


class _Later:
    """The commands of a RUN after the ``n``-th."""

    __slots__ = ("cleanups", "n")

    def __init__(self, cleanups: _Cleanups, n: int) -> None:
        self.cleanups = cleanups
        self.n = n

    def removes(self, cache: _Cache, or_purges: bool = False) -> bool:
        return self.cleanups.last(cache, or_purges) > self.n


def _purges(cmd: Command) -> bool:
    purge = pip_call(cmd)
    return purge is not None and purge.sub == "cache" and "purge" in purge.arg_texts


def _removes(cmd: Command, cache: _Cache) -> bool:
    if any(cache.covers(p) for p in removed_paths(cmd)):
        return True
    call = _tool_call(cmd)
    return call is not None and call.tool is cache.tool and _cleans(call)
