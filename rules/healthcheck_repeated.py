"""DL3012: more than one HEALTHCHECK in a stage."""

from __future__ import annotations

from dockerlint_slim.edits import Safety
from dockerlint_slim.findings import Severity

from ._common import RepeatedInstruction


class HealthcheckRepeated(RepeatedInstruction):
    """
    ## What it does
    Checks for a stage with more than one `HEALTHCHECK` (`HEALTHCHECK NONE` included): each
    one after the first is reported, with the one it overrides. `ONBUILD HEALTHCHECK` is not
    counted (it runs in another build).

    ## Why is this bad?
    Only the last `HEALTHCHECK` of a stage takes effect; the earlier ones do nothing. A
    reader who stops at the first one is misled about how the container's health is
    checked.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    HEALTHCHECK CMD ["python", "-c", "import app"]
    HEALTHCHECK CMD ["python", "/app/healthcheck.py"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    HEALTHCHECK CMD ["python", "/app/healthcheck.py"]
    ```

    ## Fix safety
    Safe: the overridden `HEALTHCHECK` is deleted; the image's configuration stays the
    same.

    ## References
    - [Dockerfile reference: HEALTHCHECK](https://docs.docker.com/reference/dockerfile/#healthcheck)
    - [hadolint DL3012](https://github.com/hadolint/hadolint/wiki/DL3012)
    """

    code = "DL3012"
    name = "healthcheck-repeated"
    severity = Severity.ERROR
    message = "Only the last `HEALTHCHECK` of a stage takes effect."
    fix_title = "Delete the overridden `HEALTHCHECK`"
    fix_safety = Safety.SAFE
    hadolint = ("DL3012",)
    shipped_only = False
    keywords = frozenset({"HEALTHCHECK"})
    repeated = "HEALTHCHECK"
