"""Run the test suite on the oldest and the newest supported Python, with the oldest and the
newest allowed dependency versions (everything but the end-to-end image builds).

python3 scripts/compat.py                        # the four pairs, two at a time
python3 scripts/compat.py --python 3.9 --deps oldest
python3 scripts/compat.py --jobs 1 -- -k scanner # extra arguments go to pytest

The supported range is read from setup.cfg's ``Programming Language :: Python :: 3.X``
classifiers (which must agree with ``python_requires``) and the oldest dependency versions
from its lower bounds (scripts/lower_bounds.py), so what is declared is what is tested.

Each pair gets a fresh virtual environment with the README's editable install of this
checkout and its ``test`` and ``libcst`` extras, installed with the lower bounds (and the
lower bound of hypothesis, whose API the property tests use) as constraints ("oldest") or
without ("newest"); the installs take turns, since each rewrites the checkout's
``dockerlint_slim.egg-info``. For "oldest" every dependency must then be installed at
exactly its lower bound. The tests run from this checkout with
``DOCKERLINT_SLIM_REQUIRE=parser-cases,permissions``.

Interpreters are found by version, never by a fixed path: ``pythonX.Y`` on PATH (when it
really is X.Y: a pyenv shim for a version not selected is not), then pyenv's installed
versions, then ``uv python find``. A missing one is an error, never a silent skip.

Exit status: 0 all pairs passed, 1 a pair failed, 2 an interpreter or the set-up is missing.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lower_bounds import BoundsError, constraints, declared, lower_bound  # noqa: E402

EXTRAS = "test,libcst"
# Test tools whose API the tests need from their lower bound on (hypothesis: the strategies
# shared with benchmarks/fuzz.py), pinned there too in "oldest"; the other test tools run
# at their newest.
PINNED_TEST_TOOLS = ("hypothesis",)
REQUIRE = "parser-cases,permissions"
LOG_TAIL = 80
_INSTALLING = threading.Lock()  # editable installs write the checkout's egg-info


class SetupError(Exception):
    """An interpreter or a build the run needs is missing."""


# --------------------------------------------------------------------------- the range


def supported_range(setup_cfg: Path) -> list[str]:
    """The ``3.X`` versions setup.cfg's classifiers list, oldest first, checked for gaps and
    against ``python_requires``."""
    cfg = configparser.ConfigParser()
    cfg.read(setup_cfg, encoding="utf-8")
    classifiers = cfg.get("metadata", "classifiers", fallback="")
    minors = sorted(
        int(m)
        for m in re.findall(r"Programming Language :: Python :: 3\.(\d+)\s*$", classifiers, re.M)
    )
    if not minors:
        raise SetupError(f"{setup_cfg}: no 'Programming Language :: Python :: 3.X' classifier")
    if minors != list(range(minors[0], minors[-1] + 1)):
        raise SetupError(f"{setup_cfg}: the Python classifiers have a gap: {minors}")
    requires = cfg.get("options", "python_requires", fallback="").strip()
    if requires != f">=3.{minors[0]}":
        raise SetupError(
            f"{setup_cfg}: python_requires is {requires!r}, but the oldest classifier is "
            f"3.{minors[0]} (expected '>=3.{minors[0]}')"
        )
    return [f"3.{m}" for m in minors]


# --------------------------------------------------------------------------- interpreters


def _version_of(exe: str) -> str | None:
    try:
        proc = subprocess.run(
            [exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except OSError:
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def _pyenv() -> str | None:
    found = shutil.which("pyenv")
    if found:
        return found
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    candidate = root / "bin" / "pyenv"
    return str(candidate) if candidate.is_file() else None


def _release_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split("."))


def find_python(version: str) -> str:
    """The path of a CPython ``version`` (``3.9``) interpreter; SetupError with what was tried."""
    tried = []
    exe = shutil.which(f"python{version}")
    if exe and _version_of(exe) == version:
        return exe
    tried.append(f"python{version} on PATH" + (" (a shim for another version)" if exe else ""))

    pyenv = _pyenv()
    if pyenv:
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=False)
        listed = subprocess.run(
            [pyenv, "versions", "--bare"], capture_output=True, text=True, check=False
        )
        releases = [
            name
            for name in listed.stdout.split()
            if re.fullmatch(rf"{re.escape(version)}\.\d+", name)
        ]
        for name in sorted(releases, key=_release_key, reverse=True):
            candidate = Path(root.stdout.strip()) / "versions" / name / "bin" / f"python{version}"
            if _version_of(str(candidate)) == version:
                return str(candidate)
        tried.append(f"pyenv ({', '.join(releases) or 'no ' + version + '.x installed'})")
    else:
        tried.append("pyenv (not installed)")

    uv = shutil.which("uv")
    if uv:
        proc = subprocess.run(
            [uv, "python", "find", "--no-python-downloads", version],
            capture_output=True,
            text=True,
            check=False,
        )
        found = proc.stdout.strip()
        if proc.returncode == 0 and found and _version_of(found) == version:
            return found
        tried.append("uv python find")
    raise SetupError(
        f"no Python {version} interpreter found (tried {'; '.join(tried)}); install it, "
        f"e.g. `pyenv install {version}`, or put python{version} on PATH"
    )


# --------------------------------------------------------------------------- one pair


@dataclass
class Pair:
    python: str
    deps: str  # "oldest" or "newest"
    exe: str = ""
    ok: bool = False
    summary: str = ""
    versions: str = ""
    timings: list[str] = field(default_factory=list)
    log: Path | None = None

    @property
    def name(self) -> str:
        return f"py{self.python}-{self.deps}"


def _run_logged(argv: list[str], log, *, cwd: Path = ROOT, env: dict | None = None) -> int:
    log.write(f"\n$ {' '.join(argv)}\n")
    log.flush()
    proc = subprocess.run(argv, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env, check=False)
    return proc.returncode


def _installed(python: str, names: list[str]) -> dict[str, str]:
    proc = subprocess.run(
        [python, "-m", "pip", "list", "--format=json"], capture_output=True, text=True, check=True
    )
    have = {_norm(row["name"]): row["version"] for row in json.loads(proc.stdout)}
    return {name: have.get(_norm(name), "") for name in names}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def applicable_pins(bounds: Path, python: str) -> dict[str, str]:
    """name -> pinned version of each constraint in ``bounds`` whose marker holds for
    ``python`` (the interpreter of the environment, not this one)."""
    from packaging.markers import default_environment
    from packaging.requirements import Requirement

    probe = subprocess.run(
        [python, "-c", "import json, platform, sys; print(json.dumps({"
         "'python_version': '%d.%d' % sys.version_info[:2],"
         "'python_full_version': platform.python_version()}))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    environment = {**default_environment(), **json.loads(probe.stdout)}
    pins = {}
    for line in bounds.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate(environment):
            pins[req.name] = next(iter(req.specifier)).version
    return pins


def oldest_constraints(setup_cfg: Path) -> str:
    """The constraints of the "oldest" pairs: every runtime dependency and the libcst extra
    at its lower bound, and the test tools of :data:`PINNED_TEST_TOOLS` at theirs."""
    tools = [
        lower_bound(req)
        for req in declared(setup_cfg, ["test"])
        if _norm(req.name) in PINNED_TEST_TOOLS
    ]
    return constraints(setup_cfg, ["libcst"]) + "".join(f"{line}\n" for line in tools)


def run_pair(pair: Pair, bounds: Path, work: Path, pytest_args: list[str]) -> Pair:
    from packaging.version import Version

    where = work / pair.name
    pair.log = work / f"{pair.name}.log"
    with open(pair.log, "w", encoding="utf-8") as log:
        started = time.monotonic()

        def lap(what: str) -> None:
            nonlocal started
            pair.timings.append(f"{what} {time.monotonic() - started:.0f}s")
            started = time.monotonic()

        if _run_logged([pair.exe, "-m", "venv", str(where / "venv")], log) != 0:
            pair.summary = "could not create the virtual environment"
            return pair
        lap("venv")
        python = str(where / "venv" / "bin" / "python")
        install = [python, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        if pair.deps == "oldest":
            install += ["-c", str(bounds)]
        with _INSTALLING:
            lap("waited")
            if _run_logged([*install, "-e", f"{ROOT}[{EXTRAS}]"], log) != 0:
                pair.summary = "pip install failed"
                return pair
            lap("install")

        # what is installed, and for "oldest" that it is exactly the lower bounds
        pins = applicable_pins(bounds, python)
        got = _installed(python, sorted(pins))
        pair.versions = ", ".join(f"{name} {got[name] or '-'}" for name in sorted(pins))
        log.write(f"\ninstalled: {pair.versions}\n")
        if pair.deps == "oldest":
            wrong = [
                f"{name} {got[name] or 'not installed'} (lower bound {pin})"
                for name, pin in sorted(pins.items())
                if not got[name] or Version(got[name]) != Version(pin)
            ]
            if wrong:
                pair.summary = "not installed at the lower bound: " + "; ".join(wrong)
                return pair

        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        env["DOCKERLINT_SLIM_REQUIRE"] = REQUIRE
        env["PATH"] = f"{where / 'venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        argv = [
            python, "-m", "pytest", "-q", "-m", "not e2e", "-p", "no:cacheprovider",
            f"--basetemp={where / 'tmp'}", *pytest_args,
        ]  # fmt: skip
        code = _run_logged(argv, log, env=env)
        lap("pytest")
    lines = [line for line in pair.log.read_text(encoding="utf-8").splitlines() if line.strip()]
    last = lines[-1].strip("= ") if lines else ""
    pair.ok = code == 0
    pair.summary = last if pair.ok else f"pytest exit {code}: {last}"
    return pair


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--python", action="append", help="a 3.X version (default: the oldest and the newest)"
    )
    parser.add_argument("--deps", choices=["oldest", "newest", "both"], default="both")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--workdir", type=Path, help="keep the environments and logs here")
    parser.add_argument("pytest_args", nargs="*", help="after --: passed on to pytest")
    args = parser.parse_args(argv)

    try:
        supported = supported_range(ROOT / "setup.cfg")
        versions = args.python or [supported[0], supported[-1]]
        outside = [v for v in versions if v not in supported]
        if outside:
            raise SetupError(f"{', '.join(outside)} not in the supported range {supported}")
        exes = {version: find_python(version) for version in dict.fromkeys(versions)}
        work = args.workdir or Path(tempfile.mkdtemp(prefix="dockerlint-slim-compat-"))
        if work.exists() and args.workdir:
            shutil.rmtree(work)
        work.mkdir(parents=True, exist_ok=True)
        bounds = work / "lower-bounds.txt"
        bounds.write_text(oldest_constraints(ROOT / "setup.cfg"), encoding="utf-8")
        began = time.monotonic()
    except (SetupError, BoundsError) as exc:
        print(f"compat: error: {exc}", file=sys.stderr)
        return 2
    print(f"compat: supported Pythons {supported[0]} to {supported[-1]} (setup.cfg)")
    for version, exe in exes.items():
        print(f"compat: Python {version}: {exe}")
    print(f"compat: environments and logs in {work}")

    deps = ["oldest", "newest"] if args.deps == "both" else [args.deps]
    pairs = [Pair(v, d, exe=exes[v]) for v in exes for d in deps]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_pair, pair, bounds, work, args.pytest_args) for pair in pairs]
        for future in concurrent.futures.as_completed(futures):
            pair = future.result()
            state = "passed" if pair.ok else "FAILED"
            print(f"compat: {pair.name} {state} ({'; '.join(pair.timings)}): {pair.summary}")
            print(f"compat:   {pair.versions}", flush=True)
    failed = [pair for pair in pairs if not pair.ok]
    for pair in failed:
        print(f"\n===== {pair.name}: the last {LOG_TAIL} lines of {pair.log}")
        if pair.log is not None and pair.log.is_file():
            print("\n".join(pair.log.read_text(encoding="utf-8").splitlines()[-LOG_TAIL:]))
    print(f"compat: {len(pairs) - len(failed)} of {len(pairs)} pairs passed "
          f"in {time.monotonic() - began:.0f}s")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
