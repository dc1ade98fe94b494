"""Hostile text (escape sequences, controls, bidi overrides, undecodable file names) never
reaches a terminal raw, and machine formats stay well-formed whatever the input."""

from __future__ import annotations

import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import Result

from dockerlint_slim.cli import cli
from dockerlint_slim.escaping import git_quote, json_safe, printable
from dockerlint_slim.formats import FORMATS
from tests.support import cli_runner

OSC_TITLE = "\x1b]0;pwned\x07"  # sets the terminal's title
CSI_RED = "\x1b[31m"
C1_CSI = "\x9b"  # an 8-bit CSI
RLO = "\u202e"  # right-to-left override
LRI, PDI = "\u2066", "\u2069"
HOSTILE = f"x{OSC_TITLE}{CSI_RED}{C1_CSI}\x7f{RLO}{LRI}{PDI}\x00\r\x0b\u2028y"
# every character a terminal acts on, or that reorders the text around it
RAW = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def raw_controls(text: str, *, newlines: bool = True) -> list[str]:
    found = RAW.findall(text.replace("\n", "") if newlines else text)
    return found


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("NO_COLOR", "FORCE_COLOR", "DOCKERLINT_SLIM_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str, input: str | None = None) -> Result:
    return cli_runner().invoke(cli, list(args), input=input, catch_exceptions=False)


# --------------------------------------------------------------------------- the helpers


def test_printable_escapes_every_control_and_bidi_character() -> None:
    out = printable(HOSTILE)
    assert raw_controls(out, newlines=False) == []
    assert out == (
        "x\\x1b]0;pwned\\x07\\x1b[31m\\x9b\\x7f\\u202e\\u2066\\u2069\\x00\\r\\x0b\\u2028y"
    )


def test_printable_keeps_ordinary_text_including_non_ascii() -> None:
    text = "RUN echo 'héllo wörld ✓ 日本' $HOME # ok"
    assert printable(text) == text


def test_printable_tabs_and_newlines_on_request() -> None:
    assert printable("a\tb") == "a\\tb"
    assert printable("a\tb", tabs=False) == "a\tb"
    assert printable("a\nb\r\nc\rd", newlines=True) == "a\nb\nc\\rd"
    assert printable("a\nb") == "a\\nb"


def test_printable_shows_an_undecodable_byte_of_a_file_name_as_that_byte() -> None:
    name = os.fsdecode(b"bad\xff\x1b.Dockerfile")
    assert printable(name) == "bad\\xff\\x1b.Dockerfile"
    printable(name).encode("utf-8")  # writable to any UTF-8 stream


def test_json_safe_replaces_lone_surrogates_only() -> None:
    assert json_safe("a\udcffb\x1b✓") == "a\ufffdb\x1b✓"


def test_git_quote_quotes_like_git() -> None:
    assert git_quote("a/Dockerfile") == "a/Dockerfile"
    assert git_quote("a/x\x1by") == '"a/x\\033y"'
    assert git_quote('a/"q"\\') == '"a/\\"q\\"\\\\"'
    assert git_quote("a/\t") == '"a/\\t"'
    assert git_quote(os.fsdecode(b"a/\xff")) == '"a/\\377"'
    assert git_quote("a/\u202e") == '"a/\\342\\200\\256"'


# --------------------------------------------------------------------------- text output

HOSTILE_RUN = f"FROM python:3.11-slim\nRUN pip install flask {OSC_TITLE}{RLO}x{C1_CSI}\n"


def test_text_excerpt_shows_escape_sequences_escaped_with_carets_under_the_span() -> None:
    Path("Dockerfile").write_text(
        f"FROM python:3.11-slim\nRUN echo {OSC_TITLE}{RLO} && pip install flask\n",
        encoding="utf-8",
    )
    result = run("check", "--select", "DL3042", "Dockerfile")
    assert result.exit_code == 1
    assert raw_controls(result.stdout) == []
    lines = result.stdout.splitlines()
    source = next(line for line in lines if line.startswith("2 | "))
    carets = lines[lines.index(source) + 1]
    assert source == "2 | RUN echo \\x1b]0;pwned\\x07\\u202e && pip install flask"
    start = carets.index("^")
    assert source[start : start + carets.count("^")] == "pip install"


def test_text_caret_covers_an_escaped_character_inside_the_span() -> None:
    from dockerlint_slim.findings import Finding, Report, Severity
    from dockerlint_slim.formats import FormatOptions, render

    src = f"RUN a{CSI_RED}b c\n"
    finding = Finding("DLX1", "x", Severity.WARNING, "m", "Dockerfile", 1, 5, 1, 12)
    report = Report([finding], [], ["Dockerfile"], {"Dockerfile": src})
    out = render("text", report, FormatOptions()).splitlines()
    source = next(line for line in out if line.startswith("1 | "))
    carets = out[out.index(source) + 1]
    start = carets.index("^")
    assert source[start : start + carets.count("^")] == "a\\x1b[31mb"


def test_text_excerpt_keeps_tabs_so_carets_line_up() -> None:
    Path("Dockerfile").write_text(
        "FROM python:3.11-slim\nRUN\tpip install flask\n", encoding="utf-8"
    )
    lines = run("check", "--select", "DL3042", "Dockerfile").stdout.splitlines()
    source = next(line for line in lines if line.startswith("2 | "))
    carets = lines[lines.index(source) + 1]
    assert source == "2 | RUN\tpip install flask"
    assert carets.index("^") == source.index("pip")
    assert carets[: carets.index("^")].endswith("\t")


def test_text_messages_notes_and_file_names_are_escaped(tmp_path: Path) -> None:
    name = f"a{CSI_RED}{RLO}b.Dockerfile"
    Path(name).write_text(
        "FROM python:3.11\nRUN pip install psycopg2 && apt-get install -y gcc"
        f" && touch /x{OSC_TITLE}\n",
        encoding="utf-8",
    )
    result = run("check", "--unsafe-fixes", "--diff", name)
    assert raw_controls(result.stderr) == []
    result = run("check", name)
    assert result.exit_code == 1
    assert raw_controls(result.stdout) == []
    assert "a\\x1b[31m\\u202eb.Dockerfile:2:5:" in result.stdout


def test_text_file_name_with_an_undecodable_byte(tmp_path: Path) -> None:
    name = os.fsdecode(b"x\xff.Dockerfile")
    try:
        Path(name).write_text("FROM python:3.11-slim\nRUN pip install flask\n")
    except (OSError, UnicodeEncodeError):
        pytest.skip("the file system does not take non-UTF-8 names")
    result = run("check", name)
    assert result.exit_code == 1
    assert "x\\xff.Dockerfile:2:5: DL3042" in result.stdout


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "text"])
def test_machine_formats_stay_well_formed_for_hostile_input(fmt: str) -> None:
    name = os.fsdecode(b"h\xff\x1b]0;t\x07\x01.Dockerfile")
    try:
        Path(name).write_text(HOSTILE_RUN, encoding="utf-8")
    except (OSError, UnicodeEncodeError):
        name = "h\x1b]0;t\x07\x01.Dockerfile"
        Path(name).write_text(HOSTILE_RUN, encoding="utf-8")
    hostile = HOSTILE.replace("\x00", "")  # a NUL makes it a binary file
    Path("Dockerfile").write_text(
        f"FROM python:3.11\nRUN pip install {hostile}\n", encoding="utf-8"
    )
    result = run("check", "--output-format", fmt, ".")
    assert result.exit_code == 1, result.stderr
    out = result.stdout
    out.encode("utf-8")  # no lone surrogate
    if fmt in ("json", "sarif", "gitlab"):
        data = json.loads(out)
        text = json.dumps(data)
        assert "DL3042" in text
    elif fmt in ("checkstyle", "junit"):
        root = ET.fromstring(out.encode("utf-8"))
        assert any("DL3042" in (e.get("source", "") + e.get("type", "")) for e in root.iter())
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", out)
    else:  # github: one workflow command per line, nothing a terminal or the log acts on
        assert raw_controls(out) == []
        assert all(line.startswith("::") for line in out.splitlines())
        assert "file=h\\xff\\x1b]0;t\\x07\\x01.Dockerfile," in out


