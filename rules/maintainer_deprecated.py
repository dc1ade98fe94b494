"""DL4000: the deprecated MAINTAINER instruction."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.edits import Edit, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Dockerfile, Instruction
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import arg_words


def _label_value(args: str, escape: str) -> str:
    """``args`` as a double-quoted LABEL value that BuildKit reads back as ``args`` (a value
    written in double quotes already loses them, which is what its author meant)."""
    value = args.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"' and '"' not in value[1:-1]:
        value = value[1:-1]
    out = []
    for ch in value:
        if ch in ('"', "$", escape, "\\"):
            out.append(escape)
        out.append(ch)
    return '"' + "".join(out) + '"'


def _has_maintainer_label(df: Dockerfile, stage: int) -> bool:
    for inst in df.stages[stage].instructions:
        if inst.keyword != "LABEL":
            continue
        for word in arg_words(inst.raw, df.text, df.scan.escape):
            key = word.value.partition("=")[0]
            if key.lower() == "maintainer":
                return True
    return False


class MaintainerDeprecated(Rule):
    """
    ## What it does
    Checks for the `MAINTAINER` instruction, anywhere in the file.

    ## Why is this bad?
    `MAINTAINER` is deprecated: it sets the image's `Author` field, which few tools show.
    A `maintainer` label (`LABEL maintainer="…"`) is what the Docker documentation
    recommends instead; labels are shown by `docker inspect`, can be filtered on, and are the
    place every other piece of image metadata lives (`org.opencontainers.image.authors`
    is the OCI name for the same thing).

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    MAINTAINER Jane Doe <jane@example.com>
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    LABEL maintainer="Jane Doe <jane@example.com>"
    ```

    ## Fix safety
    Safe: the instruction is replaced by `LABEL maintainer="…"` with the same text (quotes,
    `$` and escape characters escaped so that the label reads exactly as written). The
    image's `Author` field is no longer set; the label carries the value instead. No fix is
    offered when the stage already has a `maintainer` label, when `MAINTAINER` comes before
    the first `FROM` (where `LABEL` is not allowed), or when it is continued over several
    lines.

    ## References
    - [Dockerfile reference: MAINTAINER (deprecated)](https://docs.docker.com/reference/dockerfile/#maintainer-deprecated)
    - [hadolint DL4000](https://github.com/hadolint/hadolint/wiki/DL4000)
    """

    code = "DL4000"
    name = "maintainer-deprecated"
    severity = Severity.ERROR
    message = "`MAINTAINER` is deprecated."
    fix_title = 'Replace it with `LABEL maintainer="…"`'
    fix_safety = Safety.SAFE
    hadolint = ("DL4000",)
    shipped_only = False
    keywords = frozenset({"MAINTAINER"})

    def __init__(self) -> None:
        self._labelled: dict[int, bool] = {}  # stage -> it has a `maintainer` label

    def finish(self, ctx: Context) -> Iterable[Violation]:
        # every MAINTAINER, those before the first FROM (which belong to no stage) too
        df = ctx.dockerfile
        for inst in df.instructions:
            if inst.keyword == "MAINTAINER":
                yield self._judge(inst, df)

    def _has_label(self, df: Dockerfile, stage: int) -> bool:
        if stage not in self._labelled:
            self._labelled[stage] = _has_maintainer_label(df, stage)
        return self._labelled[stage]

    def _judge(self, inst: Instruction, df: Dockerfile) -> Violation:
        raw = inst.raw
        start, end = raw.keyword_span.start, raw.command_end
        why = None
        if inst.stage is None:
            why = "`LABEL` is not allowed before the first `FROM`"
        elif len(raw.segments) > 1:
            why = "the instruction is continued over several lines"
        elif self._has_label(df, inst.stage):
            why = "the stage has a `maintainer` label already"
        if why is not None:
            return self.violation(start, end, note=f"no automatic fix: {why}")
        written = df.text[start : raw.keyword_span.end]
        label = "label" if written.islower() else "LABEL"
        content = f"{label} maintainer={_label_value(raw.args, df.scan.escape)}"
        return self.violation(start, end, edits=[Edit(start, end, content)])
