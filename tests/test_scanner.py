"""Tests for the lossless scanner (``dockerlint_slim/scanner.py``).

1. Every parser edge case in ``../shared/parser-cases/`` gives exactly the instruction spans in
   its ``expected.json`` (1-based, inclusive lines); cases whose ``expected`` is ``null`` are
   rejected with a clear :class:`ScanError` that carries the line number.
2. Byte-exact round trip for every accepted parser case, every Dockerfile-like file under
   ``fixtures/`` and every Dockerfile text in the TOML case files in ``fixtures/cases/``.
3. Hypothesis properties: text built from Dockerfile-ish fragments (and arbitrary text or
   bytes) either raises :class:`ScanError` or round-trips exactly, with consistent spans.
   ``REGRESSION_CASES`` pins the scanner bugs these (and 5.) found.
4. Differential against ``dockerfile-parse`` (cases without heredocs).
5. Differential against the ``dockerfile`` package (bindings to the Go parser), run in a
   subprocess because the Go runtime can abort the interpreter (it does on ``c24_binary``):
   the parser cases, the regression rows and 400 seeded random texts built from the same
   fragments as the properties.

Known differences of the reference parsers are excluded per case, each with its reason, in
``DOCKERFILE_PARSE_KNOWN_WRONG`` and ``GO_PARSER_KNOWN_WRONG``. For heredocs the Go parser's
``end_line`` is the terminator line, like ours, on every case (checked, no exclusion needed);
its heredoc content keeps the leading tabs of ``<<-`` bodies (BuildKit strips them later, at the
instruction stage), so that comparison strips them on its side.
"""

from __future__ import annotations

import io
import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dockerlint_slim.scanner import (
    Blank,
    Bom,
    Comment,
    Directive,
    RawInstruction,
    ScanError,
    ScanResult,
    check_text,
    scan,
)
from tests.support import PARSER_CASES_DIR

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

try:  # hypothesis is optional: only the property tests need it
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    st = None

REPO = Path(__file__).resolve().parents[1]
CASES_DIR = PARSER_CASES_DIR
EXPECTED_FILE = CASES_DIR / "expected.json"
FIXTURES_DIR = REPO / "fixtures"
TOML_CASES_DIR = FIXTURES_DIR / "cases"

# Cases whose expected is null: (substring the message must contain, 1-based line).
REJECTED = {
    "c24_binary": ("binary", None),  # line: the line of the first NUL byte, computed below
    "c27_bad_instruction": ("unknown instruction 'FOO'", 2),
    "c28_unterminated_heredoc": ("unterminated heredoc", 2),
}

# dockerfile-parse 2.0.1 is wrong on these accepted cases (checked against BuildKit's rules in
# docs/house.md §5 and against the Go parser); the other accepted cases must agree exactly.
DOCKERFILE_PARSE_KNOWN_WRONG = {
    # It only knows the syntax and escape directives: `# check=` on line 2 ends directive
    # parsing, so the `# escape=`` on line 3 is ignored and `RUN echo hi `` does not continue.
    "c04_syntax_directive": "does not know the check directive, so ignores the escape after it",
    # An empty or whitespace-only line inside a continuation ends the instruction there, and
    # the next lines (`&& apt-get ...`) become instructions named `&&`.
    "c18_empty_continuation": "does not skip empty lines inside a continuation",
    # The UTF-8 BOM is not stripped: the first instruction is reported as '\ufeffFROM'.
    "c21_bom": "does not strip the UTF-8 BOM",
    # A last line ending in the escape char with no newline after it is dropped (BuildKit
    # keeps `RUN echo a` as an instruction).
    "c29_eof_continuation": "drops a final instruction that ends in a continuation at EOF",
}

# The Go parser bundled with the `dockerfile` package (3.4.0) is older than the `check`
# directive (BuildKit 0.14 / dockerfile:1.8): it stops directive parsing at `# check=`, so it
# ignores the `# escape=`` after it and splits `RUN echo hi `` / `there` into two instructions.
GO_PARSER_KNOWN_WRONG = {
    "c04_syntax_directive": "bundled Go parser predates the check directive",
}
# The Go parser raises for a file without instructions; ours returns an empty list.
GO_NO_INSTRUCTIONS = "file with no instructions"


