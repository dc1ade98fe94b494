"""DL3042: pip's cache left in a shipped layer."""

from __future__ import annotations

import re
from collections.abc import Iterable

from dockerlint_slim.commands import has_option, pip_call, removed_paths
from dockerlint_slim.edits import Edit, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import norm_path

_EXPORTED = re.compile(r"\bPIP_NO_CACHE_DIR=")
_CACHE_SUFFIXES = ("/.cache", "/.cache/pip")


def _is_cache_path(path: str, cache_dirs: set[str]) -> bool:
    p = norm_path(path)
    return p in cache_dirs or p.endswith(_CACHE_SUFFIXES) or p in ("~/.cache", "~/.cache/pip")


class PipCacheKept(Rule):
    """
    ## What it does
    Checks for `pip install` in a stage that ships without `--no-cache-dir`, without
    `PIP_NO_CACHE_DIR`, without a cache mount and without removing the cache in the same
    `RUN`. It recognises `pip`, `pip3`, `pip3.11`, `/venv/bin/pip`, `python -m pip` and
    `python3 -m pip`, also behind `sudo` or `env`.

    ## Why is this bad?
    pip stores every downloaded wheel and every wheel it built in `~/.cache/pip`. In a
    `RUN` layer that cache is written into the image and ships with it: often tens of
    megabytes, sometimes hundreds, that the container never reads again.

    Unlike hadolint's DL3042 this rule accepts `--no-cache` (pip takes any unique prefix of
    an option), `PIP_NO_CACHE_DIR` with any value (pip disables the cache for every value,
    `false` included), a `--mount=type=cache` on the cache folder, and an `rm -rf` of the
    cache or `pip cache purge` in the same `RUN`.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    RUN pip install -r requirements.txt
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    RUN pip install --no-cache-dir -r requirements.txt
    ```

    ## Fix safety
    Safe: adding `--no-cache-dir` changes only what is left in the layer, not what is
    installed.

    ## References
    - [pip: caching](https://pip.pypa.io/en/stable/topics/caching/)
    - [hadolint DL3042](https://github.com/hadolint/hadolint/wiki/DL3042)
    """

    code = "DL3042"
    name = "pip-cache-kept"
    severity = Severity.WARNING
    message = "pip keeps its download cache in the image layer."
    fix_title = "Add `--no-cache-dir` to the pip install"
    fix_safety = Safety.SAFE
    hadolint = ("DL3042",)
    shipped_only = True
    keywords = frozenset({"RUN"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        if not inst.commands:
            return
        if "PIP_NO_CACHE_DIR" in inst.env or _EXPORTED.search(inst.raw.value):
            return
        cache_dirs = {norm_path(d) for d in inst.cache_mount_targets()}
        if any(d.endswith(_CACHE_SUFFIXES) or d in ("/root", "~") for d in cache_dirs):
            return
        configured = inst.env.get("PIP_CACHE_DIR")
        commands = inst.commands
        for n, cmd in enumerate(commands):
            call = pip_call(cmd)
            if call is None or call.sub != "install":
                continue
            if cmd.env("PIP_NO_CACHE_DIR") is not None:
                continue
            options = call.all_option_texts
            if has_option(options, "--no-cache-dir", min_prefix=len("--no-cac")):
                continue
            own_dir = (
                cmd.env("PIP_CACHE_DIR") or configured or _option_value(options, "--cache-dir")
            )
            if own_dir and norm_path(own_dir) in cache_dirs:
                continue
            cleanup_dirs = {norm_path(own_dir)} if own_dir else set()
            if any(_cleans(later, cleanup_dirs) for later in commands[n + 1 :]):
                continue
            start = call.program[0].start
            yield self.violation(
                start,
                call.sub_word.end,
                edits=[Edit(call.sub_word.end, call.sub_word.end, " --no-cache-dir")],
            )


def _option_value(options: tuple[str, ...], name: str) -> str:
    for i, t in enumerate(options):
        if t.startswith(name + "="):
            return t.split("=", 1)[1]
        if t == name and i + 1 < len(options):
            return options[i + 1]
    return ""


def _cleans(cmd, cache_dirs: set[str]) -> bool:  # type: ignore[no-untyped-def]
    if any(_is_cache_path(p, cache_dirs) for p in removed_paths(cmd)):
        return True
    call = pip_call(cmd)
    return call is not None and call.sub == "cache" and "purge" in call.arg_texts
