"""DL3046: useradd with a high UID and without -l (--no-log-init)."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.commands import useradd_call
from dockerlint_slim.edits import Edit, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage, substitute
from dockerlint_slim.rule import Context, Rule, Violation

_HIGH = 100_000  # six digits: the lastlog file grows past 29 MB


class UseraddWithoutNoLogInit(Rule):
    """
    ## What it does
    Checks for `useradd` with a UID of six digits or more (`-u 123456`, `--uid=123456`,
    also from a variable whose value is known) and without `-l` (`--no-log-init`).

    ## Why is this bad?
    `useradd` records the new user in `/var/log/lastlog` and `/var/log/faillog`, files
    indexed by UID. On the host they are sparse, but image layers do not keep holes: with
    UID 123456 the layer gets a `lastlog` of about 36 MB of zeros. `-l` leaves the user out
    of those logs, which a container never reads.

    Unlike hadolint, `--uid=…` and `--uid …` are read as well as `-u`, `useradd` behind
    `sudo` is checked, and a UID from a variable is judged by its value (hadolint counts
    the characters of `"$UID"`); one whose value is not known is accepted.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    RUN useradd -u 123456 app
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    RUN useradd -l -u 123456 app
    ```

    ## Fix safety
    Safe: `-l` is added after `useradd`; the account is the same, only the login records
    are not written.

    ## References
    - [Docker: best practices, USER](https://docs.docker.com/build/building/best-practices/#user)
    - [useradd(8)](https://manpages.debian.org/useradd.8)
    - [hadolint DL3046](https://github.com/hadolint/hadolint/wiki/DL3046)
    """

    code = "DL3046"
    name = "useradd-without-no-log-init"
    severity = Severity.WARNING
    message = "`useradd` with a high UID and without `-l` makes the image much larger."
    fix_title = "Add `-l` (`--no-log-init`) to `useradd`"
    fix_safety = Safety.SAFE
    hadolint = ("DL3046",)
    shipped_only = False
    keywords = frozenset({"RUN"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for cmd in inst.commands:
            call = useradd_call(cmd)
            if call is None or call.tool != "useradd":
                continue
            if call.option("-l", "--no-log-init") is not None:
                continue
            uid = call.option("-u", "--uid")
            if not uid:
                continue
            value, known = substitute(uid, inst.shell_env)
            if not known or not value.isdigit() or int(value) < _HIGH:
                continue
            size = int(value) * 292 // 1_000_000
            message = (
                f"`useradd` with UID {value} and without `-l` writes a `/var/log/lastlog` of "
                f"about {size} MB into the layer."
            )
            at = cmd.argv[0].end
            yield self.violation(cmd.start, cmd.end, message=message, edits=[Edit(at, at, " -l")])
