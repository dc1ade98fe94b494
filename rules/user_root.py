"""DL3002: the image's last USER is root."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import ROOT_USERS, arg_words, last_user


class UserRoot(Rule):
    """
    ## What it does
    Checks the user the shipped image runs as: reported when the last `USER` of the image
    (in the target stage or a stage it is built `FROM`) is `root` or `0` (with or without a
    group: `root:root`, `0:0`), also when a variable names it. An image with no `USER` at
    all is reported by DLS008 (`runs-as-root`).

    ## Why is this bad?
    A process running as root inside a container is root on the files and devices it can
    reach: a bug in the application, or in one of its dependencies, becomes a root shell,
    and a container escape starts with full rights. Switch back to an unprivileged user
    after the steps that need root.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    RUN useradd --system --no-log-init app
    USER app
    RUN pip install --user flask
    USER root
    CMD ["python", "-m", "flask", "run"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    RUN useradd --system --no-log-init app
    USER app
    RUN pip install --user flask
    CMD ["python", "-m", "flask", "run"]
    ```

    ## Fix safety
    No fix: which user the application should run as is not known here.

    ## Differences from hadolint
    Only the image that ships is judged: a builder stage that ends as root is not reported,
    since its user never runs the application, nor is a `USER root` in a base stage that
    the shipped stage follows with another `USER`. hadolint reports the last `USER root` of
    every stage. A user named by a variable whose `ARG` or `ENV` value is `root` or `0` is
    flagged too.

    ## References
    - [Docker: best practices, USER](https://docs.docker.com/build/building/best-practices/#user)
    - [hadolint DL3002](https://github.com/hadolint/hadolint/wiki/DL3002)
    """

    code = "DL3002"
    name = "user-root"
    severity = Severity.WARNING
    message = "The last `USER` of the image is root."
    fix_title = None
    fix_safety = None
    hadolint = ("DL3002",)
    shipped_only = True
    keywords = frozenset({"USER"})

    def finish(self, ctx: Context) -> Iterable[Violation]:
        df = ctx.dockerfile
        target = df.target
        found = last_user(df, target) if target is not None else None
        if found is None:
            return
        inst, user, known = found
        if not known or user not in ROOT_USERS:
            return
        words = arg_words(inst.raw, df.text, df.scan.escape)
        written = words[0].text if words else user
        shown = f"`{written}`" + (f" (`{user}`)" if "$" in written else "")
        message = f"The image runs as root: its last `USER` is {shown}."
        start, end = (words[0].start, words[0].end) if words else (inst.start, inst.end)
        yield self.violation(start, end, message=message)
