"""Base-image knowledge: classification, slim counterparts, ABI compatibility."""

from __future__ import annotations

import pytest

from dockerlint_slim.images import (
    PYTHON_DEFAULT_RELEASE,
    BaseInfo,
    classify,
    distro_python_minor,
    full_only_tools_in,
    same_abi,
    same_release,
    slim_replacement,
    slim_tag,
)
from dockerlint_slim.model import ImageRef, build_model


def info(ref: str) -> BaseInfo:
    return classify(ImageRef.parse(ref))


# reference -> "family variant python_version python_minor release libc flags package_manager"
# ("-" is None, D the default release of the python images, flags "fat", "tools" or "-")
CLASSIFY = [
    ("python", "python full - - D glibc fat+tools apt"),
    ("python:latest", "python full - - D glibc fat+tools apt"),
    ("python:3", "python full 3 - D glibc fat+tools apt"),
    ("python:3.11", "python full 3.11 3.11 D glibc fat+tools apt"),
    ("python:3.11.7", "python full 3.11.7 3.11 D glibc fat+tools apt"),
    ("python:2.7", "python full 2.7 2.7 buster glibc fat+tools apt"),
    ("python:3.8", "python full 3.8 3.8 bookworm glibc fat+tools apt"),
    ("python:3.4-slim", "python slim 3.4 3.4 stretch glibc - apt"),
    ("python:3.3", "python full 3.3 3.3 jessie glibc fat+tools apt"),
    ("python:3.11-bookworm", "python full 3.11 3.11 bookworm glibc fat+tools apt"),
    ("python:3.12-bullseye", "python full 3.12 3.12 bullseye glibc fat+tools apt"),
    ("python:3.13-trixie", "python full 3.13 3.13 trixie glibc fat+tools apt"),
    ("python:3.7-buster", "python full 3.7 3.7 buster glibc fat+tools apt"),
    ("python:3-bookworm", "python full 3 - bookworm glibc fat+tools apt"),
    ("python:bookworm", "python full - - bookworm glibc fat+tools apt"),
    ("python:3.6-stretch", "python full 3.6 3.6 stretch glibc fat+tools apt"),
    ("python:3.11-slim", "python slim 3.11 3.11 D glibc - apt"),
    ("python:3.11-slim-bookworm", "python slim 3.11 3.11 bookworm glibc - apt"),
    ("python:slim", "python slim - - D glibc - apt"),
    ("python:3.7-slim-buster", "python slim 3.7 3.7 buster glibc - apt"),
    ("python:3.11-alpine", "python alpine 3.11 3.11 - musl - apk"),
    ("python:3.11-alpine3.19", "python alpine 3.11 3.11 3.19 musl - apk"),
    ("python:alpine3.20", "python alpine - - 3.20 musl - apk"),
    ("python:3-alpine", "python alpine 3 - - musl - apk"),
    ("python:3.11-windowsservercore-ltsc2022", "python windows 3.11 3.11 - - - -"),
    ("python:windowsservercore", "python windows - - - - - -"),
    ("python:3.15.0a2-trixie", "python full 3.15.0a2 3.15 trixie glibc fat+tools apt"),
    ("python:3.15-rc-slim-trixie", "python slim 3.15 3.15 trixie glibc - apt"),
    ("python:rc", "python full rc - D glibc fat+tools apt"),
    ("python:3.5-onbuild", "python other 3.5 3.5 - - - -"),
    # mirrors and namespaces of the official image
    ("docker.io/library/python:3.11", "python full 3.11 3.11 D glibc fat+tools apt"),
    ("public.ecr.aws/docker/library/python:3.12-slim", "python slim 3.12 3.12 D glibc - apt"),
    ("arm64v8/python:3.11-bookworm", "python full 3.11 3.11 bookworm glibc fat+tools apt"),
    ("python:3.11@sha256:" + "a" * 64, "python full 3.11 3.11 D glibc fat+tools apt"),
    # not the official image
    ("someone/python:3.11", "unknown other - - - - - -"),
    ("builder", "unknown other - - - - - -"),
    ("myorg/base:1.0", "unknown other - - - - - -"),
    # buildpack-deps: Debian (or Ubuntu) plus build tools
    ("buildpack-deps:bookworm", "buildpack-deps full - - bookworm glibc fat+tools apt"),
    ("buildpack-deps:bookworm-curl", "buildpack-deps full - - bookworm glibc fat apt"),
    ("buildpack-deps:bullseye-scm", "buildpack-deps full - - bullseye glibc fat apt"),
    ("buildpack-deps:jammy", "buildpack-deps full - - jammy glibc fat+tools apt"),
    ("buildpack-deps", "buildpack-deps full - - trixie glibc fat+tools apt"),
    # distributions
    ("debian:bookworm", "debian full - - bookworm glibc - apt"),
    ("debian:bookworm-slim", "debian slim - - bookworm glibc - apt"),
    ("debian:12", "debian full - - bookworm glibc - apt"),
    ("debian:12.5-slim", "debian slim - - bookworm glibc - apt"),
    ("debian:bookworm-20240110-slim", "debian slim - - bookworm glibc - apt"),
    ("debian:stable-slim", "debian slim - - trixie glibc - apt"),
    ("debian:sid", "debian full - - sid glibc - apt"),
    ("debian:bookworm-backports", "debian other - - bookworm glibc - apt"),
    ("ubuntu:22.04", "ubuntu full - - jammy glibc - apt"),
    ("ubuntu:jammy", "ubuntu full - - jammy glibc - apt"),
    ("ubuntu:noble-20240801", "ubuntu full - - noble glibc - apt"),
    ("ubuntu:latest", "ubuntu full - - - glibc - apt"),
    ("alpine:3.19", "alpine alpine - - 3.19 musl - apk"),
    ("alpine:3.19.1", "alpine alpine - - 3.19 musl - apk"),
    ("alpine", "alpine alpine - - - musl - apk"),
    ("alpine:edge", "alpine alpine - - edge musl - apk"),
    ("fedora:40", "fedora full - - 40 glibc - dnf"),
    ("registry.fedoraproject.org/fedora-minimal:40", "fedora slim - - 40 glibc - microdnf"),
    ("centos:7", "centos full - - 7 glibc - yum"),
    ("centos:centos7.9.2009", "centos full - - 7 glibc - yum"),
    ("centos:8", "centos full - - 8 glibc - dnf"),
    ("quay.io/centos/centos:stream9", "centos full - - stream9 glibc - dnf"),
    ("rockylinux:9", "rockylinux full - - 9 glibc - dnf"),
    ("rockylinux/rockylinux:9-minimal", "rockylinux slim - - 9 glibc - microdnf"),
    ("almalinux:8.9", "almalinux full - - 8 glibc - dnf"),
    ("almalinux:9-minimal", "almalinux slim - - 9 glibc - microdnf"),
    ("registry.access.redhat.com/ubi9/ubi", "ubi full - - 9 glibc - dnf"),
    ("registry.access.redhat.com/ubi8/ubi-minimal:8.9", "ubi slim - - 8 glibc - microdnf"),
    ("registry.access.redhat.com/ubi9-minimal", "ubi slim - - 9 glibc - microdnf"),
    ("registry.access.redhat.com/ubi9/ubi-micro", "ubi slim - - 9 glibc - -"),
    ("redhat/ubi9", "ubi full - - 9 glibc - dnf"),
    ("registry.access.redhat.com/ubi9/python-311", "ubi full 3.11 3.11 9 glibc tools dnf"),
    ("registry.access.redhat.com/ubi8/python-39:latest", "ubi full 3.9 3.9 8 glibc tools dnf"),
    ("amazonlinux:2", "amazonlinux full - - 2 glibc - yum"),
    ("amazonlinux:2023", "amazonlinux full - - 2023 glibc - dnf"),
    ("amazonlinux:2018.03", "amazonlinux full - - 1 glibc - yum"),
    ("public.ecr.aws/amazonlinux/amazonlinux:2023", "amazonlinux full - - 2023 glibc - dnf"),
    ("public.ecr.aws/lambda/python:3.12", "amazonlinux full 3.12 3.12 2023 glibc - dnf"),
    ("public.ecr.aws/lambda/python:3.11", "amazonlinux full 3.11 3.11 2 glibc - yum"),
    ("gcr.io/distroless/python3-debian12", "distroless distroless 3.11 3.11 bookworm glibc - -"),
    (
        "gcr.io/distroless/python3-debian11:nonroot",
        "distroless distroless 3.9 3.9 bullseye glibc - -",
    ),
    ("gcr.io/distroless/static-debian12", "distroless distroless - - bookworm - - -"),
    ("gcr.io/distroless/cc-debian12:debug", "distroless distroless - - bookworm glibc - -"),
    ("scratch", "scratch other - - - - - -"),
]


