"""The multi-stage rewrite (DLS007's unsafe fix): structure, carried instructions, runtime
libraries, line endings, idempotence and the shapes it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockerlint_slim.cli import cli
from dockerlint_slim.fixer import fix_text
from dockerlint_slim.model import build_model
from dockerlint_slim.rewrite import VENV, Refusal, rewrite
from tests.support import cli_runner

PSYCOPG = """\
# A small API
FROM python:3.11

ENV PYTHONUNBUFFERED=1
WORKDIR /app

# system packages
RUN apt-get update && apt-get install -y gcc libpq-dev && rm -rf /var/lib/apt/lists/*

COPY requirements.txt .
RUN pip install -r requirements.txt
RUN useradd -m app
# the application
COPY --chown=app:app . .
USER app
EXPOSE 8000
LABEL org.opencontainers.image.title="api"
HEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1
CMD ["python", "app.py"]
"""


def _fix(tmp_path: Path, text: str, files: dict[str, str] | None = None) -> str:
    for name, body in (files or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body)
    return fix_text(text, "Dockerfile", unsafe=True, context_dir=tmp_path).text


def _stages(text: str) -> list[str]:
    """The file split at FROM lines (the preamble first)."""
    parts: list[str] = [""]
    for line in text.splitlines(keepends=True):
        if line.startswith("FROM "):
            parts.append("")
        parts[-1] += line
    return parts


def test_fat_base_with_compiled_package_becomes_builder_and_slim_runtime(tmp_path):
    fixed = _fix(tmp_path, PSYCOPG, {"requirements.txt": "psycopg2==2.9.9\nflask==3.0.0\n"})
    _, builder, runtime = _stages(fixed)
    assert "apt-get install -y gcc libpq-dev" in builder
    assert f"RUN python -m venv {VENV}\n" in builder
    # the venv exists and is on PATH before the install runs
    assert builder.index("-m venv") < builder.index("pip install -r requirements.txt")
    assert "USER" not in builder and "--chown" not in builder
    assert runtime.startswith("FROM python:3.11-slim\n")
    assert fixed.startswith("# A small API\nFROM python:3.11 AS builder\n")
    assert "gcc" not in runtime and "libpq-dev" not in runtime
    apt = next(line for line in runtime.splitlines() if "apt-get install" in line)
    assert "--no-install-recommends" in apt
    # libpq5 replaces libpq-dev; curl is used by HEALTHCHECK and the slim image lacks it
    assert "libpq5" in apt.split() and "curl" in apt.split()
    assert f"COPY --from=builder {VENV} {VENV}\n" in runtime
    assert f'PATH="{VENV}/bin:$PATH"' in runtime
    assert "pip install" not in runtime
    order = [
        "ENV PYTHONUNBUFFERED=1",
        "WORKDIR /app",
        "COPY --from=builder",
        "RUN useradd -m app",
        "# the application",
        "COPY --chown=app:app . .",
        "USER app",
        "EXPOSE 8000",
        "LABEL org.opencontainers.image.title",
        "HEALTHCHECK CMD curl",
        'CMD ["python", "app.py"]',
    ]
    positions = [runtime.index(s) for s in order]
    assert positions == sorted(positions)


def test_rewrite_is_idempotent_and_clean_of_the_rule(tmp_path):
    files = {"requirements.txt": "psycopg2==2.9.9\n"}
    fixed = _fix(tmp_path, PSYCOPG, files)
    assert fixed != PSYCOPG
    again = fix_text(fixed, "Dockerfile", unsafe=True, context_dir=tmp_path)
    assert again.text == fixed
    assert not [f for f in again.result.findings if f.code in ("DLS007", "DLS001", "DLS002")]


def test_fat_base_implicit_headers_give_runtime_library(tmp_path):
    """psycopg2 builds against the full image's own libpq-dev: no apt line in the original,
    but the slim runtime needs libpq5."""
    text = (
        "FROM python:3.11\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n"
        'CMD ["python", "app.py"]\n'
    )
    fixed = _fix(tmp_path, text, {"requirements.txt": "psycopg2==2.9.9\n"})
    _, builder, runtime = _stages(fixed)
    assert "libpq5" in runtime
    assert "apt-get install" not in builder


def test_libraries_opened_at_run_time_follow_the_app_to_the_slim_image(tmp_path):
    """Wand and python-magic open ImageMagick and libmagic with ctypes (no NEEDED entry):
    the full image has them, so the slim runtime installs them; their typelibs stay out."""
    text = (
        "FROM python:3.11-bookworm\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n"
        "RUN pip install --no-cache-dir weasyprint==62.3\nCOPY . .\n"
        'CMD ["python", "app.py"]\n'
    )
    reqs = "psycopg2==2.9.9\nWand==0.6.13\npython-magic==0.4.27\n"
    fixed = _fix(tmp_path, text, {"requirements.txt": reqs})
    runtime = _stages(fixed)[-1]
    install = runtime[runtime.index("apt-get install") : runtime.index("rm -rf")]
    for lib in ("libpq5", "libmagickwand-6.q16-6", "libmagic1", "libpango-1.0-0"):
        assert lib in install, lib
    assert "gir1.2-" not in install and "-extra" not in install
    # a slim original gets nothing it did not install itself: its own install carries over
    slim = _fix(tmp_path, text.replace("python:3.11-bookworm", "python:3.11-slim-bookworm"))
    assert "libmagic1" not in slim and "libmagickwand" not in slim


def test_pip_upgrade_before_the_installs_upgrades_the_venv_pip(tmp_path):
    text = (
        'FROM python:3.11\nRUN pip install --upgrade pip "setuptools==69.2.0" wheel\n'
        "RUN pip install poetry\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n"
    )
    fixed = _fix(tmp_path, text, {"requirements.txt": "psycopg2==2.9.9\n"})
    _, builder, _ = _stages(fixed)
    lines = builder.splitlines()
    venv = next(line for line in lines if "-m venv" in line)
    assert venv == (
        f"RUN python -m venv {VENV} && {VENV}/bin/pip install --no-cache-dir --upgrade "
        'pip "setuptools==69.2.0" wheel'
    )
    # the upgrade and the tool install still run first, on the system pip
    assert lines.index(venv) > lines.index("RUN pip install poetry")
    # no upgrade asked for: the venv keeps the pip it comes with
    plain = _fix(
        tmp_path, text.replace('RUN pip install --upgrade pip "setuptools==69.2.0" wheel\n', "")
    )
    assert f"RUN python -m venv {VENV}\n" in plain


def test_uv_sync_syncs_into_the_venv(tmp_path):
    """`uv sync` targets the project environment: UV_PROJECT_ENVIRONMENT points it at the
    venv, which the runtime copies (the user's PATH entry for ./.venv may stay)."""
    text = (
        "FROM python:3.11\nRUN pip install --no-cache-dir uv==0.5.11\nWORKDIR /app\n"
        "COPY pyproject.toml uv.lock ./\nRUN uv sync --frozen --no-dev --no-install-project\n"
        "COPY . .\nRUN uv sync --frozen --no-dev\n"
        'ENV PATH="/app/.venv/bin:$PATH"\nCMD ["python", "-m", "inventory"]\n'
    )
    files = {
        "pyproject.toml": '[project]\nname = "inventory"\nversion = "1"\n'
        'dependencies = ["psycopg2==2.9.9"]\n',
        "uv.lock": 'version = 1\n\n[[package]]\nname = "psycopg2"\nversion = "2.9.9"\n',
    }
    _, builder, runtime = _stages(_fix(tmp_path, text, files))
    assert (
        f'ENV VIRTUAL_ENV={VENV} PATH="{VENV}/bin:$PATH" PIP_NO_CACHE_DIR=1 '
        f"UV_PROJECT_ENVIRONMENT={VENV}\n"
    ) in builder
    assert builder.index(f"-m venv --without-pip {VENV}") < builder.index("RUN uv sync")
    assert "uv sync" not in runtime and "libpq5" in runtime
    assert f"COPY --from=builder {VENV} {VENV}" in runtime
    assert 'ENV PATH="/app/.venv/bin:$PATH"' in runtime


def test_pdm_installs_into_the_active_venv(tmp_path):
    text = (
        "FROM python:3.11\nRUN pip install --no-cache-dir pdm==2.19.3\nWORKDIR /app\n"
        "COPY pyproject.toml pdm.lock ./\nRUN pdm install --prod --frozen-lockfile\n"
        'CMD ["python", "-m", "ledger"]\n'
    )
    files = {
        "pyproject.toml": '[project]\nname = "ledger"\nversion = "1"\n'
        'dependencies = ["psycopg2==2.9.9"]\n',
        "pdm.lock": '[[package]]\nname = "psycopg2"\nversion = "2.9.9"\n',
    }
    _, builder, runtime = _stages(_fix(tmp_path, text, files))
    # pdm needs no pip in the venv; VIRTUAL_ENV makes it the one pdm installs into
    assert builder.index("RUN pip install --no-cache-dir pdm==2.19.3") < builder.index(
        f"RUN python -m venv --without-pip {VENV}\nENV VIRTUAL_ENV={VENV} "
    )
    assert builder.index(f"ENV VIRTUAL_ENV={VENV}") < builder.index("RUN pdm install")
    assert "pdm" not in runtime.replace("pdm.lock", "") and "libpq5" in runtime
    # a CMD through `pdm run` needs pdm in the runtime image: refused
    with pytest.raises(Refusal, match="pdm run"):
        rewrite(build_model(text + 'CMD ["pdm", "run", "python", "-m", "ledger"]\n'))


def test_crlf_bom_and_escape_directive_are_kept(tmp_path):
    text = (
        "\ufeff# escape=`\r\nFROM python:3.11\r\nRUN apt-get update && apt-get install -y "
        "libpq-dev gcc\r\nRUN pip install psycopg2==2.9.9\r\nCMD python -m app\r\n"
    )
    fixed = _fix(tmp_path, text)
    assert fixed.startswith("\ufeff# escape=`\r\n")
    assert "\n" not in fixed.replace("\r\n", "")
    assert "`\r\n    && apt-get install" in fixed
    assert "\\\r\n" not in fixed
    assert fix_text(fixed, "Dockerfile", unsafe=True, context_dir=tmp_path).text == fixed


def test_distro_python_keeps_the_distro_and_installs_python3(tmp_path):
    text = (
        "FROM debian:bookworm\n"
        "RUN apt-get update && apt-get install -y python3 python3-pip python3-dev gcc "
        "libpq-dev && rm -rf /var/lib/apt/lists/*\n"
        "WORKDIR /app\nCOPY requirements.txt .\n"
        "RUN pip3 install --break-system-packages -r requirements.txt\nCOPY . .\n"
        'CMD ["python3", "app.py"]\n'
    )
    fixed = _fix(tmp_path, text, {"requirements.txt": "psycopg2==2.9.9\n"})
    _, builder, runtime = _stages(fixed)
    assert builder.startswith("FROM debian:bookworm AS builder\n")
    assert "python3-venv" in builder and f"python3 -m venv {VENV}" in builder
    assert runtime.startswith("FROM debian:bookworm-slim\n")
    apt = " ".join(line for line in runtime.splitlines() if "apt-get install" in line).split()
    assert "python3" in apt and "libpq5" in apt
    assert not {"python3-pip", "python3-dev", "gcc", "libpq-dev"} & set(apt)


def test_alpine_stays_alpine(tmp_path):
    text = (
        "FROM python:3.12-alpine\nRUN apk add --no-cache build-base\n"
        "RUN pip install --no-cache-dir --no-binary :all: markupsafe==2.1.5\n"
        "CMD python -c 'import markupsafe'\n"
    )
    fixed = _fix(tmp_path, text)
    _, builder, runtime = _stages(fixed)
    assert builder.startswith("FROM python:3.12-alpine AS builder\n")
    assert "RUN apk add --no-cache build-base\n" in builder
    assert runtime.startswith("FROM python:3.12-alpine\n")
    assert "build-base" not in runtime and "apk add" not in runtime
    assert f"COPY --from=builder {VENV} {VENV}" in runtime


def test_unknown_runtime_library_is_refused():
    """Without package data for a release the rewrite does not guess library names."""
    text = (
        "FROM python:3.12-alpine\nRUN apk add --no-cache build-base libffi-dev\n"
        "RUN pip install --no-cache-dir cffi==1.16.0\n"
    )
    from dockerlint_slim import runtime_libs

    if runtime_libs.runtime_packages("libffi-dev", "alpine", "3.19") is not None:
        pytest.skip("Alpine package data is present")
    with pytest.raises(
        Refusal,
        match="`libffi-dev` needs a runtime package, and the runtime-library data has no alpine "
        "release \\(its index could not be downloaded\\)",
    ):
        rewrite(build_model(text), native=["cffi"])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "ARG BASE=python:3.11\nFROM $BASE\nRUN pip install psycopg2==2.9.9\n",
            "chosen by an ARG in a form the rewrite cannot carry",
        ),
        (
            "ARG PY\nFROM python:${PY}\nRUN pip install psycopg2==2.9.9\n",
            "chosen by an ARG without a default value",
        ),
        (
            "ARG PY=3.11\nFROM python:${PY:-3.12}\nRUN pip install psycopg2==2.9.9\n",
            "an ARG with a modifier",
        ),
        (
            "FROM python:3.11\nONBUILD COPY . /app\nRUN pip install psycopg2==2.9.9\n",
            "ONBUILD",
        ),
        (
            "FROM python:3.11\nRUN pip install psycopg2==2.9.9 | tee /log && python app.py\n",
            "mixes build work",
        ),
        (
            "FROM python:3.11\nRUN pip install --target /deps psycopg2==2.9.9\n",
            "--target",
        ),
        (
            "FROM python:3.11\nRUN /opt/tools/bin/pip install psycopg2==2.9.9\n",
            "absolute path",
        ),
        (
            "FROM python:3.11\nRUN pip install poetry && poetry install\n"
            'CMD ["/usr/local/bin/poetry", "install"]\n',
            "installs only to build",
        ),
        (
            "FROM python:3.11\nRUN pip install uv && uv sync\n"
            'CMD ["uv", "run", "--with", "rich", "python", "app.py"]\n',
            "`uv run --with`, an option",
        ),
        (
            'FROM python:3.11\nRUN pip install pdm && pdm install\nCMD ["pdm", "run", "start"]\n',
            "without the build context the rewrite cannot tell whether `start`",
        ),
        (
            "FROM example.com/team/python:3.11\nRUN apt-get install -y gcc\n"
            "RUN pip install psycopg2==2.9.9\n",
            "not one the rewrite knows",
        ),
        (
            "FROM python:3.11\nRUN python -m venv /venv && python -m venv /other\n"
            "RUN /venv/bin/pip install psycopg2\n",
            "makes several virtual environments",
        ),
        (
            "FROM python:3.11\nRUN python -m venv /venv\nRUN pip install psycopg2==2.9.9\n",
            "runs `pip`, which does not install into the virtual environment /venv",
        ),
        (
            "FROM python:3.11\nRUN pip install uv\nRUN uv add psycopg2\n",
            "changes the project's dependencies",
        ),
        (
            "FROM python:3.11\nRUN pip install pdm\nRUN pdm add psycopg2\n",
            "changes the project's dependencies",
        ),
    ],
)
def test_unsupported_shapes_are_refused_with_a_reason(tmp_path, text, reason):
    with pytest.raises(Refusal, match=reason.replace("$", r"\$")):
        rewrite(build_model(text), native=["psycopg2"])
    outcome = fix_text(text, "Dockerfile", unsafe=True, context_dir=tmp_path)
    notes = [f.note for f in outcome.result.findings if f.code == "DLS007"]
    if notes:  # the rule fires on this shape: its note carries the reason
        assert reason in (notes[0] or "")
    assert "AS builder" not in outcome.text


def test_several_stages_are_refused():
    text = (
        "FROM python:3.11 AS docs\nRUN echo docs\n"
        "FROM python:3.11\nRUN apt-get install -y gcc\nRUN pip install psycopg2\n"
    )
    with pytest.raises(Refusal, match="several stages"):
        rewrite(build_model(text))


def test_cli_warns_and_leaves_the_file_when_refused(tmp_path):
    path = tmp_path / "Dockerfile"
    text = "ARG BASE=python:3.11\nFROM $BASE\nRUN apt-get install -y gcc\nRUN pip install x\n"
    path.write_text(text)
    result = cli_runner().invoke(
        cli, ["check", "--fix", "--unsafe-fixes", "--select", "DLS007", str(path)]
    )
    assert result.exit_code == 1
    assert "warning:" in result.stderr and "DLS007 not fixed" in result.stderr
    assert "chosen by an ARG" in result.stderr
    assert path.read_text() == text


def test_cli_rewrites_with_unsafe_fixes(tmp_path):
    path = tmp_path / "Dockerfile"
    (tmp_path / "requirements.txt").write_text("psycopg2==2.9.9\n")
    path.write_text(PSYCOPG)
    result = cli_runner().invoke(cli, ["check", "--fix", "--unsafe-fixes", str(path)])
    assert "AS builder" in path.read_text(), result.output
    safe_only = tmp_path / "safe"
    safe_only.mkdir()
    (safe_only / "requirements.txt").write_text("psycopg2==2.9.9\n")
    (safe_only / "Dockerfile").write_text(PSYCOPG)
    cli_runner().invoke(cli, ["check", "--fix", str(safe_only / "Dockerfile")])
    assert "AS builder" not in (safe_only / "Dockerfile").read_text()


def test_release_implied_by_the_tag_installs_whichever_library_name_exists(tmp_path):
    """``python:3.11`` does not name its Debian release; libldap's runtime package is
    ``libldap-2.5-0`` on bookworm and ``libldap2`` on trixie."""
    text = (
        "FROM python:3.11\nRUN apt-get update && apt-get install -y libldap2-dev libsasl2-dev\n"
        "RUN pip install --no-cache-dir python-ldap==3.4.4\n"
    )
    runtime = _stages(_fix(tmp_path, text))[-1]
    assert "--no-install-recommends libsasl2-2 \\\n" in runtime
    assert "libldap2" in runtime and "libldap-2.5-0" in runtime
    assert "|| apt-get install -y --no-install-recommends" in runtime
    named = _stages(_fix(tmp_path, text.replace("python:3.11", "python:3.11-bookworm")))[-1]
    assert "libldap-2.5-0" in named and "libldap2 " not in named and "||" not in named


def test_uv_pip_system_installs_into_the_venv_and_tools_need_no_pip(tmp_path):
    text = (
        "FROM python:3.11\nRUN apt-get update && apt-get install -y default-libmysqlclient-dev\n"
        "RUN pip install --no-cache-dir uv==0.5.11\nCOPY requirements.txt .\n"
        "RUN uv pip install --system --no-cache -r requirements.txt\nCOPY . .\n"
    )
    _, builder, runtime = _stages(_fix(tmp_path, text, {"requirements.txt": "mysqlclient\n"}))
    assert "RUN uv pip install --no-cache -r requirements.txt\n" in builder
    # uv is installed with the system pip before the venv exists, and stays in the builder
    assert builder.index("uv==0.5.11") < builder.index("-m venv")
    assert f"RUN python -m venv --without-pip {VENV}\n" in builder
    assert "uv" not in runtime.replace("COPY", "")
    assert "libmariadb3" in runtime


def test_uv_system_python_env_is_refused():
    text = (
        "FROM python:3.11\nENV UV_SYSTEM_PYTHON=1\nRUN pip install uv\n"
        "RUN uv pip install psycopg2==2.9.9\n"
    )
    with pytest.raises(Refusal, match="UV_SYSTEM_PYTHON"):
        rewrite(build_model(text), native=["psycopg2"])


def test_installer_script_runs_only_in_the_builder(tmp_path):
    text = (
        'FROM python:3.11\nENV POETRY_HOME=/opt/poetry\nENV PATH="$POETRY_HOME/bin:$PATH"\n'
        "RUN curl -sSL https://install.python-poetry.org | python3 - --version 1.8.3\n"
        "RUN apt-get update && apt-get install -y libpq-dev\n"
        "RUN poetry config virtualenvs.create false && poetry install --no-root\n"
    )
    pyproject = (
        '[tool.poetry]\nname = "app"\nversion = "1.0"\n\n'
        '[tool.poetry.dependencies]\npython = "^3.11"\npsycopg2 = "2.9.9"\n'
    )
    _, builder, runtime = _stages(_fix(tmp_path, text, {"pyproject.toml": pyproject}))
    assert "install.python-poetry.org" in builder
    assert builder.index("install.python-poetry.org") < builder.index("-m venv")
    assert "install.python-poetry.org" not in runtime and "poetry install" not in runtime
    assert 'ENV PATH="$POETRY_HOME/bin:$PATH"' in runtime
    # mixed with runtime work, the installer runs in both stages, as in the original
    mixed = text.replace("python3 - --version 1.8.3", "python3 - && useradd app")
    _, builder, runtime = _stages(rewrite(build_model(mixed)).text)
    assert builder.index("install.python-poetry.org") < builder.index("poetry install")
    assert "install.python-poetry.org | python3 - && useradd app" in runtime
    # the slim image has no curl: installed before the RUN that needs it
    assert runtime.index("install -y --no-install-recommends curl") < runtime.index(
        "install.python-poetry.org"
    )


def test_entrypoint_the_file_copies_to_usr_local_bin_is_kept(tmp_path):
    text = (
        "FROM python:3.11-bookworm\nRUN pip install --no-cache-dir python-ldap==3.4.4\n"
        "COPY docker-entrypoint.sh /usr/local/bin/\n"
        'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]\n'
    )
    runtime = _stages(_fix(tmp_path, text, {"docker-entrypoint.sh": '#!/bin/sh\nexec "$@"\n'}))[-1]
    assert 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' in runtime
    assert "COPY docker-entrypoint.sh /usr/local/bin/" in runtime


# --------------------------------------------------------------------------- the runtime closure

INPLACE = """\
FROM python:3.11
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt && python setup.py build_ext --inplace
CMD ["python", "app.py"]
"""


def test_a_build_next_to_the_sources_is_copied_from_the_builder(tmp_path):
    setup = (
        "from setuptools import Extension, setup\n"
        "setup(name='fast', ext_modules=[Extension('fast._speed', ['fast/_speed.c'])])\n"
    )
    fixed = _fix(tmp_path, INPLACE, {"requirements.txt": "psycopg2==2.9.9\n", "setup.py": setup})
    _, builder, runtime = _stages(fixed)
    assert "python setup.py build_ext --inplace" in builder
    lines = runtime.splitlines()
    # the app's files, then the venv, then the builder's copy of the folder with the modules
    assert lines.index("COPY . .") < lines.index(f"COPY --from=builder {VENV} {VENV}")
    assert lines.index(f"COPY --from=builder {VENV} {VENV}") < lines.index(
        "COPY --from=builder /app /app"
    )
    assert lines[-1] == 'CMD ["python", "app.py"]'


@pytest.mark.parametrize(
    ("build", "folder"),
    [
        ("python setup.py develop", "/app"),
        ("cd src && cythonize -i fast.pyx", "/app/src"),
        ("pip install -e ./lib", "/app/lib"),
        ("maturin develop --release", "/app"),
    ],
)
def test_every_in_place_build_carries_its_folder(build, folder):
    text = (
        "FROM python:3.11\nWORKDIR /app\nCOPY . .\nUSER app\n"
        f"RUN pip install --no-cache-dir psycopg2==2.9.9 && {build}\n"
    )
    runtime = _stages(rewrite(build_model(text), native=["psycopg2"]).text)[-1]
    # the results belong to the user that built them in the original
    assert f"COPY --from=builder --chown=app {folder} {folder}\n" in runtime


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "FROM python:3.11\nCOPY . .\n"
            "RUN pip install psycopg2==2.9.9 && python setup.py build_ext --inplace\n",
            "builds in place in /",
        ),
        (
            "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN rm -rf /app/tests\n"
            "RUN pip install psycopg2==2.9.9 && python setup.py build_ext -i\n",
            "the RUN on line 4 changes /app before the build into it is copied",
        ),
        (
            "FROM python:3.11\nWORKDIR $APP_HOME\nCOPY . .\n"
            "RUN pip install psycopg2==2.9.9 && python setup.py develop\n",
            "builds in place in a folder the rewrite cannot tell",
        ),
    ],
)
def test_in_place_builds_it_cannot_carry_are_refused(text, reason):
    with pytest.raises(Refusal, match=reason):
        rewrite(build_model(text), native=["psycopg2"])


ENTRY = """\
FROM python:3.11
WORKDIR /srv
RUN pip install --no-cache-dir psycopg2==2.9.9
COPY . .
COPY docker-entrypoint.sh /usr/local/bin/
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["python", "app.py"]
"""


def _runtime_packages(text: str, context: Path | None) -> tuple[str, ...]:
    return rewrite(build_model(text), native=["psycopg2"], context=context).runtime_packages


def test_programs_that_the_entrypoint_script_calls_are_installed(tmp_path):
    (tmp_path / "docker-entrypoint.sh").write_text(
        '#!/bin/sh\nset -e\nif [ -n "$REPO" ]; then git clone "$REPO" /srv/plugins; fi\n'
        'sh scripts/wait.sh\nexec "$@"\n'
    )
    # a script the first one starts, found through the COPY . . into /srv
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "wait.sh").write_text("until curl -sf http://db:5432; do :; done\n")
    assert _runtime_packages(ENTRY, tmp_path) == ("libpq5", "git", "curl")


def test_a_python_entrypoint_script_needs_no_programs(tmp_path):
    (tmp_path / "docker-entrypoint.sh").write_text("#!/usr/bin/env python3\nimport os  # curl\n")
    assert _runtime_packages(ENTRY, tmp_path) == ("libpq5",)


def test_a_python_entrypoint_named_py_needs_no_programs_even_unread(tmp_path):
    # `ENTRYPOINT ["/app/cli.py"]` after `COPY . /app`: a Python program, whatever it holds
    text = ENTRY.replace('ENTRYPOINT ["docker-entrypoint.sh"]', 'ENTRYPOINT ["/srv/cli.py"]')
    assert _runtime_packages(text, tmp_path) == ("libpq5",)


@pytest.mark.parametrize("base", ["python:3.11", "python:3.11-slim"])
def test_a_build_tool_that_the_entrypoint_script_calls_is_refused(tmp_path, base):
    # make comes with build-essential, which the runtime stage never installs: on the slim
    # base as much as on the full one
    (tmp_path / "docker-entrypoint.sh").write_text('#!/bin/sh\nmake migrate\nexec "$@"\n')
    text = ENTRY.replace("FROM python:3.11\n", f"FROM {base}\n").replace(
        "RUN pip", "RUN apt-get update && apt-get install -y build-essential libpq-dev\nRUN pip"
    )
    with pytest.raises(Refusal, match="call make, a build tool that the runtime stage does not"):
        _runtime_packages(text, tmp_path)


def test_an_entrypoint_script_that_cannot_be_read_is_refused(tmp_path):
    with pytest.raises(Refusal, match=r"runs /usr/local/bin/docker-entrypoint.sh, and the rewrite"):
        _runtime_packages(ENTRY, tmp_path)  # the context lacks it
    with pytest.raises(Refusal, match=r"\(no build context is known\)"):
        _runtime_packages(ENTRY, None)


def test_a_healthcheck_script_is_read_too(tmp_path):
    (tmp_path / "health.sh").write_text("#!/bin/bash\nwget -qO- http://localhost:8000/health\n")
    text = (
        "FROM python:3.11\nRUN pip install --no-cache-dir psycopg2==2.9.9\n"
        "COPY health.sh /health.sh\nHEALTHCHECK --interval=30s CMD /health.sh\n"
    )
    assert _runtime_packages(text, tmp_path) == ("libpq5", "wget")


@pytest.mark.parametrize(
    "start",
    [
        'CMD ["/bin/sh", "-c", "/srv/run_app.sh"]',
        'ENTRYPOINT ["tini", "--", "/srv/run_app.sh"]',
        'ENTRYPOINT ["/usr/bin/dumb-init", "gosu", "app", "sh", "-c", "exec ./run_app.sh"]',
        "CMD ./wait.sh db && exec /srv/run_app.sh",
        'CMD ["bash", "-o", "pipefail", "-lc", "sh /srv/run_app.sh | tee /tmp/log"]',
        "HEALTHCHECK --interval=5s CMD sh -c 'cd /srv && ./run_app.sh'",
    ],
)
def test_scripts_started_through_a_shell_or_a_launcher_are_read(tmp_path, start):
    text = ENTRY.replace('ENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["python", "app.py"]', start)
    (tmp_path / "run_app.sh").write_text("#!/bin/sh\ncurl -sf http://db:5432\n")
    (tmp_path / "wait.sh").write_text("#!/bin/sh\n")
    (tmp_path / "docker-entrypoint.sh").write_text("#!/bin/sh\n")
    assert _runtime_packages(text, tmp_path) == ("libpq5", "curl")
    (tmp_path / "run_app.sh").unlink()
    with pytest.raises(Refusal, match=r"runs /srv/run_app.sh, and the rewrite cannot read it"):
        _runtime_packages(text, tmp_path)


def test_a_script_that_a_runtime_run_starts_is_read(tmp_path):
    text = ENTRY.replace("COPY . .\n", "COPY . .\nRUN ./setup-data.sh && mkdir /data\n")
    (tmp_path / "docker-entrypoint.sh").write_text("#!/bin/sh\n")
    (tmp_path / "setup-data.sh").write_text("#!/bin/sh\nwget -q https://example.org/data\n")
    assert _runtime_packages(text, tmp_path) == ("libpq5", "wget")
    (tmp_path / "setup-data.sh").unlink()
    with pytest.raises(Refusal, match=r"the RUN on line 5 runs /srv/setup-data.sh, and the"):
        _runtime_packages(text, tmp_path)


def test_apt_key_in_the_runtime_stage_brings_gnupg_first():
    text = (
        "FROM python:3.11\n"
        "RUN curl -fsSL https://deb.nodesource.com/gpgkey/nodesource.gpg.key | apt-key add -\n"
        "RUN apt-get update && apt-get install -y libpq-dev\n"
        "RUN pip install psycopg2==2.9.9\n"
    )
    out = rewrite(build_model(text), native=["psycopg2"]).text
    runtime = out.split("FROM python:3.11-slim", 1)[1]
    first_install = runtime.index("install -y --no-install-recommends curl gnupg")
    assert first_install < runtime.index("apt-key add -") < runtime.index("libpq5")


def test_distro_python_installs_libpython_for_what_embeds_it():
    text = (
        "FROM debian:bookworm\n"
        "RUN apt-get update && apt-get install -y python3 python3-pip python3-dev gcc\n"
        "RUN pip3 install --break-system-packages uwsgi==2.0.28\n"
    )
    packages = rewrite(build_model(text), native=["uwsgi"]).runtime_packages
    assert "libpython3.11" in packages and "python3" in packages
    # the official image's slim variant has its libpython already
    official = "FROM python:3.11\nRUN pip install --no-cache-dir uwsgi==2.0.28\n"
    assert not any(
        p.startswith("libpython")
        for p in rewrite(build_model(official), native=["uwsgi"]).runtime_packages
    )


@pytest.mark.parametrize(
    ("text", "written"),
    [
        (
            "FROM python:3.11\nRUN /usr/local/bin/pip install psycopg2==2.9.9\n",
            f"RUN {VENV}/bin/pip install psycopg2==2.9.9\n",
        ),
        (
            "FROM python:3.11\nRUN pip install psycopg2==2.9.9 gunicorn\n"
            'CMD ["/usr/local/bin/gunicorn", "--bind", ":8000", "app:app"]\n',
            f'CMD ["{VENV}/bin/gunicorn", "--bind", ":8000", "app:app"]\n',
        ),
        (
            "FROM python:3.11\nRUN pip install psycopg2==2.9.9\n"
            'CMD ["/usr/local/bin/python", "app.py"]\n',
            f'CMD ["{VENV}/bin/python", "app.py"]\n',
        ),
        (
            "FROM python:3.11\nRUN pip install uv\nRUN uv sync --frozen\n"
            'CMD ["/app/.venv/bin/gunicorn", "app:app"]\n',
            f'CMD ["{VENV}/bin/gunicorn", "app:app"]\n',
        ),
        (
            "FROM python:3.11\nRUN pip install poetry && poetry install\n"
            'CMD ["poetry", "run", "python", "app.py"]\n',
            'CMD ["python", "app.py"]\n',
        ),
        (
            "FROM python:3.11\nRUN pip install uv && uv sync --frozen\n"
            "CMD uv run --no-sync app.py --port 8000\n",
            "CMD python app.py --port 8000\n",
        ),
        (
            "FROM python:3.11\nRUN pip install psycopg2==2.9.9\n"
            "HEALTHCHECK CMD /usr/local/bin/python -c 'import psycopg2'\n",
            f"HEALTHCHECK CMD {VENV}/bin/python -c 'import psycopg2'\n",
        ),
    ],
)
def test_programs_by_absolute_path_and_run_tools_point_at_the_venv(text, written):
    fixed = rewrite(build_model(text), native=["psycopg2"]).text
    assert written in fixed


def test_a_program_the_file_puts_into_usr_local_bin_keeps_its_path():
    text = (
        "FROM python:3.11\nRUN pip install psycopg2==2.9.9\n"
        "RUN curl -fsSL -o /usr/local/bin/tini https://example.com/tini\n"
        'ENTRYPOINT ["/usr/local/bin/tini", "--"]\nCMD ["python", "app.py"]\n'
    )
    assert (
        'ENTRYPOINT ["/usr/local/bin/tini", "--"]'
        in rewrite(build_model(text), native=["psycopg2"]).text
    )


def test_pdm_and_pipenv_scripts_are_refused_but_plain_commands_are_not(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.pdm.scripts]\nstart = "gunicorn app:app"\n')
    text = "FROM python:3.11\nRUN pip install pdm && pdm install\nCMD {}\n"
    model = build_model(text.format('["pdm", "run", "start"]'))
    with pytest.raises(Refusal, match=r"a script of the project's pyproject\.toml"):
        rewrite(model, native=["psycopg2"], context=tmp_path)
    model = build_model(text.format('["pdm", "run", "gunicorn", "app:app"]'))
    assert 'CMD ["gunicorn", "app:app"]' in rewrite(model, context=tmp_path).text
    (tmp_path / ".env").write_text("SECRET=1\n")
    model = build_model(
        "FROM python:3.11\nRUN pip install pipenv && pipenv install --system\n"
        'CMD ["pipenv", "run", "python", "app.py"]\n'
    )
    with pytest.raises(Refusal, match=r"also loads \.env"):
        rewrite(model, context=tmp_path)


@pytest.mark.parametrize(
    ("head", "builder", "runtime"),
    [
        (
            "ARG PYTHON_VERSION=3.11\nFROM python:${PYTHON_VERSION}-bookworm\n",
            "FROM python:${PYTHON_VERSION}-bookworm AS builder\n",
            "FROM python:${PYTHON_VERSION}-slim-bookworm\n",
        ),
        (
            "ARG PY=3.12\nFROM python:$PY\n",
            "FROM python:$PY AS builder\n",
            "FROM python:${PY}-slim\n",
        ),
        (
            "ARG V=3.11\nARG D=bookworm\nFROM python:${V}-${D}\n",
            "FROM python:${V}-${D} AS builder\n",
            "FROM python:${V}-slim-${D}\n",
        ),
    ],
)
def test_a_base_chosen_by_an_arg_keeps_the_arg_in_the_slim_reference(head, builder, runtime):
    fixed = rewrite(build_model(head + "RUN pip install psycopg2==2.9.9\n"), native=["psycopg2"])
    preamble, first, second = _stages(fixed.text)
    assert preamble == head.rsplit("FROM", 1)[0]  # the ARGs stay global, above both stages
    assert first.startswith(builder) and second.startswith(runtime)


MIXED = """\
FROM python:3.11
WORKDIR /app
RUN set -eux \\
    && groupadd -r app && useradd -r -g app app \\
    # build and install
    && apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\
    && pip install --no-cache-dir psycopg2==2.9.9 \\
    && python manage.py collectstatic --noinput \\
    && mkdir -p /app/media && chown -R app:app /app \\
    && rm -rf /var/lib/apt/lists/*
USER app
"""


def test_a_run_of_build_and_runtime_work_is_split_at_its_ands():
    _, builder, runtime = _stages(rewrite(build_model(MIXED), native=["psycopg2"]).text)
    assert (
        "RUN set -eux \\\n"
        "    && groupadd -r app \\\n"
        "    && useradd -r -g app app \\\n"
        "    && apt-get update \\\n"
        "    && apt-get install -y --no-install-recommends gcc libpq-dev \\\n"
        "    && pip install --no-cache-dir psycopg2==2.9.9 \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    ) in builder
    # the builder is the original up to its last install: what runs after it stays out
    assert "collectstatic" not in builder and "chown" not in builder
    # the runtime half runs where the RUN was, with the venv already in place
    assert runtime.endswith(
        f"COPY --from=builder {VENV} {VENV}\n"
        f'ENV VIRTUAL_ENV={VENV} PATH="{VENV}/bin:$PATH"\n'
        "RUN set -eux \\\n"
        "    && groupadd -r app \\\n"
        "    && useradd -r -g app app \\\n"
        "    && python manage.py collectstatic --noinput \\\n"
        "    && mkdir -p /app/media \\\n"
        "    && chown -R app:app /app\n"
        "USER app\n"
    )


@pytest.mark.parametrize(
    ("run", "why"),
    [
        ("pip install psycopg2==2.9.9 | tee log && useradd app", "tee, useradd"),
        ("pip install psycopg2==2.9.9 || true && python app.py", "python"),
        ("pip install psycopg2==2.9.9; python manage.py migrate", "python"),
        # `set -e` after the `;` it would need
        ("pip install psycopg2==2.9.9; set -e; python manage.py migrate", "python"),
        ("set +e; pip install psycopg2==2.9.9; python manage.py migrate", "python"),
    ],
)
def test_a_run_it_cannot_split_is_refused(run, why):
    with pytest.raises(Refusal, match=f"mixes build work .* with runtime work \\({why}"):
        rewrite(build_model(f"FROM python:3.11\nRUN {run}\n"), native=["psycopg2"])


SEMI = """\
FROM python:3.11
WORKDIR /app
RUN ERREXIT; \\
    groupadd -r app; useradd -r -g app app; \\
    # build and install
    apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev; \\
    pip install --no-cache-dir psycopg2==2.9.9; \\
    python manage.py collectstatic --noinput; \\
    mkdir -p /app/media; chown -R app:app /app; \\
    rm -rf /var/lib/apt/lists/*
USER app
"""


@pytest.mark.parametrize("errexit", ["set -eux", "set -o errexit", "set -e -x"])
def test_a_semicolon_chain_after_set_e_is_split_like_an_and_chain(errexit):
    # with errexit on, `a; b` stops at a failing `a` as `a && b` does
    text = SEMI.replace("ERREXIT", errexit)
    _, builder, runtime = _stages(rewrite(build_model(text), native=["psycopg2"]).text)
    assert (
        f"RUN {errexit} \\\n"
        "    && groupadd -r app \\\n"
        "    && useradd -r -g app app \\\n"
        "    && apt-get update \\\n"
        "    && apt-get install -y --no-install-recommends gcc libpq-dev \\\n"
        "    && pip install --no-cache-dir psycopg2==2.9.9 \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    ) in builder
    assert "collectstatic" not in builder and "chown" not in builder
    assert runtime.endswith(
        f"RUN {errexit} \\\n"
        "    && groupadd -r app \\\n"
        "    && useradd -r -g app app \\\n"
        "    && python manage.py collectstatic --noinput \\\n"
        "    && mkdir -p /app/media \\\n"
        "    && chown -R app:app /app\n"
        "USER app\n"
    )


def test_runtime_work_before_a_later_install_runs_in_both_stages():
    # the download may feed the later install: the builder runs it too (the builder is the
    # original up to its last install)
    text = (
        "FROM python:3.11\nRUN pip install psycopg2==2.9.9 && wget -q https://example.com/x "
        "&& useradd app\nRUN pip install -r requirements.txt\n"
    )
    _, builder, runtime = _stages(rewrite(build_model(text), native=["psycopg2"]).text)
    assert (
        "RUN pip install psycopg2==2.9.9 \\\n"
        "    && wget -q https://example.com/x \\\n"
        "    && useradd app\n"
        "RUN pip install -r requirements.txt\n"
    ) in builder
    assert "RUN wget -q https://example.com/x \\\n    && useradd app\n" in runtime
    assert "install -y --no-install-recommends libpq5 wget" in runtime


def test_runtime_work_before_the_first_install_runs_before_the_runtime_libraries():
    # an apt source and a download before the installs: the runtime stage does them first,
    # with the programs they need installed before them
    text = (
        "FROM python:3.11\n"
        'RUN echo "deb http://deb.debian.org/debian bookworm-backports main" '
        "> /etc/apt/sources.list.d/backports.list \\\n"
        "    && curl -fsSL https://example.com/x.tgz | tar xz -C /opt \\\n"
        "    && apt-get update && apt-get install -y gcc libpq-dev locales \\\n"
        "    && locale-gen && rm -rf /var/lib/apt/lists/*\n"
        "RUN pip install psycopg2==2.9.9\n"
    )
    _, builder, runtime = _stages(rewrite(build_model(text), native=["psycopg2"]).text)
    assert builder.startswith(
        "FROM python:3.11 AS builder\n"
        'RUN echo "deb http://deb.debian.org/debian bookworm-backports main" '
        "> /etc/apt/sources.list.d/backports.list \\\n"
        "    && curl -fsSL https://example.com/x.tgz | tar xz -C /opt \\\n"
        "    && apt-get update \\\n"
        "    && apt-get install -y gcc libpq-dev locales \\\n"
        "    && locale-gen \\\n"  # a later RUN installs: the builder keeps the RUN whole
        "    && rm -rf /var/lib/apt/lists/*\n"
    )
    lines = runtime.splitlines()
    order = [
        next(i for i, line in enumerate(lines) if marker in line)
        for marker in (
            "install -y --no-install-recommends curl",
            "RUN echo",
            "install -y --no-install-recommends libpq5",
            "RUN locale-gen",
        )
    ]
    assert order == sorted(order)
    assert "    && curl -fsSL https://example.com/x.tgz | tar xz -C /opt\n" in runtime


@pytest.mark.parametrize(
    "between",
    [
        "curl -fsSL https://deb.nodesource.com/setup_20.x | bash -",
        "add-apt-repository ppa:deadsnakes/ppa",
        'echo "deb http://deb.debian.org/debian bookworm-backports main" >> /etc/apt/sources.list',
    ],
)
def test_package_sources_set_up_between_installs_come_before_the_runtime_install(between):
    # the runtime stage installs what the original installed before the sources were set
    # up (curl), sets them up, then installs the rest (nodejs and the runtime libraries)
    text = (
        "FROM python:3.11\nRUN apt-get update && apt-get install -y gcc libpq-dev curl "
        f"&& {between} && apt-get install -y nodejs && useradd app\n"
        "RUN pip install psycopg2==2.9.9\n"
    )
    _, builder, runtime = _stages(rewrite(build_model(text), native=["psycopg2"]).text)
    assert between in builder and "apt-get install -y nodejs" in builder
    lines = runtime.splitlines()
    order = [
        next(i for i, line in enumerate(lines) if marker in line)
        for marker in (
            "apt-get install -y curl",  # installed with its recommended packages, as there
            between,
            "apt-get install -y nodejs",
            "RUN useradd app",
        )
    ]
    assert order == sorted(order)


def test_sources_set_up_in_a_later_run_come_before_the_runtime_install():
    text = (
        "FROM ubuntu:22.04\n"
        "RUN apt-get update && apt-get install -y software-properties-common python3-pip "
        "python3-dev gcc\n"
        "RUN add-apt-repository ppa:gns3/ppa && apt-get update && apt-get install -y vpcs\n"
        "RUN pip3 install --break-system-packages psycopg2-binary\n"
    )
    runtime = _stages(rewrite(build_model(text)).text)[-1]
    assert runtime.index("apt-get install -y software-properties-common") < (
        runtime.index("RUN add-apt-repository ppa:gns3/ppa\n")
    )
    assert runtime.index("RUN add-apt-repository") < runtime.index("apt-get install -y vpcs")


def test_installs_keep_their_pins_and_a_chosen_release_is_refused():
    text = (
        "FROM python:3.11\nRUN apt-get update && apt-get install -y gcc libpq-dev "
        "postgresql-client=15* tzdata/bookworm\nRUN pip install psycopg2==2.9.9\n"
    )
    packages = rewrite(build_model(text), native=["psycopg2"]).runtime_packages
    assert packages[:2] == ("postgresql-client=15*", "tzdata/bookworm")
    chosen = text.replace("install -y gcc", "install -y -t bookworm-backports gcc")
    with pytest.raises(Refusal, match=r"installs from a chosen release \(-t\)"):
        rewrite(build_model(chosen), native=["psycopg2"])


def test_a_release_the_data_lacks_gets_its_packages_from_the_builder():
    text = (
        'FROM python:3.9-slim-buster\nSHELL ["/bin/sh", "-eu", "-c"]\n'
        "RUN apt-get update && apt-get install -y gcc libpq-dev\n"
        'RUN pip install --no-cache-dir psycopg2==2.9.9\nCMD ["python"]\n'
    )
    fixed = rewrite(build_model(text), native=["psycopg2"])
    builder, runtime = fixed.text.split("\n\nFROM ")
    # the builder looks up who owns what libpq-dev provides and what the venv links, with
    # bash and pipefail whatever SHELL the file set, after its last install
    lookup = builder.split('SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n')[1]
    assert lookup.startswith("RUN { dpkg -L libpq-dev 2>/dev/null")
    assert "find /opt/venv -type f" in lookup and "dpkg-query --search" in lookup
    assert lookup.rstrip().endswith("| sort -u > /runtime-packages.txt")
    assert runtime.startswith("python:3.9-slim-buster\n")
    assert "COPY --from=builder /runtime-packages.txt /runtime-packages.txt\n" in runtime
    assert (
        "xargs -r apt-get install -y --no-install-recommends --no-upgrade < /runtime-packages.txt"
        in runtime
    )
    assert "libpq" not in runtime  # no package name is guessed
    note = next(n for n in fixed.notes if "buster" in n)
    assert "the runtime-library data has no debian buster" in note
    assert "(buster: its package index could not be downloaded (HTTP 404" in note
    assert "release?" not in note
    assert rewrite(build_model(text), native=["psycopg2"]).text == fixed.text
    assert build_model(fixed.text).stages[-1].base.raw == "python:3.9-slim-buster"


def test_a_full_image_of_a_release_the_data_lacks_looks_up_what_its_builds_link():
    text = "FROM python:3.9-buster\nRUN pip install --no-cache-dir psycopg2==2.9.9\n"
    fixed = rewrite(build_model(text), native=["psycopg2"])
    assert fixed.runtime_base == "python:3.9-slim-buster"
    assert "dpkg -L" not in fixed.text  # nothing installed by name: what the venv links
    assert "find /opt/venv -type f" in fixed.text
    unread = rewrite(build_model(text), native=["psycopg2"], unread=["requirements.txt"])
    # what the unread installs load at run time may be any library of the full image
    assert "$(dpkg-query -W -f '${Package}\\n' '*-dev')" in unread.text


def test_a_release_the_data_lacks_needs_no_lookup_when_nothing_links_a_library():
    text = "FROM python:3.9-slim-buster\nRUN apt-get update && apt-get install -y gcc\n"
    text += "RUN pip install --no-cache-dir markupsafe==2.1.5\n"
    fixed = rewrite(build_model(text), native=["markupsafe"])
    assert "runtime-packages" not in fixed.text


def test_alpine_without_data_is_still_refused():
    text = (
        "FROM python:3.11-alpine\nRUN apk add --no-cache gcc musl-dev postgresql-dev\n"
        "RUN pip install --no-cache-dir psycopg2==2.9.9\n"
    )
    with pytest.raises(Refusal, match="runtime-library data has no alpine"):
        rewrite(build_model(text), native=["psycopg2"])


def test_a_base_swap_on_a_release_the_data_lacks_is_refused():
    from dockerlint_slim.images import classify
    from dockerlint_slim.rewrite import runtime_library_install

    info = classify(build_model("FROM python:3.9-buster\n").stages[0].base)
    with pytest.raises(Refusal, match="runtime-library data has no debian buster"):
        runtime_library_install(info, ["python-magic"])


def test_an_absolute_pip_before_the_venv_is_made_is_left_as_written():
    text = (
        "FROM python:3.11\nRUN apt-get update && apt-get install -y gcc libpq-dev\n"
        "RUN /usr/local/bin/python -m pip install --upgrade pip\n"
        "RUN pip install --no-cache-dir psycopg2==2.9.9\n"
    )
    fixed = rewrite(build_model(text), native=["psycopg2"]).text
    builder = fixed.split("\n\nFROM ")[0]
    assert "RUN /usr/local/bin/python -m pip install --upgrade pip\n" in builder
    assert builder.index("/usr/local/bin/python -m pip") < builder.index("-m venv /opt/venv")


def test_older_ubuntu_lts_releases_are_covered():
    text = (
        "FROM ubuntu:20.04\nRUN apt-get update && apt-get install -y python3 python3-pip "
        "python3-dev gcc libpq-dev\nRUN pip3 install psycopg2==2.9.9\n"
    )
    fixed = rewrite(build_model(text), native=["psycopg2"])
    assert fixed.runtime_base == "ubuntu:20.04" and "libpq5" in fixed.runtime_packages


def test_runtime_runs_start_venv_programs_but_keep_their_arguments():
    text = (
        "FROM python:3.11\nRUN ln -s /usr/bin/python3 /usr/local/bin/python3x\n"
        "RUN pip install --no-cache-dir psycopg2==2.9.9\n"
        "RUN /usr/local/bin/python manage.py collectstatic --noinput\n"
    )
    runtime = _stages(rewrite(build_model(text), native=["psycopg2"]).text)[-1]
    assert "RUN ln -s /usr/bin/python3 /usr/local/bin/python3x\n" in runtime
    assert f"RUN {VENV}/bin/python manage.py collectstatic --noinput\n" in runtime


def test_programs_the_original_base_lacks_too_are_not_added(tmp_path):
    # debian:bookworm has no curl either: the script fails the same way in both images
    (tmp_path / "docker-entrypoint.sh").write_text('#!/bin/sh\ncurl -sf "$URL"\nexec "$@"\n')
    text = (
        "FROM debian:bookworm\n"
        "RUN apt-get update && apt-get install -y python3 python3-pip python3-dev gcc libpq-dev\n"
        "RUN pip3 install --break-system-packages psycopg2==2.9.9\n"
        "COPY docker-entrypoint.sh /usr/local/bin/\n"
        'ENTRYPOINT ["docker-entrypoint.sh"]\n'
    )
    packages = rewrite(build_model(text), native=["psycopg2"], context=tmp_path).runtime_packages
    assert "curl" not in packages and "libpq5" in packages


@pytest.mark.parametrize(
    "install",
    [
        "RUN /venv/bin/pip install --no-cache-dir psycopg2==2.9.9\n",
        'ENV PATH="/venv/bin:$PATH"\nRUN pip install --no-cache-dir psycopg2==2.9.9\n',
        "RUN . /venv/bin/activate && pip install --no-cache-dir psycopg2==2.9.9\n",
        "ENV VIRTUAL_ENV=/venv\nRUN /venv/bin/python -m pip install psycopg2==2.9.9\n",
    ],
)
def test_the_files_own_virtual_environment_is_the_one_copied(install):
    head = "FROM python:3.11\nWORKDIR /app\nRUN python -m venv /venv\n"
    text = f'{head}{install}CMD ["python", "app.py"]\n'
    _, builder, runtime = _stages(rewrite(build_model(text), native=["psycopg2"]).text)
    assert "RUN python -m venv /venv\n" in builder
    assert VENV not in builder + runtime  # no second environment
    assert "COPY --from=builder /venv /venv\n" in runtime
    assert "python -m venv" not in runtime and "pip install" not in runtime


def test_a_script_copied_into_a_folder_named_without_a_slash_is_read(tmp_path):
    (tmp_path / "start.sh").write_text('#!/bin/sh\nwget -qO /tmp/x http://example.com\nexec "$@"\n')
    text = (
        "FROM python:3.11\nRUN pip install --no-cache-dir psycopg2==2.9.9\n"
        'COPY start.sh /usr/local/bin\nENTRYPOINT ["start.sh"]\n'
    )
    assert "wget" in _runtime_packages(text, tmp_path)


def test_a_script_the_file_makes_itself_is_refused(tmp_path):
    text = (
        "FROM python:3.11\nRUN pip install --no-cache-dir psycopg2==2.9.9\n"
        "RUN printf '#!/bin/sh\\ncurl -sf $URL\\n' > /start.sh && chmod +x /start.sh\n"
        'CMD ["/start.sh"]\n'
    )
    with pytest.raises(Refusal, match=r"runs /start\.sh, which no COPY or ADD of the build"):
        rewrite(build_model(text), native=["psycopg2"], context=tmp_path)


def test_the_builder_keeps_paths_in_the_arguments_of_runtime_work():
    # `ln -s /usr/bin/python3 /usr/local/bin/python` runs in the builder as written: only pip
    # or python started by an absolute path to install is pointed at the virtual environment
    text = (
        "FROM debian:bookworm\n"
        "RUN apt-get update && apt-get install -y python3 python3-pip python3-dev gcc libpq-dev\n"
        "RUN ln -s /usr/bin/python3 /usr/local/bin/python\n"
        "RUN ln -s /usr/bin/python3 /usr/local/bin/python3 && /usr/bin/python3 -m pip install "
        "--break-system-packages psycopg2==2.9.9\n"
        "RUN pip3 install --break-system-packages flask==3.0.0\n"
    )
    _, builder, runtime = _stages(rewrite(build_model(text), native=["psycopg2"]).text)
    assert "RUN ln -s /usr/bin/python3 /usr/local/bin/python\n" in builder
    assert (
        "RUN ln -s /usr/bin/python3 /usr/local/bin/python3 \\\n"
        f"    && {VENV}/bin/python3 -m pip install --break-system-packages psycopg2==2.9.9\n"
    ) in builder
    assert "RUN ln -s /usr/bin/python3 /usr/local/bin/python\n" in runtime


def test_packages_named_by_a_shell_variable_of_the_run_are_read():
    # the official images' style: `buildDeps='…' && apt-get install $buildDeps && …`
    text = (
        "FROM python:3.11\n"
        "RUN set -ex \\\n"
        "    && buildDeps=' \\\n"
        "        gcc \\\n"
        "        libxml2-dev \\\n"
        "        libxslt1-dev \\\n"
        "    ' \\\n"
        "    && apt-get update && apt-get install -y --no-install-recommends $buildDeps \\\n"
        "    && pip install --no-cache-dir --no-binary lxml lxml==5.2.2 \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    )
    result = rewrite(build_model(text), native=["lxml"])
    assert {"libxml2", "libxslt1.1"} <= set(result.runtime_packages)
    assert "gcc" not in result.runtime_packages


def test_user_installs_go_into_the_venv_and_their_scripts_are_found_there():
    # pip refuses --user inside a virtual environment: the builder drops it; programs run
    # from ~/.local/bin are started from the venv
    text = (
        "FROM python:3.11\nRUN useradd -m app\nUSER app\nWORKDIR /home/app\n"
        "RUN pip install --user --no-cache-dir psycopg2==2.9.9 gunicorn==23.0.0\n"
        'ENV PATH="/home/app/.local/bin:$PATH"\n'
        'CMD ["/home/app/.local/bin/gunicorn", "app:app"]\n'
        "HEALTHCHECK CMD ~/.local/bin/gunicorn --version || exit 1\n"
    )
    _, builder, runtime = _stages(rewrite(build_model(text), native=["psycopg2"]).text)
    assert "RUN pip install --no-cache-dir psycopg2==2.9.9 gunicorn==23.0.0\n" in builder
    assert f'CMD ["{VENV}/bin/gunicorn", "app:app"]' in runtime
    assert f"HEALTHCHECK CMD {VENV}/bin/gunicorn --version || exit 1" in runtime


def test_unknown_packages_on_a_full_image_get_every_library_of_it(tmp_path):
    # requirements.txt is not in the build context: what it compiles on python:3.11 may link
    # any library of the full image, so the runtime stage installs the runtime libraries of
    # every -dev package the full image has (per release, as the tag does not fix one)
    text = (
        "FROM python:3.11\nRUN apt-get update && apt-get install -y gcc\n"
        "COPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n"
    )
    unknown = rewrite(build_model(text), context=tmp_path, unread=["requirements.txt"])
    assert {"libpq5", "libxml2", "libyaml-0-2", "libjpeg62-turbo"} <= set(unknown.runtime_packages)
    assert not {"libasan8", "libdpkg-perl", "gcc"} & set(unknown.runtime_packages)
    assert any("requirements.txt are not known" in note for note in unknown.notes)
    assert "! grep -qx 'VERSION_CODENAME=trixie' /etc/os-release" in unknown.text
    # a tag that fixes the release needs no test of it
    fixed = rewrite(
        build_model(text.replace("python:3.11", "python:3.11-bookworm")), unread=["r.txt"]
    )
    assert "VERSION_CODENAME" not in fixed.text and "libssl3" in fixed.runtime_packages
    # known packages: only what they need
    known = rewrite(build_model(text), native=["psycopg2"])
    assert known.runtime_packages == ("libpq5",)
    # on a slim base the builder links only what the file installs: nothing more
    slim = rewrite(build_model(text.replace("python:3.11", "python:3.11-slim")), unread=["r"])
    assert slim.runtime_packages == ()


def test_a_command_substitution_stays_with_its_command_when_split():
    text = (
        "FROM python:3.11\nRUN apt-get update && apt-get install -y libxml2-dev "
        '&& echo "built on $(date +%Y)" > /srv/stamp && rm -rf /var/lib/apt/lists/*\n'
        "RUN pip install --no-cache-dir --no-binary lxml lxml==5.3.0\n"
    )
    _, builder, runtime = _stages(rewrite(build_model(text), native=["lxml"]).text)
    assert '    && echo "built on $(date +%Y)" > /srv/stamp \\\n' in builder
    assert 'RUN echo "built on $(date +%Y)" > /srv/stamp\n' in runtime


def test_packages_installed_with_recommends_keep_them():
    # imagemagick recommends ghostscript, which PDF conversion needs: the runtime stage
    # installs as the original did; the runtime libraries come without recommends
    text = (
        "FROM python:3.11\nRUN apt-get update && apt-get install -y imagemagick libpq-dev "
        "&& apt-get install -y --no-install-recommends curl\n"
        "RUN pip install psycopg2==2.9.9\n"
    )
    runtime = _stages(rewrite(build_model(text), native=["psycopg2"]).text)[-1]
    assert "    && apt-get install -y --no-install-recommends curl libpq5 \\\n" in runtime
    assert "    && apt-get install -y imagemagick \\\n" in runtime


def test_an_upgrade_of_the_image_packages_is_done_in_the_runtime_stage_too():
    text = (
        "FROM python:3.11-slim\nRUN apt-get update && apt-get upgrade -y "
        "&& apt-get install -y --no-install-recommends gcc libpq-dev\n"
        "RUN pip install psycopg2==2.9.9\n"
    )
    runtime = _stages(rewrite(build_model(text), native=["psycopg2"]).text)[-1]
    assert "RUN apt-get update \\\n    && apt-get upgrade -y \\\n" in runtime
    without = text.replace("apt-get upgrade -y && ", "")
    assert "upgrade" not in _stages(rewrite(build_model(without), native=["psycopg2"]).text)[-1]


def test_dpkg_reconfigure_stays_in_the_runtime_stage():
    text = (
        "FROM python:3.11\nENV LC_ALL=de_DE.UTF-8\n"
        "RUN apt-get update && apt-get install -y gcc libpq-dev locales "
        "&& sed -i 's/# de_DE/de_DE/' /etc/locale.gen "
        "&& dpkg-reconfigure --frontend=noninteractive locales\n"
        "RUN pip install --no-cache-dir psycopg2==2.9.9\n"
    )
    runtime = rewrite(build_model(text), native=["psycopg2"]).text.split("\n\nFROM ")[1]
    # the locale is made where it is used, after the runtime stage installs `locales`
    assert runtime.index("locales") < runtime.index("dpkg-reconfigure --frontend")


def test_cache_clearing_commands_go_with_the_installs():
    text = (
        "FROM python:3.11\nRUN apt-get update && apt-get install -y gcc libpq-dev\n"
        "RUN pip install pipenv && pipenv install --deploy --system && pipenv --clear "
        '&& rm -rf "$(python -m pip cache dir)" && useradd app\n'
    )
    fixed = rewrite(build_model(text), native=["psycopg2"]).text
    builder, runtime = fixed.split("\n\nFROM ")
    assert "pipenv --clear" in builder and "pip cache dir" in builder
    assert "pipenv" not in runtime and "pip cache" not in runtime
    assert "RUN useradd app" in runtime


def test_a_file_that_uses_pip_cache_keeps_the_builders_cache_on():
    text = (
        "FROM python:3.11\nRUN apt-get update && apt-get install -y gcc libpq-dev\n"
        "RUN pip install psycopg2==2.9.9 && pip cache purge\n"
    )
    fixed = rewrite(build_model(text), native=["psycopg2"]).text
    # `pip cache purge` fails when PIP_NO_CACHE_DIR turns the cache off
    assert "PIP_NO_CACHE_DIR" not in fixed and "pip cache purge" in fixed
    plain = rewrite(build_model(text.replace(" && pip cache purge", "")), native=["psycopg2"])
    assert "PIP_NO_CACHE_DIR=1" in plain.text


def test_a_message_goes_along_with_the_installs_but_a_file_written_stays():
    text = (
        "FROM python:3.11\nRUN apt-get update && apt-get install -y gcc libpq-dev\n"
        "RUN pip install --no-cache-dir psycopg2==2.9.9 || echo 'no psycopg2' >&2\n"
    )
    fixed = rewrite(build_model(text), native=["psycopg2"]).text
    builder, runtime = fixed.split("\n\nFROM ")
    assert "|| echo 'no psycopg2' >&2" in builder and "echo" not in runtime
    writes = text.replace(">&2", "> /etc/psycopg2.txt")
    with pytest.raises(Refusal, match="mixes build work"):
        rewrite(build_model(writes), native=["psycopg2"])


def test_flit_install_goes_to_the_builder():
    text = (
        "FROM python:3.11-slim\nWORKDIR /api\nCOPY . /api\n"
        "RUN apt-get update && apt-get install -y build-essential libpq-dev "
        "&& pip install flit && FLIT_ROOT_INSTALL=1 flit install --deps production "
        "&& rm -rf $(pip cache dir)\n"
        'CMD ["python", "-m", "api"]\n'
    )
    fixed = rewrite(build_model(text), native=["psycopg2"]).text
    builder, runtime = fixed.split("\n\nFROM ")
    assert "FLIT_ROOT_INSTALL=1 flit install --deps production" in builder
    assert "flit" not in runtime and "libpq5" in runtime
    for option in ("--symlink", "--pth-file", "--python /usr/bin/python3", "--user"):
        linked = text.replace("--deps production", f"--deps production {option}")
        with pytest.raises(Refusal, match="flit install"):
            rewrite(build_model(linked), native=["psycopg2"])


def test_an_installer_the_rewrite_does_not_read_is_not_left_to_the_runtime_stage():
    text = (
        "FROM python:3.11\nRUN apt-get update && apt-get install -y gcc libpq-dev\n"
        "RUN pip install --no-cache-dir psycopg2==2.9.9 pip-tools && pip-sync requirements.txt\n"
    )
    with pytest.raises(Refusal, match="runs pip-sync, an installer the rewrite does not move"):
        rewrite(build_model(text), native=["psycopg2"])


def test_uwsgi_on_an_ubuntu_release_the_data_lacks_finds_libpython_at_build_time():
    text = (
        "FROM ubuntu:16.04\nRUN apt-get update && apt-get install -y python3 python3-pip "
        "python3-dev gcc\nRUN pip3 install uwsgi==2.0.28\n"
        'CMD ["uwsgi", "--http", ":8000"]\n'
    )
    fixed = rewrite(build_model(text), native=["uwsgi"])
    assert "find /opt/venv -type f" in fixed.text and "< /runtime-packages.txt" in fixed.text


def test_a_console_script_on_path_is_not_taken_for_a_file_of_a_copied_folder(tmp_path):
    (tmp_path / "app.py").write_text("app = None\n")
    text = (
        "FROM python:3.11\nCOPY . /\n"
        "RUN pip install --no-cache-dir psycopg2==2.9.9 waitress==3.0.0\n"
        'CMD ["waitress-serve", "--port", "8000", "app:app"]\n'
    )
    # `COPY . /` could put /usr/local/bin/waitress-serve there, but the context has no such file
    fixed = rewrite(build_model(text), native=["psycopg2"], context=tmp_path)
    assert "waitress-serve" in fixed.text
    (tmp_path / "usr" / "local" / "bin").mkdir(parents=True)
    (tmp_path / "usr" / "local" / "bin" / "waitress-serve").write_text("#!/bin/sh\ncurl -f x\n")
    assert "curl" in rewrite(build_model(text), native=["psycopg2"], context=tmp_path).text


def test_a_dev_package_the_release_does_not_have_is_named_as_such():
    text = (
        "FROM python:3.11\nRUN apt-get update && apt-get install -y gcc libmysqlclient-dev\n"
        "RUN pip install --no-cache-dir mysqlclient==2.2.4\n"
    )
    with pytest.raises(Refusal, match=r"`libmysqlclient-dev` is not a package of debian"):
        rewrite(build_model(text), native=["mysqlclient"])
