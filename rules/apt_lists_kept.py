"""DL3009: apt package lists left in a shipped layer."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.commands import apt_call, removed_paths
from dockerlint_slim.edits import Edit, Fix, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Dockerfile, Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.shell import Command

from ._common import (
    RUN_KEYWORDS,
    append_point,
    mounted_away,
    norm_path,
    removes_folder,
    shell_commands,
    sudo_prefix,
)

_LISTS = "/var/lib/apt/lists"
_CLEANS = {_LISTS, "/var/lib/apt", "/var/lib/apt/lists/partial"}
# apt subcommands that read the package lists
_USES_LISTS = {"install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "source"}
# the apt configuration of Docker's Debian and Ubuntu images that deletes the downloaded
# packages after each install; without it they stay in /var/cache/apt/archives
_DOCKER_CLEAN = "/etc/apt/apt.conf.d/docker-clean"
_ARCHIVES = ("/var/cache/apt/archives",)
# apt subcommands that download packages into /var/cache/apt/archives
_DOWNLOADS = {"install", "reinstall", "upgrade", "dist-upgrade", "full-upgrade", "build-dep"}
_ARCHIVES_TITLE = (
    "Run `apt-get clean` at the end of the `RUN`, or mount a cache on `/var/cache/apt`"
)


class AptListsKept(Rule):
    """
    ## What it does
    Checks for `apt-get update` (or `apt update`) in a `RUN` or `ONBUILD RUN` of a stage
    that ships, with no removal of `/var/lib/apt/lists` in the same `RUN` and no cache mount
    on that folder.

    It also checks the packages apt downloads: Docker's Debian and Ubuntu images delete
    them after each install through `/etc/apt/apt.conf.d/docker-clean`. Once a `RUN` has
    removed that file (as the recipes for a cache mount on `/var/cache/apt` do), an install
    leaves the `.deb` files in `/var/cache/apt/archives`, unless the same `RUN` runs
    `apt-get clean` (or removes them) afterwards or mounts a cache or tmpfs on that folder.

    Stages built on a Windows image are not judged: there is no apt there.

    ## Why is this bad?
    `apt-get update` downloads the package indexes of every configured repository into
    `/var/lib/apt/lists` (about 20 to 50 MB on Debian). Removing them in a later `RUN` does
    not help: the bytes stay in the earlier layer. They must go in the same `RUN`. The same
    holds for the downloaded `.deb` files: a compressed copy of everything installed.

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
    For the downloaded packages ` && apt-get clean` is appended the same way (safe: it
    deletes only the downloaded `.deb` files).

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
        yield from self._lists(inst, commands, ctx)
        yield from self._archives(inst, stage, commands, ctx)

    def _lists(
        self, inst: Instruction, commands: tuple[Command, ...], ctx: Context
    ) -> Iterable[Violation]:
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

    def _archives(
        self, inst: Instruction, stage: Stage, commands: tuple[Command, ...], ctx: Context
    ) -> Iterable[Violation]:
        """An install after ``docker-clean`` was removed (earlier in the image, or earlier in
        this RUN) keeps the downloaded packages in the layer, unless this RUN cleans them
        afterwards or mounts a cache or tmpfs on them."""
        if mounted_away(inst, _ARCHIVES):
            return
        removed = ctx.once(
            ("DL3009", "docker-clean"), lambda: _docker_clean_removed(ctx.dockerfile)
        )
        run, trigger = removed[stage.index]
        if inst.keyword == "ONBUILD":  # triggers run after the whole image is built
            gone = run is not None or (trigger is not None and trigger < inst.index)
        else:
            gone = run is not None and run < inst.index
        pending: Command | None = None
        for cmd in commands:
            call = apt_call(cmd)
            if _removes_docker_clean((cmd,)):
                gone = True
            elif removes_folder(cmd, _ARCHIVES) or (
                call is not None and call.sub in ("clean", "autoclean")
            ):
                pending = None
            elif gone and pending is None and call is not None and call.sub in _DOWNLOADS:
                pending = cmd
        if pending is None:
            return
        message = (
            "apt's downloaded packages are left in `/var/cache/apt/archives` in the image"
            f" layer: `{_DOCKER_CLEAN}`, which deletes them, was removed."
        )
        cleanup = f" && {sudo_prefix(pending)}apt-get clean"
        point = append_point(inst, ctx.dockerfile.text, cleanup)
        fix = None if point is None else Fix(_ARCHIVES_TITLE, (Edit(point, point, cleanup),))
        yield Violation(pending.start, pending.end, message, fix)


def _docker_clean_removed(df: Dockerfile) -> list[tuple[int | None, int | None]]:
    """For each stage, the index of the first ``RUN`` and of the first ``ONBUILD RUN`` of its
    image (its own and those of the stages it is built FROM) that remove ``docker-clean``,
    or None: read once per file."""
    out: list[tuple[int | None, int | None]] = []
    for stage in df.stages:  # a stage is built FROM an earlier one
        run, trigger = out[stage.parent] if stage.parent is not None else (None, None)
        for i in stage.instructions:
            if i.keyword not in RUN_KEYWORDS or not _removes_docker_clean(shell_commands(i)):
                continue
            if i.keyword == "RUN" and run is None:
                run = i.index
            elif i.keyword == "ONBUILD" and trigger is None:
                trigger = i.index
        out.append((run, trigger))
    return out


def _removes_docker_clean(commands: Iterable[Command]) -> bool:
    return any(_DOCKER_CLEAN in (norm_path(p) for p in removed_paths(c)) for c in commands)
