"""Behavioural tests of the command line, run the way a new user runs it.

Most tests drive the click group in-process with ``CliRunner``; a few run
``python -m dockerlint_slim`` in a subprocess to prove that errors are one line on stderr
with no traceback. Every test runs in its own empty folder (the working directory), so
configuration discovery never sees the repository's files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import Result

import dockerlint_slim
from dockerlint_slim.cli import cli
from dockerlint_slim.rule import DOC_SECTIONS, all_rules
from tests.support import cli_runner, unprivileged

# --------------------------------------------------------------------------- inputs

PIP = "FROM python:3.11-slim\nRUN pip install flask==3.0\n"
PIP_FIXED = "FROM python:3.11-slim\nRUN pip install --no-cache-dir flask==3.0\n"
CLEAN = PIP_FIXED
APT = "FROM python:3.11-slim\nRUN apt-get update && apt-get install -y curl=7.88*\n"
APT_SAFE_FIXED = (
    "FROM python:3.11-slim\n"
    "RUN apt-get update && apt-get install -y curl=7.88* && rm -rf /var/lib/apt/lists/*\n"
)
APT_ALL_FIXED = (
    "FROM python:3.11-slim\n"
    "RUN apt-get update && apt-get install --no-install-recommends -y curl=7.88*"
    " && rm -rf /var/lib/apt/lists/*\n"
)
# one finding of each rule: DL3042 (warning) on line 2, DL3009 and DL3015 (info) on line 3
MIXED = (
    "FROM python:3.11-slim\n"
    "RUN pip install flask==3.0\n"
    "RUN apt-get update && apt-get install -y curl=7.88*\n"
)
PIP_MESSAGE = "pip's cache (~/.cache/pip) is left in the image layer."
FINDING_LINE = re.compile(
    r"^(?P<path>\S+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) \[(?P<name>[a-z0-9-]+)\] "
    r"(?P<message>.+)$",
    re.M,
)
ANSI = "\x1b["
ERROR_PREFIX = "dockerlint-slim: error: "


# --------------------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Run every test in an empty folder with no colour or debug variables set."""
    for name in ("NO_COLOR", "FORCE_COLOR", "DOCKERLINT_SLIM_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: str | Path, text: str | bytes) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_bytes(text.encode("utf-8"))
    return p


def run(*args: str, input: str | bytes | None = None, env: dict[str, str] | None = None) -> Result:
    """Invoke the CLI in-process; an unexpected exception fails the test with its traceback."""
    return cli_runner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)


def findings(output: str) -> list[tuple[str, int, str]]:
    """(path, line, code) of every text-format finding line."""
    return [(m["path"], int(m["line"]), m["code"]) for m in FINDING_LINE.finditer(output)]


def codes(output: str) -> set[str]:
    return {code for _, _, code in findings(output)}


def statistics(output: str) -> dict[str, int]:
    out = {}
    for line in output.splitlines():
        m = re.match(r"^\s*(\d+)\s+([A-Z]+\d+)\s", line)
        assert m, f"not a statistics line: {line!r}"
        out[m[2]] = int(m[1])
    return out


def assert_one_line_error(result: Result | subprocess.CompletedProcess, *fragments: str) -> str:
    """Exit code 2, one line on stderr naming the problem, no traceback."""
    if isinstance(result, subprocess.CompletedProcess):
        code, stderr = result.returncode, result.stderr
        stderr = stderr.decode() if isinstance(stderr, bytes) else stderr
    else:
        code, stderr = result.exit_code, result.stderr
    assert code == 2, (code, stderr)
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got: {stderr!r}"
    assert lines[0].startswith(ERROR_PREFIX), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def run_module(
    *args: str,
    cwd: Path,
    input: bytes | None = None,
    env: dict[str, str] | None = None,
    prefix: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """``python -m dockerlint_slim ARGS`` in ``cwd``, behind ``prefix`` (e.g. setpriv ...)."""
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("NO_COLOR", "FORCE_COLOR", "DOCKERLINT_SLIM_DEBUG")
    }
    environ.update(env or {})
    proc = subprocess.run(
        [*prefix, sys.executable, "-m", "dockerlint_slim", *args],
        cwd=cwd,
        input=input if input is not None else b"",
        capture_output=True,
        env=environ,
        timeout=120,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    )


# =========================================================================== check: inputs


def test_clean_file_exits_0_and_says_so() -> None:
    write("Dockerfile", CLEAN)
    result = run("check", "Dockerfile")
    assert result.exit_code == 0
    assert result.stdout == "All checks passed!\n"
    assert result.stderr == ""


def test_file_with_findings_exits_1_with_text_report() -> None:
    write("Dockerfile", PIP)
    result = run("check", "Dockerfile")
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first == f"Dockerfile:2:5: DL3042 [pip-cache-kept] {PIP_MESSAGE}"
    assert "RUN pip install flask==3.0" in result.stdout  # source excerpt
    assert "= help: " in result.stdout
    assert result.stdout.rstrip().splitlines()[-1] == "Found 1 problem (1 fixable with --fix)"
    assert result.stderr == ""


def test_every_rule_reports_with_its_code_and_name() -> None:
    write("Dockerfile", MIXED)
    result = run("check", "Dockerfile")
    assert result.exit_code == 1
    got = {(m["line"], m["code"], m["name"]) for m in FINDING_LINE.finditer(result.stdout)}
    assert got == {
        ("2", "DL3042", "pip-cache-kept"),
        ("3", "DL3009", "apt-lists-kept"),
        ("3", "DL3015", "apt-install-recommends"),
    }
    assert "Found 3 problems (2 fixable with --fix, 1 more with --unsafe-fixes)" in result.stdout


def test_folder_finds_dockerfile_names_and_ignores_others() -> None:
    wanted = [
        "proj/Dockerfile",
        "proj/Containerfile",
        "proj/x.Dockerfile",
        "proj/Dockerfile.prod",
        "proj/sub/dockerfile",
        "proj/sub/api.containerfile",
        "proj/sub/Containerfile.dev",
    ]
    ignored = [
        "proj/README.md",
        "proj/notes.txt",
        "proj/Dockerfilex",
        "proj/.dockerignore",
        "proj/Dockerfile.dockerignore",
        "proj/Dockerfile~",
        "proj/Dockerfile.orig",
        "proj/Dockerfile.bak",
        "proj/x.Dockerfile.swp",
        "proj/node_modules/Dockerfile",
        "proj/.git/Dockerfile",
        "proj/.venv/Dockerfile",
    ]
    for name in wanted + ignored:
        write(name, PIP)
    result = run("check", "--output-format", "json", "proj")
    assert result.exit_code == 1, result.stderr
    reported = {Path(f["file"]).as_posix() for f in json.loads(result.stdout)}
    assert reported == set(wanted)


def test_explicit_file_is_checked_whatever_its_name() -> None:
    write("notes.txt", PIP)
    result = run("check", "notes.txt")
    assert result.exit_code == 1
    assert findings(result.stdout) == [("notes.txt", 2, "DL3042")]


def test_files_and_folders_together_without_duplicates() -> None:
    write("a/Dockerfile", PIP)
    write("b.Dockerfile", PIP)
    result = run("check", "a", "b.Dockerfile", "a/Dockerfile")
    assert result.exit_code == 1
    paths = [Path(p).as_posix() for p, _, _ in findings(result.stdout)]
    assert sorted(paths) == ["a/Dockerfile", "b.Dockerfile"]


def test_default_is_the_current_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", PIP)
    write(tmp_path / "docker/api.Dockerfile", PIP)
    write(tmp_path / "elsewhere/README.md", "hello")
    result = run("check")
    assert result.exit_code == 1
    paths = {Path(p).as_posix() for p, _, _ in findings(result.stdout)}
    assert paths == {"Dockerfile", "docker/api.Dockerfile"}

    monkeypatch.chdir(tmp_path / "docker")
    result = run("check")
    assert {Path(p).as_posix() for p, _, _ in findings(result.stdout)} == {"api.Dockerfile"}


def test_default_folder_without_dockerfile_is_an_error() -> None:
    write("README.md", "nothing here")
    assert_one_line_error(run("check"), "no Dockerfile found")


def test_stdin_with_stdin_filename() -> None:
    result = run("check", "-", "--stdin-filename", "web/Dockerfile", input=PIP)
    assert result.exit_code == 1
    assert findings(result.stdout) == [("web/Dockerfile", 2, "DL3042")]


def test_stdin_without_name_is_reported_as_dash() -> None:
    result = run("check", "-", input=PIP)
    assert result.exit_code == 1
    assert findings(result.stdout) == [("-", 2, "DL3042")]


def test_stdin_clean_exits_0() -> None:
    result = run("check", "-", "--stdin-filename", "Dockerfile", input=CLEAN)
    assert result.exit_code == 0
    assert "All checks passed!" in result.stdout


def test_stdin_and_files_together() -> None:
    write("Dockerfile", PIP)
    result = run("check", "-", "Dockerfile", "--stdin-filename", "from-stdin", input=APT)
    assert result.exit_code == 1
    assert {p for p, _, _ in findings(result.stdout)} == {"from-stdin", "Dockerfile"}