# --------------------------------------------------------------------------- helpers


def load_expected() -> dict[str, dict]:
    if not EXPECTED_FILE.is_file():
        return {}
    with open(EXPECTED_FILE, encoding="utf-8") as handle:
        return json.load(handle)


EXPECTED = load_expected()


def case_bytes(name: str) -> bytes:
    return (CASES_DIR / f"{name}.Dockerfile").read_bytes()


def case_params(accepted: bool | None = None) -> list:
    """One param per case in expected.json (None: all, True: accepted, False: rejected)."""
    if not EXPECTED:
        # one test that the parser_cases fixture skips, or fails when CI requires the cases
        return [pytest.param(None, id="absent")]
    params = []
    for name, entry in EXPECTED.items():
        if accepted is None or (entry["expected"] is not None) == accepted:
            params.append(pytest.param(name, id=name))
    return params


def spans(result: ScanResult) -> list[list]:
    return [[inst.keyword, inst.line, inst.end_line] for inst in result.instructions]


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def assert_consistent(text: str, result: ScanResult) -> None:
    """Round trip plus the structural invariants of an accepted scan."""
    assert result.render() == text
    pos = 0
    for item in result.items:
        assert item.start == pos, f"gap or overlap before {item!r}"
        assert item.end >= item.start
        pos = item.end
    assert pos == len(text)
    for k, item in enumerate(result.items):
        if isinstance(item, Bom):
            assert k == 0 and text[item.start : item.end] == "\ufeff"
        elif isinstance(item, (Directive, Comment, Blank)):
            assert item.line == line_of(text, item.start)
    for inst in result.instructions:
        assert isinstance(inst, RawInstruction)
        assert inst.start < inst.end
        assert inst.line == line_of(text, inst.start)
        assert result.line_col(inst.start) == (inst.line, 1)
        assert inst.end_line == line_of(text, inst.end - 1)
        assert inst.line <= inst.end_line
        assert inst.end == len(text) or text[inst.end - 1] == "\n"
        assert inst.start <= inst.keyword_span.start < inst.keyword_span.end <= inst.command_end
        assert text[inst.keyword_span.start : inst.keyword_span.end].upper() == inst.keyword
        assert inst.command_end <= inst.end
        for seg in inst.segments:
            assert inst.start <= seg.start <= seg.end <= inst.command_end
        for flag in inst.flags:
            assert inst.start <= flag.start < flag.end <= inst.command_end
            written = text[flag.start : flag.end]
            if "\n" not in written:  # else the flag's name or value is split by a continuation
                assert written.startswith("--" + flag.name)
            assert text[flag.end - 1] != "\n"
            if text[flag.end - 1] == result.escape:
                # a value may end with a literal escape character: an escaped one
                # (``/x\\``) or one right before the escape that continues the line
                assert result.escape in (text[flag.end - 2], text[flag.end : flag.end + 1])
        for doc in inst.heredocs:
            assert inst.command_end <= doc.body.start <= doc.body.end == doc.terminator.start
            assert doc.terminator.end <= inst.end
            assert inst.start <= doc.marker.start < doc.marker.end <= inst.command_end
            assert "<<" in text[doc.marker.start : doc.marker.end]


# --------------------------------------------------------------------------- 1. spans


def test_parser_cases_are_all_present(parser_cases):
    assert EXPECTED, f"{EXPECTED_FILE} is missing or empty"
    on_disk = {p.name[: -len(".Dockerfile")] for p in CASES_DIR.glob("*.Dockerfile")}
    assert on_disk == set(EXPECTED), "every case file needs an expected.json entry and back"
    rejected = {name for name, entry in EXPECTED.items() if entry["expected"] is None}
    assert rejected == set(REJECTED), "a new rejected case needs an entry in REJECTED"


@pytest.mark.parametrize("name", case_params(accepted=True))
def test_parser_case_spans(name: str, parser_cases):
    data = case_bytes(name)
    text = check_text(data)
    result = scan(text)
    assert spans(result) == EXPECTED[name]["expected"], EXPECTED[name].get("note")
    assert_consistent(text, result)


