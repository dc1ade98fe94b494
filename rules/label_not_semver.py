"""DL3056: a `semver` label is not a semantic version."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import typed_labels

# semver.org 2.0.0
_SEMVER = lazy_pattern(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
)


class LabelNotSemver(Rule):
    """
    ## What it does
    Checks the labels that the label schema types `semver` for a value that is not a semantic
    version (`1.4.2`, `2.0.0-rc.1+build.5`; no leading `v`). The label schema comes from the
    configuration (`label-schema`, or hadolint's `label-schema` in `.hadolint.yaml`); without
    one, the rule reports nothing.

    ## Why is this bad?
    Tools that order images by their version label need the semantic versioning grammar.

    ## Example
    ```dockerfile
    # label-schema = { "org.opencontainers.image.version" = "semver" }
    LABEL org.opencontainers.image.version="v1.4"
    ```

    ## Use instead
    ```dockerfile
    LABEL org.opencontainers.image.version="1.4.0"
    ```

    ## Fix safety
    No fix: the right value is not known here.

    ## References
    - [hadolint DL3056](https://github.com/hadolint/hadolint/wiki/DL3056)
    """

    code = "DL3056"
    name = "label-not-semver"
    severity = Severity.WARNING
    message = "A `semver` label is not a semantic version."
    fix_title = None
    hadolint = ("DL3056",)
    shipped_only = False
    keywords = frozenset({"LABEL"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for key, value, start, end in typed_labels(inst, ctx, "semver"):
            if not _SEMVER.fullmatch(value):
                yield self.violation(
                    start, end, message=f"Label `{key}` does not conform to semantic versioning."
                )
