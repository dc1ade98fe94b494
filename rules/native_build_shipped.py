"""DLS003: a Python install in a shipped stage that compiles native code (sdist-only packages,
``--no-binary``, musl without musllinux wheels, or a project with extension modules)."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.facts import PythonInstall
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import names_list

__all__ = ["CompilesInShippedStage"]

_MAX_NAMES = 5


def _message(install: PythonInstall) -> str:
    tool = "python setup.py" if install.tool == "setup.py" else install.tool
    labels = install.compiles
    shown = names_list(labels, _MAX_NAMES)
    detail = f" ({'; '.join(install.details[:2])})" if install.details else ""
    return (
        f"{tool} builds {shown} from source here{detail}: the compiler and headers ship in "
        "the final image; build wheels in a builder stage."
    )


class CompilesInShippedStage(Rule):
    """
    ## What it does
    Checks for Python installs in a stage that ships which compile native code. It reads
    `pip install` and `pip wheel` (`pip3`, `/venv/bin/pip`, `python -m pip`), `uv pip
    install`, `uv pip sync`, `uv sync`, `poetry install`, `pipenv install`/`sync`, `pdm
    install`/`sync` and `python setup.py install|build_ext|bdist_wheel|develop`, and
    reports the command when it will build:

    - a package that has no wheel for Linux (`psycopg2` — not `psycopg2-binary` —,
      `pycrypto`, `mysqlclient`, `uwsgi`, `python-ldap` …), named on the command line or in
      what the command installs: a requirements file (with its `-r`/`-c` includes), the
      project's `pyproject.toml`, `setup.py`, `setup.cfg` or `Pipfile` and the lock files
      (`poetry.lock`, `uv.lock`, `pdm.lock`, `Pipfile.lock`). The version pin and the
      Python version of the base image count: a release that has a wheel for that Python
      is not reported;
    - any package named by `--no-binary` (or `--no-binary :all:`), on the command line, in
      `PIP_NO_BINARY` or as an option line of a requirements file;
    - on an Alpine (musl) base, a package whose release has glibc wheels only;
    - the project itself (`pip install .`, `pip install -e .`, `python setup.py install`,
      `poetry install`, `uv sync`, `pdm install`) when its `setup.py` declares
      `ext_modules`, `Extension(…)`, `cythonize(…)`, `cffi_modules` or `rust_extensions`,
      or its build backend compiles (scikit-build-core, meson-python, maturin,
      setuptools-rust …).

    Files named in the command are found in the build context by following the `COPY` and
    `ADD` instructions (and `RUN --mount=type=bind`) of the stage and its `WORKDIR`: with
    `WORKDIR /app` and `COPY requirements.txt .`, `pip install -r requirements.txt` reads
    the context's `requirements.txt`. A path that no `COPY` explains is looked up at the
    same relative path, then by its base name, in the context root. Without a build context
    only the command line is judged.

    Not reported: installs with `--only-binary :all:`, uv's `--no-build`, `--no-index`,
    `--find-links` or a private index (those usually serve wheels built elsewhere),
    `--platform`, Windows images, and a `RUN` that installs its compiler and removes it
    again itself (`apk add --virtual .build-deps … && apk del .build-deps`) on a base
    without build tools. One finding per install command.

    When `DLS007` reports the shipped stage, this install is one of its related locations
    and is not reported on its own; it is when `DLS007` is off or ignored, or when the file
    already has a builder stage.

    ## Why is this bad?
    Compiling needs a C compiler, the Python headers and the `-dev` packages of the
    libraries the extension links against (`gcc`, `libpq-dev`, `libldap2-dev` …). Built in
    the image you ship, all of that ships too: often 200 to 400 MB of toolchain that the
    application never uses, plus a bigger attack surface and slower builds. Build the
    wheels in a builder stage and install them in a slim final stage that only has the
    runtime libraries (`libpq5`), or use a package that ships wheels
    (`psycopg2-binary`, `pycryptodome` instead of the dead `pycrypto`).

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \
        && rm -rf /var/lib/apt/lists/*
    RUN pip install --no-cache-dir psycopg2==2.9.9
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim AS builder
    RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \
        && rm -rf /var/lib/apt/lists/*
    RUN pip wheel --no-cache-dir --wheel-dir /wheels psycopg2==2.9.9

    FROM python:3.12-slim
    RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \
        && rm -rf /var/lib/apt/lists/*
    COPY --from=builder /wheels /wheels
    RUN pip install --no-cache-dir --no-index --find-links=/wheels psycopg2==2.9.9 \
        && rm -rf /wheels
    ```

    ## Fix safety
    There is no automatic fix: the remedy is a multi-stage rewrite (a builder stage with
    the toolchain, the runtime libraries in the final stage), which needs to know the
    runtime packages of each extension.

    ## References
    - [Docker: multi-stage builds](https://docs.docker.com/build/building/multi-stage/)
    - [pip: --no-binary and --only-binary](https://pip.pypa.io/en/stable/cli/pip_install/#cmdoption-no-binary)
    - [pip wheel](https://pip.pypa.io/en/stable/cli/pip_wheel/)
    - [Python Packaging User Guide: platform compatibility tags](https://packaging.python.org/en/latest/specifications/platform-compatibility-tags/)
    - [psycopg2: installation (psycopg2-binary)](https://www.psycopg.org/docs/install.html)
    """

    code = "DLS003"
    name = "compiles-in-shipped-stage"
    severity = Severity.WARNING
    message = "A Python install compiles native code in a stage that ships."
    fix_title = None
    fix_safety = None
    hadolint = ()
    shipped_only = True
    keywords = frozenset({"RUN"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        run = ctx.facts.run(inst)
        if run is None or not run.builds or run.contained:
            return
        target = ctx.dockerfile.target
        # DLS007 reports the whole problem, with this install as a related location
        covered = ("DLS007", target.index if target is not None else None)
        for install in run.builds:
            yield self.violation(
                install.start, install.end, message=_message(install), covered_by=covered
            )
