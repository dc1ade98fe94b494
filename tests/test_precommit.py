"""The pre-commit hooks in ``.pre-commit-hooks.yaml``, checked and run for real.

The slow tests run ``pre-commit try-repo`` against this project, which clones it, builds a
virtualenv and pip-installs the package into it (so they need PyPI), then runs the hook in a
temporary git repository holding a Dockerfile.

``try-repo`` on a local folder only sees committed, staged and modified *tracked* files: an
untracked file (a new ``.pre-commit-hooks.yaml``, a new rule) is silently left out. So the
tests do not point ``try-repo`` at the checkout itself but at a snapshot of its working tree
(tracked and untracked files, minus what ``.gitignore`` ignores) committed in a fresh git
repository; it gives the same result as a clean clone of the checkout once everything is
committed.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from dockerlint_slim.discovery import is_dockerfile_name

ROOT = Path(__file__).resolve().parents[1]
HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"

# The CLI contract: the first has a DL3042 finding (pip keeps its cache), the last has none.
BAD = "FROM python:3.11\nRUN pip install flask==3.0.0\n"
SLIM_BAD = "FROM python:3.11-slim\nRUN pip install flask==3.0.0\n"
GOOD = "FROM python:3.11-slim\nRUN pip install --no-cache-dir flask==3.0.0\n"

TIMEOUT = 1200  # seconds for one try-repo run (builds a virtualenv, installs from PyPI)

_SKIPPED_DIRS = {
    ".git",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".benchmarks",
    "build",
    "dist",
}


def _load_hooks() -> list[dict[str, Any]]:
    """The hooks, validated by pre-commit itself when it is installed."""
    try:
        from pre_commit.clientlib import load_manifest
    except ImportError:
        yaml = pytest.importorskip("yaml", reason="needs pre-commit or PyYAML")
        return list(yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8")))
    return [dict(hook) for hook in load_manifest(str(HOOKS_FILE))]


def _pre_commit_command() -> list[str] | None:
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    exe = shutil.which("pre-commit")
    return [exe] if exe else None


# ---------------------------------------------------------------------------
# The manifest (fast)


def test_manifest_declares_both_hooks() -> None:
    hooks = {hook["id"]: hook for hook in _load_hooks()}
    assert set(hooks) == {"dockerlint-slim", "dockerlint-slim-fix"}
    assert hooks["dockerlint-slim"]["entry"] == "dockerlint-slim check"
    assert hooks["dockerlint-slim-fix"]["entry"] == "dockerlint-slim check --fix"
    for hook in hooks.values():
        assert hook["language"] == "python"
        # pre-commit appends the staged file names: the hooks must not stop that
        assert hook.get("pass_filenames", True) is True
        assert "text" in hook["types"]


@pytest.mark.parametrize(
    "name",
    [
        "Dockerfile",
        "dockerfile",
        "DOCKERFILE",
        "Containerfile",
        "containerfile",
        "api.Dockerfile",
        "api.dockerfile",
        "web.Containerfile",
        "web.containerfile",
        "a.b.dockerfile",
        "Dockerfile.dev",
        "dockerfile.prod",
        "Containerfile.arm64",
        "Dockerfile.Dockerfile",
        "Dockerfile.",
        ".dockerfile",
        "..dockerfile",
        "Dockerfiles",
        "MyDockerfile",
        "dockerfile-dev",
        "docker-compose.yml",
        "README.md",
        ".dockerignore",
        "Dockerfile.dockerignore",
        "api.Dockerfile.dockerignore",
        "Dockerfile~",
        "Dockerfile.swp",
        "Dockerfile.swo",
        "Dockerfile.swx",
        "Dockerfile.orig",
        "Dockerfile.ORIG",
        "Dockerfile.rej",
        "Dockerfile.bak",
        ".Dockerfile.swp",
        ".#Dockerfile",
        "#Dockerfile#",
    ],
)
@pytest.mark.parametrize("folder", ["", "services/api/"])
def test_hooks_select_the_files_discovery_selects(name: str, folder: str) -> None:
    """pre-commit passes a hook exactly the files a directory walk would check."""
    path = folder + name  # pre-commit matches repo-relative paths with forward slashes
    for hook in _load_hooks():
        include = re.compile(hook.get("files", ""))
        exclude = re.compile(hook.get("exclude", "^$"))
        selected = bool(include.search(path)) and not exclude.search(path)
        assert selected == is_dockerfile_name(name), (hook["id"], path)


# ---------------------------------------------------------------------------
# pre-commit try-repo, for real (slow)


def _run(
    cmd: list[str], cwd: Path, env: Mapping[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd,
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )


def _git(cwd: Path, env: Mapping[str, str], *args: str) -> str:
    result = _run(["git", *args], cwd, env)
    assert result.returncode == 0, f"git {' '.join(args)} failed:\n{result.stdout}"
    return result.stdout


def _commit_all(repo: Path, env: Mapping[str, str]) -> None:
    _git(repo, env, "init", "-q")
    _git(repo, env, "config", "user.name", "dockerlint-slim tests")
    _git(repo, env, "config", "user.email", "tests@dockerlint-slim.invalid")
    _git(repo, env, "config", "commit.gpgsign", "false")
    _git(repo, env, "add", "-A")
    _git(repo, env, "commit", "-q", "--no-verify", "-m", "snapshot")


def _project_files() -> list[str]:
    """Relative paths of the project's working tree: tracked and untracked, not ignored."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        # the caller's own environment: it may hold a safe.directory setting this needs
        listing = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
        if listing.returncode == 0:
            names = [n for n in listing.stdout.decode("utf-8").split("\0") if n]
            return [n for n in names if (ROOT / n).is_file() or (ROOT / n).is_symlink()]
    files: list[str] = []
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [
            d for d in dirnames if d not in _SKIPPED_DIRS and not d.endswith(".egg-info")
        ]
        for name in filenames:
            files.append(os.path.relpath(os.path.join(dirpath, name), ROOT))
    return files


