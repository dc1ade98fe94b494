"""ShellCheck on RUN bodies (dockerlint_slim/shellcheck.py): scripts and positions."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dockerlint_slim.cli import cli
from dockerlint_slim.model import build_model
from dockerlint_slim.shellcheck import ShellCheckError, find_shellcheck, run_shellcheck, scripts_of

TEXT = """\
FROM python:3.11
ARG VERSION=1
ENV APP=/app
RUN echo $VERSION $APP $UNKNOWN && \\
    # a comment line inside the continuation
    cd /tmp && \\
\tcat file
SHELL ["/bin/bash", "-c"]
RUN [[ -f x ]] && echo `date`
SHELL ["powershell", "-Command"]
RUN echo $x
RUN ["sh", "-c", "echo $y"]
FROM alpine AS other
RUN <<EOF
echo $z
EOF
RUN echo $HOME_X
"""


def _shellcheck() -> str:
    try:
        return find_shellcheck()
    except ShellCheckError as exc:
        pytest.skip(str(exc))
        raise


def test_each_shell_form_run_is_one_script_with_its_stage_shell_and_variables():
    model = build_model(TEXT)
    scripts = scripts_of(model)
    assert [s.inst.line for s in scripts] == [4, 9, 17]
    first, second, third = scripts
    assert first.text.startswith("#!/bin/sh\n")
    assert "export VERSION=1\n" in first.text and "export APP=1\n" in first.text
    assert "export HTTP_PROXY=1\n" in first.text
    body = first.text.split("\n")[first.body_line - 1]
    # one line, with the continuation and the comment line turned into spaces
    assert " ".join(body.split()) == "echo $VERSION $APP $UNKNOWN && cd /tmp && cat file"
    assert model.text[first.offset : first.offset + 4] == "echo"
    assert second.text.startswith("#!/bin/bash\n")
    # a new stage starts with the default shell and its own variables
    assert third.text.startswith("#!/bin/sh\n") and "export VERSION" not in third.text


def test_findings_point_at_the_words_of_the_dockerfile():
    program = _shellcheck()
    model = build_model(TEXT)
    found = run_shellcheck(model, "Dockerfile", program)
    lines = model.text.splitlines()
    seen = {(f.code, f.line, lines[f.line - 1][f.column - 1 : f.end_column - 1]) for f in found}
    assert ("SC2086", 4, "$UNKNOWN") in seen  # unquoted and unknown
    assert ("SC2006", 9, "`date`") in seen  # the bash stage's legacy backticks
    assert ("SC2086", 17, "$HOME_X") in seen
    # ARG and ENV values are known; PowerShell, exec form and heredocs are not checked
    assert not any(f.line in (10, 11, 12, 15) for f in found)
    assert not any("VERSION" in lines[f.line - 1][f.column - 1 : f.end_column - 1] for f in found)
    assert all(f.name == "shellcheck" and f.path == "Dockerfile" for f in found)


def test_a_missing_program_is_a_clear_error(tmp_path):
    missing = str(tmp_path / "no-shellcheck")
    with pytest.raises(ShellCheckError, match="could not run"):
        run_shellcheck(build_model("FROM x\nRUN echo $a\n"), "Dockerfile", missing)


# ----------------------------------------------------------------- through the engine and CLI

SCRIPT = """\
FROM python:3.11-slim
# hadolint ignore=SC2046
RUN echo `date` $X
RUN echo $Y
"""


def _codes(result) -> list[tuple[str, int]]:
    return sorted((f["code"], f["line"]) for f in json.loads(result.stdout))


def _run(*args: str, cwd: Path):
    from tests.support import cli_runner

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return cli_runner().invoke(cli, ["check", *args], catch_exceptions=False)
    finally:
        os.chdir(old)


def test_shellcheck_is_off_unless_asked(tmp_path):
    _shellcheck()
    (tmp_path / "Dockerfile").write_text(SCRIPT)
    out = _run("--output-format", "json", "--select", "SC,DL", cwd=tmp_path)
    assert _codes(out) == []
    out = _run("--shellcheck", "--output-format", "json", "--select", "SC", cwd=tmp_path)
    # the hadolint pragma silences SC2046 on line 3; the rest is reported
    assert _codes(out) == [("SC2006", 3), ("SC2086", 3), ("SC2086", 4)]
    assert out.exit_code == 1


def test_shellcheck_codes_are_selected_ignored_and_overridden_like_rules(tmp_path):
    _shellcheck()
    (tmp_path / "Dockerfile").write_text(SCRIPT.replace("# hadolint ignore=SC2046\n", ""))
    (tmp_path / ".dockerlint-slim.toml").write_text(
        'shellcheck = true\nselect = ["shellcheck"]\nignore = ["sc2086"]\n'
        '[severity]\nSC2006 = "error"\n'
    )
    out = _run("--output-format", "json", cwd=tmp_path)
    found = json.loads(out.stdout)
    assert sorted((f["code"], f["line"], f["severity"]) for f in found) == [
        ("SC2006", 2, "error"),
        ("SC2046", 2, "warning"),
    ]
    # a pragma of our own, by code or by the name of them all
    text = "FROM python:3.11-slim\n# dockerlint-slim: ignore=shellcheck\nRUN echo `date`\n"
    (tmp_path / "Dockerfile").write_text(text)
    assert json.loads(_run("--output-format", "json", cwd=tmp_path).stdout) == []
    # --no-shellcheck wins over the configuration
    (tmp_path / "Dockerfile").write_text(SCRIPT)
    assert _codes(_run("--no-shellcheck", "--output-format", "json", cwd=tmp_path)) == []


def test_shellcheck_codes_in_pragmas_are_known(tmp_path):
    text = "FROM python:3.11-slim\n# dockerlint-slim: ignore=SC2086\nRUN echo hi\n"
    (tmp_path / "Dockerfile").write_text(text)
    out = _run("--output-format", "json", "--select", "DLS200", cwd=tmp_path)
    assert json.loads(out.stdout) == []


def test_a_missing_shellcheck_is_one_clear_error(tmp_path, monkeypatch):
    import dockerlint_slim.shellcheck as module

    def missing(*_args, **_kwargs):
        raise module.ShellCheckMissing(
            "ShellCheck is not installed: pip install 'dockerlint-slim[shellcheck]'"
        )

    monkeypatch.setattr(module, "find_shellcheck", missing)
    (tmp_path / "Dockerfile").write_text(SCRIPT)
    out = _run("--shellcheck", cwd=tmp_path)
    assert out.exit_code == 2
    assert out.stderr.strip() == (
        "dockerlint-slim: error: ShellCheck is not installed: "
        "pip install 'dockerlint-slim[shellcheck]'"
    )
