"""DL3050: with strict labels, a LABEL sets a label outside the label schema."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import label_pairs, label_schema


class LabelSuperfluous(Rule):
    """
    ## What it does
    When the configuration asks for strict labels (`strict-labels = true`, or hadolint's
    `strict-labels: true`), checks `LABEL` instructions for labels that the label schema
    does not name.

    ## Why is this bad?
    A strict schema is the whole vocabulary of a team's labels: a label outside it is a typo
    of one inside it (`maintainer` for `org.opencontainers.image.authors`) or a label nobody
    reads.

    ## Example
    ```dockerfile
    # label-schema = { "org.opencontainers.image.authors" = "email" }, strict-labels = true
    LABEL maintainer="team@example.com"
    ```

    ## Use instead
    ```dockerfile
    LABEL org.opencontainers.image.authors="team@example.com"
    ```

    ## Fix safety
    No fix: which label was meant is not known here.

    ## References
    - [hadolint DL3050](https://github.com/hadolint/hadolint/wiki/DL3050)
    """

    code = "DL3050"
    name = "label-superfluous"
    severity = Severity.INFO
    message = "A label outside the label schema is set."
    fix_title = None
    hadolint = ("DL3050",)
    shipped_only = False
    keywords = frozenset({"LABEL"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        settings = ctx.settings
        if settings is None or not settings.strict_labels:
            return
        schema = label_schema(ctx)
        for key, _, start, end in label_pairs(inst, ctx.dockerfile.text):
            if key not in schema:
                yield self.violation(
                    start, end, message=f"Label `{key}` is not in the label schema."
                )
