"""DL3001: commands that make no sense in a build step (ssh, vim, service, ps…)."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import RUN_KEYWORDS, shell_commands

# program -> why it does nothing useful in a build step
_UNFIT = {
    "ssh": "logs in to another machine: fetch what the build needs with a COPY or a secret mount",
    "vim": "is an interactive editor: edit files with `sed` or COPY them",
    "shutdown": "stops a machine: a build step has none to stop",
    "service": "starts a service that ends with the step: start it in CMD or ENTRYPOINT",
    "ps": "lists processes of a step that runs no others",
    "free": "shows the memory of the build machine, not of the container",
    "top": "is an interactive monitor",
    "kill": "signals processes of a step that runs no others",
    "mount": "mounts need privileges a build step lacks: use `RUN --mount`",
    "ifconfig": "shows the build network, not the container's",
}


class ContainerUnfitCommand(Rule):
    """
    ## What it does
    Checks for `ssh`, `vim`, `shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`
    and `ifconfig` run in `RUN` and `ONBUILD RUN`, in every stage.

    ## Why is this bad?
    A build step is not a machine someone logs in to: it runs its commands once, without a
    terminal, and keeps only the files they write. An editor or a monitor waits for input
    that never comes, a service started in a step stops when the step ends, process and
    memory listings describe the build machine, and `mount` needs privileges a build does
    not have. Such commands are usually copied from a shell session and either hang the
    build, fail it, or do nothing.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN service nginx start
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    CMD ["nginx", "-g", "daemon off;"]
    ```

    ## Fix safety
    No fix: what the command was meant to do has to be done another way.

    ## Differences from hadolint
    hadolint's message names `ifconfig` but its check leaves it out; it is checked here.

    ## References
    - [hadolint DL3001](https://github.com/hadolint/hadolint/wiki/DL3001)
    """

    code = "DL3001"
    name = "container-unfit-command"
    severity = Severity.INFO
    message = "This command makes no sense in a build step."
    hadolint = ("DL3001",)
    shipped_only = False
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for cmd in shell_commands(inst):
            why = _UNFIT.get(cmd.name)
            if why is not None:
                word = cmd.argv[0]
                yield self.violation(word.start, word.end, message=f"`{cmd.name}` {why}.")
