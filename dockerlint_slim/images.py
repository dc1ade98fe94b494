"""Knowledge about base images: what an image reference is, and its slim counterpart.

:func:`classify` turns an :class:`~dockerlint_slim.model.ImageRef` into a :class:`BaseInfo`
(family, variant, Python version, distribution release, libc, whether the image is "fat" and
ships a compiler toolchain, which package manager it has). :func:`slim_tag` and
:func:`slim_replacement` name the slim image of the same Python version and distribution
release; :func:`same_abi` and :func:`same_release` say whether compiled Python artifacts can
be copied between two bases.

Everything here is data about public images, kept in the tables below with their source and
the date they were checked. Nothing is fetched from a registry.

Mirrors of the official images are recognised by their repository path: ``python``,
``library/python`` on any registry (``docker.io/library/python``,
``public.ecr.aws/docker/library/python``, ``mirror.gcr.io/library/python``, a pull-through
cache ``registry.example.com/library/python``) and the per-architecture namespaces
(``arm64v8/python``). ``someone/python`` is not the official image and stays ``unknown``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lazy import lazy_pattern
from .model import ImageRef

__all__ = [
    "DEBIAN_CODENAMES",
    "DEBIAN_STABLE",
    "DISTRO_PYTHON",
    "FULL_ONLY_TOOLS",
    "PYTHON_DEFAULT_RELEASE",
    "UBUNTU_CODENAMES",
    "BaseInfo",
    "classify",
    "distro_python_minor",
    "full_only_tools_in",
    "same_abi",
    "same_release",
    "slim_replacement",
    "slim_tag",
]

# --------------------------------------------------------------------------- data

# Debian release numbers and codenames (https://www.debian.org/releases/).
DEBIAN_CODENAMES: dict[str, str] = {
    "8": "jessie",
    "9": "stretch",
    "10": "buster",
    "11": "bullseye",
    "12": "bookworm",
    "13": "trixie",
    "14": "forky",
    "15": "duke",
}
# Debian's suite aliases; they move, so a release derived from them is "implied".
# Checked 2026-11: trixie became stable on 2025-08-09, forky is testing.
DEBIAN_STABLE = "trixie"
DEBIAN_OLDSTABLE = "bookworm"
DEBIAN_TESTING = "forky"
_DEBIAN_SUITES = {
    "stable": DEBIAN_STABLE,
    "latest": DEBIAN_STABLE,
    "oldstable": DEBIAN_OLDSTABLE,
    "testing": DEBIAN_TESTING,
    "unstable": "sid",
    "sid": "sid",
}
_DEBIAN_NAMES = set(DEBIAN_CODENAMES.values()) | {"sid"}

# Ubuntu release numbers and codenames (https://wiki.ubuntu.com/Releases).
UBUNTU_CODENAMES: dict[str, str] = {
    "16.04": "xenial",
    "18.04": "bionic",
    "20.04": "focal",
    "22.04": "jammy",
    "23.04": "lunar",
    "23.10": "mantic",
    "24.04": "noble",
    "24.10": "oracular",
    "25.04": "plucky",
    "25.10": "questing",
    "26.04": "resolute",
}
_UBUNTU_NAMES = set(UBUNTU_CODENAMES.values())

# The Debian release behind the official python image when the tag names none
# (``python:3.11``, ``python:3``, ``python:latest``, ``python:3.11-slim``). Source: the
# ``SharedTags`` lines of docker-library/official-images ``library/python``, checked 2026-11.
# Every maintained version moved from bookworm to trixie in 2025-08 (after Debian 13's
# release); before that the default was bookworm from 2023-06. Versions that reached their
# end of life earlier keep the release of their last build (table below). NOTE: the local rig
# (../shared/rig) builds its stand-in ``python:3.11`` from bookworm, so tests on the rig should
# name the release in the tag or not rely on this default.
PYTHON_DEFAULT_RELEASE = "trixie"
_PYTHON_LAST_DEFAULT_RELEASE: dict[str, str] = {
    "3.3": "jessie",
    "3.4": "stretch",
    "2.7": "buster",
    "3.5": "buster",
    "3.6": "bullseye",
    "3.7": "bookworm",
    "3.8": "bookworm",
}

# The ``python3`` of each distribution release (packages.debian.org, packages.ubuntu.com,
# pkgs.alpinelinux.org; checked 2026-11). Used for distro bases with ``apt-get install python3``
# and for distroless python3 images.
DISTRO_PYTHON: dict[tuple[str, str], str] = {
    ("debian", "stretch"): "3.5",
    ("debian", "buster"): "3.7",
    ("debian", "bullseye"): "3.9",
    ("debian", "bookworm"): "3.11",
    ("debian", "trixie"): "3.13",
    ("ubuntu", "bionic"): "3.6",
    ("ubuntu", "focal"): "3.8",
    ("ubuntu", "jammy"): "3.10",
    ("ubuntu", "noble"): "3.12",
    ("ubuntu", "oracular"): "3.12",
    ("ubuntu", "plucky"): "3.13",
    ("ubuntu", "questing"): "3.13",
    ("alpine", "3.15"): "3.9",
    ("alpine", "3.16"): "3.10",
    ("alpine", "3.17"): "3.10",
    ("alpine", "3.18"): "3.11",
    ("alpine", "3.19"): "3.11",
    ("alpine", "3.20"): "3.12",
    ("alpine", "3.21"): "3.12",
    ("alpine", "3.22"): "3.12",
}

# Docker Hub namespaces that republish the official images per architecture.
_ARCH_NAMESPACES = {
    "amd64",
    "arm32v5",
    "arm32v6",
    "arm32v7",
    "arm64v8",
    "i386",
    "mips64le",
    "ppc64le",
    "riscv64",
    "s390x",
    "windows-amd64",
}

_PY_VERSION = re.compile(r"(?P<minor>\d+\.\d+)(?:\.\d+)?(?:(?:a|b|rc)\d+)?$|(?P<major>\d+)$")
_ALPINE_TOKEN = lazy_pattern(r"alpine(?P<release>\d+\.\d+)?$")
_DATE = lazy_pattern(r"\d{8}$")

# Programs the full python image and buildpack-deps have and the slim images lack
# (buildpack-deps' curl, scm and full layers: https://github.com/docker-library/buildpack-deps).
FULL_ONLY_TOOLS = frozenset(
    {
        # curl layer
        "curl",
        "wget",
        "gpg",
        "gpg2",
        "gpgv",
        "dirmngr",
        # scm layer
        "git",
        "hg",
        "svn",
        "ssh",
        "scp",
        "sftp",
        "ssh-keygen",
        "ssh-keyscan",
        "ps",
        "pgrep",
        "pkill",
        "top",
        "free",
        "watch",
        # full layer: compilers, build tools, archive tools, helpers of -dev packages
        "gcc",
        "g++",
        "cc",
        "c++",
        "cpp",
        "make",
        "cmake",
        "ld",
        "as",
        "ar",
        "autoconf",
        "automake",
        "autoreconf",
        "libtool",
        "libtoolize",
        "pkg-config",
        "dpkg-architecture",
        "dpkg-buildpackage",
        "dpkg-source",
        "file",
        "patch",
        "unzip",
        "bzip2",
        "bunzip2",
        "xz",
        "unxz",
        "convert",
        "identify",
        "mogrify",
        "pg_config",
        "mysql_config",
        "mariadb_config",
        "xml2-config",
        "xslt-config",
        "curl-config",
    }
)
# programs of FULL_ONLY_TOOLS whose names are also common words (`file`, `patch`, `top`):
# in free text they count only where a program is named (the first word of a command)
_COMMON_WORDS = frozenset(
    {"as", "ar", "ld", "cc", "cpp", "ps", "top", "free", "watch", "file", "patch", "convert"}
    | {"identify"}
)
_PROGRAM_WORD = lazy_pattern(
    r"(?<![\w.+/$-])(?:/usr(?:/local)?)?(?:/s?bin/)?(?P<tool>[\w.+-]+)(?![\w.+/-])"
)


def full_only_tools_in(text: str) -> list[str]:
    """The programs of :data:`FULL_ONLY_TOOLS` that a command line names, in order (``curl``
    in ``CMD curl -f http://… || exit 1``, ``/usr/bin/git``); words that are also common
    English words (``file``, ``patch``) are left out, as are paths and options."""
    found: list[str] = []
    for m in _PROGRAM_WORD.finditer(text):
        tool = m.group("tool")
        if tool in FULL_ONLY_TOOLS and tool not in _COMMON_WORDS and tool not in found:
            found.append(tool)
    return found


# --------------------------------------------------------------------------- the record


@dataclass(frozen=True)
class BaseInfo:
    """What a base image is.

    ``family`` is the image family ("python", "debian", "ubuntu", "alpine", "buildpack-deps",
    "fedora", "centos", "rockylinux", "almalinux", "ubi", "amazonlinux", "distroless",
    "nvidia-cuda", "pytorch", "scratch" or "unknown"); ``variant`` is "full", "slim",
    "alpine", "windows", "distroless" or "other" (a tag this module does not know; for
    nvidia/cuda and pytorch/pytorch "full" is ``-devel`` and "slim" ``-runtime``/``-base``).
    ``python_version`` is the version as the tag
    names it ("3.11.7", "3.11", "3"; ``None`` for ``latest``/untagged, which means the current
    3.x), ``python_minor`` the "X.Y" part when the tag fixes it. ``release`` is the distribution
    release: Debian and Ubuntu codenames ("bookworm", "jammy"), Alpine "3.19", RHEL-like majors
    ("9"); ``release_implied`` is true when the tag does not name it and it comes from the
    default tables above (it moves when the image is rebuilt). ``fat`` marks the full python
    images and buildpack-deps (about 1 GB), and ``has_build_tools`` the images that ship gcc,
    make and ``-dev`` headers.
    """

    family: str
    variant: str
    python_version: str | None = None
    python_minor: str | None = None
    distro: str | None = None
    release: str | None = None
    libc: str | None = None
    fat: bool = False
    has_build_tools: bool = False
    package_manager: str | None = None
    release_implied: bool = False


_UNKNOWN = BaseInfo("unknown", "other")

# --------------------------------------------------------------------------- classify


def _official(image: ImageRef, name: str) -> bool:
    """``name``, ``library/name`` (any registry, mirrors too) or ``<arch>/name``."""
    parts = image.repository.split("/")
    if parts[-1] != name:
        return False
    if len(parts) == 1:
        return True
    return parts[-2] == "library" or (len(parts) == 2 and parts[0] in _ARCH_NAMESPACES)


def _tag(image: ImageRef) -> str:
    return (image.tag or "latest").lower()


def classify(image: ImageRef) -> BaseInfo:
    """Classify a base image reference. Unknown images (private images, stage names,
    references with an unresolved ARG) get family "unknown" or variant "other" and no
    claims: ``fat`` and ``has_build_tools`` stay false."""
    if image.is_scratch:
        return BaseInfo("scratch", "other")
    if not image.resolved:
        return _UNKNOWN
    if _official(image, "python"):
        return _python(_tag(image))
    if _official(image, "buildpack-deps"):
        return _buildpack_deps(_tag(image))
    if _official(image, "debian"):
        return _debian(_tag(image))
    if _official(image, "ubuntu"):
        return _ubuntu(_tag(image))
    if _official(image, "alpine"):
        return _alpine(_tag(image))
    parts = image.repository.split("/")
    if parts[0] == "distroless" and len(parts) == 2:
        return _distroless(parts[1])
    if image.registry == "public.ecr.aws" and image.repository == "lambda/python":
        return _lambda_python(_tag(image))
    for family in ("fedora", "centos", "rockylinux", "almalinux", "amazonlinux"):
        # also the vendors' own repositories: quay.io/centos/centos, rockylinux/rockylinux,
        # public.ecr.aws/amazonlinux/amazonlinux, quay.io/fedora/fedora
        if _official(image, family) or parts[-2:] == [family, family]:
            return _rhel_like(family, _tag(image))
        if family == "fedora" and parts[-1] == "fedora-minimal":
            return _rhel_like(family, _tag(image) + "-minimal")
    ubi = _ubi(parts)
    if ubi is not None:
        return ubi
    if parts[-2:] == ["nvidia", "cuda"]:
        return _nvidia_cuda(_tag(image))
    if parts[-2:] == ["pytorch", "pytorch"]:
        return _pytorch(_tag(image))
    return _UNKNOWN


# pytorch/pytorch:<torch>-cuda<X.Y>-cudnn<N>-{devel,runtime}
_PYTORCH_TAG = lazy_pattern(
    r"(?P<torch>\d+\.\d+(?:\.\d+)?)-cuda\d+\.\d+-cudnn\d+-(?P<kind>devel|runtime)"
)


def _pytorch(tag: str) -> BaseInfo:
    """PyTorch's images (Ubuntu, with conda's Python and torch in /opt/conda): ``-devel`` adds
    the CUDA compiler and headers, ``-runtime`` is the same torch, CUDA and Python without
    them. The Ubuntu release is not in the tag."""
    m = _PYTORCH_TAG.fullmatch(tag)
    if m is None:
        return BaseInfo("pytorch", "other")
    return BaseInfo(
        "pytorch",
        "full" if m["kind"] == "devel" else "slim",
        distro="ubuntu",
        libc="glibc",
        package_manager="apt",
    )


# nvidia/cuda:<cuda>[-cudnn[N]]-{devel,runtime,base}-ubuntu<YY.MM>
_CUDA_TAG = lazy_pattern(
    r"(?P<cuda>\d+\.\d+(?:\.\d+)?)(?P<cudnn>-cudnn\d*)?-(?P<kind>devel|runtime|base)"
    r"-ubuntu(?P<ubuntu>\d+\.\d+)"
)


def _nvidia_cuda(tag: str) -> BaseInfo:
    """NVIDIA's CUDA images on Ubuntu: ``-devel`` has the CUDA compiler and headers (several
    GB), ``-runtime`` the same CUDA libraries without them; no Python of their own (it comes
    from apt). Other distributions' tags (ubi, rockylinux) are not known."""
    m = _CUDA_TAG.fullmatch(tag)
    if m is None or m["ubuntu"] not in UBUNTU_CODENAMES:
        return BaseInfo("nvidia-cuda", "other")
    return BaseInfo(
        "nvidia-cuda",
        "full" if m["kind"] == "devel" else "slim",
        distro="ubuntu",
        release=UBUNTU_CODENAMES[m["ubuntu"]],
        libc="glibc",
        package_manager="apt",
    )


