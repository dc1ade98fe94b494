"""DLS201: a pragma comment names a rule that reports nothing where the pragma applies."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.edits import Edit, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.pragmas import PragmaCode, PragmaComment, known_code, pragma_matches
from dockerlint_slim.rule import Context, Rule, Violation


class UnusedPragma(Rule):
    """
    ## What it does
    Checks the codes of `# dockerlint-slim: ignore=…`, `ignore-stage=…` and `ignore-file=…`
    comments for codes that suppress nothing: the rule they name reports nothing on the
    instruction, stage or file the comment covers, or the comment covers nothing at all (an
    `ignore-stage` that is not directly above a `FROM`, an `ignore` that is not directly
    above an instruction).

    A code is judged only when every rule it names is enabled for the file (`ALL`: every
    rule) and judges the place: a rule turned off by the configuration reports nothing, nor
    does a rule that judges only shipped stages in a builder stage (it would with another
    `--target`), and that says nothing about the pragma. Unknown codes are `DLS200`'s;
    hadolint's own comments are not judged, since they also serve hadolint.

    This rule is opt-in, like ruff's `RUF100`: `ALL` and prefixes do not enable it; select
    it by its code or name (`--extend-select DLS201`).

    ## Why is this bad?
    A suppression outlives its reason: the install was fixed, the rule got smarter, the
    instruction moved. The stale comment then hides the next real finding on that line,
    and tells readers about an exception that no longer exists.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    # dockerlint-slim: ignore=DL3042,DL3009
    RUN pip install -r requirements.txt
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    # dockerlint-slim: ignore=DL3042
    RUN pip install -r requirements.txt
    ```

    ## Fix safety
    Safe: the unused code is removed from the comment (with its comma); a comment whose
    codes are all unused is removed as a whole line. What the comment still suppresses does
    not change.

    ## References
    - [ruff: unused-noqa (RUF100)](https://docs.astral.sh/ruff/rules/unused-noqa/)
    """

    code = "DLS201"
    name = "unused-pragma"
    severity = Severity.INFO
    message = "A pragma comment names a rule that reports nothing where the pragma applies."
    fix_title = "Remove the unused code from the pragma"
    fix_safety = Safety.SAFE
    reads_pragmas = True
    opt_in = True

    def finish(self, ctx: Context) -> Iterable[Violation]:
        pragmas = ctx.pragmas
        if pragmas is None:
            return
        judged = [r for r in ctx.catalogue if not r.reads_pragmas]
        stages = ctx.dockerfile.stages
        for comment in pragmas.comments:
            if comment.kind != "own":
                continue
            # above an instruction of a stage that does not ship, the rules that judge only
            # shipped stages report nothing there: that says nothing about the pragma
            unjudged = comment.scope != "file" and (
                comment.stage is not None and not stages[comment.stage].ships
            )
            unused: list[PragmaCode] = []
            for entry in comment.codes:
                if not known_code(entry.code, ctx.catalogue):
                    continue
                named = [r for r in judged if pragma_matches("own", entry.code, r)]
                if entry.code.upper() == "ALL":  # ALL names the rules ALL selects
                    named = [r for r in named if not r.opt_in]
                if not named:
                    continue  # names only the pragma rules
                if comment.applies and (
                    entry in pragmas.used
                    or any(r.code not in ctx.enabled for r in named)
                    or (unjudged and any(r.shipped_only for r in named))
                ):
                    continue
                unused.append(entry)
            whole = len(unused) == len(comment.codes)
            for entry in unused:
                yield self.violation(
                    entry.start,
                    entry.end,
                    message=_message(entry, comment),
                    edits=[_removal(entry, comment, whole)],
                )


def _message(entry: PragmaCode, comment: PragmaComment) -> str:
    if not comment.applies:
        where = {
            "stage": "an `ignore-stage` comment applies only directly above a `FROM`",
            "instruction": "an `ignore` comment applies only directly above an instruction",
        }.get(comment.scope, "it applies to nothing")
        return f"Unused pragma code `{entry.code}`: {where}."
    scope = {"file": "file", "stage": "stage"}.get(comment.scope, "instruction")
    return f"Unused pragma code `{entry.code}`: nothing to suppress in this {scope}."


def _removal(entry: PragmaCode, comment: PragmaComment, whole: bool) -> Edit:
    """The edit that takes ``entry`` out of its comment: the comment's whole line when no
    used code is left in it, else the code with the comma after it (or, for the last code,
    the comma before it)."""
    if whole:
        return Edit(comment.comment.start, comment.comment.end, "")
    codes = comment.codes
    at = codes.index(entry)
    if at + 1 < len(codes):
        return Edit(entry.start, codes[at + 1].start, "")
    return Edit(codes[at - 1].end, entry.end, "")
