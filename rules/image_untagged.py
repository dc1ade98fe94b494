"""DL3006: a FROM image without a tag or digest."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import arg_words


class ImageUntagged(Rule):
    """
    ## What it does
    Checks for a `FROM` whose image has neither a tag nor a digest (`FROM python`). `scratch`
    and the name of an earlier stage (`FROM builder`) need none. An image named by an `ARG`
    is judged by the `ARG`'s default value; an `ARG` without a default is accepted.

    ## Why is this bad?
    Without a tag the image is `:latest`, whatever that is on the day of the build: a new
    major version of Python or of the distribution arrives unannounced, and two builds of
    the same Dockerfile give different images. A tag says which version the file was written
    for; a digest pins it exactly.

    Unlike hadolint, `ARG BASE=python` followed by `FROM $BASE` is flagged: a build without
    `--build-arg` pulls `python:latest`. hadolint accepts every image written as a variable.
    Stage names are matched without regard to case, as BuildKit does (`FROM BASE` after
    `FROM python:3.11 AS base` is that stage); hadolint flags it.

    ## Example
    ```dockerfile
    FROM python
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim-bookworm
    ```

    ## Fix safety
    No fix: which version the file was written for is not known.

    ## References
    - [Dockerfile reference: FROM](https://docs.docker.com/reference/dockerfile/#from)
    - [hadolint DL3006](https://github.com/hadolint/hadolint/wiki/DL3006)
    """

    code = "DL3006"
    name = "image-untagged"
    severity = Severity.WARNING
    message = "The base image has no tag, so the build takes whatever `latest` is today."
    fix_title = None
    fix_safety = None
    hadolint = ("DL3006",)
    shipped_only = False
    keywords = frozenset({"FROM"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        image = stage.base
        if stage.parent is not None or image.is_scratch or image.tag or image.digest:
            return
        if not image.resolved or not image.repository or "$" in image.raw:
            return
        words = arg_words(inst.raw, ctx.dockerfile.text, ctx.dockerfile.scan.escape)
        if not words:
            return
        word = words[0]
        if "$" in word.text:
            message = (
                f"The base image `{word.text}` is `{image.raw}` by default, which has no tag: "
                "the build takes whatever `latest` is today."
            )
        else:
            message = (
                f"The base image `{word.text}` has no tag: "
                "the build takes whatever `latest` is today."
            )
        yield self.violation(word.start, word.end, message=message)
