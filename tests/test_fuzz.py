"""Property tests on generated Dockerfiles (``tests/strategies.py``: from the grammar and by
mutating the project's own Dockerfiles) against the properties of ``tests/properties.py``:
the scanner accepts or raises its documented error and round-trips, linting never raises,
fixes give a file that parses, are idempotent and do not bring back what they fixed, and the
multi-stage rewrite gives a file that parses or declines with a reason.

The budget here is small and deterministic (``derandomize``: the same examples on every run,
no deadline on a slow machine); the long campaign is ``benchmarks/fuzz.py``. Every input a
campaign found failing is kept in ``tests/fuzz_cases/`` and checked against every property
here, next to a test of the behaviour that was fixed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from dockerlint_slim.cli import cli
from dockerlint_slim.fixer import fix_text
from dockerlint_slim.model import build_model
from dockerlint_slim.rewrite import Refusal, rewrite
from dockerlint_slim.scanner import scan
from tests import strategies
from tests.properties import ACCEPTED, PROPERTIES, REJECTED, PropertyFailed
from tests.support import cli_runner

CASES_DIR = Path(__file__).resolve().parent / "fuzz_cases"
REGRESSIONS = sorted(CASES_DIR.glob("*.Dockerfile"))


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,  # the same examples on every run
        deadline=None,  # a shared, slow machine must not make a test flaky
        database=None,  # no .hypothesis folder in the checkout
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --------------------------------------------------------------------------- the strategies


def test_seeds_cover_the_fixtures_and_the_parser_cases():
    seeds = strategies.seeds()
    assert len(seeds) > 100
    assert any(b"<<EOF" in s for s in seeds)  # heredocs
    assert any(b"\r\n" in s for s in seeds)  # CRLF
    assert any(s.startswith(b"\xef\xbb\xbf") for s in seeds)  # BOM


@fuzz_settings(60)
@given(strategies.dockerfile_texts())
def test_grammar_files_mostly_parse(text: str):
    """The grammar writes Dockerfiles: what the scanner rejects, it rejects for a reason the
    grammar produces on purpose (an ONBUILD that wraps FROM or ONBUILD, broken heredocs)."""
    data = text.encode("utf-8")
    outcome = PROPERTIES["scan"](data)
    if outcome == REJECTED:
        assert "ONBUILD" in text or "<<" in text or "#" in text, text


# --------------------------------------------------------------------------- the properties


@fuzz_settings(150)
@given(strategies.any_dockerfile())
def test_scan_accepts_or_raises_its_error_and_round_trips(data: bytes):
    PROPERTIES["scan"](data)


@fuzz_settings(80)
@given(strategies.any_dockerfile())
def test_check_never_raises(data: bytes):
    PROPERTIES["check"](data)


@fuzz_settings(50)
@given(strategies.any_dockerfile())
def test_safe_fixes_parse_are_idempotent_and_stay_fixed(data: bytes):
    PROPERTIES["fix"](data)


@fuzz_settings(40)
@given(strategies.any_dockerfile())
def test_unsafe_fixes_parse_are_idempotent_and_stay_fixed(data: bytes):
    PROPERTIES["fix-unsafe"](data)


@fuzz_settings(50)
@given(strategies.any_dockerfile())
def test_rewrite_parses_or_declines_with_a_reason(data: bytes):
    PROPERTIES["rewrite"](data)


@fuzz_settings(30)
@given(strategies.any_dockerfile())
def test_check_fix_on_disk_keeps_or_fixes_the_file(data: bytes):
    """The command line on a file on disk: ``check`` exits 0, 1 or 2 (a one-line error, never
    an internal one), and ``check --fix --unsafe-fixes`` either leaves the bytes as they were
    (exit 2, or nothing to fix) or writes a file that parses and keeps the byte order mark."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "Dockerfile"
        path.write_bytes(data)
        runner = cli_runner()
        checked = runner.invoke(cli, ["check", "--no-color", str(path)], catch_exceptions=False)
        assert checked.exit_code in (0, 1, 2), checked.stderr
        assert "internal error" not in checked.stderr
        if checked.exit_code == 2:
            assert len(checked.stderr.splitlines()) == 1, checked.stderr
        fixed = runner.invoke(
            cli, ["check", "--fix", "--unsafe-fixes", "--no-color", str(path)],
            catch_exceptions=False,
        )  # fmt: skip
        assert fixed.exit_code in (0, 1, 2), fixed.stderr
        assert "internal error" not in fixed.stderr
        after = path.read_bytes()
        if fixed.exit_code == 2:
            assert after == data
        elif after != data:
            assert PROPERTIES["scan"](after) == ACCEPTED
            assert after.startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
        assert sorted(p.name for p in Path(tmp).iterdir()) == ["Dockerfile"]


