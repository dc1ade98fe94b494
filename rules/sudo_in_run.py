"""DL3004: sudo in a RUN."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import RUN_KEYWORDS, shell_commands


class SudoInRun(Rule):
    """
    ## What it does
    Checks for commands run through `sudo` in `RUN` and `ONBUILD RUN`, in every stage.
    Installing the `sudo` package is not reported.

    ## Why is this bad?
    A build step needs no privilege escalation: the Dockerfile chooses its user with
    `USER`. `sudo` has a TTY and a signal handling of its own, reads `/etc/sudoers`
    (which the base image may not have or may change), resets the environment, and fails
    in images without it. If the image ships it, every process of the container can use
    it to become root.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    USER app
    RUN sudo apt-get update
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    RUN apt-get update
    USER app
    ```

    To run a program as another user at run time, use `gosu` or `su-exec` in the
    entrypoint.

    ## Fix safety
    No fix: dropping `sudo` is right only when the step already runs as root; otherwise
    the step has to move before `USER` (or run between `USER root` and `USER app`).

    ## Differences from hadolint
    `sudo` behind another wrapper (`env DEBUG=1 sudo make`, `nice sudo …`) is reported too.

    ## References
    - [Dockerfile best practices: USER](https://docs.docker.com/build/building/best-practices/#user)
    - [gosu](https://github.com/tianon/gosu)
    - [hadolint DL3004](https://github.com/hadolint/hadolint/wiki/DL3004)
    """

    code = "DL3004"
    name = "sudo-in-run"
    severity = Severity.ERROR
    message = "`sudo` in a build step: choose the user with `USER` instead."
    hadolint = ("DL3004",)
    shipped_only = False
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        text = ctx.dockerfile.text
        for cmd in shell_commands(inst):
            if "sudo" not in cmd.wrappers:
                continue
            at = text.find("sudo", cmd.start, cmd.argv[0].start)
            if at < 0:  # `/usr/bin/sudo`: point at the whole prefix
                yield self.violation(cmd.start, cmd.argv[0].start)
            else:
                yield self.violation(at, at + len("sudo"))
