"""DL3024: two stages with the same name."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

_ALIAS = lazy_pattern(r"\s[aA][sS]\s+(\S+)\s*$")


class DuplicateStageName(Rule):
    """
    ## What it does
    Checks for a `FROM … AS name` whose name an earlier stage already has. Stage names are
    case-insensitive: `AS Build` and `AS build` are the same name.

    ## Why is this bad?
    Docker refuses a file with two stages of the same name, and even where a builder
    accepted one, `COPY --from=name`, `FROM name` and `--target name` could only mean one
    of them. It is usually a stage copied to make a new one and not renamed.

    ## Example
    ```dockerfile
    FROM python:3.12 AS build
    RUN pip wheel --wheel-dir /wheels -r requirements.txt
    FROM node:22 AS build
    RUN npm ci && npm run build
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12 AS build-python
    RUN pip wheel --wheel-dir /wheels -r requirements.txt
    FROM node:22 AS build-assets
    RUN npm ci && npm run build
    ```

    ## Fix safety
    No fix is offered: the other references to the name would have to change too.

    ## Differences from hadolint
    Names that differ only in letter case (`AS Build` and `AS build`) are the same stage
    name for Docker, and are reported; hadolint compares them case-sensitively.

    ## References
    - [Dockerfile reference: FROM](https://docs.docker.com/reference/dockerfile/#from)
    - [hadolint DL3024](https://github.com/hadolint/hadolint/wiki/DL3024)
    """

    code = "DL3024"
    name = "duplicate-stage-name"
    severity = Severity.ERROR
    message = "Two stages have the same name."
    hadolint = ("DL3024",)
    keywords = frozenset({"FROM"})

    def __init__(self) -> None:
        self.first: dict[str, tuple[int, int, int]] = {}  # name -> (start, end, line)

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        if stage.alias is None:
            return
        start, end = _alias_span(inst, ctx.dockerfile.text)
        first = self.first.get(stage.alias)
        if first is None:
            self.first[stage.alias] = (start, end, inst.line)
            return
        yield self.violation(
            start,
            end,
            f"Stage name `{stage.alias}` is already used by the stage on line {first[2]}.",
            related=[(first[0], first[1], "first used here")],
        )


def _alias_span(inst: Instruction, text: str) -> tuple[int, int]:
    """The offsets of the stage name of a ``FROM … AS name`` (the keyword's when it is
    written across lines in a way this does not follow)."""
    raw = inst.raw
    m = _ALIAS.search(text, raw.args_start - 1, raw.command_end)
    if m is None:
        return raw.keyword_span.start, raw.keyword_span.end
    return m.start(1), m.end(1)