def test_stdin_filename_is_used_for_per_file_ignores() -> None:
    write(".dockerlint-slim.toml", '[per-file-ignores]\n"web/*" = ["DL3042"]\n')
    result = run("check", "-", "--stdin-filename", "web/Dockerfile", input=PIP)
    assert result.exit_code == 0, result.stdout
    result = run("check", "-", "--stdin-filename", "api/Dockerfile", input=PIP)
    assert result.exit_code == 1


def test_a_bad_file_does_not_hide_the_findings_of_the_others() -> None:
    write("proj/Dockerfile", PIP)
    write("proj/broken.Dockerfile", b"FROM x\n\x00\x01")
    result = run("check", "proj")
    assert result.exit_code == 2  # errors win over findings
    assert findings(result.stdout) == [(str(Path("proj/Dockerfile")), 2, "DL3042")]
    assert_one_line_error(result, "broken.Dockerfile", "binary")


# =========================================================================== check: bad input


def test_missing_file() -> None:
    assert_one_line_error(run("check", "nope/Dockerfile"), "nope", "no such file")


def test_directory_without_dockerfile() -> None:
    write("empty/README.md", "x")
    msg = assert_one_line_error(run("check", "empty"), "empty", "no Dockerfile found")
    assert "Dockerfile.*" in msg  # says what it looked for


def test_bad_paths_are_each_reported_and_the_good_ones_checked() -> None:
    write("a/README.md", "x")  # a folder without a Dockerfile, first
    write("b/Dockerfile", PIP)
    write("d/Dockerfile", APT)
    result = run("check", "a", "b", "missing", "d", "e")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    errors = result.stderr.splitlines()
    assert len(errors) == 3 and all(line.startswith(ERROR_PREFIX) for line in errors)
    assert "a: no Dockerfile found" in errors[0]
    assert "missing: no such file" in errors[1] and "e: no such file" in errors[2]
    assert {(p, c) for p, _, c in findings(result.stdout)} == {
        (str(Path("b/Dockerfile")), "DL3042"),
        (str(Path("d/Dockerfile")), "DL3009"),
        (str(Path("d/Dockerfile")), "DL3015"),
    }


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit"])
def test_bad_path_in_the_middle_keeps_the_report_of_the_others(fmt: str) -> None:
    write("one/Dockerfile", CLEAN)
    write("three/Dockerfile", PIP)
    result = run("check", "--output-format", fmt, "one", "two", "three")
    assert result.exit_code == 2
    assert_one_line_error(result, "two", "no such file")
    assert "three/Dockerfile" in result.stdout.replace(os.sep, "/")
    assert "DL3042" in result.stdout


def test_bad_path_and_a_clean_file_is_not_all_checks_passed() -> None:
    write("Dockerfile", CLEAN)
    result = run("check", "nope", "Dockerfile")
    assert result.exit_code == 2
    assert "All checks passed!" not in result.stdout
    assert run("check", "--exit-zero", "Dockerfile", "nope").exit_code == 2


def test_bad_paths_with_fix_still_fix_the_good_files() -> None:
    write("Dockerfile", PIP)
    result = run("check", "--fix", "nope", "Dockerfile")
    assert result.exit_code == 2
    assert Path("Dockerfile").read_text() == PIP_FIXED


def test_binary_file() -> None:
    write("Dockerfile", b"FROM python:3.11-slim\n\x00\x01\x02")
    assert_one_line_error(run("check", "Dockerfile"), "Dockerfile", "binary")


def test_non_utf8_file() -> None:
    write("Dockerfile", "FROM python:3.11-slim\nRUN echo café\n".encode("latin-1"))
    assert_one_line_error(run("check", "Dockerfile"), "Dockerfile", "not UTF-8", "0xe9")


def test_utf16_file() -> None:
    write("Dockerfile", "FROM python:3.11-slim\n".encode("utf-16"))
    assert_one_line_error(run("check", "Dockerfile"), "Dockerfile", "UTF-16")


def test_binary_and_non_utf8_stdin() -> None:
    assert_one_line_error(run("check", "-", input=b"FROM x\n\x00"), "-", "binary")
    assert_one_line_error(
        run("check", "-", "--stdin-filename", "in/Dockerfile", input=b"FROM x\n\xe9\n"),
        "in/Dockerfile",
        "not UTF-8",
    )


