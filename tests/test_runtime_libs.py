"""Runtime libraries replacing -dev packages: the loader against the generated data file,
and the generating script's derivation on small package indexes."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
import sys
import tarfile
from pathlib import Path

import pytest

from dockerlint_slim import runtime_libs as rl

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "dockerlint_slim" / "data" / "runtime_libs.json"
SCRIPT = ROOT / "scripts" / "update_runtime_libs.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("update_runtime_libs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


# --------------------------------------------------------------------------- the data file


def test_header_fields():
    data = rl.runtime_libs_data()
    assert "scripts/update_runtime_libs.py" in data["source"]
    generated = dt.date.fromisoformat(data["generated"])
    assert dt.date(2024, 1, 1) <= generated <= dt.date.today() + dt.timedelta(days=1)
    # release -> why its index could not be read
    assert isinstance(data["unavailable"], dict)
    assert all(isinstance(why, str) and why for why in data["unavailable"].values())
    assert set(data["releases"]) <= {"debian", "ubuntu", "alpine"}
    for distro, releases in data["releases"].items():
        for release, entry in releases.items():
            assert {"index", "runtime", "header_only", "virtual", "base"} <= set(entry), release
            # a release is either there or listed as unavailable, never both
            assert f"{distro}/{release}" not in data["unavailable"]


def test_the_release_tables_come_last():
    # the small tables are looked up on every lint that needs one: before the 2.6 MB of
    # release tables, they are found without searching through those
    keys = list(rl.runtime_libs_data())
    assert keys[-1] == "releases"
    text = DATA.read_text(encoding="utf-8")
    releases_at = text.index('\n  "releases": ')
    for key in keys[:-1]:
        assert text.index(f"\n  {json.dumps(key)}: ") < releases_at, key


def test_the_small_tables_are_read_from_the_head_of_the_file_alone():
    data = rl.runtime_libs_data()
    rl._part.cache_clear()
    rl._data_text.cache_clear()
    try:
        for key in ("unavailable", "fat_python_dev_packages", "python_build_deps", "python_loads"):
            assert rl._part(key) == data[key], key
        assert (
            rl._part("python_build_deps", "lxml", "debian")
            == (data["python_build_deps"]["lxml"]["debian"])
        )
        assert rl._data_text.cache_info().currsize == 0  # the 2.6 MB were not read
        assert rl._part("releases", "debian", "no-such-release") is None
        assert rl._data_text.cache_info().currsize == 1
    finally:
        rl._part.cache_clear()


def test_parts_read_alone_equal_the_whole_file():
    # the lookups decode only the part they need; each part is what the whole file says
    data = rl.runtime_libs_data()
    for key, value in data.items():
        assert rl._part(key) == value, key
    for distro, releases in data["releases"].items():
        for release, entry in releases.items():
            for key, value in entry.items():
                assert rl._part("releases", distro, release, key) == value, (release, key)
            for dev in [*list(entry["runtime"])[::50], *entry["virtual"], "no-such-dev"]:
                name = entry["virtual"].get(dev, dev)
                expected = entry["runtime"].get(name)
                if expected is None:
                    assert rl.runtime_packages(dev, distro, release) == (
                        () if name in entry["header_only"] else None
                    ), dev
                else:
                    assert rl.runtime_packages(dev, distro, release) == tuple(expected), dev
            assert rl.base_packages(distro, release) == frozenset(entry["base"])
    assert rl._part("releases", "debian", "no-such-release") is None
    assert rl._part("no-such-key") is None
    assert (
        rl._part("python_build_deps", "lxml", "debian")
        == (data["python_build_deps"]["lxml"]["debian"])
    )
    assert rl.python_loaders() == frozenset(data["python_loads"])
    assert dict(rl.known_releases()) == {d: tuple(sorted(r)) for d, r in data["releases"].items()}
    assert rl._keys("python_build_deps") == tuple(data["python_build_deps"])
    assert rl._keys("releases", "debian", "bookworm") == tuple(
        data["releases"]["debian"]["bookworm"]
    )


def test_data_file_is_small_and_only_dev_packages():
    assert DATA.stat().st_size < 4_000_000
    data = json.loads(DATA.read_text("utf-8"))
    for releases in data["releases"].values():
        for entry in releases.values():
            names = [*entry["runtime"], *entry["header_only"], *entry["virtual"]]
            assert all(n.endswith(("-dev", "-dev-compat")) for n in names)
            assert not any(n.startswith(("librust-", "golang-", "libghc-")) for n in names)
            assert all(entry["runtime"].values()), "empty runtime sets go to header_only"
            assert not set(entry["runtime"]) & set(entry["header_only"])


def test_package_data_in_setup_cfg():
    text = (ROOT / "setup.cfg").read_text("utf-8")
    assert "data/*.json" in text.split("[options.package_data]", 1)[1]


def test_bookworm_and_ubuntu_releases_present():
    releases = rl.known_releases()
    assert "bookworm" in releases["debian"]
    assert {"jammy", "noble"} <= set(releases.get("ubuntu", ()))


# --------------------------------------------------------------------------- runtime_packages

BOOKWORM = {
    "libpq-dev": ("libpq5",),
    "default-libmysqlclient-dev": ("libmariadb3",),
    "libxml2-dev": ("libxml2",),
    "libxslt1-dev": ("libxslt1.1",),
    "libjpeg-dev": ("libjpeg62-turbo",),
    "libffi-dev": ("libffi8",),
    "libssl-dev": ("libssl3",),
    "zlib1g-dev": ("zlib1g",),
    "libyaml-dev": ("libyaml-0-2",),
    "libldap2-dev": ("libldap-2.5-0",),
    "libsasl2-dev": ("libsasl2-2",),
    "libc6-dev": ("libc6",),
    "linux-libc-dev": (),
}


@pytest.mark.parametrize(("dev", "runtime"), sorted(BOOKWORM.items()))
def test_bookworm_examples(dev, runtime):
    assert rl.runtime_packages(dev, "debian", "bookworm") == runtime


def test_chains_through_dev_packages():
    # metapackages / transitional packages reach the library through other -dev packages
    assert rl.runtime_packages("libmariadb-dev-compat", "debian", "bookworm") == ("libmariadb3",)
    assert rl.runtime_packages("libjpeg62-turbo-dev", "debian", "bookworm") == ("libjpeg62-turbo",)
    assert set(rl.runtime_packages("tk-dev", "debian", "bookworm") or ()) == {
        "libtk8.6",
        "libtcl8.6",
    }
    krb5 = rl.runtime_packages("libkrb5-dev", "debian", "bookworm") or ()
    assert {"libkrb5-3", "libgssapi-krb5-2"} <= set(krb5)
    # the same-source library only, not the other -dev packages' libraries
    assert "libxml2" not in (rl.runtime_packages("libxslt1-dev", "debian", "bookworm") or ())
    # header-only: nothing, and not gcc's runtime libraries
    assert rl.runtime_packages("libboost1.74-dev", "debian", "bookworm") == ()


def test_virtual_names_resolve_to_their_provider():
    assert rl.runtime_packages("libxslt-dev", "debian", "bookworm") == ("libxslt1.1",)
    entry = rl.runtime_libs_data()["releases"]["debian"]["bookworm"]
    assert entry["virtual"]["libxslt-dev"] == "libxslt1-dev"


def test_releases_differ():
    assert rl.runtime_packages("libssl-dev", "debian", "bullseye") == ("libssl1.1",)
    assert rl.runtime_packages("libffi-dev", "debian", "bullseye") == ("libffi7",)
    assert rl.runtime_packages("libssl-dev", "ubuntu", "noble") == ("libssl3t64",)
    assert rl.runtime_packages("libjpeg-dev", "ubuntu", "jammy") == ("libjpeg8",)
    assert rl.runtime_packages("default-libmysqlclient-dev", "ubuntu", "jammy") == (
        "libmysqlclient21",
    )


def test_release_spellings():
    assert rl.normalize_release("debian", "12") == "bookworm"
    assert rl.normalize_release("debian", "12.5") == "bookworm"
    assert rl.normalize_release("Ubuntu", "22.04") == "jammy"
    assert rl.normalize_release("alpine", "v3.19.1") == "3.19"
    assert rl.runtime_packages("libpq-dev", "Debian", "12") == ("libpq5",)
    assert rl.runtime_packages("LIBPQ-DEV:amd64", "debian", "bookworm") == ("libpq5",)


def test_unknown_is_none():
    assert rl.runtime_packages("libdoes-not-exist-dev", "debian", "bookworm") is None
    assert rl.runtime_packages("libpq-dev", "debian", "hamm") is None
    assert rl.runtime_packages("libpq-dev", "gentoo", "bookworm") is None
    # left out of the data on purpose (Rust crates): unknown, not "needs nothing"
    assert rl.runtime_packages("librust-serde-dev", "debian", "bookworm") is None


def test_alpine_when_reachable():
    if "alpine" not in rl.known_releases():
        data = rl.runtime_libs_data()
        assert any(u.startswith("alpine/") for u in data["unavailable"])
        assert rl.runtime_packages("libpq-dev", "alpine", "3.19") is None
        return
    for release in rl.known_releases()["alpine"]:
        assert rl.runtime_packages("libpq-dev", "alpine", release) == ("libpq",)
        assert rl.runtime_packages("libxml2-dev", "alpine", release) == ("libxml2",)
        assert rl.runtime_packages("libffi-dev", "alpine", release) == ("libffi",)
        assert rl.runtime_packages("mariadb-connector-c-dev", "alpine", release) == (
            "mariadb-connector-c",
        )


# --------------------------------------------------------------------------- base, fat image


def test_base_packages():
    base = rl.base_packages("debian", "bookworm")
    assert {"libc6", "zlib1g", "apt", "dpkg"} <= base
    assert "libpq5" not in base and "libc6-dev" not in base
    assert rl.base_packages("debian", "hamm") == frozenset()


def test_runtime_install_drops_base_and_reports_unknown():
    got = rl.runtime_install(
        ["libpq-dev", "zlib1g-dev", "libc6-dev", "libnope-dev", "libxml2-dev"],
        "debian",
        "bookworm",
    )
    assert got.packages == ("libpq5", "libxml2")
    assert got.unknown == ("libnope-dev",)


def test_fat_base_dev_packages():
    fat = rl.fat_base_dev_packages("bookworm")
    # the buildpack-deps list itself, with virtual names resolved
    assert {"libpq-dev", "libssl-dev", "libxml2-dev", "libxslt1-dev", "zlib1g-dev"} <= fat
    assert {"default-libmysqlclient-dev", "libmariadb-dev"} <= fat
    # the python image's own
    assert {"libbluetooth-dev", "tk-dev", "uuid-dev"} <= fat
    # brought in by dependencies, never named
    assert {"libfreetype-dev", "libpcre2-dev", "libcrypt-dev"} <= fat
    # not in the image
    assert "libldap-dev" not in fat and "unixodbc-dev" not in fat
    assert rl.fat_base_dev_packages("12") == fat
    assert rl.fat_base_dev_packages("hamm") == frozenset()
    for name in fat:
        assert rl.runtime_packages(name, "debian", "bookworm") is not None, name


# --------------------------------------------------------------------------- python_build_deps


def test_python_build_deps_examples():
    assert rl.python_build_deps("psycopg2", "debian") == ("libpq-dev",)
    assert rl.python_build_deps("psycopg2", "ubuntu") == ("libpq-dev",)
    assert rl.python_build_deps("psycopg2", "alpine") == ("libpq-dev",)
    assert set(rl.python_build_deps("lxml", "debian")) == {"libxml2-dev", "libxslt1-dev"}
    assert "libjpeg-dev" in rl.python_build_deps("pillow", "debian")
    assert rl.python_build_deps("psutil", "debian") == ()


@pytest.mark.parametrize("spelling", ["PyYAML", "pyyaml", "PyYaml", "py_yaml", "pyyaml>=6"])
def test_python_build_deps_normalises(spelling):
    expected = ("libyaml-dev",) if spelling != "py_yaml" else ()
    assert rl.python_build_deps(spelling, "debian") == expected


def test_python_build_deps_names():
    assert rl.python_build_deps("Python_LDAP", "debian") == rl.python_build_deps(
        "python-ldap", "debian"
    )
    assert rl.python_build_deps("python.ldap", "debian") != ()
    assert rl.python_build_deps("mysqlclient[extra]", "debian") == ("default-libmysqlclient-dev",)
    assert rl.python_build_deps("not-a-project", "debian") == ()
    assert rl.python_build_deps("psycopg2", "gentoo") == ()


def test_every_python_build_dep_maps_on_bookworm():
    projects = rl.runtime_libs_data()["python_build_deps"]
    assert len(projects) >= 20
    for project, entry in projects.items():
        assert project == rl._canonical(project)
        assert set(entry) >= {"debian", "alpine", "note"}
        for dev in rl.python_build_deps(project, "debian"):
            runtime = rl.runtime_packages(dev, "debian", "bookworm")
            assert runtime, f"{project}: {dev} has no bookworm runtime package"


def test_python_loads_examples():
    assert rl.python_loads("Wand", "debian") == ("libmagickwand-dev",)
    assert rl.python_loads("python_magic", "ubuntu") == ("libmagic-dev",)
    assert rl.python_loads("wand", "alpine") == ("imagemagick-dev",)
    assert rl.python_loads("psycopg2", "debian") == ()  # links libpq: a build dependency
    assert {"wand", "python-magic", "weasyprint", "cairocffi"} <= rl.python_loaders()
    # every library loaded this way is in the full image (else an app there would fail too)
    fat = rl.fat_base_dev_packages("bookworm")
    for project in rl.python_loaders():
        for dev in rl.python_loads(project, "debian"):
            assert rl.runtime_packages(dev, "debian", "bookworm"), (project, dev)
            if dev != "libmagic-dev":  # libmagic1 comes with `file`, not a -dev package
                assert dev in fat or dev == "libpango1.0-dev", (project, dev)


# --------------------------------------------------------------------------- the script


PACKAGES = """\
Package: libfoo1
Source: foo (1.0-1)
Section: libs
Priority: optional
Depends: libc6 (>= 2.34)