def _expected(spec: str) -> tuple:
    fam, var, ver, minor, rel, libc, flags, pm = (None if x == "-" else x for x in spec.split(" "))
    rel = PYTHON_DEFAULT_RELEASE if rel == "D" else rel
    flags = (flags or "").split("+")
    return fam, var, ver, minor, rel, libc, "fat" in flags, "tools" in flags, pm


@pytest.mark.parametrize(("ref", "spec"), CLASSIFY, ids=[c[0][:60] for c in CLASSIFY])
def test_classify(ref, spec):
    got = info(ref)
    actual = (
        got.family,
        got.variant,
        got.python_version,
        got.python_minor,
        got.release,
        got.libc,
        got.fat,
        got.has_build_tools,
        got.package_manager,
    )
    assert actual == _expected(spec)


@pytest.mark.parametrize(
    ("ref", "distro", "implied"),
    [
        ("python:3.11", "debian", True),
        ("python:3.11-bookworm", "debian", False),
        ("python:3.11-alpine3.19", "alpine", False),
        ("buildpack-deps:jammy", "ubuntu", False),
        ("buildpack-deps:latest", "debian", True),
        ("debian:stable", "debian", True),
        ("debian:sid", "debian", False),
        ("ubuntu:jammy", "ubuntu", False),
        ("python:3.11-windowsservercore", "windows", False),
    ],
)
def test_distro_and_implied_release(ref, distro, implied):
    got = info(ref)
    assert got.distro == distro
    assert got.release_implied is implied