def _python(tag: str) -> BaseInfo:
    tokens = tag.split("-")
    version: str | None = None
    minor: str | None = None
    if tokens[0] == "latest" and len(tokens) == 1:
        tokens = []
    elif tokens and _PY_VERSION.match(tokens[0]):
        version = tokens.pop(0)
        m = _PY_VERSION.match(version)
        minor = m.group("minor") if m else None
        if tokens and tokens[0] == "rc":  # 3.15-rc: the 3.15 pre-release stream
            tokens.pop(0)
    elif tokens[0] == "rc":  # python:rc, python:rc-slim
        tokens.pop(0)
        version = "rc"
    variant = "full"
    release: str | None = None
    windows = False
    for tok in tokens:
        alpine = _ALPINE_TOKEN.match(tok)
        if tok == "slim" and variant == "full":
            variant = "slim"
        elif alpine and variant == "full":
            variant = "alpine"
            release = alpine.group("release")
        elif tok in ("windowsservercore", "nanoserver"):
            windows = True
        elif windows:  # ltsc2022, 1809 …: the Windows build
            continue
        elif tok in _DEBIAN_NAMES and release is None and variant != "alpine":
            release = tok
        else:
            return BaseInfo("python", "other", version, minor)
    if windows:
        return BaseInfo("python", "windows", version, minor, distro="windows")
    if variant == "alpine":
        return BaseInfo(
            "python", "alpine", version, minor, "alpine", release, "musl", package_manager="apk"
        )
    implied = release is None
    if release is None:
        release = _PYTHON_LAST_DEFAULT_RELEASE.get(minor or "", PYTHON_DEFAULT_RELEASE)
    fat = variant == "full"
    return BaseInfo(
        "python",
        variant,
        version,
        minor,
        "debian",
        release,
        "glibc",
        fat=fat,
        has_build_tools=fat,
        package_manager="apt",
        release_implied=implied,
    )


