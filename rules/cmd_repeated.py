"""DL4003: more than one CMD in a stage."""

from __future__ import annotations

from dockerlint_slim.edits import Safety
from dockerlint_slim.findings import Severity

from ._common import RepeatedInstruction


class CmdRepeated(RepeatedInstruction):
    """
    ## What it does
    Checks for a stage with more than one `CMD`: each `CMD` after the first is reported,
    with the one it overrides. `ONBUILD CMD` is not counted (it runs in another build).

    ## Why is this bad?
    Only the last `CMD` of a stage takes effect; the earlier ones do nothing. A reader who
    stops at the first one is misled about what the container runs.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    CMD ["python", "manage.py", "migrate"]
    CMD ["gunicorn", "app.wsgi"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    CMD ["gunicorn", "app.wsgi"]
    ```

    ## Fix safety
    Safe: the overridden `CMD` is deleted; the image's configuration stays the same. If
    both commands should run, write a start script instead.

    ## Differences from hadolint
    A `CMD` whose array is not valid JSON (a trailing comment, single quotes) is run by
    Docker in shell form, and counts as a `CMD` like any other; hadolint skips it.

    ## References
    - [Dockerfile reference: CMD](https://docs.docker.com/reference/dockerfile/#cmd)
    - [hadolint DL4003](https://github.com/hadolint/hadolint/wiki/DL4003)
    """

    code = "DL4003"
    name = "cmd-repeated"
    severity = Severity.WARNING
    message = "Only the last `CMD` of a stage takes effect."
    fix_title = "Delete the overridden `CMD`"
    fix_safety = Safety.SAFE
    hadolint = ("DL4003",)
    shipped_only = False
    keywords = frozenset({"CMD"})
    repeated = "CMD"
