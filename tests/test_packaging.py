"""The rule catalogue is found however the package is installed.

The top-level ``rules/`` folder is installed as the subpackage ``dockerlint_slim.rules``
(``package_dir`` in ``setup.cfg``) and :func:`dockerlint_slim.rule.all_rules` finds the rules
with ``pkgutil`` over that subpackage. These tests check it in the test run itself, and (slow)
in a wheel, an sdist, and fresh virtual environments holding the wheel or an editable install.

Builds use ``python -m build`` with build isolation (setuptools and wheel come from the
package index); when that fails and setuptools and wheel are installed here, the build is
retried with ``--no-isolation``. Nothing is built inside the checkout: the wheel and the sdist
are built from a copy of its working tree (tracked and untracked files, minus what
``.gitignore`` ignores), so no ``build/`` folder or stale ``build/lib`` is involved. The
editable install has to point at the checkout itself; like any ``pip install -e``, it
rewrites the ignored ``dockerlint_slim.egg-info`` there.

The virtual environments do not use ``--system-site-packages``: that would also run this
interpreter's ``.pth`` files, and when the package is installed here in editable mode (the
usual ``pip install -e '.[test]'``) its import hook would resolve ``dockerlint_slim`` and
``dockerlint_slim.rules`` to the checkout in every such environment, hiding a broken wheel.
Instead a ``.pth`` file lists this interpreter's site-packages folders as plain paths, after
the environment's own: the dependencies (click, tree-sitter, ...) are importable without
downloading them, and no foreign import hook runs.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import site
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from dockerlint_slim.rule import all_rules

ROOT = Path(__file__).resolve().parents[1]
RULES_DIR = ROOT / "rules"

EXPECTED_CODES = {"DL3009", "DL3015", "DL3042"}
EXPECTED_RULE_FILES = {"pip_cache_kept.py", "apt_lists_kept.py", "apt_install_recommends.py"}

BUILD_TIMEOUT = 900  # seconds; an isolated build installs setuptools from the index
PIP_TIMEOUT = 900
RUN_TIMEOUT = 120

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

# Run in a fresh environment: what the import system sees there, as JSON. The plain import
# of ``dockerlint_slim.rules`` comes first, so the fallback in ``all_rules`` (which loads
# the top-level ``rules/`` folder of a source checkout) cannot hide a missing subpackage.
PROBE = """
import importlib.metadata, json, sys, sysconfig
import dockerlint_slim
import dockerlint_slim.rules
from dockerlint_slim.rule import all_rules
rules = all_rules()
dist = importlib.metadata.distribution("dockerlint-slim")
direct_url = dist.read_text("direct_url.json")
print(json.dumps({
    "prefix": sys.prefix,
    "purelib": sysconfig.get_paths()["purelib"],
    "package": dockerlint_slim.__file__,
    "rules_package": dockerlint_slim.rules.__file__,
    "codes": [r.code for r in rules],
    "rule_modules": sorted({r.__module__ for r in rules}),
    "rule_files": sorted({sys.modules[r.__module__].__file__ for r in rules}),
    "dist_location": str(dist.locate_file("")),
    "direct_url": json.loads(direct_url) if direct_url else None,
}))
"""


# ---------------------------------------------------------------------------
# The test run itself (fast)


def _inside(path: str | os.PathLike[str], folder: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(folder.resolve())


def test_all_rules_finds_the_catalogue_in_this_run() -> None:
    rules = all_rules()
    codes = {r.code for r in rules}
    assert codes >= EXPECTED_CODES, sorted(codes)

    package = sys.modules["dockerlint_slim.rules"]
    assert package.__file__ is not None
    assert Path(package.__file__).resolve() == (RULES_DIR / "__init__.py").resolve()
    assert [Path(p).resolve() for p in package.__path__] == [RULES_DIR.resolve()]

    for rule in rules:
        # loaded once, under the subpackage's name (never as a top-level ``rules`` module,
        # which would make a second copy of every rule class)
        assert rule.__module__.startswith("dockerlint_slim.rules."), rule.__module__
        module_file = sys.modules[rule.__module__].__file__
        assert module_file is not None and _inside(module_file, RULES_DIR), module_file


def test_the_subpackage_is_importable_by_name() -> None:
    """With the checkout installed in editable mode, the import system itself finds
    ``dockerlint_slim.rules`` in ``rules/``, not only the source-checkout fallback of
    :func:`all_rules` (skipped in a bare checkout, where only that fallback works)."""
    import dockerlint_slim

    # ask the finders directly: find_spec() would answer from sys.modules
    spec = None
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is not None:
            spec = find_spec("dockerlint_slim.rules", list(dockerlint_slim.__path__))
            if spec is not None:
                break
    if spec is None:
        pytest.skip("dockerlint_slim is not installed here (a bare source checkout)")
    assert spec.origin is not None
    assert Path(spec.origin).resolve() == (RULES_DIR / "__init__.py").resolve()


# ---------------------------------------------------------------------------
# Helpers for the slow tests


def _env() -> dict[str, str]:
    """This environment, minus what would point Python or pip somewhere else."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "PYTHONPATH",
            "PYTHONHOME",
            "PYTHONSTARTUP",
            "PYTHONNOUSERSITE",
            "VIRTUAL_ENV",
            "PIP_USER",
            "PIP_TARGET",
            "PIP_PREFIX",
            "PIP_ROOT",
            "PIP_REQUIRE_VIRTUALENV",
        }
    }
    env.update(
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        PYTHONUTF8="1",
        NO_COLOR="1",
    )
    return env


