"""DL3018: apk add of packages without a pinned version."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.commands import apk_call
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import RUN_KEYWORDS, names_list, operand_values, shell_commands


def _pinned(package: str) -> bool:
    """``pkg=1.2.3-r0``, ``pkg~1.2`` (or ``<``, ``>``), or a local ``.apk`` file."""
    return any(c in package for c in "=~<>") or package.endswith(".apk")


class ApkVersionsUnpinned(Rule):
    """
    ## What it does
    Checks for `apk add` in `RUN` and `ONBUILD RUN`, in every stage, that names a package
    without a version constraint (`flex=2.6.4-r6`, `git~2.45`, `curl>8`). A local `.apk`
    file counts as pinned; the values of `--virtual` (`-t`) and `--repository` (`-X`) are
    not packages.

    ## Why is this bad?
    Without a version, every build installs whatever the repository offers that day: two
    builds of the same Dockerfile differ, and a new package version can break the image
    without any change to the Dockerfile.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache curl
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache curl=8.9.1-r2
    ```

    Alpine removes old package versions from its repositories, so an exact pin may stop
    building; `curl~8.9` pins the minor version and accepts its fixes.

    ## Fix safety
    No fix: the version to pin is the one you have tested, which only you know.

    ## Differences from hadolint
    `<` and `>` constraints count as pinned, packages named by a variable are read from its
    value, and `apk add` behind `sudo` is checked.

    ## References
    - [Alpine: apk world and constraints](https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper#World)
    - [hadolint DL3018](https://github.com/hadolint/hadolint/wiki/DL3018)
    """

    code = "DL3018"
    name = "apk-versions-unpinned"
    severity = Severity.WARNING
    message = "apk adds packages without a pinned version."
    hadolint = ("DL3018",)
    shipped_only = False
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for cmd in shell_commands(inst):
            call = apk_call(cmd)
            if call is None or call.sub != "add":
                continue
            loose = [(w, p) for w, p in operand_values(call.operands, inst) if not _pinned(p)]
            if loose:
                names = names_list([p for _, p in loose], 3)
                yield self.violation(
                    loose[0][0].start,
                    loose[0][0].end,
                    message=f"apk adds {names} without a pinned version (`package=version`).",
                )
