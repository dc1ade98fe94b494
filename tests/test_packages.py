"""System package operations: recognition, names, build-tool knowledge, what a RUN leaves."""

from __future__ import annotations

import pytest

from dockerlint_slim.model import build_model
from dockerlint_slim.packages import (
    build_packages_left,
    distro_python,
    is_build_tool,
    is_dev_package,
    is_python_build_package,
    is_python_headers,
    package_name,
    package_ops,
)
from dockerlint_slim.shell import parse_commands


def ops_of(snippet: str, env=None):
    return package_ops(parse_commands(snippet, 0), env)


def summary(snippet: str, env=None):
    return [(op.kind, op.manager, op.names) for op in ops_of(snippet, env)]


def left(snippet: str, env=None):
    return [word.text for _, word in build_packages_left(ops_of(snippet, env))]


# --------------------------------------------------------------------------- recognition


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        # apt family
        (
            "apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev",
            [("update", "apt", ()), ("install", "apt", ("gcc", "libpq-dev"))],
        ),
        ("apt install -y gcc", [("install", "apt", ("gcc",))]),
        ("aptitude install -y gcc", [("install", "apt", ("gcc",))]),
        ("sudo apt-get install -y gcc", [("install", "apt", ("gcc",))]),
        ("sudo -E -u root apt-get -q install gcc", [("install", "apt", ("gcc",))]),
        (
            "env DEBIAN_FRONTEND=noninteractive apt-get install -y gcc",
            [("install", "apt", ("gcc",))],
        ),
        (
            "apt-get -o Dpkg::Options::=--force-confnew install -y gcc",
            [("install", "apt", ("gcc",))],
        ),
        ("apt-get install -t bookworm-backports -y gcc", [("install", "apt", ("gcc",))]),
        ("apt-get reinstall gcc", [("install", "apt", ("gcc",))]),
        ("apt-get remove -y gcc", [("remove", "apt", ("gcc",))]),
        ("apt-get purge -y gcc make", [("remove", "apt", ("gcc", "make"))]),
        ("apt-get autoremove -y", [("remove", "apt", ())]),
        ("apt-get clean", [("clean", "apt", ())]),
        ("apt-get autoclean", [("clean", "apt", ())]),
        ("apt-get distclean", [("clean", "apt", ())]),
        ("apt-get dist-clean", [("clean", "apt", ())]),
        ("apt-get upgrade -y", []),
        ("apt-get", []),
        ("apt-mark auto '.*'", [("mark-auto", "apt", (".*",))]),
        ("apt-mark manual gcc", [("mark-manual", "apt", ("gcc",))]),
        ("apt-mark showmanual", []),
        # apk
        ("apk add --no-cache gcc musl-dev", [("install", "apk", ("gcc", "musl-dev"))]),
        ("apk --no-cache add gcc", [("install", "apk", ("gcc",))]),
        ("apk add --virtual .build-deps gcc", [("install", "apk", ("gcc",))]),
        ("apk add -t .build-deps gcc", [("install", "apk", ("gcc",))]),
        ("apk add --virtual=.build-deps gcc", [("install", "apk", ("gcc",))]),
        ("apk add -X http://dl-cdn/edge/testing gcc", [("install", "apk", ("gcc",))]),
        ("apk del .build-deps", [("remove", "apk", (".build-deps",))]),
        ("apk del --purge gcc", [("remove", "apk", ("gcc",))]),
        ("apk update", [("update", "apk", ())]),
        ("apk cache clean", [("clean", "apk", ("clean",))]),
        ("apk cache purge", [("clean", "apk", ("purge",))]),
        ("apk upgrade", []),
        ("apk info", []),
        # rpm family
        ("dnf install -y gcc python3-devel", [("install", "dnf", ("gcc", "python3-devel"))]),
        ("dnf -y --setopt=install_weak_deps=False install gcc", [("install", "dnf", ("gcc",))]),
        ("dnf --setopt tsflags=nodocs install -y gcc", [("install", "dnf", ("gcc",))]),
        ("dnf --enablerepo crb install -y gcc", [("install", "dnf", ("gcc",))]),
        ("dnf in -y gcc", [("install", "dnf", ("gcc",))]),
        (
            "yum install -y gcc-c++ openssl-devel",
            [("install", "yum", ("gcc-c++", "openssl-devel"))],
        ),
        ("microdnf install -y gcc", [("install", "microdnf", ("gcc",))]),
        ("dnf5 install -y gcc", [("install", "dnf", ("gcc",))]),
        ("yum remove -y gcc", [("remove", "yum", ("gcc",))]),
        ("yum erase -y gcc", [("remove", "yum", ("gcc",))]),
        ("dnf autoremove -y", [("remove", "dnf", ())]),
        ("dnf clean all", [("clean", "dnf", ("all",))]),
        ("yum clean all", [("clean", "yum", ("all",))]),
        ("microdnf clean all", [("clean", "microdnf", ("all",))]),
        ("dnf makecache", [("update", "dnf", ())]),
        ("dnf update -y", []),  # upgrades packages; not an index refresh
        ('yum groupinstall -y "Development Tools"', [("install", "yum", ("Development Tools",))]),
        ('dnf group install -y "Development Tools"', [("install", "dnf", ("Development Tools",))]),
        ('dnf groups install -y "Development Tools"', [("install", "dnf", ("Development Tools",))]),
        ('yum groupremove -y "Development Tools"', [("remove", "yum", ("Development Tools",))]),
        ("dnf install -y @development-tools", [("install", "dnf", ("@development-tools",))]),
        ("dnf module install -y nodejs:18", []),
        # zypper
        ("zypper -n in gcc make", [("install", "zypper", ("gcc", "make"))]),
        ("zypper --non-interactive install --no-recommends gcc", [("install", "zypper", ("gcc",))]),
        ("zypper in -t pattern devel_basis", [("install", "zypper", ("devel_basis",))]),
        ("zypper rm -u gcc", [("remove", "zypper", ("gcc",))]),
        ("zypper clean -a", [("clean", "zypper", ())]),
        ("zypper cc", [("clean", "zypper", ())]),
        ("zypper refresh", [("update", "zypper", ())]),
        # not package managers
        ("pip install gcc", []),
        ("echo apt-get install gcc", []),
        ("", []),
    ],
)
def test_package_ops(snippet, expected):
    assert summary(snippet) == expected