def _run(
    cmd: Sequence[str | os.PathLike[str]], cwd: Path, timeout: float = RUN_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        check=False,
    )


def _ok(result: subprocess.CompletedProcess[str], what: str) -> str:
    assert result.returncode == 0, f"{what} failed (exit {result.returncode}):\n{result.stdout}"
    return result.stdout


def _project_files() -> list[str]:
    """Relative paths of the working tree: tracked and untracked, not ignored."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        listing = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
        if listing.returncode == 0:
            names = [n for n in listing.stdout.decode("utf-8").split("\0") if n]
            return [n for n in names if (ROOT / n).is_file()]
    files: list[str] = []
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [
            d for d in dirnames if d not in _SKIPPED_DIRS and not d.endswith(".egg-info")
        ]
        for name in filenames:
            if not name.endswith((".pyc", ".pyo")):
                files.append(os.path.relpath(os.path.join(dirpath, name), ROOT))
    return files


def _can_build_without_isolation() -> bool:
    if importlib.util.find_spec("setuptools") is None:
        return False
    if importlib.util.find_spec("wheel") is not None:
        return True
    import setuptools
    from packaging.version import Version

    # setuptools ships bdist_wheel itself from 70.1 on
    return Version(setuptools.__version__) >= Version("70.1")


def _build(kind: str, srcdir: Path, outdir: Path) -> Path:
    """``python -m build --<kind>``: isolated, else ``--no-isolation`` when possible."""
    cmd: list[str | os.PathLike[str]] = [
        sys.executable,
        "-m",
        "build",
        f"--{kind}",
        "--outdir",
        outdir,
        srcdir,
    ]
    result = _run(cmd, srcdir, timeout=BUILD_TIMEOUT)
    if result.returncode != 0:
        log = f"isolated build:\n{result.stdout}"
        if not _can_build_without_isolation():
            pytest.fail(
                f"python -m build --{kind} failed, and --no-isolation needs setuptools and "
                f"wheel installed here.\n{log}"
            )
        result = _run([*cmd, "--no-isolation"], srcdir, timeout=BUILD_TIMEOUT)
        _ok(result, f"python -m build --{kind} (isolated, then --no-isolation)\n{log}\n")
    pattern = "*.whl" if kind == "wheel" else "*.tar.gz"
    built = sorted(outdir.glob(pattern))
    assert len(built) == 1, (built, result.stdout)
    return built[0]


def _host_site_dirs() -> list[str]:
    dirs = list(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    return [d for d in dict.fromkeys(dirs) if os.path.isdir(d) and not _inside(d, ROOT)]


@dataclass(frozen=True)
class Venv:
    path: Path
    purelib: Path

    def bin(self, name: str) -> Path:
        folder = "Scripts" if os.name == "nt" else "bin"
        suffix = ".exe" if os.name == "nt" else ""
        return self.path / folder / f"{name}{suffix}"

    @property
    def python(self) -> Path:
        return self.bin("python")

    def pip_install(self, *args: str | os.PathLike[str], cwd: Path) -> str:
        cmd = [self.python, "-m", "pip", "install", "--no-deps", "--ignore-installed", *args]
        return _ok(_run(cmd, cwd, timeout=PIP_TIMEOUT), "pip install " + " ".join(map(str, args)))


def _make_venv(path: Path, cwd: Path) -> Venv:
    _ok(_run([sys.executable, "-m", "venv", path], cwd), "python -m venv")
    venv_python = path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    out = _ok(
        _run([venv_python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd),
        "sysconfig in the venv",
    )
    purelib = Path(out.strip())
    # this interpreter's site-packages, as plain paths after the venv's own (see the module
    # docstring): dependencies without the network, and no foreign .pth import hooks
    (purelib / "_host_site_packages.pth").write_text(
        "".join(f"{d}\n" for d in _host_site_dirs()), encoding="utf-8"
    )
    return Venv(path, purelib)


def _probe(venv: Venv, cwd: Path) -> dict[str, Any]:
    out = _ok(_run([venv.python, "-c", PROBE], cwd), "the import probe in the venv")
    data: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return data


def _cli_codes(venv: Venv, cwd: Path) -> set[str]:
    out = _ok(_run([venv.bin("dockerlint-slim"), "rule", "--all"], cwd), "dockerlint-slim rule")
    return set(re.findall(r"^# (DL[A-Z]*\d+)\b", out, re.MULTILINE))


def _rule_modules(rules_dir: Path) -> set[str]:
    return {
        f"dockerlint_slim.rules.{p.stem}"
        for p in rules_dir.glob("*.py")
        if not p.name.startswith("_")
    }


# ---------------------------------------------------------------------------
# Session fixtures: one snapshot, one wheel, one sdist, one venv per install kind


@pytest.fixture(scope="session")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory outside the checkout (nothing importable by accident)."""
    path = tmp_path_factory.mktemp("outside")
    if _inside(path, ROOT):
        pytest.fail(f"the pytest temporary folder {path} is inside the checkout {ROOT}")
    return path


