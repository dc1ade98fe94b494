"""DL3014: apt-get (or apt) asks for a confirmation that a build cannot give."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.commands import AptCall, apt_call, has_option
from dockerlint_slim.edits import Edit, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Dockerfile, Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import RUN_KEYWORDS, shell_commands

# subcommands that stop at "Do you want to continue? [Y/n]" when they change packages
_ASKS = frozenset(
    {
        "install",
        "reinstall",
        "remove",
        "purge",
        "autoremove",
        "autopurge",
        "upgrade",
        "dist-upgrade",
        "full-upgrade",
        "build-dep",
    }
)
_TRUE = {"1", "true", "yes", "on"}


def _quiet_level(call: AptCall) -> int:
    level = 0
    for t in call.option_texts:
        if t.startswith("--quiet") or t.startswith("-q="):
            value = t.partition("=")[2]
            level = int(value) if value.isdigit() else level + 1
        elif t.startswith("-") and not t.startswith("--") and "=" not in t:
            level += t.count("q")
    return level


def assumes_yes(call: AptCall) -> bool:
    """Whether ``call`` answers its prompts itself: ``-y``, ``--yes``, ``--assume-yes``,
    quiet level 2 (``-qq``, ``-q=2``), or ``-o APT::Get::Assume-Yes=true``."""
    options = call.option_texts
    if has_option(options, "--yes") or has_option(options, "--assume-yes"):
        return True
    for t in options:
        if t.startswith("-") and not t.startswith("--") and "y" in t and "=" not in t:
            return True  # -y, -yq, -qy
    if _quiet_level(call) >= 2:
        return True
    return any(
        k.lower() == "apt::get::assume-yes" and v.strip("\"'").lower() in _TRUE
        for k, v in call.option_value_pairs()
    )


class AptWithoutYes(Rule):
    """
    ## What it does
    Checks for `apt-get` and `apt` subcommands that install, upgrade or remove packages
    (`install`, `reinstall`, `remove`, `purge`, `autoremove`, `upgrade`, `dist-upgrade`,
    `full-upgrade`, `build-dep`) without `-y` (`--yes`, `--assume-yes`), quiet level 2
    (`-qq`, which implies `-y`), `-o APT::Get::Assume-Yes=true`, or an apt configuration
    written earlier in the image that sets `APT::Get::Assume-Yes`. `RUN` and `ONBUILD RUN`
    are checked in every stage, also behind `sudo`.

    ## Why is this bad?
    Without `-y`, apt asks "Do you want to continue? [Y/n]" before it changes anything.
    A build has no terminal to answer: apt reads end-of-file, aborts, and the build fails
    (or, when nothing needed confirming, the file works only by luck and breaks when the
    package list changes).

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install curl
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y curl
    ```

    ## Fix safety
    Safe: `-y` is added after the subcommand. It only answers the confirmation that the
    build could not answer; apt still refuses, without an explicit option, to remove
    essential packages or to downgrade.

    ## Differences from hadolint
    `apt` is checked like `apt-get`, and so are the other subcommands that ask (`remove`,
    `upgrade`, …), not only `install`; `-o APT::Get::Assume-Yes=true` and an apt
    configuration that sets it count as a yes.

    ## References
    - [apt-get(8)](https://manpages.debian.org/bookworm/apt/apt-get.8.en.html)
    - [hadolint DL3014](https://github.com/hadolint/hadolint/wiki/DL3014)
    """

    code = "DL3014"
    name = "apt-without-yes"
    severity = Severity.WARNING
    message = "apt asks for a confirmation that the build cannot give."
    fix_title = "Add `-y`"
    fix_safety = Safety.SAFE
    hadolint = ("DL3014",)
    shipped_only = False
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for cmd in shell_commands(inst):
            call = apt_call(cmd)
            if call is None or call.tool == "aptitude" or call.sub not in _ASKS:
                continue
            if assumes_yes(call) or _configured_yes(inst, stage, ctx):
                continue
            yield self.violation(
                cmd.argv[0].start,
                call.sub_word.end,
                message=f"`{call.tool} {call.sub}` without `-y` stops at its confirmation "
                "prompt, which the build cannot answer.",
                edits=[Edit(call.sub_word.end, call.sub_word.end, " -y")],
            )


def _configured_yes(inst: Instruction, stage: Stage, ctx: Context) -> bool:
    """An earlier RUN or COPY of this image wrote ``APT::Get::Assume-Yes`` to apt's config."""
    first = ctx.once(("DL3014", "configured-yes"), lambda: _first_configured(ctx.dockerfile))
    at = first[stage.index]
    return at is not None and at < inst.index


def _first_configured(df: Dockerfile) -> list[int | None]:
    """For each stage, the index of the first instruction of its image (its own and those of
    the stages it is built FROM) that sets ``APT::Get::Assume-Yes``: read once per file."""
    out: list[int | None] = []
    for stage in df.stages:  # a stage is built FROM an earlier one
        at = out[stage.parent] if stage.parent is not None else None
        if at is None:
            at = next((i.index for i in stage.instructions if _sets_yes(i)), None)
        out.append(at)
    return out


def _sets_yes(inst: Instruction) -> bool:
    if inst.keyword not in ("RUN", "COPY"):
        return False
    value = inst.raw.value + "".join(h.content for h in inst.heredocs)
    low = value.lower()
    at = low.find("apt::get::assume-yes")
    if at < 0:
        return False
    tail = low[at : at + 40]
    return any(f'"{v}"' in tail or f" {v}" in tail or f"={v}" in tail for v in _TRUE)