def _debian_release(tok: str) -> tuple[str | None, bool]:
    """(codename, implied) for a Debian suite token: ``12``, ``12.5``, ``bookworm``, ``stable``."""
    if tok in _DEBIAN_NAMES:
        return tok, False
    if tok in _DEBIAN_SUITES:
        return _DEBIAN_SUITES[tok], tok != "sid"
    major = tok.split(".", 1)[0]
    if major in DEBIAN_CODENAMES and re.fullmatch(r"\d+(\.\d+)*", tok):
        return DEBIAN_CODENAMES[major], False
    return None, False


def _debian(tag: str) -> BaseInfo:
    tokens = tag.split("-")
    release, implied = _debian_release(tokens[0])
    if release is None:
        return BaseInfo("debian", "other", distro="debian", libc="glibc", package_manager="apt")
    variant = "full"
    for tok in tokens[1:]:
        if tok == "slim":
            variant = "slim"
        elif _DATE.match(tok):
            continue
        else:  # backports …
            variant = "other"
    return BaseInfo(
        "debian",
        variant,
        distro="debian",
        release=release,
        libc="glibc",
        package_manager="apt",
        release_implied=implied,
    )


def _ubuntu(tag: str) -> BaseInfo:
    tokens = tag.split("-")
    tok = tokens[0]
    release: str | None
    variant = "full"
    if tok in _UBUNTU_NAMES:
        release = tok
    elif re.fullmatch(r"\d+\.\d+", tok):
        release = UBUNTU_CODENAMES.get(tok, tok)
    else:  # latest, rolling, devel: they move
        release = None
    if any(not _DATE.match(t) for t in tokens[1:]):
        variant = "other"
    # Ubuntu publishes one variant, already minimised: not fat, it is its own slim image.
    return BaseInfo(
        "ubuntu", variant, distro="ubuntu", release=release, libc="glibc", package_manager="apt"
    )


