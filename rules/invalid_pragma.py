"""DLS202: a comment that starts like a pragma cannot be read as one."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.rule import Context, Rule, Violation


class InvalidPragma(Rule):
    """
    ## What it does
    Checks comments that start with `# dockerlint-slim:` and cannot be read as a pragma: a
    kind other than `ignore`, `ignore-stage` and `ignore-file` (`ignore-files=…`,
    `disable=…`), no `=`, or no code after it. The finding points at the comment.

    ## Why is this bad?
    Such a comment suppresses nothing, silently: it reads like an accepted exception, and
    the finding it was meant to silence still shows up (or is ignored by whoever reads the
    report, trusting the comment).

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    # dockerlint-slim: ignore-files=DL3042
    RUN pip install -r requirements.txt
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    # dockerlint-slim: ignore-file=DL3042
    RUN pip install -r requirements.txt
    ```

    ## Fix safety
    No fix: what the comment meant cannot be told.

    ## References
    - [ruff: error suppression](https://docs.astral.sh/ruff/linter/#error-suppression)
    """

    code = "DLS202"
    name = "invalid-pragma"
    severity = Severity.WARNING
    message = "A comment that starts like a pragma cannot be read as one."
    reads_pragmas = True

    def finish(self, ctx: Context) -> Iterable[Violation]:
        if ctx.pragmas is None:
            return
        for comment in ctx.pragmas.unreadable:
            text = comment.text.rstrip()
            start = comment.start + len(text) - len(text.lstrip())
            yield self.violation(
                start,
                comment.start + len(text),
                message="Unreadable pragma: expected `# dockerlint-slim: ignore=CODE[,CODE…]` "
                "(or `ignore-stage=`, `ignore-file=`).",
            )
