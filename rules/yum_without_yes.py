"""DL3030: yum asks for a confirmation that the build cannot give."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.edits import Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import RUN_KEYWORDS, rpm_without_yes

_TOOLS = ("yum",)


class YumWithoutYes(Rule):
    """
    ## What it does
    Checks for `yum` in `RUN` and `ONBUILD RUN`, in every stage, running a subcommand
    that changes packages (`install`, `groupinstall`, `localinstall`, `reinstall`,
    `remove`, `upgrade`, `downgrade`, `distro-sync`, `group install`, `module install`, …)
    without `-y` (`--assumeyes`, or `--setopt=assumeyes=1`).

    ## Why is this bad?
    Without `-y`, yum asks "Is this ok [y/N]" before it changes anything. A build has no
    terminal to answer: yum reads end-of-file, takes it as "no", and the build fails.

    ## Example
    ```dockerfile
    FROM centos:7
    RUN yum install httpd && yum clean all
    ```

    ## Use instead
    ```dockerfile
    FROM centos:7
    RUN yum install -y httpd && yum clean all
    ```

    ## Fix safety
    Safe: `-y` is added after the subcommand. It only answers the confirmation that the
    build could not answer.

    ## Differences from hadolint
    hadolint checks `install`, `groupinstall` and `localinstall` only; the other
    subcommands that ask are checked here too.

    ## References
    - [yum(8)](https://man7.org/linux/man-pages/man8/yum.8.html)
    - [hadolint DL3030](https://github.com/hadolint/hadolint/wiki/DL3030)
    """

    code = "DL3030"
    name = "yum-without-yes"
    severity = Severity.WARNING
    message = "yum asks for a confirmation that the build cannot give."
    fix_title = "Add `-y`"
    fix_safety = Safety.SAFE
    hadolint = ("DL3030",)
    shipped_only = False
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        return rpm_without_yes(self, inst, _TOOLS)