def _alpine(tag: str) -> BaseInfo:
    release: str | None = None
    variant = "alpine"
    m = re.fullmatch(r"(\d+\.\d+)(?:\.\d+)?", tag)
    if m:
        release = m.group(1)
    elif tag == "edge":
        release = "edge"
    elif tag != "latest":
        variant = "other"
    return BaseInfo(
        "alpine", variant, distro="alpine", release=release, libc="musl", package_manager="apk"
    )


def _buildpack_deps(tag: str) -> BaseInfo:
    tokens = tag.split("-")
    flavour = "full"
    if tokens[-1] in ("curl", "scm"):
        flavour = tokens.pop()
    release: str | None
    implied = False
    distro = "debian"
    if not tokens or tokens == ["latest"]:
        release, implied = DEBIAN_STABLE, True
    elif len(tokens) == 1 and tokens[0] in _UBUNTU_NAMES:
        release, distro = tokens[0], "ubuntu"
    elif len(tokens) == 1:
        release, implied = _debian_release(tokens[0])
    else:
        release = None
    if release is None:
        return BaseInfo("buildpack-deps", "other", distro=distro, libc="glibc")
    # every buildpack-deps tag is a large image; only the full one (not -curl/-scm) has
    # gcc, make and the -dev headers.
    return BaseInfo(
        "buildpack-deps",
        "full",
        distro=distro,
        release=release,
        libc="glibc",
        fat=True,
        has_build_tools=flavour == "full",
        package_manager="apt",
        release_implied=implied,
    )


