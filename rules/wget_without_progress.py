"""DL3047: wget with its default progress display, which floods build logs."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.edits import Edit, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.images import classify
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.shell import Command

from ._common import RUN_KEYWORDS, shell_commands

# GNU wget's short options that take a value (the rest of a cluster is that value)
_SHORT_WITH_VALUE = frozenset("oaOPeiBtTwUQlARDXIY")
# options that keep the progress display out of the log: -q, -nv, a log file (-o, -a)
_QUIET_SHORT = frozenset("qoa")
_QUIET_LONG = ("--quiet", "--no-verbose", "--output-file", "--append-output", "--progress")


def _quiet(cmd: Command) -> bool:
    for arg in cmd.arg_texts:
        if arg == "--":
            return False
        if arg.startswith("--"):
            if arg.split("=", 1)[0] in _QUIET_LONG:
                return True
        elif arg == "-nv":
            return True
        elif arg.startswith("-"):
            for ch in arg[1:]:
                if ch in _QUIET_SHORT:
                    return True
                if ch in _SHORT_WITH_VALUE:
                    break
    return False


class WgetWithoutProgress(Rule):
    """
    ## What it does
    Checks for `wget` in `RUN` and `ONBUILD RUN`, in every stage, without `--progress`,
    `-q` (`--quiet`), `-nv` (`--no-verbose`) or a log file (`-o`, `-a`).

    ## Why is this bad?
    Without a terminal wget draws its progress as a line of dots for every few kilobytes:
    a download of a few hundred megabytes writes thousands of lines into the build log,
    which hides the lines that matter and can exceed the log limits of CI services (and
    BuildKit's own, after which the output is cut).

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN wget https://example.org/big.tar.gz
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    RUN wget --progress=dot:giga https://example.org/big.tar.gz
    ```

    ## Fix safety
    Safe: `--progress=dot:giga` is added after `wget`; it changes only what is logged.
    No fix on Alpine, whose BusyBox `wget` has no `--progress` (use `-q` there).

    ## References
    - [GNU Wget manual: --progress](https://www.gnu.org/software/wget/manual/wget.html#Download-Options)
    - [hadolint DL3047](https://github.com/hadolint/hadolint/wiki/DL3047)
    """

    code = "DL3047"
    name = "wget-without-progress"
    severity = Severity.INFO
    message = "`wget` without `--progress` fills the build log with its progress display."
    fix_title = "Add `--progress=dot:giga`"
    fix_safety = Safety.SAFE
    hadolint = ("DL3047",)
    shipped_only = False
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for cmd in shell_commands(inst):
            if cmd.name != "wget" or _quiet(cmd):
                continue
            program = cmd.argv[0]
            root = list(ctx.dockerfile.lineage(stage))[-1]
            if classify(root.base).libc == "musl":
                yield self.violation(
                    program.start, program.end, note="BusyBox `wget` has no `--progress`: use `-q`"
                )
                continue
            edits = [Edit(program.end, program.end, " --progress=dot:giga")]
            yield self.violation(program.start, program.end, edits=edits)
