"""Runtime libraries that replace a builder stage's ``-dev`` packages in a slim stage.

The data is ``data/runtime_libs.json``, generated from the Debian, Ubuntu and Alpine package
indexes by ``scripts/update_runtime_libs.py`` (see there for how it is derived). Distros are
``"debian"``, ``"ubuntu"`` and ``"alpine"``; releases are codenames (``"bookworm"``,
``"jammy"``) or Alpine's ``"3.19"``. Version numbers are accepted too (``"12"``,
``"22.04"``, ``"v3.19"``, ``"3.19.1"``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .project import requirement_name

__all__ = [
    "RuntimeInstall",
    "base_packages",
    "excluded_patterns",
    "fat_base_dev_packages",
    "known_releases",
    "links_python",
    "normalize_release",
    "python_build_deps",
    "runtime_install",
    "runtime_libs_data",
    "runtime_packages",
    "unavailable",
]

_DATA = "data/runtime_libs.json"

# Release numbers -> codenames (the images are tagged both ways: debian:12, ubuntu:22.04).
_CODENAMES = {
    "debian": {"10": "buster", "11": "bullseye", "12": "bookworm", "13": "trixie"},
    "ubuntu": {"20.04": "focal", "22.04": "jammy", "24.04": "noble"},
}


@lru_cache(maxsize=1)
def _data_text() -> str:
    try:  # the installed file; importlib.resources (~6 ms to import) for other layouts
        return (Path(__file__).parent / _DATA).read_text("utf-8")
    except OSError:  # pragma: no cover - installed as a zip
        from importlib.resources import files

        return files("dockerlint_slim").joinpath(_DATA).read_text("utf-8")


# the tables before the release tables (the generator writes those last) fit in this
_HEAD_CHARS = 1 << 16
_UNKNOWN: Any = object()


@lru_cache(maxsize=1)
def _head_text() -> str:
    """The start of the data file ("" when it cannot be read so): what a lint that rewrites
    nothing reads of it, without reading the 2.6 MB of release tables after it."""
    try:
        with (Path(__file__).parent / _DATA).open(encoding="utf-8") as handle:
            return handle.read(_HEAD_CHARS)
    except OSError:  # pragma: no cover - installed as a zip: the whole file is read
        return ""


def _head_value(key: str) -> Any:
    """The value of the top-level ``key`` read from :func:`_head_text`; ``_UNKNOWN`` when
    the head does not hold all of it. A top-level key is the only line that starts with
    two spaces and a quote (deeper lines are indented further; no string holds a line
    break), so no object boundary needs checking."""
    head = _head_text()
    marker = f"\n  {json.dumps(key)}: "
    at = head.find(marker)
    if at < 0:
        return _UNKNOWN
    try:
        value, end = json.JSONDecoder().raw_decode(head, at + len(marker))
    except ValueError:  # cut off by the end of the head
        return _UNKNOWN
    return value if end < len(head) else _UNKNOWN  # a number could end with the head


@lru_cache(maxsize=1)
def runtime_libs_data() -> Mapping[str, Any]:
    """The whole data file (``source``, ``generated``, ``releases``, ...), read once."""
    data: dict[str, Any] = json.loads(_data_text())
    return MappingProxyType(data)


@cache
def _part(*keys: str) -> Any:
    """``runtime_libs_data()[keys[0]][keys[1]]…`` (None when a key is missing), decoding only
    that part of the file: the whole file is 2.6 MB of JSON (~35 ms to decode), and a lint
    needs a few small tables of it (read from the head of the file alone), a rewrite those
    of one release."""
    if keys and keys[0] != "releases":
        table = _head_value(keys[0])
        if table is not _UNKNOWN:
            for k in keys[1:]:
                table = table.get(k) if isinstance(table, Mapping) else None
            return table
    text = _data_text()
    depth, start = 0, 0
    for depth in range(len(keys) + 1):
        found = _start(*keys[:depth])
        if found is None:
            return None
        start = found
        if depth == len(keys) or not text.startswith("{\n", start):
            break  # found, or an object laid out otherwise: decoded whole
    value: Any = _decode(text, start) if depth else runtime_libs_data()
    for k in keys[depth:]:
        value = value.get(k) if isinstance(value, Mapping) else None
    return value


@cache
def _start(*keys: str) -> int | None:
    """Where the value of ``runtime_libs_data()[keys[0]]…`` starts in the file's text; None
    when a key is missing.

    The generator writes every object that does not fit on one line with one key per line,
    indented two spaces per level, and its closing brace on a line of its own, indented as
    its key (``scripts/update_runtime_libs.py``). A JSON string holds no line break, so
    ``\\n<indent>"key": `` finds a key at that level, and it is a key of the object it is
    looked up in when that object does not close before it. Only for objects laid out that
    way (the caller checks)."""
    text = _data_text()
    if not keys:
        return 0
    parent = _start(*keys[:-1])
    if parent is None:
        return None
    pad = "  " * len(keys)
    head = f"\n{pad}{json.dumps(keys[-1])}: "
    at = text.find(head, parent)
    if at < 0 or text.find(f"\n{pad[2:]}}}", parent, at) >= 0:
        return None
    return at + len(head)


def _decode(text: str, start: int) -> Any:
    return json.JSONDecoder().raw_decode(text, start)[0]


def _distro(distro: str) -> str:
    return distro.strip().lower()


def normalize_release(distro: str, release: str) -> str:
    """The release key of the data: ``("debian", "12")`` -> ``"bookworm"``, ``"v3.19.1"`` ->
    ``"3.19"``; other spellings are lower-cased and returned as they are."""
    d = _distro(distro)
    r = release.strip().lower()
    if d == "alpine":
        m = re.match(r"^v?(\d+\.\d+)(?:\.\d+)?$", r)
        return m.group(1) if m else r
    if d == "debian":
        r = re.sub(r"^(\d+)(?:\.\d+)*$", r"\1", r)  # "12.5" -> "12"
    return _CODENAMES.get(d, {}).get(r, r)


def _release(distro: str, release: str, part: str) -> Any:
    """One part (``runtime``, ``virtual``, ``header_only``, ``base``) of a release's data;
    None when the release is unknown."""
    return _part("releases", _distro(distro), normalize_release(distro, release), part)


def known_releases() -> Mapping[str, tuple[str, ...]]:
    """The releases the data covers, per distro (``{"debian": ("bookworm", ...), ...}``)."""
    return MappingProxyType({d: tuple(sorted(_keys("releases", d))) for d in _keys("releases")})


@cache
def _keys(*keys: str) -> tuple[str, ...]:
    """The keys of the object ``runtime_libs_data()[keys[0]]…``, in order, without decoding
    its values: from one key's line, the next one is found past the line that closes its
    value (the generator's layout, see :func:`_start`); an object laid out otherwise is
    decoded."""
    text = _data_text()
    start = _start(*keys)
    if start is None:
        return ()
    if not text.startswith("{\n", start):
        value = _part(*keys)
        return tuple(value) if isinstance(value, Mapping) else ()
    pad = "  " * (len(keys) + 1)
    found: list[str] = []
    pos = start + 1  # the line break before the first key
    decoder = json.JSONDecoder()
    while text.startswith(f'\n{pad}"', pos):
        name, end = decoder.raw_decode(text, pos + 1 + len(pad))
        found.append(name)
        value = end + 2  # past ": "
        if text.startswith(("{\n", "[\n"), value):
            closing = f"\n{pad}{'}' if text[value] == '{' else ']'}"
            end = text.index(closing, value) + len(closing)
        else:
            _, end = decoder.raw_decode(text, value)
        pos = end + 1  # past the comma (or at the object's end)
    return tuple(found)


def unavailable(distro: str) -> Mapping[str, str]:
    """The releases of *distro* whose index could not be read when the data was made, with
    the reason (``{"buster": "its package index could not be downloaded (HTTP 404 ...)"}``)."""
    found = _part("unavailable") or {}
    if isinstance(found, list):  # older files: names only
        found = {name: "its index could not be downloaded" for name in found}
    prefix = _distro(distro) + "/"
    return MappingProxyType(
        {name[len(prefix) :]: str(why) for name, why in found.items() if name.startswith(prefix)}
    )


@cache
def _header_only(distro: str, release: str) -> frozenset[str]:
    names = _release(distro, release, "header_only")
    return frozenset(names) if names is not None else frozenset()


def excluded_patterns() -> tuple[str, ...]:
    """The ``-dev`` package names the data leaves out (``librust-*-dev``): not judged."""
    found = _part("excluded") or ()
    return tuple(str(x) for x in found)


def runtime_packages(dev_package: str, distro: str, release: str) -> tuple[str, ...] | None:
    """The runtime packages that replace *dev_package* on *distro* / *release*.

    ``("libpq5",)`` for ``libpq-dev`` on bookworm; ``()`` for a known ``-dev`` package that
    needs nothing at run time (kernel or header-only packages); None when the package or
    the release is unknown. A virtual name with a single provider (``libxslt-dev``) answers
    for that provider.
    """
    virtual = _release(distro, release, "virtual")
    if virtual is None:
        return None
    name = dev_package.strip().lower().split(":", 1)[0]  # "libpq-dev:amd64"
    name = virtual.get(name, name)
    found = _release(distro, release, "runtime").get(name)
    if found is not None:
        return tuple(found)
    if name in _header_only(distro, release):
        return ()
    return None


@cache
def base_packages(distro: str, release: str) -> frozenset[str]:
    """The packages every image of *distro* / *release* has (``-slim`` ones included).

    Installing one of them in a runtime stage changes nothing. Empty when unknown (and for
    Alpine, where the data has none).
    """
    names = _release(distro, release, "base")
    return frozenset(names) if names is not None else frozenset()


@dataclass(frozen=True)
class RuntimeInstall:
    """What a runtime stage must install for a builder's ``-dev`` packages.

    ``packages``: the runtime packages, sorted, without those every image already has;
    ``unknown``: the ``-dev`` packages the data does not know (in the order given).
    """

    packages: tuple[str, ...]
    unknown: tuple[str, ...]


def runtime_install(dev_packages: Iterable[str], distro: str, release: str) -> RuntimeInstall:
    """The runtime packages that replace all of *dev_packages* (see :class:`RuntimeInstall`)."""
    base = base_packages(distro, release)
    wanted: set[str] = set()
    unknown: list[str] = []
    for dev in dev_packages:
        found = runtime_packages(dev, distro, release)
        if found is None:
            if dev not in unknown:
                unknown.append(dev)
        else:
            wanted.update(p for p in found if p not in base)
    return RuntimeInstall(packages=tuple(sorted(wanted)), unknown=tuple(unknown))


@cache
def fat_base_dev_packages(release: str) -> frozenset[str]:
    """The ``-dev`` packages the full ``python:3.X-<release>`` image (``buildpack-deps``
    plus the python image's own) ships, for a Debian *release*; empty when unknown."""
    fat = _part("fat_python_dev_packages") or {}
    return frozenset(fat.get(normalize_release("debian", release), ()))


def _canonical(project: str) -> str:
    """PEP 503: ``Python_LDAP`` -> ``python-ldap`` (extras and versions are dropped)."""
    return requirement_name(project) or ""


def python_build_deps(project: str, distro: str) -> tuple[str, ...]:
    """The ``-dev`` packages a source build of the PyPI *project* links against on *distro*.

    Debian names for ``"debian"`` and ``"ubuntu"``, Alpine names for ``"alpine"``; ``()``
    when the project is unknown or links nothing but libc. The name is normalised
    (``PyYAML``, ``python_ldap``). Map the answer through :func:`runtime_packages` for the
    libraries a runtime stage needs.
    """
    d = _distro(distro)
    entry = (_part("python_build_deps") or {}).get(_canonical(project))
    if entry is None or d not in ("debian", "ubuntu", "alpine"):
        return ()
    return tuple(entry.get("alpine" if d == "alpine" else "debian", ()))


def links_python(project: str) -> bool:
    """Whether a source build of the PyPI *project* links the Python runtime library itself
    (``uwsgi`` embeds the interpreter): on a distribution's own Python the runtime stage then
    needs ``libpython3.X``."""
    entry = (_part("python_build_deps") or {}).get(_canonical(project))
    return bool(entry and entry.get("links_python"))


def python_loads(project: str, distro: str) -> tuple[str, ...]:
    """The ``-dev`` packages whose libraries the PyPI *project* opens at run time through
    ctypes or cffi (``wand`` -> ``libmagickwand-dev``): the full python image has those
    libraries, the slim one does not, and ``ldd`` cannot see the need. Same names and
    normalisation as :func:`python_build_deps`; ``()`` when not known to load any."""
    d = _distro(distro)
    entry = (_part("python_loads") or {}).get(_canonical(project))
    if entry is None or d not in ("debian", "ubuntu", "alpine"):
        return ()
    return tuple(entry.get("alpine" if d == "alpine" else "debian", ()))


def python_load_libraries(project: str) -> tuple[str, ...]:
    """The library files the PyPI *project* opens at run time (``python-magic`` ->
    ``libmagic.so``; a release's own file adds a version: ``libmagic.so.1``), a ``*`` where
    the name varies (``libMagickWand-*.so``); ``()`` when not known to load any."""
    entry = (_part("python_loads") or {}).get(_canonical(project))
    return tuple(entry.get("libraries", ())) if entry else ()


@cache
def python_loaders() -> frozenset[str]:
    """Every PyPI project :func:`python_loads` knows (normalised names)."""
    return frozenset(_part("python_loads") or {})
