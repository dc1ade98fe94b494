"""Regenerate ``dockerlint_slim/data/native_packages.json`` from PyPI.

python scripts/update_native_packages.py               # all curated packages
python scripts/update_native_packages.py lxml numpy    # refresh these, keep the others
python scripts/update_native_packages.py --dry-run     # print, write nothing

Which packages hold native code is curated knowledge (``CANDIDATES`` below, with a note on what
a source build needs). Which of them pip can install from a wheel is measured: for each
package the script makes ONE request to the PyPI simple index JSON API (PEP 691,
``GET https://pypi.org/simple/<name>/`` with ``Accept: application/vnd.pypi.simple.v1+json``)
and reads the file names of every release. The per-version JSON API is not used (it is not
reachable from every network this is run on, and the simple index has everything needed).

For each package the JSON records:

- ``wheels``: what the latest release ships: ``"none"`` (sdist only), ``"windows-only"``,
  ``"no-linux"`` (macOS and/or Windows wheels, none for Linux) or ``"some"`` (Linux wheels).
- ``manylinux`` / ``musllinux``: the latest release has x86_64 glibc / musl wheels.
- ``latest``: the latest final, non-yanked release.
- ``releases``: every final, non-yanked release pip could use on Linux (it has an sdist or a
  Linux wheel), oldest first.
- ``pythons``: per CPython minor version, ``max`` (the newest release whose
  ``Requires-Python`` admits that version: what an unpinned ``pip install`` picks) and the runs
  of ``releases`` that have a wheel for that Python on x86_64 glibc (``manylinux``) and musl
  (``musllinux``), as ``[first, last]`` pairs. abi3 wheels count for every later Python;
  pure-Python wheels count everywhere.
- ``note``: the curated note.

Extras: ``pip install psycopg[c]`` compiles psycopg-c although psycopg itself ships wheels.
For each package of ``PARENTS`` (curated: packages people install with an extra that pulls in
a native package) the script downloads the latest release's wheel (PEP 658 metadata files are
not served everywhere), reads its ``*.dist-info/METADATA`` and records, under the top-level
``extras`` key, which of its extras require a package of ``CANDIDATES`` on CPython/Linux:
``{"psycopg": {"c": ["psycopg-c"], …}}``. Extras that pull in no candidate are left out.

A candidate whose latest release ships only pure-Python wheels is dropped (with a message):
it never compiles. Wheel facts are for x86_64 (Docker's default platform); ``linux_arches``
lists the Linux architectures of the latest release's wheels.

Certificates: the default SSL context honours ``SSL_CERT_FILE``; when that fails the script
retries with ``certifi``'s bundle if it is installed.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import re
import ssl
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "dockerlint_slim" / "data" / "native_packages.json"
INDEX = "https://pypi.org/simple/{name}/"
ACCEPT = "application/vnd.pypi.simple.v1+json"
PYTHONS = ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15")
ARCH = "x86_64"
USER_AGENT = "dockerlint-slim-update-native-packages/1 (+https://pypi.org/simple/ PEP 691)"

# Curated: packages with native code (C, C++, Cython, Rust, Fortran) that people install in
# Python images. The note says what a source build needs (Debian / Alpine package names).
# Left out because their latest releases are pure Python: python-snappy (0.7+ wraps cramjam;
# 0.6 and older were a C extension), python-levenshtein (a wrapper of levenshtein since 0.21),
# thrift-sasl (uses pure-sasl since 0.4.3), ldap3, python-memcached, pymysql.
CANDIDATES: dict[str, str] = {
    "backports-zoneinfo": "C extension; a backport for Python < 3.9, its wheels stop at "
    "CPython 3.8 and it fails to build on 3.12+. Drop it (zoneinfo is in the stdlib since 3.9).",
    "bcrypt": "Rust (PyO3) since 4.0; source builds need rustc and cargo.",
    "cchardet": "Cython/C++; abandoned, no wheels for CPython 3.10+. faust-cchardet is the "
    "maintained fork with wheels.",
    "cffi": "C extension; a source build needs gcc and libffi-dev (apk: libffi-dev).",
    "confluent-kafka": "C extension over librdkafka; a source build needs librdkafka-dev "
    "(apk: librdkafka-dev) of a matching version.",
    "cryptography": "Rust (PyO3) and OpenSSL; a source build needs rustc, cargo, libssl-dev "
    "and pkg-config (apk: openssl-dev, cargo).",
    "cx-oracle": "C extension; renamed python-oracledb (thin mode is pure Python).",
    "cython": "Compiler; also ships pure-Python wheels for platforms without binary ones.",
    "dbus-python": "C extension built with meson; needs libdbus-1-dev and libglib2.0-dev "
    "(apk: dbus-dev, glib-dev).",
    "dlib": "C++ built with CMake; needs cmake and a C++ compiler, and a long compile.",
    "gevent": "C/Cython with bundled libev/libuv; a source build needs gcc and python headers.",
    "greenlet": "C++ extension; a source build needs g++.",
    "grpcio": "C++ extension with bundled gRPC core; a source build takes a long time and "
    "needs g++ (set GRPC_PYTHON_BUILD_SYSTEM_OPENSSL etc. to use system libraries).",
    "grpcio-tools": "C++ extension (protoc bundled); a source build needs g++ and a long time.",
    "h5py": "Cython over HDF5; a source build needs libhdf5-dev (apk: hdf5-dev) and pkg-config.",
    "httptools": "C extension (llhttp); a source build needs gcc.",
    "levenshtein": "C++ extension (rapidfuzz); a source build needs g++ and cmake. "
    "python-Levenshtein is now a pure wrapper around it.",
    "lxml": "C extension over libxml2/libxslt; a source build needs libxml2-dev and "
    "libxslt1-dev (apk: libxml2-dev, libxslt-dev).",
    "lz4": "C extension; a source build needs gcc.",
    "m2crypto": "SWIG C extension over OpenSSL; needs swig and libssl-dev (apk: openssl-dev).",
    "mariadb": "C extension (MariaDB Connector/Python); needs libmariadb-dev (apk: "
    "mariadb-connector-c-dev).",
    "matplotlib": "C++ extensions built with meson; a source build needs g++ and freetype.",
    "mysql-python": "MySQLdb 1.2.x for Python 2 only: does not build on Python 3. Use mysqlclient.",
    "mysqlclient": "C extension; needs gcc, pkg-config and default-libmysqlclient-dev "
    "(apk: mariadb-dev). Linux installs always compile; PyMySQL is a pure-Python alternative.",
    "netifaces": "C extension; unmaintained since 2021, no wheels for new Pythons "
    "(netifaces-plus / ifaddr are alternatives).",
    "numpy": "C extension (meson since 1.26); a source build needs gcc/g++ and is slow.",
    "orjson": "Rust (PyO3); a source build needs rustc and cargo (apk: cargo).",
    "pandas": "Cython/C extensions (meson since 2.1); a source build needs g++ and is slow.",
    "pillow": "C extension; a source build needs libjpeg-dev and zlib1g-dev "
    "(apk: jpeg-dev, zlib-dev) and optional image libraries.",
    "psutil": "C extension; a source build needs gcc and python headers (apk: linux-headers).",
    "psycopg-c": "The C implementation of psycopg 3 (psycopg[c]): sdist only, needs libpq-dev "
    "(apk: postgresql-dev). psycopg[binary] ships wheels.",
    "psycopg2": "C extension; Linux wheels were dropped in 2.8, so pip always compiles it: "
    "needs gcc and libpq-dev (apk: postgresql-dev). psycopg2-binary ships wheels.",
    "psycopg2-binary": "Wheels of psycopg2 with libpq bundled.",
    "pyarrow": "C++ (Arrow); a source build needs the Arrow C++ libraries and cmake.",
    "pycairo": "C extension built with meson; needs libcairo2-dev and pkg-config (apk: cairo-dev).",
    "pycrypto": "C extensions; abandoned (last release 2.6.1, 2013), sdist only and fails to "
    "build on recent Pythons. Use pycryptodome.",
    "pycryptodome": "C extensions; a source build needs gcc.",
    "pycurl": "C extension over libcurl; a source build needs libcurl4-openssl-dev and "
    "libssl-dev (apk: curl-dev).",
    "pydantic-core": "Rust (PyO3); a source build needs rustc and cargo.",
    "pygobject": "C extension built with meson; needs libgirepository1.0-dev (or "
    "libgirepository-2.0-dev) and libcairo2-dev (apk: gobject-introspection-dev).",
    "pygraphviz": "SWIG C extension; needs graphviz-dev (libgraphviz-dev).",
    "pylibmc": "C extension over libmemcached; needs libmemcached-dev and zlib1g-dev "
    "(apk: libmemcached-dev).",
    "pymssql": "Cython over FreeTDS; a source build needs freetds-dev.",
    "pynacl": "C extension (bundled libsodium); a source build needs gcc and make.",
    "pyodbc": "C++ extension; needs unixodbc-dev (apk: unixodbc-dev) to build and "
    "unixodbc at runtime.",
    "python-ldap": "C extension; needs libldap2-dev and libsasl2-dev (apk: openldap-dev). "
    "ldap3 is a pure-Python alternative.",
    "pyuwsgi": "uWSGI packaged as wheels (an alternative to the sdist-only uwsgi).",
    "pyyaml": "Optional C extension over libyaml; ships wheels.",
    "pyzmq": "Cython over libzmq (bundled); a source build needs g++ and cmake.",
    "regex": "C extension; a source build needs gcc.",
    "ruamel-yaml-clib": "C extension of ruamel.yaml; a source build needs gcc.",
    "sasl": "C++ extension over Cyrus SASL; unmaintained, needs libsasl2-dev. pure-sasl is "
    "the pure-Python replacement (thrift-sasl uses it since 0.4.3).",
    "scikit-learn": "Cython/C++ extensions; a source build needs g++ and numpy/scipy.",
    "scipy": "C, C++ and Fortran (meson); a source build needs gfortran and OpenBLAS "
    "(libopenblas-dev) and is slow.",
    "shapely": "C extension over GEOS; a source build needs libgeos-dev.",
    "ujson": "C extension; a source build needs gcc.",
    "uvloop": "Cython over libuv; a source build needs gcc and make.",
    "uwsgi": "C; sdist only, pip always compiles it: needs gcc and the Python headers "
    "(apk: linux-headers). pyuwsgi ships wheels.",
    "xmlsec": "C extension over xmlsec1; needs libxmlsec1-dev, libxml2-dev and pkg-config "
    "(apk: xmlsec-dev).",
    "zstandard": "C extension (bundled zstd); a source build needs gcc.",
    "annoy": "C++ extension (Spotify's Annoy); Linux installs compile: needs g++.",
    "evdev": "C extension over the kernel input headers; sdist only: needs gcc and the kernel "
    "headers (linux-libc-dev; apk: linux-headers).",
    "fasttext": "C++ extension (pybind11); Linux installs compile: needs g++. fasttext-wheel "
    "ships wheels.",
    "gssapi": "Cython over GSSAPI; Linux installs compile: needs gcc and libkrb5-dev "
    "(apk: krb5-dev).",
    "kerberos": "C extension over MIT Kerberos; Linux installs compile: needs gcc and libkrb5-dev "
    "(apk: krb5-dev).",
    "mod-wsgi": "C (an Apache module); sdist only: needs gcc and apache2-dev (apk: apache2-dev).",
    "pyaudio": "C extension over PortAudio; Linux installs compile: needs gcc and portaudio19-dev "
    "(apk: portaudio-dev).",
    "pyjq": "Cython over a bundled jq and oniguruma; Linux installs compile: needs gcc, autoconf, "
    "automake and libtool.",
    "pykerberos": "C extension over MIT Kerberos; sdist only: needs gcc and libkrb5-dev "
    "(apk: krb5-dev).",
    "python-prctl": "C extension; sdist only: needs gcc and libcap-dev (apk: libcap-dev).",
}

# Curated: packages installed with an extra that pulls in a package of CANDIDATES (measured:
# which extras do, and which candidates they pull, is read from the metadata).
PARENTS: tuple[str, ...] = (
    "aiohttp",
    "celery",
    "django",
    "fastapi",
    "passlib",
    "psycopg",
    "pyjwt",
    "python-jose",
    "redis",
    "sqlalchemy",
    "uvicorn",
)


# --------------------------------------------------------------------------- fetching


def _contexts() -> Iterable[ssl.SSLContext]:
    yield ssl.create_default_context()
    try:
        import certifi
    except ImportError:
        return
    yield ssl.create_default_context(cafile=certifi.where())


def _get(req: urllib.request.Request, timeout: float) -> tuple[str, bytes]:
    """``(content type, body)`` of ``req``, trying each certificate bundle in turn."""
    last: Exception | None = None
    for ctx in _contexts():
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=ctx) as resp:
                return resp.headers.get("Content-Type", ""), resp.read()
        except urllib.error.HTTPError:
            raise
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, ssl.SSLCertVerificationError):
                last = exc
                continue  # try the next certificate bundle
            raise
    raise RuntimeError(f"{req.full_url}: certificate verification failed: {last}")


def fetch(name: str, timeout: float = 60.0) -> dict[str, Any] | None:
    """The PEP 691 project page of *name*, or None when PyPI does not know it."""
    req = urllib.request.Request(
        INDEX.format(name=name), headers={"Accept": ACCEPT, "User-Agent": USER_AGENT}
    )
    try:
        ctype, body = _get(req, timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise
    if ACCEPT not in ctype:
        raise RuntimeError(f"{name}: unexpected content type {ctype!r}")
    data: dict[str, Any] = json.loads(body)
    return data


def fetch_metadata(url: str, timeout: float = 120.0) -> str:
    """The core metadata (``*.dist-info/METADATA``) of the wheel at *url*."""
    import io
    import zipfile

    _, body = _get(urllib.request.Request(url, headers={"User-Agent": USER_AGENT}), timeout)
    with zipfile.ZipFile(io.BytesIO(body)) as whl:
        for member in whl.namelist():
            if member.count("/") == 1 and member.endswith(".dist-info/METADATA"):
                return whl.read(member).decode("utf-8", "replace")
    raise RuntimeError(f"{url}: no .dist-info/METADATA in the wheel")


def wheel_url(name: str, page: dict[str, Any]) -> str | None:
    """The URL of a wheel of the latest final release that has one (None: no wheel)."""
    best: tuple[Version, str] | None = None
    for f in page.get("files", []):
        if f.get("yanked"):
            continue
        parsed = _file_version(name, f.get("filename", ""))
        if parsed is None or parsed[0] != "wheel":
            continue
        version = parsed[1]
        if version.is_prerelease or version.is_devrelease:
            continue
        if best is None or version > best[0]:
            best = (version, str(f["url"]))
    return best[1] if best else None


def native_extras(metadata: str, candidates: Iterable[str]) -> dict[str, list[str]]:
    """Extra -> the candidates it requires on CPython 3.11 / Linux x86_64, from the
    ``Provides-Extra`` and ``Requires-Dist`` fields of a core metadata file."""
    from email.parser import HeaderParser

    from packaging.requirements import InvalidRequirement, Requirement

    wanted = set(candidates)
    msg = HeaderParser().parsestr(metadata)
    extras = [str(canonicalize_name(e)) for e in msg.get_all("Provides-Extra") or []]
    env = {
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": ARCH,
        "os_name": "posix",
        "python_version": "3.11",
        "python_full_version": "3.11.9",
    }
    out: dict[str, list[str]] = {}
    for line in msg.get_all("Requires-Dist") or []:
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        name = str(canonicalize_name(req.name))
        if name not in wanted or req.marker is None:
            continue
        for extra in extras:
            if req.marker.evaluate({**env, "extra": extra}) and not req.marker.evaluate(
                {**env, "extra": ""}
            ):
                names = out.setdefault(extra, [])
                if name not in names:
                    names.append(name)
    return {k: sorted(v) for k, v in sorted(out.items())}


# --------------------------------------------------------------------------- analysis

_SDIST_RE = re.compile(r"^(?P<stem>.+)\.(?:tar\.gz|tgz|tar\.bz2|tar\.xz|zip)$", re.I)


def _file_version(name: str, filename: str) -> tuple[str, Version, frozenset[Tag] | None] | None:
    """(kind, version, tags) of a release file: kind "wheel" or "sdist"; None for others."""
    if filename.endswith(".whl"):
        try:
            _, version, _, tags = parse_wheel_filename(filename)
        except (InvalidWheelFilename, InvalidVersion):
            return None
        return "wheel", version, tags
    m = _SDIST_RE.match(filename)
    if not m:
        return None  # .exe, .egg, .msi, .rpm, .dmg ...
    try:
        _, version = parse_sdist_filename(filename)
        return "sdist", version, None
    except (InvalidSdistFilename, InvalidVersion):
        pass
    # tar.bz2 / tgz / odd separators: the version follows the last "-" of the stem
    stem = m.group("stem")
    head, sep, tail = stem.rpartition("-")
    if not sep or canonicalize_name(head) != canonicalize_name(name):
        return None
    try:
        return "sdist", Version(tail), None
    except InvalidVersion:
        return None


def _cp_minor(interpreter: str) -> int | None:
    m = re.fullmatch(r"(?:cp|py)3(\d+)", interpreter)
    return int(m.group(1)) if m else None


def _python_ok(tag: Tag, minor: int) -> bool:
    """Whether CPython 3.<minor> (GIL build) can use a wheel with *tag*'s interpreter/abi."""
    interp, abi = tag.interpreter, tag.abi
    if abi == "abi3":
        n = _cp_minor(interp)
        return interp.startswith("cp") and n is not None and n <= minor
    if abi == "none":
        if interp in ("py3", f"cp3{minor}"):
            return True
        n = _cp_minor(interp)
        return interp.startswith("py") and n is not None and n <= minor
    return interp == f"cp3{minor}" and abi in (f"cp3{minor}", f"cp3{minor}m")


