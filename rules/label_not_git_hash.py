"""DL3055: a `hash` label is not a git commit hash."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import typed_labels

_HASH = lazy_pattern(r"[0-9a-f]{7}|[0-9a-f]{40}")


class LabelNotGitHash(Rule):
    """
    ## What it does
    Checks the labels that the label schema types `hash` for a value that is not a git commit
    hash: 7 or 40 lower-case hexadecimal digits. The label schema comes from the configuration
    (`label-schema`, or hadolint's `label-schema` in `.hadolint.yaml`); without one, the rule
    reports nothing.

    ## Why is this bad?
    The label ties the image to the commit it was built from; a branch name or a shortened hash
    of another length does not identify a commit for the tools that read it.

    ## Example
    ```dockerfile
    # label-schema = { "org.opencontainers.image.revision" = "hash" }
    LABEL org.opencontainers.image.revision="main"
    ```

    ## Use instead
    ```dockerfile
    LABEL org.opencontainers.image.revision="4f2a9c1"
    ```

    ## Fix safety
    No fix: the right value is not known here.

    ## References
    - [hadolint DL3055](https://github.com/hadolint/hadolint/wiki/DL3055)
    """

    code = "DL3055"
    name = "label-not-git-hash"
    severity = Severity.WARNING
    message = "A `hash` label is not a git commit hash."
    fix_title = None
    hadolint = ("DL3055",)
    shipped_only = False
    keywords = frozenset({"LABEL"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for key, value, start, end in typed_labels(inst, ctx, "hash"):
            if not _HASH.fullmatch(value):
                yield self.violation(start, end, message=f"Label `{key}` is not a valid git hash.")
