"""DL4004: more than one ENTRYPOINT in a stage."""

from __future__ import annotations

from dockerlint_slim.edits import Safety
from dockerlint_slim.findings import Severity

from ._common import RepeatedInstruction


class EntrypointRepeated(RepeatedInstruction):
    """
    ## What it does
    Checks for a stage with more than one `ENTRYPOINT`: each `ENTRYPOINT` after the first
    is reported, with the one it overrides. `ONBUILD ENTRYPOINT` is not counted (it runs in
    another build).

    ## Why is this bad?
    Only the last `ENTRYPOINT` of a stage takes effect; the earlier ones do nothing. A
    reader who stops at the first one is misled about what the container runs.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    ENTRYPOINT ["python"]
    ENTRYPOINT ["gunicorn"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    ENTRYPOINT ["gunicorn"]
    ```

    ## Fix safety
    Safe: the overridden `ENTRYPOINT` is deleted; the image's configuration stays the same
    (each `ENTRYPOINT` clears a `CMD` inherited from the base image, so the later one still
    does).

    ## References
    - [Dockerfile reference: ENTRYPOINT](https://docs.docker.com/reference/dockerfile/#entrypoint)
    - [hadolint DL4004](https://github.com/hadolint/hadolint/wiki/DL4004)
    """

    code = "DL4004"
    name = "entrypoint-repeated"
    severity = Severity.ERROR
    message = "Only the last `ENTRYPOINT` of a stage takes effect."
    fix_title = "Delete the overridden `ENTRYPOINT`"
    fix_safety = Safety.SAFE
    hadolint = ("DL4004",)
    shipped_only = False
    keywords = frozenset({"ENTRYPOINT"})
    repeated = "ENTRYPOINT"
