"""``check --jobs N``: many files checked in several processes give exactly the output, the
messages, the exit code and the fixed files of a check in one process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import Result

from dockerlint_slim.cli import cli
from tests.support import REPO, cli_runner

REALWORLD = REPO / "fixtures" / "realworld"
# enough files for the workers to start (a few files are checked in one process)
FILES = sorted(REALWORLD.glob("*.Dockerfile"))


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "DOCKERLINT_SLIM_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def run(*args: str) -> Result:
    return cli_runner().invoke(cli, list(args), catch_exceptions=False)


def copy_corpus(folder: Path, count: int | None = None) -> list[Path]:
    folder.mkdir()
    return [Path(shutil.copy(f, folder / f.name)) for f in FILES[:count]]


def test_the_corpus_has_a_file_that_does_not_parse() -> None:
    # its finding (DL1000) must come out in its place among the others
    result = run("check", "--jobs", "1", "--output-format", "json", *map(str, FILES))
    assert result.exit_code == 1
    assert result.stdout.count('"code": "DL1000"') == 1


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_output_is_the_same_for_any_number_of_jobs(fmt: str) -> None:
    copy_corpus(Path("corpus"), 40)
    args = ["check", "--output-format", fmt, "corpus"]
    one = run(*args, "--jobs", "1")
    assert one.exit_code == 1  # findings, one of them a file that does not parse
    assert "DL1000" in one.stdout
    for jobs in ("2", "5"):
        many = run(*args, "--jobs", jobs)
        assert (many.exit_code, many.stdout, many.stderr) == (
            one.exit_code,
            one.stdout,
            one.stderr,
        ), jobs


def test_default_jobs_give_the_same_output_as_one() -> None:
    copy_corpus(Path("corpus"), 40)
    one = run("check", "--statistics", "--jobs", "1", "corpus")
    default = run("check", "--statistics", "corpus")
    assert (default.exit_code, default.stdout, default.stderr) == (
        one.exit_code,
        one.stdout,
        one.stderr,
    )


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
def test_fix_with_jobs_fixes_every_file_as_one_process_does(
    unsafe: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    results = {}
    for jobs in ("1", "3"):
        folder = tmp_path / f"jobs{jobs}"
        copy_corpus(folder, 32)
        monkeypatch.chdir(folder)
        extra = ["--unsafe-fixes"] if unsafe else []
        result = run("check", "--fix", "--show-fixes", *extra, "--jobs", jobs, ".")
        files = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
        results[jobs] = (result.exit_code, result.stdout, result.stderr, files)
    assert results["3"] == results["1"]
    originals = {f.name: f.read_bytes() for f in FILES[:32]}
    changed = [name for name, data in results["1"][3].items() if data != originals[name]]
    assert changed  # the fixes were applied, not skipped
    assert "Fixed" in results["1"][1]


def test_diff_with_jobs_is_the_same_as_one_process() -> None:
    copy_corpus(Path("corpus"), 40)
    one = run("check", "--diff", "--jobs", "1", "corpus")
    many = run("check", "--diff", "--jobs", "4", "corpus")
    assert one.stdout.startswith("--- a/")
    assert (many.exit_code, many.stdout, many.stderr) == (one.exit_code, one.stdout, one.stderr)


@pytest.mark.parametrize("jobs", ["0", "-1", "x"])
def test_jobs_must_be_a_positive_number(jobs: str) -> None:
    result = run("check", "--jobs", jobs, ".")
    assert result.exit_code == 2
    assert "--jobs" in result.stderr