@pytest.mark.parametrize("name", case_params(accepted=False))
def test_parser_case_rejected(name: str, parser_cases):
    data = case_bytes(name)
    with pytest.raises(ScanError) as info:
        scan(check_text(data))
    err = info.value
    assert err.message.strip(), "the error needs a message"
    fragment, line = REJECTED[name]
    assert fragment in err.message
    if name == "c24_binary":
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
    assert err.line == line
    assert str(err) == f"line {line}: {err.message}"


def test_binary_rejected_at_decoding(parser_cases):
    data = case_bytes("c24_binary")
    with pytest.raises(ScanError, match="binary file, not a Dockerfile"):
        check_text(data)  # before any scanning
    with pytest.raises(ScanError, match="NUL byte"):
        scan(data.decode("latin-1"))  # scan() itself refuses NUL too


def test_unterminated_heredoc_message_names_delimiter_and_line(parser_cases):
    with pytest.raises(ScanError) as info:
        scan(check_text(case_bytes("c28_unterminated_heredoc")))
    assert "'EOF'" in info.value.message
    assert "line 2" in info.value.message


def test_bad_instruction_case_also_rejects_missing_arguments(parser_cases):
    # c27 also has RUN and COPY without arguments; with FOO gone, RUN is the first error
    text = check_text(case_bytes("c27_bad_instruction")).replace("FOO bar\n", "")
    with pytest.raises(ScanError, match="RUN requires at least one argument") as info:
        scan(text)
    assert info.value.line == 2


def test_non_utf8_rejected_with_line():
    with pytest.raises(ScanError, match=r"not UTF-8 text \(invalid byte 0xff") as info:
        check_text(b"FROM alpine\nRUN echo \xff\n")
    assert info.value.line == 2


# --------------------------------------------------------------------------- 2. round trip

DOCKERFILE_NAME = re.compile(
    r"^(Dockerfile|Containerfile)(\..+)?$|^.+\.(Dockerfile|Containerfile)$"
)


# Files under fixtures/ that look like Dockerfiles but are not (relative path: line of the
# error, reason in a comment). Each must be rejected with a ScanError at that line.
FIXTURES_NOT_DOCKERFILES = {
    # a Jinja template: line 4 is `{% if not disable_labels %}`, an unknown instruction for
    # BuildKit too
    "realworld/adamrehn__ue4-docker__ue4docker_dockerfiles_ue4-build-prerequisites_linux"
    "_Dockerfile.Dockerfile": 4,
}


def fixture_files() -> list[Path]:
    if not FIXTURES_DIR.is_dir():
        return []
    return sorted(
        p
        for p in FIXTURES_DIR.rglob("*")
        if p.is_file()
        and DOCKERFILE_NAME.match(p.name)
        and not p.name.endswith(".dockerignore")  # Dockerfile.dockerignore is not a Dockerfile
    )


def toml_texts() -> list[tuple[str, str]]:
    """(id, text) for every Dockerfile text in fixtures/cases/*.toml."""
    out = []
    for path in sorted(TOML_CASES_DIR.glob("*.toml")) if TOML_CASES_DIR.is_dir() else []:
        with open(path, "rb") as handle:
            doc = tomllib.load(handle)
        cases = doc.get("cases", {})
        for name, case in cases.items() if isinstance(cases, dict) else []:
            if not isinstance(case, dict):
                continue
            # `dockerfile`, or the rule-case keys (`pass`/`fail` text, expected `fix`)
            for key in ("dockerfile", "pass", "fail", "fix"):
                if isinstance(case.get(key), str):
                    out.append((f"{path.stem}::{name}::{key}", case[key]))
    return out


def _or_skipped(params: list, reason: str) -> list:
    return params or [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="none")]


@pytest.mark.parametrize("name", case_params(accepted=True))
def test_parser_case_round_trip(name: str, parser_cases):
    data = case_bytes(name)
    assert scan(check_text(data)).render().encode("utf-8") == data


