"""A seeded generator of realistic single-stage Python projects for the rewrite benchmark.

``generate(seed, count)`` makes ``count`` projects (a Dockerfile, requirements or pyproject,
a small application and, where the shape has them, an entrypoint script and a C extension of
its own); the same seed always gives the same projects. Each project's Dockerfile combines,
at random, the shapes real files have:

- bases: ``python:3.11``, ``python:3.11-bookworm``, ``python:3.9`` (bullseye),
  ``python:3.13`` (trixie), a base chosen by ``ARG PYTHON_VERSION``, and ``debian:bookworm``
  with Debian's own ``python3``;
- installers: ``pip install -r`` (one file, or several with ``-r`` includes, or pip-tools
  output), ``pip install .`` of a pyproject or a setup.py project, ``uv pip install``;
- native builds: psycopg2 (links libpq), PyYAML from source (links libyaml), MarkupSafe from
  source (no library), the project's own C extension (installed, or built in place);
- the rest: an entrypoint script that fetches its settings with curl, a non-root user, a
  HEALTHCHECK with curl, a collect step that writes files after the install, a console
  script started by its absolute path, ``uv run`` in CMD, a RUN that mixes the install with
  user and folder set-up, build ARGs.

The application prints one line that depends on everything the image must hold at run time
(compiled modules and the libraries they load, the settings the entrypoint fetched, the user,
the collected files), so a rewrite that loses any of it prints something else. The image's own
ENTRYPOINT and CMD are the smoke test.

Used by ``benchmarks/rewrite_wild.py`` (builds them) and by the tests (a sample in CI).
"""

from __future__ import annotations

import random
import textwrap
import zlib
from dataclasses import dataclass, field
from pathlib import Path

# base -> (what FROM says, Python minor, distro Python?)
BASES = {
    "python:3.11": ("python:3.11", "3.11", False),
    "python:3.11-bookworm": ("python:3.11-bookworm", "3.11", False),
    "python:3.9": ("python:3.9", "3.9", False),
    "python:3.13": ("python:3.13", "3.13", False),
    "arg": ("python:${PYTHON_VERSION}", "3.11", False),
    "debian": ("debian:bookworm", "3.11", True),
}
# bases whose images the rig builds with its default suite (bookworm); the others need
# `make-python-bases.sh --suites bullseye,trixie`
BOOKWORM_BASES = ("python:3.11", "python:3.11-bookworm", "arg", "debian")

# native package -> (requirement, pip options, import check printed by the app, Debian -dev
# packages a distro base must install to build it)
NATIVE = {
    "psycopg2": (
        "psycopg2==2.9.10",
        "",
        "import psycopg2; print('psycopg2', psycopg2.__version__.split()[0],"
        " 'libpq', psycopg2.extensions.libpq_version() > 0)",
        ("libpq-dev",),
    ),
    "pyyaml": (
        "PyYAML==6.0.2",
        "--no-binary PyYAML",
        "import yaml; print('yaml', yaml.__version__, 'libyaml', yaml.__with_libyaml__)",
        ("libyaml-dev",),
    ),
    "markupsafe": (
        "MarkupSafe==3.0.2",
        "--no-binary MarkupSafe",
        "import markupsafe, markupsafe._speedups; print('markupsafe', markupsafe.__version__,"
        " 'speedups', True)",
        (),
    ),
}
PURE = ("six==1.16.0", "idna==3.10", "attrs==24.2.0")


@dataclass
class Project:
    name: str
    seed: int
    base: str
    installer: str  # "requirements", "includes", "pip-tools", "pyproject", "setup.py", "uv"
    native: list[str]
    own_extension: str  # "", "installed", "inplace"
    entrypoint: bool
    user: bool
    healthcheck: bool
    collect: bool
    absolute_script: bool
    uv_run: bool
    mixed_run: bool
    build_arg: bool
    # runtime work around a system install: an apt setting written before it, a locale
    # generated after it
    prework: bool = False
    files: dict[str, str] = field(default_factory=dict)
    executable: set[str] = field(default_factory=set)

    @property
    def shapes(self) -> list[str]:
        out = [self.base, self.installer, *self.native]
        flags = {
            "own-ext-" + self.own_extension: bool(self.own_extension),
            "entrypoint": self.entrypoint,
            "user": self.user,
            "healthcheck": self.healthcheck,
            "collect": self.collect,
            "abs-script": self.absolute_script,
            "uv-run": self.uv_run,
            "mixed-run": self.mixed_run,
            "build-arg": self.build_arg,
            "prework": self.prework,
            "reconfigure": self.reconfigure,
            "cache-dir": self.cache_purge,
        }
        return out + [name for name, on in flags.items() if on]

    @property
    def reconfigure(self) -> bool:
        """The locale is made by ``dpkg-reconfigure locales`` instead of ``locale-gen``."""
        return self.prework and zlib.crc32(self.name.encode()) % 2 == 1

    @property
    def cache_purge(self) -> bool:
        """The install ends with a message (``|| echo``) and the removal of pip's cache folder
        (``rm -rf "$(pip cache dir)"``; ``pip cache purge`` fails on an empty cache with the
        pip of Debian's bullseye)."""
        return self.installer != "uv" and zlib.crc32(self.name.encode()) % 3 == 0

    @property
    def bookworm_only(self) -> bool:
        return self.base in BOOKWORM_BASES

    def write(self, folder: Path) -> Path:
        """Write the project into ``folder/<name>`` and return that folder."""
        where = folder / self.name
        for rel, text in self.files.items():
            path = where / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            if rel in self.executable:
                path.chmod(0o755)
        return where


