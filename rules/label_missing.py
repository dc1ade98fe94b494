"""DL3049: a label of the label schema is missing from a stage."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Dockerfile, Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import label_pairs, label_schema


def _copied_from(model: Dockerfile) -> set[str]:
    """The stage names and indexes that a ``COPY --from`` names (lower case)."""
    return {
        value.strip().lower()
        for inst in model.instructions
        if inst.keyword in ("COPY", "ADD")
        for value in inst.flag_values("from")
    }


def _labels_by_stage(model: Dockerfile) -> list[set[str]]:
    """The labels each stage's image has: its own LABELs and its FROM-parent's (stages come
    after their parents, so one pass)."""
    out: list[set[str]] = []
    for stage in model.stages:
        labels = set(out[stage.parent]) if stage.parent is not None else set()
        for inst in stage.instructions:
            if inst.keyword == "LABEL":
                labels.update(key for key, _, _, _ in label_pairs(inst, model.text))
        out.append(labels)
    return out


class LabelMissing(Rule):
    """
    ## What it does
    Checks each stage for the labels of the label schema: a label counts when a `LABEL` of
    the stage or of a stage it is built `FROM` sets it. A stage that another stage copies
    files from (`COPY --from`) is a builder, and is not checked. The label schema comes from
    the configuration (`label-schema`, or hadolint's `label-schema` in `.hadolint.yaml`);
    without one, the rule reports nothing.

    ## Why is this bad?
    A team's label schema says what every image must tell about itself (its source, owner,
    version); an image without them cannot be traced by the tools that read the labels.

    ## Example
    ```dockerfile
    # label-schema = { maintainer = "email" }
    FROM python:3.12-slim
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    LABEL maintainer="team@example.com"
    ```

    ## Fix safety
    No fix: the value is not known here.

    ## References
    - [hadolint DL3049](https://github.com/hadolint/hadolint/wiki/DL3049)
    """

    code = "DL3049"
    name = "label-missing"
    severity = Severity.INFO
    message = "A label of the label schema is missing."
    fix_title = None
    hadolint = ("DL3049",)
    shipped_only = False
    keywords = frozenset({"FROM"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        schema = label_schema(ctx)
        if not schema:
            return
        model = ctx.dockerfile
        sources = ctx.once(("DL3049", "copied-from"), lambda: _copied_from(model))
        if (stage.alias and stage.alias.lower() in sources) or str(stage.index) in sources:
            return
        present = ctx.once(("DL3049", "labels"), lambda: _labels_by_stage(model))[stage.index]
        words = inst.args.split()
        start = inst.raw.args_start
        end = start + len(words[0]) if words else inst.end
        for label in schema:
            if label not in present:
                yield self.violation(start, end, message=f"Label `{label}` is missing.")
