from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dockerlint_slim import discovery
from dockerlint_slim.discovery import (
    DiscoveryError,
    InputError,
    find_dockerfiles,
    is_dockerfile_name,
    read_dockerfile,
)
from tests.support import unprivileged

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")


def touch(path: Path, content: bytes = b"FROM python:3.12-slim\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "name",
    [
        "Dockerfile",
        "Containerfile",
        "dockerfile",
        "api.Dockerfile",
        "api.dockerfile",
        "api.Containerfile",
        "Dockerfile.dev",
        "Dockerfile.prod.arm64",
        "Containerfile.test",
    ],
)
def test_dockerfile_names(name: str) -> None:
    assert is_dockerfile_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "Dockerfile.dockerignore",
        "api.dockerignore",
        ".dockerignore",
        "Dockerfile~",
        "Dockerfile.dev~",
        ".Dockerfile.swp",
        "Dockerfile.swp",
        "Dockerfile.orig",
        "Dockerfile.rej",
        "Dockerfile.bak",
        ".#Dockerfile",
        "#Dockerfile#",
        "Dockerfile.",
        ".dockerfile",
        "Dockerfiles",
        "MyDockerfile",
        "docker-compose.yml",
        "README.md",
    ],
)
def test_not_dockerfile_names(name: str) -> None:
    assert not is_dockerfile_name(name)


# --------------------------------------------------------------------------- walking


def test_walk_finds_sorted_and_skips(tmp_path: Path) -> None:
    touch(tmp_path / "Dockerfile")
    touch(tmp_path / "Dockerfile.dev")
    touch(tmp_path / "Dockerfile.dockerignore")
    touch(tmp_path / "Dockerfile~")
    touch(tmp_path / "README.md")
    touch(tmp_path / "services" / "api" / "api.Dockerfile")
    touch(tmp_path / "services" / "web" / "Containerfile")
    touch(tmp_path / "a" / "Containerfile.test")
    for skipped in ("node_modules/pkg", ".git", ".venv", "build", "dist", "__pycache__", ".tox"):
        touch(tmp_path / skipped / "Dockerfile")
    touch(tmp_path / "lib" / "site-packages" / "x" / "Dockerfile")

    assert find_dockerfiles([Path(".")]) == [
        Path("Dockerfile"),
        Path("Dockerfile.dev"),
        Path("a/Containerfile.test"),
        Path("services/api/api.Dockerfile"),
        Path("services/web/Containerfile"),
    ]
    # absolute directory in, absolute paths out
    assert find_dockerfiles([tmp_path])[0] == tmp_path / "Dockerfile"


def test_explicit_file_is_always_included(tmp_path: Path) -> None:
    odd = touch(tmp_path / "notes.txt")
    skipped = touch(tmp_path / "build" / "Dockerfile")
    assert find_dockerfiles([odd, skipped]) == [odd, skipped]


def test_explicitly_given_skipped_dir_is_walked(tmp_path: Path) -> None:
    touch(tmp_path / "build" / "Dockerfile")
    assert find_dockerfiles([Path("build")]) == [Path("build/Dockerfile")]


def test_order_as_given_and_dedup(tmp_path: Path) -> None:
    touch(tmp_path / "b" / "Dockerfile")
    touch(tmp_path / "a" / "Dockerfile")
    touch(tmp_path / "a" / "Dockerfile.dev")
    result = find_dockerfiles(
        [Path("b"), Path("a/Dockerfile.dev"), Path("a"), Path("./b/Dockerfile"), tmp_path / "a"]
    )
    assert result == [Path("b/Dockerfile"), Path("a/Dockerfile.dev"), Path("a/Dockerfile")]


@needs_symlinks
def test_symlinked_dirs_not_followed_and_loops_safe(tmp_path: Path) -> None:
    touch(tmp_path / "proj" / "Dockerfile")
    touch(tmp_path / "outside" / "Dockerfile.other")
    (tmp_path / "proj" / "loop").symlink_to(tmp_path / "proj", target_is_directory=True)
    (tmp_path / "proj" / "ext").symlink_to(tmp_path / "outside", target_is_directory=True)
    assert find_dockerfiles([Path("proj")]) == [Path("proj/Dockerfile")]


@needs_symlinks
def test_symlink_loop_to_parent(tmp_path: Path) -> None:
    touch(tmp_path / "a" / "b" / "Dockerfile")
    (tmp_path / "a" / "b" / "up").symlink_to(tmp_path / "a", target_is_directory=True)
    assert find_dockerfiles([Path("a")]) == [Path("a/b/Dockerfile")]


@needs_symlinks
def test_explicit_symlinked_dir_is_walked(tmp_path: Path) -> None:
    touch(tmp_path / "real" / "Dockerfile")
    (tmp_path / "alias").symlink_to(tmp_path / "real", target_is_directory=True)
    assert find_dockerfiles([Path("alias")]) == [Path("alias/Dockerfile")]