def test_op_fields_apt():
    (op,) = ops_of("sudo apt-get install -y --no-install-recommends gcc=4:12.2.0-3 make")
    assert op.command.wrappers == ("sudo",)
    assert op.options == ("-y", "--no-install-recommends")
    assert [w.text for w in op.packages] == ["gcc=4:12.2.0-3", "make"]
    assert op.names == ("gcc", "make")
    assert (op.virtual, op.auto_remove, op.no_cache, op.group) == (None, False, False, False)
    # words keep their offsets in the snippet
    assert all(
        "sudo apt-get install -y --no-install-recommends gcc=4:12.2.0-3 make"[w.start : w.end]
        == w.raw
        for w in op.packages
    )


@pytest.mark.parametrize(
    ("snippet", "auto"),
    [
        ("apt-get purge -y --auto-remove gcc", True),
        ("apt-get remove --autoremove gcc", True),
        ("apt-get purge -y gcc", False),
        ("apt-get autoremove -y", True),
        ("apt autopurge -y", True),
        ("apt-get install --auto-remove gcc", False),
        ("dnf autoremove", True),
        ("dnf remove gcc", False),
        ("zypper rm --clean-deps gcc", True),
        ("zypper rm gcc", False),
    ],
)
def test_auto_remove(snippet, auto):
    (op,) = ops_of(snippet)
    assert op.auto_remove is auto


@pytest.mark.parametrize(
    ("snippet", "virtual", "no_cache", "options"),
    [
        (
            "apk add --no-cache --virtual .build-deps gcc musl-dev",
            ".build-deps",
            True,
            ("--no-cache", "--virtual", ".build-deps"),
        ),
        ("apk add -t .bd gcc", ".bd", False, ("-t", ".bd")),
        ("apk add --virtual=.bd gcc", ".bd", False, ("--virtual=.bd",)),
        ("apk --no-cache add -U gcc", None, True, ("--no-cache", "-U")),
        ("apk add gcc", None, False, ()),
    ],
)
def test_apk_fields(snippet, virtual, no_cache, options):
    (op,) = ops_of(snippet)
    assert op.virtual == virtual
    assert op.no_cache is no_cache
    assert op.options == options
    assert op.names == ("gcc",) + (("musl-dev",) if "musl-dev" in snippet else ())


