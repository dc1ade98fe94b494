"""DL3044: an ENV that refers to a variable it sets itself."""

from __future__ import annotations

import re
from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import Instruction, Stage, substitute
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import arg_words, unquote

_NAME = lazy_pattern(r"[A-Za-z_][A-Za-z0-9_]*")
_SINGLE_QUOTED = lazy_pattern(r"'[^']*'")


def _references(value: str, escape: str) -> set[str]:
    """The variables a raw ENV value expands (``$NAME``, ``${NAME}``, ``${NAME:-…}``), not
    those in single quotes or behind the escape character."""
    value = _SINGLE_QUOTED.sub("", value)
    value = value.replace(escape + escape, "").replace(escape + "$", "")
    found = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", value))
    found |= set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", value))
    return found


class EnvSelfReference(Rule):
    """
    ## What it does
    Checks for an `ENV` with several variables where one value refers to a variable that
    the same `ENV` sets (`ENV A=1 B=$A`). Referring to a variable on its own right-hand
    side (`ENV PATH=/app/bin:$PATH`) is fine, unless the same `ENV` sets it twice.

    ## Why is this bad?
    Docker expands every value of an `ENV` with the variables as they were before that
    `ENV`: in `ENV A=1 B=$A`, `B` does not get `1` but the old value of `A`, usually
    nothing. The file reads as if it did.

    Unlike hadolint, a variable set by an earlier `ENV` or `ARG` to a different value is
    flagged too (`ENV A=1` … `ENV A=2 B=$A` gives `B=1`); hadolint accepts every variable
    that was set before. One that was set before to the same value is accepted, and so are
    references that Docker does not expand (`\\$A`, `'$A'`), which hadolint flags.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    ENV APP_HOME=/app APP_DATA=$APP_HOME/data
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    ENV APP_HOME=/app
    ENV APP_DATA=$APP_HOME/data
    ```

    ## Fix safety
    No fix: splitting the `ENV` changes the value the variable gets.

    ## References
    - [Dockerfile reference: ENV](https://docs.docker.com/reference/dockerfile/#env)
    - [Dockerfile reference: environment replacement](https://docs.docker.com/reference/dockerfile/#environment-replacement)
    - [hadolint DL3044](https://github.com/hadolint/hadolint/wiki/DL3044)
    """

    code = "DL3044"
    name = "env-self-reference"
    severity = Severity.ERROR
    message = "A value refers to a variable that the same `ENV` sets."
    fix_title = None
    fix_safety = None
    hadolint = ("DL3044",)
    shipped_only = False
    keywords = frozenset({"ENV"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        df = ctx.dockerfile
        escape = df.scan.escape
        words = arg_words(inst.raw, df.text, escape)
        pairs = []
        for word in words:
            name, eq, value = word.text.partition("=")
            if not eq or not _NAME.fullmatch(name):
                return  # the legacy form `ENV NAME value` sets one variable
            pairs.append((name, value, word))
        if len(pairs) < 2:
            return
        for i, (_, value, word) in enumerate(pairs):
            others = {n: unquote(v, escape) for j, (n, v, _) in enumerate(pairs) if j != i}
            for ref in sorted(_references(value, escape) & set(others)):
                before = inst.env.get(ref)
                if before is not None and before == substitute(others[ref], inst.env)[0]:
                    continue
                was = f"`{before}`" if before else "unset, or the base image's value"
                message = (
                    f"`{word.text.partition('=')[0]}` reads `${ref}` as it was before this "
                    f"`ENV` ({was}), not the value this `ENV` sets."
                )
                yield self.violation(word.start, word.end, message=message)
