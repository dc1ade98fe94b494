"""DL3020: ADD where COPY does the job."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.edits import Edit, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import Instruction, Stage, substitute
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import ARCHIVE_SUFFIXES, copy_operands, own

# a remote source: a URL or a Git repository (ADD clones it)
_REMOTE = lazy_pattern(r"(?i)^(https?://|git@|git://|ssh://)")
# flags of ADD that COPY does not have
_ADD_ONLY = {"checksum", "keep-git-dir", "unpack"}


class AddInsteadOfCopy(Rule):
    """
    ## What it does
    Checks for `ADD` whose sources are all local files or folders (no URL, no Git
    repository, no archive that `ADD` unpacks: `.tar`, `.tar.gz`, `.tgz`, `.tar.xz`,
    `.tar.zst`, …), also inside `ONBUILD`. A `.zip` is not unpacked by `ADD` and counts as a
    plain file. A source named by a variable is judged by its value when the `ENV` and `ARG`
    instructions before it tell it, and accepted when they do not.

    ## Why is this bad?
    `ADD` does more than copy: it downloads URLs, clones Git repositories and unpacks local
    tar archives. For plain files `COPY` does the same with no surprises: a file renamed to
    `.tar.gz` later is not unpacked behind your back, and the reader knows that nothing is
    downloaded.

    Unlike hadolint, Git sources (`git@…`, `git://…`, `ssh://…`) and `.tar.zst` archives are
    not flagged (`ADD` clones and unpacks them), nor is `ADD` with a flag that only `ADD`
    has (`--checksum`, `--keep-git-dir`, `--unpack`), nor a source named by a variable whose
    value is not known (it may be a URL). `ADD` inside `ONBUILD` is checked too.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    ADD requirements.txt /app/
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    COPY requirements.txt /app/
    ```

    ## Fix safety
    Safe: `ADD` becomes `COPY`; the flags both have (`--chown`, `--chmod`, `--link`,
    `--exclude`) are kept. `ADD` also unpacks a local tar archive whose name has no archive
    suffix (Docker looks at the contents); such a file would be copied as it is, so name
    archives by what they are.

    ## References
    - [Dockerfile reference: ADD](https://docs.docker.com/reference/dockerfile/#add)
    - [Docker: best practices for ADD and COPY](https://docs.docker.com/build/building/best-practices/#add-or-copy)
    - [hadolint DL3020](https://github.com/hadolint/hadolint/wiki/DL3020)
    """

    code = "DL3020"
    name = "add-instead-of-copy"
    severity = Severity.ERROR
    message = "Use `COPY` instead of `ADD` for files and folders."
    fix_title = "Replace `ADD` with `COPY`"
    fix_safety = Safety.SAFE
    hadolint = ("DL3020",)
    shipped_only = False
    keywords = frozenset({"ADD", "ONBUILD"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        raw = own(inst)
        if raw.keyword != "ADD" or any(f.name in _ADD_ONLY for f in raw.flags):
            return
        df = ctx.dockerfile
        operands = copy_operands(raw, df.text, df.scan.escape)
        sources = [value for value, _, _ in operands[:-1]]
        if not sources:
            return
        for source in sources:
            if "$" in source:
                source, known = substitute(source, inst.env)
                if not known:
                    return
            if _REMOTE.match(source) or source.endswith(ARCHIVE_SUFFIXES):
                return
        start, end = raw.keyword_span.start, raw.keyword_span.end
        word = df.text[start:end]
        copy = "copy" if word.islower() else "COPY"
        yield self.violation(start, end, edits=[Edit(start, end, copy)])