def generate(seed: int, count: int, bases: tuple[str, ...] = tuple(BASES)) -> list[Project]:
    rng = random.Random(seed)
    return [_project(rng, f"wild-{seed}-{i:03d}", seed * 1000 + i, bases) for i in range(count)]


def _project(rng: random.Random, name: str, seed: int, bases: tuple[str, ...]) -> Project:
    base = rng.choice(bases)
    distro = BASES[base][2]
    installer = rng.choice(["requirements", "includes", "pip-tools", "pyproject", "setup.py"])
    if not distro and rng.random() < 0.2:
        installer = "uv"
    native = sorted(rng.sample(sorted(NATIVE), rng.randint(1, 2)))
    own = ""
    if installer in ("pyproject", "setup.py") and rng.random() < 0.4:
        own = "installed"
    elif installer in ("requirements", "includes", "pip-tools") and rng.random() < 0.25:
        own = "inplace"
    project = Project(
        name=name,
        seed=seed,
        base=base,
        installer=installer,
        native=native,
        own_extension=own,
        entrypoint=rng.random() < 0.35,
        user=rng.random() < 0.5,
        healthcheck=rng.random() < 0.3,
        collect=rng.random() < 0.3,
        absolute_script=installer in ("pyproject", "setup.py") and rng.random() < 0.5,
        uv_run=installer == "uv" and rng.random() < 0.5,
        mixed_run=rng.random() < 0.3,
        build_arg=rng.random() < 0.3,
        prework=rng.random() < 0.3,
    )
    _fill(project)
    return project


# --------------------------------------------------------------------------- files


APP_MAIN = '''\
"""Prints what the image holds at run time, one line per check."""

import getpass
import json
import os

{imports}

def main():
    lines = []
{checks}
    if os.path.exists("/tmp/settings.json"):
        with open("/tmp/settings.json", encoding="utf-8") as handle:
            lines.append("settings " + json.load(handle)["mode"])
    static = "{workdir}/static"
    if os.path.isdir(static):
        lines.append("static files " + str(len(os.listdir(static))))
    lines.append("user " + getpass.getuser())
    print(" | ".join(lines))


if __name__ == "__main__":
    main()
'''

# the C extension of the fixture project inplace-extension: one source of it
SPEED_C = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "projects"
    / "inplace-extension"
    / "fastsum"
    / "_speed.c"
).read_text(encoding="utf-8")

ENTRYPOINT = """\
#!/bin/sh
# fetch the settings the deployment serves, then start the command
set -e
SETTINGS_URL="${SETTINGS_URL:-file://WORKDIR/settings.json}"
curl --silent --fail --output /tmp/settings.json "$SETTINGS_URL"
exec "$@"
"""

COLLECT = '''\
"""Writes the static files next to the app (as Django's collectstatic does)."""

import os
import sys

target = sys.argv[1]
os.makedirs(target, exist_ok=True)
for name in ("site.css", "site.js", "logo.svg"):
    with open(os.path.join(target, name), "w", encoding="utf-8") as handle:
        handle.write("/* " + name + " */\\n")
'''


