"""DLS100: a Dockerfile with nothing in it."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.scanner import Blank, Bom


class EmptyFile(Rule):
    """
    ## What it does
    Checks for a Dockerfile that holds nothing: no instruction, no comment, only blank lines
    (or no bytes at all).

    ## Why is this bad?
    Docker refuses to build it ("the Dockerfile cannot be empty", or "dockerfile contains no
    stages to build" when it has only blank lines). An empty file is usually a mistake: a
    file truncated by a bad merge or a tool, or a placeholder that was never filled in, and
    a linter that says "All checks passed!" about it hides that.

    ## Example
    ```dockerfile

    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    COPY . /app
    CMD ["python", "/app/main.py"]
    ```

    ## Fix safety
    No fix is offered: what the file should build is not known.

    ## References
    - [Dockerfile reference: FROM](https://docs.docker.com/reference/dockerfile/#from)
    """

    code = "DLS100"
    name = "empty-file"
    severity = Severity.ERROR
    message = "The Dockerfile is empty, so Docker refuses to build it."

    def finish(self, ctx: Context) -> Iterable[Violation]:
        items = ctx.dockerfile.scan.items
        if all(isinstance(i, (Bom, Blank)) for i in items):
            start = 1 if items and isinstance(items[0], Bom) else 0
            yield self.violation(start, start)
