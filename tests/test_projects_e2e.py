"""The fixture projects in ``fixtures/projects/<name>/`` are fixed, built and run for real.

Each project has its original single-stage ``Dockerfile``, a hand-written
``Dockerfile.expert``, the application files and a ``project.toml``::

    description = "psycopg2 compiled from source on python:3.11"
    smoke = "python -c 'import psycopg2; print(psycopg2.__version__.split()[0])'"
    expected = "2.9.9"     # the smoke command's stdout, stripped ("" smoke: the image's CMD)
    rewrite = true         # false: the fixes must leave the Dockerfile unchanged
    fat_compiles = true    # fat base + native build (the benchmark's 0.25 x target)

For every project the unsafe fixes (build context: the project folder) change the Dockerfile
exactly when ``rewrite`` is true and are idempotent; the original and the fixed file both
build, both print ``expected``, the fixed image is smaller, and every shared library of the
compiled Python code resolves in it. Images are removed after each project; the build cache
stays, so the fixed build reuses the original's layers and reruns are fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from dockerlint_slim import verify
from dockerlint_slim.fixer import fix_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
# DOCKERLINT_SLIM_PROJECTS: another folder of projects, to try new ones before adding them
PROJECTS_DIR = Path(os.environ.get("DOCKERLINT_SLIM_PROJECTS") or ROOT / "fixtures" / "projects")
PROJECTS = (
    sorted(p.name for p in PROJECTS_DIR.iterdir() if p.is_dir()) if PROJECTS_DIR.is_dir() else []
)
MIN_PROJECTS = 12
SMOKE_TIMEOUT = 180.0
KEYS = {"description": str, "smoke": str, "expected": str, "rewrite": bool, "fat_compiles": bool}


def load(name: str) -> dict[str, Any]:
    folder = PROJECTS_DIR / name
    meta_file = folder / "project.toml"
    assert meta_file.is_file(), f"{name}: no project.toml"
    meta = tomllib.loads(meta_file.read_text(encoding="utf-8"))
    for key, kind in KEYS.items():
        assert isinstance(meta.get(key), kind), (
            f"{name}/project.toml: `{key}` must be {kind.__name__}"
        )
    for file in ("Dockerfile", "Dockerfile.expert"):
        assert (folder / file).is_file(), f"{name}: no {file}"
    return meta


def fix(name: str, text: str) -> str:
    folder = PROJECTS_DIR / name
    return fix_text(
        text,
        str(folder / "Dockerfile"),
        unsafe=True,
        file_path=folder / "Dockerfile",
        context_dir=folder,
    ).text


def test_there_are_enough_projects() -> None:
    assert len(PROJECTS) >= MIN_PROJECTS, (
        f"{PROJECTS_DIR} has {len(PROJECTS)} projects "
        f"({', '.join(PROJECTS) or 'none'}); at least {MIN_PROJECTS} are expected"
    )


@pytest.mark.parametrize("name", PROJECTS)
def test_project_description(name: str) -> None:
    """Without an engine: project.toml is complete and the fix does what it says."""
    meta = load(name)
    original = (PROJECTS_DIR / name / "Dockerfile").read_text(encoding="utf-8")
    fixed = fix(name, original)
    assert (fixed != original) == meta["rewrite"], (
        f"{name}: rewrite = {str(meta['rewrite']).lower()} in project.toml, but the fixes "
        f"{'changed' if fixed != original else 'left'} the Dockerfile"
        + ("" if fixed == original else f":\n{fixed}")
    )
    assert fix(name, fixed) == fixed, f"{name}: fixing the fixed Dockerfile changes it again"


@pytest.mark.e2e
@pytest.mark.parametrize("name", PROJECTS)
def test_project_builds_and_runs(name: str, docker_engine: verify.Docker) -> None:
    check_project(name, docker_engine)


# Projects rewritten as for a release the runtime-library data lacks (Debian buster and
# stretch, Ubuntu releases it has no index of, a tag that names no release): the builder
# stage finds the runtime packages in its own package database. The local images are of
# releases the data covers, so the data is made to cover none here; the rewrite is the same
# on any Debian or Ubuntu release.
FOUND_AT_BUILD = [
    name
    for name in (
        "psycopg2",
        "cairo-badges",
        "lxml-nobinary",
        "inplace-extension",
        "generated-requirements",
    )
    if name in PROJECTS
]


def _no_release_data(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import MappingProxyType

    from dockerlint_slim import runtime_libs

    monkeypatch.setattr(runtime_libs, "known_releases", lambda: MappingProxyType({}))


@pytest.mark.parametrize("name", FOUND_AT_BUILD)
def test_project_packages_found_at_build_time(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an engine: with no release data the rewrite is still offered, the builder
    looks the packages up, and fixing again changes nothing."""
    _no_release_data(monkeypatch)
    original = (PROJECTS_DIR / name / "Dockerfile").read_text(encoding="utf-8")
    fixed = fix(name, original)
    assert "dpkg-query --search" in fixed and "< /runtime-packages.txt" in fixed, fixed
    assert fix(name, fixed) == fixed


@pytest.mark.e2e
@pytest.mark.parametrize("name", FOUND_AT_BUILD)
def test_project_builds_with_packages_found_at_build_time(
    name: str, docker_engine: verify.Docker, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_release_data(monkeypatch)
    check_project(name, docker_engine, found_at_build=True)


def check_project(name: str, docker_engine: verify.Docker, found_at_build: bool = False) -> None:
    meta = load(name)
    folder = PROJECTS_DIR / name
    original = (folder / "Dockerfile").read_text(encoding="utf-8")
    fixed = fix(name, original)
    assert ("< /runtime-packages.txt" in fixed) == found_at_build, fixed
    result = verify.compare(
        original,
        fixed,
        folder,
        docker=docker_engine,
        name=name,
        smoke=meta["smoke"] or None,
        timeout=SMOKE_TIMEOUT,
    )
    report = verify.render_text(result, path=str(folder / "Dockerfile"))
    assert result.original.ok, f"the original does not build:\n{report}"
    assert result.rewritten == meta["rewrite"]
    if meta["rewrite"]:
        assert result.fixed is not None and result.fixed.ok, f"the fix does not build:\n{report}"
    smokes = [("original", result.original_smoke)]
    if result.rewritten:
        smokes.append(("fixed", result.fixed_smoke))
    for label, smoke in smokes:
        assert smoke is not None
        assert smoke.exit_code == 0, f"{label}: smoke test failed:\n{report}"
        assert smoke.stdout.strip() == meta["expected"], f"{label}: unexpected output:\n{report}"
    if result.rewritten:
        assert result.fixed is not None and result.fixed.image is not None
        assert result.original.image is not None
        assert result.fixed.image.size < result.original.image.size, report
    assert result.libraries is not None and result.libraries.checked, report
    assert result.unresolved == [], report
    assert result.ok, report
