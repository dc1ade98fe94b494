"""DL3054: an `spdx` label is not an SPDX license identifier."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import typed_labels

_ID_SHAPE = lazy_pattern(r"[A-Za-z0-9][A-Za-z0-9.+-]*")


@functools.lru_cache(maxsize=1)
def _license_ids() -> frozenset[str] | None:
    """SPDX's license identifiers (lower case) as packaging 24.2+ ships them, or None."""
    try:
        from packaging.licenses._spdx import LICENSES
    except ImportError:
        return None
    return frozenset(LICENSES)


def _spdx(value: str) -> bool:
    ids = _license_ids()
    if ids is None:
        return _ID_SHAPE.fullmatch(value) is not None
    return value.lower() in ids


class LabelNotSpdx(Rule):
    """
    ## What it does
    Checks the labels that the label schema types `spdx` for a value that is not one SPDX
    license identifier (`MIT`, `Apache-2.0`). The identifiers are SPDX's license list as the
    installed `packaging` (24.2 or later) knows it; with an older `packaging`, any value shaped
    like an identifier (letters, digits, `.`, `-`, `+`) passes. The label schema comes from the
    configuration (`label-schema`, or hadolint's `label-schema` in `.hadolint.yaml`); without
    one, the rule reports nothing.

    ## Why is this bad?
    License scanners match the label against the SPDX list; a free-form name (`Apache License`)
    is not found.

    ## Example
    ```dockerfile
    # label-schema = { "org.opencontainers.image.licenses" = "spdx" }
    LABEL org.opencontainers.image.licenses="Apache License"
    ```

    ## Use instead
    ```dockerfile
    LABEL org.opencontainers.image.licenses="Apache-2.0"
    ```

    ## Fix safety
    No fix: the right value is not known here.

    ## References
    - [hadolint DL3054](https://github.com/hadolint/hadolint/wiki/DL3054)
    """

    code = "DL3054"
    name = "label-not-spdx"
    severity = Severity.WARNING
    message = "An `spdx` label is not an SPDX license identifier."
    fix_title = None
    hadolint = ("DL3054",)
    shipped_only = False
    keywords = frozenset({"LABEL"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for key, value, start, end in typed_labels(inst, ctx, "spdx"):
            if not _spdx(value):
                yield self.violation(
                    start, end, message=f"Label `{key}` is not a valid SPDX identifier."
                )
