"""DL3035: zypper dist-upgrade in a RUN."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.commands import zypper_call
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import RUN_KEYWORDS, shell_commands


class ZypperDistUpgrade(Rule):
    """
    ## What it does
    Checks for `zypper dist-upgrade` (`zypper dup`) in `RUN` and `ONBUILD RUN`, in every
    stage.

    ## Why is this bad?
    `dist-upgrade` upgrades the whole distribution, possibly to packages of a newer
    release or from other vendors, inside an image built for a given release. The result
    depends on the day of the build and is no longer the base image its tag names. Use a
    newer base image instead, and `zypper patch` (or `zypper update`) for fixes.

    ## Example
    ```dockerfile
    FROM opensuse/leap:15.6
    RUN zypper dist-upgrade -y
    ```

    ## Use instead
    ```dockerfile
    FROM opensuse/leap:15.6
    RUN zypper patch -y
    ```

    ## Fix safety
    No fix: which update the image needs is a choice left to you.

    ## References
    - [zypper(8)](https://en.opensuse.org/SDB:Zypper_manual)
    - [hadolint DL3035](https://github.com/hadolint/hadolint/wiki/DL3035)
    """

    code = "DL3035"
    name = "zypper-dist-upgrade"
    severity = Severity.WARNING
    message = "`zypper dist-upgrade` upgrades the whole distribution inside the image."
    hadolint = ("DL3035",)
    shipped_only = False
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for cmd in shell_commands(inst):
            call = zypper_call(cmd)
            if call is not None and call.sub in ("dist-upgrade", "dup"):
                yield self.violation(cmd.argv[0].start, call.sub_word.end)