def test_unresolved_arg_is_unknown():
    model = build_model("ARG PY\nFROM python:${PY}\n")
    base = model.stages[0].base
    assert not base.resolved
    assert classify(base).family == "unknown"
    assert slim_tag(base) is None


def test_resolved_arg_default_is_classified():
    model = build_model("ARG PY=3.12\nFROM python:${PY}-bookworm\n")
    got = classify(model.stages[0].base)
    assert (got.python_minor, got.release, got.fat) == ("3.12", "bookworm", True)
    assert slim_tag(model.stages[0].base) == "python:3.12-slim-bookworm"


@pytest.mark.parametrize(
    ("ref", "slim"),
    [
        ("python", "python:slim"),
        ("python:latest", "python:slim"),
        ("python:3", "python:3-slim"),
        ("python:3.11", "python:3.11-slim"),
        ("python:3.11.7", "python:3.11.7-slim"),
        ("python:3.11-bookworm", "python:3.11-slim-bookworm"),
        ("python:3.12-bullseye", "python:3.12-slim-bullseye"),
        ("python:3-bookworm", "python:3-slim-bookworm"),
        ("python:bookworm", "python:slim-bookworm"),
        ("python:3.15-rc-trixie", "python:3.15-rc-slim-trixie"),
        ("python:3.15.0a2", "python:3.15.0a2-slim"),
        ("python:rc", "python:rc-slim"),
        ("docker.io/library/python:3.11", "docker.io/library/python:3.11-slim"),
        ("docker.io/python:3.11", "docker.io/python:3.11-slim"),
        (
            "public.ecr.aws/docker/library/python:3.12",
            "public.ecr.aws/docker/library/python:3.12-slim",
        ),
        ("localhost:5000/library/python:3.11", "localhost:5000/library/python:3.11-slim"),
        ("arm64v8/python:3.11", "arm64v8/python:3.11-slim"),
        ("python:3.11@sha256:" + "a" * 64, "python:3.11-slim"),
        ("python@sha256:" + "b" * 64, "python:slim"),
        # already slim: unchanged (digest kept: it is the same image)
        ("python:3.11-slim", "python:3.11-slim"),
        ("python:3.11-slim@sha256:" + "c" * 64, "python:3.11-slim@sha256:" + "c" * 64),
        ("python:3.11-alpine3.19", "python:3.11-alpine3.19"),
        ("alpine:3.19", "alpine:3.19"),
        ("ubuntu:22.04", "ubuntu:22.04"),
        ("gcr.io/distroless/python3-debian12", "gcr.io/distroless/python3-debian12"),
        ("rockylinux:9-minimal", "rockylinux:9-minimal"),
        ("scratch", "scratch"),
        # distributions
        ("debian:bookworm", "debian:bookworm-slim"),
        ("debian:12", "debian:12-slim"),
        ("debian:12.5", "debian:12.5-slim"),
        ("debian:bookworm-20240110", "debian:bookworm-20240110-slim"),
        ("debian", "debian:stable-slim"),
        ("debian:sid", "debian:sid-slim"),
        ("buildpack-deps:bookworm", "debian:bookworm-slim"),
        ("buildpack-deps:bullseye-curl", "debian:bullseye-slim"),
        ("buildpack-deps:scm", "debian:stable-slim"),
        ("buildpack-deps", "debian:stable-slim"),
        ("buildpack-deps:jammy", "ubuntu:jammy"),
        ("docker.io/library/buildpack-deps:bookworm", "docker.io/library/debian:bookworm-slim"),
        # no known slim counterpart
        ("python:3.11-windowsservercore-ltsc2022", None),
        ("python:3.5-onbuild", None),
        ("fedora:40", None),
        ("centos:7", None),
        ("someone/python:3.11", None),
        ("builder", None),
    ],
)
def test_slim_tag(ref, slim):
    assert slim_tag(ImageRef.parse(ref)) == slim


