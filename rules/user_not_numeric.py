"""DL3066: a USER given by name instead of a numeric UID."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage, substitute
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import arg_words, own


class UserNotNumeric(Rule):
    """
    ## What it does
    Checks for a `USER` that names the user (`USER app`, `USER app:app`) instead of a
    numeric UID (`USER 10001`, `USER 10001:10001`), also inside `ONBUILD`. A user written
    as a variable is judged by its value when the `ENV` and `ARG` instructions before it
    tell it, and accepted when they do not.

    Unlike hadolint, which flags every `USER $VAR`, a variable is judged by its value: an
    `ARG UID=10001` makes `USER $UID` numeric, and an `ARG` without a default (a UID given
    with `--build-arg`) is accepted.

    ## Why is this bad?
    A name means something only inside the image's `/etc/passwd`. Outside it, tools cannot
    tell which user the container runs as: Kubernetes' `runAsNonRoot` refuses an image
    whose user is a name ("cannot verify user is non-root"), and files written to volumes
    belong to a UID the host may give to someone else.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    RUN useradd --system --uid 10001 app
    USER app
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    RUN useradd --system --uid 10001 app
    USER 10001
    ```

    ## Fix safety
    No fix: the UID of the account is known only inside the image.

    ## References
    - [Dockerfile reference: USER](https://docs.docker.com/reference/dockerfile/#user)
    - [Kubernetes: security context, runAsNonRoot](https://kubernetes.io/docs/tasks/configure-pod-container/security-context/)
    - [hadolint DL3066](https://github.com/hadolint/hadolint/wiki/DL3066)
    """

    code = "DL3066"
    name = "user-not-numeric"
    severity = Severity.INFO
    message = "`USER` names the user instead of a numeric UID."
    fix_title = None
    fix_safety = None
    hadolint = ("DL3066",)
    shipped_only = False
    keywords = frozenset({"USER", "ONBUILD"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        raw = own(inst)
        if raw.keyword != "USER":
            return
        words = arg_words(raw, ctx.dockerfile.text, ctx.dockerfile.scan.escape)
        if not words:
            return
        word = words[0]
        user = word.value
        if "$" in user:
            user, known = substitute(user, inst.env)
            if not known:
                return
        uid = user.split(":")[0]
        if uid.isdigit() or not uid:
            return
        message = (
            f"`USER {word.text}` names the user `{uid}`: tools outside the image cannot tell "
            "its UID."
        )
        yield self.violation(word.start, word.end, message=message)