@pytest.mark.parametrize(
    "path",
    _or_skipped(
        [pytest.param(p, id=str(p.relative_to(FIXTURES_DIR))) for p in fixture_files()],
        f"no Dockerfile-like files under {FIXTURES_DIR}",
    ),
)
def test_fixture_file_round_trip(path: Path):
    data = path.read_bytes()
    text = check_text(data)
    rel = path.relative_to(FIXTURES_DIR).as_posix()
    if rel in FIXTURES_NOT_DOCKERFILES:
        with pytest.raises(ScanError) as info:
            scan(text)
        assert info.value.line == FIXTURES_NOT_DOCKERFILES[rel]
        return
    result = scan(text)
    assert result.render().encode("utf-8") == data
    assert_consistent(text, result)


@pytest.mark.parametrize(
    "text",
    _or_skipped(
        [pytest.param(text, id=ident) for ident, text in toml_texts()],
        f"no Dockerfile texts in {TOML_CASES_DIR}/*.toml",
    ),
)
def test_toml_case_round_trip(text: str, request: pytest.FixtureRequest):
    if request.node.callspec.id.startswith(("DL1000::", "DL3043::")):
        # the parse error rules' cases hold text that does not parse, on purpose
        try:
            scan(text)
        except ScanError:
            return
    result = scan(text)
    assert result.render() == text
    assert_consistent(text, result)


# --------------------------------------------------------------------------- 3. properties

# Regressions found by the properties below and by fuzzing against the Go parser; each row
# was checked against it. None: rejected with a ScanError on that line.
REGRESSION_CASES = [
    # BuildKit trims a line's leading whitespace with Go's unicode.IsSpace (\v, \r, NBSP,
    # U+3000 ... but not \x1c) and ends the keyword at [\t\v\f\r ] (these used to crash
    # with an AssertionError)
    ("\\\n", None, 1),
    ("\\\nFROM a\n", [["FROM", 1, 2]], None),
    ("\xa0FROM a\n", [["FROM", 1, 1]], None),
    ("\u3000FROM a\n", [["FROM", 1, 1]], None),
    ("FROM a\n\rRUN b\n", [["FROM", 1, 1], ["RUN", 2, 2]], None),
    ("FROM a\n\x0b# c\n", [["FROM", 1, 1]], None),
    ("RUN a \\\n\xa0\nb\n", [["RUN", 1, 3]], None),
    ("RUN a \\\n\xa0# c\nb\n", [["RUN", 1, 3]], None),
    ("FROM a\nONBUILD \x0bRUN x\n", [["FROM", 1, 1], ["ONBUILD", 2, 2]], None),
    ("\x1cFROM a\n", None, 1),
    ("FROM\xa0a\n", None, 1),
    ("FROM a\n\x1c\n", None, 2),
    # an escaped escape token at the end of a line does not continue it
    ("FROM a\nRUN a \\\\\nUSER x\n", [["FROM", 1, 1], ["RUN", 2, 2], ["USER", 3, 3]], None),
    (
        "FROM a\nRUN a \\\n  \\\\ \t\nUSER x\n",
        [["FROM", 1, 1], ["RUN", 2, 3], ["USER", 4, 4]],
        None,
    ),
    ("FROM a\nRUN a \\\n\\\nUSER x\n", [["FROM", 1, 1], ["RUN", 2, 4]], None),
    # ONBUILD RUN/COPY/ADD take heredocs (the body used to be scanned as instructions)
    (
        "FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\nRUN b\n",
        [["FROM", 1, 1], ["ONBUILD", 2, 4], ["RUN", 5, 5]],
        None,
    ),
    ("FROM a\nONBUILD COPY <<EOF /x\nFROM b\nEOF\n", [["FROM", 1, 1], ["ONBUILD", 2, 4]], None),
    ("FROM a\nONBUILD ADD <<EOF /x\n", None, 2),
    # the heredoc marker after a comment line that mentions it (used to point into the comment)
    ("RUN echo \\\n# see <<EOF\n <<EOF cat\nhi\nEOF\n", [["RUN", 1, 5]], None),
    ("RUN <<\\\nEOF\nx\nEOF\n", [["RUN", 1, 4]], None),
]


