"""DL1000: a file that does not parse as a Dockerfile."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.scanner import ScanError


class DockerfileSyntaxError(Rule):
    """
    ## What it does
    Reports a file that Docker's parser rejects: an unknown instruction, an instruction
    without arguments, a heredoc that no line closes, a second `escape` or `syntax` parser
    directive, an invalid escape token, or an `ONBUILD` that wraps `ONBUILD`, `FROM` or
    `MAINTAINER`. The finding points at the text that is wrong; no other rule judges the
    file until it parses.

    ## Why is this bad?
    `docker build` stops at the first line it cannot parse, so the image is never built.
    Reporting the problem as a finding (rather than only as a message on standard error)
    puts it in every output format, so a CI gate that reads SARIF, GitHub annotations or a
    GitLab Code Quality report shows why the file fails.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    RUN <<EOF
    pip install --no-cache-dir flask
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    RUN <<EOF
    pip install --no-cache-dir flask
    EOF
    ```

    ## Fix safety
    No fix is offered, and `--fix` never writes a file that does not parse.

    ## Differences from hadolint
    The file is read as BuildKit reads it, not with hadolint's own parser: what BuildKit
    refuses is reported even where hadolint's parser accepts it. An `ONBUILD` trigger that
    Docker refuses (`ONBUILD FROM …`) is reported as `DL3043`, as hadolint does, when that
    rule is on. A pragma above the line that does not parse
    (`# dockerlint-slim: ignore=DL1000`) is honoured; hadolint cannot read the pragmas of a
    file it cannot parse.

    ## References
    - [Dockerfile reference](https://docs.docker.com/reference/dockerfile/)
    - [hadolint DL1000](https://github.com/hadolint/hadolint#rules)
    """

    code = "DL1000"
    name = "syntax-error"
    severity = Severity.ERROR
    message = "The file does not parse as a Dockerfile."
    hadolint = ("DL1000",)

    def unparsed(self, error: ScanError, ctx: Context) -> Iterable[Violation]:
        text = ctx.dockerfile.text
        if error.start is not None:
            start = error.start
        elif 0 < error.line <= len(ctx.dockerfile.scan.line_starts):
            start = ctx.dockerfile.scan.line_starts[error.line - 1]
        else:
            start = 1 if text.startswith("\ufeff") else 0
        end = error.end if error.end is not None else start
        # an ONBUILD trigger Docker refuses is DL3043's when that rule is on
        covered = ("DL3043", None) if error.kind == "onbuild-trigger" else None
        yield self.violation(
            start,
            max(end, start),
            f"Dockerfile parse error: {error.message}.",
            covered_by=covered,
        )
