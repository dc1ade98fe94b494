"""Shared fixtures.

``docker_engine``: a checked docker client for the tests marked ``e2e``. ``parser_cases``: the
shared parser-case folder. Without them the tests that use them are skipped with the reason;
CI sets ``DOCKERLINT_SLIM_REQUIRE=all`` and they fail instead (see ``tests/support.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import PARSER_CASES_DIR, requested, unavailable

BASE_IMAGES = ("python:3.11", "python:3.11-slim")
RIG_HINT = "build them with `bash shared/rig/make-python-bases.sh` (see shared/rig/README.md)"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--snapshot-update",
        action="store_true",
        help="Rewrite the snapshots of the rule case files (fixtures/cases/*.snap) with what "
        "the rules report now, instead of failing when they differ.",
    )


def pytest_configure(config: pytest.Config) -> None:
    try:
        requested()
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.fixture(scope="session")
def docker_engine():
    """A :class:`dockerlint_slim.verify.Docker` that reaches a running engine."""
    from dockerlint_slim.verify import EngineUnavailable, find_docker

    try:
        docker = find_docker()
    except EngineUnavailable as exc:
        unavailable("e2e", f"no usable Docker engine: {exc}")
        raise  # not reached: skip/fail raise
    missing = [
        image
        for image in BASE_IMAGES
        if docker.run(["image", "inspect", "--format", "{{.Id}}", image]).returncode != 0
    ]
    if missing:
        unavailable("e2e", f"the engine has no {', '.join(missing)} image; {RIG_HINT}")
    return docker


@pytest.fixture
def parser_cases() -> Path:
    """The shared parser cases (``*.Dockerfile`` with ``expected.json``)."""
    if not (PARSER_CASES_DIR / "expected.json").is_file():
        unavailable(
            "parser-cases",
            f"parser cases folder {PARSER_CASES_DIR} (with expected.json) is absent; "
            "set SHARED_DIR to the project's shared/ folder",
        )
    return PARSER_CASES_DIR


@pytest.fixture
def snapshot_update(request: pytest.FixtureRequest) -> bool:
    """Whether ``--snapshot-update`` (or ``DOCKERLINT_SLIM_SNAPSHOT_UPDATE=1``) was given."""
    import os

    return bool(request.config.getoption("--snapshot-update")) or (
        os.environ.get("DOCKERLINT_SLIM_SNAPSHOT_UPDATE") == "1"
    )