def test_slim_replacement_caveats():
    new, caveat = slim_replacement(ImageRef.parse("python:3.11@sha256:" + "a" * 64))
    assert new == "python:3.11-slim"
    assert "digest" in caveat and "compilers" in caveat
    assert slim_replacement(ImageRef.parse("python:3.11-slim")) == ("python:3.11-slim", None)
    assert slim_replacement(ImageRef.parse("debian:bookworm")) == ("debian:bookworm-slim", None)
    new, caveat = slim_replacement(ImageRef.parse("buildpack-deps:bookworm-curl"))
    assert new == "debian:bookworm-slim" and "curl" in caveat
    assert slim_replacement(ImageRef.parse("fedora:40")) is None


def test_slim_tag_classifies_as_slim_of_same_python_and_release():
    for ref in ("python:3.11", "python:3.12-bullseye", "python:3", "python", "python:3.11.7"):
        fat = info(ref)
        slim_ref = slim_tag(ImageRef.parse(ref))
        assert slim_ref is not None
        slim = info(slim_ref)
        assert slim.variant == "slim" and not slim.fat and not slim.has_build_tools
        assert (slim.python_version, slim.release) == (fat.python_version, fat.release)
        assert same_abi(fat, slim) is True
        assert same_release(fat, slim) is True


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("python:3.11", "python:3.11-slim", True),
        ("python:3.11.7-bookworm", "python:3.11-slim-bookworm", True),
        ("python:3.11", "python:3.11-alpine", False),  # glibc -> musl
        ("python:3", "python:3-alpine", False),
        ("python:3.11", "python:3.12-slim", False),  # Python ABI
        ("python:3", "python:3-slim", True),  # the same moving alias
        ("python", "python:slim", True),
        ("python:3", "python:3.12-slim", None),  # 3 may or may not be 3.12
        ("python:latest", "python:3.12-slim", None),
        ("python:3.11-alpine3.19", "python:3.11-alpine3.20", True),
        ("python:3.11", "gcr.io/distroless/python3-debian12", True),
        ("python:3.12", "gcr.io/distroless/python3-debian12", False),
        ("python:3.11", "builder", None),
        ("python:3.11", "debian:bookworm-slim", None),  # no Python in the distro base
        ("debian:bookworm", "debian:bookworm-slim", None),
        ("python:3.11", "alpine:3.19", False),
        ("python:3.11-windowsservercore", "python:3.11-slim", None),
    ],
)
def test_same_abi(a, b, expected):
    assert same_abi(info(a), info(b)) is expected
    assert same_abi(info(b), info(a)) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("debian:bookworm", "debian:bookworm-slim", True),
        ("debian:bookworm", "debian:bullseye-slim", False),
        ("debian:bookworm", "python:3.11-slim-bookworm", True),  # both python3.11 + glibc
        ("debian:trixie", "python:3.11-slim", False),  # trixie's python3 is 3.13
        ("alpine:3.19", "python:3.11-alpine3.19", True),
        ("ubuntu:22.04", "ubuntu:jammy", True),
        ("fedora:40", "fedora:40", None),  # no table for Fedora's python3
    ],
)
def test_same_abi_with_distro_python(a, b, expected):
    assert same_abi(info(a), info(b), assume_distro_python=True) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("python:3.11-bookworm", "python:3.11-slim-bookworm", True),
        ("python:3.11-bookworm", "python:3.11-slim-bullseye", False),
        ("python:3.11", "python:3.11-slim-bookworm", PYTHON_DEFAULT_RELEASE == "bookworm"),
        ("buildpack-deps:bookworm", "debian:bookworm-slim", True),
        ("python:3.11-alpine", "python:3.11-alpine3.19", None),
        ("python:3.11", "builder", None),
    ],
)
def test_same_release(a, b, expected):
    assert same_release(info(a), info(b)) is expected


