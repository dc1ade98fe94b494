"""DL3067: COPY --from of a whole file system onto /."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import copy_operands, own


def _root(path: str) -> bool:
    return path.startswith("/") and posixpath.normpath(path) in ("/", "//")


class CopyWholeFilesystem(Rule):
    """
    ## What it does
    Checks for `COPY --from=STAGE / /` (also `"/"`, `/.`, and inside `ONBUILD`): a copy of
    another stage's or image's whole file system onto the root of this one.

    ## Why is this bad?
    Everything of the other stage comes along: its package manager's caches and lists,
    compilers, `/tmp`, `/var/log`, `/etc/passwd` and `/etc/hostname`, overwriting those of
    this image. It defeats the point of a multi-stage build, which is to copy only the
    results (a virtual environment, a wheel folder, a binary).

    ## Example
    ```dockerfile
    FROM python:3.11 AS build
    RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir flask
    FROM python:3.11-slim
    COPY --from=build / /
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11 AS build
    RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir flask
    FROM python:3.11-slim
    COPY --from=build /opt/venv /opt/venv
    ```

    ## Fix safety
    No fix: which folders the image needs is not known.

    ## Differences from hadolint
    The root written another way (`"/"` quoted, or `/.`) is the whole file system too, and
    is reported; hadolint matches `/ /` as written.

    ## References
    - [Docker: multi-stage builds](https://docs.docker.com/build/building/multi-stage/)
    - [hadolint DL3067](https://github.com/hadolint/hadolint/wiki/DL3067)
    """

    code = "DL3067"
    name = "copy-whole-filesystem"
    severity = Severity.WARNING
    message = "`COPY --from` copies another stage's whole file system."
    fix_title = None
    fix_safety = None
    hadolint = ("DL3067",)
    shipped_only = False
    keywords = frozenset({"COPY", "ONBUILD"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        raw = own(inst)
        if raw.keyword != "COPY":
            return
        source = next((f.value for f in raw.flags if f.name == "from"), None)
        if not source:
            return
        df = ctx.dockerfile
        operands = copy_operands(raw, df.text, df.scan.escape)
        if len(operands) < 2 or not _root(operands[-1][0]):
            return
        if not any(_root(value) for value, _, _ in operands[:-1]):
            return
        message = (
            f"`COPY --from={source}` copies the whole file system of `{source}` onto `/`: "
            "copy only the folders the image needs."
        )
        yield self.violation(raw.keyword_span.start, raw.command_end, message=message)
