"""DL3038: dnf asks for a confirmation that the build cannot give."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.edits import Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import RUN_KEYWORDS, rpm_without_yes

_TOOLS = ("dnf", "microdnf")


class DnfWithoutYes(Rule):
    """
    ## What it does
    Checks for `dnf` and `microdnf` in `RUN` and `ONBUILD RUN`, in every stage, running a subcommand
    that changes packages (`install`, `groupinstall`, `localinstall`, `reinstall`,
    `remove`, `upgrade`, `downgrade`, `distro-sync`, `group install`, `module install`, …)
    without `-y` (`--assumeyes`, or `--setopt=assumeyes=1`).

    ## Why is this bad?
    Without `-y`, dnf asks "Is this ok [y/N]" before it changes anything. A build has no
    terminal to answer: dnf reads end-of-file, takes it as "no", and the build fails.

    ## Example
    ```dockerfile
    FROM fedora:40
    RUN dnf install httpd && dnf clean all
    ```

    ## Use instead
    ```dockerfile
    FROM fedora:40
    RUN dnf install -y httpd && dnf clean all
    ```

    ## Fix safety
    Safe: `-y` is added after the subcommand. It only answers the confirmation that the
    build could not answer.

    ## Differences from hadolint
    hadolint checks `install`, `groupinstall` and `localinstall` only; the other
    subcommands that ask are checked here too.

    ## References
    - [dnf(8)](https://dnf.readthedocs.io/en/latest/command_ref.html)
    - [hadolint DL3038](https://github.com/hadolint/hadolint/wiki/DL3038)
    """

    code = "DL3038"
    name = "dnf-without-yes"
    severity = Severity.WARNING
    message = "dnf asks for a confirmation that the build cannot give."
    fix_title = "Add `-y`"
    fix_safety = Safety.SAFE
    hadolint = ("DL3038",)
    shipped_only = False
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        return rpm_without_yes(self, inst, _TOOLS)
