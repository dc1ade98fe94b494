"""DL3015: apt installs recommended packages in a shipped stage."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.commands import apt_call, has_option
from dockerlint_slim.edits import Edit, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Dockerfile, Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import RUN_KEYWORDS, shell_commands

_OFF = {"0", "false", "no", "off"}


class AptInstallRecommends(Rule):
    """
    ## What it does
    Checks for `apt-get install` or `apt install` in a `RUN` or `ONBUILD RUN` of a stage
    that ships without `--no-install-recommends` (or `-o APT::Install-Recommends=false`, or
    an apt configuration written earlier in the stage that turns recommends off).

    Stages built on a Windows image are not judged: there is no apt there.

    ## Why is this bad?
    By default apt also installs every package that an installed package merely
    *recommends*. For a server image these are mostly documentation, extra tools and
    libraries nothing loads; they often double the size of what was asked for.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    RUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix safety
    Unsafe: the fix adds `--no-install-recommends`, so recommended packages are no longer
    installed. Usually nothing needs them, but an application may rely on one without
    knowing (for example `ca-certificates`, which many packages only recommend). Applied
    with `--unsafe-fixes`.

    ## Differences from hadolint
    An `ONBUILD RUN` of a stage that does not ship is not reported: its trigger runs only
    when another stage is built FROM it, and such a stage would ship.

    ## References
    - [Debian Policy: Recommends](https://www.debian.org/doc/debian-policy/ch-relationships.html)
    - [hadolint DL3015](https://github.com/hadolint/hadolint/wiki/DL3015)
    """

    code = "DL3015"
    name = "apt-install-recommends"
    severity = Severity.INFO
    message = "apt installs recommended packages as well."
    fix_title = "Add `--no-install-recommends`"
    fix_safety = Safety.UNSAFE
    hadolint = ("DL3015",)
    shipped_only = True
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        commands = shell_commands(inst)
        if not commands or stage.windows or _configured_off(inst, stage, ctx):
            return
        for cmd in commands:
            call = apt_call(cmd)
            if call is None or call.sub != "install":
                continue
            options = call.option_texts
            if has_option(options, "--no-install-recommends"):
                continue
            if call.tool == "aptitude" and (
                has_option(options, "--without-recommends", short="-R")
            ):
                continue
            if any(
                k.lower() == "apt::install-recommends" and v.strip("\"'").lower() in _OFF
                for k, v in call.option_value_pairs()
            ):
                continue
            yield self.violation(
                cmd.argv[0].start,
                call.sub_word.end,
                edits=[Edit(call.sub_word.end, call.sub_word.end, " --no-install-recommends")],
            )


def _configured_off(inst: Instruction, stage: Stage, ctx: Context) -> bool:
    """An earlier RUN of this image wrote ``APT::Install-Recommends "0"`` to apt's config."""
    first = ctx.once(("DL3015", "configured-off"), lambda: _first_configured_off(ctx.dockerfile))
    at = first[stage.index]
    return at is not None and at < inst.index


def _first_configured_off(df: Dockerfile) -> list[int | None]:
    """For each stage, the index of the first instruction of its image (its own and those of
    the stages it is built FROM) that turns recommends off, or None: read once per file."""
    out: list[int | None] = []
    for stage in df.stages:  # a stage is built FROM an earlier one
        at = out[stage.parent] if stage.parent is not None else None
        if at is None:
            at = next((i.index for i in stage.instructions if _turns_off(i)), None)
        out.append(at)
    return out


def _turns_off(inst: Instruction) -> bool:
    if inst.keyword not in ("RUN", "COPY"):
        return False
    value = inst.raw.value + "".join(h.content for h in inst.heredocs)
    low = value.lower()
    at = low.find("install-recommends")
    if at < 0:
        return False
    tail = low[at : at + 40]
    return any(f'"{v}"' in tail or f" {v}" in tail or f"={v}" in tail for v in _OFF)
