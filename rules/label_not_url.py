"""DL3052: a `url` label is not a valid URL."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import typed_labels

# an absolute URI: a scheme, then no blanks (RFC 3986)
_URL = lazy_pattern(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")


class LabelNotUrl(Rule):
    """
    ## What it does
    Checks the labels that the label schema types `url` for a value that is not an absolute URL
    (a scheme such as `https:` and no blanks). The label schema comes from the configuration
    (`label-schema`, or hadolint's `label-schema` in `.hadolint.yaml`); without one, the rule
    reports nothing.

    ## Why is this bad?
    Consumers open the label as a link; a relative path or a bare host name leads nowhere.

    ## Example
    ```dockerfile
    # label-schema = { "org.opencontainers.image.source" = "url" }
    LABEL org.opencontainers.image.source="github.com/example/app"
    ```

    ## Use instead
    ```dockerfile
    LABEL org.opencontainers.image.source="https://github.com/example/app"
    ```

    ## Fix safety
    No fix: the right value is not known here.

    ## References
    - [hadolint DL3052](https://github.com/hadolint/hadolint/wiki/DL3052)
    """

    code = "DL3052"
    name = "label-not-url"
    severity = Severity.WARNING
    message = "A `url` label is not a valid URL."
    fix_title = None
    hadolint = ("DL3052",)
    shipped_only = False
    keywords = frozenset({"LABEL"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for key, value, start, end in typed_labels(inst, ctx, "url"):
            if not _URL.fullmatch(value):
                yield self.violation(start, end, message=f"Label `{key}` is not a valid URL.")
