"""DLS101: a Dockerfile with comments and no instruction."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.scanner import Comment, Directive, RawInstruction


class CommentOnlyFile(Rule):
    """
    ## What it does
    Checks for a Dockerfile that holds comments or parser directives (`# syntax=…`) but no
    instruction at all. The finding points at the first comment.

    ## Why is this bad?
    Docker refuses to build it ("dockerfile contains no stages to build"). A file of comments
    is usually a mistake: every instruction commented out while debugging, or a template
    whose instructions were never written. A linter that says "All checks passed!" about it
    hides that.

    ## Example
    ```dockerfile
    # syntax=docker/dockerfile:1
    # FROM python:3.12-slim
    # RUN pip install --no-cache-dir flask
    ```

    ## Use instead
    ```dockerfile
    # syntax=docker/dockerfile:1
    FROM python:3.12-slim
    RUN pip install --no-cache-dir flask
    ```

    ## Fix safety
    No fix is offered: which comments were meant to be instructions is not known.

    ## References
    - [Dockerfile reference: format](https://docs.docker.com/reference/dockerfile/#format)
    """

    code = "DLS101"
    name = "comment-only-file"
    severity = Severity.ERROR
    message = "The Dockerfile has comments but no instruction, so Docker refuses to build it."

    def finish(self, ctx: Context) -> Iterable[Violation]:
        items = ctx.dockerfile.scan.items
        if any(isinstance(i, RawInstruction) for i in items):
            return
        for item in items:
            if isinstance(item, (Comment, Directive)):
                text = ctx.dockerfile.text
                end = item.end
                while end > item.start and text[end - 1] in "\r\n":
                    end -= 1
                yield self.violation(item.start, end)
                return
