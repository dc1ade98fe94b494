"""DL3027: `apt`, the interactive front end, in a RUN instead of `apt-get`."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.commands import apt_call
from dockerlint_slim.edits import Edit, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import RUN_KEYWORDS, shell_commands

# apt's subcommands and what apt-get calls the same action (apt's `upgrade` also installs new
# dependencies, which apt-get does only when asked)
_APT_GET = {
    "install": "install",
    "reinstall": "reinstall",
    "remove": "remove",
    "purge": "purge",
    "autoremove": "autoremove",
    "autopurge": "autopurge",
    "update": "update",
    "upgrade": "upgrade --with-new-pkgs",
    "full-upgrade": "dist-upgrade",
    "dist-upgrade": "dist-upgrade",
    "satisfy": "satisfy",
    "source": "source",
    "build-dep": "build-dep",
    "download": "download",
    "changelog": "changelog",
    "clean": "clean",
    "autoclean": "autoclean",
}
_APT_CACHE = frozenset({"search", "show", "showsrc", "policy", "depends", "rdepends", "showpkg"})


class AptInScript(Rule):
    """
    ## What it does
    Checks for `apt` (the command-line front end meant for people at a terminal) in `RUN`
    and `ONBUILD RUN`, in every stage, also behind `sudo`.

    ## Why is this bad?
    `apt` has no stable command-line interface: its output, its defaults and its options may
    change between releases, and it warns "apt does not have a stable CLI interface. Use
    with caution in scripts." `apt-get` and `apt-cache` are the interfaces made for scripts
    and keep their behaviour.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt update && apt install -y curl
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y curl
    ```

    ## Fix safety
    Unsafe: `apt` becomes `apt-get` where apt-get has the same action (`install`,
    `remove`, `update`, …; `apt upgrade` becomes `apt-get upgrade --with-new-pkgs` and
    `apt full-upgrade` becomes `apt-get dist-upgrade`, which do the same). It is unsafe
    because the two differ in one default that changes the image: `apt` deletes the
    downloaded `.deb` archives after installing them, `apt-get` keeps them in
    `/var/cache/apt/archives` unless the base image's apt configuration removes them (the
    official Debian and Ubuntu images do). Subcommands that belong to `apt-cache` (`search`,
    `show`, `policy`, …) or exist only in `apt` (`list`, `edit-sources`) are reported
    without a fix.

    ## Differences from hadolint
    `apt` behind `sudo` or called by its path (`/usr/bin/apt`) is reported too.

    ## References
    - [apt(8)](https://manpages.debian.org/bookworm/apt/apt.8.en.html)
    - [hadolint DL3027](https://github.com/hadolint/hadolint/wiki/DL3027)
    """

    code = "DL3027"
    name = "apt-in-script"
    severity = Severity.WARNING
    message = "`apt` is meant for interactive use: scripts should call `apt-get` or `apt-cache`."
    fix_title = "Use `apt-get`"
    fix_safety = Safety.UNSAFE
    hadolint = ("DL3027",)
    shipped_only = False
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for cmd in shell_commands(inst):
            if cmd.name != "apt":
                continue
            program = cmd.argv[0]
            call = apt_call(cmd)
            edits: list[Edit] = []
            note = None
            target = _APT_GET.get(call.sub) if call is not None else None
            if call is not None and target is not None and program.raw.endswith("apt"):
                edits = [Edit(program.end, program.end, "-get")]
                if target != call.sub:
                    edits.append(Edit(call.sub_word.start, call.sub_word.end, target))
            elif call is not None and call.sub in _APT_CACHE:
                note = f"`apt-cache {call.sub}` does this; its output differs, so no fix is offered"
            elif call is not None:
                note = f"`apt-get` has no `{call.sub}`"
            yield self.violation(program.start, program.end, edits=edits, note=note)
