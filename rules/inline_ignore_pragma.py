"""DL1001: an inline ignore pragma is used."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.rule import Context, Rule, Violation


class InlineIgnorePragma(Rule):
    """
    ## What it does
    Reports each inline ignore pragma: a `# hadolint ignore=…` or `# dockerlint-slim:
    ignore=…` comment above an instruction. File-wide (`ignore-file`, `# hadolint global
    ignore=`) and stage-wide (`ignore-stage`, `# hadolint stage ignore=`) pragmas are not
    reported.

    This rule is off by default (hadolint's severity for it is "ignore"): select it by its
    code or name (`--extend-select DL1001`) where a team wants every exception to be made in
    the configuration instead.

    ## Why is this bad?
    Inline suppressions scatter a project's exceptions over its Dockerfiles, where nobody
    reviews them together. Kept in the configuration (`ignore`, `per-file-ignores`), they are
    in one place and visible in review.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    # hadolint ignore=DL3042
    RUN pip install -r requirements.txt
    ```

    ## Use instead
    ```toml
    [tool.dockerlint-slim.per-file-ignores]
    "Dockerfile" = ["DL3042"]
    ```

    ## Fix safety
    No fix: where the exception belongs is the team's choice.

    ## References
    - [hadolint DL1001](https://github.com/hadolint/hadolint/wiki/DL1001)
    """

    code = "DL1001"
    name = "inline-ignore-pragma"
    severity = Severity.INFO
    message = "An inline ignore pragma is used; keep exceptions in the configuration."
    fix_title = None
    hadolint = ("DL1001",)
    reads_pragmas = True
    opt_in = True

    def finish(self, ctx: Context) -> Iterable[Violation]:
        pragmas = ctx.pragmas
        if pragmas is None:
            return
        for comment in pragmas.comments:
            if comment.scope == "instruction":
                yield self.violation(comment.comment.start, comment.comment.end)
