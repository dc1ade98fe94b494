"""Helpers shared by several test modules (fixtures live in conftest.py).

Some tests need things a developer's checkout may lack: a Docker engine with the rig's base
images (``e2e``), the shared parser cases (``parser-cases``), a way to make a file unreadable
when the tests run as root (``permissions``). Locally such a test is skipped with the reason;
CI names what it requires, and then the same test fails instead::

    DOCKERLINT_SLIM_REQUIRE=all                       # everything
    DOCKERLINT_SLIM_REQUIRE=parser-cases,permissions  # a list
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

REQUIRE_ENV = "DOCKERLINT_SLIM_REQUIRE"
NEEDS = ("e2e", "parser-cases", "permissions")
REPO = Path(__file__).resolve().parents[1]


def requested() -> set[str]:
    """What ``$DOCKERLINT_SLIM_REQUIRE`` names; ValueError for a name it does not know (a typo
    must not turn a required test into a skip: conftest stops the run before any test)."""
    names = {n.strip() for n in os.environ.get(REQUIRE_ENV, "").split(",") if n.strip()}
    unknown = names - {*NEEDS, "all"}
    if unknown:
        raise ValueError(
            f"{REQUIRE_ENV} names {', '.join(sorted(unknown))}; known: all, {', '.join(NEEDS)}"
        )
    return set(NEEDS) if "all" in names else names


def required(need: str) -> bool:
    """Whether CI asked for ``need`` (one of :data:`NEEDS`) to be present."""
    assert need in NEEDS, need
    return need in requested()


def unavailable(need: str, reason: str) -> None:
    """Skip the running test because ``reason``, or fail it when CI requires ``need``."""
    if required(need):
        pytest.fail(f"{REQUIRE_ENV} requires {need}, but {reason}", pytrace=False)
    pytest.skip(f"{reason} (set {REQUIRE_ENV}={need} to make this a failure)")


def shared_dir() -> Path:
    """The project's shared/ folder: $SHARED_DIR, else ../shared beside the checkout, else
    /work/shared (the same search as .ci/run)."""
    env = os.environ.get("SHARED_DIR")
    if env:
        return Path(env)
    beside = REPO.parent / "shared"
    return beside if beside.is_dir() else Path("/work/shared")


PARSER_CASES_DIR = shared_dir() / "parser-cases"


def cli_runner() -> CliRunner:
    """A ``CliRunner`` whose results keep stdout and stderr apart, on every supported click.

    click 8.2 always captures them apart and removed ``mix_stderr``; before 8.2 they are mixed
    unless ``mix_stderr=False`` is passed.
    """
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:  # click >= 8.2
        return CliRunner()


# Root reads a chmod 000 file through these two capabilities; a child without them is denied
# like any other user, with its uid, files and interpreter unchanged.
_DROP = "-dac_override,-dac_read_search"


@functools.cache
def _setpriv_works() -> str | None:
    """Why ``setpriv`` cannot drop root's permission bypass here, or None when it can."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return "setpriv (util-linux) is not installed"
    probe = subprocess.run(
        [setpriv, f"--inh-caps={_DROP}", f"--bounding-set={_DROP}", "true"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        return f"setpriv cannot drop capabilities here: {probe.stderr.strip()}"
    return None


def unprivileged() -> list[str]:
    """An argv prefix under which a chmod 000 file cannot be read.

    Empty for an ordinary user; for root, ``setpriv`` without the two capabilities that let
    root read anything. When neither works the test is skipped, or fails under CI.
    """
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return []
    why = _setpriv_works()
    if why is not None:
        unavailable("permissions", f"running as root and {why}")
    return ["setpriv", f"--inh-caps={_DROP}", f"--bounding-set={_DROP}"]