Package: libfoo-dev
Source: foo
Section: libdevel
Priority: optional
Depends: libfoo1 (= 1.0-1), libfoo-common, libbar-dev | libbaz-dev, libc6-dev | libc-dev
Provides: libfoo1-dev

Package: libfoo-common
Source: foo
Section: misc
Priority: optional

Package: libfoo-compat-dev
Source: foo
Section: oldlibs
Depends: libfoo-dev

Package: default-libfoo-dev
Source: foo-defaults
Section: devel
Depends: libfoo-compat-dev

Package: libbar-dev
Source: bar
Section: libdevel
Depends: libbar2:any, libc-dev

Package: libbar2
Source: bar
Section: libs

Package: libheaders-dev
Source: headers
Section: libdevel
Depends: libstdc++-dev

Package: libstdc++-12-dev
Source: gcc-12
Section: libdevel
Depends: libstdc++6
Provides: libstdc++-dev

Package: libstdc++6
Source: gcc-12
Section: libs
Priority: required

Package: build-essential
Section: devel
Depends: libstdc++-12-dev, libc6-dev

Package: libc6-dev
Source: glibc
Section: libdevel
Depends: libc6, libc-dev-bin
Provides: libc-dev

Package: libc-dev-bin
Source: glibc
Section: libdevel
Depends: libc6

