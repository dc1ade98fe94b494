"""DL3000: a relative WORKDIR."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import Instruction, Stage, substitute
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import arg_words, own

_WINDOWS_ABSOLUTE = lazy_pattern(r"[A-Za-z]:")


def _absolute(path: str) -> bool:
    return path.startswith("/") or bool(_WINDOWS_ABSOLUTE.match(path))


class WorkdirRelative(Rule):
    """
    ## What it does
    Checks for a `WORKDIR` whose path is relative (does not start with `/`, or with a drive
    letter such as `C:` on Windows images), also inside `ONBUILD`. A path made of variables
    is judged by its value when the `ENV` and `ARG` instructions before it tell it, and
    accepted when they do not.

    ## Why is this bad?
    A relative `WORKDIR` is resolved against the working folder that happens to be in effect:
    the one the previous `WORKDIR` set, or the one the base image set. When the base image
    changes its own `WORKDIR`, the files of every later `COPY` and `RUN` silently land
    somewhere else. An absolute path says where they go.

    Unlike hadolint, a `WORKDIR $APP` whose `APP` is set to a relative path by an earlier
    `ENV` or `ARG` is flagged (hadolint accepts every path that starts with `$`), and so is
    a relative `ONBUILD WORKDIR` (hadolint does not look inside `ONBUILD`).

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    WORKDIR app
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    WORKDIR /app
    ```

    ## Fix safety
    No fix: the folder a relative path resolves to depends on the base image.

    ## References
    - [Dockerfile reference: WORKDIR](https://docs.docker.com/reference/dockerfile/#workdir)
    - [hadolint DL3000](https://github.com/hadolint/hadolint/wiki/DL3000)
    """

    code = "DL3000"
    name = "workdir-relative"
    severity = Severity.ERROR
    message = "`WORKDIR` should be an absolute path."
    fix_title = None
    fix_safety = None
    hadolint = ("DL3000",)
    shipped_only = False
    keywords = frozenset({"WORKDIR", "ONBUILD"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        raw = own(inst)
        if raw.keyword != "WORKDIR":
            return
        words = arg_words(raw, ctx.dockerfile.text, ctx.dockerfile.scan.escape)
        if not words:
            return
        path = " ".join(w.value for w in words)
        if _absolute(path):
            return
        written = " ".join(w.text for w in words)
        if "$" in path:
            value, known = substitute(path, inst.env)
            if not known or not value or _absolute(value):
                return
            message = f"`WORKDIR {written}` is the relative path `{value}`: use an absolute path."
        else:
            message = f"`WORKDIR {written}` is a relative path: use an absolute path."
        yield self.violation(words[0].start, words[-1].end, message=message)
