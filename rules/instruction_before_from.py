"""DL3061: an instruction other than ARG before the first FROM."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.rule import Context, Rule, Violation


class InstructionBeforeFrom(Rule):
    """
    ## What it does
    Checks for instructions other than `ARG` before the first `FROM`. A Dockerfile must
    begin with `FROM`, `ARG`, a comment or a parser directive. Each such instruction is
    reported, at its keyword.

    ## Why is this bad?
    Only `ARG` may come before the first `FROM` (it declares a value that `FROM` lines can
    use); any other instruction has no stage to run in, and Docker refuses the file ("no
    build stage in current context"). It is usually a `FROM` line moved or deleted by
    mistake. When the file has no `FROM` at all, `DLS102` reports that once instead.

    ## Example
    ```dockerfile
    ENV PIP_NO_CACHE_DIR=1
    FROM python:3.12-slim
    RUN pip install flask
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    ENV PIP_NO_CACHE_DIR=1
    RUN pip install flask
    ```

    ## Fix safety
    No fix is offered: whether the instruction belongs to the first stage or to a stage
    that is missing is not known.

    ## Differences from hadolint
    A file without any `FROM` is reported once, by `DLS102` (missing-from), which covers
    this rule there; hadolint reports it as `DL3061` at its first instruction. With
    `DLS102` ignored, this rule reports it as hadolint does.

    ## References
    - [Dockerfile reference: understand how ARG and FROM interact](https://docs.docker.com/reference/dockerfile/#understand-how-arg-and-from-interact)
    - [hadolint DL3061](https://github.com/hadolint/hadolint/wiki/DL3061)
    """

    code = "DL3061"
    name = "instruction-before-from"
    severity = Severity.ERROR
    message = "An instruction other than `ARG` comes before the first `FROM`."
    hadolint = ("DL3061",)

    def finish(self, ctx: Context) -> Iterable[Violation]:
        model = ctx.dockerfile
        # with no FROM at all, DLS102 (missing-from) reports the file once
        covered = ("DLS102", None) if not model.stages else None
        for inst in model.instructions:
            if inst.stage is not None:
                break
            if inst.keyword == "ARG":
                continue
            span = inst.raw.keyword_span
            yield self.violation(
                span.start,
                span.end,
                f"`{inst.keyword}` comes before the first `FROM`: only `ARG` may.",
                covered_by=covered,
            )