Package: libc6
Source: glibc
Section: libs
Priority: optional

Package: dpkg
Priority: required
Essential: yes
Depends: libc6
"""


def test_script_derivation(script):
    index = script.DebIndex(script.parse_packages(PACKAGES))
    assert index.runtime("libfoo-dev") == ("libfoo1",)  # not -common, not libbar's
    assert index.runtime("libfoo-compat-dev") == ("libfoo1",)  # same-source chain
    assert index.runtime("default-libfoo-dev") == ("libfoo1",)  # metapackage
    assert index.runtime("libbar-dev") == ("libbar2",)  # ":any" stripped
    assert index.runtime("libheaders-dev") == ()  # the toolchain is not followed
    assert index.runtime("libc6-dev") == ("libc6",)  # -bin helper left out
    release = script.debian_release(index)
    assert release["runtime"]["libfoo-dev"] == ["libfoo1"]
    assert "libheaders-dev" in release["header_only"]
    assert release["virtual"] == {
        "libc-dev": "libc6-dev",
        "libfoo1-dev": "libfoo-dev",
        "libstdc++-dev": "libstdc++-12-dev",
    }
    assert release["base"] == ["dpkg", "libc6", "libstdc++6"]


def test_script_closure_follows_apt(script):
    index = script.DebIndex(script.parse_packages(PACKAGES))
    installed = index.closure(["default-libfoo-dev"])
    # libbar-dev is the first alternative; libc-dev is met by libc6-dev already marked
    assert {"libfoo-dev", "libbar-dev", "libbar2", "libc6-dev", "libfoo1"} <= installed
    assert script.fat_dev_packages(index, ["default-libfoo-dev", "libfoo1-dev"]) == [
        "default-libfoo-dev",
        "libbar-dev",
        "libc6-dev",
        "libfoo-compat-dev",
        "libfoo-dev",
    ]


def test_script_alpine(script):
    index_text = (
        b"P:libpq\nV:16.1-r0\no:postgresql16\nD:so:libc.musl-x86_64.so.1\np:so:libpq.so.5=5.16\n\n"
        b"P:libpq-dev\nV:16.1-r0\no:postgresql16\nD:openssl-dev>3 pkgconfig so:libpq.so.5\n"
        b"p:pc:libpq=16.1 cmd:pg_config=16.1-r0\n\n"
        b"P:openssl-dev\nV:3\no:openssl\nD:libssl3=3\np:pc:openssl=3\n\n"
        b"P:libssl3\nV:3\no:openssl\np:so:libssl.so.3=3\n\n"
        b"P:mariadb-connector-c-dev\nV:3\no:mariadb-connector-c\n"
        b"D:mariadb-connector-c=3 !mysql-dev\np:mariadb-dev=3\n\n"
        b"P:mariadb-connector-c\nV:3\no:mariadb-connector-c\np:so:libmariadb.so.3=3\n"
    )
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("APKINDEX")
        info.size = len(index_text)
        tar.addfile(info, io.BytesIO(index_text))
    index = script.ApkIndex(script.parse_apkindex(buf.getvalue()))
    release = script.alpine_release(index)
    assert release["runtime"] == {
        "libpq-dev": ["libpq"],
        "mariadb-connector-c-dev": ["mariadb-connector-c"],
        "openssl-dev": ["libssl3"],
    }
    assert release["virtual"] == {"mariadb-dev": "mariadb-connector-c-dev"}


def test_script_reads_buildpack_deps_lists(script, tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(
        "FROM buildpack-deps:bookworm-scm\n"
        "RUN set -ex; \\\n"
        "\tapt-get update; \\\n"
        "\tapt-get install -y --no-install-recommends \\\n"
        "\t\tautoconf \\\n"
        "\t\tlibpq-dev \\\n"
        "\t\t\\\n"
        "# a comment line inside the command\n"
        "\t\t$( \\\n"
        "\t\t\tif apt-cache show 'default-libmysqlclient-dev' 2>/dev/null "
        "| grep -q '^Version:'; then \\\n"
        "\t\t\t\techo 'default-libmysqlclient-dev'; \\\n"
        "\t\t\telse \\\n"
        "\t\t\t\techo 'libmysqlclient-dev'; \\\n"
        "\t\t\tfi \\\n"
        "\t\t) \\\n"
        "\t; \\\n"
        "\trm -rf /var/lib/apt/lists/*\n",
        encoding="utf-8",
    )
    assert script.read_package_list(dockerfile) == [
        "autoconf",
        "libpq-dev",
        "default-libmysqlclient-dev",
    ]
    # the list kept in the script is the one the data was generated from
    fat = rl.fat_base_dev_packages("bookworm")
    index_names = {n for n in script.BUILDPACK_DEPS if n.endswith("-dev")} - {"libxslt-dev"}
    assert index_names <= fat