def test_sarif_uri_percent_encodes_the_real_bytes_of_a_file_name() -> None:
    from dockerlint_slim.formats.sarif import artifact_location

    uri = artifact_location(os.fsdecode(b"d/\xff\x1b.Dockerfile"))["uri"]
    assert uri == "d/%FF%1B.Dockerfile"


def test_github_message_escapes_controls_then_workflow_syntax() -> None:
    from dockerlint_slim.formats.github import escape_data, escape_property

    assert escape_data(f"50%{OSC_TITLE}\nnext\r") == "50%25\\x1b]0;pwned\\x07%0Anext\\r"
    assert escape_property("a:b,c\nd") == "a%3Ab%2Cc\\nd"


# --------------------------------------------------------------------------- other output


def test_error_quoting_a_hostile_file_name_is_one_escaped_line() -> None:
    result = run("check", f"missing{OSC_TITLE}\nDockerfile")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert raw_controls(result.stderr) == []
    assert "missing\\x1b]0;pwned\\x07\\nDockerfile: no such file" in result.stderr


def test_diff_headers_quote_a_hostile_file_name_as_git_does() -> None:
    name = f"a{CSI_RED}.Dockerfile"
    Path(name).write_text("FROM python:3.11-slim\nRUN pip install flask\n", encoding="utf-8")
    result = run("check", "--diff", name)
    assert result.exit_code == 1
    assert result.stdout.startswith(
        '--- "a/a\\033[31m.Dockerfile"\n+++ "b/a\\033[31m.Dockerfile"\n'
    )


