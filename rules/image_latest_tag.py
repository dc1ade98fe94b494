"""DL3007: a FROM image tagged `latest`."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import arg_words


class ImageLatestTag(Rule):
    """
    ## What it does
    Checks for a `FROM` whose image is tagged `latest` (`FROM python:latest`), also when the
    tag comes from an `ARG`'s default value. An image pinned by a digest as well
    (`python:latest@sha256:…`) is accepted: the digest decides what is pulled.

    ## Why is this bad?
    `latest` moves: each build may get a new major version of Python or of the distribution,
    and two builds of the same Dockerfile give different images. Pin a release tag (or a
    digest) so that an update is a change you make on purpose.

    ## Example
    ```dockerfile
    FROM python:latest
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim-bookworm
    ```

    ## Fix safety
    No fix: which release the file was written for is not known.

    ## References
    - [Dockerfile reference: FROM](https://docs.docker.com/reference/dockerfile/#from)
    - [hadolint DL3007](https://github.com/hadolint/hadolint/wiki/DL3007)
    """

    code = "DL3007"
    name = "image-latest-tag"
    severity = Severity.WARNING
    message = "The base image is tagged `latest`, which changes under the build."
    fix_title = None
    fix_safety = None
    hadolint = ("DL3007",)
    shipped_only = False
    keywords = frozenset({"FROM"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        image = stage.base
        if stage.parent is not None or image.tag != "latest" or image.digest:
            return
        words = arg_words(inst.raw, ctx.dockerfile.text, ctx.dockerfile.scan.escape)
        if not words:
            return
        word = words[0]
        shown = f"`{word.text}`" + (f" (`{image.raw}`)" if word.text != image.raw else "")
        message = (
            f"The base image {shown} is tagged `latest`, which changes under the build: "
            "pin a release tag."
        )
        yield self.violation(word.start, word.end, message=message)