@pytest.mark.parametrize(
    ("snippet", "group"),
    [
        ('yum groupinstall -y "Development Tools"', True),
        ("dnf group install -y development-tools", True),
        ("dnf install -y @development-tools", True),
        ("zypper in -t pattern devel_basis", True),
        ("zypper in -t package gcc", False),
        ("dnf install -y gcc", False),
    ],
)
def test_group(snippet, group):
    (op,) = ops_of(snippet)
    assert op.group is group


def test_non_literal_words_are_kept_as_unknown():
    (op, *_) = ops_of('apt-get install -y $(cat packages.txt) gcc `cat more.txt` "$EXTRA"')
    assert op.names == ("gcc",)
    assert [w.text for w in op.unknown] == ["$(cat packages.txt)", "`cat more.txt`", "$EXTRA"]
    assert build_packages_left([op])[0][1].text == "gcc"


def test_variables_expand_from_env():
    snippet = "apt-get install -y $BUILD_DEPS ${RUNTIME} && apt-get purge -y ${BUILD_DEPS}"
    env = {"BUILD_DEPS": "gcc libc6-dev", "RUNTIME": "libpq5"}
    install, purge = ops_of(snippet, env)
    assert install.names == ("gcc", "libc6-dev", "libpq5")
    assert purge.names == ("gcc", "libc6-dev")
    # synthetic words keep the variable's span
    assert install.packages[0].raw == "$BUILD_DEPS"
    assert snippet[install.packages[0].start : install.packages[0].end] == "$BUILD_DEPS"
    assert left(snippet, env) == []
    # unknown without the values
    assert [w.text for w in ops_of(snippet)[0].unknown] == ["$BUILD_DEPS", "${RUNTIME}"]
    assert ops_of(snippet, {"RUNTIME": "x"})[0].names == ("x",)


def test_env_from_the_model():
    model = build_model(
        "FROM python:3.11\n"
        'ENV BUILD_DEPS="gcc make"\n'
        "RUN apt-get update && apt-get install -y $BUILD_DEPS && pip install psycopg2\n"
    )
    run = model.instructions[-1]
    ops = package_ops(run.commands, run.env)
    assert [w.text for _, w in build_packages_left(ops)] == ["gcc", "make"]


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("text", "manager", "name"),
    [
        ("gcc=12.2*", "apt", "gcc"),
        ("gcc=4:12.2.0-3", "apt", "gcc"),
        ("libpq-dev:amd64", "apt", "libpq-dev"),
        ("libpq-dev:amd64=15.5-0+deb12u1", "apt", "libpq-dev"),
        ("gcc/bookworm-backports", "apt", "gcc"),
        ("./local.deb", "apt", "./local.deb"),
        ("py3-pip~=23", "apk", "py3-pip"),
        ("gcc>=12", "apk", "gcc"),
        ("gcc<13", "apk", "gcc"),
        ("gcc=12.2.1_git20220924-r10", "apk", "gcc"),
        ("gcc~12", "apk", "gcc"),
        ("py3-pip@edge", "apk", "py3-pip"),
        ("so:libpq.so.5", "apk", "so:libpq.so.5"),
        ("gcc-8.5.0-4.el8", "dnf", "gcc"),
        ("gcc-8.5.0-4.el8.x86_64", "yum", "gcc"),
        ("openssl-devel-1:1.1.1k-7.el8", "dnf", "openssl-devel"),
        ("glibc-devel.i686", "dnf", "glibc-devel"),
        ("gcc-toolset-12", "dnf", "gcc-toolset-12"),
        ("python3.11-devel", "dnf", "python3.11-devel"),
        ("gcc>=8", "zypper", "gcc"),
        ("https://example.com/x-1.0.rpm", "dnf", "https://example.com/x-1.0.rpm"),
    ],
)
def test_package_name(text, manager, name):
    assert package_name(text, manager) == name


# --------------------------------------------------------------------------- knowledge


