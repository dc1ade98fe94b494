"""DL3048: a LABEL key outside Docker's key format."""

from __future__ import annotations

import re
from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage, substitute
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import arg_words, own

_RESERVED = ("com.docker.", "io.docker.", "org.dockerproject.")


def _problem(key: str) -> str | None:
    if key.startswith(_RESERVED):
        return f"uses the namespace `{key.split('.')[0]}.{key.split('.')[1]}.` that Docker reserves"
    bad = sorted(set(re.sub(r"[a-z0-9.-]", "", key)))
    if bad:
        shown = " ".join(f"`{c}`" for c in bad)
        return f"has characters other than lower-case letters, digits, `.` and `-`: {shown}"
    if not key[:1].isalpha():
        return "does not start with a lower-case letter"
    if not re.search(r"[a-z0-9]$", key):
        return "does not end with a letter or digit"
    if ".." in key or "--" in key:
        return "has two separators in a row"
    return None


class LabelKeyInvalid(Rule):
    """
    ## What it does
    Checks the keys of `LABEL` instructions (also inside `ONBUILD`) against Docker's
    guidelines for label keys: lower-case letters, digits, `.` and `-` only; a lower-case
    letter first and a letter or digit last; no `..` or `--`; and none of the namespaces
    Docker reserves (`com.docker.`, `io.docker.`, `org.dockerproject.`). A key written as a
    variable is judged by its value when the `ENV` and `ARG` instructions before it tell
    it, and reported when no `ARG` or `ENV` sets it (it expands to nothing, or to whatever
    the base image sets).

    Unlike hadolint, which flags every key with a `$`, a key whose variable has a known
    value is judged by that value.

    ## Why is this bad?
    Tools that read labels (orchestrators, registries, scanners) expect keys in this form,
    and the reserved namespaces belong to Docker itself. Reverse-DNS keys such as
    `org.opencontainers.image.source` keep labels of different tools apart.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    LABEL Version="1.0" com.docker.team="web"
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    LABEL org.opencontainers.image.version="1.0" com.example.team="web"
    ```

    ## Fix safety
    No fix: renaming a label changes what the tools that read it find.

    ## References
    - [Docker: object labels, key format recommendations](https://docs.docker.com/engine/manage-resources/labels/#key-format-recommendations)
    - [OCI image annotations](https://github.com/opencontainers/image-spec/blob/main/annotations.md)
    - [hadolint DL3048](https://github.com/hadolint/hadolint/wiki/DL3048)
    """

    code = "DL3048"
    name = "label-key-invalid"
    severity = Severity.STYLE
    message = "The label key does not follow Docker's key format."
    fix_title = None
    fix_safety = None
    hadolint = ("DL3048",)
    shipped_only = False
    keywords = frozenset({"LABEL", "ONBUILD"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        raw = own(inst)
        if raw.keyword != "LABEL":
            return
        df = ctx.dockerfile
        words = arg_words(raw, df.text, df.scan.escape)
        if not words:
            return
        if "=" not in words[0].value:
            keyed = [(words[0], words[0].value)]  # the legacy form `LABEL key value`
        else:
            keyed = [(w, w.value.partition("=")[0]) for w in words if "=" in w.value]
        for word, key in keyed:
            written = word.text.partition("=")[0]
            end = word.start + len(written)
            if "$" in key:
                key, known = substitute(key, inst.env)
                if not known:
                    message = (
                        f"The label key `{written}` uses a variable that no `ARG` or `ENV` "
                        "before it sets, so the key depends on the base image."
                    )
                    yield self.violation(word.start, end, message=message)
                    continue
            problem = _problem(key)
            if problem is not None:
                yield self.violation(word.start, end, message=f"The label key `{key}` {problem}.")
