"""DLS103: COPY --from naming neither a stage nor an image Docker can pull."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import copy_source


class CopyFromInvalidSource(Rule):
    """
    ## What it does
    Checks for a `COPY --from` that Docker cannot resolve: a stage index past the last
    stage (`--from=3` in a file of three stages, numbered 0 to 2), or a name that is no
    stage name and no valid image reference either (`--from=Builder_Stage`: image names
    are lower-case).

    ## Why is this bad?
    Docker looks `--from` up among the stage names (case-insensitively), takes a number as
    a stage index, and otherwise pulls it as an image. An index that names no stage is
    rejected ("invalid stage index"), and a name that is neither a stage nor an image
    reference fails when Docker parses it as one. Either way the build stops. A name that
    is a valid image reference but no stage is `DL3022`'s (a warning: Docker pulls that
    image).

    ## Example
    ```dockerfile
    FROM python:3.12 AS builder
    RUN pip wheel --wheel-dir /wheels psycopg2
    FROM python:3.12-slim
    COPY --from=2 /wheels /wheels
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

    ## References
    - [Dockerfile reference: COPY --from](https://docs.docker.com/reference/dockerfile/#copy---from)
    - [Docker image reference grammar](https://github.com/distribution/reference/blob/main/reference.go)
    """

    code = "DLS103"
    name = "copy-from-invalid-source"
    severity = Severity.ERROR
    message = "`COPY --from` names neither a stage of the file nor an image Docker can pull."
    keywords = frozenset({"COPY"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        source = copy_source(inst, stage, ctx)
        if source is None:
            return
        if source.kind == "no-stage":
            count = len(ctx.dockerfile.stages)
            stages = "1 stage (0)" if count == 1 else f"{count} stages (0 to {count - 1})"
            message = (
                f"`COPY --from={source.value}` names stage {source.value}, "
                f"but the file has {stages}."
            )
        elif source.kind == "not-an-image":
            message = (
                f"`COPY --from={source.value}` names no stage, and `{source.value}` is not "
                "a valid image reference either."
            )
        else:
            return
        yield self.violation(source.start, source.end, message)