def run_unreadable(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the command line on ``args`` in a process that cannot read ``path`` (chmod 000).

    Root reads anything, so as root the process runs under ``setpriv`` without that power
    (see tests/support.py); the mode is restored afterwards.
    """
    prefix = unprivileged()
    mode = stat.S_IMODE(path.stat().st_mode)
    path.chmod(0)
    try:
        return run_module(*args, cwd=Path.cwd(), prefix=prefix)
    finally:
        path.chmod(mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_unreadable_file() -> None:
    p = write("Dockerfile", PIP)
    result = run_unreadable(p, "check", "Dockerfile")
    assert_one_line_error(result, "Dockerfile", "permission denied")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_unreadable_file_in_a_folder_does_not_hide_the_others() -> None:
    write("proj/Dockerfile", PIP)
    p = write("proj/locked.Dockerfile", PIP)
    result = run_unreadable(p, "check", "proj")
    assert findings(result.stdout) == [(str(Path("proj/Dockerfile")), 2, "DL3042")]
    assert_one_line_error(result, "locked.Dockerfile", "permission denied")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_unreadable_folder() -> None:
    write("locked/Dockerfile", PIP)
    result = run_unreadable(Path("locked"), "check", "locked")
    assert_one_line_error(result, "locked", "permission denied")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_unreadable_config() -> None:
    write("Dockerfile", PIP)
    p = write("lint.toml", 'select = ["ALL"]\n')
    result = run_unreadable(p, "check", "--config", "lint.toml", "Dockerfile")
    assert_one_line_error(result, "lint.toml", "permission denied")


def test_unknown_config_key() -> None:
    write("Dockerfile", PIP)
    write(".dockerlint-slim.toml", 'selekt = ["ALL"]\n')
    assert_one_line_error(
        run("check"), ".dockerlint-slim.toml", "unknown key 'selekt'", "did you mean 'select'"
    )


def test_unknown_config_key_in_pyproject() -> None:
    write("Dockerfile", PIP)
    write("pyproject.toml", "[tool.dockerlint-slim]\nbogus = 1\n")
    assert_one_line_error(run("check"), "pyproject.toml", "[tool.dockerlint-slim]", "'bogus'")


def test_bad_toml() -> None:
    write("Dockerfile", PIP)
    write(".dockerlint-slim.toml", "select = [\n")
    assert_one_line_error(run("check"), ".dockerlint-slim.toml", "invalid TOML at line")


def test_bad_config_value() -> None:
    write("Dockerfile", PIP)
    write(".dockerlint-slim.toml", 'failure-threshold = "fatal"\n')
    assert_one_line_error(run("check"), "failure-threshold", "'fatal'")


def test_bad_config_in_a_subfolder_is_reported_once_per_file() -> None:
    write("Dockerfile", PIP)
    write("sub/Dockerfile", PIP)
    write("sub/.dockerlint-slim.toml", "nope = 1\n")
    result = run("check")
    assert findings(result.stdout) == [("Dockerfile", 2, "DL3042")]
    assert_one_line_error(result, "unknown key 'nope'")


@pytest.mark.parametrize("option", ["--select", "--ignore", "--extend-select"])
def test_unknown_rule_code_on_the_command_line(option: str) -> None:
    write("Dockerfile", PIP)
    assert_one_line_error(run("check", option, "DL9999", "Dockerfile"), option, "'DL9999'")


def test_invalid_selector_syntax_on_the_command_line() -> None:
    write("Dockerfile", PIP)
    assert_one_line_error(run("check", "--select", "dl 3042", "Dockerfile"), "--select")


def test_unknown_rule_name_suggests_the_right_one() -> None:
    write("Dockerfile", PIP)
    result = run("check", "--ignore", "pip-cache-kep", "Dockerfile")
    assert_one_line_error(result, "'pip-cache-kep'", "did you mean 'pip-cache-kept'")


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ('select = ["DL9999"]\n', "select"),
        ('ignore = ["DL9999"]\n', "ignore"),
        ('extend-select = ["DL9999"]\n', "extend-select"),
        ('[per-file-ignores]\n"*" = ["DL9999"]\n', "per-file-ignores"),
        ('[severity]\nDL9999 = "error"\n', "severity"),
    ],
)
def test_unknown_rule_code_in_config(config: str, key: str) -> None:
    write("Dockerfile", PIP)
    write(".dockerlint-slim.toml", config)
    assert_one_line_error(run("check"), ".dockerlint-slim.toml", key, "DL9999")


def test_unknown_output_format_is_a_usage_error() -> None:
    write("Dockerfile", PIP)
    result = run("check", "--output-format", "xml", "Dockerfile")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert "--output-format" in result.stderr and "'xml'" in result.stderr
    assert result.stdout == ""


def test_unknown_output_format_in_config() -> None:
    write("Dockerfile", PIP)
    write(".dockerlint-slim.toml", 'output-format = "xml"\n')
    assert_one_line_error(run("check"), "output-format", "'xml'")


def test_unknown_instruction_is_a_finding_with_line_and_column() -> None:
    write("Dockerfile", "FROM python:3.11-slim\n  FOO bar\n")
    result = run("check", "Dockerfile")
    assert result.exit_code == 1, result.stderr
    assert result.stderr == ""
    assert "Dockerfile:2:3: DL1000 [syntax-error] Dockerfile parse error: unknown instruction " in (
        result.stdout
    )
    assert "'FOO'" in result.stdout


def test_unterminated_heredoc_is_a_finding_at_its_marker() -> None:
    write("Dockerfile", "FROM python:3.11-slim\nRUN cat <<EOF\necho hi\n")
    result = run("check", "--output-format", "json", "Dockerfile")
    assert result.exit_code == 1
    [finding] = json.loads(result.stdout)
    assert (finding["code"], finding["severity"]) == ("DL1000", "error")
    assert (finding["line"], finding["column"], finding["end_column"]) == (2, 9, 14)
    assert "heredoc" in finding["message"]


def test_unparsable_stdin_uses_the_stdin_filename() -> None:
    result = run("check", "-", "--stdin-filename", "app/Dockerfile", input="FROM x\nFOO bar\n")
    assert result.exit_code == 1
    assert findings(result.stdout) == [("app/Dockerfile", 2, "DL1000")]


def test_a_file_that_does_not_parse_does_not_stop_the_others() -> None:
    write("a/Dockerfile", PIP)
    write("b/Dockerfile", "FROM x\nFOO bar\n")
    write("c/Dockerfile", APT)
    result = run("check", "a", "b", "c")
    assert result.exit_code == 1, result.stderr
    assert result.stderr == ""
    assert {(p, c) for p, _, c in findings(result.stdout)} == {
        (str(Path("a/Dockerfile")), "DL3042"),
        (str(Path("b/Dockerfile")), "DL1000"),
        (str(Path("c/Dockerfile")), "DL3009"),
        (str(Path("c/Dockerfile")), "DL3015"),
    }


def test_files_docker_rejects_are_findings_among_the_others() -> None:
    write("a/Dockerfile", CLEAN)
    write("b/Dockerfile", "\n")
    write("c/Dockerfile", "# FROM python:3.11-slim\n")
    write("d/Dockerfile", "ARG V=3.11\n")
    write("e/Dockerfile", "FROM python:3.11-slim AS app\nCOPY --from=app /a /b\n")
    write("f/Dockerfile", PIP)
    result = run("check", "a", "b", "c", "d", "e", "f")
    assert result.exit_code == 1, result.stderr
    assert result.stderr == ""
    assert [(Path(p).parent.name, line, code) for p, line, code in findings(result.stdout)] == [
        ("b", 1, "DLS100"),
        ("c", 1, "DLS101"),
        ("d", 1, "DLS102"),
        ("e", 2, "DL3023"),
        ("f", 2, "DL3042"),
    ]
    assert "All checks passed!" not in run("check", "b").stdout


def test_parse_error_can_be_ignored_like_any_rule() -> None:
    write("Dockerfile", "FROM x\nFOO bar\n")
    assert run("check", "--ignore", "DL1000", "Dockerfile").exit_code == 0
    assert run("check", "--exit-zero", "Dockerfile").exit_code == 0
    write("Dockerfile", "# dockerlint-slim: ignore-file=syntax-error\nFROM x\nFOO bar\n")
    assert run("check", "Dockerfile").exit_code == 0


ALL_FORMATS = ["text", "json", "sarif", "github", "gitlab", "checkstyle", "junit"]


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_parse_error_appears_in_every_format(fmt: str) -> None:
    write("good/Dockerfile", CLEAN)
    write("bad/Dockerfile", "FROM x\nRUN <<EOF\necho\n")
    result = run("check", "--output-format", fmt, "bad", "good")
    assert result.exit_code == 1, result.stderr
    assert "DL1000" in result.stdout
    bad = "bad/Dockerfile" if fmt in ("sarif", "github", "gitlab") else str(Path("bad/Dockerfile"))
    assert bad in result.stdout
    if fmt == "github":
        assert result.stdout.startswith("::error file=bad/Dockerfile,line=2,endLine=2,col=5,")
    elif fmt == "sarif":
        [res] = json.loads(result.stdout)["runs"][0]["results"]
        region = res["locations"][0]["physicalLocation"]["region"]
        assert (res["ruleId"], res["level"]) == ("DL1000", "error")
        assert (region["startLine"], region["startColumn"], region["endColumn"]) == (2, 5, 10)
    elif fmt == "gitlab":
        [issue] = json.loads(result.stdout)
        assert (issue["check_name"], issue["severity"]) == ("DL1000", "major")
        assert issue["location"]["lines"] == {"begin": 2, "end": 2}
    elif fmt == "junit":
        root = ET.fromstring(result.stdout)
        assert root.get("failures") == "1"
        [failure] = root.iter("failure")
        assert failure.get("type") == "DL1000"
    elif fmt == "checkstyle":
        [error] = ET.fromstring(result.stdout).iter("error")
        assert (error.get("line"), error.get("column")) == ("2", "5")
        assert error.get("source") == "dockerlint-slim.DL1000"


def test_target_naming_a_missing_stage() -> None:
    write("Dockerfile", "FROM python:3.11 AS builder\nFROM python:3.11-slim\n")
    assert_one_line_error(
        run("check", "--target", "nope", "Dockerfile"), "Dockerfile", "'nope'", "not found"
    )


def test_fix_with_stdin_prints_the_fixed_file_and_reports_on_stderr() -> None:
    result = run("check", "--fix", "-", "--stdin-filename", "app/Dockerfile", input=MIXED)
    assert result.exit_code == 1  # DL3015 remains (an unsafe fix)
    assert result.stdout == MIXED.replace("pip install", "pip install --no-cache-dir").replace(
        "-y curl=7.88*", "-y curl=7.88* && rm -rf /var/lib/apt/lists/*"
    )
    assert findings(result.stderr) == [("app/Dockerfile", 3, "DL3015")]
    assert result.stderr.endswith(
        "Found 3 problems (2 fixed, 1 remaining, 1 more with --unsafe-fixes)\n"
    )


def test_fix_with_stdin_prints_an_unchanged_file_too() -> None:
    result = run("check", "--fix", "-", input=CLEAN)
    assert (result.exit_code, result.stdout) == (0, CLEAN)
    assert result.stderr == "All checks passed!\n"


def test_fix_with_stdin_keeps_escape_sequences_of_the_file() -> None:
    text = "FROM python:3.11-slim\nRUN pip install flask && echo '\x1b[31mred\x1b]0;t\x07'\n"
    result = run("check", "--fix", "-", input=text)
    assert result.stdout == text.replace("pip install", "pip install --no-cache-dir")
    assert "\x1b" not in result.stderr


def test_fix_with_stdin_and_a_machine_format_keeps_stdout_for_the_file() -> None:
    result = run("check", "--fix", "--unsafe-fixes", "--output-format", "json", "-", input=APT)
    assert result.stdout == APT_ALL_FIXED
    assert json.loads(result.stderr) == []


@pytest.mark.parametrize(
    "data",
    [b"FROM x\n\x00\n", b"FROM x\nRUN echo \xe9\n"],
    ids=["binary", "latin-1"],
)
def test_fix_with_stdin_gives_back_an_input_it_cannot_fix(data: bytes) -> None:
    result = run("check", "--fix", "-", input=data)
    assert result.stdout_bytes == data  # an editor replacing its buffer loses nothing
    assert_one_line_error(result)


def test_fix_with_stdin_gives_back_a_file_that_does_not_parse_with_its_finding() -> None:
    data = b"FROM x\nFOO bar\n"
    result = run("check", "--fix", "-", input=data)
    assert result.stdout_bytes == data
    assert result.exit_code == 1
    assert "-:2:1: DL1000 [syntax-error]" in result.stderr


def test_fix_with_stdin_and_other_paths() -> None:
    write("Dockerfile", PIP)
    assert_one_line_error(run("check", "--fix", "-", "Dockerfile", input=PIP), "--fix", "stdin")
    assert Path("Dockerfile").read_text() == PIP


def test_fix_with_diff() -> None:
    write("Dockerfile", PIP)
    assert_one_line_error(run("check", "--fix", "--diff", "Dockerfile"), "--fix", "--diff")
    assert Path("Dockerfile").read_text() == PIP


def test_stdin_twice() -> None:
    assert_one_line_error(run("check", "-", "-", input=PIP), "stdin")


def test_config_pointing_to_a_missing_file() -> None:
    write("Dockerfile", PIP)
    assert_one_line_error(
        run("check", "--config", "nope.toml", "Dockerfile"), "--config", "nope.toml"
    )


def test_config_pyproject_without_table() -> None:
    write("Dockerfile", PIP)
    write("other/pyproject.toml", "[project]\nname = 'x'\n")
    assert_one_line_error(
        run("check", "--config", "other/pyproject.toml", "Dockerfile"),
        "pyproject.toml",
        "[tool.dockerlint-slim]",
    )


def test_output_file_that_cannot_be_written() -> None:
    write("Dockerfile", PIP)
    assert_one_line_error(
        run("check", "-o", "missing-dir/report.txt", "Dockerfile"), "-o", "missing-dir"
    )


def test_exit_zero_does_not_hide_errors() -> None:
    assert run("check", "--exit-zero", "missing").exit_code == 2


# =========================================================================== output formats


def _check_text(out: str) -> None:
    assert findings(out) == [("Dockerfile", 2, "DL3042")]


def _check_json(out: str) -> None:
    data = json.loads(out)
    assert [(f["code"], f["file"], f["line"], f["column"]) for f in data] == [
        ("DL3042", "Dockerfile", 2, 5)
    ]
    assert data[0]["name"] == "pip-cache-kept"
    assert data[0]["severity"] == "warning"


def _check_sarif(out: str) -> None:
    data = json.loads(out)
    assert data["version"] == "2.1.0"
    results = data["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["DL3042"]
    loc = results[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "Dockerfile"
    assert loc["region"]["startLine"] == 2
    rule_ids = {r["id"] for r in data["runs"][0]["tool"]["driver"]["rules"]}
    assert "DL3042" in rule_ids


def _check_github(out: str) -> None:
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1
    m = re.match(r"^::(warning|error|notice) (?P<props>[^:]*)::(?P<msg>.*)$", lines[0])
    assert m, lines[0]
    props = dict(kv.split("=", 1) for kv in m["props"].split(","))
    assert props["file"] == "Dockerfile"
    assert props["line"] == "2"
    assert "DL3042" in props["title"]
    assert m["msg"] == PIP_MESSAGE


def _check_gitlab(out: str) -> None:
    data = json.loads(out)
    assert len(data) == 1
    assert data[0]["check_name"] == "DL3042"
    assert data[0]["location"]["path"] == "Dockerfile"
    assert data[0]["location"]["lines"]["begin"] == 2
    assert data[0]["fingerprint"]


def _check_checkstyle(out: str) -> None:
    root = ET.fromstring(out)
    assert root.tag == "checkstyle"
    files = root.findall("file")
    assert [f.get("name") for f in files] == ["Dockerfile"]
    errors = files[0].findall("error")
    assert len(errors) == 1
    assert errors[0].get("line") == "2"
    assert errors[0].get("source", "").endswith("DL3042")
    assert errors[0].get("message") == PIP_MESSAGE


def _check_junit(out: str) -> None:
    root = ET.fromstring(out)
    assert root.tag == "testsuites"
    failures = root.findall(".//failure")
    assert len(failures) == 1
    assert failures[0].get("type") == "DL3042"
    assert "Dockerfile" in "".join(ET.tostring(root, encoding="unicode"))


FORMAT_CHECKS = {
    "text": _check_text,
    "json": _check_json,
    "sarif": _check_sarif,
    "github": _check_github,
    "gitlab": _check_gitlab,
    "checkstyle": _check_checkstyle,
    "junit": _check_junit,
}


@pytest.mark.parametrize("fmt", list(FORMAT_CHECKS))
def test_output_format_is_parseable_and_has_the_finding(fmt: str) -> None:
    write("Dockerfile", PIP)
    result = run("check", "--output-format", fmt, "Dockerfile")
    assert result.exit_code == 1
    assert result.stderr == ""
    FORMAT_CHECKS[fmt](result.stdout)


@pytest.mark.parametrize("fmt", list(FORMAT_CHECKS))
def test_output_file_gets_the_report_and_stdout_stays_empty(fmt: str) -> None:
    write("Dockerfile", PIP)
    on_stdout = run("check", "--output-format", fmt, "Dockerfile").stdout
    result = run("check", "--output-format", fmt, "-o", "report.out", "Dockerfile")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ""
    written = Path("report.out").read_text(encoding="utf-8")
    FORMAT_CHECKS[fmt](written)
    assert written == on_stdout


@pytest.mark.parametrize("fmt", ["json", "sarif", "gitlab", "checkstyle", "junit"])
def test_output_format_of_a_clean_run_is_parseable(fmt: str) -> None:
    write("Dockerfile", CLEAN)
    result = run("check", "--output-format", fmt, "Dockerfile")
    assert result.exit_code == 0
    if fmt in ("checkstyle", "junit"):
        root = ET.fromstring(result.stdout)
        assert not root.findall(".//error") and not root.findall(".//failure")
    else:
        data = json.loads(result.stdout)
        results = data["runs"][0]["results"] if fmt == "sarif" else data
        assert results == []


def test_output_format_from_config_and_cli_override() -> None:
    write("Dockerfile", PIP)
    write(".dockerlint-slim.toml", 'output-format = "json"\n')
    _check_json(run("check").stdout)
    _check_text(run("check", "--output-format", "text").stdout)


def test_json_output_with_config_severity_override() -> None:
    write("Dockerfile", PIP)
    write(".dockerlint-slim.toml", '[severity]\nDL3042 = "error"\n')
    data = json.loads(run("check", "--output-format", "json").stdout)
    assert data[0]["severity"] == "error"


# =========================================================================== text format


def test_no_color_by_default_when_not_a_terminal() -> None:
    write("Dockerfile", PIP)
    assert ANSI not in run("check", "Dockerfile").stdout


def test_force_color_gives_ansi_escapes() -> None:
    write("Dockerfile", PIP)
    result = run("check", "Dockerfile", env={"FORCE_COLOR": "1"})
    assert ANSI in result.stdout
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert findings(plain) == [("Dockerfile", 2, "DL3042")]


def test_no_color_flag_beats_force_color() -> None:
    write("Dockerfile", PIP)
    result = run("check", "--no-color", "Dockerfile", env={"FORCE_COLOR": "1"})
    assert ANSI not in result.stdout
    _check_text(result.stdout)


def test_no_color_variable_beats_force_color() -> None:
    write("Dockerfile", PIP)
    result = run("check", "Dockerfile", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert ANSI not in result.stdout


def test_output_file_never_gets_colours() -> None:
    write("Dockerfile", PIP)
    run("check", "-o", "report.txt", "Dockerfile", env={"FORCE_COLOR": "1"})
    assert ANSI not in Path("report.txt").read_text()


def test_quiet_omits_the_summary() -> None:
    write("Dockerfile", PIP)
    result = run("check", "--quiet", "Dockerfile")
    assert result.exit_code == 1
    _check_text(result.stdout)
    assert "Found" not in result.stdout
    result = run("check", "-q", "Dockerfile")
    assert "Found" not in result.stdout


def test_quiet_clean_run_prints_nothing() -> None:
    write("Dockerfile", CLEAN)
    result = run("check", "-q", "Dockerfile")
    assert result.exit_code == 0
    assert result.stdout == ""


def test_text_path_is_relative_to_how_it_was_given() -> None:
    write("deploy/prod/Dockerfile", PIP)
    result = run("check", "deploy")
    assert findings(result.stdout) == [(str(Path("deploy/prod/Dockerfile")), 2, "DL3042")]


# =========================================================================== rule selection


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), {"DL3042", "DL3009", "DL3015"}),
        (("--select", "DL3042"), {"DL3042"}),
        (("--select", "pip-cache-kept"), {"DL3042"}),
        (("--select", "DL300"), {"DL3009"}),
        (("--select", "DL3"), {"DL3042", "DL3009", "DL3015"}),
        (("--select", "ALL"), {"DL3042", "DL3009", "DL3015"}),
        (("--select", "DL3042,apt-lists-kept"), {"DL3042", "DL3009"}),
        (("--select", "DL3042", "--select", "DL3015"), {"DL3042", "DL3015"}),
        (("--ignore", "DL3042"), {"DL3009", "DL3015"}),
        (("--ignore", "apt-install-recommends"), {"DL3042", "DL3009"}),
        (("--ignore", "DL301"), {"DL3042", "DL3009"}),
        (("--select", "DL3042", "--extend-select", "DL3009"), {"DL3042", "DL3009"}),
        (("--select", "DL3", "--ignore", "DL3042"), {"DL3009", "DL3015"}),
        # codes, prefixes, names and ALL in any letter case
        (("--select", "dl3042"), {"DL3042"}),
        (("--select", "dl300,Apt-Install-Recommends"), {"DL3009", "DL3015"}),
        (("--select", "all", "--ignore", "dl3042"), {"DL3009", "DL3015"}),
        (("--select", "dl3042", "--extend-select", "Dl3009"), {"DL3042", "DL3009"}),
    ],
)
def test_select_ignore_extend_select(args: tuple[str, ...], expected: set[str]) -> None:
    write("Dockerfile", MIXED)
    result = run("check", *args, "Dockerfile")
    assert result.exit_code == 1
    assert codes(result.stdout) == expected


def test_ignoring_everything_exits_0() -> None:
    write("Dockerfile", MIXED)
    result = run("check", "--ignore", "DL", "Dockerfile")
    assert result.exit_code == 0
    assert "All checks passed!" in result.stdout


def test_config_select_and_ignore() -> None:
    write("Dockerfile", MIXED)
    write(
        ".dockerlint-slim.toml",
        'select = ["DL300", "DL301"]\nignore = ["apt-install-recommends"]\n',
    )
    assert codes(run("check").stdout) == {"DL3009"}


def test_config_in_pyproject() -> None:
    write("Dockerfile", MIXED)
    write("pyproject.toml", '[tool.dockerlint-slim]\nselect = ["DL3042"]\n')
    assert codes(run("check").stdout) == {"DL3042"}


def test_standalone_config_beats_pyproject_in_the_same_folder() -> None:
    write("Dockerfile", MIXED)
    write("sub/Dockerfile", MIXED)
    write("pyproject.toml", '[tool.dockerlint-slim]\nselect = ["DL3042"]\n')
    write(".dockerlint-slim.toml", 'select = ["DL3009"]\n')
    result = run("check", ".", "sub")
    assert codes(result.stdout) == {"DL3009"}
    # one line, once, naming both files and the one in use
    assert result.stderr == (
        "dockerlint-slim: warning: .dockerlint-slim.toml and pyproject.toml both configure "
        "dockerlint-slim; using .dockerlint-slim.toml (the [tool.dockerlint-slim] table is "
        "ignored)\n"
    )


def test_no_warning_when_pyproject_does_not_configure_the_linter() -> None:
    write("Dockerfile", MIXED)
    write("pyproject.toml", '[tool.other]\nname = "dockerlint-slim"\n')
    write(".dockerlint-slim.toml", 'select = ["DL3009"]\n')
    result = run("check")
    assert codes(result.stdout) == {"DL3009"}
    assert result.stderr == ""


def test_nearest_config_wins() -> None:
    write("Dockerfile", PIP)
    write("svc/Dockerfile", PIP)
    write("svc/.dockerlint-slim.toml", 'ignore = ["DL3042"]\n')
    result = run("check")
    assert findings(result.stdout) == [("Dockerfile", 2, "DL3042")]


def test_explicit_config_replaces_discovery() -> None:
    write("Dockerfile", MIXED)
    write(".dockerlint-slim.toml", 'select = ["DL3042"]\n')
    write("ci/lint.toml", 'select = ["DL3015"]\n')
    assert codes(run("check", "--config", "ci/lint.toml").stdout) == {"DL3015"}


def test_config_per_file_ignores() -> None:
    write("docker/dev.Dockerfile", PIP)
    write("docker/prod.Dockerfile", PIP)
    write(
        ".dockerlint-slim.toml",
        '[per-file-ignores]\n"docker/dev.Dockerfile" = ["pip-cache-kept"]\n',
    )
    result = run("check")
    assert [Path(p).as_posix() for p, _, _ in findings(result.stdout)] == ["docker/prod.Dockerfile"]


def test_cli_select_overrides_config_ignore() -> None:
    write("Dockerfile", MIXED)
    write(".dockerlint-slim.toml", 'ignore = ["DL3042"]\n')
    assert "DL3042" not in codes(run("check").stdout)
    assert codes(run("check", "--select", "DL3042").stdout) == {"DL3042"}


def test_cli_ignore_adds_to_config() -> None:
    write("Dockerfile", MIXED)
    write(".dockerlint-slim.toml", 'ignore = ["DL3042"]\n')
    assert codes(run("check", "--ignore", "DL3015").stdout) == {"DL3009"}


def test_per_file_ignores_still_apply_with_cli_select() -> None:
    write("Dockerfile", MIXED)
    write(".dockerlint-slim.toml", '[per-file-ignores]\n"Dockerfile" = ["DL3042"]\n')
    result = run("check", "--select", "DL3042")
    assert result.exit_code == 0
    assert codes(result.stdout) == set()


def test_failure_threshold_error_makes_a_warning_only_file_pass() -> None:
    write("Dockerfile", PIP)
    result = run("check", "--failure-threshold", "error", "Dockerfile")
    assert result.exit_code == 0
    _check_text(result.stdout)  # still reported, just not failing


def test_failure_threshold_warning_ignores_info_findings() -> None:
    write("Dockerfile", APT)  # DL3009 and DL3015 are info
    assert run("check", "--failure-threshold", "warning", "Dockerfile").exit_code == 0
    assert run("check", "--failure-threshold", "info", "Dockerfile").exit_code == 1


def test_config_failure_threshold_and_severity() -> None:
    write("Dockerfile", PIP)
    write(".dockerlint-slim.toml", 'failure-threshold = "error"\n')
    assert run("check").exit_code == 0
    write(".dockerlint-slim.toml", 'failure-threshold = "error"\n[severity]\nDL3042 = "error"\n')
    assert run("check").exit_code == 1


def test_cli_failure_threshold_overrides_config() -> None:
    write("Dockerfile", PIP)
    write(".dockerlint-slim.toml", 'failure-threshold = "error"\n')
    assert run("check", "--failure-threshold", "warning").exit_code == 1


def test_unknown_failure_threshold_is_a_usage_error() -> None:
    write("Dockerfile", PIP)
    result = run("check", "--failure-threshold", "fatal", "Dockerfile")
    assert result.exit_code == 2
    assert "--failure-threshold" in result.stderr
    assert "Traceback" not in result.stderr


def test_exit_zero() -> None:
    write("Dockerfile", PIP)
    result = run("check", "--exit-zero", "Dockerfile")
    assert result.exit_code == 0
    _check_text(result.stdout)


def test_statistics_lists_codes_with_counts() -> None:
    write("Dockerfile", MIXED + "RUN pip install requests==2.32.3\n")
    write("other.Dockerfile", PIP)
    result = run("check", "--statistics", ".")
    assert result.exit_code == 1
    assert statistics(result.stdout) == {"DL3042": 3, "DL3009": 1, "DL3015": 1}
    first = result.stdout.splitlines()[0]
    assert "DL3042" in first and "pip-cache-kept" in first  # most frequent first
    assert "Found" not in result.stdout


def test_statistics_respects_selection_and_is_empty_when_clean() -> None:
    write("Dockerfile", MIXED)
    result = run("check", "--statistics", "--select", "DL3009", "Dockerfile")
    assert statistics(result.stdout) == {"DL3009": 1}
    write("Dockerfile", CLEAN)
    result = run("check", "--statistics", "Dockerfile")
    assert result.exit_code == 0
    assert result.stdout == ""


def test_statistics_in_json() -> None:
    write("a/Dockerfile", MIXED)
    write("b/Dockerfile", PIP)
    result = run("check", "--statistics", "--output-format", "json", ".")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {"code": "DL3042", "name": "pip-cache-kept", "count": 2, "fixable": True},
        {"code": "DL3009", "name": "apt-lists-kept", "count": 1, "fixable": True},
        {"code": "DL3015", "name": "apt-install-recommends", "count": 1, "fixable": True},
    ]
    write("a/Dockerfile", CLEAN)
    write("b/Dockerfile", CLEAN)
    result = run("check", "--statistics", "--output-format", "json", ".")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


def test_statistics_in_json_to_a_file_and_from_the_configuration() -> None:
    write("Dockerfile", MIXED)
    write(".dockerlint-slim.toml", 'output-format = "json"\n')
    result = run("check", "--statistics", "-o", "stats.json", "Dockerfile")
    assert (result.exit_code, result.stdout) == (1, "")
    counts = {row["code"]: row["count"] for row in json.loads(Path("stats.json").read_text())}
    assert counts == {"DL3042": 1, "DL3009": 1, "DL3015": 1}


def test_statistics_after_fixing_counts_what_remains() -> None:
    write("Dockerfile", MIXED)
    result = run("check", "--fix", "--statistics", "--output-format", "json", "Dockerfile")
    assert [row["code"] for row in json.loads(result.stdout)] == ["DL3015"]


@pytest.mark.parametrize("fmt", ["sarif", "github", "gitlab", "checkstyle", "junit"])
def test_statistics_refuses_formats_without_a_statistics_view(fmt: str) -> None:
    write("Dockerfile", MIXED)
    result = run("check", "--statistics", "--output-format", fmt, "-o", "r.out", "Dockerfile")
    assert_one_line_error(result, "--statistics", fmt, "text or json")
    assert not Path("r.out").exists()


# =========================================================================== pragmas


@pytest.mark.parametrize(
    "text",
    [
        "FROM python:3.11-slim\n# dockerlint-slim: ignore=DL3042\nRUN pip install flask==3.0\n",
        "FROM python:3.11-slim\n# dockerlint-slim: ignore=pip-cache-kept\n"
        "RUN pip install flask==3.0\n",
        "FROM python:3.11-slim\n# dockerlint-slim: ignore=DL3009,DL3042\n"
        "RUN pip install flask==3.0\n",
        "FROM python:3.11-slim\n# hadolint ignore=DL3042\nRUN pip install flask==3.0\n",
        "# hadolint global ignore=DL3042\nFROM python:3.11-slim\nRUN pip install flask==3.0\n",
        "FROM python:3.11-slim\nRUN pip install flask==3.0\n# hadolint global ignore=DL3042\n",
        PIP + "# dockerlint-slim: ignore-file=pip-cache-kept\n",
        "# dockerlint-slim: ignore-file=DL3042\nFROM python:3.11-slim\n"
        "RUN pip install flask==3.0\n",
        "# dockerlint-slim: ignore-stage=DL3042\nFROM python:3.11-slim\n"
        "RUN pip install flask==3.0\n",
        "# hadolint stage ignore=DL3042\nFROM python:3.11-slim\nRUN pip install flask==3.0\n",
    ],
    ids=[
        "own-code",
        "own-name",
        "own-list",
        "hadolint",
        "hadolint-global-top",
        "hadolint-global-bottom",
        "ignore-file-name-bottom",
        "ignore-file-code",
        "ignore-stage",
        "hadolint-stage",
    ],
)
def test_pragma_silences(text: str) -> None:
    write("Dockerfile", text)
    result = run("check", "Dockerfile")
    assert result.exit_code == 0, result.stdout
    assert "All checks passed!" in result.stdout


@pytest.mark.parametrize(
    "text",
    [
        "FROM python:3.11-slim\n# dockerlint-slim: ignore=DL3009\nRUN pip install flask==3.0\n",
        "FROM python:3.11-slim\n# hadolint ignore=DL3015\nRUN pip install flask==3.0\n",
        "# hadolint global ignore=DL3009\nFROM python:3.11-slim\nRUN pip install flask==3.0\n",
        "# dockerlint-slim: ignore-file=apt-lists-kept\n" + PIP,
        "# dockerlint-slim: ignore-stage=DL3009\nFROM python:3.11-slim\n"
        "RUN pip install flask==3.0\n",
    ],
    ids=["own", "hadolint", "hadolint-global", "ignore-file", "ignore-stage"],
)
def test_pragma_for_another_code_does_not_silence(text: str) -> None:
    write("Dockerfile", text)
    result = run("check", "Dockerfile")
    assert result.exit_code == 1
    assert codes(result.stdout) == {"DL3042"}


def test_instruction_pragma_silences_only_the_next_instruction() -> None:
    write(
        "Dockerfile",
        "FROM python:3.11-slim\n"
        "# hadolint ignore=DL3042\n"
        "RUN pip install flask==3.0\n"
        "RUN pip install requests==2.32.3\n",
    )
    result = run("check", "--select", "DL3042", "Dockerfile")
    assert findings(result.stdout) == [("Dockerfile", 4, "DL3042")]


def test_pragma_silenced_finding_is_not_fixed() -> None:
    text = "FROM python:3.11-slim\n# dockerlint-slim: ignore=DL3042\nRUN pip install flask==3.0\n"
    write("Dockerfile", text)
    result = run("check", "--fix", "Dockerfile")
    assert result.exit_code == 0
    assert Path("Dockerfile").read_text() == text


# =========================================================================== stages

BUILDER_ONLY = (
    "FROM python:3.11-slim AS builder\n"
    "RUN pip install flask==3.0\n"
    "FROM python:3.11-slim\n"
    "COPY --from=builder /usr/local /usr/local\n"
)


def test_builder_stage_that_does_not_ship_is_not_reported() -> None:
    write("Dockerfile", BUILDER_ONLY)
    result = run("check", "Dockerfile")
    assert result.exit_code == 0, result.stdout
    assert codes(result.stdout) == set()


def test_final_stage_is_reported() -> None:
    write("Dockerfile", BUILDER_ONLY + "RUN pip install gunicorn==22.0.0\n")
    result = run("check", "Dockerfile")
    assert result.exit_code == 1
    assert findings(result.stdout) == [("Dockerfile", 5, "DL3042")]


def test_stage_the_final_stage_is_built_from_is_reported() -> None:
    write(
        "Dockerfile",
        "FROM python:3.11-slim AS base\nRUN pip install flask==3.0\nFROM base\nRUN echo done\n",
    )
    result = run("check", "Dockerfile")
    assert findings(result.stdout) == [("Dockerfile", 2, "DL3042")]


def test_target_makes_the_builder_ship() -> None:
    write("Dockerfile", BUILDER_ONLY)
    result = run("check", "--target", "builder", "Dockerfile")
    assert result.exit_code == 1
    assert findings(result.stdout) == [("Dockerfile", 2, "DL3042")]


def test_target_from_config() -> None:
    write("Dockerfile", BUILDER_ONLY)
    write(".dockerlint-slim.toml", 'target = "builder"\n')
    assert findings(run("check").stdout) == [("Dockerfile", 2, "DL3042")]


def test_fix_leaves_a_stage_that_does_not_ship_alone() -> None:
    write("Dockerfile", BUILDER_ONLY)
    assert run("check", "--fix", "Dockerfile").exit_code == 0
    assert Path("Dockerfile").read_text() == BUILDER_ONLY


# =========================================================================== fixing


def test_fix_writes_the_safe_fix() -> None:
    write("Dockerfile", PIP)
    result = run("check", "--fix", "Dockerfile")
    assert result.exit_code == 0
    assert Path("Dockerfile").read_text() == PIP_FIXED
    # as ruff says it: what was found, what was fixed, what remains
    assert result.stdout == "Found 1 problem (1 fixed, 0 remaining)\n"


def test_fix_keeps_crlf_line_endings() -> None:
    write("Dockerfile", PIP.replace("\n", "\r\n").encode())
    assert run("check", "--fix", "Dockerfile").exit_code == 0
    assert Path("Dockerfile").read_bytes() == PIP_FIXED.replace("\n", "\r\n").encode()


def test_fix_keeps_a_utf8_bom() -> None:
    write("Dockerfile", b"\xef\xbb\xbf" + PIP.encode())
    assert run("check", "--fix", "Dockerfile").exit_code == 0
    assert Path("Dockerfile").read_bytes() == b"\xef\xbb\xbf" + PIP_FIXED.encode()


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_fix_keeps_the_file_mode() -> None:
    p = write("Dockerfile", PIP)
    p.chmod(0o640)
    assert run("check", "--fix", "Dockerfile").exit_code == 0
    assert stat.S_IMODE(p.stat().st_mode) == 0o640
    assert p.read_text() == PIP_FIXED


def test_fix_keeps_non_ascii_text() -> None:
    text = 'FROM python:3.11-slim\nLABEL description="café ☕"\nRUN pip install flask==3.0\n'
    write("Dockerfile", text)
    assert run("check", "--fix", "Dockerfile").exit_code == 0
    assert Path("Dockerfile").read_text(encoding="utf-8") == text.replace(
        "pip install", "pip install --no-cache-dir"
    )


def test_fix_is_idempotent_and_exit_code_reflects_what_is_left() -> None:
    write("Dockerfile", APT)
    first = run("check", "--fix", "Dockerfile")
    assert first.exit_code == 1  # DL3015's fix is unsafe: still reported
    assert codes(first.stdout) == {"DL3015"}
    after_first = Path("Dockerfile").read_bytes()
    assert after_first.decode() == APT_SAFE_FIXED

    second = run("check", "--fix", "Dockerfile")
    assert second.exit_code == 1
    assert codes(second.stdout) == {"DL3015"}
    assert Path("Dockerfile").read_bytes() == after_first


def test_second_fix_of_a_fully_fixable_file_changes_nothing_and_exits_0() -> None:
    write("Dockerfile", PIP)
    run("check", "--fix", "Dockerfile")
    before = Path("Dockerfile").read_bytes()
    result = run("check", "--fix", "--exit-non-zero-on-fix", "Dockerfile")
    assert result.exit_code == 0
    assert Path("Dockerfile").read_bytes() == before


def test_unsafe_fixes_also_applies_dl3015() -> None:
    write("Dockerfile", APT)
    result = run("check", "--fix", "--unsafe-fixes", "Dockerfile")
    assert result.exit_code == 0, result.stdout
    assert Path("Dockerfile").read_text() == APT_ALL_FIXED


def test_unsafe_fixes_without_fix_writes_nothing() -> None:
    write("Dockerfile", APT)
    result = run("check", "--unsafe-fixes", "Dockerfile")
    assert result.exit_code == 1
    assert Path("Dockerfile").read_text() == APT


def test_fix_of_a_folder_fixes_every_file() -> None:
    write("a/Dockerfile", PIP)
    write("b/Containerfile", PIP)
    assert run("check", "--fix", ".").exit_code == 0
    assert Path("a/Dockerfile").read_text() == PIP_FIXED
    assert Path("b/Containerfile").read_text() == PIP_FIXED


def test_fix_of_an_unparsable_file_writes_nothing() -> None:
    text = "FROM python:3.11-slim\nRUN pip install flask==3.0\nFOO bar\n"
    write("Dockerfile", text)
    write("ok/Dockerfile", PIP)
    result = run("check", "--fix", "Dockerfile", "ok")
    assert result.exit_code == 1
    assert findings(result.stdout) == [("Dockerfile", 3, "DL1000")]
    assert Path("Dockerfile").read_text() == text
    assert Path("ok/Dockerfile").read_text() == PIP_FIXED
    result = run("check", "--diff", "--unsafe-fixes", "Dockerfile")
    assert (result.exit_code, result.stdout) == (0, "")


def test_diff_prints_a_unified_diff_and_writes_nothing() -> None:
    write("Dockerfile", PIP)
    result = run("check", "--diff", "Dockerfile")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "--- a/Dockerfile"
    assert lines[1] == "+++ b/Dockerfile"
    assert lines[2].startswith("@@ ")
    assert "-RUN pip install flask==3.0" in lines
    assert "+RUN pip install --no-cache-dir flask==3.0" in lines
    assert Path("Dockerfile").read_text() == PIP


def test_diff_with_nothing_to_fix_exits_0() -> None:
    write("Dockerfile", CLEAN)
    result = run("check", "--diff", "Dockerfile")
    assert result.exit_code == 0
    assert result.stdout == ""


def test_diff_with_only_unsafe_fixes_left_exits_0() -> None:
    write("Dockerfile", APT_SAFE_FIXED)
    assert run("check", "--diff", "Dockerfile").exit_code == 0
    result = run("check", "--diff", "--unsafe-fixes", "Dockerfile")
    assert result.exit_code == 1
    fixed = "+RUN apt-get update && apt-get install --no-install-recommends -y curl=7.88*"
    assert fixed in result.stdout
    assert Path("Dockerfile").read_text() == APT_SAFE_FIXED


def test_diff_of_stdin_uses_the_stdin_filename() -> None:
    result = run("check", "--diff", "-", "--stdin-filename", "svc/Dockerfile", input=PIP)
    assert result.exit_code == 1
    assert result.stdout.startswith("--- a/svc/Dockerfile\n+++ b/svc/Dockerfile\n")


def test_diff_matches_what_fix_writes(tmp_path: Path) -> None:
    write("Dockerfile", MIXED)
    diff = run("check", "--diff", "--unsafe-fixes", "Dockerfile").stdout
    run("check", "--fix", "--unsafe-fixes", "Dockerfile")
    fixed = Path("Dockerfile").read_text().splitlines()
    added = [line[1:] for line in diff.splitlines() if line.startswith("+") and line[1:2] != "+"]
    removed = [line[1:] for line in diff.splitlines() if line.startswith("-") and line[1:2] != "-"]
    assert all(line in fixed for line in added)
    assert not any(line in fixed for line in removed)


def test_show_fixes_lists_each_fix() -> None:
    write("Dockerfile", MIXED)
    result = run("check", "--fix", "--show-fixes", "Dockerfile")
    assert result.exit_code == 1  # DL3015 left
    tail = result.stdout[result.stdout.index("Fixed 2 problems:") :]
    assert tail.splitlines() == [
        "Fixed 2 problems:",
        "- Dockerfile:",
        "    2:5 DL3042 [pip-cache-kept] Turn the package manager's cache off (or remove it in "
        "the same `RUN`)",
        "    3:5 DL3009 [apt-lists-kept] Remove `/var/lib/apt/lists/*` in the same `RUN`",
        "",
        "Found 3 problems (2 fixed, 1 remaining, 1 more with --unsafe-fixes)",
    ]
    assert findings(result.stdout) == [("Dockerfile", 3, "DL3015")]


def test_show_fixes_gives_lines_of_the_original_file() -> None:
    # the second pass fixes DL3015 on the text the first pass changed; its line is still 3
    write("Dockerfile", "# one\n# two\n" + MIXED)
    result = run("check", "--fix", "--unsafe-fixes", "--show-fixes", "Dockerfile")
    assert result.exit_code == 0
    listed = [line.split()[:2] for line in result.stdout.splitlines() if line.startswith("    ")]
    assert listed == [["4:5", "DL3042"], ["5:5", "DL3009"], ["5:23", "DL3015"]]
    assert result.stdout.endswith("Found 3 problems (3 fixed, 0 remaining)\n")


def test_show_fixes_with_quiet_keeps_the_fix_list() -> None:
    write("Dockerfile", PIP)
    result = run("check", "--fix", "--show-fixes", "-q", "Dockerfile")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Fixed 1 problem:",
        "- Dockerfile:",
        "    2:5 DL3042 [pip-cache-kept] Turn the package manager's cache off (or remove it in "
        "the same `RUN`)",
    ]


def test_fix_summary_counts_every_finding_a_rewrite_removes(tmp_path: Path) -> None:
    write(
        "Dockerfile",
        "FROM python:3.11\n"
        "RUN apt-get update && apt-get install -y gcc libpq-dev\n"
        "COPY requirements.txt .\n"
        "RUN pip install -r requirements.txt\n"
        'CMD ["python", "app.py"]\n',
    )
    write("requirements.txt", "psycopg2==2.9.9\n")
    before = run("check", "--output-format", "json", "Dockerfile")
    every = [(f["code"], f["line"]) for f in json.loads(before.stdout)]
    found = set(every)
    assert len(found) > 2
    result = run("check", "--fix", "--unsafe-fixes", "--show-fixes", "Dockerfile")
    assert "AS builder" in Path("Dockerfile").read_text()
    remaining = findings(result.stdout)
    # what the rewrite removed: every finding of the original but those still there (the
    # rewritten file may bring its own, e.g. DL3008 on the runtime libraries it installs)
    still = {(c, n) for _, n, c in remaining}
    fixed = len([f for f in every if f not in still])
    summary = result.stdout.splitlines()[-1]
    total = fixed + len(remaining)
    assert summary == f"Found {total} problems ({fixed} fixed, {len(remaining)} remaining)"
    assert f"Fixed {fixed} problems:" in result.stdout
    # the rewrite is listed once, at DLS007's line, with what it fixed besides
    rewrite = [line for line in result.stdout.splitlines() if " DLS007 " in line]
    assert rewrite == [
        "    1:6 DLS007 [multi-stage-opportunity] Split into a builder stage and a slim "
        "runtime stage"
    ]
    also = result.stdout.splitlines()[result.stdout.splitlines().index(rewrite[0]) + 1]
    assert also.strip().startswith("also fixed: ")
    for code, line in found - {("DLS007", 1)}:
        if (code, line) not in {(c, n) for _, n, c in remaining}:
            assert code in also


def test_show_fixes_with_a_machine_format_goes_to_stderr() -> None:
    write("Dockerfile", MIXED)
    result = run("check", "--fix", "--show-fixes", "--output-format", "json", "Dockerfile")
    assert [f["code"] for f in json.loads(result.stdout)] == ["DL3015"]
    assert result.stderr.startswith("Fixed 2 problems:\n- Dockerfile:\n    2:5 DL3042 ")


def test_fix_with_a_machine_format_prints_no_summary() -> None:
    write("Dockerfile", PIP)
    result = run("check", "--fix", "--output-format", "json", "Dockerfile")
    assert (result.exit_code, json.loads(result.stdout), result.stderr) == (0, [], "")


def test_diff_says_what_it_would_fix_on_stderr() -> None:
    write("Dockerfile", MIXED)
    result = run("check", "--diff", "Dockerfile")
    assert result.stdout.startswith("--- a/Dockerfile\n")
    assert result.stderr == "Would fix 2 problems.\n"
    result = run("check", "--diff", "--unsafe-fixes", "--show-fixes", "Dockerfile")
    assert result.stderr.splitlines()[:2] == ["Would fix 3 problems:", "- Dockerfile:"]
    assert len([line for line in result.stderr.splitlines() if line.startswith("    ")]) == 3
    assert run("check", "--diff", "-q", "Dockerfile").stderr == ""
    assert Path("Dockerfile").read_text() == MIXED


def test_exit_non_zero_on_fix() -> None:
    write("Dockerfile", PIP)
    result = run("check", "--fix", "--exit-non-zero-on-fix", "Dockerfile")
    assert result.exit_code == 1
    assert Path("Dockerfile").read_text() == PIP_FIXED
    write("Dockerfile", PIP)
    assert run("check", "--fix", "Dockerfile").exit_code == 0


# =========================================================================== rule, version


def _assert_rule_docs(text: str, code: str, name: str) -> None:
    assert f"# {code} {name}" in text
    for section in DOC_SECTIONS:
        assert f"## {section}" in text, section


def test_rule_by_code() -> None:
    result = run("rule", "DL3042")
    assert result.exit_code == 0
    _assert_rule_docs(result.stdout, "DL3042", "pip-cache-kept")
    assert "Severity: warning" in result.stdout
    assert "Fix: safe" in result.stdout
    assert "Judges only stages that ship" in result.stdout


def test_rule_by_name_and_lowercase_code_give_the_same_docs() -> None:
    by_code = run("rule", "DL3042").stdout
    assert run("rule", "pip-cache-kept").stdout == by_code
    assert run("rule", "dl3042").stdout == by_code


def test_rule_with_unsafe_fix() -> None:
    result = run("rule", "DL3015")
    assert result.exit_code == 0
    _assert_rule_docs(result.stdout, "DL3015", "apt-install-recommends")
    assert "Fix: unsafe" in result.stdout


def test_rule_all() -> None:
    result = run("rule", "--all")
    assert result.exit_code == 0
    for code, name in [
        ("DL3009", "apt-lists-kept"),
        ("DL3015", "apt-install-recommends"),
        ("DL3042", "pip-cache-kept"),
    ]:
        _assert_rule_docs(result.stdout, code, name)
    for section in DOC_SECTIONS:
        assert result.stdout.count(f"\n## {section}\n") == len(all_rules()), section


def test_rule_json() -> None:
    result = run("rule", "--output-format", "json", "DL3042")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["code"] == "DL3042"
    assert data["name"] == "pip-cache-kept"
    assert data["severity"] == "warning"
    assert data["fix_safety"] == "safe"
    assert data["shipped_only"] is True
    assert "DL3042" in data["hadolint"]
    for section in DOC_SECTIONS:
        assert f"## {section}" in data["docs"]


def test_opt_in_rule_says_so() -> None:
    text = run("rule", "unused-pragma").stdout
    _assert_rule_docs(text, "DLS201", "unused-pragma")
    assert "Opt-in: enabled only by its code or name" in text
    assert "Opt-in" not in run("rule", "DL3042").stdout
    data = json.loads(run("rule", "--output-format", "json", "dls201").stdout)
    assert data["opt_in"] is True


def test_pragma_codes_are_checked_end_to_end() -> None:
    write(
        "Dockerfile",
        "FROM python:3.11-slim\n# dockerlint-slim: ignore=dl3042,DL3009,DL9999\n"
        "RUN pip install flask==3.0.0\n",
    )
    result = run("check", "Dockerfile")
    assert findings(result.stdout) == [("Dockerfile", 2, "DLS200")]
    assert "Unknown rule code `DL9999` in a pragma comment" in result.stdout
    result = run("check", "--extend-select", "dls201", "--fix", "Dockerfile")
    assert Path("Dockerfile").read_text() == (
        "FROM python:3.11-slim\n# dockerlint-slim: ignore=dl3042,DL9999\n"
        "RUN pip install flask==3.0.0\n"
    )
    assert findings(result.stdout) == [("Dockerfile", 2, "DLS200")]


def test_rule_all_json() -> None:
    data = json.loads(run("rule", "--all", "--output-format", "json").stdout)
    codes = [r["code"] for r in data]
    assert codes == sorted(r.code for r in all_rules())
    assert {"DL3009", "DL3015", "DL3042"} <= set(codes)
    assert {r["fix_safety"] for r in data} == {"safe", "unsafe", None}


def test_rule_unknown_code() -> None:
    assert_one_line_error(run("rule", "DL9999"), "'DL9999'", "rule --all")


def test_rule_typo_suggests_a_name() -> None:
    assert_one_line_error(run("rule", "pip-cache-kep"), "did you mean 'pip-cache-kept'")


def test_rule_needs_a_code_or_all() -> None:
    assert_one_line_error(run("rule"), "--all")
    assert_one_line_error(run("rule", "DL3042", "--all"), "--all")


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag: str) -> None:
    result = run(flag)
    assert result.exit_code == 0
    assert result.stdout.strip() == f"dockerlint-slim, version {dockerlint_slim.__version__}"


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["check", "--help"], ["rule", "--help"]])
def test_help(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 0
    assert "Usage:" in result.stdout


# =========================================================================== end to end


def test_e2e_bare_command_shows_help_on_stderr_and_exits_2(tmp_path: Path) -> None:
    # the same on every supported click (click < 8.2 would print it on stdout and exit 0)
    proc = run_module(cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("Usage: dockerlint-slim [OPTIONS] COMMAND [ARGS]...")
    assert "Commands:" in proc.stderr and "Traceback" not in proc.stderr


def test_e2e_findings(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", PIP)
    proc = run_module("check", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.splitlines()[0] == f"Dockerfile:2:5: DL3042 [pip-cache-kept] {PIP_MESSAGE}"
    assert ANSI not in proc.stdout  # stdout is a pipe


def test_e2e_clean(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", CLEAN)
    proc = run_module("check", "Dockerfile", cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "All checks passed!\n", "")


def test_e2e_stdin(tmp_path: Path) -> None:
    proc = run_module(
        "check", "-", "--stdin-filename", "app/Dockerfile", cwd=tmp_path, input=PIP.encode()
    )
    assert proc.returncode == 1
    assert findings(proc.stdout) == [("app/Dockerfile", 2, "DL3042")]


def test_e2e_force_color_survives_a_pipe(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", PIP)
    proc = run_module("check", "Dockerfile", cwd=tmp_path, env={"FORCE_COLOR": "1"})
    assert proc.returncode == 1
    assert ANSI in proc.stdout
    proc = run_module(
        "check", "Dockerfile", cwd=tmp_path, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}
    )
    assert ANSI not in proc.stdout


def test_e2e_fix(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", PIP.replace("\n", "\r\n").encode())
    proc = run_module("check", "--fix", "--show-fixes", "Dockerfile", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Fixed 1 problem:\n- Dockerfile:\n    2:5 DL3042 ")
    assert proc.stdout.endswith("\nFound 1 problem (1 fixed, 0 remaining)\n")
    assert (tmp_path / "Dockerfile").read_bytes() == PIP_FIXED.replace("\n", "\r\n").encode()


def test_e2e_fix_stdin(tmp_path: Path) -> None:
    proc = run_module("check", "--fix", "-", cwd=tmp_path, input=PIP.replace("\n", "\r\n").encode())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.encode() == PIP_FIXED.replace("\n", "\r\n").encode()
    assert proc.stderr == "Found 1 problem (1 fixed, 0 remaining)\n"


E2E_ERRORS = {
    "missing-file": ([], ["check", "nope"], "no such file"),
    "no-dockerfile": ([("README.md", b"x")], ["check"], "no Dockerfile found"),
    "binary": ([("Dockerfile", b"FROM x\n\x00")], ["check"], "binary"),
    "latin-1": ([("Dockerfile", "FROM x\nRUN echo é\n".encode("latin-1"))], ["check"], "UTF-8"),
    "unknown-key": (
        [("Dockerfile", PIP.encode()), (".dockerlint-slim.toml", b"selekt = []\n")],
        ["check"],
        "selekt",
    ),
    "bad-toml": (
        [("Dockerfile", PIP.encode()), (".dockerlint-slim.toml", b"select = [\n")],
        ["check"],
        "invalid TOML",
    ),
    "unknown-select": ([("Dockerfile", PIP.encode())], ["check", "--select", "DL9999"], "DL9999"),
    "missing-target": (
        [("Dockerfile", PIP.encode())],
        ["check", "--target", "nope"],
        "'nope'",
    ),
    "fix-stdin-and-files": ([], ["check", "--fix", "-", "."], "stdin"),
    "missing-config": ([("Dockerfile", PIP.encode())], ["check", "--config", "x.toml"], "x.toml"),
    "unknown-rule": ([], ["rule", "DL9999"], "DL9999"),
}


@pytest.mark.parametrize("case", list(E2E_ERRORS))
def test_e2e_errors_are_one_line_without_traceback(case: str, tmp_path: Path) -> None:
    files, args, fragment = E2E_ERRORS[case]
    for name, data in files:
        write(tmp_path / name, data)
    proc = run_module(*args, cwd=tmp_path, input=PIP.encode())
    assert_one_line_error(proc, fragment)
    assert proc.stdout == ""


def test_e2e_unknown_output_format_is_a_click_usage_error(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", PIP)
    proc = run_module("check", "--output-format", "xml", cwd=tmp_path)
    assert_one_line_error(proc, "'xml'", "--output-format")
    assert proc.stdout == ""


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["check", "--bogus"], "--bogus"),
        (["check", "--failure-threshold", "fatal", "Dockerfile"], "'fatal'"),
        (["check", "--config", ".", "Dockerfile"], "is a directory"),
        (["check", "-o", ".", "Dockerfile"], "is a directory"),
        (["nosuchcommand"], "nosuchcommand"),
    ],
)
def test_e2e_usage_errors_are_one_line(tmp_path: Path, args: list[str], fragment: str) -> None:
    write(tmp_path / "Dockerfile", PIP)
    proc = run_module(*args, cwd=tmp_path)
    assert_one_line_error(proc, fragment)
    assert proc.stdout == ""


def test_e2e_force_color_zero_means_no_colour(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", PIP)
    proc = run_module("check", "Dockerfile", cwd=tmp_path, env={"FORCE_COLOR": "0"})
    assert proc.returncode == 1
    assert ANSI not in proc.stdout
    assert "DL3042" in proc.stdout


@pytest.mark.skipif(shutil.which("dockerlint-slim") is None, reason="console script not on PATH")
def test_console_script(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", PIP)
    proc = subprocess.run(
        ["dockerlint-slim", "check", "--output-format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    _check_json(proc.stdout)


def test_e2e_context_must_be_a_folder(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", PIP)
    proc = run_module("check", "--context", "missing", "Dockerfile", cwd=tmp_path)
    assert_one_line_error(proc, "--context", "missing")
    assert proc.stdout == ""


# =========================================================================== installation


def test_windows_console_setup_with_the_installed_colorama(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The Windows branch calls colorama.just_fix_windows_console (colorama >= 0.4.6, the lower
    # bound in setup.cfg): the test extra installs colorama everywhere so that CI runs it with
    # the oldest and the newest allowed release.
    import colorama

    calls: list[bool] = []
    real = colorama.just_fix_windows_console
    monkeypatch.setattr(colorama, "just_fix_windows_console", lambda: calls.append(True) or real())
    monkeypatch.setattr(sys, "platform", "win32")
    write("Dockerfile", PIP)
    result = run("check", "--no-color", "Dockerfile")
    assert result.exit_code == 1
    assert findings(result.stdout) == [("Dockerfile", 2, "DL3042")]
    assert calls == [True]


def test_grammar_tree_sitter_cannot_load_is_one_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # tree-sitter-bash 0.25's grammar with a tree-sitter older than 0.25 (setup.cfg's bounds
    # keep pip from choosing that pair; a forced install still gets a clear message)
    import tree_sitter

    from dockerlint_slim import shell

    def too_new(*args: object) -> None:
        raise ValueError("Incompatible Language version 15. Must be between 13 and 14")

    monkeypatch.setattr(shell, "_PARSER", None)
    monkeypatch.setattr(tree_sitter, "Language", too_new)
    write("a/Dockerfile", PIP)
    write("b/Dockerfile", PIP)
    line = assert_one_line_error(run("check", "a", "b"), "cannot load the grammar")
    assert "Incompatible Language version 15" in line
    assert "pip install --upgrade tree-sitter tree-sitter-bash" in line