@pytest.mark.parametrize(
    ("ref", "minor"),
    [
        ("debian:bookworm", "3.11"),
        ("debian:bullseye-slim", "3.9"),
        ("debian:trixie", "3.13"),
        ("ubuntu:22.04", "3.10"),
        ("ubuntu:noble", "3.12"),
        ("alpine:3.19", "3.11"),
        ("python:3.12-slim", "3.12"),
        ("alpine", None),
        ("fedora:40", None),
    ],
)
def test_distro_python_minor(ref, minor):
    assert distro_python_minor(info(ref)) == minor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("curl -f http://localhost:8000/ || exit 1", ["curl"]),
        ("/usr/bin/git describe && wget -q -O- http://x/", ["git", "wget"]),
        ("python app.py --git-dir /srv/git", []),  # options and paths are not programs
        ("gunicorn app:app", []),
        ("file /tmp/x; patch -p1 < fix.diff", []),  # common words do not count in free text
        ("curl a && curl b", ["curl"]),
        ("$curl x", []),
    ],
)
def test_full_only_tools_in(text: str, expected: list[str]) -> None:
    assert full_only_tools_in(text) == expected


CUDA = "nvidia/cuda:12.4.1-cudnn-{}-ubuntu22.04"
TORCH = "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-{}"
OLD_TORCH = "docker.io/pytorch/pytorch:1.13.1-cuda11.6-cudnn8-{}"


@pytest.mark.parametrize(
    ("ref", "variant", "slim"),
    [
        (CUDA.format("devel"), "full", CUDA.format("runtime")),
        (TORCH.format("devel"), "full", TORCH.format("runtime")),
        (OLD_TORCH.format("devel"), "full", OLD_TORCH.format("runtime")),
        (TORCH.format("runtime"), "slim", TORCH.format("runtime")),
        ("pytorch/pytorch:latest", "other", None),
    ],
)
def test_gpu_images_devel_and_runtime(ref: str, variant: str, slim: str | None) -> None:
    found = info(ref)
    assert found.variant == variant
    assert found.fat is False  # DLS001 does not call them fat: DLS007 splits them
    assert slim_tag(ImageRef.parse(ref)) == slim
