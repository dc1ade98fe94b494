"""DL3045: COPY or ADD to a relative destination before any WORKDIR."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import Dockerfile, Instruction, Stage, substitute
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import copy_operands, own

_WINDOWS_ABSOLUTE = lazy_pattern(r"[A-Za-z]:[\\/]")


def _workdirs(df: Dockerfile) -> list[tuple[int | None, bool, bool]]:
    """For each stage: the index of its first ``WORKDIR`` (None: none), whether it or an
    ``ONBUILD WORKDIR`` appears anywhere in it, and whether one appears in a stage it is
    built FROM; read once per file (a stage is built FROM an earlier one)."""
    out: list[tuple[int | None, bool, bool]] = []
    for stage in df.stages:
        first = next((i.index for i in stage.instructions if i.keyword == "WORKDIR"), None)
        any_kind = first is not None or any(own(i).keyword == "WORKDIR" for i in stage.instructions)
        parent = out[stage.parent] if stage.parent is not None else None
        inherited = parent is not None and (parent[1] or parent[2])
        out.append((first, any_kind, inherited))
    return out


class CopyRelativeWithoutWorkdir(Rule):
    """
    ## What it does
    Checks for `COPY` and `ADD` to a relative destination (`COPY . .`, `COPY app.py app/`)
    in a stage where no `WORKDIR` came before, neither in the stage nor in a stage it is
    built `FROM`. Inside `ONBUILD`, a `WORKDIR` anywhere in the stage counts (the trigger
    runs later, in the child image). A destination written as a variable is judged by its
    value when the `ENV` and `ARG` instructions before it tell it.

    ## Why is this bad?
    A relative destination is resolved against the working folder of the base image, which
    is usually `/`: `COPY . .` spreads the project over the image's root folder, next to
    `/etc` and `/usr`. Set the folder with `WORKDIR` first, so that the destination is
    where it reads.

    Unlike hadolint, `ADD` and `ONBUILD COPY` are checked too, and a variable destination
    whose value is known to be relative is flagged.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    COPY . .
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    WORKDIR /app
    COPY . .
    ```

    ## Fix safety
    No fix: which folder the files belong in is not known.

    ## Differences from hadolint
    A destination is read as BuildKit reads it, with the file's escape token. With the
    default escape `\\`, an unquoted `c:\\system32\\app.exe` is `c:system32app.exe`, a path
    relative to the current folder of drive C, and is flagged; hadolint takes it as
    absolute. Write `c:/system32/app.exe` or `"c:\\system32\\app.exe"`, or make the
    backtick the escape token with the `escape` parser directive.

    ## References
    - [Dockerfile reference: WORKDIR](https://docs.docker.com/reference/dockerfile/#workdir)
    - [hadolint DL3045](https://github.com/hadolint/hadolint/wiki/DL3045)
    """

    code = "DL3045"
    name = "copy-relative-without-workdir"
    severity = Severity.WARNING
    message = "`COPY` to a relative destination before any `WORKDIR`."
    fix_title = None
    fix_safety = None
    hadolint = ("DL3045",)
    shipped_only = False
    keywords = frozenset({"COPY", "ADD", "ONBUILD"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        raw = own(inst)
        if raw.keyword not in ("COPY", "ADD"):
            return
        df = ctx.dockerfile
        table = ctx.once(("DL3045", "workdirs"), lambda: _workdirs(df))
        onbuild = raw is not inst.raw
        first, anywhere, inherited = table[stage.index]
        if inherited or (anywhere if onbuild else first is not None and first < inst.index):
            return
        operands = copy_operands(raw, df.text, df.scan.escape)
        if len(operands) < 2:
            return
        dest, start, end = operands[-1]
        value = dest
        if "$" in dest:
            value, known = substitute(dest, inst.env)
            if not known or not value:
                return
        if value.startswith(("/", "\\")) or _WINDOWS_ABSOLUTE.match(value):
            return
        message = (
            f"`{raw.keyword}` to the relative destination `{dest}` with no `WORKDIR` set: "
            "it lands in the base image's working folder, usually `/`."
        )
        yield self.violation(start, end, message=message)
