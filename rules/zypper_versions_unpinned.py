"""DL3037: zypper install of packages without a pinned version."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.commands import zypper_call
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import RUN_KEYWORDS, names_list, operand_values, shell_commands


def _pinned(package: str) -> bool:
    """``pkg=1.2``, ``pkg>=1.2`` (any comparison), an ``.rpm`` file, a path or a URL."""
    return any(c in package for c in "=<>") or package.endswith(".rpm") or "/" in package


class ZypperVersionsUnpinned(Rule):
    """
    ## What it does
    Checks for `zypper install` (`zypper in`) in `RUN` and `ONBUILD RUN`, in every stage,
    that names a package without a version (`httpd=2.4.58`, `httpd>=2.4`). An `.rpm` file,
    a path or URL, and patterns, patches and products (`-t pattern`) are not reported.

    ## Why is this bad?
    Without a version, every build installs whatever the repositories offer that day: two
    builds of the same Dockerfile differ, and a new package version can break the image
    without any change to the Dockerfile.

    ## Example
    ```dockerfile
    FROM opensuse/leap:15.6
    RUN zypper install -y httpd && zypper clean --all
    ```

    ## Use instead
    ```dockerfile
    FROM opensuse/leap:15.6
    RUN zypper install -y httpd=2.4.58 && zypper clean --all
    ```

    ## Fix safety
    No fix: the version to pin is the one you have tested, which only you know.

    ## Differences from hadolint
    Patterns, patches and products (`-t pattern`), paths and URLs are not reported: they
    have no version to pin.

    ## References
    - [zypper(8)](https://en.opensuse.org/SDB:Zypper_manual)
    - [hadolint DL3037](https://github.com/hadolint/hadolint/wiki/DL3037)
    """

    code = "DL3037"
    name = "zypper-versions-unpinned"
    severity = Severity.WARNING
    message = "zypper installs packages without a pinned version."
    hadolint = ("DL3037",)
    shipped_only = False
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for cmd in shell_commands(inst):
            call = zypper_call(cmd)
            if call is None or call.sub not in ("install", "in"):
                continue
            if any(n in ("-t", "--type") and v != "package" for n, v in call.options):
                continue
            loose = [(w, p) for w, p in operand_values(call.operands, inst) if not _pinned(p)]
            if loose:
                names = names_list([p for _, p in loose], 3)
                yield self.violation(
                    loose[0][0].start,
                    loose[0][0].end,
                    message=f"zypper installs {names} without a pinned version "
                    "(`package=version`).",
                )