@pytest.fixture(scope="session")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the working tree to build from (the checkout stays untouched)."""
    src = tmp_path_factory.mktemp("src") / "dockerlint-slim"
    for rel in _project_files():
        if ".git" in Path(rel).parts:
            continue
        dst = src / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dst)
    for name in ("setup.cfg", "pyproject.toml", "rules/__init__.py"):
        assert (src / name).is_file(), f"{name} missing from the copy of the working tree"
    return src


@pytest.fixture(scope="session")
def wheel(snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build("wheel", snapshot, tmp_path_factory.mktemp("wheel-dist"))


@pytest.fixture(scope="session")
def sdist(snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build("sdist", snapshot, tmp_path_factory.mktemp("sdist-dist"))


@pytest.fixture(scope="session")
def wheel_venv(wheel: Path, outside: Path, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    venv = _make_venv(tmp_path_factory.mktemp("wheel-venv") / "venv", outside)
    venv.pip_install(wheel, cwd=outside)
    return venv


@pytest.fixture(scope="session")
def editable_venv(outside: Path, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    venv = _make_venv(tmp_path_factory.mktemp("editable-venv") / "venv", outside)
    build_dir_existed = (ROOT / "build").exists()
    try:
        try:
            # setuptools and wheel from the venv (or this interpreter's site-packages)
            venv.pip_install("--no-build-isolation", "-e", ROOT, cwd=outside)
        except AssertionError as first:
            # e.g. setuptools < 70.1 without the wheel package: build in isolation instead
            try:
                venv.pip_install("-e", ROOT, cwd=outside)
            except AssertionError as second:
                raise AssertionError(f"{first}\n\nthen, with build isolation:\n{second}") from None
    finally:
        if not build_dir_existed and (ROOT / "build").is_dir():
            shutil.rmtree(ROOT / "build", ignore_errors=True)
    return venv


def _wheel_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def _sdist_names(path: Path) -> list[str]:
    """Member paths of the sdist, without its top folder (``name-version/``)."""
    with tarfile.open(path) as archive:
        members = [m.name for m in archive.getmembers() if m.isfile()]
    tops = {PurePosixPath(m).parts[0] for m in members}
    assert len(tops) == 1, tops
    return [str(PurePosixPath(*PurePosixPath(m).parts[1:])) for m in members]


# ---------------------------------------------------------------------------
# The wheel (slow)


@pytest.mark.slow
def test_wheel_ships_the_rules_inside_the_package(wheel: Path, snapshot: Path) -> None:
    names = set(_wheel_names(wheel))

    for rule_file in EXPECTED_RULE_FILES | {"__init__.py", "_common.py"}:
        assert f"dockerlint_slim/rules/{rule_file}" in names, sorted(names)
    assert "dockerlint_slim/py.typed" in names
    # every module of the working tree is in the wheel, under the package
    for py in sorted((snapshot / "rules").glob("*.py")):
        assert f"dockerlint_slim/rules/{py.name}" in names
    for py in sorted((snapshot / "dockerlint_slim").rglob("*.py")):
        rel = py.relative_to(snapshot).as_posix()
        assert rel in names, f"{rel} is not in the wheel"

    # no top-level ``rules`` package (nor tests or fixtures) lands in site-packages
    assert not any(n.startswith("rules/") for n in names), sorted(names)
    tops = {n.split("/", 1)[0] for n in names}
    dist_info = {t for t in tops if t.endswith(".dist-info")}
    assert len(dist_info) == 1, tops
    assert tops - dist_info == {"dockerlint_slim"}, tops
    with zipfile.ZipFile(wheel) as archive:
        top_level = archive.read(f"{dist_info.pop()}/top_level.txt").decode().split()
    assert top_level == ["dockerlint_slim"], top_level


@pytest.mark.slow
def test_wheel_install_finds_the_rules(wheel_venv: Venv, outside: Path, snapshot: Path) -> None:
    assert _cli_codes(wheel_venv, outside) >= EXPECTED_CODES

    data = _probe(wheel_venv, outside)
    assert set(data["codes"]) >= EXPECTED_CODES, data["codes"]
    assert set(data["rule_modules"]) == _rule_modules(snapshot / "rules"), data

    # imported from the venv's site-packages, not from the checkout
    purelib = Path(data["purelib"])
    assert purelib == wheel_venv.purelib
    assert _inside(data["prefix"], wheel_venv.path), data["prefix"]
    assert Path(data["package"]).resolve() == (purelib / "dockerlint_slim/__init__.py").resolve()
    assert (
        Path(data["rules_package"]).resolve()
        == (purelib / "dockerlint_slim/rules/__init__.py").resolve()
    )
    for module_file in [data["package"], data["rules_package"], *data["rule_files"]]:
        assert _inside(module_file, purelib), module_file
        assert not _inside(module_file, ROOT), module_file
    assert _inside(data["dist_location"], purelib), data["dist_location"]
    assert not (purelib / "rules").exists(), "a top-level rules package was installed"


# ---------------------------------------------------------------------------
# The editable install (slow)


@pytest.mark.slow
def test_editable_install_finds_the_rules(editable_venv: Venv, outside: Path) -> None:
    assert _cli_codes(editable_venv, outside) >= EXPECTED_CODES

    data = _probe(editable_venv, outside)
    assert set(data["codes"]) >= EXPECTED_CODES, data["codes"]
    assert set(data["rule_modules"]) == _rule_modules(RULES_DIR), data

    # the venv's own editable install maps both packages into the checkout
    assert _inside(data["dist_location"], editable_venv.purelib), data["dist_location"]
    direct_url = data["direct_url"]
    assert direct_url and direct_url.get("dir_info", {}).get("editable") is True, direct_url
    assert Path(data["package"]).resolve() == (ROOT / "dockerlint_slim" / "__init__.py").resolve()
    assert Path(data["rules_package"]).resolve() == (RULES_DIR / "__init__.py").resolve()
    for module_file in data["rule_files"]:
        assert _inside(module_file, RULES_DIR), module_file
    assert not (editable_venv.purelib / "rules").exists()


# ---------------------------------------------------------------------------
# The sdist (slow)


@pytest.mark.slow
def test_sdist_holds_what_a_build_needs(sdist: Path, snapshot: Path) -> None:
    names = set(_sdist_names(sdist))

    for required in ("setup.cfg", "pyproject.toml", "LICENSE", "README.md"):
        assert required in names, sorted(names)
    assert "dockerlint_slim/py.typed" in names
    for rule_file in EXPECTED_RULE_FILES | {"__init__.py", "_common.py"}:
        assert f"rules/{rule_file}" in names, sorted(names)
    for py in sorted((snapshot / "rules").glob("*.py")):
        assert f"rules/{py.name}" in names
    # the rules ship as rules/, not as a second copy under the package
    assert not any(n.startswith("dockerlint_slim/rules/") for n in names), sorted(names)


@pytest.mark.slow
def test_sdist_builds_the_same_wheel(
    sdist: Path, wheel: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """What pip does with the sdist from an index: the wheel holds the same files."""
    unpacked = tmp_path_factory.mktemp("sdist-unpacked")
    with tarfile.open(sdist) as archive:
        if hasattr(tarfile, "data_filter"):
            archive.extractall(unpacked, filter="data")
        else:  # an older Python without extraction filters; our own archive
            archive.extractall(unpacked)
    (srcdir,) = [p for p in unpacked.iterdir() if p.is_dir()]
    rebuilt = _build("wheel", srcdir, tmp_path_factory.mktemp("sdist-wheel"))

    def payload(path: Path) -> set[str]:
        return {n for n in _wheel_names(path) if ".dist-info/" not in n}

    assert payload(rebuilt) == payload(wheel)
