"""DL3043: ONBUILD wraps ONBUILD, FROM or MAINTAINER."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.scanner import ScanError


class OnbuildTriggerInvalid(Rule):
    """
    ## What it does
    Checks for an `ONBUILD` whose trigger is `ONBUILD`, `FROM` or `MAINTAINER`.

    ## Why is this bad?
    Docker refuses these triggers: the file does not build. `FROM` cannot start a stage
    inside another image's build, `ONBUILD ONBUILD` is not allowed, and `MAINTAINER` is
    deprecated.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    ONBUILD FROM python:3.12
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    ONBUILD COPY . /app
    ```

    ## Fix safety
    No fix: what the trigger was meant to do is not known here.

    ## Differences from hadolint
    The file does not parse for BuildKit, so nothing else of it is judged; this rule's
    finding stands for the parse error (`DL1000` reports it when this rule is off).

    ## References
    - [hadolint DL3043](https://github.com/hadolint/hadolint/wiki/DL3043)
    """

    code = "DL3043"
    name = "onbuild-trigger-invalid"
    severity = Severity.ERROR
    message = "`ONBUILD`, `FROM` or `MAINTAINER` cannot be an `ONBUILD` trigger."
    fix_title = None
    hadolint = ("DL3043",)
    shipped_only = False

    def unparsed(self, error: ScanError, ctx: Context) -> Iterable[Violation]:
        if error.kind != "onbuild-trigger" or error.start is None:
            return
        end = error.end if error.end is not None else error.start
        yield self.violation(error.start, max(end, error.start))