def _distroless(name: str) -> BaseInfo:
    # gcr.io/distroless/python3-debian12, base-debian12, cc-debian11, static-debian12, …
    m = re.fullmatch(r"(?P<kind>[a-z0-9.-]+?)(?:-debian(?P<num>\d+))?", name)
    if m is None:
        return _UNKNOWN
    kind = m.group("kind")
    release = DEBIAN_CODENAMES.get(m.group("num") or "")
    minor = DISTRO_PYTHON.get(("debian", release or "")) if kind == "python3" else None
    libc = None if kind == "static" else "glibc"
    version = minor or ("3" if kind == "python3" else None)
    return BaseInfo("distroless", "distroless", version, minor, "debian", release, libc)


def _lambda_python(tag: str) -> BaseInfo:
    m = re.match(r"(\d+\.\d+)", tag)
    minor = m.group(1) if m else None
    if minor is None:
        return BaseInfo("amazonlinux", "other", distro="amazonlinux", libc="glibc")
    new = tuple(int(x) for x in minor.split(".")) >= (3, 12)  # 3.12+ are built on AL2023
    return BaseInfo(
        "amazonlinux",
        "full",
        minor,
        minor,
        "amazonlinux",
        "2023" if new else "2",
        "glibc",
        package_manager="dnf" if new else "yum",
    )


