"""Regenerate ``dockerlint_slim/data/runtime_libs.json`` from distribution package metadata.

python scripts/update_runtime_libs.py                    # every release below
python scripts/update_runtime_libs.py --only debian      # one distribution (others are kept)
python scripts/update_runtime_libs.py --cache-dir /tmp/x # keep the downloaded indexes
python scripts/update_runtime_libs.py --dry-run          # print a summary, write nothing

A multi-stage rewrite builds in a fat stage (compilers, ``-dev`` packages) and runs in a slim
one, which must install the RUNTIME libraries that replace the builder's ``-dev`` packages
(``libpq-dev`` -> ``libpq5``). This script derives that table from the package indexes:

Debian / Ubuntu (``Packages.xz`` of main, and universe on Ubuntu; amd64). For every binary
package named ``*-dev`` or ``*-dev-compat``, its own runtime packages are the entries of its
``Pre-Depends``/``Depends`` (first alternative of ``a | b``, version constraints and ``:any``
stripped, virtual names resolved to a real provider) that come from the same ``Source``
package and are not helpers: not ``-dev``/``-doc``/``-common``/``-bin``/``-data``/...
packages and not in the ``devel``/``libdevel``/``doc``/``interpreters`` sections
(``libpq-dev`` -> ``libpq5``, ``libc6-dev`` -> ``libc6``, ``python3-dev`` -> ``python3``),
plus those of its same-source development dependencies (``-dev``, ``-multidev``, section
``libdevel``: ``libkrb5-dev`` -> ``krb5-multidev`` -> ``libkrb5-3`` ...). When a package has
no own runtime package (a metapackage, a transitional or a header-only package), its
development dependencies are followed instead, recursively with a visited set:
``default-libmysqlclient-dev`` -> ``libmariadb-dev-compat`` -> ``libmariadb-dev`` ->
``libmariadb3``, ``libjpeg-dev`` -> ``libjpeg62-turbo-dev`` -> ``libjpeg62-turbo``,
``tk-dev`` -> ``libtk8.6``, ``libtcl8.6``.
The compiler toolchain's own development packages (what ``build-essential`` brings:
``libc6-dev``, ``libstdc++-12-dev`` ...) are not followed: their libraries are in every
image, and following them would give every header-only C++ library gcc's runtime
libraries. A package for which nothing is found needs nothing at run time
(``linux-libc-dev``: kernel headers; ``libboost1.74-dev``: header-only).

Alpine (``APKINDEX.tar.gz`` of main and community; x86_64). The same, with the origin
(``o:``) for the source package: a ``*-dev`` package's own runtime packages are the
packages of the same origin that provide (``p:``) the ``so:`` libraries it depends on
(``D:``) or that it names directly, excluding helper packages (``libpq-dev`` -> ``libpq``);
``pc:`` and ``cmd:`` dependencies are build-time only; the toolchain is ``build-base``'s.

Language-ecosystem packages that no pip build links against are left out to keep the file
small: ``librust-*-dev`` and ``golang-*-dev`` (sources for Rust/Go builds) and
``libghc-*-dev`` (Haskell). Looking one of them up answers "unknown".

The JSON has, per distribution and release:

- ``runtime``: ``-dev`` package -> runtime packages (only non-empty ones);
- ``header_only``: ``-dev`` packages known to need nothing at run time (kept as a list so that
  the loader can tell "needs nothing" from "unknown");
- ``virtual``: ``-dev`` names that are only provided by other packages -> the provider, when
  exactly one package provides it (``libxslt-dev`` -> ``libxslt1-dev`` on Debian);
- ``base``: what every Debian/Ubuntu image of the release has, ``-slim`` included: the
  ``Priority: required`` and ``Essential`` packages and their dependencies, as debootstrap
  installs them (it matches ``debian:bookworm-slim`` exactly); installing one of them in a
  runtime stage is a no-op. Empty for Alpine.

and at the top level:

- ``fat_python_dev_packages``: per Debian release, the ``-dev`` packages that the full
  ``python:3.X-<release>`` images ship: what ``apt-get install --no-install-recommends``
  of the ``buildpack-deps:<release>`` package list plus the ``python`` image's own
  ``libbluetooth-dev tk-dev uuid-dev`` installs (apt's choice among alternatives and
  providers is followed; checked against the images with Docker when it runs);
- ``python_build_deps``: curated (``PYTHON_BUILD_DEPS`` below): PyPI project -> the Debian and
  Alpine ``-dev`` packages whose libraries a source build of it links against (measured for
  most by building them in the full python image, see the comment there). Every Debian name
  must exist in bookworm (checked here; the run fails otherwise).
- ``python_loads``: curated (``PYTHON_LOADS`` below): PyPI project -> the ``-dev`` packages
  whose libraries it loads at run time through ctypes or cffi (no extension module, so
  ``ldd`` cannot see the need), for libraries the full python image has and the slim one
  lacks, and ``libraries``: the file names it opens (``libmagic.so``; a release's versioned
  file is ``libmagic.so.1``), which a rewrite for a release without data looks up in the
  builder's package database. Checked like ``python_build_deps``.

A release whose index cannot be downloaded is reported and left out (``unavailable`` in the JSON,
with the reason); with ``--only`` the releases of the other distributions are kept from the
existing file.

Certificates: the default SSL context honours ``SSL_CERT_FILE``; when that fails the script
retries with ``certifi``'s bundle if it is installed.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import io
import json
import lzma
import re
import shutil
import ssl
import subprocess
import sys
import tarfile
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "dockerlint_slim" / "data" / "runtime_libs.json"
RIG_SCRIPT = Path("/work/shared/rig/make-python-bases.sh")
USER_AGENT = "dockerlint-slim-update-runtime-libs/1"

DEBIAN = "https://deb.debian.org/debian/dists/{release}/{component}/binary-amd64/Packages.xz"
UBUNTU = "http://archive.ubuntu.com/ubuntu/dists/{release}/{component}/binary-amd64/Packages.xz"
ALPINE = "https://dl-cdn.alpinelinux.org/alpine/v{release}/{component}/x86_64/APKINDEX.tar.gz"

# distribution -> (url template, components, releases)
SOURCES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    # buster: the python images' Debian from 2019 to 2023 (archived; its index may be gone)
    "debian": (DEBIAN, ("main",), ("buster", "bullseye", "bookworm", "trixie")),
    "ubuntu": (UBUNTU, ("main", "universe"), ("bionic", "focal", "jammy", "noble")),
    "alpine": (ALPINE, ("main", "community"), ("3.18", "3.19", "3.20")),
}

# Left out of the table (see the module docstring).
EXCLUDED_PREFIXES = ("librust-", "golang-", "libghc-")

# The ``buildpack-deps:<release>`` package list, as in
# https://github.com/docker-library/buildpack-deps/blob/master/debian/bookworm/Dockerfile
# (the same list for bullseye, bookworm and trixie; ``default-libmysqlclient-dev`` is chosen
# there when it exists, ``libmysqlclient-dev`` otherwise), and the ``-dev`` packages the
# ``python`` image adds on top of it
# (https://github.com/docker-library/python, <version>/<release>/Dockerfile).
BUILDPACK_DEPS = (  # noqa: SIM905 (kept as one string, like the upstream list)
    "autoconf automake bzip2 dpkg-dev file g++ gcc imagemagick libbz2-dev libc6-dev "
    "libcurl4-openssl-dev libdb-dev libevent-dev libffi-dev libgdbm-dev libglib2.0-dev "
    "libgmp-dev libjpeg-dev libkrb5-dev liblzma-dev libmagickcore-dev libmagickwand-dev "
    "libmaxminddb-dev libncurses5-dev libncursesw5-dev libpng-dev libpq-dev libreadline-dev "
    "libsqlite3-dev libssl-dev libtool libwebp-dev libxml2-dev libxslt-dev libyaml-dev make "
    "patch unzip xz-utils zlib1g-dev default-libmysqlclient-dev"
).split()
PYTHON_IMAGE_DEPS = ("libbluetooth-dev", "tk-dev", "uuid-dev")

# Curated: PyPI project -> the -dev packages whose runtime libraries it opens with ctypes or
# cffi's ABI mode (dlopen by name), so no NEEDED entry shows the need. Only libraries the full
# python image ships (buildpack-deps brings `file`, ImageMagick, cairo and pango) and the slim
# image lacks: an app on the full image relies on them without installing anything. Wand and
# python-magic were checked by running them in both images; the others follow their docs.
PYTHON_LOADS: dict[str, dict[str, Any]] = {
    "python-magic": {
        "debian": ["libmagic-dev"],
        "alpine": ["file-dev"],
        "note": "loads libmagic with ctypes",
        "libraries": ["libmagic.so"],
    },
    "file-magic": {
        "debian": ["libmagic-dev"],
        "alpine": ["file-dev"],
        "note": "the bindings shipped with file(1): load libmagic with ctypes",
        "libraries": ["libmagic.so"],
    },
    "filemagic": {
        "debian": ["libmagic-dev"],
        "alpine": ["file-dev"],
        "note": "loads libmagic with ctypes",
        "libraries": ["libmagic.so"],
    },
    "wand": {
        "debian": ["libmagickwand-dev"],
        "alpine": ["imagemagick-dev"],
        "note": "loads ImageMagick's MagickWand with ctypes",
        "libraries": ["libMagickWand-*.so"],
    },
    "cairocffi": {
        "debian": ["libcairo2-dev"],
        "alpine": ["cairo-dev"],
        "note": "loads cairo with cffi (ABI mode)",
        "libraries": ["libcairo.so"],
    },
    "cairosvg": {
        "debian": ["libcairo2-dev"],
        "alpine": ["cairo-dev"],
        "note": "renders through cairocffi, which loads cairo",
        "libraries": ["libcairo.so"],
    },
    "weasyprint": {
        "debian": ["libpango1.0-dev"],
        "alpine": ["pango-dev"],
        "note": "loads pango, pangoft2, fontconfig and harfbuzz with cffi (ABI mode)",
        "libraries": [
            "libgobject-2.0.so",
            "libpango-1.0.so",
            "libpangoft2-1.0.so",
            "libharfbuzz.so",
            "libfontconfig.so",
        ],
    },
}

# Curated: PyPI project (PEP 503 name) -> the -dev packages whose libraries a source build of
# it links against (Debian names, valid on Ubuntu too, and Alpine names), with a note.
# Measured for psycopg2, psycopg-c, mysqlclient, lxml, pillow, uwsgi, cffi, pyyaml, pycurl,
# psutil, netifaces, gssapi, kerberos, pykerberos, pyodbc, python-ldap, xmlsec, dbus-python,
# pycairo, pygobject (< 3.51), pylibmc and shapely: each was built from source with pip in
# python:3.11-bookworm (the full image, plus the -dev packages it lacks) and the NEEDED
# entries of its extension modules (``readelf -d``) were mapped to packages. Optional
# libraries that a build picks up when present are included (pillow, uwsgi), as the builder
# of a rewrite is that full image. The others come from the projects' build documentation.
# The Alpine lists name the same libraries. An empty list: a native build that links nothing
# but libc (bundled or no libraries). Left out, not certain enough: numpy/scipy (the
# BLAS/LAPACK choice varies), sasl (no longer builds on current Pythons).
PYTHON_BUILD_DEPS: dict[str, dict[str, Any]] = {
    "psycopg2": {
        "debian": ["libpq-dev"],
        "alpine": ["libpq-dev"],
        "note": "links libpq",
    },
    "psycopg-c": {
        "debian": ["libpq-dev"],
        "alpine": ["libpq-dev"],
        "note": "psycopg[c]: links libpq",
    },
    "mysqlclient": {
        "debian": ["default-libmysqlclient-dev"],
        "alpine": ["mariadb-connector-c-dev"],
        "note": "links libmariadb (libmysqlclient on Ubuntu); also needs pkg-config to build",
    },
    "mariadb": {
        "debian": ["libmariadb-dev"],
        "alpine": ["mariadb-connector-c-dev"],
        "note": "MariaDB Connector/Python: links libmariadb",
    },
    "lxml": {
        "debian": ["libxml2-dev", "libxslt1-dev"],
        "alpine": ["libxml2-dev", "libxslt-dev"],
        "note": "links libxml2, libxslt and libexslt",
    },
    "pillow": {
        "debian": [
            "libjpeg-dev",
            "zlib1g-dev",
            "libtiff-dev",
            "libfreetype-dev",
            "liblcms2-dev",
            "libwebp-dev",
            "libopenjp2-7-dev",
            "libxcb1-dev",
        ],
        "alpine": [
            "jpeg-dev",
            "zlib-dev",
            "tiff-dev",
            "freetype-dev",
            "lcms2-dev",
            "libwebp-dev",
            "openjpeg-dev",
            "libxcb-dev",
        ],
        "note": "needs libjpeg and zlib; links tiff, freetype, lcms2, webp, openjpeg and xcb "
        "when their -dev packages are present (they are in the full python image)",
    },
    "uwsgi": {
        "debian": [
            "libxml2-dev",
            "libssl-dev",
            "zlib1g-dev",
            "libpcre2-dev",
            "uuid-dev",
            "libcrypt-dev",
        ],
        "alpine": ["libxml2-dev", "openssl-dev", "zlib-dev", "pcre2-dev", "util-linux-dev"],
        "note": "the uwsgi binary picks up libxml2, OpenSSL, zlib, PCRE2, libuuid and libcrypt "
        "when their -dev packages are present (the full python image has them), and links "
        "libpython (the python images' own, under /usr/local/lib)",
        "links_python": True,
    },
    "python-ldap": {
        "debian": ["libldap2-dev", "libsasl2-dev"],
        "alpine": ["openldap-dev"],
        "note": "links libldap and liblber; the build needs the SASL headers too",
    },
    "cffi": {
        "debian": ["libffi-dev"],
        "alpine": ["libffi-dev"],
        "note": "links libffi",
    },
    "pyyaml": {
        "debian": ["libyaml-dev"],
        "alpine": ["yaml-dev"],
        "note": "the optional C extension links libyaml",
    },
    "cryptography": {
        "debian": ["libssl-dev"],
        "alpine": ["openssl-dev"],
        "note": "links OpenSSL; a source build also needs rustc and cargo",
    },
    "m2crypto": {
        "debian": ["libssl-dev"],
        "alpine": ["openssl-dev"],
        "note": "links OpenSSL; needs swig to build",
    },
    "pycurl": {
        "debian": ["libcurl4-openssl-dev", "libssl-dev"],
        "alpine": ["curl-dev", "openssl-dev"],
        "note": "links libcurl and OpenSSL",
    },
    "pyodbc": {
        "debian": ["unixodbc-dev"],
        "alpine": ["unixodbc-dev"],
        "note": "links libodbc",
    },
    "pygraphviz": {
        "debian": ["libgraphviz-dev"],
        "alpine": ["graphviz-dev"],
        "note": "links libcgraph and libgvc; the build runs graphviz's dot, so it needs "
        "graphviz too",
    },
    "python-magic": {
        "debian": ["libmagic-dev"],
        "alpine": ["file-dev"],
        "note": "compiles nothing: loads libmagic with ctypes at run time, so the runtime "
        "package (libmagic1 / libmagic) is needed",
    },
    "gssapi": {
        "debian": ["libkrb5-dev"],
        "alpine": ["krb5-dev"],
        "note": "links the MIT Kerberos GSSAPI library",
    },
    "kerberos": {
        "debian": ["libkrb5-dev"],
        "alpine": ["krb5-dev"],
        "note": "links the MIT Kerberos libraries",
    },
    "pykerberos": {
        "debian": ["libkrb5-dev"],
        "alpine": ["krb5-dev"],
        "note": "links the MIT Kerberos libraries",
    },
    "xmlsec": {
        "debian": ["libxmlsec1-dev", "libxml2-dev"],
        "alpine": ["xmlsec-dev", "libxml2-dev"],
        "note": "links libxmlsec1, its OpenSSL backend and libxml2; needs pkg-config to build",
    },
    "dbus-python": {
        "debian": ["libdbus-1-dev", "libglib2.0-dev"],
        "alpine": ["dbus-dev", "glib-dev"],
        "note": "links libdbus-1 and GLib",
    },
    "pycairo": {
        "debian": ["libcairo2-dev"],
        "alpine": ["cairo-dev"],
        "note": "links cairo",
    },
    "pygobject": {
        "debian": ["libgirepository1.0-dev", "libcairo2-dev", "libffi-dev"],
        "alpine": ["gobject-introspection-dev", "cairo-dev", "libffi-dev"],
        "note": "links libgirepository, GLib, cairo and libffi; releases >= 3.51 need "
        "libgirepository-2.0-dev (GLib >= 2.80, not in bookworm)",
    },
    "h5py": {
        "debian": ["libhdf5-dev"],
        "alpine": ["hdf5-dev"],
        "note": "links HDF5",
    },
    "pylibmc": {
        "debian": ["libmemcached-dev", "zlib1g-dev"],
        "alpine": ["libmemcached-dev", "zlib-dev"],
        "note": "links libmemcached",
    },
    "shapely": {
        "debian": ["libgeos-dev"],
        "alpine": ["geos-dev"],
        "note": "links the GEOS C API",
    },
    "pyaudio": {
        "debian": ["portaudio19-dev"],
        "alpine": ["portaudio-dev"],
        "note": "links PortAudio (from the project's build documentation)",
    },
    "python-prctl": {
        "debian": ["libcap-dev"],
        "alpine": ["libcap-dev"],
        "note": "links libcap (from the project's build documentation)",
    },
    "annoy": {"debian": [], "alpine": [], "note": "C++ with no library besides libstdc++"},
    "fasttext": {"debian": [], "alpine": [], "note": "C++ with no library besides libstdc++"},
    "evdev": {"debian": [], "alpine": [], "note": "kernel headers only at build time"},
    "pyjq": {"debian": [], "alpine": [], "note": "jq and oniguruma are bundled and linked in"},
    "confluent-kafka": {
        "debian": ["librdkafka-dev"],
        "alpine": ["librdkafka-dev"],
        "note": "links librdkafka (of a matching version)",
    },
    "pymssql": {
        "debian": ["freetds-dev"],
        "alpine": ["freetds-dev"],
        "note": "links FreeTDS (libsybdb)",
    },
    "psutil": {"debian": [], "alpine": [], "note": "links only libc"},
    "netifaces": {"debian": [], "alpine": [], "note": "links only libc"},
    "gevent": {"debian": [], "alpine": [], "note": "bundles libev and libuv"},
    "uvloop": {"debian": [], "alpine": [], "note": "bundles libuv"},
}

# Helpers that are never the runtime half of a -dev package.
HELPER_SUFFIXES = (
    "-dev",
    "-dev-compat",
    "-dev-bin",
    "-dev-tools",
    "-multidev",
    "-doc",
    "-docs",
    "-common",
    "-bin",
    "-data",
    "-helpers",
    "-tools",
    "-utils",
    "-dbg",
    "-dbgsym",
    "-static",
    "-openrc",
)
HELPER_SECTIONS = frozenset({"devel", "libdevel", "doc", "interpreters"})
_PRIORITIES = {"required": 0, "important": 1, "standard": 2, "optional": 3, "extra": 4}


def is_dev_name(name: str) -> bool:
    return name.endswith(("-dev", "-dev-compat"))


def kept(name: str) -> bool:
    return is_dev_name(name) and not name.startswith(EXCLUDED_PREFIXES)


# --------------------------------------------------------------------------- fetching


def _contexts() -> Iterable[ssl.SSLContext]:
    yield ssl.create_default_context()
    try:
        import certifi
    except ImportError:
        return
    yield ssl.create_default_context(cafile=certifi.where())


def fetch(url: str, cache_dir: Path | None, timeout: float = 120.0) -> bytes:
    """The bytes at *url* (from *cache_dir* when already there). Raises on any failure."""
    cached = None
    if cache_dir is not None:
        cached = cache_dir / re.sub(r"[^A-Za-z0-9._-]+", "_", url.split("://", 1)[-1])
        if cached.exists():
            return cached.read_bytes()
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    last: Exception | None = None
    for ctx in _contexts():
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=ctx) as resp:
                data: bytes = resp.read()
                break
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, ssl.SSLCertVerificationError):
                last = exc
                continue  # try the next certificate bundle
            raise
    else:
        raise RuntimeError(f"certificate verification failed: {last}")
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(data)
    return data


def _describe(exc: Exception) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return f"{type(exc).__name__}: {exc}"


class _Index(Protocol):
    toolchain: frozenset[str]

    def split_deps(self, name: str) -> Iterator[tuple[str, str]]: ...


class _Walker:
    """The ``-dev`` -> runtime derivation shared by the Debian and Alpine indexes.

    ``own(p)``: the same-source runtime dependencies of *p* and, recursively, of its
    same-source development dependencies. ``runtime(p)``: ``own(p)``, or when that is empty
    (a metapackage, a transitional or a header-only package) the union of ``runtime`` of
    all its development dependencies, except the compiler toolchain's (what
    ``build-essential`` / ``build-base`` brings: their libraries are in every image).
    The fallback is taken only at that level: a development dependency that merely comes
    along (``libxmu-headers`` of ``libxmu-dev``) does not drag in its own dependencies'
    libraries. Results that a dependency cycle cut short depend on the path taken and are
    not cached.
    """

    def __init__(self, index: _Index) -> None:
        self.index = index
        self._own: dict[str, tuple[str, ...]] = {}
        self._runtime: dict[str, tuple[str, ...]] = {}

    def _deps(self, name: str) -> dict[str, list[str]]:
        by_kind: dict[str, list[str]] = {"runtime": [], "same-dev": [], "other-dev": []}
        for kind, dep in self.index.split_deps(name):
            by_kind[kind].append(dep)
        return by_kind

    def own(
        self, name: str, visiting: frozenset[str] = frozenset()
    ) -> tuple[tuple[str, ...], bool]:
        if name in self._own:
            return self._own[name], False
        visiting = visiting | {name}
        deps = self._deps(name)
        found = set(deps["runtime"])
        cut = False
        for dev in deps["same-dev"]:
            if dev in visiting:
                cut = True
                continue
            sub, sub_cut = self.own(dev, visiting)
            found.update(sub)
            cut = cut or sub_cut
        result = tuple(sorted(found))
        if not cut:
            self._own[name] = result
        return result, cut

    def runtime(
        self, name: str, visiting: frozenset[str] = frozenset()
    ) -> tuple[tuple[str, ...], bool]:
        if name in self._runtime:
            return self._runtime[name], False
        result, cut = self.own(name)
        if not result:
            visiting = visiting | {name}
            deps = self._deps(name)
            found: set[str] = set()
            for dev in deps["same-dev"] + deps["other-dev"]:
                if dev in self.index.toolchain:
                    continue
                if dev in visiting:
                    cut = True
                    continue
                sub, sub_cut = self.runtime(dev, visiting)
                found.update(sub)
                cut = cut or sub_cut
            result = tuple(sorted(found))
        if not cut:
            self._runtime[name] = result
        return result, cut


# --------------------------------------------------------------------------- Debian / Ubuntu


@dataclass
class DebPackage:
    name: str
    source: str
    section: str
    priority: str
    essential: bool = False
    depends: list[str] = field(default_factory=list)  # first alternatives, bare names
    provides: list[str] = field(default_factory=list)
    alternatives: list[list[str]] = field(default_factory=list)  # every "a | b" group


_NAME_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9.+-]*)")


def _bare(entry: str) -> str | None:
    """``libc6 (>= 2.34)`` / ``python3:any`` -> ``libc6`` / ``python3``."""
    m = _NAME_RE.match(entry)
    return m.group(1) if m else None


def _alternatives(value: str) -> list[list[str]]:
    groups = []
    for group in value.split(","):
        names = [n for alt in group.split("|") if (n := _bare(alt))]
        if names:
            groups.append(names)
    return groups


def parse_packages(text: str) -> dict[str, DebPackage]:
    """The stanzas of a Debian ``Packages`` file, by package name (the last one wins)."""
    packages: dict[str, DebPackage] = {}
    for stanza in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if not line or line[0] in " \t":
                continue  # continuation lines (descriptions) are not needed
            key, sep, value = line.partition(":")
            if sep:
                fields[key] = value.strip()
        name = fields.get("Package")
        if not name:
            continue
        source = fields.get("Source", name).split(" ", 1)[0]
        section = fields.get("Section", "").rsplit("/", 1)[-1]  # "universe/libs" -> "libs"
        groups = _alternatives(fields.get("Pre-Depends", ""))
        groups += _alternatives(fields.get("Depends", ""))
        provides = [n for p in fields.get("Provides", "").split(",") if (n := _bare(p))]
        packages[name] = DebPackage(
            name=name,
            source=source,
            section=section,
            priority=fields.get("Priority", ""),
            essential=fields.get("Essential", "") == "yes",
            depends=[g[0] for g in groups],
            provides=provides,
            alternatives=groups,
        )
    return packages


class DebIndex:
    """Resolution of names and ``-dev`` -> runtime derivation over one release's packages."""

    def __init__(self, packages: dict[str, DebPackage]) -> None:
        self.packages = packages
        self.providers: dict[str, list[str]] = {}
        for pkg in packages.values():
            for virtual in pkg.provides:
                if virtual != pkg.name:
                    self.providers.setdefault(virtual, []).append(pkg.name)
        # how often each name is depended on: apt-like preference among several providers
        self.popularity: dict[str, int] = {}
        for pkg in packages.values():
            for dep in pkg.depends:
                self.popularity[dep] = self.popularity.get(dep, 0) + 1
        self.toolchain = frozenset(self.closure(["build-essential"]))
        self._walker = _Walker(self)

    def resolve(self, name: str, wanted_source: str | None = None) -> str | None:
        """*name* if it is a real package, else the provider apt would most likely pick."""
        if name in self.packages:
            return name
        providers = self.providers.get(name)
        if not providers:
            return None
        if wanted_source is not None:
            same = [p for p in providers if self.packages[p].source == wanted_source]
            if same:
                providers = same
        return min(providers, key=lambda p: (-self.popularity.get(p, 0), len(p), p))

    def is_devish(self, name: str) -> bool:
        pkg = self.packages[name]
        return is_dev_name(name) or name.endswith("-multidev") or pkg.section == "libdevel"

    def is_helper(self, name: str) -> bool:
        pkg = self.packages[name]
        return name.endswith(HELPER_SUFFIXES) or pkg.section in HELPER_SECTIONS

    def runtime(self, name: str) -> tuple[str, ...]:
        """The runtime packages replacing the ``-dev`` package *name* (sorted)."""
        return self._walker.runtime(name)[0]

    def split_deps(self, name: str) -> Iterator[tuple[str, str]]:
        """(kind, package) of *name*'s dependencies: kind "runtime", "same-dev", "other-dev"."""
        pkg = self.packages[name]
        for dep in pkg.depends:
            real = self.resolve(dep, pkg.source)
            if real is None:
                continue
            same = self.packages[real].source == pkg.source
            if self.is_devish(real):
                yield ("same-dev" if same else "other-dev"), real
            elif same and not self.is_helper(real):
                yield "runtime", real

    def closure(self, names: Iterable[str], minimal: bool = False) -> set[str]:
        """Every real package that ``apt-get install --no-install-recommends NAMES`` installs.

        Follows apt's marking: depth first, in the order of the command line and of each
        package's ``Pre-Depends`` and ``Depends``; a dependency already met by a marked
        package (by name or by ``Provides``) is skipped, otherwise the first alternative that
        exists is marked (a virtual name: its provider of highest ``Priority``, then with the
        fewest dependencies, then the first by name). With *minimal*, every ``a | b`` is
        decided like a virtual name, as debootstrap does for the base system (it takes
        ``usr-is-merged`` for ``usrmerge | usr-is-merged``).
        """
        marked: set[str] = set()
        provided: set[str] = set()

        def cost(p: str) -> tuple[int, int, str]:
            pkg = self.packages[p]
            return (_PRIORITIES.get(pkg.priority, len(_PRIORITIES)), len(pkg.depends), p)

        def choose(group: list[str]) -> str | None:
            options: list[str] = []
            for alt in group:
                if alt in self.packages:
                    found = [alt]
                else:
                    found = sorted(self.providers.get(alt, []), key=cost)[:1]
                if found and not minimal:
                    return found[0]
                options += found
            return min(options, key=cost) if options else None

        def mark(name: str) -> None:
            marked.add(name)
            provided.add(name)
            provided.update(self.packages[name].provides)
            for group in self.packages[name].alternatives:
                if any(alt in provided for alt in group):
                    continue
                chosen = choose(group)
                if chosen is not None and chosen not in marked:
                    mark(chosen)

        for name in names:
            real = choose([name])
            if real is not None and real not in marked:
                mark(real)
        return marked


