"""DLS200: a pragma comment names a rule code that does not exist."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.pragmas import code_names, known_code
from dockerlint_slim.rule import Context, Rule, Violation


class UnknownPragmaCode(Rule):
    """
    ## What it does
    Checks the codes in `# dockerlint-slim: ignore=…`, `ignore-stage=…` and `ignore-file=…`
    comments: each must be `ALL`, a rule's code (`DL3042`), its name (`pip-cache-kept`) or
    the hadolint code it mirrors, in any letter case. The finding points at the unknown
    code and suggests the nearest known one.

    hadolint's own comments (`# hadolint ignore=DL3008`) are not checked: they may name
    hadolint rules that this linter does not have.

    ## Why is this bad?
    A misspelt code (`DL3024` for `DL3042`, `pip-cache-keep`) suppresses nothing, silently:
    the finding it was meant to silence still shows up, or, worse, the comment looks like it
    documents an accepted exception that is not there. A code of a rule that was removed or
    renamed is dead weight that misleads readers.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    # dockerlint-slim: ignore=DL9999
    RUN pip install -r requirements.txt
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    # dockerlint-slim: ignore=DL3042
    RUN pip install -r requirements.txt
    ```

    ## Fix safety
    No fix: the right code cannot be told from a wrong one; the message suggests the
    nearest known code when there is one.

    ## References
    - [ruff: invalid-rule-code (RUF102)](https://docs.astral.sh/ruff/rules/invalid-rule-code/)
    """

    code = "DLS200"
    name = "unknown-pragma-code"
    severity = Severity.WARNING
    message = "A pragma comment names a rule code that does not exist."
    reads_pragmas = True

    def finish(self, ctx: Context) -> Iterable[Violation]:
        if ctx.pragmas is None:
            return
        rules = ctx.catalogue
        names = code_names(rules)
        hints: dict[str, str] = {}  # one look-up per distinct code
        for comment in ctx.pragmas.comments:
            if comment.kind != "own":
                continue
            for entry in comment.codes:
                if known_code(entry.code, rules):
                    continue
                if entry.code not in hints:
                    hints[entry.code] = _hint(entry.code, names)
                yield self.violation(
                    entry.start,
                    entry.end,
                    message=f"Unknown rule code `{entry.code}` in a pragma comment"
                    f"{hints[entry.code]}.",
                )


def _hint(code: str, names: list[str]) -> str:
    import difflib  # only for a code that is not known

    word = code.upper() if code[:1].isalpha() and code[-1:].isdigit() else code.lower()
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""
