"""DL3063: a stage named `scratch` or `context`."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import arg_words

_RESERVED = frozenset({"scratch", "context"})


class StageNameReserved(Rule):
    """
    ## What it does
    Checks for a stage named `scratch` or `context` (`FROM python:3.11 AS scratch`), in any
    mix of upper and lower case.

    ## Why is this bad?
    Both names already mean something to BuildKit: `scratch` is the empty image and
    `context` the build context (`COPY --from=context`, `--build-context`). A stage with
    that name shadows them, and recent BuildKit versions refuse it.

    Unlike hadolint, `AS Scratch` and `AS CONTEXT` are flagged too: stage names are not
    case-sensitive.

    ## Example
    ```dockerfile
    FROM python:3.11 AS context
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11 AS build-context
    ```

    ## Fix safety
    No fix: the new name is yours to choose, and every `FROM` and `COPY --from` that uses
    the stage changes with it.

    ## References
    - [Dockerfile reference: FROM](https://docs.docker.com/reference/dockerfile/#from)
    - [hadolint DL3063](https://github.com/hadolint/hadolint/wiki/DL3063)
    """

    code = "DL3063"
    name = "stage-name-reserved"
    severity = Severity.WARNING
    message = "The stage name is a reserved word."
    fix_title = None
    fix_safety = None
    hadolint = ("DL3063",)
    shipped_only = False
    keywords = frozenset({"FROM"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        if stage.alias is None or stage.alias.lower() not in _RESERVED:
            return
        words = arg_words(inst.raw, ctx.dockerfile.text, ctx.dockerfile.scan.escape)
        word = words[2] if len(words) >= 3 else None
        start, end = (word.start, word.end) if word else (inst.start, inst.end)
        message = f"The stage name `{stage.alias}` is reserved: it already names " + (
            "the empty image." if stage.alias.lower() == "scratch" else "the build context."
        )
        yield self.violation(start, end, message=message)
