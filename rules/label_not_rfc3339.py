"""DL3053: an `rfc3339` label is not an RFC 3339 time."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import typed_labels

_RFC3339 = lazy_pattern(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})"
)


def _rfc3339(value: str) -> bool:
    m = _RFC3339.fullmatch(value)
    if m is None:
        return False
    year, month, day, hour, minute, second = (int(g) for g in m.groups())
    try:
        datetime.datetime(year, month, day, hour, minute, min(second, 59))
    except ValueError:
        return False
    return second <= 60  # a leap second is allowed


class LabelNotRfc3339(Rule):
    """
    ## What it does
    Checks the labels that the label schema types `rfc3339` for a value that is not an RFC 3339
    date and time (`2024-05-01T12:00:00Z`, with a time zone). The label schema comes from the
    configuration (`label-schema`, or hadolint's `label-schema` in `.hadolint.yaml`); without
    one, the rule reports nothing.

    ## Why is this bad?
    Build dates in another format (`05/01/2024`, a date without a time zone) cannot be compared
    or sorted by the tools that read them.

    ## Example
    ```dockerfile
    # label-schema = { "org.opencontainers.image.created" = "rfc3339" }
    LABEL org.opencontainers.image.created="2024-05-01 12:00"
    ```

    ## Use instead
    ```dockerfile
    LABEL org.opencontainers.image.created="2024-05-01T12:00:00Z"
    ```

    ## Fix safety
    No fix: the right value is not known here.

    ## References
    - [hadolint DL3053](https://github.com/hadolint/hadolint/wiki/DL3053)
    """

    code = "DL3053"
    name = "label-not-rfc3339"
    severity = Severity.WARNING
    message = "An `rfc3339` label is not an RFC 3339 time."
    fix_title = None
    hadolint = ("DL3053",)
    shipped_only = False
    keywords = frozenset({"LABEL"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for key, value, start, end in typed_labels(inst, ctx, "rfc3339"):
            if not _rfc3339(value):
                yield self.violation(
                    start,
                    end,
                    message=f"Label `{key}` is not a valid time format - must conform to RFC 3339.",
                )
