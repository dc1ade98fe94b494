"""DL3009: apt package lists left in a shipped layer."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.commands import apt_call, removed_paths
from dockerlint_slim.edits import Edit, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import RUN_KEYWORDS, append_point, norm_path, shell_commands, sudo_prefix

_LISTS = "/var/lib/apt/lists"
_CLEANS = {_LISTS, "/var/lib/apt", "/var/lib/apt/lists/partial"}
# apt subcommands that read the package lists
_USES_LISTS = {"install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "source"}


class AptListsKept(Rule):
    """
    ## What it does
    Checks for `apt-get update` (or `apt update`) in a `RUN` or `ONBUILD RUN` of a stage
    that ships, with no removal of `/var/lib/apt/lists` in the same `RUN` and no cache mount
    on that folder.

    Stages built on a Windows image are not judged: there is no apt there.

    ## Why is this bad?
    `apt-get update` downloads the package indexes of every configured repository into
    `/var/lib/apt/lists` (about 20 to 50 MB on Debian). Removing them in a later `RUN` does
    not help: the bytes stay in the earlier layer. They must go in the same `RUN`.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    RUN apt-get update && apt-get install -y --no-install-recommends libpq5
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix safety
    Safe: ` && rm -rf /var/lib/apt/lists/*` is appended to the end of the `RUN`; it runs
    only when everything before it succeeded. No fix is offered when the `RUN` ends with a
    comment, an operator, inside an unclosed quote or test (the text appended would not be
    a command of its own) or uses a heredoc, or when no install follows the update in the
    same `RUN` (a lone `RUN apt-get update` whose lists a later `RUN` uses: there the fix is
    to merge the two, which is left to you).
    In exec form the cleanup goes at the end of the script of `RUN ["/bin/sh", "-c", "…"]`
    (when its JSON string has no escapes); an exec form that starts no shell gets no cleanup.

    ## Differences from hadolint
    An `ONBUILD RUN` of a stage that does not ship is not reported: its trigger runs only
    when another stage is built FROM it, and such a stage would ship.

    ## References
    - [Docker: best practices for apt-get](https://docs.docker.com/build/building/best-practices/#apt-get)
    - [hadolint DL3009](https://github.com/hadolint/hadolint/wiki/DL3009)
    """

    code = "DL3009"
    name = "apt-lists-kept"
    severity = Severity.INFO
    message = "apt package lists are left in the image layer."
    fix_title = "Remove `/var/lib/apt/lists/*` in the same `RUN`"
    fix_safety = Safety.SAFE
    hadolint = ("DL3009",)
    shipped_only = True
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        commands = shell_commands(inst)
        if not commands or stage.windows:  # apt is Linux only
            return
        mounts = {norm_path(t) for t in inst.cache_mount_targets()}
        if mounts & _CLEANS:
            return
        first_update = None
        installs_after = False
        for cmd in commands:
            call = apt_call(cmd)
            if call is not None and call.sub in ("update", "dist-clean", "distclean"):
                if call.sub != "update":
                    return
                if first_update is None:
                    first_update = cmd
            elif call is not None and first_update is not None and call.sub in _USES_LISTS:
                installs_after = True
            if any(norm_path(p) in _CLEANS for p in removed_paths(cmd)):
                return
        if first_update is None:
            return
        # Removing the lists is only safe when nothing later needs them: a lone
        # `RUN apt-get update` followed by an install in a later RUN would break.
        sudo = sudo_prefix(first_update)  # a non-root user needs sudo for the cleanup too
        cleanup = f" && {sudo}rm -rf /var/lib/apt/lists/*"
        point = append_point(inst, ctx.dockerfile.text, cleanup) if installs_after else None
        edits = [Edit(point, point, cleanup)] if point else []
        yield self.violation(first_update.start, first_update.end, edits=edits)
