"""System package operations in RUN bodies: apt-get/apt/aptitude, apk, dnf/yum/microdnf and
zypper, read from the :class:`~dockerlint_slim.shell.Command` objects of the model (so
``sudo``, ``env`` and other wrappers are already stripped).

:func:`package_ops` turns commands into :class:`PackageOp` records; :func:`is_build_tool` and
:func:`is_dev_package` know which packages only serve to compile; :func:`build_packages_left`
finds those installed in one RUN and not removed in the same RUN.

Package names are matched exactly (anchored patterns), never by prefix: ``gcc-12-base`` and
``libgcc-s1`` are runtime packages, not compilers.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .commands import apt_call, has_option
from .lazy import lazy_pattern
from .model import substitute
from .shell import Command, Word

__all__ = [
    "RPM_OPTIONS_WITH_VALUE",
    "PackageOp",
    "build_packages_left",
    "distro_python",
    "is_build_tool",
    "is_dev_package",
    "is_python_build_package",
    "is_python_headers",
    "package_name",
    "package_ops",
]

# --------------------------------------------------------------------------- the record


@dataclass(frozen=True)
class PackageOp:
    """One package-manager call.

    ``kind`` is "install", "remove", "clean", "update" (refresh the package index: ``apt-get
    update``, ``apk update``, ``dnf makecache``, ``zypper refresh``), "mark-auto" (``apt-mark
    auto PATTERN…``, which lets a later autoremove take those packages) or "mark-manual"
    (``apt-mark manual NAME…``, which keeps them).
    ``manager`` is "apt" (apt-get, apt, aptitude, apt-mark), "apk", "dnf" (also dnf5 and
    tdnf), "yum", "microdnf" or "zypper"; ``command.name`` is the program as called.

    ``packages`` are the package words without options and option values, in order; for
    group installs (``dnf groupinstall "Development Tools"``, ``dnf install @group``,
    ``zypper in -t pattern devel_basis``) the group names, with ``group`` set; for "clean"
    the clean targets (``dnf clean all`` -> ``all``). A word that refers to a variable
    (``$BUILD_DEPS``) is replaced by the words of its value when ``package_ops`` was given
    the ENV/ARG values: those synthetic words keep the variable's span and ``raw``. Words that
    cannot be read (``$(cat packages.txt)``, an unknown variable) go to ``unknown`` instead.
    ``options`` are the option words as written, separate option values included.
    """

    kind: str
    manager: str
    command: Command
    packages: tuple[Word, ...] = ()
    options: tuple[str, ...] = ()
    virtual: str | None = None  # apk add --virtual/-t NAME
    auto_remove: bool = False  # apt-get purge --auto-remove, apt-get autoremove, zypper rm -u
    no_cache: bool = False  # apk --no-cache
    group: bool = False
    unknown: tuple[Word, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Package names with version pins, architectures and repository tags stripped."""
        return tuple(package_name(w.text, self.manager) for w in self.packages)


# --------------------------------------------------------------------------- names

_RPM_ARCH = lazy_pattern(r"\.(?:x86_64|i[3-6]86|noarch|aarch64|ppc64le|s390x|armv7hl|src)$")


def package_name(text: str, manager: str) -> str:
    """``gcc=12.2*`` -> ``gcc``, ``libpq-dev:amd64`` -> ``libpq-dev``, apk ``py3-pip~=23``,
    ``gcc>=12``, ``gcc@edge`` -> the name, rpm ``gcc-8.5.0-4.el8.x86_64`` -> ``gcc``. Paths
    and URLs (``./x.deb``, ``https://…/x.rpm``) are returned unchanged."""
    t = text.strip()
    if "/" in t and (t.startswith((".", "/")) or "://" in t):
        return t
    if manager == "apt":
        t = t.split("=", 1)[0].split("/", 1)[0]
        return t.split(":", 1)[0]
    if manager == "apk":
        return re.split(r"[=<>~]", t, maxsplit=1)[0].split("@", 1)[0]
    # rpm family and zypper
    t = re.split(r"\s*[=<>]", t, maxsplit=1)[0]
    t = _RPM_ARCH.sub("", t)
    parts = t.split("-")
    for i in range(1, len(parts)):
        if re.match(r"\d", parts[i]) and ("." in parts[i] or ":" in parts[i]):
            return "-".join(parts[:i])
    return t


# --------------------------------------------------------------------------- knowledge

