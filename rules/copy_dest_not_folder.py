"""DL3021: COPY or ADD of several sources to a destination without a trailing slash."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.edits import Edit, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage, substitute
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import copy_operands, own


class CopyDestNotFolder(Rule):
    """
    ## What it does
    Checks for `COPY` and `ADD` with more than one source (heredocs count) whose destination
    does not end with `/`, also inside `ONBUILD`. A destination named by a variable is judged
    by its value when the `ENV` and `ARG` instructions before it tell it.

    ## Why is this bad?
    With several sources the destination must be a folder, and Docker's reference requires
    it to be written as one, with a trailing `/`: the classic builder refuses the file
    (`When using COPY with more than one source file, the destination must be a directory
    and end with a /`), and the slash tells the reader that the sources go into a folder.

    Unlike hadolint, `.` and `..` are accepted (Docker reads them as folders), a variable
    destination whose value is not known is accepted, heredocs count as sources, and `ADD`
    and `ONBUILD COPY` are checked too (the same requirement applies). In a file whose
    escape character is the backtick (Windows images), a destination ending with `\\`
    (`C:\\`) is a folder too.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    COPY requirements.txt setup.py /app
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    COPY requirements.txt setup.py /app/
    ```

    ## Fix safety
    Safe: a `/` is added at the end of the destination (inside its quotes). With several
    sources the destination is a folder either way.

    ## References
    - [Dockerfile reference: COPY](https://docs.docker.com/reference/dockerfile/#copy)
    - [hadolint DL3021](https://github.com/hadolint/hadolint/wiki/DL3021)
    """

    code = "DL3021"
    name = "copy-dest-not-folder"
    severity = Severity.ERROR
    message = "With more than one source, the destination must end with `/`."
    fix_title = "Add `/` to the end of the destination"
    fix_safety = Safety.SAFE
    hadolint = ("DL3021",)
    shipped_only = False
    keywords = frozenset({"COPY", "ADD", "ONBUILD"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        raw = own(inst)
        if raw.keyword not in ("COPY", "ADD"):
            return
        df = ctx.dockerfile
        operands = copy_operands(raw, df.text, df.scan.escape)
        if len(operands) < 3:
            return
        dest, start, end = operands[-1]
        value = dest
        if "$" in dest:
            value, known = substitute(dest, inst.env)
            if not known:
                return
        separators = ("/", "\\") if df.scan.escape == "`" else ("/",)
        if not value or value.endswith(separators) or value in (".", ".."):
            return
        written = df.text[start:end]
        at = end - 1 if written[-1:] in ("'", '"') and len(written) > 1 else end
        message = (
            f"`{raw.keyword}` with {len(operands) - 1} sources copies into a folder: "
            f"write the destination as `{dest}/`."
        )
        fix = [Edit(at, at, "/")] if start < end else []
        yield self.violation(start, end, message=message, edits=fix)