@pytest.mark.parametrize(
    "name",
    [
        "gcc",
        "gcc-12",
        "gcc-4.9",
        "g++",
        "g++-12",
        "gcc-c++",
        "gcc-gfortran",
        "gfortran",
        "gfortran-12",
        "clang",
        "clang-16",
        "make",
        "make-guile",
        "cmake",
        "cmake3",
        "ninja-build",
        "ninja",
        "samurai",
        "meson",
        "build-essential",
        "build-base",
        "alpine-sdk",
        "musl-dev",
        "linux-headers",
        "linux-libc-dev",
        "libc6-dev",
        "libc-dev",
        "glibc-devel",
        "kernel-headers",
        "cargo",
        "rustc",
        "rust",
        "autoconf",
        "automake",
        "libtool",
        "pkg-config",
        "pkgconf",
        "pkgconfig",
        "swig",
        "swig4.0",
        "bison",
        "flex",
        "gcc12",
        "gcc12-c++",
        "gcc-toolset-12",
        "devtoolset-11-gcc",
        "Development Tools",
        "development-tools",
        "@development-tools",
        "@Development Tools",
        "C Development Tools and Libraries",
        "devel_basis",
        "cmd:gcc",
        "cmd:cc",
        "GCC",
    ],
)
def test_is_build_tool(name):
    assert is_build_tool(name)


@pytest.mark.parametrize(
    "name",
    [
        "gcc-12-base",
        "libgcc-s1",
        "libgcc1",
        "libgcc-12-dev",  # a dev package, not a tool
        "libstdc++6",
        "cpp",
        "cpp-12",
        "binutils",
        "llvm",
        "makedev",
        "make-doc",
        "gccgo-doc",
        "cmake-data",
        "libclang1-16",
        "rust-doc",
        "cargo-doc",
        "libtool-doc",
        "python3",
        "python3-dev",
        "libpq5",
        "curl",
        "git",
        "",
        "$(cat packages.txt)",
        "Server",
    ],
)
def test_is_not_build_tool(name):
    assert not is_build_tool(name)


@pytest.mark.parametrize(
    "name",
    [
        "libpq-dev",
        "python3-dev",
        "python3.11-dev",
        "python-dev",
        "python-dev-is-python3",
        "libpython3.11-dev",
        "postgresql-dev",
        "openssl-devel",
        "python3-devel",
        "libffi-dev",
        "default-libmysqlclient-dev",
        "mariadb-connector-c-dev",
        "libxml2-dev",
        "linux-headers",
        "linux-headers-amd64",
        "kernel-headers",
        "libc-dev-bin",
        "libglib2.0-dev-bin",
        "qtbase5-dev-tools",
        "libudev-dev",
        "pc:libffi",
        "LIBPQ-DEV",
    ],
)
def test_is_dev_package(name):
    assert is_dev_package(name)


@pytest.mark.parametrize(
    "name",
    [
        "udev",
        "libudev1",
        "libpq5",
        "libffi8",
        "openssl",
        "dev",
        "-dev",
        "input-devices",
        "hwdata-devices",
        "devscripts",
        "dev-tools",
        "busybox-mdev",
        "libdevmapper1.02.1",
        "python3",
        "gcc",
        "so:libpq.so.5",
        "$(cat packages.txt)",
    ],
)
def test_is_not_dev_package(name):
    assert not is_dev_package(name)