def debian_release(index: DebIndex) -> dict[str, Any]:
    runtime: dict[str, list[str]] = {}
    header_only: list[str] = []
    for name in sorted(index.packages):
        if not kept(name):
            continue
        found = index.runtime(name)
        if found:
            runtime[name] = list(found)
        else:
            header_only.append(name)
    virtual = {
        v: providers[0]
        for v, providers in sorted(index.providers.items())
        if kept(v) and v not in index.packages and len(set(providers)) == 1
    }
    base = sorted(
        index.closure(
            (n for n, p in index.packages.items() if p.priority == "required" or p.essential),
            minimal=True,
        )
    )
    return {"runtime": runtime, "header_only": header_only, "virtual": virtual, "base": base}


# --------------------------------------------------------------------------- Alpine


@dataclass
class ApkPackage:
    name: str
    origin: str
    depends: list[str] = field(default_factory=list)  # raw D: entries
    provides: list[str] = field(default_factory=list)  # p: entries without "=version"


def _apk_name(entry: str) -> str:
    """``so:libc.musl-x86_64.so.1`` / ``libpq=16.1-r0`` / ``zlib-dev>=1`` -> the bare name."""
    return re.split(r"[=<>~]", entry, maxsplit=1)[0]


def parse_apkindex(data: bytes) -> dict[str, ApkPackage]:
    """The packages of an ``APKINDEX.tar.gz``."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        member = tar.extractfile("APKINDEX")
        if member is None:
            raise RuntimeError("APKINDEX.tar.gz has no APKINDEX")
        text = member.read().decode("utf-8")
    packages: dict[str, ApkPackage] = {}
    for stanza in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if len(line) > 1 and line[1] == ":":
                fields[line[0]] = line[2:]
        name = fields.get("P")
        if not name:
            continue
        packages[name] = ApkPackage(
            name=name,
            origin=fields.get("o", name),
            depends=[d for d in fields.get("D", "").split() if not d.startswith("!")],
            provides=[_apk_name(p) for p in fields.get("p", "").split()],
        )
    return packages


class ApkIndex:
    def __init__(self, packages: dict[str, ApkPackage]) -> None:
        self.packages = packages
        self.providers: dict[str, list[str]] = {}
        for pkg in packages.values():
            for p in pkg.provides:
                self.providers.setdefault(p, []).append(pkg.name)
        self.toolchain = frozenset(self.closure(["build-base"]))
        self._walker = _Walker(self)

    def resolve(self, name: str, origin: str | None = None) -> str | None:
        if name in self.packages and not name.startswith(("so:", "pc:", "cmd:")):
            return name
        providers = self.providers.get(name)
        if not providers:
            return None
        if origin is not None:
            same = [p for p in providers if self.packages[p].origin == origin]
            if same:
                providers = same
        return min(providers, key=lambda p: (len(p), p))

    def runtime(self, name: str) -> tuple[str, ...]:
        return self._walker.runtime(name)[0]

    def closure(self, names: Iterable[str]) -> set[str]:
        """Every package that installing *names* brings in."""
        seen: set[str] = set()
        todo = [r for n in names if (r := self.resolve(n)) is not None]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            pkg = self.packages[name]
            for entry in pkg.depends:
                real = self.resolve(_apk_name(entry), pkg.origin)
                if real is not None and real not in seen:
                    todo.append(real)
        return seen

    def split_deps(self, name: str) -> Iterator[tuple[str, str]]:
        pkg = self.packages[name]
        for entry in pkg.depends:
            dep = _apk_name(entry)
            if dep.startswith(("pc:", "cmd:")):
                continue  # pkg-config modules and commands: build-time only
            real = self.resolve(dep, pkg.origin)
            if real is None:
                continue
            same = self.packages[real].origin == pkg.origin
            if is_dev_name(real):
                yield ("same-dev" if same else "other-dev"), real
            elif same and not real.endswith(HELPER_SUFFIXES):
                yield "runtime", real


def alpine_release(index: ApkIndex) -> dict[str, Any]:
    runtime: dict[str, list[str]] = {}
    header_only: list[str] = []
    for name in sorted(index.packages):
        if not kept(name):
            continue
        found = index.runtime(name)
        if found:
            runtime[name] = list(found)
        else:
            header_only.append(name)
    virtual = {
        v: providers[0]
        for v, providers in sorted(index.providers.items())
        if kept(v) and v not in index.packages and len(set(providers)) == 1
    }
    return {"runtime": runtime, "header_only": header_only, "virtual": virtual, "base": []}


# --------------------------------------------------------------------------- buildpack-deps


def read_package_list(path: Path) -> list[str]:
    """The packages that the ``apt-get install`` commands of a Dockerfile or shell script name.

    For the ``$( if apt-cache show default-libmysqlclient-dev ...; then echo A; else echo B;
    fi )`` idiom of buildpack-deps, the first ``echo``-ed name is taken (the one that exists
    in the releases this script covers). Comment lines are ignored.
    """
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^\s*#.*\n", "", text)  # comment lines (Dockerfiles allow them anywhere)
    text = re.sub(r"\\\n", " ", text)  # join continued lines
    text = re.sub(  # "$( if ...; then echo 'a'; else echo 'b'; fi )" -> "a"
        r"\$\(\s*if\b.*?echo '([a-z0-9][a-z0-9.+-]+)'.*?\bfi\s*\)",
        lambda m: m.group(1),
        text,
        flags=re.S,
    )
    names: list[str] = []
    for m in re.finditer(r"apt-get install ((?:(?!;|&&|\bEOF\b).)*)", text):
        for token in m.group(1).split():
            if token.startswith(("-", "$", "#")) or token in ("\\", "install"):
                continue
            if re.fullmatch(r"[a-z0-9][a-z0-9.+-]+", token):
                names.append(token)
    return names


def fat_dev_packages(index: DebIndex, explicit: Iterable[str]) -> list[str]:
    names = [n for n in explicit if index.resolve(n) is not None]
    return sorted(n for n in index.closure(names) if is_dev_name(n))


def docker_cross_check(image: str, expected: set[str], dev_only: bool = True) -> None:
    """Compare *expected* with the packages (``-dev`` ones with *dev_only*) in *image*.

    Only a report: skipped when Docker or the image is not there.
    """
    docker = shutil.which("docker") or "/usr/bin/docker"
    if not Path(docker).exists():
        return
    try:
        out = subprocess.run(
            [docker, "run", "--rm", image, "dpkg-query", "-W", "-f", "${Package}\\n"],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"  cross-check with {image} skipped: {exc}", file=sys.stderr)
        return
    installed = {n.split(":", 1)[0] for n in out.split()}
    if dev_only:
        installed = {n for n in installed if is_dev_name(n)}
    missing, extra = sorted(expected - installed), sorted(installed - expected)
    what = "-dev packages" if dev_only else "packages"
    print(
        f"  cross-check with {image}: {len(installed)} {what} installed; "
        f"computed but not installed: {missing or 'none'}; "
        f"installed but not computed: {extra or 'none'}",
        file=sys.stderr,
    )


# --------------------------------------------------------------------------- output


def _dump(value: Any, indent: int = 0) -> str:
    """JSON with objects indented, lists and short objects on one line."""
    pad = "  " * indent
    if isinstance(value, dict):
        flat = json.dumps(value, ensure_ascii=False)
        if len(flat) + len(pad) <= 96 or not value:
            return flat
        items = [f"{pad}  {json.dumps(k)}: {_dump(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and len(json.dumps(value)) + len(pad) > 96:
        # long lists of names: several per line
        lines: list[str] = []
        line = ""
        for item in value:
            piece = json.dumps(item, ensure_ascii=False)
            if line and len(pad) + 2 + len(line) + len(piece) + 2 > 100:
                lines.append(line.rstrip())
                line = ""
            line += piece + ", "
        lines.append(line.rstrip().rstrip(","))
        body = ",\n".join(f"{pad}  {ln.rstrip(',')}" for ln in lines)
        return "[\n" + body + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False)


def _load_existing(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    except (OSError, ValueError):
        return {}


def _check_examples(releases: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Complaints about well-known bookworm mappings (the algorithm's regression check)."""
    expected = {
        "libpq-dev": ["libpq5"],
        "default-libmysqlclient-dev": ["libmariadb3"],
        "libxml2-dev": ["libxml2"],
        "libxslt1-dev": ["libxslt1.1"],
        "libjpeg-dev": ["libjpeg62-turbo"],
        "libffi-dev": ["libffi8"],
        "libssl-dev": ["libssl3"],
        "zlib1g-dev": ["zlib1g"],
        "libyaml-dev": ["libyaml-0-2"],
        "libldap2-dev": ["libldap-2.5-0"],
        "libsasl2-dev": ["libsasl2-2"],
        "libc6-dev": ["libc6"],
    }
    bookworm = releases.get("debian", {}).get("bookworm")
    if bookworm is None:
        return []
    problems = []
    for dev, want in expected.items():
        got = bookworm["runtime"].get(dev, [] if dev in bookworm["header_only"] else None)
        if got != want:
            problems.append(f"bookworm {dev}: expected {want}, derived {got}")
    if "linux-libc-dev" not in bookworm["header_only"]:
        problems.append("bookworm linux-libc-dev: expected to need nothing")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--output", type=Path, default=OUTPUT)
    ap.add_argument("--only", choices=sorted(SOURCES), action="append", help="refresh only these")
    ap.add_argument("--cache-dir", type=Path, help="keep downloaded indexes here and reuse them")
    ap.add_argument(
        "--buildpack-deps-list",
        type=Path,
        help="read the buildpack-deps package list from this Dockerfile or script instead of "
        f"the upstream list kept here (by default {RIG_SCRIPT}, when it exists, is only "
        "compared with that list)",
    )
    ap.add_argument("--no-docker", action="store_true", help="skip the Docker cross-check")
    ap.add_argument("--dry-run", action="store_true", help="print a summary, write nothing")
    args = ap.parse_args(argv)

    existing = _load_existing(args.output)
    wanted = args.only or sorted(SOURCES)
    releases: dict[str, dict[str, Any]] = {
        d: dict(existing.get("releases", {}).get(d, {})) for d in SOURCES if d not in wanted
    }
    previous = existing.get("unavailable", {})
    if isinstance(previous, list):  # older files: names without a reason
        previous = {name: "its index could not be downloaded" for name in previous}
    unavailable: dict[str, str] = {
        name: why for name, why in previous.items() if name.split("/")[0] not in wanted
    }
    fat: dict[str, list[str]] = {
        r: v
        for r, v in existing.get("fat_python_dev_packages", {}).items()
        if "debian" not in wanted
    }
    indexes: dict[tuple[str, str], Any] = {}

    explicit = list(BUILDPACK_DEPS)
    list_source = "upstream list kept in scripts/update_runtime_libs.py"
    if args.buildpack_deps_list is not None:
        explicit = read_package_list(args.buildpack_deps_list)
        if not explicit:
            print(f"{args.buildpack_deps_list}: no apt-get install list found", file=sys.stderr)
            return 2
        list_source = str(args.buildpack_deps_list)
    elif RIG_SCRIPT.exists():
        rig = set(read_package_list(RIG_SCRIPT))
        missing = sorted(set(BUILDPACK_DEPS) - rig)
        print(
            f"buildpack-deps list vs {RIG_SCRIPT}: "
            + (f"missing there: {missing}" if missing else "all upstream packages present"),
            file=sys.stderr,
        )

    for distro in wanted:
        template, components, names = SOURCES[distro]
        releases[distro] = {}
        for release in names:
            urls = [template.format(release=release, component=c) for c in components]
            blobs = []
            try:
                for url in urls:
                    print(f"{distro} {release}: fetching {url}", file=sys.stderr)
                    blobs.append(fetch(url, args.cache_dir))
            except Exception as exc:  # network trouble: report, leave the release out
                print(
                    f"{distro} {release}: NOT REACHABLE ({_describe(exc)}); left out",
                    file=sys.stderr,
                )
                unavailable[f"{distro}/{release}"] = (
                    f"its package index could not be downloaded ({_describe(exc)} for "
                    f"{urls[len(blobs)]}) when the data was made"
                )
                continue
            index: DebIndex | ApkIndex
            if distro == "alpine":
                apk: dict[str, ApkPackage] = {}
                for blob in blobs:
                    apk.update(parse_apkindex(blob))
                index = ApkIndex(apk)
                entry = alpine_release(index)
            else:
                deb: dict[str, DebPackage] = {}
                for blob in blobs:
                    deb.update(parse_packages(lzma.decompress(blob).decode("utf-8")))
                index = DebIndex(deb)
                entry = debian_release(index)
                if distro == "debian":
                    fat[release] = fat_dev_packages(index, [*explicit, *PYTHON_IMAGE_DEPS])
            indexes[(distro, release)] = index
            entry = {"index": urls, **entry}
            releases[distro][release] = entry
            print(
                f"{distro} {release}: {len(entry['runtime'])} -dev packages with runtime "
                f"packages, {len(entry['header_only'])} needing none, "
                f"{len(entry['virtual'])} virtual names",
                file=sys.stderr,
            )

    if not any(releases.get(d) for d in wanted):
        print("no index could be fetched; nothing written", file=sys.stderr)
        return 1

    problems = _check_examples(releases)
    bookworm = indexes.get(("debian", "bookworm"))
    curated = {"python_build_deps": PYTHON_BUILD_DEPS, "python_loads": PYTHON_LOADS}
    for table, projects in curated.items():
        if isinstance(bookworm, DebIndex):
            for project, entry in projects.items():
                for dev in entry["debian"]:
                    if dev not in bookworm.packages:
                        problems.append(f"{table} {project}: {dev} is not in bookworm")
        for (distro, release), index in sorted(indexes.items()):
            key = "alpine" if distro == "alpine" else "debian"
            for project, entry in projects.items():
                for dev in entry[key]:
                    if index.resolve(dev) is None:
                        note = f"{table} {project}: {dev} is not in {distro} {release}"
                        if (distro, release) == ("alpine", "3.19"):
                            problems.append(note)
                        else:
                            print(f"  note: {note}", file=sys.stderr)
    if "alpine/3.19" in unavailable:
        print(
            "  note: Alpine indexes unreachable: the Alpine names of python_build_deps and "
            "python_loads are curated and were not checked",
            file=sys.stderr,
        )
    if problems:
        for p in problems:
            print(f"ERROR: {p}", file=sys.stderr)
        print("nothing written", file=sys.stderr)
        return 1

    if "bookworm" in fat and not args.no_docker:
        # expected differences: buildpack-deps lacks the python image's own -dev packages;
        # a stand-in python image built from Debian's python3-dev has that one's -dev too
        docker_cross_check("buildpack-deps:bookworm", set(fat["bookworm"]))
        docker_cross_check("python:3.11-bookworm", set(fat["bookworm"]))
        base = releases["debian"]["bookworm"]["base"]
        docker_cross_check("debian:bookworm-slim", set(base), dev_only=False)

    doc = {
        "source": (
            "Debian/Ubuntu Packages.xz (amd64) and Alpine APKINDEX.tar.gz (x86_64) indexes, "
            "read by scripts/update_runtime_libs.py; fat_python_dev_packages from the "
            "docker-library buildpack-deps and python Dockerfiles "
            f"({list_source}); python_build_deps and python_loads curated in that script"
        ),
        "generated": _dt.datetime.now(_dt.timezone.utc).date().isoformat(),
        "excluded": [f"{p}*-dev" for p in EXCLUDED_PREFIXES],
        "unavailable": dict(sorted(unavailable.items())),
        "fat_python_dev_packages": dict(sorted(fat.items())),
        "python_build_deps": dict(sorted(PYTHON_BUILD_DEPS.items())),
        "python_loads": dict(sorted(PYTHON_LOADS.items())),
        # last: the small tables above are found without searching past its 2.6 MB
        # (dockerlint_slim.runtime_libs reads one part of the file at a time)
        "releases": {d: dict(sorted(r.items())) for d, r in sorted(releases.items()) if r},
    }
    text = _dump(doc) + "\n"
    if args.dry_run:
        print(f"would write {len(text.encode())} bytes to {args.output}", file=sys.stderr)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output} ({len(text.encode())} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
