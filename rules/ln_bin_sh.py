"""DL4005: /bin/sh replaced with ln instead of choosing the shell with SHELL."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import RUN_KEYWORDS, shell_commands

_SH = frozenset({"/bin/sh", "/usr/bin/sh"})


class LnBinSh(Rule):
    """
    ## What it does
    Checks for `ln` in `RUN` and `ONBUILD RUN`, in every stage, that makes `/bin/sh` (or
    `/usr/bin/sh`) a link to another program: `ln -sf /bin/bash /bin/sh`.

    ## Why is this bad?
    Replacing `/bin/sh` changes the shell of every program in the image that runs
    `/bin/sh`: package maintainer scripts, `system()` calls, scripts written for a POSIX
    shell. It usually only wants the `RUN` instructions to run in bash, which is what the
    `SHELL` instruction is for; `SHELL` changes nothing outside the build steps.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN ln -sf /bin/bash /bin/sh
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    SHELL ["/bin/bash", "-c"]
    ```

    ## Fix safety
    No fix: the image's programs may rely on the changed `/bin/sh`.

    ## Differences from hadolint
    hadolint reports any `ln` that names `/bin/sh`, also one that links another name to
    it (`ln -s /bin/sh /usr/local/bin/sh`), which leaves `/bin/sh` alone; only a link
    written at `/bin/sh` (or at `/usr/bin/sh`, the same file on merged-`/usr` systems) is
    reported here, also in `ONBUILD RUN`.

    ## References
    - [Dockerfile reference: SHELL](https://docs.docker.com/reference/dockerfile/#shell)
    - [hadolint DL4005](https://github.com/hadolint/hadolint/wiki/DL4005)
    """

    code = "DL4005"
    name = "ln-bin-sh"
    severity = Severity.WARNING
    message = "`ln` replaces `/bin/sh`: use `SHELL` to choose the shell of `RUN`."
    hadolint = ("DL4005",)
    shipped_only = False
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for cmd in shell_commands(inst):
            if cmd.name != "ln":
                continue
            operands = [w for w in cmd.args if not w.text.startswith("-")]
            if len(operands) >= 2 and operands[-1].text.rstrip("/") in _SH:
                yield self.violation(cmd.argv[0].start, operands[-1].end)
