"""DL3008: apt-get install of packages without a pinned version."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.commands import apt_call
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import RUN_KEYWORDS, names_list, operand_values, shell_commands


def _pinned(package: str) -> bool:
    """``pkg=1.2*`` (a version), ``pkg/bookworm`` (a release, as hadolint accepts), a path or
    a ``.deb`` file."""
    return "=" in package or "/" in package or package.endswith(".deb")


class AptVersionsUnpinned(Rule):
    """
    ## What it does
    Checks for `apt-get install` (and `apt install`, also behind `sudo`) in `RUN` and
    `ONBUILD RUN`, in every stage, that names a package without a version
    (`curl=7.88.1-10+deb12u5`, or a prefix such as `curl=7.88.*`). A package from a
    chosen release (`curl/bookworm-backports`) and a local `.deb` file count as pinned, as
    in hadolint. A package list held in a variable (`apt-get install $DEPS`) is read from
    the `RUN`'s own variables, ENV and ARG; a variable with no known value is not judged.

    ## Why is this bad?
    Without a version, every build installs whatever the package index offers that day.
    Two builds of the same Dockerfile can differ, and a new version of a package can break
    the image without any change to the Dockerfile. A pinned version makes the change
    visible: it is an edit of the Dockerfile, reviewed like any other.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y --no-install-recommends curl \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix safety
    No fix: the version to pin is the one you have tested, which only you know.
    `apt-cache policy PACKAGE` in the base image shows the candidate version.

    ## Differences from hadolint
    `apt install` is checked like `apt-get install`, and so are installs behind `sudo`.
    The values of `-o`, `-c` and `-t` are never taken for packages, and packages named by a
    variable are read from its value; hadolint reports every `$VARIABLE` as an unpinned
    package, here a variable with no known value is not judged.

    ## References
    - [apt-get(8)](https://manpages.debian.org/bookworm/apt/apt-get.8.en.html)
    - [hadolint DL3008](https://github.com/hadolint/hadolint/wiki/DL3008)
    """

    code = "DL3008"
    name = "apt-versions-unpinned"
    severity = Severity.WARNING
    message = "apt installs packages without a pinned version."
    hadolint = ("DL3008",)
    shipped_only = False
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for cmd in shell_commands(inst):
            call = apt_call(cmd)
            if call is None or call.tool == "aptitude" or call.sub != "install":
                continue
            loose = [(w, p) for w, p in operand_values(call.packages, inst) if not _pinned(p)]
            if not loose:
                continue
            names = [p for _, p in loose]
            yield self.violation(
                loose[0][0].start,
                loose[0][0].end,
                message=f"apt installs {names_list(names, 3)} without a pinned version "
                "(`package=version`).",
            )