def _platform_kind(platform: str) -> str:
    if platform == "any":
        return "any"
    if platform.startswith("manylinux"):
        return "manylinux"
    if platform.startswith("musllinux"):
        return "musllinux"
    if platform.startswith("linux"):
        return "linux"  # not uploadable to PyPI, but be safe
    if platform.startswith("win"):
        return "windows"
    if platform.startswith("macosx"):
        return "macos"
    return "other"


def _arch(platform: str) -> str | None:
    for arch in ("x86_64", "aarch64", "i686", "armv7l", "ppc64le", "s390x", "riscv64"):
        if platform.endswith("_" + arch):
            return arch
    return None


def _wheel_for(tags: frozenset[Tag], minor: int, libc: str) -> bool:
    for tag in tags:
        kind = _platform_kind(tag.platform)
        platform_ok = kind == "any" or (kind == libc and _arch(tag.platform) == ARCH)
        if platform_ok and _python_ok(tag, minor):
            return True
    return False


def _runs(releases: list[Version], good: set[Version]) -> list[list[str]]:
    runs: list[list[str]] = []
    start: Version | None = None
    prev: Version | None = None
    for v in releases:
        if v in good:
            if start is None:
                start = v
            prev = v
        elif start is not None and prev is not None:
            runs.append([str(start), str(prev)])
            start = prev = None
    if start is not None and prev is not None:
        runs.append([str(start), str(prev)])
    return runs