def _rhel_like(family: str, tag: str) -> BaseInfo:
    tokens = tag.split("-")
    variant = "full"
    pm: str | None = "dnf"
    rest = tokens[1:]
    if rest == ["minimal"]:
        variant, pm = "slim", "microdnf"
    elif rest == ["micro"]:
        variant, pm = "slim", None
    elif rest and rest not in (["base"], ["init"]):
        variant = "other"
    tok = tokens[0]
    if family == "centos" and tok.startswith("centos"):
        tok = tok[len("centos") :]
    release: str | None = None
    if tok.startswith("stream") and tok[6:].isdigit():
        release = tok
    elif re.fullmatch(r"\d+(\.\d+)*", tok):
        release = tok.split(".")[0]
        if family == "amazonlinux" and release not in ("2", "2023"):
            release = "1" if tok.startswith("2018") else release
    elif tok not in ("latest", "rawhide"):
        variant = "other"
    if pm == "dnf" and release is not None:
        major = int(re.sub(r"\D", "", release) or 0)
        if (family == "centos" and major <= 7) or (family == "amazonlinux" and major in (1, 2)):
            pm = "yum"
    return BaseInfo(
        family, variant, distro=family, release=release, libc="glibc", package_manager=pm
    )


def _ubi(parts: list[str]) -> BaseInfo | None:
    # registry.access.redhat.com/ubi9, ubi9/ubi, ubi9-minimal, ubi9/ubi-minimal, ubi9/ubi-micro,
    # ubi9/python-311, redhat/ubi9 (Docker Hub)
    if parts[0] == "redhat" and len(parts) == 2:
        parts = parts[1:]
    m = re.fullmatch(r"ubi(\d+)(?:-(minimal|micro|init))?", parts[0])
    if m is None or len(parts) > 2:
        return None
    release = m.group(1)
    flavour = m.group(2) or ""
    minor: str | None = None
    if len(parts) == 2:
        sub = parts[1]
        py = re.fullmatch(r"python-(\d)(\d+)(?:-minimal)?", sub)
        if sub in ("ubi", "ubi-minimal", "ubi-micro", "ubi-init"):
            flavour = sub[4:]
        elif py:
            minor = f"{py.group(1)}.{py.group(2)}"
            flavour = "minimal" if sub.endswith("-minimal") else "python"
        else:
            return BaseInfo("ubi", "other", distro="rhel", release=release, libc="glibc")
    variant = "slim" if flavour in ("minimal", "micro") else "full"
    pm = {"minimal": "microdnf", "micro": None}.get(flavour, "dnf")
    return BaseInfo(
        "ubi",
        variant,
        minor,
        minor,
        "rhel",
        release,
        "glibc",
        # the s2i python images are built on s2i-base: gcc, make and many -devel packages
        has_build_tools=flavour == "python",
        package_manager=pm,
    )


# --------------------------------------------------------------------------- slim


def _prefix(image: ImageRef) -> str:
    """The reference without tag and digest, as written (registry and namespace kept)."""
    rest = image.raw.partition("@")[0]
    if image.tag is not None:
        rest = rest[: len(rest) - len(image.tag) - 1]
    return rest


def slim_tag(image: ImageRef) -> str | None:
    """The slim image of the same Python version and distribution release.

    ``python:3.11`` -> ``python:3.11-slim``, ``python:3.11-bookworm`` ->
    ``python:3.11-slim-bookworm``, ``python``/``python:latest`` -> ``python:slim``,
    ``debian:bookworm`` -> ``debian:bookworm-slim``, ``buildpack-deps:bookworm`` ->
    ``debian:bookworm-slim`` (buildpack-deps is Debian plus build tools). The registry and
    namespace are kept; a digest is dropped (it pins the fat image, see
    :func:`slim_replacement`). Images that are already minimal (slim, alpine, ubuntu,
    distroless, ``-minimal``, scratch) are returned unchanged. ``None`` when no slim
    counterpart is known (unknown images, Windows, RHEL-like full images).
    """
    info = classify(image)
    if info.family == "scratch":
        return image.raw
    if info.variant == "other" or info.family == "unknown":
        return None
    if info.variant in ("slim", "alpine", "distroless") or info.family == "ubuntu":
        return image.raw
    prefix = _prefix(image)
    tag = _tag(image)
    if info.family == "python" and info.variant == "full":
        tokens = [] if tag == "latest" else tag.split("-")
        n = 0
        if tokens and (_PY_VERSION.match(tokens[0]) or tokens[0] == "rc"):
            n = 1
            if len(tokens) > 1 and tokens[1] == "rc" and tokens[0] != "rc":
                n = 2
        return f"{prefix}:{'-'.join([*tokens[:n], 'slim', *tokens[n:]])}"
    if info.family == "debian" and info.variant == "full":
        return f"{prefix}:{'stable' if tag == 'latest' else tag}-slim"
    if info.family == "nvidia-cuda" and info.variant == "full":
        # the same CUDA (and cuDNN) on the same Ubuntu, without the compiler and headers
        return f"{prefix}:{tag.replace('-devel-', '-runtime-')}"
    if info.family == "pytorch" and info.variant == "full":
        # the same torch, CUDA, cuDNN and conda Python, without the compiler and headers
        return f"{prefix}:{tag.removesuffix('-devel')}-runtime"
    if info.family == "buildpack-deps":
        base = prefix[: len(prefix) - len("buildpack-deps")]
        if info.distro == "ubuntu":
            return f"{base}ubuntu:{info.release}"
        suite = tag.rsplit("-", 1)[0] if tag.endswith(("-curl", "-scm")) else tag
        if suite in ("latest", "curl", "scm"):
            suite = "stable"
        return f"{base}debian:{suite}-slim"
    return None


