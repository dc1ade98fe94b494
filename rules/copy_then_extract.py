"""DL3010: a local archive copied in and then extracted by a RUN."""

from __future__ import annotations

import re
from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.shell import Command

from ._common import ARCHIVE_SUFFIXES, copy_operands, own

# programs that unpack or decompress an archive named as an argument
_UNPACKERS = frozenset(
    {"unzip", "gunzip", "bunzip2", "unlzma", "unxz", "zgz", "uncompress", "zcat", "gzcat"}
)
_OLD_STYLE_EXTRACT = lazy_pattern(r"[A-Za-z]*x[A-Za-z]*")  # `tar xzf f.tar.gz`


def _basename(path: str) -> str:
    return re.split(r"[/\\]", path.rstrip("/\\"))[-1]


def _extracts(cmd: Command) -> list[str]:
    """The base names of the files ``cmd`` unpacks, when it is ``tar -x`` (``--extract``,
    ``--get``, or old-style ``tar xf``) or an unpacker such as ``gunzip``."""
    args = cmd.arg_texts
    if cmd.name == "tar":
        short = [a for a in args if a.startswith("-") and not a.startswith("--")]
        extract = (
            any(a in ("--extract", "--get") for a in args)
            or any("x" in a for a in short)
            or bool(args and _OLD_STYLE_EXTRACT.fullmatch(args[0]))
        )
        if not extract:
            return []
    elif cmd.name not in _UNPACKERS:
        return []
    return [_basename(a) for a in args if not a.startswith("-")]


class CopyThenExtract(Rule):
    """
    ## What it does
    Checks for a local archive (`.tar`, `.tar.gz`, `.tgz`, `.tar.xz`, `.tar.bz2`, …) that a
    `COPY` brings in (as a source, or under an archive name as the destination) and that a
    later `RUN` of the same stage unpacks (`tar -x`, `tar xf`, `gunzip`, `unxz`, …). The
    `COPY` is reported. `COPY --from` is not judged: `ADD` cannot unpack from a stage.

    ## Why is this bad?
    The archive stays in the `COPY` layer even when a later `RUN` deletes it, so the image
    carries it twice: packed and unpacked. `ADD` unpacks a local tar archive in one step and
    ships only the files.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    COPY vendor.tar.gz /tmp/
    RUN tar -xzf /tmp/vendor.tar.gz -C /opt && rm /tmp/vendor.tar.gz
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    ADD vendor.tar.gz /opt/
    ```

    ## Fix safety
    No fix: where `tar` puts the files (`-C`, `--strip-components`) decides the `ADD`
    destination.

    ## Differences from hadolint
    - The old-style `tar xzf archive.tar.gz` (without a dash) counts as an extraction too.
    - A `COPY` source is read as BuildKit reads it, with the file's escape token: with the
      default escape `\\`, an unquoted `build\\vendor.tar.gz` is `buildvendor.tar.gz`, so
      a `RUN` that unpacks `vendor.tar.gz` does not unpack the file the `COPY` brought in.
      hadolint takes the backslash as a folder separator. With a backtick as the escape
      token (the `escape` parser directive, usual on Windows) it is one.

    ## References
    - [Dockerfile reference: ADD](https://docs.docker.com/reference/dockerfile/#add)
    - [hadolint DL3010](https://github.com/hadolint/hadolint/wiki/DL3010)
    """

    code = "DL3010"
    name = "copy-then-extract"
    severity = Severity.INFO
    message = "Use `ADD` to unpack a local archive instead of `COPY` and a `RUN` that unpacks it."
    fix_title = None
    fix_safety = None
    hadolint = ("DL3010",)
    shipped_only = False
    keywords = frozenset({"COPY", "RUN"})

    def __init__(self) -> None:
        # stage -> archive base name -> the COPY that brought it in (until reported)
        self._archives: dict[int, dict[str, Instruction]] = {}

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        archives = self._archives.setdefault(stage.index, {})
        if inst.keyword == "COPY":
            if inst.flag("from") is not None:
                return
            df = ctx.dockerfile
            operands = copy_operands(own(inst), df.text, df.scan.escape)
            if len(operands) < 2:
                return
            dest = _basename(operands[-1][0])
            names = [dest] if dest.endswith(ARCHIVE_SUFFIXES) else []
            names = names or [_basename(v) for v, _, _ in operands[:-1]]
            for name in names:
                if name.endswith(ARCHIVE_SUFFIXES):
                    archives.setdefault(name, inst)
            return
        if not archives:
            return
        for cmd in inst.commands:
            for name in _extracts(cmd):
                copy = archives.pop(name, None)
                if copy is None:
                    continue
                message = (
                    f"`{name}` is copied in and then unpacked by a `RUN` (line {inst.line}): "
                    "`ADD` unpacks it without keeping the archive in a layer."
                )
                related = [(cmd.start, cmd.end, "unpacked here")]
                raw = copy.raw
                yield self.violation(
                    raw.keyword_span.start, raw.command_end, message=message, related=related
                )
