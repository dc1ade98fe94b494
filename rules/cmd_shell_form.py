"""DL3025: CMD or ENTRYPOINT in shell form."""

from __future__ import annotations

import json
from collections.abc import Iterable

from dockerlint_slim.edits import Edit, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import Dockerfile, Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.scanner import RawInstruction

from ._common import arg_words, own

# a shell word whose meaning does not depend on the shell: plain characters, '…' and "…"
# without expansions; its value is the word without its quotes
_PART = lazy_pattern(r"""[A-Za-z0-9_./:@%+,=-]+|'[^'\n]*'|"[^"$`\\!\n]*\"""")
_WORD = lazy_pattern(rf"(?:{_PART.pattern})+")
_ASSIGNMENT = lazy_pattern(r"[A-Za-z_][A-Za-z0-9_]*=")
# shell builtins and keywords that are no program of their own
_BUILTINS = frozenset(
    {
        ".",
        ":",
        "alias",
        "case",
        "cd",
        "eval",
        "export",
        "for",
        "if",
        "read",
        "readonly",
        "set",
        "shift",
        "source",
        "trap",
        "ulimit",
        "umask",
        "unset",
        "until",
        "wait",
        "while",
        "{",
        "(",
        "!",
    }
)


def _plain_argv(raw: RawInstruction, df: Dockerfile) -> list[str] | None:
    """The program and its arguments when the shell would run ``raw``'s arguments as one
    simple command with no expansion (``exec`` in front dropped); else None."""
    words = arg_words(raw, df.text, df.scan.escape)
    argv: list[str] = []
    for word in words:
        if not _WORD.fullmatch(word.text):
            return None
        argv.append("".join(p.strip("'\"") for p in _PART.findall(word.text)))
    if words and not _ASSIGNMENT.match(words[0].text) and argv[0] == "exec":
        argv = argv[1:]
    if not argv or _ASSIGNMENT.match(words[-len(argv)].text) or argv[0] in _BUILTINS:
        return None
    return argv


def _one_piece(raw: RawInstruction, df: Dockerfile) -> bool:
    """Whether the arguments can be replaced without losing text: no comment line inside a
    continuation (the gaps between the instruction's segments hold only line breaks)."""
    text, escape = df.text, df.scan.escape
    for a, b in zip(raw.segments, raw.segments[1:]):
        if text[a.end : b.start].replace(escape, "").strip():
            return False
    return True


def _cmd_in_stage(stage: Stage) -> bool:
    return any(own(i).keyword == "CMD" for i in stage.instructions)


class CmdShellForm(Rule):
    """
    ## What it does
    Checks for `CMD` and `ENTRYPOINT` in shell form (`CMD python app.py`) instead of exec
    form (`CMD ["python", "app.py"]`), also inside `ONBUILD`. Arguments that look like a
    JSON array but are not valid JSON (`CMD [python, app.py]`: strings need double quotes;
    `CMD ["serve"] # comment`: a comment cannot follow) are shell form to Docker, and are
    flagged with a message that says so (hadolint misses the second kind).

    Unlike hadolint, `HEALTHCHECK CMD` in shell form is not flagged: a health check is a
    short-lived probe, not PID 1, so signals do not matter, and `… || exit 1` needs the
    shell. `CMD` and `ENTRYPOINT` inside `ONBUILD` are checked too.

    ## Why is this bad?
    In shell form the command runs as `/bin/sh -c "…"`: the shell is PID 1, and the signals
    `docker stop` sends (`SIGTERM`) go to the shell, not to the application, which is
    killed after the timeout instead of shutting down cleanly. An `ENTRYPOINT` in shell form
    also ignores `CMD` and the arguments of `docker run`.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    CMD gunicorn --bind 0.0.0.0:8000 app:app
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
    ```

    ## Fix safety
    Unsafe: the command no longer runs through a shell, so it gets signals directly, and an
    `ENTRYPOINT` in exec form takes `docker run`'s arguments. The fix is offered only where
    the shell would run one simple command without expanding anything: plain words and
    quoted strings, no variables, globs, `~`, redirections, pipes, `&&`, assignments or
    shell builtins (a leading `exec` is dropped). It is not offered for an `ENTRYPOINT` of a
    stage that sets a `CMD` (which would become its arguments), after a `SHELL`
    instruction, with the backtick escape character (Windows images), or when a comment
    line sits inside the instruction's continuation.

    ## References
    - [Dockerfile reference: shell and exec form](https://docs.docker.com/reference/dockerfile/#shell-and-exec-form)
    - [Docker: ENTRYPOINT, exec form and signals](https://docs.docker.com/reference/dockerfile/#exec-form-entrypoint-example)
    - [hadolint DL3025](https://github.com/hadolint/hadolint/wiki/DL3025)
    """

    code = "DL3025"
    name = "cmd-shell-form"
    severity = Severity.WARNING
    message = "`CMD` and `ENTRYPOINT` should use the exec (JSON array) form."
    fix_title = "Write the command as a JSON array"
    fix_safety = Safety.UNSAFE
    hadolint = ("DL3025",)
    shipped_only = False
    keywords = frozenset({"FROM", "CMD", "ENTRYPOINT", "ONBUILD", "SHELL"})

    def __init__(self) -> None:
        self._shell: set[int] = set()  # stages with a SHELL instruction so far (or inherited)

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        raw = own(inst)
        if inst.keyword in ("FROM", "SHELL"):
            # a stage built FROM one with a SHELL starts with that shell (stages come in
            # order, and a stage is built FROM an earlier one)
            if inst.keyword == "SHELL" or stage.parent in self._shell:
                self._shell.add(stage.index)
            return
        if raw.keyword not in ("CMD", "ENTRYPOINT") or raw.json_args is not None:
            return
        df = ctx.dockerfile
        kw = raw.keyword
        start, end = raw.args_start, raw.command_end
        while end > start and df.text[end - 1] in " \t":
            end -= 1
        if raw.args.startswith("["):
            message = (
                f"`{kw}` arguments look like a JSON array but are not valid JSON (strings need "
                "double quotes, and nothing may follow the `]`), so Docker runs them with "
                "`/bin/sh -c`."
            )
            yield self.violation(start, end, message=message)
            return
        message = f"`{kw}` in shell form runs under `/bin/sh -c`, which does not pass on signals."
        why = None
        argv = _plain_argv(raw, df)
        if argv is None:
            why = "the shell does more than start one program here"
        elif kw == "ENTRYPOINT" and _cmd_in_stage(stage):
            why = "the stage's `CMD` would become the arguments of the entry point"
        elif stage.index in self._shell or df.scan.escape != "\\":
            why = "the stage runs commands with another shell"
        elif not _one_piece(raw, df):
            why = "a comment line sits inside the instruction"
        if why is not None or argv is None:
            yield self.violation(start, end, message=message, note=f"no automatic fix: {why}")
            return
        content = json.dumps(argv, ensure_ascii=False)
        yield self.violation(start, end, message=message, edits=[Edit(start, end, content)])
