"""DL3034: zypper asks for a confirmation that the build cannot give."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.commands import ToolCall, zypper_call
from dockerlint_slim.edits import Edit, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import RUN_KEYWORDS, shell_commands

# subcommands (and their short forms) that ask before they change packages
_ASKS = frozenset(
    {
        "install",
        "in",
        "remove",
        "rm",
        "source-install",
        "si",
        "patch",
        "update",
        "up",
        "dist-upgrade",
        "dup",
        "install-new-recommends",
        "inr",
    }
)


def _answered(call: ToolCall) -> bool:
    """``-n``/``--non-interactive`` before the subcommand, or ``-y``/``--no-confirm``."""
    before = [w.text for w in call.command.args if w.end <= call.sub_word.start]
    if "-n" in before or "--non-interactive" in before:
        return True
    return call.has("-y", "--no-confirm", "--non-interactive")


class ZypperWithoutYes(Rule):
    """
    ## What it does
    Checks for `zypper` in `RUN` and `ONBUILD RUN`, in every stage, running a subcommand
    that changes packages (`install`, `remove`, `update`, `patch`, `dist-upgrade`,
    `source-install`, and their short forms) without `-y` (`--no-confirm`) or the global
    `-n` (`--non-interactive`) before the subcommand.

    ## Why is this bad?
    Without it, zypper asks "Continue? [y/n/v/...? shows all options] (y)" and waits for
    an answer that a build cannot give; the build fails or hangs.

    ## Example
    ```dockerfile
    FROM opensuse/leap:15.6
    RUN zypper install httpd
    ```

    ## Use instead
    ```dockerfile
    FROM opensuse/leap:15.6
    RUN zypper install -y httpd
    ```

    ## Fix safety
    Safe: `-y` is added after the subcommand. It only answers the confirmation that the
    build could not answer.

    ## Differences from hadolint
    The global `--non-interactive` (`-n`) counts, and `update` and `dist-upgrade` are
    checked too. A `-n` after the subcommand is not taken for a yes, as hadolint takes it:
    there it is `--name` (`zypper install -n httpd` selects by name and still asks).

    ## References
    - [zypper(8)](https://en.opensuse.org/SDB:Zypper_manual)
    - [hadolint DL3034](https://github.com/hadolint/hadolint/wiki/DL3034)
    """

    code = "DL3034"
    name = "zypper-without-yes"
    severity = Severity.WARNING
    message = "zypper asks for a confirmation that the build cannot give."
    fix_title = "Add `-y`"
    fix_safety = Safety.SAFE
    hadolint = ("DL3034",)
    shipped_only = False
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for cmd in shell_commands(inst):
            call = zypper_call(cmd)
            if call is None or call.sub not in _ASKS or _answered(call):
                continue
            sub = call.sub_word
            yield self.violation(
                cmd.argv[0].start,
                sub.end,
                message=f"`zypper {sub.text}` without `-y` stops at its confirmation prompt, "
                "which the build cannot answer.",
                edits=[Edit(sub.end, sub.end, " -y")],
            )