@pytest.mark.parametrize(("text", "expected", "error_line"), REGRESSION_CASES)
def test_scanner_regressions(text: str, expected, error_line):
    if expected is None:
        with pytest.raises(ScanError) as info:
            scan(text)
        assert info.value.line == error_line
        return
    result = scan(text)
    assert spans(result) == expected
    assert_consistent(text, result)
    for inst in result.instructions:
        for doc in inst.heredocs:
            assert text[doc.marker.start : doc.marker.end].replace("\\\n", "") == "<<EOF"
            line_start = text.rfind("\n", 0, doc.marker.start) + 1
            assert not text[line_start:].lstrip().startswith("#"), "marker in a comment line"
        if inst.sub is not None and inst.sub.keyword in ("RUN", "COPY"):
            assert inst.sub.heredocs == inst.heredocs


# Dockerfile-ish fragments: an instruction line is KEYWORD + ARG + ENDING; other lines whole.
KEYWORDS = [
    "FROM", "from", "RUN", "run", "Copy", "COPY", "ADD", "CMD", "ENTRYPOINT", "ENV", "ARG",
    "LABEL", "WORKDIR", "SHELL", "HEALTHCHECK", "VOLUME", "USER", "EXPOSE", "ONBUILD",
    "ONBUILD RUN", "ONBUILD COPY", "ONBUILD ADD", "ONBUILD ONBUILD", "ONBUILD FROM", "FOO",
    "  RUN", "\tCMD", "\xa0RUN",
]  # fmt: skip
ARGS = [
    "", " alpine", " echo hi", ' ["a", "b"]', " [bad", ' ["x",]', " --mount=type=cache,target=/x",
    " --from=0 . /app", " --link", " <<EOF", " <<-EOT cat", " <<'EOF' /x", ' <<"EOF"',
    " <<EOF cat && <<EOF2 cat", " 3<<EOF", " <<", " #not-a-comment", " a `b", " a \\b",
    "\tA=1\tB=2", " café ✓", " CMD [\"curl\"]", " \\", " `", "  ", " a \\\\", " a ``",
]  # fmt: skip
ENDINGS = ["\n", "\r\n", " \\\n", "\\ \t\n", " `\n", "`\r\n", "\\\r\n", "", "\r", "\\\\\n"]
OTHER_LINES = [
    "\n", "\r\n", "   \n", "\t\n", "\xa0\n", "# comment\n", "   # indented\n", "\x0b# c\n", "#\n",
    "EOF\n", "EOF\r\n", "\tEOT\n", "EOT\n", "EOF2\n", "echo body\n", "# escape=`\n",
    "# escape=\\\n", "# syntax=docker/dockerfile:1\n", "# check=skip=all\n", "# foo=bar\n",
    "&& more \\\n", "\\\n", "`\n", "\\\\\n",
]  # fmt: skip

if st is not None:
    instruction_line = st.builds(
        lambda k, a, e: k + a + e,
        st.sampled_from(KEYWORDS),
        st.sampled_from(ARGS),
        st.sampled_from(ENDINGS),
    )
    dockerish = st.builds(
        lambda bom, lines: bom + "".join(lines),
        st.sampled_from(["", "", "", "\ufeff"]),
        st.lists(
            st.one_of(  # one_of picks a branch uniformly: mostly instruction lines
                instruction_line,
                instruction_line,
                st.sampled_from(OTHER_LINES),
                st.sampled_from(OTHER_LINES),
                st.text(alphabet=" \t\\`#<-\r\nEOFRUN'\"[]=", max_size=8),
            ),
            max_size=25,
        ),
    )
    PROPERTY_SETTINGS = settings(
        max_examples=400,
        deadline=None,
        database=None,  # no .hypothesis folder in the repo
        suppress_health_check=[HealthCheck.too_slow],
    )

    @PROPERTY_SETTINGS
    @given(dockerish)
    def test_property_dockerish_text_rejected_or_round_trips(text: str):
        try:
            result = scan(text)
        except ScanError as err:
            assert err.message.strip()
            assert 0 <= err.line <= text.count("\n") + 1
            return
        assert_consistent(text, result)

    @PROPERTY_SETTINGS
    @given(st.text(max_size=200))
    def test_property_any_text_rejected_or_round_trips(text: str):
        try:
            result = scan(text)
        except ScanError:
            return
        assert_consistent(text, result)

    @PROPERTY_SETTINGS
    @given(st.binary(max_size=200))
    def test_property_any_bytes_rejected_or_round_trip(data: bytes):
        try:
            result = scan(check_text(data))
        except ScanError:
            return
        assert result.render().encode("utf-8") == data