# --------------------------------------------------------------------------- what a RUN leaves


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        # left behind
        ("apt-get update && apt-get install -y gcc libpq-dev", ["gcc", "libpq-dev"]),
        ("sudo apt-get install -y build-essential", ["build-essential"]),
        ("apt install -y python3-dev", ["python3-dev"]),
        (
            "apt-get install -y gcc=4:12.2.0-3 libpq-dev:amd64",
            ["gcc=4:12.2.0-3", "libpq-dev:amd64"],
        ),
        ("apk add --no-cache gcc musl-dev postgresql-dev", ["gcc", "musl-dev", "postgresql-dev"]),
        ("apk add --no-cache 'gcc>=12' py3-pip~=23", ["gcc>=12"]),
        (
            "dnf install -y gcc openssl-devel python3-devel",
            ["gcc", "openssl-devel", "python3-devel"],
        ),
        ("microdnf install -y gcc-c++", ["gcc-c++"]),
        ('yum groupinstall -y "Development Tools"', ["Development Tools"]),
        ("zypper -n in gcc", ["gcc"]),
        # runtime packages are not reported
        ("apt-get install -y gcc-12-base libgcc-s1 libpq5 curl", []),
        ("apk add --no-cache libpq libffi", []),
        # removed in the same RUN
        (
            "apt-get install -y gcc libpq-dev && pip install x"
            " && apt-get purge -y --auto-remove gcc",
            ["libpq-dev"],
        ),
        ("apt-get install -y gcc && apt-get purge -y --auto-remove gcc", []),
        ("apt-get install -y gcc && apt-get remove -y gcc", []),
        ("apt-get install -y gcc=4:12.2.0-3 && apt-get remove -y gcc", []),
        ("sudo apt-get install -y gcc && sudo apt-get purge -y gcc", []),
        ("apk add --virtual .build-deps gcc musl-dev && pip install x && apk del .build-deps", []),
        ("apk add -t .bd gcc && apk del --purge .bd", []),
        ("apk add --no-cache gcc && apk del gcc", []),
        ("dnf install -y gcc && dnf remove -y gcc", []),
        ("yum install -y gcc && dnf remove -y gcc", []),  # yum is dnf on RHEL 8+
        ('yum groupinstall -y "Development Tools" && yum groupremove -y "Development Tools"', []),
        ("zypper in gcc && zypper rm gcc", []),
        # the official images' pattern
        (
            'savedAptMark="$(apt-mark showmanual)"; apt-get update; '
            "apt-get install -y --no-install-recommends gcc libc6-dev; pip install x; "
            "apt-mark auto '.*' > /dev/null; "
            '[ -z "$savedAptMark" ] || apt-mark manual $savedAptMark; '
            "apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false",
            [],
        ),
        # not removed: wrong order, wrong package, a plain autoremove, another manager
        ("apt-get purge -y gcc; apt-get install -y gcc", ["gcc"]),
        ("apt-get install -y gcc make && apt-get purge -y gcc", ["make"]),
        ("apt-get install -y gcc && apt-get autoremove -y", ["gcc"]),
        ("apt-get install -y gcc && apt-get purge -y --auto-remove libpq-dev", ["gcc"]),
        ("apt-get install -y gcc && apk del gcc", ["gcc"]),
        ("apk add --virtual .build-deps gcc && apk del gcc", ["gcc"]),  # held by the virtual
        ("apk add --virtual .build-deps gcc && apk del .other", ["gcc"]),
        ("apt-get install -y gcc; apt-mark auto gcc; apt-get autoremove -y", []),
        (
            "apt-get install -y gcc; apt-mark auto '.*'; apt-mark manual gcc;"
            " apt-get autoremove -y",
            ["gcc"],
        ),
        ("apt-get install -y gcc; apt-mark auto '.*'", ["gcc"]),  # no autoremove follows
        ("apt-get install -y gcc $(cat packages.txt)", ["gcc"]),
    ],
)
def test_build_packages_left(snippet, expected):
    assert left(snippet) == expected


def test_build_packages_left_returns_op_and_word():
    snippet = "apt-get install -y gcc && apk add --no-cache musl-dev"
    result = build_packages_left(ops_of(snippet))
    assert [(op.manager, w.text, snippet[w.start : w.end]) for op, w in result] == [
        ("apt", "gcc", "gcc"),
        ("apk", "musl-dev", "musl-dev"),
    ]


def test_the_distributions_python_packages():
    assert distro_python("python3") == ("python3", True)
    assert distro_python("python3.11-minimal") == ("python3.11-minimal", True)
    assert distro_python("python3-pip") == ("python3", False)
    assert distro_python("python3.12-venv") == ("python3.12", False)
    assert distro_python("python3-requests") is None and distro_python("libpq5") is None
    assert is_python_headers("python3-dev") and is_python_headers("libpython3.11-dev")
    assert not is_python_headers("python3-pip")
    assert is_python_build_package("python3-pip") and is_python_build_package("python3.11-dev")
    assert not is_python_build_package("python3") and not is_python_build_package("python3-yaml")
