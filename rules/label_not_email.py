"""DL3058: an `email` label is not an e-mail address."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import typed_labels

# RFC 5322 addr-spec: a dot-atom or quoted local part, a dot-atom or literal domain
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_EMAIL = lazy_pattern(
    rf"(?:{_ATOM}(?:\.{_ATOM})*|\"(?:[^\"\\\r\n]|\\.)*\")"
    rf"@(?:{_ATOM}(?:\.{_ATOM})*|\[[^\[\]\\\s]*\])"
)


class LabelNotEmail(Rule):
    """
    ## What it does
    Checks the labels that the label schema types `email` for a value that is not an e-mail
    address (`local@domain`, as RFC 5322's addr-spec). The label schema comes from the
    configuration (`label-schema`, or hadolint's `label-schema` in `.hadolint.yaml`); without
    one, the rule reports nothing.

    ## Why is this bad?
    Whoever needs to reach the image's maintainer reads the label as an address.

    ## Example
    ```dockerfile
    # label-schema = { "maintainer" = "email" }
    LABEL maintainer="Example Team"
    ```

    ## Use instead
    ```dockerfile
    LABEL maintainer="team@example.com"
    ```

    ## Fix safety
    No fix: the right value is not known here.

    ## References
    - [hadolint DL3058](https://github.com/hadolint/hadolint/wiki/DL3058)
    """

    code = "DL3058"
    name = "label-not-email"
    severity = Severity.WARNING
    message = "An `email` label is not an e-mail address."
    fix_title = None
    hadolint = ("DL3058",)
    shipped_only = False
    keywords = frozenset({"LABEL"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for key, value, start, end in typed_labels(inst, ctx, "email"):
            if not _EMAIL.fullmatch(value):
                yield self.violation(
                    start,
                    end,
                    message=f"Label `{key}` is not a valid e-mail address (RFC 5322).",
                )
