"""DL3003: cd in a RUN instead of WORKDIR."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import RUN_KEYWORDS, shell_commands


class CdInRun(Rule):
    """
    ## What it does
    Checks for `cd` in `RUN` and `ONBUILD RUN`, in every stage.

    ## Why is this bad?
    A `cd` lasts only until the end of its `RUN`: the next instruction starts again in the
    `WORKDIR`. Files that later steps expect in the folder are easy to misplace, and
    `RUN cd /app && …` repeated on many lines hides where each step runs. `WORKDIR` sets
    the folder for every following instruction (and for the container), creates it if
    needed, and is visible in the image's configuration.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    COPY . /app
    RUN cd /app && pip install --no-cache-dir .
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    WORKDIR /app
    COPY . .
    RUN pip install --no-cache-dir .
    ```

    For a step that really works in another folder for a moment (a source tree unpacked
    in `/tmp`), a subshell `(cd /tmp/src && make install)` or `make -C /tmp/src` says so;
    ignore this rule for that line with `# dockerlint-slim: ignore=DL3003`.

    ## Fix safety
    No fix: moving the folder into a `WORKDIR` also changes where every later instruction
    and the container run.

    ## Differences from hadolint
    `ONBUILD RUN` triggers are checked too, and a `cd` in a heredoc body is reported at its
    own line.

    ## References
    - [Dockerfile reference: WORKDIR](https://docs.docker.com/reference/dockerfile/#workdir)
    - [hadolint DL3003](https://github.com/hadolint/hadolint/wiki/DL3003)
    """

    code = "DL3003"
    name = "cd-in-run"
    severity = Severity.WARNING
    message = "`cd` changes the folder for this `RUN` only: use `WORKDIR` to switch folders."
    hadolint = ("DL3003",)
    shipped_only = False
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for cmd in shell_commands(inst):
            if cmd.argv[0].text == "cd":
                yield self.violation(cmd.argv[0].start, cmd.argv[0].end)
