"""DLS102: a Dockerfile with instructions and no FROM."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.rule import Context, Rule, Violation


class MissingFrom(Rule):
    """
    ## What it does
    Checks for a Dockerfile that has instructions but no `FROM`, for example only `ARG`s, or
    a file whose `FROM` line was deleted. The finding points at the first instruction.

    ## Why is this bad?
    Every build stage starts with `FROM`; without one there is nothing to build and Docker
    refuses the file ("no build stage in current context", or "dockerfile contains no
    stages to build" when only `ARG`s are left). `DL3061` reports instructions that come
    before the first `FROM`; in a file with no `FROM` at all this rule reports the problem
    once instead (`DL3061` still does when this rule is off or ignored).

    ## Example
    ```dockerfile
    ARG PYTHON_VERSION=3.12
    RUN pip install --no-cache-dir flask
    ```

    ## Use instead
    ```dockerfile
    ARG PYTHON_VERSION=3.12
    FROM python:${PYTHON_VERSION}-slim
    RUN pip install --no-cache-dir flask
    ```

    ## Fix safety
    No fix is offered: the base image is not known.

    ## References
    - [Dockerfile reference: FROM](https://docs.docker.com/reference/dockerfile/#from)
    """

    code = "DLS102"
    name = "missing-from"
    severity = Severity.ERROR
    message = "The Dockerfile has no `FROM` instruction, so it has no stage to build."

    def finish(self, ctx: Context) -> Iterable[Violation]:
        model = ctx.dockerfile
        if model.stages or not model.instructions:
            return
        first = model.instructions[0].raw.keyword_span
        yield self.violation(first.start, first.end)
