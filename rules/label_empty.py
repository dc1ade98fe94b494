"""DL3051: a label of the schema is empty."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import label_pairs, label_schema


class LabelEmpty(Rule):
    """
    ## What it does
    Checks `LABEL` instructions for a label of the label schema set to an empty value. The label
    schema comes from the configuration (`label-schema`, or hadolint's `label-schema` in
    `.hadolint.yaml`); without one, the rule reports nothing.

    ## Why is this bad?
    An empty label is as good as a missing one: tools that read the schema (a registry UI, a
    scanner) find the key and trust it.

    ## Example
    ```dockerfile
    # label-schema = { maintainer = "text" }
    LABEL maintainer=""
    ```

    ## Use instead
    ```dockerfile
    LABEL maintainer="team@example.com"
    ```

    ## Fix safety
    No fix: the right value is not known here.

    ## References
    - [hadolint DL3051](https://github.com/hadolint/hadolint/wiki/DL3051)
    """

    code = "DL3051"
    name = "label-empty"
    severity = Severity.WARNING
    message = "A label of the schema is empty."
    fix_title = None
    hadolint = ("DL3051",)
    shipped_only = False
    keywords = frozenset({"LABEL"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        schema = label_schema(ctx)
        if not schema:
            return
        for key, value, start, end in label_pairs(inst, ctx.dockerfile.text):
            if key in schema and not value:
                yield self.violation(start, end, message=f"Label `{key}` is empty.")