def _fill(p: Project) -> None:
    workdir = "/srv/app" if p.seed % 3 == 0 else "/app"
    checks, imports = [], []
    for name in p.native:
        checks.append(NATIVE[name][2])
    if p.own_extension:
        checks.append("from fastsum import total; print('fastsum', total(range(1, 101)))")
    if p.prework:
        checks.append(
            "import locale, os; locale.setlocale(locale.LC_ALL, 'de_DE.UTF-8'); "
            "print('locale', locale.format_string('%.2f', 1234.5, grouping=True), 'apt-conf', "
            "os.path.exists('/etc/apt/apt.conf.d/99-no-recommends'))"
        )
    body = "\n".join(f"    lines.append(_run({check!r}))" for check in checks)
    imports.append(
        "import contextlib, io\n\n\ndef _run(code):\n    out = io.StringIO()\n"
        "    with contextlib.redirect_stdout(out):\n        exec(code, {})\n"
        "    return out.getvalue().strip()\n"
    )
    p.files["app/__init__.py"] = ""
    p.files["app/__main__.py"] = APP_MAIN.format(
        imports="\n".join(imports), checks=body or "    pass", workdir=workdir
    )
    if p.collect:
        p.files["app/collect.py"] = COLLECT
    if p.entrypoint:
        p.files["docker-entrypoint.sh"] = ENTRYPOINT.replace("WORKDIR", workdir)
        p.executable.add("docker-entrypoint.sh")
        p.files["settings.json"] = '{"mode": "production"}\n'
    # an installed extension lives in native/ so that the sources in the working folder do
    # not hide the installed package; one built in place lives next to the app
    ext_dir = "native/fastsum" if p.own_extension == "installed" else "fastsum"
    if p.own_extension:
        p.files[f"{ext_dir}/__init__.py"] = "from ._speed import total\n\n__all__ = ['total']\n"
        p.files[f"{ext_dir}/_speed.c"] = SPEED_C

    reqs = [NATIVE[n][0] for n in p.native] + [PURE[p.seed % len(PURE)]]
    if p.own_extension == "inplace":
        reqs.append("setuptools>=70")  # `python setup.py` needs it (3.12+ images lack it)
    no_binary = " ".join(NATIVE[n][1] for n in p.native if NATIVE[n][1])
    script = "wild-report"
    if p.installer in ("requirements", "uv"):
        p.files["requirements.txt"] = "\n".join(reqs) + "\n"
    elif p.installer == "includes":
        p.files["requirements/base.txt"] = "\n".join(reqs[:-1]) + "\n"
        p.files["requirements/prod.txt"] = f"-r base.txt\n{reqs[-1]}\n"
    elif p.installer == "pip-tools":
        lines = ["#", "# This file is autogenerated by pip-compile with Python 3.11", "#"]
        for r in sorted(reqs, key=str.lower):
            lines += [r, "    # via -r requirements.in"]
        p.files["requirements.in"] = "\n".join(r.split("==")[0] for r in reqs) + "\n"
        p.files["requirements.txt"] = "\n".join(lines) + "\n"
    elif p.installer == "pyproject":
        p.files["pyproject.toml"] = textwrap.dedent(
            f"""\
            [build-system]
            requires = ["setuptools>=61"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "wild-app"
            version = "1.0.0"
            requires-python = ">=3.9"
            dependencies = {reqs!r}

            [project.scripts]
            {script} = "app.__main__:main"

            [tool.setuptools]
            """
        ).replace("'", '"')
        if p.own_extension:
            p.files["pyproject.toml"] += (
                'packages = ["app", "fastsum"]\n'
                'package-dir = {fastsum = "native/fastsum"}\n'
                "ext-modules = [\n"
                '  {name = "fastsum._speed", sources = ["native/fastsum/_speed.c"]},\n]\n'
            )
        else:
            p.files["pyproject.toml"] += 'packages = ["app"]\n'
    elif p.installer == "setup.py":
        ext = (
            "\n    package_dir={'fastsum': 'native/fastsum'},"
            "\n    ext_modules=[Extension('fastsum._speed', ['native/fastsum/_speed.c'])],"
            if p.own_extension
            else ""
        )
        packages = ["app", "fastsum"] if p.own_extension else ["app"]
        p.files["setup.py"] = (
            "from setuptools import Extension, setup\n\n"
            "setup(\n    name='wild-app',\n    version='1.0.0',\n"
            f"    packages={packages!r},\n"
            f"    install_requires={reqs!r},{ext}\n"
            f"    entry_points={{'console_scripts': ['{script} = app.__main__:main']}},\n)\n"
        )
    if p.own_extension == "inplace":
        p.files["setup.py"] = (
            "from setuptools import Extension, setup\n\n"
            "setup(name='fastsum', version='0.1.0', packages=['fastsum'],\n"
            "      ext_modules=[Extension('fastsum._speed', ['fastsum/_speed.c'])])\n"
        )
    p.files["Dockerfile"] = _dockerfile(p, workdir, reqs, no_binary, script)


PREWORK_BEFORE = (
    "echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/99-no-recommends \\\n    && "
)
PREWORK_AFTER = (
    "    && sed -i 's/^# de_DE.UTF-8 UTF-8/de_DE.UTF-8 UTF-8/' /etc/locale.gen \\\n"
    "    && locale-gen \\"
)


def _prework_after(p: Project) -> str:
    if p.reconfigure:
        return PREWORK_AFTER.replace(
            "locale-gen", "dpkg-reconfigure --frontend=noninteractive locales"
        )
    return PREWORK_AFTER


