"""DL4006: a RUN with a pipe in a shell without ``pipefail``."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from dockerlint_slim.edits import Edit, Safety, line_ending
from dockerlint_slim.findings import Severity
from dockerlint_slim.images import classify
from dockerlint_slim.model import Dockerfile, Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.shell import Command

# shells whose `-o pipefail` hadolint and this rule trust (sh may be dash, which lacks it)
_PIPEFAIL_SHELLS = frozenset({"bash", "zsh", "ash", "ksh", "mksh"})
_NON_POSIX = ("pwsh", "powershell", "cmd")
# base images whose package manager says which shell they have
_BASH_MANAGERS = frozenset({"apt", "dnf", "yum", "microdnf", "tdnf"})


def _sets_pipefail(args: Iterable[str]) -> bool:
    """``-o pipefail`` among ``args``, also as the value of a cluster (``-euo pipefail``)."""
    previous = ""
    for arg in args:
        if arg == "pipefail" and previous.startswith("-") and previous.endswith("o"):
            return True
        previous = arg
    return False


def _shell_state(inst: Instruction) -> str:
    """What a ``SHELL`` instruction sets: "pipefail", "non-posix" or "plain"."""
    args = inst.exec_args or ()
    if not args:
        return "plain"
    program = posixpath.basename(args[0].replace("\\", "/")).lower()
    if program.startswith(_NON_POSIX):
        return "non-posix"
    if program in _PIPEFAIL_SHELLS and _sets_pipefail(args[1:]):
        return "pipefail"
    return "plain"


def _shell_states(df: Dockerfile) -> dict[int, str]:
    """The SHELL in force at each RUN of the file (by instruction index), a stage starting
    with the SHELL of the stage it is built FROM: read once per file."""
    out: dict[int, str] = {}
    ends: list[str] = []
    for stage in df.stages:  # a stage is built FROM an earlier one
        state = ends[stage.parent] if stage.parent is not None else "plain"
        if stage.parent is None and classify(stage.base).variant == "windows":
            state = "non-posix"  # cmd.exe
        for inst in stage.instructions:
            if inst.keyword == "SHELL":
                state = _shell_state(inst)
            elif inst.keyword == "RUN":
                out[inst.index] = state
        ends.append(state)
    return out


def _pipefail_before(commands: tuple[Command, ...], at: int) -> bool:
    """A ``set -o pipefail`` (``set -euo pipefail``) among the commands starting before
    offset ``at``."""
    return any(c.name == "set" and c.start < at and _sets_pipefail(c.arg_texts) for c in commands)


def _fix_shell(stage: Stage, df: Dockerfile) -> str | None:
    """The shell to put in the SHELL the fix inserts: bash where the base has it, busybox's
    ash on Alpine, none for an image this rule cannot tell (distroless, scratch, a private
    image)."""
    root = list(df.lineage(stage))[-1]
    info = classify(root.base)
    if info.variant in ("distroless", "windows") or info.family in ("scratch", "unknown"):
        return None
    if info.package_manager == "apk" or info.distro == "alpine" or info.libc == "musl":
        return "/bin/ash"
    if info.package_manager in _BASH_MANAGERS or info.family in ("nvidia-cuda", "pytorch"):
        return "/bin/bash"
    return None


class PipeWithoutPipefail(Rule):
    """
    ## What it does
    Checks for a `RUN` (shell form, heredoc bodies included) that runs a pipeline
    (`curl … | tar x`) in a shell without `pipefail`: no `SHELL` with `-o pipefail` (bash,
    zsh, ash or ksh) in force for the stage and no `set -o pipefail` earlier in the same
    `RUN`. A `SHELL` of the stage a stage is built FROM counts; a stage on Windows or with a
    PowerShell or `cmd` `SHELL` is not checked.

    ## Why is this bad?
    The exit status of a pipeline is that of its last command. In
    `RUN wget -O - https://example.org/install.sh | sh` a failed download still gives a
    successful step (`sh` reads nothing and exits 0), and the build goes on with an image
    that lacks what the step was meant to install. With `pipefail` the pipeline fails when
    any of its commands fails.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN wget -O - https://example.org/archive.tar.gz | tar -xz -C /opt
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    RUN wget -O - https://example.org/archive.tar.gz | tar -xz -C /opt
    ```

    On Alpine (busybox, no bash) use `SHELL ["/bin/ash", "-o", "pipefail", "-c"]`.

    ## Fix safety
    Unsafe: the fix inserts `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` (on Alpine
    `SHELL ["/bin/ash", "-o", "pipefail", "-c"]`) before the first such `RUN` of the
    stage, so every later `RUN` of the stage runs in that shell: bash instead of the base
    image's `/bin/sh` (dash on Debian), and a pipeline whose first command is stopped early
    (`yes | head -1`, `grep -q` reading from a pipe) now fails. No fix when the base image
    is not known to have bash or ash (distroless, scratch, a private image).

    ## Differences from hadolint
    - A `set -o pipefail` in the same `RUN` before the pipe counts: if the shell does not
      know it, the step fails loudly, so nothing is hidden.
    - A stage built FROM another stage keeps that stage's `SHELL`, as Docker does;
      hadolint starts every stage afresh.
    - A shell is recognised by its name wherever it lives (`/usr/local/bin/zsh`), which
      hadolint 2.15.1 does not do.

    ## References
    - [Dockerfile best practices: using pipes](https://docs.docker.com/build/building/best-practices/#using-pipes)
    - [Dockerfile reference: SHELL](https://docs.docker.com/reference/dockerfile/#shell)
    - [hadolint DL4006](https://github.com/hadolint/hadolint/wiki/DL4006)
    """

    code = "DL4006"
    name = "pipe-without-pipefail"
    severity = Severity.WARNING
    message = "This pipe runs without `pipefail`: a failure before its last command is hidden."
    fix_title = "Set `SHELL` with `-o pipefail` before this `RUN`"
    fix_safety = Safety.UNSAFE
    hadolint = ("DL4006",)
    shipped_only = False
    keywords = frozenset({"RUN"})

    def __init__(self) -> None:
        self._fixed_stages: set[int] = set()

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        piped = next((c for c in inst.commands if c.piped), None)
        if piped is None:
            return
        states = ctx.once(("DL4006", "shells"), lambda: _shell_states(ctx.dockerfile))
        if states.get(inst.index, "plain") != "plain":
            return
        if _pipefail_before(inst.commands, piped.start):
            return
        edits: list[Edit] = []
        note = None
        if stage.index not in self._fixed_stages:
            self._fixed_stages.add(stage.index)
            shell = _fix_shell(stage, ctx.dockerfile)
            if shell is None:
                note = "the base image is not known to have bash or ash"
            else:
                text = ctx.dockerfile.text
                line_start = text.rfind("\n", 0, inst.start) + 1
                indent = text[line_start : inst.start]
                if indent.strip():  # not at the start of its line: leave it
                    note = "the `RUN` does not start its line"
                else:
                    eol = line_ending(text)
                    line = f'SHELL ["{shell}", "-o", "pipefail", "-c"]{eol}{indent}'
                    edits = [Edit(inst.start, inst.start, line)]
        yield self.violation(piped.start, piped.end, edits=edits, note=note)
