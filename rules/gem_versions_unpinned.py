"""DL3028: gem install of gems without a pinned version."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.commands import gem_call
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.shell import Word

from ._common import RUN_KEYWORDS, names_list, operand_values, shell_commands


def _pinned(gem: str) -> bool:
    """``gem:version`` or a local ``.gem`` file."""
    return ":" in gem or gem.endswith(".gem")


def _option_value(word: Word, args: tuple[Word, ...]) -> bool:
    """``true``/``false`` after an option (``--use-system-libraries true``): the option's
    value, not a gem."""
    if word.text not in ("true", "false"):
        return False
    at = next(i for i, w in enumerate(args) if w is word)
    return at > 0 and args[at - 1].text.startswith("--")


class GemVersionsUnpinned(Rule):
    """
    ## What it does
    Checks for `gem install` (`gem i`) in `RUN` and `ONBUILD RUN`, in every stage, that
    names a gem without a version (`bundler:2.5.16`) and without `-v` (`--version`),
    which pins every gem of the command. A local `.gem` file counts as pinned; the words
    after `--` are build options, not gems.

    ## Why is this bad?
    Without a version, every build installs the newest release of the day: two builds of
    the same Dockerfile differ, and a new release can break the image without any change
    to the Dockerfile.

    ## Example
    ```dockerfile
    FROM ruby:3.3-slim
    RUN gem install bundler
    ```

    ## Use instead
    ```dockerfile
    FROM ruby:3.3-slim
    RUN gem install bundler:2.5.16
    ```

    ## Fix safety
    No fix: the version to pin is the one you have tested, which only you know.

    ## Differences from hadolint
    A local `.gem` file is not reported (its version is in the file), and `true`/`false`
    after an option is taken for the option's value.

    ## References
    - [gem install](https://guides.rubygems.org/command-reference/#gem-install)
    - [hadolint DL3028](https://github.com/hadolint/hadolint/wiki/DL3028)
    """

    code = "DL3028"
    name = "gem-versions-unpinned"
    severity = Severity.WARNING
    message = "gem installs gems without a pinned version."
    hadolint = ("DL3028",)
    shipped_only = False
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for cmd in shell_commands(inst):
            call = gem_call(cmd)
            if call is None or call.sub not in ("install", "i") or call.has("-v", "--version"):
                continue
            gems = [w for w in call.operands if not _option_value(w, cmd.args)]
            loose = [(w, p) for w, p in operand_values(gems, inst) if not _pinned(p)]
            if loose:
                names = names_list([p for _, p in loose], 3)
                yield self.violation(
                    loose[0][0].start,
                    loose[0][0].end,
                    message=f"gem installs {names} without a pinned version (`gem:version`).",
                )