@pytest.fixture(scope="module")
def pre_commit_cmd() -> list[str]:
    command = _pre_commit_command()
    if command is None:
        pytest.skip("pre-commit is not installed (pip install -e '.[test]' brings it)")
    if shutil.which("git") is None:
        pytest.skip("git is not installed; pre-commit needs it")
    return command


@pytest.fixture(scope="module")
def hermetic_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment for git and pre-commit: no user or system git config, no outer
    git repository or hook run leaking in, pre-commit's caches in a temporary folder."""
    base = tmp_path_factory.mktemp("pre-commit-env")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GIT_", "PRE_COMMIT"))
        and key not in {"SKIP", "PYTHONPATH", "VIRTUAL_ENV", "PIP_USER"}
    }
    (base / "home").mkdir()
    (base / "tmp").mkdir()
    (base / "gitconfig").write_text("", encoding="utf-8")
    env.update(
        # virtualenv (pre-commit makes the hook's environment with it) seeds pip from its
        # app-data folder, which its background updates can fill with a pip too new for the
        # Python at hand (pip 26.2 on 3.9): a fresh folder and no updates
        VIRTUALENV_OVERRIDE_APP_DATA=str(base / "virtualenv-app-data"),
        VIRTUALENV_NO_PERIODIC_UPDATE="1",
        PRE_COMMIT_HOME=str(base / "home"),
        # try-repo keeps its store in a tempfile.TemporaryDirectory
        TMPDIR=str(base / "tmp"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=str(base / "gitconfig"),
        GIT_TERMINAL_PROMPT="0",
        NO_COLOR="1",
    )
    return env


@pytest.fixture(scope="module")
def hook_repo(
    pre_commit_cmd: list[str],
    hermetic_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """This project's working tree, committed as-is in a fresh git repository."""
    assert HOOKS_FILE.is_file(), "no .pre-commit-hooks.yaml in the project"
    repo = tmp_path_factory.mktemp("hook-repo")
    for rel in _project_files():
        src, dst = ROOT / rel, repo / rel
        if ".git" in Path(rel).parts:
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst, follow_symlinks=False)
    assert (repo / ".pre-commit-hooks.yaml").is_file()
    _commit_all(repo, hermetic_env)
    return repo


def _make_target(path: Path, files: Mapping[str, str], env: Mapping[str, str]) -> Path:
    """A git repository holding ``files``, committed."""
    path.mkdir()
    for rel, text in files.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        with open(path / rel, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    _commit_all(path, env)
    return path


def _try_repo(
    pre_commit_cmd: list[str],
    hook_repo: Path,
    hook_id: str,
    target: Path,
    env: Mapping[str, str],
) -> subprocess.CompletedProcess[str]:
    cmd = [
        *pre_commit_cmd,
        "try-repo",
        str(hook_repo),
        hook_id,
        "--all-files",
        "--verbose",
        "--color",
        "never",
    ]
    return _run(cmd, target, env, timeout=TIMEOUT)


def _read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


@pytest.mark.slow
def test_check_hook_fails_on_a_bad_dockerfile(
    pre_commit_cmd: list[str], hook_repo: Path, hermetic_env: dict[str, str], tmp_path: Path
) -> None:
    files = {"Dockerfile": BAD, "services/api.dockerfile": BAD}
    target = _make_target(tmp_path / "target", files, hermetic_env)

    result = _try_repo(pre_commit_cmd, hook_repo, "dockerlint-slim", target, hermetic_env)

    out = result.stdout
    assert result.returncode != 0, out
    assert re.search(r"^dockerlint-slim\.+Failed$", out, re.MULTILINE), out
    # 1 = findings; 2 would mean the hook's command line or input was rejected
    assert "- exit code: 1" in out, out
    assert "DL3042" in out, out
    # lower-case *.dockerfile names are passed to the hook too
    assert "services/api.dockerfile" in out, out
    for rel, text in files.items():
        assert _read(target / rel) == text, f"the check hook changed {rel}"


@pytest.mark.slow
def test_check_hook_passes_on_a_good_dockerfile(
    pre_commit_cmd: list[str], hook_repo: Path, hermetic_env: dict[str, str], tmp_path: Path
) -> None:
    files = {
        "Dockerfile": GOOD,
        "services/api.dockerfile": GOOD,
        # neither is a Dockerfile: the hook must not be handed them
        "Dockerfile.dockerignore": "**/__pycache__\n*.pyc\n",
        "README.md": "RUN pip install flask\n",
    }
    target = _make_target(tmp_path / "target", files, hermetic_env)

    result = _try_repo(pre_commit_cmd, hook_repo, "dockerlint-slim", target, hermetic_env)

    out = result.stdout
    assert result.returncode == 0, out
    # "Passed", not "(no files to check)Skipped": the hook really ran
    assert re.search(r"^dockerlint-slim\.+Passed$", out, re.MULTILINE), out
    assert "DL3042" not in out, out


@pytest.mark.slow
def test_fix_hook_fixes_the_bad_dockerfile(
    pre_commit_cmd: list[str], hook_repo: Path, hermetic_env: dict[str, str], tmp_path: Path
) -> None:
    target = _make_target(tmp_path / "target", {"Dockerfile": SLIM_BAD}, hermetic_env)

    result = _try_repo(pre_commit_cmd, hook_repo, "dockerlint-slim-fix", target, hermetic_env)

    out = result.stdout
    # pre-commit fails a hook that modified files, whatever its exit code
    assert result.returncode != 0, out
    assert re.search(r"^dockerlint-slim \(fix\)\.+Failed$", out, re.MULTILINE), out
    assert "files were modified by this hook" in out, out
    fixed = _read(target / "Dockerfile")
    assert fixed != SLIM_BAD
    assert "--no-cache-dir" in fixed, fixed
    assert fixed.startswith("FROM python:3.11-slim\n"), fixed

    # the fixed file is clean: the check hook passes on it
    again = _try_repo(pre_commit_cmd, hook_repo, "dockerlint-slim", target, hermetic_env)
    assert again.returncode == 0, again.stdout
    assert _read(target / "Dockerfile") == fixed


@pytest.mark.slow
def test_fix_hook_leaves_a_good_dockerfile_alone(
    pre_commit_cmd: list[str], hook_repo: Path, hermetic_env: dict[str, str], tmp_path: Path
) -> None:
    target = _make_target(tmp_path / "target", {"Dockerfile": GOOD}, hermetic_env)

    result = _try_repo(pre_commit_cmd, hook_repo, "dockerlint-slim-fix", target, hermetic_env)

    assert result.returncode == 0, result.stdout
    assert re.search(r"^dockerlint-slim \(fix\)\.+Passed$", result.stdout, re.MULTILINE)
    assert _read(target / "Dockerfile") == GOOD
