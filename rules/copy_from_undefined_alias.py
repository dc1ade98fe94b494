"""DL3022: COPY --from naming no stage defined before it."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import copy_source


class CopyFromUndefinedAlias(Rule):
    """
    ## What it does
    Checks for a `COPY --from` that names no stage defined before it: a plain name (no
    `:`, `/` or `@`) that no stage carries, or a stage that comes later in the file (by
    name or by index).

    ## Why is this bad?
    Docker takes a `--from` name that is no stage name as an image and pulls it:
    `COPY --from=bulider /wheels /wheels` (a typo of `builder`) pulls the image
    `docker.io/library/bulider` instead of copying from the stage, and fails, or worse,
    copies from an image of that name. A name with a tag, a registry or a digest
    (`python:3.12-slim`, `ghcr.io/astral-sh/uv`) is clearly an image and is not reported.
    A later stage is accepted by BuildKit, but not by the legacy builder, and it reads as
    if files flowed backwards; it becomes an error as soon as the later stage depends on
    this one.

    ## Example
    ```dockerfile
    FROM python:3.12 AS builder
    RUN pip wheel --wheel-dir /wheels psycopg2
    FROM python:3.12-slim
    COPY --from=bulider /wheels /wheels
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12 AS builder
    RUN pip wheel --wheel-dir /wheels psycopg2
    FROM python:3.12-slim
    COPY --from=builder /wheels /wheels
    ```

    ## Fix safety
    No fix is offered: which stage was meant is not known.

    ## Differences from hadolint
    Stage names are matched without regard to letter case, and `--from=0` (a stage by its
    index) names a stage, as Docker resolves them; hadolint compares names case-sensitively
    and reports indexes.

    ## References
    - [Dockerfile reference: COPY --from](https://docs.docker.com/reference/dockerfile/#copy---from)
    - [hadolint DL3022](https://github.com/hadolint/hadolint/wiki/DL3022)
    """

    code = "DL3022"
    name = "copy-from-undefined-alias"
    severity = Severity.WARNING
    message = "`COPY --from` names no stage defined before it."
    hadolint = ("DL3022",)
    keywords = frozenset({"COPY"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        source = copy_source(inst, stage, ctx)
        if source is None:
            return
        if source.kind == "later" and source.stage is not None:
            later = ctx.dockerfile.stages[source.stage]
            message = (
                f"`COPY --from={source.value}` names a stage that comes after this one "
                f"(line {later.from_instruction.line})."
            )
        elif source.kind == "image" and not any(c in source.value for c in ":/@"):
            message = (
                f"`COPY --from={source.value}` names no stage defined before it: Docker "
                f"pulls the image `{source.value}` instead."
            )
        else:
            return
        yield self.violation(source.start, source.end, message)
