"""DL3060: yarn's cache left in a shipped layer."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.commands import removed_paths
from dockerlint_slim.edits import Edit, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.shell import Command

from ._common import (
    RUN_KEYWORDS,
    append_point,
    covers_folder,
    norm_path,
    shell_commands,
    sudo_prefix,
)

# where yarn 1 keeps its cache (root's, and any user's ~/.cache/yarn)
_FOLDERS = ("/usr/local/share/.cache/yarn", "/.cache/yarn")
_FILLS = frozenset({"install", "add", "upgrade"})


def _fills(cmd: Command) -> bool:
    """``yarn`` on its own (which installs), ``yarn install``, ``yarn add``, ``yarn upgrade``
    (options before the subcommand allowed)."""
    if cmd.name != "yarn":
        return False
    words = [t for t in cmd.arg_texts if not t.startswith("-")]
    return not words or words[0] in _FILLS


def _cleans(cmd: Command) -> bool:
    if cmd.name == "yarn":
        words = [t for t in cmd.arg_texts if not t.startswith("-")]
        return words[:2] == ["cache", "clean"]
    return any(covers_folder(p, _FOLDERS) for p in removed_paths(cmd))


def _cache_off(inst: Instruction, cmd: Command) -> bool:
    """A cache mount on the yarn cache, or the cache moved (``--cache-folder``,
    ``YARN_CACHE_FOLDER``) to a mounted folder."""
    moved = cmd.env("YARN_CACHE_FOLDER") or inst.env.get("YARN_CACHE_FOLDER") or ""
    for m in inst.mounts():
        target = norm_path(m.get("target", ""))
        if m.get("type") not in ("cache", "tmpfs") or not target:
            continue
        if target.endswith(("/.cache/yarn", "/.cache")) or "yarn" in target:
            return True
        if moved and norm_path(moved).startswith(target):
            return True
    return False


class YarnCacheKept(Rule):
    """
    ## What it does
    Checks for `yarn install` (also `yarn` on its own, `yarn add`, `yarn upgrade`) in a
    `RUN` or `ONBUILD RUN` of a stage that ships, without `yarn cache clean` (or an `rm` of
    the cache folder) after it in the same `RUN`, or a cache mount on the cache folder.

    ## Why is this bad?
    yarn keeps a copy of every package it downloads in its cache
    (`/usr/local/share/.cache/yarn` for root). In a `RUN` layer that cache is written into
    the image and ships with it: often as large as `node_modules` itself. Removing it in a
    later `RUN` does not help: the bytes stay in the earlier layer.

    ## Example
    ```dockerfile
    FROM node:22-slim
    RUN yarn install --frozen-lockfile
    ```

    ## Use instead
    ```dockerfile
    FROM node:22-slim
    RUN yarn install --frozen-lockfile && yarn cache clean
    ```

    ## Fix safety
    Safe: ` && yarn cache clean` is appended to the `RUN`; it removes only the cache. No
    fix when the `RUN` cannot be appended to mechanically (exec form, heredoc, trailing
    comment).

    ## Differences from hadolint
    `yarn` on its own, `yarn add` and `yarn upgrade` fill the cache like `yarn install`
    and are checked; the clean must come after the install, and an `rm` of the cache folder
    or a cache mount counts. An `ONBUILD RUN` of a stage that does not ship is not
    reported: its trigger runs only when another stage is built FROM it, and such a stage
    would ship.

    ## References
    - [yarn cache](https://classic.yarnpkg.com/en/docs/cli/cache)
    - [hadolint DL3060](https://github.com/hadolint/hadolint/wiki/DL3060)
    """

    code = "DL3060"
    name = "yarn-cache-kept"
    severity = Severity.INFO
    message = "yarn's cache is left in the image layer."
    fix_title = "Append `yarn cache clean` to the `RUN`"
    fix_safety = Safety.SAFE
    hadolint = ("DL3060",)
    shipped_only = True
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        commands = shell_commands(inst)
        if not any(c.name == "yarn" for c in commands):
            return
        pending: Command | None = None
        for cmd in commands:
            if _cleans(cmd):
                pending = None
            elif pending is None and _fills(cmd) and not _cache_off(inst, cmd):
                pending = cmd
        if pending is None:
            return
        edits = []
        cleanup = f" && {sudo_prefix(pending)}yarn cache clean"
        point = append_point(inst, ctx.dockerfile.text, cleanup)
        if point is not None:
            edits = [Edit(point, point, cleanup)]
        yield self.violation(pending.argv[0].start, pending.end, edits=edits)
