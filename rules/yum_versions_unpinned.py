"""DL3033: yum install of packages without a pinned version."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import RUN_KEYWORDS, rpm_unpinned

_TOOLS = ("yum",)


class YumVersionsUnpinned(Rule):
    """
    ## What it does
    Checks for `yum install` (`yum`) in `RUN` and `ONBUILD RUN`, in every stage, that
    names a package without a version (`httpd-2.4.57`, `openssl-1:3.0.7`), and for
    `yum module install` of a module without a stream (`nodejs:20`). An `.rpm` file, a
    path or URL and a group (`@development`) are not reported; packages named by a
    variable are read from its value (a variable with no known value is not judged).

    ## Why is this bad?
    Without a version, every build installs whatever the repositories offer that day: two
    builds of the same Dockerfile differ, and a new package version can break the image
    without any change to the Dockerfile.

    ## Example
    ```dockerfile
    FROM centos:7
    RUN yum install -y httpd && yum clean all
    ```

    ## Use instead
    ```dockerfile
    FROM centos:7
    RUN yum install -y httpd-2.4.57 && yum clean all
    ```

    ## Fix safety
    No fix: the version to pin is the one you have tested, which only you know.

    ## Differences from hadolint
    hadolint takes any `-` in a word for a version, so `rpm-sign` passes; here a
    version must follow the name (`rpm-sign-4.16.1.3`). Groups (`@development`), paths and
    URLs are not reported.

    ## References
    - [yum(8)](https://man7.org/linux/man-pages/man8/yum.8.html)
    - [hadolint DL3033](https://github.com/hadolint/hadolint/wiki/DL3033)
    """

    code = "DL3033"
    name = "yum-versions-unpinned"
    severity = Severity.WARNING
    message = "yum installs packages without a pinned version."
    hadolint = ("DL3033",)
    shipped_only = False
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        return rpm_unpinned(self, inst, _TOOLS)