def _dockerfile(p: Project, workdir: str, reqs: list[str], no_binary: str, script: str) -> str:
    frm, _, distro = BASES[p.base]
    lines: list[str] = []
    if p.base == "arg":
        lines.append("ARG PYTHON_VERSION=3.11")
    lines += [f"FROM {frm}", ""]
    if p.build_arg:
        lines += ["ARG APP_ENV=production", "ENV APP_ENV=${APP_ENV}"]
    lines += ["ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1"]
    pip = "pip"
    if distro:
        devs = sorted({d for n in p.native for d in NATIVE[n][3]})
        if p.entrypoint or p.healthcheck:
            devs.append("curl")  # debian:bookworm has no curl of its own
        if p.prework:
            devs.append("locales")
        before = PREWORK_BEFORE if p.prework else ""
        lines += [
            "ENV DEBIAN_FRONTEND=noninteractive",
            "",
            f"RUN {before}apt-get update && apt-get install -y \\",
            "    " + " ".join(["python3", "python3-pip", "python3-dev", "gcc", *devs]) + " \\",
            *([_prework_after(p)] if p.prework else []),
            "    && rm -rf /var/lib/apt/lists/*",
            # the image has python3 only; the app and the scripts say python
            "RUN ln -s /usr/bin/python3 /usr/local/bin/python",
        ]
        pip = "pip3 install --break-system-packages"
    else:
        pip = "pip install"
        if p.prework:
            lines += [
                "",
                f"RUN {PREWORK_BEFORE}apt-get update \\",
                "    && apt-get install -y locales \\",
                _prework_after(p),
                "    && rm -rf /var/lib/apt/lists/*",
            ]
    if p.installer == "uv":
        lines += ["", "RUN pip install --no-cache-dir uv==0.5.11"]
    lines += ["", f"WORKDIR {workdir}"]

    # what gets copied before the install
    copy_first = {
        "requirements": "COPY requirements.txt .",
        "uv": "COPY requirements.txt .",
        "includes": "COPY requirements/ requirements/",
        "pip-tools": "COPY requirements.txt .",
        "pyproject": "COPY . .",
        "setup.py": "COPY . .",
    }[p.installer]
    if p.own_extension == "inplace":
        copy_first = "COPY . ."
    lines += [copy_first]
    install_target = {
        "requirements": "-r requirements.txt",
        "uv": "-r requirements.txt",
        "includes": "-r requirements/prod.txt",
        "pip-tools": "-r requirements.txt",
        "pyproject": ".",
        "setup.py": ".",
    }[p.installer]
    options = "--no-cache-dir" + (f" {no_binary}" if no_binary else "")
    if p.installer == "uv":
        install = f"uv pip install --system {no_binary} {install_target}".replace("  ", " ")
    else:
        install = f"{pip} {options} {install_target}"
    build_steps = [install]
    if p.cache_purge:
        build_steps = [f"{install} || echo 'the install failed' >&2", 'rm -rf "$(pip cache dir)"']
    if p.own_extension == "inplace":
        build_steps.append("python setup.py build_ext --inplace")
    # a home of its own: uv run as the user writes its cache there
    user_steps = [
        "groupadd --system app",
        "useradd --system --gid app --create-home --home-dir /home/app app",
    ]
    folder_steps = [f"mkdir -p {workdir}/data", f"chown -R app:app {workdir}/data"]
    if p.mixed_run and p.user:
        lines += ["RUN set -eux \\"]
        steps = user_steps + build_steps + folder_steps
        lines += [f"    && {s} \\" for s in steps[:-1]] + [f"    && {steps[-1]}"]
    else:
        lines += ["RUN " + " && ".join(build_steps)]
        if p.user:
            lines += ["RUN " + " && ".join(user_steps + folder_steps)]
    if copy_first != "COPY . .":
        lines += ["", "COPY . ."]
    if p.collect:
        lines += [f"RUN python -m app.collect {workdir}/static"]
    if p.entrypoint:
        lines += ["COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh"]
    if p.user:
        lines += ["USER app"]
    if p.healthcheck:
        lines += [
            "HEALTHCHECK --interval=30s CMD curl --fail --silent "
            f"file://{workdir}/app/__init__.py || exit 1"
        ]
    if p.entrypoint:
        lines += ['ENTRYPOINT ["docker-entrypoint.sh"]']
    if p.absolute_script:
        lines += [f'CMD ["/usr/local/bin/{script}"]']
    elif p.uv_run:
        lines += ['CMD ["uv", "run", "--no-sync", "python", "-m", "app"]']
    else:
        lines += ['CMD ["python", "-m", "app"]']
    return "\n".join(lines) + "\n"