# Compilers, linkers' front ends, build systems, toolchain meta-packages and the C library
# headers, as exact names (Debian/Ubuntu, Alpine, Fedora/RHEL, openSUSE). Deliberately left
# out, because images use them at run time too: cpp alone (a text preprocessor), binutils
# (ctypes.util.find_library and PyInstaller call objdump/ld), llvm (runtime JITs), m4, git.
_BUILD_TOOLS = frozenset(
    {
        "gcc",
        "g++",
        "gcc-c++",
        "gcc-gfortran",
        "gfortran",
        "gcc-multilib",
        "g++-multilib",
        "clang",
        "make",
        "make-guile",  # Debian's GNU make built with Guile support
        "cmake",
        "cmake3",
        "ninja",
        "ninja-build",
        "samurai",  # Alpine's ninja
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
        "glibc-headers",
        "kernel-headers",
        "cargo",
        "rustc",
        "rust",
        "autoconf",
        "automake",
        "libtool",
        "libtool-bin",
        "pkg-config",
        "pkgconf",
        "pkgconfig",
        "pkgconf-pkg-config",
        "swig",
        "bison",
        "flex",
        "nasm",
        "yasm",
    }
)
_BUILD_TOOL_PATTERNS = lazy_pattern(
    r"(?:gcc|g\+\+|gfortran|clang)-\d+(?:\.\d+)?"  # gcc-12, g++-4.9, clang-16
    r"|gcc\d+(?:-c\+\+|-fortran)?"  # openSUSE gcc12, gcc12-c++
    r"|gcc-toolset-\d+|devtoolset-\d+(?:-gcc(?:-c\+\+|-gfortran)?|-make|-toolchain)?"  # RHEL
    r"|swig\d+(?:\.\d+)?"  # Debian swig4.0
)
# package groups and patterns (dnf/yum groupinstall, @group, zypper -t pattern), normalised
_BUILD_GROUPS = frozenset(
    {
        "development-tools",
        "c-development",
        "c-development-tools-and-libraries",
        "devel-basis",
        "devel-c-c++",
    }
)
# names an apk ``cmd:NAME`` provider may use for a compiler or build tool
_BUILD_COMMANDS = frozenset({"cc", "c++"})


def is_build_tool(name: str) -> bool:
    """Whether ``name`` (a package name with pins stripped, or a group name) is a compiler,
    build system or toolchain package: ``gcc``, ``gcc-12``, ``g++``, ``clang-16``, ``make``,
    ``cmake``, ``build-essential``, ``build-base``, ``musl-dev``, ``linux-headers``,
    ``cargo``, ``rustc``, ``gfortran``, ``"Development Tools"`` … Exact: ``gcc-12-base``,
    ``libgcc-s1`` and ``cpp``/``cpp-12`` (a text preprocessor) are not."""
    n = name.strip().lower()
    if n.startswith("cmd:"):  # apk add cmd:gcc
        n = n[4:]
        if n in _BUILD_COMMANDS:
            return True
    if n in _BUILD_TOOLS:
        return True
    group = re.sub(r"[\s_]+", "-", n.lstrip("@"))
    if group in _BUILD_GROUPS:
        return True
    return _BUILD_TOOL_PATTERNS.fullmatch(n) is not None


_DEV_SUFFIX = lazy_pattern(r".+-(?:dev|devel|headers|dev-bin|dev-tools)|linux-headers-.+")
_DEV_NAMES = frozenset({"python-dev-is-python3", "python-dev-is-python2"})


# a distribution's Python: the interpreter, and the packages that depend on the interpreter
# they are named after (python3-pip needs python3)
_PYTHON_INTERPRETER = lazy_pattern(r"python3(\.\d+)?(-minimal|-full)?$")
_PYTHON_BRINGS = lazy_pattern(
    r"(?P<python>python3(?:\.\d+)?)-(?:pip|dev|venv|setuptools|wheel|distutils|all|all-dev)$"
)
# distribution packages that serve only to build or install Python packages
_PYTHON_BUILD = lazy_pattern(
    r"python3?(\.\d+)?-(pip|venv|setuptools|wheel|dev|distutils)$|libpython3(\.\d+)?-dev$"
    r"|python-dev-is-python3$|python3-all-dev$"
)
_PYTHON_HEADERS = lazy_pattern(r"(lib)?python3(\.\d+)?-(dev|all-dev)$|python-dev-is-python3$")