# --------------------------------------------------------------------------- they can fail


def test_a_property_failure_is_reported(monkeypatch):
    """The properties are not vacuous: a fixer that breaks the file is caught."""
    import tests.properties as props
    from dockerlint_slim.fixer import FixOutcome

    def broken(text: str, **kwargs: object) -> FixOutcome:
        outcome = fix_text(text, **kwargs)  # type: ignore[arg-type]
        return FixOutcome("RUN <<EOF\n", outcome.applied, outcome.result)

    monkeypatch.setattr(props, "fix_text", broken)
    with pytest.raises(PropertyFailed, match="does not parse"):
        props.prop_fix(b"FROM python:3.11-slim\nRUN pip install flask\n")


# --------------------------------------------------------------------------- regressions


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.stem for p in REGRESSIONS])
@pytest.mark.parametrize("name", sorted(PROPERTIES))
def test_regression_case_holds(path: Path, name: str):
    PROPERTIES[name](path.read_bytes())


def test_every_regression_case_is_accepted_by_the_scanner():
    assert REGRESSIONS
    for path in REGRESSIONS:
        assert PROPERTIES["scan"](path.read_bytes()) == ACCEPTED, path.name


APPEND_CASES = sorted(CASES_DIR.glob("fix-append-*.Dockerfile"))


@pytest.mark.parametrize("path", APPEND_CASES, ids=[p.stem for p in APPEND_CASES])
def test_no_cleanup_is_appended_where_the_shell_would_not_run_it(path: Path):
    """A RUN that ends inside a quote, an unclosed ``[[`` test or subscript, a shell heredoc,
    or whose end the shell reads as a comment: `` && rm -rf …`` appended there would not be a
    command, the finding stayed, and every fix pass appended it again."""
    text = path.read_text(encoding="utf-8")
    outcome = fix_text(text)
    assert outcome.text.count("rm -rf") == text.count("rm -rf")
    cleanups = [f for f in outcome.result.findings if f.code in ("DL3009", "DL3019")]
    assert cleanups and not any(f.fixable for f in cleanups)


def test_quoted_text_that_is_closed_is_still_fixed():
    text = (
        "FROM python:3.11-slim\n"
        'RUN apt-get update && apt-get install -y "libpq5" \'a b\' "x\\"y" curl\n'
    )
    fixed = fix_text(text).text
    assert fixed == text.replace("curl\n", "curl && rm -rf /var/lib/apt/lists/*\n")


def test_rewrite_closes_a_continuation_left_open_at_the_end_of_the_file():
    """The last RUN ends in ``\\`` with no line after it: copied as written into the builder,
    it swallowed the runtime stage's FROM."""
    text = (CASES_DIR / "rewrite-continuation-at-eof.Dockerfile").read_text()
    result = rewrite(build_model(text))
    stages = build_model(result.text).stages
    assert [s.alias for s in stages] == ["builder", None]
    builder_run = [i for i in stages[0].instructions if "uwsgi" in i.args]
    assert builder_run and builder_run[0].args.rstrip().endswith("uwsgi")
    assert scan(result.text).render() == result.text


