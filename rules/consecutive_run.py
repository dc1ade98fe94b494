"""DL3059: consecutive single-command RUN instructions in a shipped stage."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation


def _single(inst: Instruction) -> bool:
    """A RUN of at most one command (exec form counts as one; a chain or a heredoc does
    not)."""
    return not inst.heredocs and len(inst.commands) <= 1


def _flags(inst: Instruction) -> tuple[tuple[str, str | None], ...]:
    return tuple((f.name, f.value) for f in inst.flags)


class ConsecutiveRun(Rule):
    """
    ## What it does
    Checks for two `RUN` instructions in a row (comments between them allowed) in a stage
    that ships, each running a single command, with the same flags (`--mount`,
    `--network`…). A `RUN` that chains commands (`&&`, `;`) or has a heredoc shows that the
    split was chosen and is not reported.

    ## Why is this bad?
    Every `RUN` adds a layer to the image. Files that one layer writes and a later one
    deletes still ship in the first, and many small layers make pulls slower. Steps that
    belong together in the image you ship are better one `RUN`.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    RUN apt-get update
    RUN apt-get install -y --no-install-recommends libpq5
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    RUN apt-get update && apt-get install -y --no-install-recommends libpq5
    ```

    ## Fix safety
    No fix: joining steps changes how the build cache is reused, a choice left to you.

    ## Differences from hadolint
    Stages that do not ship (builders whose results are copied out) are not checked:
    their layers never reach the image, and separate `RUN`s there are deliberate, to keep
    the build cache of each step.

    ## References
    - [Dockerfile best practices: minimize the number of layers](https://docs.docker.com/build/building/best-practices/#minimize-the-number-of-layers)
    - [hadolint DL3059](https://github.com/hadolint/hadolint/wiki/DL3059)
    """

    code = "DL3059"
    name = "consecutive-run"
    severity = Severity.INFO
    message = "Several `RUN` instructions in a row: consider joining them into one."
    hadolint = ("DL3059",)
    shipped_only = True
    keywords = frozenset({"RUN"})

    def __init__(self) -> None:
        self._previous: Instruction | None = None

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        previous, self._previous = self._previous, inst
        if previous is None or previous.index != inst.index - 1 or previous.stage != inst.stage:
            return
        if _single(previous) and _single(inst) and _flags(previous) == _flags(inst):
            yield self.violation(
                inst.start,
                inst.end,
                related=[(previous.start, previous.end, "the `RUN` before it")],
            )
