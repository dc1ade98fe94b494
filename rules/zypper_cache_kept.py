"""DL3036: zypper's package cache left in a shipped layer."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.commands import zypper_call
from dockerlint_slim.edits import Edit, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import (
    RUN_KEYWORDS,
    append_point,
    mounted_away,
    removes_folder,
    shell_commands,
    sudo_prefix,
)

_FOLDERS = ("/var/cache/zypp",)
_INSTALLS = frozenset({"install", "in", "update", "up", "patch", "dist-upgrade", "dup", "si"})


class ZypperCacheKept(Rule):
    """
    ## What it does
    Checks for `zypper install` (`update`, `patch`, `dist-upgrade`…) in a `RUN` or
    `ONBUILD RUN` of a stage that ships, without `zypper clean` (`zypper cc`) or an `rm` of
    `/var/cache/zypp` after it in the same `RUN`, or a cache mount on that folder.

    ## Why is this bad?
    zypper keeps the repository metadata and the downloaded packages under
    `/var/cache/zypp`. In a `RUN` layer they are written into the image and ship with it,
    though the container never reads them. Removing them in a later `RUN` does not help: the
    bytes stay in the earlier layer.

    ## Example
    ```dockerfile
    FROM opensuse/leap:15.6
    RUN zypper install -y httpd
    ```

    ## Use instead
    ```dockerfile
    FROM opensuse/leap:15.6
    RUN zypper install -y httpd && zypper clean --all
    ```

    ## Fix safety
    Safe: ` && zypper clean --all` is appended to the `RUN`; it removes only caches. No
    fix when the `RUN` cannot be appended to mechanically (exec form, heredoc, trailing
    comment).

    ## Differences from hadolint
    Only stages that ship are checked (a builder's cache never reaches the image), an
    `rm -rf /var/cache/zypp` or a cache mount counts as clean, and the clean must come
    after the install (hadolint accepts a `zypper clean` anywhere in the `RUN`).

    ## References
    - [zypper(8): clean](https://en.opensuse.org/SDB:Zypper_manual)
    - [hadolint DL3036](https://github.com/hadolint/hadolint/wiki/DL3036)
    """

    code = "DL3036"
    name = "zypper-cache-kept"
    severity = Severity.WARNING
    message = "zypper leaves its package cache in the image layer."
    fix_title = "Append `zypper clean --all` to the `RUN`"
    fix_safety = Safety.SAFE
    hadolint = ("DL3036",)
    shipped_only = True
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        commands = shell_commands(inst)
        if not any(c.name == "zypper" for c in commands) or mounted_away(inst, _FOLDERS):
            return
        pending = None
        for cmd in commands:
            call = zypper_call(cmd)
            if (call is not None and call.sub in ("clean", "cc")) or removes_folder(cmd, _FOLDERS):
                pending = None
            elif pending is None and call is not None and call.sub in _INSTALLS:
                pending = call
        if pending is None:
            return
        edits = []
        cleanup = f" && {sudo_prefix(pending.command)}zypper clean --all"
        point = append_point(inst, ctx.dockerfile.text, cleanup)
        if point is not None:
            edits = [Edit(point, point, cleanup)]
        yield self.violation(pending.command.argv[0].start, pending.sub_word.end, edits=edits)