else:  # pragma: no cover

    def test_property_dockerish_text_rejected_or_round_trips():
        pytest.skip("hypothesis is not installed")


# --------------------------------------------------------------------------- 4. dockerfile-parse


@pytest.mark.parametrize("name", case_params(accepted=True))
def test_differential_dockerfile_parse(name: str, parser_cases):
    dfp = pytest.importorskip("dockerfile_parse", reason="dockerfile-parse is not installed")
    if name in DOCKERFILE_PARSE_KNOWN_WRONG:
        pytest.skip(f"dockerfile-parse known wrong: {DOCKERFILE_PARSE_KNOWN_WRONG[name]}")
    data = case_bytes(name)
    ours = scan(check_text(data))
    if any(inst.heredocs for inst in ours.instructions):
        pytest.skip("contains heredocs, which dockerfile-parse does not support")
    parser = dfp.DockerfileParser(fileobj=io.BytesIO(data))
    # dockerfile-parse lists comments as COMMENT entries (after the instruction they sit in
    # when inside a continuation); they are not instructions, so compare instructions only.
    theirs = [
        [entry["instruction"], entry["startline"] + 1, entry["endline"] + 1]
        for entry in parser.structure
        if entry["instruction"] != "COMMENT"
    ]
    assert spans(ours) == theirs


# --------------------------------------------------------------------------- 5. Go parser

_GO_CHILD = r"""
import json, sys
import dockerfile
text = sys.stdin.buffer.read().decode("utf-8")
try:
    commands = dockerfile.parse_string(text)
except dockerfile.GoParseError as exc:
    print(json.dumps({"error": str(exc)}))
    raise SystemExit(0)
print(json.dumps({"commands": [
    {
        "cmd": c.cmd, "sub_cmd": c.sub_cmd, "json": c.json, "flags": list(c.flags),
        "start_line": c.start_line, "end_line": c.end_line,
        "heredocs": [[h.name, h.file_descriptor, h.content] for h in c.heredocs],
    }
    for c in commands
]}))
"""


def go_parse(data: bytes) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", _GO_CHILD], input=data, capture_output=True, timeout=60
    )
    assert proc.returncode == 0, (
        f"Go parser subprocess died ({proc.returncode}): {proc.stderr.decode()[-2000:]}"
    )
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def go_parser_available() -> None:
    probe = subprocess.run(
        [sys.executable, "-c", "import dockerfile; dockerfile.parse_string('FROM a\\n')"],
        capture_output=True,
        timeout=60,
    )
    if probe.returncode != 0:
        pytest.skip(f"the dockerfile package (Go parser) is not usable: {probe.stderr[-300:]!r}")


def go_commands(name: str) -> list[dict]:
    if name in GO_PARSER_KNOWN_WRONG:
        pytest.skip(f"Go parser known wrong: {GO_PARSER_KNOWN_WRONG[name]}")
    out = go_parse(case_bytes(name))
    if "error" in out:
        assert out["error"] == GO_NO_INSTRUCTIONS, out["error"]
        return []
    return out["commands"]


@pytest.mark.parametrize("name", case_params(accepted=True))
def test_differential_go_parser_spans(name: str, parser_cases, go_parser_available):
    commands = go_commands(name)
    ours = scan(check_text(case_bytes(name)))
    theirs = [[c["cmd"].upper(), c["start_line"], c["end_line"]] for c in commands]
    assert spans(ours) == theirs