def distro_python(name: str) -> tuple[str, bool] | None:
    """For a Debian/Ubuntu package of the distribution's Python 3: (the interpreter package,
    whether ``name`` is that interpreter itself). ``python3.11-minimal`` -> ("python3.11-
    minimal", True); ``python3-pip`` -> ("python3", False): it brings python3 along. None
    for any other package."""
    if _PYTHON_INTERPRETER.match(name):
        return name, True
    m = _PYTHON_BRINGS.match(name)
    return (m.group("python"), False) if m else None


def is_python_build_package(name: str) -> bool:
    """Whether a distribution package serves only to build or install Python packages:
    ``python3-pip``, ``python3-venv``, ``python3.11-dev``, ``libpython3-dev`` …"""
    return _PYTHON_BUILD.match(name) is not None


def is_python_headers(name: str) -> bool:
    """Whether a distribution package ships Python's headers: ``python3-dev``,
    ``python3.11-dev``, ``libpython3-dev``, ``python3-all-dev``, ``python-dev-is-python3``."""
    return _PYTHON_HEADERS.match(name) is not None


def is_dev_package(name: str) -> bool:
    """Whether ``name`` is a development package: headers, static libraries and build-time
    helpers. Matches ``*-dev`` (Debian, Alpine), ``*-devel`` (RPM), ``*-headers``, and the
    build-time helper packages ``*-dev-bin`` (``libc-dev-bin``, ``libglib2.0-dev-bin``) and
    ``*-dev-tools`` (``qtbase5-dev-tools``), ``linux-headers-<flavour>``; also apk
    ``pc:NAME`` (a pkg-config module, provided by a -dev package). Not ``udev``,
    ``libudev1``, ``*-devices``."""
    n = name.strip().lower()
    if n.startswith("pc:"):
        return True
    return n in _DEV_NAMES or _DEV_SUFFIX.fullmatch(n) is not None


# --------------------------------------------------------------------------- recognisers


def _dynamic(word: Word) -> bool:
    return "$" in word.text or "`" in word.text


def _expand(word: Word, env: Mapping[str, str | None] | None) -> list[Word] | None:
    """The words of ``$VAR`` / ``${VAR}`` from ENV/ARG values, or ``None`` when unknown."""
    if env is None or "$(" in word.text or "`" in word.text:
        return None
    text, complete = substitute(word.text, env)
    if not complete or "$" in text:
        return None
    return [Word(part, word.raw, word.start, word.end) for part in text.split()]


def _split_words(
    words: Iterable[Word], env: Mapping[str, str | None] | None
) -> tuple[tuple[Word, ...], tuple[Word, ...]]:
    known: list[Word] = []
    unknown: list[Word] = []
    for w in words:
        if not _dynamic(w):
            known.append(w)
            continue
        expanded = _expand(w, env)
        if expanded is None:
            unknown.append(w)
        else:
            known.extend(expanded)
    return tuple(known), tuple(unknown)


def _scan(
    argv: Sequence[Word], with_value: set[str]
) -> tuple[list[Word], list[Word], dict[str, str]]:
    """Split arguments into option words (with their separate values), operands, and the
    values of options (``--opt=v`` and ``--opt v``). After ``--`` all words are operands."""
    options: list[Word] = []
    operands: list[Word] = []
    values: dict[str, str] = {}
    i = 0
    done = False
    while i < len(argv):
        w = argv[i]
        t = w.text
        if not done and t == "--":
            done = True
        elif not done and t.startswith("-") and t != "-":
            options.append(w)
            name, eq, val = t.partition("=")
            if eq:
                values[name] = val
            elif t in with_value and i + 1 < len(argv):
                options.append(argv[i + 1])
                values[t] = argv[i + 1].text
                i += 1
            else:
                values.setdefault(t, "")
        else:
            operands.append(w)
        i += 1
    return options, operands, values


_APT_KINDS = {
    "install": "install",
    "reinstall": "install",
    "remove": "remove",
    "purge": "remove",
    "autoremove": "remove",
    "auto-remove": "remove",
    "autopurge": "remove",
    "clean": "clean",
    "autoclean": "clean",
    "auto-clean": "clean",
    "distclean": "clean",
    "dist-clean": "clean",
    "update": "update",
}


