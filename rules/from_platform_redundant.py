"""DL3065: FROM --platform=$TARGETPLATFORM, which is the default."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.edits import Edit, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import unquote

_TARGET = frozenset({"$TARGETPLATFORM", "${TARGETPLATFORM}"})


class FromPlatformRedundant(Rule):
    """
    ## What it does
    Checks for `FROM --platform=$TARGETPLATFORM` (or `${TARGETPLATFORM}`).

    ## Why is this bad?
    A stage is built for the target platform anyway: `$TARGETPLATFORM` is what `FROM` uses
    when no `--platform` is given. The flag adds nothing but the suggestion that it
    matters; the flag that does matter in cross-builds is `--platform=$BUILDPLATFORM`.

    ## Example
    ```dockerfile
    FROM --platform=$TARGETPLATFORM python:3.11-slim
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    ```

    ## Fix safety
    Safe: the flag is deleted; the stage is built for the same platform. No fix is offered
    when a comment line sits between the flag and the image.

    ## References
    - [Docker: automatic platform build arguments](https://docs.docker.com/build/building/variables/#multi-platform-build-arguments)
    - [hadolint DL3065](https://github.com/hadolint/hadolint/wiki/DL3065)
    """

    code = "DL3065"
    name = "from-platform-redundant"
    severity = Severity.WARNING
    message = "`FROM --platform=$TARGETPLATFORM` is the default and can go."
    fix_title = "Remove `--platform=$TARGETPLATFORM`"
    fix_safety = Safety.SAFE
    hadolint = ("DL3065",)
    shipped_only = False
    keywords = frozenset({"FROM"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        text = ctx.dockerfile.text
        flags = inst.flags
        for i, flag in enumerate(flags):
            if flag.name != "platform" or unquote(flag.value or "") not in _TARGET:
                continue
            upto = flags[i + 1].start if i + 1 < len(flags) else inst.raw.args_start
            if "#" in text[flag.end : upto]:
                note = "no automatic fix: a comment line sits between the flag and the image"
                yield self.violation(flag.start, flag.end, note=note)
            else:
                yield self.violation(flag.start, flag.end, edits=[Edit(flag.start, upto, "")])
