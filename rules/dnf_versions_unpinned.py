"""DL3041: dnf install of packages without a pinned version."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import RUN_KEYWORDS, rpm_unpinned

_TOOLS = ("dnf", "microdnf")


class DnfVersionsUnpinned(Rule):
    """
    ## What it does
    Checks for `dnf install` (`dnf`, `microdnf`) in `RUN` and `ONBUILD RUN`, in every stage, that
    names a package without a version (`httpd-2.4.57`, `openssl-1:3.0.7`), and for
    `dnf module install` of a module without a stream (`nodejs:20`). An `.rpm` file, a
    path or URL and a group (`@development`) are not reported; packages named by a
    variable are read from its value (a variable with no known value is not judged).

    ## Why is this bad?
    Without a version, every build installs whatever the repositories offer that day: two
    builds of the same Dockerfile differ, and a new package version can break the image
    without any change to the Dockerfile.

    ## Example
    ```dockerfile
    FROM fedora:40
    RUN dnf install -y httpd && dnf clean all
    ```

    ## Use instead
    ```dockerfile
    FROM fedora:40
    RUN dnf install -y httpd-2.4.57 && dnf clean all
    ```

    ## Fix safety
    No fix: the version to pin is the one you have tested, which only you know.

    ## Differences from hadolint
    Groups (`@development`), paths and URLs are not reported, and packages named by
    a variable are read from its value.

    ## References
    - [dnf(8)](https://dnf.readthedocs.io/en/latest/command_ref.html)
    - [hadolint DL3041](https://github.com/hadolint/hadolint/wiki/DL3041)
    """

    code = "DL3041"
    name = "dnf-versions-unpinned"
    severity = Severity.WARNING
    message = "dnf installs packages without a pinned version."
    hadolint = ("DL3041",)
    shipped_only = False
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        return rpm_unpinned(self, inst, _TOOLS)