def test_diff_to_a_pipe_keeps_the_file_characters_for_patch() -> None:
    Path("Dockerfile").write_text(HOSTILE_RUN, encoding="utf-8")
    result = run("check", "--diff", "Dockerfile")
    assert OSC_TITLE in result.stdout  # `patch` must be able to apply it


def test_diff_to_a_terminal_is_escaped() -> None:
    from dockerlint_slim.cli import _printable_diff

    diff = f"--- a/D\n+++ b/D\n@@ -1 +1 @@\n-RUN x{OSC_TITLE}\r\n+RUN\ty{RLO}\n"
    out = _printable_diff(diff)
    assert out == ("--- a/D\n+++ b/D\n@@ -1 +1 @@\n-RUN x\\x1b]0;pwned\\x07\r\n+RUN\ty\\u202e\n")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_diff_on_a_real_terminal_is_escaped(tmp_path: Path) -> None:
    import pty
    import subprocess

    (tmp_path / "Dockerfile").write_text(HOSTILE_RUN, encoding="utf-8")
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "dockerlint_slim", "check", "--diff", "Dockerfile"],
            cwd=tmp_path,
            stdout=follower,
            stderr=subprocess.PIPE,
            timeout=120,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    out = b"".join(chunks).decode("utf-8")
    assert proc.returncode == 1, proc.stderr
    assert "\\x1b]0;pwned\\x07\\u202ex\\x9b" in out
    assert raw_controls(out.replace("\r\n", "\n")) == []


# --------------------------------------------------------------------------- any input

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from dockerlint_slim.findings import Finding, Related, Report, Severity  # noqa: E402
from dockerlint_slim.formats import FormatOptions, render  # noqa: E402

# any character, lone surrogates (undecodable bytes of a file name) included
try:  # every code point, lone surrogates included (the names of hypothesis 6.81 and later)
    _EVERY_CHARACTER = st.characters(codec=None, exclude_categories=())
except TypeError:  # older releases: the same with their own names
    _EVERY_CHARACTER = st.characters(blacklist_categories=())
ANY_TEXT = st.text(_EVERY_CHARACTER, max_size=30)
PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples on every run (benchmarks/fuzz.py searches wider)
    database=None,  # no .hypothesis folder in the repo
    suppress_health_check=[HealthCheck.too_slow],
)


def _report(path: str, line: str, message: str) -> tuple[Report, str]:
    source = f"FROM python:3.11-slim\n{line}\nRUN true\n"
    end = max(len(line) + 1, 1)
    finding = Finding(
        "DL3042",
        "pip-cache-kept",
        Severity.WARNING,
        message or "m",
        path or "Dockerfile",
        2,
        1,
        2,
        end,
        hint=message,
        note=message,
        related=(Related(message, 3, 1, 3, 4),),
    )
    report = Report([finding], [], [finding.path], {finding.path: source})
    return report, source


@PROPERTY_SETTINGS
@given(path=ANY_TEXT, line=ANY_TEXT, message=ANY_TEXT)
@example(path="", line="\ud800", message="")  # a lone surrogate in the file's text (SARIF)
def test_property_every_format_is_safe_for_any_text(path: str, line: str, message: str) -> None:
    line = line.replace("\n", " ")  # one line of the file
    report, _ = _report(path, line, message)
    for fmt in FORMATS:
        out = render(fmt, report, FormatOptions())
        out.encode("utf-8")  # writable: no lone surrogate
        if fmt in ("json", "sarif", "gitlab"):
            json.loads(out)
        elif fmt in ("checkstyle", "junit"):
            ET.fromstring(out.encode("utf-8"))
        else:  # text and github: nothing a terminal acts on
            assert raw_controls(out) == [], fmt


@PROPERTY_SETTINGS
@given(before=ANY_TEXT, inside=ANY_TEXT)
def test_property_carets_stay_under_the_span(before: str, inside: str) -> None:
    before = before.replace("\n", " ").replace("\r", " ")
    inside = (inside.replace("\n", " ").replace("\r", " ")) or "x"
    src = f"{before}{inside}|\n"  # a visible end: the excerpt drops trailing spaces
    start = len(before) + 1
    finding = Finding("DLX1", "x", Severity.WARNING, "m", "D", 1, start, 1, start + len(inside))
    out = render("text", Report([finding], [], ["D"], {"D": src}), FormatOptions())
    lines = out.split("\n")
    source = next(line for line in lines if line.startswith("1 | "))
    carets = lines[lines.index(source) + 1]
    body, marks = source[4:], carets[4:]
    # tabs repeat in the caret line's padding, so both lines reach the same tab stops
    pad = marks[: marks.index("^")]
    assert pad == "".join("\t" if ch == "\t" else " " for ch in body[: len(pad)])
    assert body[len(pad) : len(pad) + marks.count("^")] == printable(inside, tabs=False)