def _apt(cmd: Command, env: Mapping[str, str | None] | None) -> PackageOp | None:
    if cmd.name == "apt-mark":
        options, operands, _ = _scan(cmd.args, {"-f", "--file", "-o", "--option", "-c"})
        marks = {"auto": "mark-auto", "markauto": "mark-auto", "manual": "mark-manual"}
        if not operands or operands[0].text not in marks:
            return None
        known, unknown = _split_words(operands[1:], env)
        kind = marks[operands[0].text]
        return PackageOp(kind, "apt", cmd, known, tuple(w.text for w in options), unknown=unknown)
    call = apt_call(cmd)
    if call is None or call.sub not in _APT_KINDS:
        return None
    kind = _APT_KINDS[call.sub]
    opts = call.option_texts
    auto = call.sub in ("autoremove", "auto-remove", "autopurge") or (
        kind == "remove" and (has_option(opts, "--auto-remove") or has_option(opts, "--autoremove"))
    )
    known, unknown = _split_words(call.packages, env)
    return PackageOp(kind, "apt", cmd, known, opts, auto_remove=auto, unknown=unknown)


_APK_WITH_VALUE = {
    "--virtual",
    "-t",
    "--repository",
    "-X",
    "--root",
    "-p",
    "--keys-dir",
    "--arch",
    "--cache-dir",
    "--cache-max-age",
    "--repositories-file",
    "--timeout",
    "--wait",
}


def _apk(cmd: Command, env: Mapping[str, str | None] | None) -> PackageOp | None:
    options, operands, values = _scan(cmd.args, _APK_WITH_VALUE)
    if not operands:
        return None
    sub, rest = operands[0].text, operands[1:]
    opts = tuple(w.text for w in options)
    no_cache = "--no-cache" in values
    if sub == "add":
        virtual = values.get("--virtual", values.get("-t")) or None
        known, unknown = _split_words(rest, env)
        return PackageOp(
            "install", "apk", cmd, known, opts, virtual=virtual, no_cache=no_cache, unknown=unknown
        )
    if sub == "del":
        known, unknown = _split_words(rest, env)
        return PackageOp("remove", "apk", cmd, known, opts, no_cache=no_cache, unknown=unknown)
    if sub == "update":
        return PackageOp("update", "apk", cmd, (), opts, no_cache=no_cache)
    if sub == "cache" and rest and rest[0].text in ("clean", "purge"):
        return PackageOp("clean", "apk", cmd, (rest[0],), opts)
    return None


# dnf/yum/microdnf options that take a separate value (``dnf --enablerepo epel install``)
RPM_OPTIONS_WITH_VALUE = frozenset(
    {
        "--setopt",
        "--enablerepo",
        "--disablerepo",
        "--repo",
        "--repoid",
        "--installroot",
        "--releasever",
        "-c",
        "--config",
        "-x",
        "--exclude",
        "--forcearch",
        "-d",
        "--debuglevel",
        "-e",
        "--errorlevel",
        "--rpmverbosity",
        "--downloaddir",
        "--destdir",
        "--color",
    }
)
_RPM_KINDS = {
    "install": "install",
    "in": "install",
    "reinstall": "install",
    "localinstall": "install",
    "remove": "remove",
    "rm": "remove",
    "erase": "remove",
    "autoremove": "remove",
    "clean": "clean",
    "makecache": "update",
}
_RPM_GROUP_KINDS = {
    "install": "install",
    "remove": "remove",
    "erase": "remove",
}


def _rpm(cmd: Command, env: Mapping[str, str | None] | None) -> PackageOp | None:
    manager = "dnf" if cmd.name in ("dnf5", "tdnf") else cmd.name
    options, operands, _ = _scan(cmd.args, set(RPM_OPTIONS_WITH_VALUE))
    if not operands:
        return None
    sub, rest = operands[0].text, operands[1:]
    opts = tuple(w.text for w in options)
    group = False
    kind: str | None
    if sub in ("group", "groups") and rest:
        kind = _RPM_GROUP_KINDS.get(rest[0].text)
        rest, group = rest[1:], True
    elif sub in ("groupinstall", "groupremove", "grouperase"):
        kind = _RPM_GROUP_KINDS.get(sub[5:])
        group = True
    else:
        kind = _RPM_KINDS.get(sub)
    if kind is None:
        return None
    if kind == "update":
        return PackageOp(kind, manager, cmd, (), opts)
    known, unknown = _split_words(rest, env)
    if kind == "install" and not group and known and all(w.text.startswith("@") for w in known):
        group = True
    return PackageOp(
        kind,
        manager,
        cmd,
        known,
        opts,
        auto_remove=sub == "autoremove",
        group=group,
        unknown=unknown,
    )