def test_rewrite_closes_a_continuation_that_ends_in_lines_of_only_an_escape_token():
    """``flask \\`` then a line of only ``\\``: both escape tokens go, or the first one
    still joined the runtime stage's FROM (through the blank line after)."""
    text = (CASES_DIR / "rewrite-lone-escape-lines-at-eof.Dockerfile").read_text()
    result = rewrite(build_model(text))
    builder, runtime = build_model(result.text).stages
    assert builder.instructions[-1].args.rstrip() == "pip install flask"
    assert runtime.base.raw == "python:3.12-slim"


def test_arguments_start_after_every_separator_buildkit_skips():
    """BuildKit splits the keyword from its arguments at a run of ``[\\t\\v\\f\\r ]``: a
    carriage return or vertical tab there is not part of the arguments (the rewrite wrote
    ``RUNpip`` from the RUN's text up to where its arguments started)."""
    # the bytes as written: read_text would turn the lone CR into a line ending
    path = CASES_DIR / "rewrite-carriage-return-after-the-keyword.Dockerfile"
    text = path.read_bytes().decode("utf-8")
    run = scan(text).instructions[1]
    assert run.args == "pip install uwsgi && useradd app"
    assert text[run.args_start :].startswith("pip install")
    assert scan('FROM a\nCMD\r["python"]\n').instructions[1].json_args == ("python",)
    result = rewrite(build_model(text))
    assert [i.keyword for i in build_model(result.text).instructions].count("FROM") == 2


def test_rewrite_declines_a_continuation_it_cannot_close():
    """``pip \\ \\`` at the end of the file: without the last escape token the line still
    ends in one (after an escaped space), so the next stage's FROM would still be swallowed."""
    text = (CASES_DIR / "rewrite-escaped-space-continuation-at-eof.Dockerfile").read_text()
    with pytest.raises(Refusal, match="line 4 ends in a line continuation at the end of the file"):
        rewrite(build_model(text))


def test_rewrite_splits_a_run_whose_and_operator_spans_a_continuation():
    """``&\\`` then ``&`` on the next line is ``&&`` to BuildKit: the split looked for the
    two characters side by side and raised ValueError (an internal error in ``check``)."""
    text = (CASES_DIR / "rewrite-and-operator-across-a-continuation.Dockerfile").read_text()
    result = rewrite(build_model(text))
    builder, runtime = build_model(result.text).stages
    assert [i.args for i in builder.instructions if "uwsgi" in i.args] == [
        "apt-get update     && apt-get install -y gcc     && pip install uwsgi"
    ]
    assert [i.args for i in runtime.instructions if i.keyword == "RUN"] == ["useradd app"]


# --------------------------------------------------------------------------- the campaign


def _campaign(*args: str) -> int:
    from benchmarks import fuzz

    return fuzz.main(list(args))


def test_campaign_prints_counts_per_property(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    code = _campaign("--examples", "12", "--seed", "5", "--failures", str(tmp_path / "out"))
    out = capsys.readouterr().out
    assert code == 0, out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:6]}
    assert set(rows) == set(PROPERTIES)
    for name, (examples, accepted, rejected, declined, failures) in rows.items():
        assert int(examples) == 12, name
        assert int(accepted) + int(rejected) + int(declined) == 12, name
        assert failures == "0", name
    assert "12 files (source: both, seed 5)" in out
    assert not (tmp_path / "out").exists()


def test_campaign_writes_failing_inputs_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    import tests.properties as props

    def fails_on_run(data: bytes) -> str:
        if b"RUN" in data:
            raise PropertyFailed("a RUN")
        return ACCEPTED

    monkeypatch.setitem(props.PROPERTIES, "scan", fails_on_run)
    out_dir = tmp_path / "out"
    code = _campaign("--examples", "20", "--property", "scan", "--failures", str(out_dir))
    out = capsys.readouterr().out
    assert code == 1
    written = sorted(out_dir.glob("scan-*.Dockerfile"))
    assert written
    for path in written:
        assert b"RUN" in path.read_bytes()
        assert "PropertyFailed: a RUN" in path.with_suffix(".txt").read_text()
    assert f"inputs written to {out_dir}" in out