@pytest.mark.parametrize("name", case_params(accepted=True))
def test_differential_go_parser_details(name: str, parser_cases, go_parser_available):
    """ONBUILD trigger, exec form, flags and heredocs agree with the Go parser too."""
    commands = go_commands(name)
    ours = scan(check_text(case_bytes(name))).instructions
    assert len(ours) == len(commands)
    for inst, cmd in zip(ours, commands):
        where = f"{inst.keyword} on line {inst.line}"
        target = inst.sub or inst
        assert (inst.sub.keyword if inst.sub else None) == (
            cmd["sub_cmd"].upper() if cmd["sub_cmd"] else None
        ), where
        assert (target.json_args is not None) == cmd["json"], where
        flags = [
            f"--{f.name}={f.value}" if f.value is not None else f"--{f.name}" for f in inst.flags
        ]
        assert flags == cmd["flags"], where
        mine = [[doc.name, doc.fd or 0, doc.content] for doc in inst.heredocs]
        theirs = [list(doc) for doc in cmd["heredocs"]]
        for doc, their in zip(inst.heredocs, theirs):
            if doc.strip_tabs:  # BuildKit strips the tabs of <<- at the instruction stage
                their[2] = re.sub(r"(?m)^\t+", "", their[2])
        assert mine == theirs, where


def test_go_parser_also_rejects_unterminated_heredoc(parser_cases, go_parser_available):
    assert go_parse(case_bytes("c28_unterminated_heredoc")) == {"error": "unterminated heredoc"}


# Go parser errors that are argument checks BuildKit's parser makes early and ours leaves to
# the instruction stage (the rules): a text we accept may get them.
GO_ARGUMENT_ERRORS = re.compile(r"must have two arguments|can't find = in|can not be blank")


def random_dockerfiles(seed: int, count: int) -> list[tuple[str, list[list]]]:
    """``count`` accepted texts (with our spans) built from the fragments, deterministically."""
    rng = random.Random(seed)
    out: list[tuple[str, list[list]]] = []
    while len(out) < count:
        parts = ["\ufeff"] if rng.random() < 0.1 else []
        for _ in range(rng.randint(1, 12)):
            if rng.random() < 0.6:
                parts.append(rng.choice(KEYWORDS) + rng.choice(ARGS) + rng.choice(ENDINGS))
            else:
                parts.append(rng.choice(OTHER_LINES))
        text = "".join(parts)
        try:
            result = scan(text)
        except ScanError:
            continue
        if "check" in result.directives:  # see GO_PARSER_KNOWN_WRONG
            continue
        out.append((text, spans(result)))
    return out


_GO_BATCH_CHILD = r"""
import json, sys
import dockerfile
for line in sys.stdin:
    try:
        out = [[c.cmd.upper(), c.start_line, c.end_line]
               for c in dockerfile.parse_string(json.loads(line))]
    except dockerfile.GoParseError as exc:
        out = {"error": str(exc)}
    print(json.dumps(out), flush=True)
"""


def test_differential_go_parser_random_texts(go_parser_available):
    """Spans agree with the Go parser on 400 random accepted texts (one subprocess)."""
    cases = random_dockerfiles(seed=20241128, count=400)
    mismatches = []
    compared = 0
    i = 0
    while i < len(cases):
        batch = cases[i:]
        proc = subprocess.run(
            [sys.executable, "-c", _GO_BATCH_CHILD],
            input="".join(json.dumps(text) + "\n" for text, _ in batch),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=300,
        )
        outputs = [json.loads(line) for line in proc.stdout.splitlines()]
        if proc.returncode == 0:
            assert len(outputs) == len(batch), proc.stderr[-2000:]
        for (text, ours), theirs in zip(batch, outputs):
            if isinstance(theirs, dict):
                if theirs["error"] == GO_NO_INSTRUCTIONS:
                    theirs = []
                elif GO_ARGUMENT_ERRORS.search(theirs["error"]):
                    continue
            compared += 1
            if ours != theirs:
                mismatches.append(f"{text!r}\n  ours {ours}\n  Go   {theirs}")
        # a Go crash on a text ends the batch: skip that text and go on after it
        i += len(outputs) + (1 if proc.returncode else 0)
    assert not mismatches, "\n".join(mismatches[:10])
    assert compared >= 300, f"only {compared} of {len(cases)} texts could be compared"


@pytest.mark.parametrize(
    ("text", "expected"),
    [pytest.param(text, exp, id=repr(text)) for text, exp, _ in REGRESSION_CASES if exp],
)
def test_regressions_agree_with_go_parser(text: str, expected, go_parser_available):
    out = go_parse(text.encode("utf-8"))
    assert [[c["cmd"].upper(), c["start_line"], c["end_line"]] for c in out["commands"]] == expected