@needs_symlinks
def test_symlinked_file_deduplicated_and_broken_link_skipped(tmp_path: Path) -> None:
    touch(tmp_path / "Dockerfile")
    (tmp_path / "prod.Dockerfile").symlink_to(tmp_path / "Dockerfile")
    (tmp_path / "Dockerfile.gone").symlink_to(tmp_path / "missing")
    assert find_dockerfiles([Path(".")]) == [Path("Dockerfile")]


# --------------------------------------------------------------------------- errors


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError) as info:
        find_dockerfiles([Path("path/x")])
    assert str(info.value) == "path/x: no such file or directory"


def test_errors_are_collected_and_the_other_paths_searched(tmp_path: Path) -> None:
    touch(tmp_path / "empty" / "README.md")
    touch(tmp_path / "app" / "Dockerfile")
    touch(tmp_path / "Containerfile")
    errors: list[str] = []
    found = find_dockerfiles(
        [Path("empty"), Path("app"), Path("gone"), Path("Containerfile")], errors=errors
    )
    assert found == [Path("app/Dockerfile"), Path("Containerfile")]
    assert [e.split(":")[0] for e in errors] == ["empty", "gone"]
    assert "no Dockerfile found" in errors[0] and "no such file" in errors[1]


@needs_symlinks
def test_broken_symlink_given_explicitly(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").symlink_to(tmp_path / "nowhere")
    with pytest.raises(DiscoveryError, match=r"^Dockerfile: no such file or directory$"):
        find_dockerfiles([Path("Dockerfile")])


def test_directory_without_dockerfile(tmp_path: Path) -> None:
    touch(tmp_path / "empty" / "README.md")
    touch(tmp_path / "empty" / "node_modules" / "Dockerfile")  # skipped, so not found
    with pytest.raises(DiscoveryError) as info:
        find_dockerfiles([Path("empty")])
    msg = str(info.value)
    assert msg.startswith("empty: no Dockerfile found (looked for Dockerfile, Containerfile, ")
    assert "*.Dockerfile" in msg and "Dockerfile.*" in msg


def test_unreadable_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(tmp_path / "ok" / "Dockerfile")
    (tmp_path / "ok" / "secret").mkdir()
    secret = str(Path("ok") / "secret")
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:
        if os.fspath(path) == secret:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(DiscoveryError) as info:
        find_dockerfiles([Path("ok")])
    assert str(info.value) == f"{secret}: permission denied"


def in_unprivileged_process(code: str) -> str:
    """Run Python ``code`` in the current folder in a process that obeys file modes (as root
    too: see tests/support.py) and return what it printed."""
    proc = subprocess.run(
        [*unprivileged(), sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_unreadable_directory_real(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        printed = in_unprivileged_process(
            "from pathlib import Path\n"
            "from dockerlint_slim.discovery import DiscoveryError, find_dockerfiles\n"
            "try:\n"
            "    print(find_dockerfiles([Path('locked')]))\n"
            "except DiscoveryError as exc:\n"
            "    print(exc)\n"
        )
    finally:
        locked.chmod(0o755)
    assert printed == "locked: permission denied\n"


def test_stat_permission_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_stat = os.stat

    def stat(path: Any, *args: Any, **kwargs: Any) -> Any:
        if os.fspath(path) == "hidden/Dockerfile":
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    with pytest.raises(DiscoveryError) as info:
        find_dockerfiles([Path("hidden/Dockerfile")])
    assert str(info.value) == "hidden/Dockerfile: permission denied"


# --------------------------------------------------------------------------- reading


def test_read_keeps_bom_and_crlf(tmp_path: Path) -> None:
    raw = b"\xef\xbb\xbfFROM python:3.12\r\nRUN echo hi\r\n# caf\xc3\xa9\rold-mac\n"
    path = touch(tmp_path / "Dockerfile", raw)
    text = read_dockerfile(path)
    assert text.startswith("\ufeffFROM")
    assert "\r\n" in text and "\rold-mac" in text
    assert text.encode("utf-8") == raw  # round-trips byte for byte


def test_read_empty_file(tmp_path: Path) -> None:
    assert read_dockerfile(touch(tmp_path / "Dockerfile", b"")) == ""


def test_read_binary(tmp_path: Path) -> None:
    touch(tmp_path / "Dockerfile", b"FROM x\n\x00\x01\x02")
    with pytest.raises(InputError) as info:
        read_dockerfile(Path("Dockerfile"))
    assert str(info.value) == "Dockerfile: binary file, not a Dockerfile"


def test_read_not_utf8(tmp_path: Path) -> None:
    touch(tmp_path / "Dockerfile", b"FROM x\n# caf\xe9\n")
    with pytest.raises(InputError) as info:
        read_dockerfile(Path("Dockerfile"))
    assert str(info.value) == "Dockerfile: not UTF-8 text (invalid byte 0xe9 at offset 12)"


def test_read_truncated_utf8(tmp_path: Path) -> None:
    touch(tmp_path / "Dockerfile", b"FROM x\n# \xc3")
    with pytest.raises(InputError, match=r"invalid byte 0xc3 at offset 9\)$"):
        read_dockerfile(Path("Dockerfile"))


def test_read_utf16(tmp_path: Path) -> None:
    touch(tmp_path / "Dockerfile", "FROM x\n".encode("utf-16"))
    with pytest.raises(InputError) as info:
        read_dockerfile(Path("Dockerfile"))
    assert str(info.value).startswith("Dockerfile: not UTF-8 text (UTF-16 byte order mark")


def test_read_directory(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").mkdir()
    with pytest.raises(InputError) as info:
        read_dockerfile(Path("Dockerfile"))
    assert str(info.value) == "Dockerfile: is a directory"


def test_read_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_dockerfile(Path("gone/Dockerfile"))
    assert str(info.value) == "gone/Dockerfile: no such file or directory"


def test_read_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = touch(tmp_path / "Dockerfile")

    def deny(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr("builtins.open", deny)
    with pytest.raises(InputError) as info:
        read_dockerfile(Path("Dockerfile"))
    assert str(info.value) == "Dockerfile: permission denied"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_read_permission_denied_real(tmp_path: Path) -> None:
    path = touch(tmp_path / "Dockerfile")
    path.chmod(0)
    try:
        printed = in_unprivileged_process(
            "from pathlib import Path\n"
            "from dockerlint_slim.discovery import InputError, read_dockerfile\n"
            "try:\n"
            "    print(repr(read_dockerfile(Path('Dockerfile'))))\n"
            "except InputError as exc:\n"
            "    print(exc)\n"
        )
    finally:
        path.chmod(0o644)
    assert printed == "Dockerfile: permission denied\n"


def test_module_exports() -> None:
    assert set(discovery.__all__) >= {
        "DiscoveryError",
        "InputError",
        "find_dockerfiles",
        "is_dockerfile_name",
        "read_dockerfile",
    }


def test_the_build_context_is_guessed_from_the_copy_sources(tmp_path):
    from dockerlint_slim.discovery import guess_context

    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "src").mkdir()
    docker = tmp_path / "docker"
    docker.mkdir()
    text = "FROM python:3.11\nCOPY requirements.txt .\nCOPY src/ /app/src/\nCOPY *.txt /tmp/\n"
    # docker/Dockerfile built with the repository root as context
    assert guess_context(docker / "Dockerfile", text) == tmp_path
    # the Dockerfile's own folder when it holds the sources
    (docker / "requirements.txt").write_text("flask\n")
    (docker / "src").mkdir()
    assert guess_context(docker / "Dockerfile", text) == docker
    # no folder up to the repository root holds them: the Dockerfile's folder
    missing = "FROM python:3.11\nCOPY nowhere.txt .\n"
    assert guess_context(docker / "Dockerfile", missing) == docker
    # nothing copied, a stage copy, a URL or a variable: nothing to go by
    assert guess_context(docker / "Dockerfile", "FROM python:3.11\n") == docker
    other = "FROM python:3.11 AS b\nFROM b\nCOPY --from=b /x /x\nADD https://e.x/a.tgz /\n"
    assert guess_context(docker / "Dockerfile", other) == docker
    # the walk stops at the repository root
    (tmp_path / ".git").rmdir()
    inner = tmp_path / "repo"
    (inner / ".git").mkdir(parents=True)
    (inner / "d").mkdir()
    assert guess_context(inner / "d" / "Dockerfile", text) == inner / "d"


def test_check_reads_the_guessed_build_context(tmp_path, monkeypatch):
    # docker/Dockerfile built from the repository root: the requirements are read there, so
    # the rewrite installs what psycopg2 needs, not every library of the full image
    import json

    from dockerlint_slim.cli import cli
    from tests.support import cli_runner

    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_text("psycopg2==2.9.9\n")
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile").write_text(
        "FROM python:3.11\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n"
    )
    monkeypatch.chdir(tmp_path)
    result = cli_runner().invoke(
        cli, ["check", "--output-format", "json", "--select", "DLS007", "docker/Dockerfile"]
    )
    assert result.exit_code == 1, (result.stdout, result.stderr)
    [finding] = json.loads(result.stdout)
    new_text = finding["fix"]["edits"][0]["content"]
    assert "libpq5" in new_text and "libxml2" not in new_text
