"""DL3023: COPY --from the stage the COPY is in."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import copy_source


class CopyFromOwnStage(Rule):
    """
    ## What it does
    Checks for a `COPY --from` that names the stage it is in, by its name (stage names are
    case-insensitive) or by its index.

    ## Why is this bad?
    A stage cannot copy from itself: its files do not exist until it is built. BuildKit
    rejects the file ("circular dependency detected on stage"), and so does the legacy
    builder. It is usually a copied `COPY` line whose `--from` still names the stage it was
    copied from, or a stage renamed by mistake.

    ## Example
    ```dockerfile
    FROM python:3.12 AS builder
    RUN pip wheel --wheel-dir /wheels psycopg2
    FROM python:3.12-slim AS runtime
    COPY --from=runtime /wheels /wheels
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12 AS builder
    RUN pip wheel --wheel-dir /wheels psycopg2
    FROM python:3.12-slim AS runtime
    COPY --from=builder /wheels /wheels
    ```

    ## Fix safety
    No fix is offered: which stage was meant is not known.

    ## Differences from hadolint
    A stage named by its index (`--from=1` in the second stage) or by its name in another
    letter case is its own stage too, as Docker resolves it; hadolint compares the name as
    written only.

    ## References
    - [Dockerfile reference: COPY --from](https://docs.docker.com/reference/dockerfile/#copy---from)
    - [hadolint DL3023](https://github.com/hadolint/hadolint/wiki/DL3023)
    """

    code = "DL3023"
    name = "copy-from-own-stage"
    severity = Severity.ERROR
    message = "`COPY --from` names the stage it is in, and a stage cannot copy from itself."
    hadolint = ("DL3023",)
    keywords = frozenset({"COPY"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        source = copy_source(inst, stage, ctx)
        if source is not None and source.kind == "own":
            yield self.violation(
                source.start,
                source.end,
                f"`COPY --from={source.value}` names the stage it is in "
                f"(stage {stage.index}), and a stage cannot copy from itself.",
            )
