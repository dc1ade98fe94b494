"""ShellCheck on RUN bodies (dockerlint_slim/shellcheck.py): scripts and positions."""

from __future__ import annotations

import pytest

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