def analyse(name: str, page: dict[str, Any], note: str) -> dict[str, Any] | None:
    """The JSON entry for one package, or None when it is pure Python."""
    files: dict[Version, list[tuple[str, frozenset[Tag] | None]]] = {}
    requires: dict[Version, str] = {}
    for f in page.get("files", []):
        if f.get("yanked"):
            continue
        parsed = _file_version(name, f.get("filename", ""))
        if parsed is None:
            continue
        kind, version, tags = parsed
        if version.is_prerelease or version.is_devrelease:
            continue
        files.setdefault(version, []).append((kind, tags))
        rp = f.get("requires-python")
        if rp and version not in requires:
            requires[version] = rp
    if not files:
        return {
            "wheels": "none",
            "manylinux": False,
            "musllinux": False,
            "latest": None,
            "releases": [],
            "pythons": {},
            "linux_arches": [],
            "note": note,
        }

    latest = max(files)
    latest_wheels = [t for k, t in files[latest] if k == "wheel" and t is not None]
    kinds = {_platform_kind(tag.platform) for tags in latest_wheels for tag in tags}
    if kinds == {"any"}:
        return None  # pure Python: never compiles
    if not kinds:
        wheels = "none"
    elif kinds & {"manylinux", "musllinux", "linux", "any"}:
        wheels = "some"
    elif kinds == {"windows"}:
        wheels = "windows-only"
    else:
        wheels = "no-linux"

    def linux_usable(v: Version) -> bool:
        for kind, tags in files[v]:
            if kind == "sdist":
                return True
            assert tags is not None
            if any(_platform_kind(t.platform) in ("manylinux", "musllinux", "any") for t in tags):
                return True
        return False

    releases = sorted(v for v in files if linux_usable(v))
    pythons: dict[str, Any] = {}
    for py in PYTHONS:
        minor = int(py.split(".")[1])
        full = Version(f"{py}.99")
        admitted: list[Version] = []
        for v in releases:
            spec = requires.get(v)
            try:
                if spec and not SpecifierSet(spec).contains(full, prereleases=True):
                    continue
            except InvalidSpecifier:
                pass  # pip ignores an invalid Requires-Python
            admitted.append(v)
        entry: dict[str, Any] = {"max": str(max(admitted)) if admitted else None}
        for libc in ("manylinux", "musllinux"):
            good = {
                v
                for v in releases
                for kind, tags in files[v]
                if kind == "wheel" and tags is not None and _wheel_for(tags, minor, libc)
            }
            entry[libc] = _runs(releases, good)
        pythons[py] = entry

    def latest_has(libc: str) -> bool:
        return any(_platform_kind(t.platform) == libc for tags in latest_wheels for t in tags)

    arches = sorted(
        {
            a
            for tags in latest_wheels
            for t in tags
            if _platform_kind(t.platform) in ("manylinux", "musllinux")
            and (a := _arch(t.platform)) is not None
        }
    )
    return {
        "wheels": wheels,
        "manylinux": latest_has("manylinux"),
        "musllinux": latest_has("musllinux"),
        "latest": str(latest),
        "linux_arches": arches,
        "releases": [str(v) for v in releases],
        "pythons": pythons,
        "note": note,
    }


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
    return json.dumps(value, ensure_ascii=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="refresh only these (others are kept)")
    ap.add_argument("--output", type=Path, default=OUTPUT)
    ap.add_argument("--dry-run", action="store_true", help="print the JSON, write nothing")
    ap.add_argument("--delay", type=float, default=0.2, help="seconds between requests")
    args = ap.parse_args(argv)

    names: list[str] = [str(canonicalize_name(n)) for n in args.names] or sorted(CANDIDATES)
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown:
        print(f"not in CANDIDATES (add a note first): {', '.join(unknown)}", file=sys.stderr)
        return 2

    packages: dict[str, Any] = {}
    extras: dict[str, Any] = {}
    if args.names and args.output.exists():
        old = json.loads(args.output.read_text(encoding="utf-8"))
        packages = dict(old["packages"])
        extras = dict(old.get("extras", {}))

    failures = 0
    for i, name in enumerate(names):
        if i:
            time.sleep(args.delay)
        try:
            page = fetch(name)
        except Exception as exc:  # network trouble: report, keep going
            print(f"{name}: FAILED: {exc}", file=sys.stderr)
            failures += 1
            continue
        if page is None:
            print(f"{name}: not on PyPI, skipped", file=sys.stderr)
            packages.pop(name, None)
            continue
        entry = analyse(name, page, CANDIDATES[name])
        if entry is None:
            print(f"{name}: latest release is pure Python, skipped", file=sys.stderr)
            packages.pop(name, None)
            continue
        packages[name] = entry
        print(
            f"{name}: latest {entry['latest']}, wheels={entry['wheels']}, "
            f"manylinux={entry['manylinux']}, musllinux={entry['musllinux']}",
            file=sys.stderr,
        )

    if failures and not packages:
        print("no package could be fetched; nothing written", file=sys.stderr)
        return 1

    if not args.names:
        for parent in PARENTS:
            time.sleep(args.delay)
            try:
                page = fetch(parent)
                url = wheel_url(parent, page) if page is not None else None
                found = native_extras(fetch_metadata(url), CANDIDATES) if url else {}
            except Exception as exc:  # network trouble: report, keep going
                print(f"{parent}: extras FAILED: {exc}", file=sys.stderr)
                failures += 1
                continue
            if url is None:
                print(f"{parent}: no wheel, extras skipped", file=sys.stderr)
            if found:
                extras[parent] = found
                print(f"{parent}: native extras {found}", file=sys.stderr)

    doc = {
        "source": (
            "PyPI simple index JSON API (PEP 691, GET https://pypi.org/simple/<name>/ with "
            f"Accept: {ACCEPT}), read by scripts/update_native_packages.py; wheel facts are "
            f"for Linux {ARCH}; package list and notes are curated in that script"
        ),
        "generated": _dt.datetime.now(_dt.timezone.utc).date().isoformat(),
        "python": list(PYTHONS),
        "platform": f"linux {ARCH}",
        "packages": dict(sorted(packages.items())),
        "extras": dict(sorted(extras.items())),
    }
    text = _dump(doc) + "\n"
    if args.dry_run:
        sys.stdout.write(text)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output} ({len(packages)} packages)", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