_ZYPPER_WITH_VALUE = {
    "-R",
    "--root",
    "-D",
    "--reposd-dir",
    "-C",
    "--cache-dir",
    "--raw-cache-dir",
    "--solv-cache-dir",
    "--pkg-cache-dir",
    "-c",
    "--config",
    "-t",
    "--type",
    "-r",
    "--repo",
    "--from",
}
_ZYPPER_KINDS = {
    "in": "install",
    "install": "install",
    "rm": "remove",
    "remove": "remove",
    "clean": "clean",
    "cc": "clean",
    "refresh": "update",
    "ref": "update",
}


def _zypper(cmd: Command, env: Mapping[str, str | None] | None) -> PackageOp | None:
    options, operands, values = _scan(cmd.args, _ZYPPER_WITH_VALUE)
    if not operands or operands[0].text not in _ZYPPER_KINDS:
        return None
    kind = _ZYPPER_KINDS[operands[0].text]
    opts = tuple(w.text for w in options)
    if kind == "update":
        return PackageOp(kind, "zypper", cmd, (), opts)
    known, unknown = _split_words(operands[1:], env)
    group = values.get("-t", values.get("--type", "")) == "pattern"
    auto = kind == "remove" and ("-u" in values or "--clean-deps" in values)
    return PackageOp(
        kind, "zypper", cmd, known, opts, auto_remove=auto, group=group, unknown=unknown
    )


def package_ops(
    commands: Sequence[Command], env: Mapping[str, str | None] | None = None
) -> list[PackageOp]:
    """The package operations among ``commands`` (one RUN's, or several), in order.
    ``env`` (e.g. ``Instruction.env``) lets ``$VAR`` package words be read from ENV/ARG."""
    out: list[PackageOp] = []
    for cmd in commands:
        name = cmd.name
        op: PackageOp | None = None
        if name in ("apt-get", "apt", "aptitude", "apt-mark"):
            op = _apt(cmd, env)
        elif name == "apk":
            op = _apk(cmd, env)
        elif name in ("dnf", "dnf5", "yum", "microdnf", "tdnf"):
            op = _rpm(cmd, env)
        elif name == "zypper":
            op = _zypper(cmd, env)
        if op is not None:
            out.append(op)
    return out


# --------------------------------------------------------------------------- analysis

_FAMILY = {"apt": "apt", "apk": "apk", "zypper": "zypper"}  # dnf, yum, microdnf: "rpm"


def _family(manager: str) -> str:
    return _FAMILY.get(manager, "rpm")


def _pattern_matches(pattern: str, name: str) -> bool:
    """``apt-mark auto`` arguments: names, globs or (deprecated but common) regexes."""
    if pattern == name:
        return True
    if any(c in pattern for c in "*?[]()|+^$\\"):
        try:
            if re.fullmatch(pattern, name):
                return True
        except re.error:
            pass
        return fnmatch.fnmatchcase(name, pattern)
    return False


def _removed_later(op: PackageOp, name: str, later: Sequence[PackageOp]) -> bool:
    family = _family(op.manager)
    marked_auto = False
    for r in later:
        if _family(r.manager) != family:
            continue
        if r.kind == "mark-auto" and any(_pattern_matches(p, name) for p in r.names):
            marked_auto = True
        elif r.kind == "mark-manual" and any(_pattern_matches(p, name) for p in r.names):
            marked_auto = False
        if r.kind != "remove":
            continue
        if op.virtual is not None:
            # a package pulled in by ``apk add --virtual X`` goes when X is deleted
            if op.virtual in r.names:
                return True
            continue
        if name in r.names or (r.auto_remove and marked_auto):
            return True
    return False


def build_packages_left(ops: Sequence[PackageOp]) -> list[tuple[PackageOp, Word]]:
    """Build tools and development packages that ``ops`` (one RUN's operations) install and
    do not remove later in the same RUN. Removal counts when a later remove of the same
    package manager names the package (``apt-get purge [--auto-remove] gcc``, ``apk del
    gcc``, ``dnf remove gcc``), deletes the apk virtual package it was installed under
    (``apk add --virtual .build-deps gcc && apk del .build-deps``), or is an autoremove after
    ``apt-mark auto`` matched the package and no ``apt-mark manual`` took it back (the
    official images' ``savedAptMark`` pattern).
    Words in ``unknown`` are not judged."""
    left: list[tuple[PackageOp, Word]] = []
    for i, op in enumerate(ops):
        if op.kind != "install":
            continue
        for word, name in zip(op.packages, op.names):
            if not (is_build_tool(name) or is_dev_package(name)):
                continue
            if not _removed_later(op, name, ops[i + 1 :]):
                left.append((op, word))
    return left
