"""What ``check`` and ``--fix`` must never do: reach the network (or start a program: only
``verify`` talks to the Docker engine, through its client), or lose a file's content when a
fix cannot be written.

* Network: ``socket.socket.connect``/``connect_ex``, ``socket.getaddrinfo`` and
  ``socket.create_connection`` (and ``subprocess.Popen``) are replaced by recorders while the
  command line runs in-process on every fixture project, with and without
  ``--fix --unsafe-fixes``; the test asserts that nothing was attempted (recorded, not only
  refused, so a caller that swallows the error cannot hide an attempt).
* Writes: a read-only file, a read-only folder (where the temporary file of the atomic write
  would go), and a write that fails half way (the write, the flush to disk or the final
  rename raising ``OSError``): one line on stderr, exit 2, the file byte for byte as it was,
  no temporary file left behind. Root ignores file permissions, so the permission cases run
  in a child process without that power (``tests/support.py``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dockerlint_slim import fixer
from dockerlint_slim.cli import cli
from tests.support import cli_runner, unprivileged

REPO = Path(__file__).resolve().parents[1]
PROJECTS = sorted(p for p in (REPO / "fixtures" / "projects").iterdir() if p.is_dir())
PIP = b"FROM python:3.11-slim\r\nRUN pip install flask==3.0.0\r\n"  # CRLF: kept byte for byte
ERROR_PREFIX = "dockerlint-slim: error: "


# --------------------------------------------------------------------------- no network


class Attempts(list):
    """What was tried: (what, arguments)."""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[Attempts]:
    attempts = Attempts()

    def recorder(what: str):
        def refuse(*args: object, **kwargs: object) -> object:
            attempts.append((what, args[1:] if what.startswith("socket.connect") else args))
            raise OSError(f"{what} is blocked in this test")

        return refuse

    monkeypatch.setattr(socket.socket, "connect", recorder("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", recorder("socket.connect_ex"))
    monkeypatch.setattr(socket, "getaddrinfo", recorder("getaddrinfo"))
    monkeypatch.setattr(socket, "create_connection", recorder("create_connection"))
    monkeypatch.setattr(subprocess, "Popen", recorder("subprocess.Popen"))
    yield attempts


def test_the_blocker_records_attempts(no_network: Attempts):
    """The fixture sees an attempt even when the caller swallows the error."""
    for attempt in (
        lambda: socket.create_connection(("localhost", 80)),
        lambda: socket.getaddrinfo("example.org", 443),
        lambda: socket.socket().connect(("127.0.0.1", 9)),
        lambda: subprocess.run(["true"], check=False),
    ):
        with contextlib.suppress(OSError):
            attempt()
    assert [what for what, _ in no_network] == [
        "create_connection",
        "getaddrinfo",
        "socket.connect",
        "subprocess.Popen",
    ]


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_check_and_fix_open_no_connection(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network: Attempts
):
    copy = tmp_path / project.name
    shutil.copytree(project, copy)
    monkeypatch.chdir(copy)
    runner = cli_runner()
    checked = runner.invoke(cli, ["check", "--no-color", "."], catch_exceptions=False)
    assert checked.exit_code in (0, 1), checked.stderr
    fixed = runner.invoke(
        cli, ["check", "--fix", "--unsafe-fixes", "--no-color", "."], catch_exceptions=False
    )
    assert fixed.exit_code in (0, 1), fixed.stderr
    assert "error:" not in fixed.stderr
    assert list(no_network) == []


# --------------------------------------------------------------------------- failed writes


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def assert_one_line_error(code: int, stderr: str, *fragments: str) -> None:
    assert code == 2, (code, stderr)
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(ERROR_PREFIX), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def run_fix_unprivileged(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*unprivileged(), sys.executable, "-m", "dockerlint_slim", "check", "--fix", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_fix_of_a_read_only_file_is_refused(tmp_path: Path):
    (tmp_path / "Dockerfile").write_bytes(PIP)
    (tmp_path / "Dockerfile").chmod(0o444)  # the folder stays writable: a rename would work
    before = files_in(tmp_path)
    result = run_fix_unprivileged(tmp_path, "Dockerfile")
    assert_one_line_error(result.returncode, result.stderr, "Dockerfile", "read-only")
    assert files_in(tmp_path) == before
    assert stat.S_IMODE((tmp_path / "Dockerfile").stat().st_mode) == 0o444


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_fix_in_a_read_only_folder_is_refused(tmp_path: Path):
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "Dockerfile").write_bytes(PIP)
    before = files_in(folder)
    folder.chmod(0o555)
    try:
        result = run_fix_unprivileged(tmp_path, "locked/Dockerfile")
    finally:
        folder.chmod(0o755)
    assert_one_line_error(
        result.returncode, result.stderr, "locked/Dockerfile", "temporary file", "ermission"
    )
    assert files_in(folder) == before


def test_a_writable_file_is_fixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The counterpart of the failures below: the same file and command do write."""
    monkeypatch.chdir(tmp_path)
    Path("Dockerfile").write_bytes(PIP)
    result = cli_runner().invoke(cli, ["check", "--fix", "Dockerfile"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert Path("Dockerfile").read_bytes() == PIP.replace(b"install", b"install --no-cache-dir")
    assert [p.name for p in tmp_path.iterdir()] == ["Dockerfile"]


class _FailingFile:
    """A file object whose ``write`` writes part of the text and then fails (disk full)."""

    def __init__(self, handle):
        self._handle = handle

    def write(self, text: str) -> int:
        self._handle.write(text[: len(text) // 2])
        self._handle.flush()
        raise OSError(28, "No space left on device")

    def __getattr__(self, name: str):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()


def _fail_write(monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.fdopen

    def fdopen(*args, **kwargs):
        return _FailingFile(real(*args, **kwargs))

    monkeypatch.setattr(fixer.os, "fdopen", fdopen)


def _fail(name: str, errno_: int, message: str):
    def fail(monkeypatch: pytest.MonkeyPatch) -> None:
        def raise_(*args: object, **kwargs: object) -> None:
            raise OSError(errno_, message)

        monkeypatch.setattr(fixer.os, name, raise_)

    return fail


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (_fail_write, "No space left on device"),
        (_fail("fsync", 5, "Input/output error"), "Input/output error"),
        (_fail("replace", 16, "Device or resource busy"), "Device or resource busy"),
    ],
    ids=["write", "fsync", "replace"],
)
def test_a_write_that_fails_half_way_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure, message: str
):
    monkeypatch.chdir(tmp_path)
    Path("Dockerfile").write_bytes(PIP)
    Path("Dockerfile").chmod(0o640)
    before = files_in(tmp_path)
    failure(monkeypatch)
    result = cli_runner().invoke(cli, ["check", "--fix", "Dockerfile"], catch_exceptions=False)
    assert_one_line_error(result.exit_code, result.stderr, "Dockerfile", message)
    assert files_in(tmp_path) == before  # byte for byte, and no temporary file
    assert stat.S_IMODE(Path("Dockerfile").stat().st_mode) == 0o640
