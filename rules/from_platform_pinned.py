"""DL3029: FROM with a hard-coded --platform."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import unquote


class FromPlatformPinned(Rule):
    """
    ## What it does
    Checks for a `FROM` with a `--platform` flag whose value is written out
    (`--platform=linux/amd64`). A platform taken from a build argument
    (`--platform=$BUILDPLATFORM`, the usual way to run a cross-compiling stage on the
    builder's own platform) is accepted; `$TARGETPLATFORM`, which is redundant, is
    reported by DL3065.

    ## Why is this bad?
    A hard-coded platform makes the image for that platform only, whatever the build asks
    for: `docker build --platform linux/arm64` still pulls the amd64 base, and on an ARM
    machine the image runs under emulation, if at all. Leave the platform to the build
    (`--platform` on the command line, or `$BUILDPLATFORM` / `$TARGETPLATFORM`).

    ## Example
    ```dockerfile
    FROM --platform=linux/amd64 python:3.11-slim
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    ```

    ## Fix safety
    No fix: dropping the flag changes which image is pulled on other machines; decide
    whether the stage really needs that platform.

    ## Differences from hadolint
    A platform taken from any build argument (`--platform=$PLATFORM`) is left to the build
    and not reported; hadolint reports every variable but `$BUILDPLATFORM`.

    ## References
    - [Dockerfile reference: FROM](https://docs.docker.com/reference/dockerfile/#from)
    - [Docker: multi-platform builds](https://docs.docker.com/build/building/multi-platform/)
    - [hadolint DL3029](https://github.com/hadolint/hadolint/wiki/DL3029)
    """

    code = "DL3029"
    name = "from-platform-pinned"
    severity = Severity.WARNING
    message = "`FROM` pins the platform, so the image is built for that platform only."
    fix_title = None
    fix_safety = None
    hadolint = ("DL3029",)
    shipped_only = False
    keywords = frozenset({"FROM"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for flag in inst.flags:
            if flag.name != "platform" or flag.value is None:
                continue
            value = unquote(flag.value)
            if not value or "$" in value:
                continue
            message = (
                f"`FROM --platform={value}` builds this stage for `{value}` whatever the build "
                "asks for."
            )
            yield self.violation(flag.start, flag.end, message=message)