def slim_replacement(image: ImageRef) -> tuple[str, str | None] | None:
    """``(slim reference, caveat)`` for a fat base, or ``None`` when :func:`slim_tag` knows
    none. The caveat (one sentence, or ``None``) names what the replacement loses."""
    new = slim_tag(image)
    if new is None:
        return None
    if new == image.raw:
        return new, None
    info = classify(image)
    caveats: list[str] = []
    if info.family == "buildpack-deps":
        caveats.append(f"{new} has none of buildpack-deps' compilers, headers, curl, wget or git")
    elif info.has_build_tools:
        caveats.append(f"{new} has no compilers or -dev headers")
    if image.digest:
        caveats.append(
            f"the digest {image.digest} pinned the original image and was dropped; "
            "pin the slim image's digest again"
        )
    return new, ("; ".join(caveats) + ".") if caveats else None


# --------------------------------------------------------------------------- ABI


def distro_python_minor(info: BaseInfo) -> str | None:
    """The minor version of the distribution's own ``python3`` package for a distro base
    (``debian:bookworm`` -> "3.11"), or the image's Python when it has one."""
    if info.python_minor:
        return info.python_minor
    if info.family in ("debian", "ubuntu", "alpine", "buildpack-deps", "nvidia-cuda") and (
        info.release
    ):
        return DISTRO_PYTHON.get((info.distro or "", info.release))
    return None


def _python_key(info: BaseInfo, assume_distro_python: bool) -> str | None:
    minor = distro_python_minor(info) if assume_distro_python else info.python_minor
    if minor:
        return minor
    if info.family == "python":
        # python:3 / python:latest / python:rc: a moving version, equal only to the same alias
        return f"alias:{info.python_version or 'latest'}"
    return None


def same_abi(a: BaseInfo, b: BaseInfo, *, assume_distro_python: bool = False) -> bool | None:
    """Whether compiled Python artifacts (a venv, wheels, site-packages) built on ``a`` can
    load on ``b``: the same libc and the same Python minor version. ``False`` when either
    is known to differ, ``None`` when it cannot be told (unknown images, ``python:3`` vs
    ``python:3.12``). With ``assume_distro_python`` a distro base counts as having its
    release's ``python3``. The distribution release is a separate question
    (:func:`same_release`): extensions compiled against a newer glibc may not load on an
    older one.
    """
    if a.libc and b.libc and a.libc != b.libc:
        return False
    ka, kb = _python_key(a, assume_distro_python), _python_key(b, assume_distro_python)
    if ka and kb and not ka.startswith("alias:") and not kb.startswith("alias:") and ka != kb:
        return False
    if not a.libc or not b.libc or not ka or not kb:
        return None
    if ka == kb:
        return True
    return None


def same_release(a: BaseInfo, b: BaseInfo) -> bool | None:
    """Whether both bases are the same distribution release (``None`` when either is
    unknown). An implied release (from a default tag) is compared like a named one."""
    if not a.distro or not b.distro or not a.release or not b.release:
        return None
    return a.distro == b.distro and a.release == b.release
