"""Shared fixtures.

``docker_engine``: a checked docker client for the tests marked ``e2e``. Without a reachable
engine (or without the local python base images) those tests are skipped with the reason;
with ``DOCKERLINT_SLIM_E2E=require`` (what CI sets) they fail instead.
"""

from __future__ import annotations

import os

import pytest

E2E_ENV = "DOCKERLINT_SLIM_E2E"
BASE_IMAGES = ("python:3.11", "python:3.11-slim")
RIG_HINT = "build them with `bash shared/rig/make-python-bases.sh` (see shared/rig/README.md)"


def _unavailable(reason: str) -> None:
    if os.environ.get(E2E_ENV) == "require":
        pytest.fail(f"{E2E_ENV}=require but {reason}", pytrace=False)
    pytest.skip(f"{reason} (set {E2E_ENV}=require to make this a failure)")


@pytest.fixture(scope="session")
def docker_engine():
    """A :class:`dockerlint_slim.verify.Docker` that reaches a running engine."""
    from dockerlint_slim.verify import EngineUnavailable, find_docker

    try:
        docker = find_docker()
    except EngineUnavailable as exc:
        _unavailable(f"no usable Docker engine: {exc}")
        raise  # not reached: skip/fail raise
    missing = [
        image
        for image in BASE_IMAGES
        if docker.run(["image", "inspect", "--format", "{{.Id}}", image]).returncode != 0
    ]
    if missing:
        _unavailable(f"the engine has no {', '.join(missing)} image; {RIG_HINT}")
    return docker
