"""Tests for dockerlint_slim.project: reading a build context without running it."""

from __future__ import annotations

import json
import os
import re
import sys
import textwrap
from pathlib import Path

import pytest

from dockerlint_slim import project as P
from dockerlint_slim.project import (
    LEGACY_BACKEND,
    BuildInfo,
    Project,
    builds_from_source,
    canonical,
    extra_packages,
    native_data,
    native_package,
    parse_requirement,
    read_lock,
    read_pipfile,
    read_pyproject,
    read_requirements,
    read_setup_cfg,
    read_setup_py,
    requirement_name,
)


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def names(reqs: tuple[P.Requirement, ...]) -> list[str]:
    return [r.name for r in reqs]


# --------------------------------------------------------------------------- canonical


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Foo_Bar", "foo-bar"), ("zope.interface", "zope-interface"), ("PyYAML", "pyyaml")],
)
def test_canonical(raw: str, expected: str) -> None:
    assert canonical(raw) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pip_Tools[extra]>=7", "pip-tools"),
        ("zope.interface", "zope-interface"),
        ("six;python_version<'3'", "six"),
        ("psycopg2 (>=2.9)", "psycopg2"),
        ("pkg @ https://example.org/pkg.tar.gz", "pkg"),
        ("Django ~= 5.0", "django"),
        ("./src", None),
        ("/wheels/x.whl", None),
        ("git+https://github.com/a/b", None),
        ("https://example.org/pkg.tar.gz", None),
        ("foo,bar", None),
        ("the project itself", None),
        ("", None),
    ],
)
def test_requirement_name(text: str, expected: str | None) -> None:
    """The one reading of "which project does this requirement name" (the rewrite, the
    runtime library table and DLS004 use it)."""
    assert requirement_name(text) == expected


# --------------------------------------------------------------------------- requirements files


def test_continuations_and_comments(tmp_path: Path) -> None:
    req = write(
        tmp_path,
        "requirements.txt",
        r"""
        # a full-line comment
        flask==2.0.1 \
            --hash=sha256:aaa \
            --hash=sha256:bbb
        requests>=2  # trailing comment
        Django \
          >=4.2,<5
           # indented comment
        # a comment line ending in a backslash does not continue \
        gunicorn
        git+https://github.com/org/repo.git#egg=repo  # the #egg is not a comment
        last-one \
        """,
    )
    rf = read_requirements(req, tmp_path)
    assert rf.exists
    assert names(rf.requirements) == ["flask", "requests", "django", "gunicorn", "repo", "last-one"]
    flask, requests, django, gunicorn = rf.requirements[:4]
    assert flask.line == 2 and flask.specifier == "==2.0.1"
    assert flask.options == ("--hash=sha256:aaa", "--hash=sha256:bbb")
    assert requests.line == 5 and requests.raw == "requests>=2"
    assert django.line == 6 and django.specifier == "<5,>=4.2"
    assert gunicorn.line == 10
    assert rf.requirements[4].url == "git+https://github.com/org/repo.git#egg=repo"
    assert rf.warnings == ()


def test_includes_in_order_relative_to_including_file(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "alpha\n-r requirements/base.txt\nomega\n")
    write(tmp_path, "requirements/base.txt", "beta\n--requirement=more/extra.txt\ngamma\n")
    write(tmp_path, "requirements/more/extra.txt", "delta\n")
    rf = read_requirements(tmp_path / "requirements.txt", tmp_path)
    assert names(rf.requirements) == ["alpha", "beta", "delta", "gamma", "omega"]
    assert rf.includes == (
        "requirements.txt",
        "requirements/base.txt",
        "requirements/more/extra.txt",
    )
    assert rf.requirements[2].source == "requirements/more/extra.txt"
    assert rf.requirements[2].line == 1
    assert rf.warnings == ()


def test_short_option_forms(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "-rb.txt\n-c c.txt\n")
    write(tmp_path, "b.txt", "bee\n")
    write(tmp_path, "c.txt", "cee<2\n")
    rf = read_requirements(tmp_path / "a.txt", tmp_path)
    assert names(rf.requirements) == ["bee"]
    assert names(rf.constraints) == ["cee"]


def test_include_cycle_is_guarded(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "-r b.txt\nalpha\n")
    write(tmp_path, "b.txt", "-r a.txt\nbeta\n-r b.txt\n")
    rf = read_requirements(tmp_path / "a.txt", tmp_path)
    assert names(rf.requirements) == ["beta", "alpha"]
    cycles = [w for w in rf.warnings if "cycle" in w]
    assert len(cycles) == 2
    assert cycles[0].startswith("b.txt:1: include cycle (a.txt -> b.txt -> a.txt)")
    assert cycles[1].startswith("b.txt:3:")


def test_diamond_include_is_not_a_cycle(tmp_path: Path) -> None:
    write(tmp_path, "top.txt", "-r left.txt\n-r right.txt\n")
    write(tmp_path, "left.txt", "-r common.txt\n")
    write(tmp_path, "right.txt", "-r common.txt\n")
    write(tmp_path, "common.txt", "shared\n")
    rf = read_requirements(tmp_path / "top.txt", tmp_path)
    assert names(rf.requirements) == ["shared", "shared"]  # as pip reads it
    assert rf.warnings == ()


def test_missing_files_are_warnings(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "one\n-r nope.txt\ntwo\n")
    rf = read_requirements(tmp_path / "requirements.txt", tmp_path)
    assert names(rf.requirements) == ["one", "two"]
    assert rf.warnings == ("requirements.txt:2: nope.txt: file not found",)

    missing = read_requirements(tmp_path / "absent.txt", tmp_path)
    assert not missing.exists
    assert missing.requirements == ()
    assert missing.warnings == ("absent.txt: file not found",)


def test_include_of_a_directory(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path, "r.txt", "-r sub\n")
    rf = read_requirements(tmp_path / "r.txt", tmp_path)
    assert len(rf.warnings) == 1 and "r.txt:1:" in rf.warnings[0]


def test_includes_stay_inside_root(tmp_path: Path) -> None:
    root = tmp_path / "ctx"
    write(tmp_path, "outside.txt", "secret\n")
    write(root, "requirements.txt", "-r ../outside.txt\nok\n-r /etc/passwd\n")
    rf = read_requirements(root / "requirements.txt", root)
    assert names(rf.requirements) == ["ok"]
    assert any(
        "outside the build context" in w and w.startswith("requirements.txt:1:")
        for w in rf.warnings
    )
    assert any(w.startswith("requirements.txt:3:") and "in-image" in w for w in rf.warnings)
    # without a root, includes may go anywhere
    rf2 = read_requirements(root / "requirements.txt")
    assert "secret" in names(rf2.requirements)


@pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="symlinks")
def test_symlink_out_of_root_is_not_read(tmp_path: Path) -> None:
    root = tmp_path / "ctx"
    write(tmp_path, "outside.txt", "secret\n")
    root.mkdir()
    (root / "link.txt").symlink_to(tmp_path / "outside.txt")
    write(root, "requirements.txt", "-r link.txt\n")
    rf = read_requirements(root / "requirements.txt", root)
    assert rf.requirements == ()
    assert "outside the build context" in rf.warnings[0]


def test_constraints_and_nested_includes_of_constraints(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "-c constraints.txt\nrequests\n")
    write(tmp_path, "constraints.txt", "urllib3<2\n-r more-constraints.txt\n")
    write(tmp_path, "more-constraints.txt", "idna==3.4\n")
    rf = read_requirements(tmp_path / "requirements.txt", tmp_path)
    assert names(rf.requirements) == ["requests"]
    assert names(rf.constraints) == ["urllib3", "idna"]
    assert rf.constraints[1].pinned == "3.4"


def test_editables(tmp_path: Path) -> None:
    write(
        tmp_path,
        "r.txt",
        """
        -e .
        --editable ./libs/core[fast,Extra_One]
        -e git+https://github.com/org/thing.git@v1.2#egg=Thing_Two
        -e file:./plugins/p
        """,
    )
    rf = read_requirements(tmp_path / "r.txt", tmp_path)
    dot, core, vcs, plugin = rf.requirements
    assert all(r.editable for r in rf.requirements)
    assert (dot.name, dot.path, dot.url) == ("", ".", None)
    assert (core.path, core.extras) == ("./libs/core", ("extra-one", "fast"))
    assert vcs.name == "thing-two" and vcs.url is not None and vcs.path is None
    assert plugin.path == "./plugins/p" and plugin.url is None


def test_urls_and_paths(tmp_path: Path) -> None:
    write(
        tmp_path,
        "r.txt",
        """
        pkg @ https://example.com/pkg-1.0-py3-none-any.whl ; python_version < "3.12"
        other[x] @ git+https://github.com/o/other.git@main
        https://files.example.com/dl/Some_Thing-2.0-cp311-cp311-manylinux_2_17_x86_64.whl
        https://example.com/archive/plain-3.1.tar.gz; sys_platform == "linux"
        git+https://github.com/o/noegg.git
        .
        ./pkg
        ../sibling
        dist/mywheel-0.1-py3-none-any.whl
        local @ file:///wheels/local-1.0-py3-none-any.whl
        file:///abs/dir
        """,
    )
    rf = read_requirements(tmp_path / "r.txt", tmp_path)
    reqs = rf.requirements
    assert rf.warnings == ()
    assert (reqs[0].name, reqs[0].url, reqs[0].marker) == (
        "pkg",
        "https://example.com/pkg-1.0-py3-none-any.whl",
        'python_version < "3.12"',
    )
    assert (reqs[1].name, reqs[1].extras, reqs[1].url) == (
        "other",
        ("x",),
        "git+https://github.com/o/other.git@main",
    )
    assert reqs[2].name == "some-thing" and reqs[2].url and reqs[2].url.endswith(".whl")
    assert (reqs[3].name, reqs[3].marker) == ("plain", 'sys_platform == "linux"')
    assert (reqs[4].name, reqs[4].url) == ("", "git+https://github.com/o/noegg.git")
    assert [r.path for r in reqs[5:8]] == [".", "./pkg", "../sibling"]
    assert all(r.url is None and r.name == "" for r in reqs[5:8])
    assert (reqs[8].name, reqs[8].path) == ("mywheel", "dist/mywheel-0.1-py3-none-any.whl")
    assert (reqs[9].name, reqs[9].path, reqs[9].url) == (
        "local",
        "/wheels/local-1.0-py3-none-any.whl",
        None,
    )
    assert reqs[10].path == "/abs/dir"


def test_format_control(tmp_path: Path) -> None:
    write(
        tmp_path,
        "r.txt",
        """
        --no-binary psycopg2,Some_Pkg
        --only-binary=:all:
        --no-binary lxml
        numpy
        """,
    )
    rf = read_requirements(tmp_path / "r.txt", tmp_path)
    # :all: in --only-binary clears --no-binary; a later --no-binary name is an exception
    assert rf.only_binary == frozenset({":all:"})
    assert rf.no_binary == frozenset({"lxml"})
    assert not rf.binary_allowed("LXML")
    assert rf.binary_allowed("numpy")
    assert rf.options == (
        "--no-binary psycopg2,Some_Pkg",
        "--only-binary=:all:",
        "--no-binary lxml",
    )

    write(tmp_path, "all.txt", "--no-binary :all:\n--only-binary numpy\npandas\n")
    rf = read_requirements(tmp_path / "all.txt", tmp_path)
    assert rf.no_binary == frozenset({":all:"})
    assert rf.only_binary == frozenset({"numpy"})
    assert not rf.binary_allowed("pandas")
    assert rf.binary_allowed("numpy")

    write(tmp_path, "none.txt", "--no-binary :all:\n--no-binary :none:,uwsgi\n")
    rf = read_requirements(tmp_path / "none.txt", tmp_path)
    assert rf.no_binary == frozenset({"uwsgi"})


def test_format_control_from_includes(tmp_path: Path) -> None:
    write(tmp_path, "r.txt", "-r base.txt\nflask\n")
    write(tmp_path, "base.txt", "--no-binary=psycopg2\npsycopg2\n")
    rf = read_requirements(tmp_path / "r.txt", tmp_path)
    assert rf.no_binary == frozenset({"psycopg2"})


def test_index_options(tmp_path: Path) -> None:
    write(
        tmp_path,
        "r.txt",
        """
        -i https://mirror.example/simple
        --extra-index-url https://extra.example/simple
        --find-links=/wheels
        -f ./more-wheels
        --pre
        --no-index
        --require-hashes
        --prefer-binary
        --trusted-host mirror.example
        flask
        """,
    )
    rf = read_requirements(tmp_path / "r.txt", tmp_path)
    assert rf.index_url == "https://mirror.example/simple"
    assert rf.extra_index_urls == ("https://extra.example/simple",)
    assert rf.find_links == ("/wheels", "./more-wheels")
    assert rf.pre and rf.no_index and rf.require_hashes and rf.prefer_binary
    assert len(rf.options) == 9
    assert names(rf.requirements) == ["flask"]
    assert rf.warnings == ()


def test_long_option_prefix_and_unknown_option(tmp_path: Path) -> None:
    write(tmp_path, "r.txt", "--extra-index https://x/simple\n--frobnicate\nflask --hash\n")
    rf = read_requirements(tmp_path / "r.txt", tmp_path)
    assert rf.extra_index_urls == ("https://x/simple",)
    assert any(w.startswith("r.txt:2: unknown option '--frobnicate'") for w in rf.warnings)
    assert any(w.startswith("r.txt:3: option --hash needs a value") for w in rf.warnings)
    assert names(rf.requirements) == ["flask"]


def test_invalid_lines_and_env_vars(tmp_path: Path) -> None:
    write(
        tmp_path,
        "r.txt",
        """
        good==1
        bad (((
        pkg; python_version >>> "3"
        ${TOKEN_PKG}
        https://${USER}:pw@host/x-1.0.tar.gz
        """,
    )
    rf = read_requirements(tmp_path / "r.txt", tmp_path)
    assert rf.requirements[0].name == "good"
    assert any(w.startswith("r.txt:2: invalid requirement 'bad ((('") for w in rf.warnings)
    assert any(w.startswith("r.txt:3: invalid requirement") for w in rf.warnings)
    assert any(w.startswith("r.txt:4: uses ${TOKEN_PKG}") for w in rf.warnings)
    assert any(w.startswith("r.txt:5: uses ${USER}") for w in rf.warnings)


def test_markers_and_pins() -> None:
    req = parse_requirement('uvloop>=0.17; sys_platform != "win32" and python_version >= "3.8"')
    assert req is not None
    assert req.applies({"sys_platform": "linux", "python_version": "3.11"})
    assert not req.applies({"sys_platform": "win32", "python_version": "3.11"})
    assert parse_requirement("x==1.2.3") is not None
    assert parse_requirement("x==1.2.3").pinned == "1.2.3"  # type: ignore[union-attr]
    assert parse_requirement("x===weird").pinned == "weird"  # type: ignore[union-attr]
    assert parse_requirement("x==1.*").pinned is None  # type: ignore[union-attr]
    assert parse_requirement("x>=1,<2").pinned is None  # type: ignore[union-attr]
    assert parse_requirement("x").applies()  # type: ignore[union-attr]
    assert parse_requirement("") is None


def test_encodings(tmp_path: Path) -> None:
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbfflask\r\nrequests\r\n")
    rf = read_requirements(tmp_path / "bom.txt", tmp_path)
    assert names(rf.requirements) == ["flask", "requests"]
    (tmp_path / "latin.txt").write_bytes(b"# caf\xe9\nflask\n")
    rf = read_requirements(tmp_path / "latin.txt", tmp_path)
    assert names(rf.requirements) == ["flask"]
    assert "not UTF-8" in rf.warnings[0]


# --------------------------------------------------------------------------- setup.py


def setup_py(tmp_path: Path, body: str) -> P.SetupPy:
    return read_setup_py(write(tmp_path, "setup.py", body), tmp_path)


def test_setup_py_plain(tmp_path: Path) -> None:
    sp = setup_py(
        tmp_path,
        """
        from setuptools import setup, find_packages
        REQS = ["flask>=2", "requests"]
        setup(name="app", packages=find_packages(), install_requires=REQS, ext_modules=[])
        """,
    )
    assert sp.parsed and sp.parser == "ast"
    assert sp.compiles is False and sp.reasons == ()
    assert sp.install_requires == ("flask>=2", "requests")
    assert sp.name == "app"
    assert sp.warnings == ()


def test_setup_py_extension(tmp_path: Path) -> None:
    sp = setup_py(
        tmp_path,
        """
        from setuptools import setup, Extension

        setup(
            name="fast",
            ext_modules=[Extension('fast', sources=['fast.c'])],
            install_requires=['numpy'],
        )
        """,
    )
    assert sp.compiles is True
    assert "setup.py:5: ext_modules=[Extension('fast', sources=['fast.c'])]" in sp.reasons
    assert "setup.py:5: Extension('fast', sources=['fast.c'])" in sp.reasons
    assert sp.install_requires == ("numpy",)


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (
            "from distutils.core import setup, Extension\n"
            "ext = Extension('m', ['m.c'], optional=True)\nsetup(ext_modules=[ext])\n",
            "setup.py:2: Extension('m', ['m.c'], optional=True) (optional=True)",
        ),
        (
            "from pybind11.setup_helpers import Pybind11Extension\nimport setuptools\n"
            "setuptools.setup(ext_modules=[Pybind11Extension('p', ['p.cpp'])])\n",
            "Pybind11Extension('p', ['p.cpp'])",
        ),
        (
            "from setuptools import setup\nfrom Cython.Build import cythonize\n"
            "setup(ext_modules=cythonize('src/*.pyx'))\n",
            "setup.py:3: cythonize('src/*.pyx') (Cython)",
        ),
        (
            "from setuptools import setup\nsetup(cffi_modules=['build_ffi.py:ffi'])\n",
            "setup.py:2: cffi_modules=['build_ffi.py:ffi']",
        ),
        (
            "from setuptools import setup\nfrom setuptools_rust import RustExtension\n"
            "setup(rust_extensions=[RustExtension('pkg._rs')])\n",
            "RustExtension('pkg._rs') (compiles Rust)",
        ),
        (
            "from setuptools import setup\n"
            "class CMakeExtension: pass\nsetup(ext_modules=[CMakeExtension('x')])\n",
            "setup.py:3: CMakeExtension('x')",
        ),
        (
            "from skbuild import setup\nsetup(name='x')\n",
            "setup.py:1: setup() from scikit-build (CMake)",
        ),
        (
            "import setuptools\nkw = {}\nkw['ext_modules'] = make()\nsetuptools.setup(**kw)\n",
            "setup.py:3: ext_modules=make()",
        ),
        (
            "import setuptools\nkw = dict(ext_modules=EXTS)\nsetuptools.setup(**kw)\n",
            "setup.py:2: ext_modules=EXTS",
        ),
        (
            "from mypyc.build import mypycify\nfrom setuptools import setup\n"
            "setup(ext_modules=mypycify(['pkg']))\n",
            "(mypyc)",
        ),
    ],
)
def test_setup_py_compile_signals(tmp_path: Path, body: str, needle: str) -> None:
    sp = setup_py(tmp_path, body)
    assert sp.compiles is True, sp
    assert any(needle in r for r in sp.reasons), sp.reasons


def test_setup_py_empty_extension_list_by_name(tmp_path: Path) -> None:
    sp = setup_py(tmp_path, "from setuptools import setup\nEXT = []\nsetup(ext_modules=EXT)\n")
    assert sp.compiles is False


def test_setup_py_dynamic_install_requires(tmp_path: Path) -> None:
    sp = setup_py(
        tmp_path,
        """
        from setuptools import setup
        reqs = ["a"]
        if True:
            reqs.append("b")
        with open("requirements/base.txt") as f:
            other = f.read().splitlines()
        setup(install_requires=reqs + other, extras_require={"x": ["y"]})
        """,
    )
    assert sp.install_requires == ()
    assert sp.dynamic == ("install_requires",)
    assert sp.requirements_files == ("requirements/base.txt",)
    sp = setup_py(
        tmp_path,
        'from setuptools import setup\nr = ["a"]\nr.append("b")\nsetup(install_requires=r)\n',
    )
    assert sp.install_requires == () and sp.dynamic == ("install_requires",)


def test_setup_py_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    sp = setup_py(
        tmp_path,
        f"""
        import os, sys
        open({str(marker)!r}, "w").write("ran")
        os.system("touch {marker}")
        sys.exit(3)
        from setuptools import setup
        setup(name="evil", ext_modules=[__import__("setuptools").Extension("e", ["e.c"])])
        """,
    )
    assert not marker.exists()
    assert sp.parsed and sp.compiles is True


PY2_SETUP = """
from distutils.core import setup, Extension
print "building"
setup(name="old", ext_modules=[Extension("old", ["old.c"])])
"""


def test_setup_py_python2_syntax(tmp_path: Path) -> None:
    sp = setup_py(tmp_path, PY2_SETUP)
    # ast cannot parse it; libcst (when installed) cannot either: unknown, never a crash
    assert sp.parsed is False and sp.compiles is None
    assert sp.warnings[0].startswith("setup.py:2: Python cannot parse it")
    assert any("Extension" in w and "may compile" in w for w in sp.warnings)


def test_setup_py_without_libcst(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "libcst", None)  # import libcst -> ImportError
    sp = setup_py(tmp_path, PY2_SETUP)
    assert sp.parsed is False and sp.compiles is None
    assert "libcst is not installed" in sp.warnings[0]


def test_setup_py_libcst_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise SyntaxError("pretend new syntax", ("setup.py", 4, 1, "x"))

    monkeypatch.setattr(P, "_parse_python", refuse)
    sp = setup_py(
        tmp_path,
        """
        from setuptools import setup, Extension
        from Cython.Build import cythonize
        setup(
            name="cst",
            install_requires=["a>=1", 'b'],
            ext_modules=cythonize([Extension("m", ["m.pyx"])]),
        )
        """,
    )
    assert sp.parsed and sp.parser == "libcst"
    assert sp.compiles is True
    assert sp.install_requires == ("a>=1", "b")
    assert sp.name == "cst"
    assert any(r.startswith("setup.py:6: ext_modules=cythonize(") for r in sp.reasons)
    assert any(r.startswith("setup.py:6: Extension(") for r in sp.reasons)
    assert "read with libcst instead" in sp.warnings[-1]


NEWER_GRAMMAR_SETUP = """
from setuptools import Extension, setup


def extensions(flags):
    match flags:  # Python 3.10
        case {"native": True}:
            return [Extension("fast", ["fast.c"])]
        case _:
            return []


type Names = list[str]  # Python 3.12

label = f"{"modern"}"  # Python 3.12 (PEP 701)

setup(
    name="modern",
    install_requires=["flask>=2", "numpy"],
    ext_modules=extensions({"native": True}),
)
"""


def test_setup_py_in_newer_python_syntax(tmp_path: Path) -> None:
    # the `libcst` extra (part of `test`) reads what this Python's ast cannot: the same facts
    sp = setup_py(tmp_path, NEWER_GRAMMAR_SETUP)
    assert sp.parsed and sp.compiles is True
    assert sp.name == "modern"
    assert sp.install_requires == ("flask>=2", "numpy")
    assert set(sp.reasons) == {
        'setup.py:7: Extension("fast", ["fast.c"])',
        'setup.py:19: ext_modules=extensions({"native": True})',
    }
    if sys.version_info < (3, 12):
        assert sp.parser == "libcst"
        # where this Python's grammar gives up: in the `match` on 3.9, at `type` on 3.10-3.11
        (warning,) = sp.warnings
        assert re.fullmatch(
            r"setup\.py:(5|12): Python cannot parse it \(.+\); read with libcst instead", warning
        ), warning
    else:
        assert sp.parser == "ast" and sp.warnings == ()


def test_setup_py_missing_and_binary(tmp_path: Path) -> None:
    sp = read_setup_py(tmp_path / "setup.py", tmp_path)
    assert not sp.parsed and sp.warnings == ("setup.py: file not found",)
    (tmp_path / "setup.py").write_bytes(b"\x00\x01setup()")
    sp = read_setup_py(tmp_path / "setup.py", tmp_path)
    assert not sp.parsed and sp.compiles is None


def test_setup_cfg(tmp_path: Path) -> None:
    write(
        tmp_path,
        "setup.cfg",
        """
        [metadata]
        name = cfgapp
        [options]
        install_requires =
            requests>=2
            # a comment
            click
        """,
    )
    cfg = read_setup_cfg(tmp_path / "setup.cfg", tmp_path)
    assert cfg.name == "cfgapp"
    assert cfg.install_requires == ("requests>=2", "click")
    write(tmp_path, "bad/setup.cfg", "no section header\n")
    bad = read_setup_cfg(tmp_path / "bad/setup.cfg", tmp_path)
    assert bad.warnings and bad.warnings[0].startswith("bad/setup.cfg:1: invalid setup.cfg")


# --------------------------------------------------------------------------- pyproject.toml


def test_pyproject_pep621(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "pyproject.toml",
        """
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "My_App"
        requires-python = ">=3.10"
        dependencies = [
            "Flask>=2",
            "psycopg2==2.9.9",
            "not a requirement ((",
        ]
        [project.optional-dependencies]
        fast = ["uvloop; sys_platform != 'win32'"]

        [dependency-groups]
        dev = ["pytest", {include-group = "lint"}]
        lint = ["ruff"]

        [tool.uv]
        package = true
        """,
    )
    pp = read_pyproject(path, tmp_path)
    assert pp.parsed and pp.name == "My_App" and pp.requires_python == ">=3.10"
    assert names(pp.dependencies) == ["flask", "psycopg2"]
    assert pp.dependencies[1].line == 10 and pp.dependencies[1].source == "pyproject.toml"
    assert pp.warnings[0].startswith("pyproject.toml:11: invalid requirement")
    assert names(pp.optional_dependencies["fast"]) == ["uvloop"]
    assert names(pp.dependency_groups["dev"]) == ["pytest"]
    assert "uv" in pp.tools
    assert pp.build == BuildInfo(False, (), "hatchling.build")
    assert pp.dependency_names() == {"flask", "psycopg2"}
    assert pp.dependency_names(optional=True) == {"flask", "psycopg2", "uvloop"}


def test_pyproject_poetry(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "pyproject.toml",
        """
        [tool.poetry]
        name = "svc"
        [tool.poetry.dependencies]
        python = "^3.11"
        Django = "^4.2"
        psycopg2 = { version = "2.9.9", optional = true }
        mylib = { path = "../mylib", develop = true }
        numpy = [
            { version = "1.24", python = "<3.12" },
            { version = "1.26", python = ">=3.12" },
        ]
        [tool.poetry.dev-dependencies]
        black = "*"
        [tool.poetry.group.test.dependencies]
        pytest = "^8"
        [build-system]
        requires = ["poetry-core"]
        build-backend = "poetry.core.masonry.api"
        """,
    )
    pp = read_pyproject(path, tmp_path)
    assert pp.poetry and pp.name == "svc" and pp.requires_python == "^3.11"
    assert pp.poetry_dependencies == (
        ("django", "^4.2"),
        ("psycopg2", "2.9.9"),
        ("mylib", "path:../mylib"),
        ("numpy", "1.24 || 1.26"),
        ("black", "*"),
        ("pytest", "^8"),
    )
    assert set(pp.poetry_groups) == {"main", "dev", "test"}
    assert pp.build.compiles is False
    assert pp.build_backend == "poetry.core.masonry.api"


@pytest.mark.parametrize(
    ("backend", "requires", "extra", "compiles", "needle"),
    [
        ("maturin", ["maturin>=1,<2"], "", True, "maturin compiles Rust"),
        ("scikit_build_core.build", ["scikit-build-core"], "", True, "CMake"),
        ("mesonpy", ["meson-python", "cython"], "", True, "meson-python"),
        ("setuptools.build_meta", ["setuptools", "setuptools-rust"], "", True, "setuptools-rust"),
        ("setuptools.build_meta", ["setuptools", "Cython>=3"], "", True, "Cython"),
        ("setuptools.build_meta", ["setuptools", "pybind11"], "", True, "pybind11"),
        (
            "setuptools.build_meta",
            ["setuptools>=74"],
            '[tool.setuptools]\next-modules = [{name = "m", sources = ["m.c"]}]\n',
            True,
            "ext-modules",
        ),
        ("setuptools.build_meta", ["setuptools"], "", None, None),
        ("flit_core.buildapi", ["flit_core"], "", False, None),
        ("hatchling.build", ["hatchling", "hatch-cython"], "", True, "hatch-cython"),
        (
            "hatchling.build",
            ["hatchling"],
            "[tool.hatch.build.targets.wheel.hooks.custom]\n",
            None,
            "hatch build hooks custom",
        ),
        ("weird.backend", ["weird"], "", None, "unknown build backend weird.backend"),
    ],
)
def test_pyproject_backends(
    tmp_path: Path,
    backend: str,
    requires: list[str],
    extra: str,
    compiles: bool | None,
    needle: str | None,
) -> None:
    text = (
        f"[build-system]\nrequires = {json.dumps(requires)}\nbuild-backend = {backend!r}\n\n"
        f'[project]\nname = "x"\n{extra}'
    )
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    pp = read_pyproject(tmp_path / "pyproject.toml", tmp_path)
    assert pp.build_backend == backend
    assert pp.build_requires == tuple(requires)
    assert pp.build.compiles is compiles, pp.build
    if needle:
        assert any(needle in r for r in pp.build.reasons), pp.build.reasons
        assert all(r.startswith("pyproject.toml") for r in pp.build.reasons)


def test_pyproject_invalid_toml_and_bad_types(tmp_path: Path) -> None:
    path = write(
        tmp_path, "pyproject.toml", '[project]\nname = "x"\ndependencies = [\n  "a",\n  = \n]\n'
    )
    pp = read_pyproject(path, tmp_path)
    assert not pp.parsed
    assert pp.warnings[0].startswith("pyproject.toml:5: invalid TOML")
    path = write(
        tmp_path,
        "pyproject.toml",
        '[project]\ndependencies = "flask"\n[build-system]\nrequires = "x"\n',
    )
    pp = read_pyproject(path, tmp_path)
    assert pp.parsed and pp.dependencies == ()
    assert "pyproject.toml: [project].dependencies is not an array" in pp.warnings
    assert pp.build_backend == LEGACY_BACKEND  # [build-system] without build-backend


# --------------------------------------------------------------------------- lock files


def test_poetry_lock(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "poetry.lock",
        """
        [[package]]
        name = "Django"
        version = "4.2.7"
        files = [{file = "Django-4.2.7-py3-none-any.whl", hash = "sha256:x"}]

        [[package]]
        name = "psycopg2"
        version = "2.9.9"

        [metadata]
        lock-version = "2.0"
        """,
    )
    lock = read_lock(path, tmp_path)
    assert lock.kind == "poetry"
    assert lock.packages == (("django", "4.2.7"), ("psycopg2", "2.9.9"))
    assert lock.warnings == ()


def test_pipfile_lock(tmp_path: Path) -> None:
    data = {
        "_meta": {"hash": {"sha256": "x"}},
        "default": {"Flask": {"version": "==3.0.0"}, "gunicorn": {"version": "==21.2.0"}},
        "develop": {"pytest": {"version": "==7.4.3"}, "flask": {"version": "==3.0.0"}},
    }
    (tmp_path / "Pipfile.lock").write_text(json.dumps(data), encoding="utf-8")
    lock = read_lock(tmp_path / "Pipfile.lock", tmp_path)
    assert lock.kind == "pipenv"
    assert lock.packages == (("flask", "3.0.0"), ("gunicorn", "21.2.0"), ("pytest", "7.4.3"))
    (tmp_path / "Pipfile.lock").write_text("{not json", encoding="utf-8")
    bad = read_lock(tmp_path / "Pipfile.lock", tmp_path)
    assert bad.packages == () and bad.warnings[0].startswith("Pipfile.lock:1: invalid JSON")


def test_uv_lock(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "uv.lock",
        """
        version = 1
        requires-python = ">=3.11"

        [[package]]
        name = "myapp"
        version = "0.1.0"
        source = { editable = "." }

        [[package]]
        name = "orjson"
        version = "3.9.10"
        source = { registry = "https://pypi.org/simple" }
        """,
    )
    lock = read_lock(path, tmp_path)
    assert lock.kind == "uv" and lock.packages == (("orjson", "3.9.10"),)


def test_pdm_lock(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "pdm.lock",
        """
        [metadata]
        groups = ["default"]
        [[package]]
        name = "pydantic_core"
        version = "2.14.5"
        [[package]]
        version = "1"
        """,
    )
    lock = read_lock(path, tmp_path)
    assert lock.kind == "pdm" and lock.packages == (("pydantic-core", "2.14.5"),)
    assert lock.warnings == ("pdm.lock: a [[package]] without a name",)


def test_lock_invalid_toml_and_unknown_kind(tmp_path: Path) -> None:
    path = write(tmp_path, "poetry.lock", "[[package]\nname = 1\n")
    lock = read_lock(path, tmp_path)
    assert lock.packages == () and lock.warnings[0].startswith("poetry.lock:1: invalid TOML")
    other = read_lock(write(tmp_path, "other.lock", ""), tmp_path)
    assert other.kind == "" and "unknown lock file kind" in other.warnings[0]
    assert read_lock(tmp_path / "uv.lock", tmp_path).warnings == ("uv.lock: file not found",)


def test_pipfile(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Pipfile",
        """
        [[source]]
        url = "https://pypi.org/simple"
        [packages]
        Flask = "*"
        mysqlclient = {version = "==2.2.0"}
        mylib = {editable = true, path = "."}
        [dev-packages]
        pytest = "*"
        [requires]
        python_version = "3.11"
        """,
    )
    pf = read_pipfile(path, tmp_path)
    assert pf.packages == (("flask", "*"), ("mysqlclient", "==2.2.0"), ("mylib", "path:."))
    assert pf.dev_packages == (("pytest", "*"),)
    assert pf.python_version == "3.11"


# --------------------------------------------------------------------------- Project


def test_project_missing_root(tmp_path: Path) -> None:
    proj = Project(tmp_path / "nope")
    assert proj.requirements("requirements.txt") is None
    assert proj.pyproject is None and proj.setup_py is None and proj.pipfile is None
    assert proj.locks == [] and proj.manifests() == []
    assert proj.dependency_names() == set()
    assert proj.build_info().compiles is None
    assert proj.setup_cfg_compiles is None
    assert proj.warnings == [f"{tmp_path / 'nope'}: build context folder does not exist"]


def test_project_is_lazy_and_cached(tmp_path: Path) -> None:
    proj = Project(tmp_path)
    assert proj.warnings == []
    # files written after construction are seen: nothing was read up front
    write(tmp_path, "requirements.txt", "flask\n")
    first = proj.requirements("requirements.txt")
    assert first is not None and names(first.requirements) == ["flask"]
    write(tmp_path, "requirements.txt", "django\n")
    assert proj.requirements("requirements.txt") is first  # cached per path
    assert names(Project(tmp_path).requirements("./requirements.txt").requirements) == ["django"]  # type: ignore[union-attr]


def test_project_requirements_paths(tmp_path: Path) -> None:
    write(tmp_path, "req/prod.txt", "gunicorn\n")
    proj = Project(tmp_path)
    assert proj.requirements("/app/requirements.txt") is None
    assert proj.requirements("${REQS}") is None
    assert proj.requirements("../other/requirements.txt") is None
    assert any("outside the build context" in w for w in proj.warnings)
    rf = proj.requirements("req/prod.txt")
    assert rf is not None and rf.path == "req/prod.txt" and names(rf.requirements) == ["gunicorn"]
    missing = proj.requirements("requirements-dev.txt")
    assert missing is not None and not missing.exists
    assert "requirements-dev.txt: file not found" in proj.warnings
    assert proj.has("req/prod.txt") and not proj.has("req") and not proj.has("/etc/passwd")


def test_project_manifests(tmp_path: Path) -> None:
    for rel in (
        "requirements.txt",
        "requirements-dev.txt",
        "requirements/base.txt",
        "requirements/notes.md",
        "constraints.txt",
        "pyproject.toml",
        "poetry.lock",
        "Pipfile",
        "Pipfile.lock",
        "uv.lock",
        "pdm.lock",
        "setup.py",
        "setup.cfg",
        "app.py",
        "sub/requirements.txt",
    ):
        write(tmp_path, rel, "")
    (tmp_path / "requirements.txt.d").mkdir()
    assert Project(tmp_path).manifests() == [
        "Pipfile",
        "Pipfile.lock",
        "constraints.txt",
        "pdm.lock",
        "poetry.lock",
        "pyproject.toml",
        "requirements-dev.txt",
        "requirements.txt",
        "requirements/base.txt",
        "setup.cfg",
        "setup.py",
        "uv.lock",
    ]


def test_project_build_info_setup_py(tmp_path: Path) -> None:
    write(
        tmp_path,
        "setup.py",
        "from setuptools import setup, Extension\nsetup(ext_modules=[Extension('f', ['f.c'])])\n",
    )
    info = Project(tmp_path).build_info()
    assert info.compiles is True and info.backend == LEGACY_BACKEND
    assert info.reasons[0].startswith("setup.py:2: ext_modules=[Extension('f', ['f.c'])]")

    write(
        tmp_path,
        "pyproject.toml",
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n',
    )
    info = Project(tmp_path).build_info()
    assert info.compiles is True and info.backend == "setuptools.build_meta"

    write(tmp_path, "setup.py", "from setuptools import setup\nsetup(name='pure')\n")
    info = Project(tmp_path).build_info()
    assert info == BuildInfo(False, (), "setuptools.build_meta")


def test_project_build_info_backends(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        '[build-system]\nrequires = ["maturin"]\nbuild-backend = "maturin"\n',
    )
    info = Project(tmp_path).build_info()
    assert info.compiles is True and "maturin compiles Rust" in info.reasons[0]
    # a pure backend ignores a leftover setup.py
    write(
        tmp_path,
        "pyproject.toml",
        '[build-system]\nrequires = ["flit_core"]\nbuild-backend = "flit_core.buildapi"\n',
    )
    write(
        tmp_path,
        "setup.py",
        "from setuptools import setup, Extension\nsetup(ext_modules=[Extension('f', [])])\n",
    )
    assert Project(tmp_path).build_info().compiles is False


def test_project_build_info_unknowns(tmp_path: Path) -> None:
    assert Project(tmp_path).build_info() == BuildInfo(
        None, ("no pyproject.toml, setup.py or setup.cfg",), None
    )
    write(tmp_path, "setup.py", PY2_SETUP)
    info = Project(tmp_path).build_info()
    assert info.compiles is None and info.reasons[0].startswith("setup.py:2:")
    # pyproject-only setuptools project without extensions: pure
    (tmp_path / "setup.py").unlink()
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n')
    assert Project(tmp_path).build_info() == BuildInfo(False, (), LEGACY_BACKEND)


def test_project_poetry_build_script(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        """
        [tool.poetry]
        name = "x"
        [tool.poetry.build]
        script = "build.py"
        generate-setup-file = false
        [build-system]
        requires = ["poetry-core", "cython"]
        build-backend = "poetry.core.masonry.api"
        """,
    )
    info = Project(tmp_path).build_info()
    assert info.compiles is True  # cython in the build requirements
    write(
        tmp_path,
        "pyproject.toml",
        (tmp_path / "pyproject.toml").read_text().replace(', "cython"', ""),
    )
    assert Project(tmp_path).build_info().compiles is None  # a build script, not found
    write(
        tmp_path, "build.py", "from setuptools import Extension\nEXT = [Extension('a', ['a.c'])]\n"
    )
    info = Project(tmp_path).build_info()
    assert info.compiles is True and info.reasons[0].startswith("build.py:2:")


def test_project_dependency_names(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        """
        [project]
        name = "me"
        dependencies = ["Flask>=2", "me-plugin"]
        [dependency-groups]
        dev = ["pytest"]
        [tool.poetry.group.docs.dependencies]
        sphinx = "*"
        """,
    )
    write(
        tmp_path, "setup.py", "from setuptools import setup\nsetup(install_requires=['uWSGI>=2'])\n"
    )
    write(tmp_path, "setup.cfg", "[options]\ninstall_requires =\n    click\n")
    write(tmp_path, "Pipfile", '[packages]\nrequests = "*"\n[dev-packages]\nblack = "*"\n')
    write(tmp_path, "poetry.lock", '[[package]]\nname = "MarkupSafe"\nversion = "2.1.3"\n')
    proj = Project(tmp_path)
    assert proj.dependency_names() == {
        "flask", "me-plugin", "pytest", "sphinx", "uwsgi", "click", "requests", "black",
        "markupsafe",
    }  # fmt: skip
    assert proj.dependency_names(locks=False, dev=False) == {
        "flask", "me-plugin", "uwsgi", "click", "requests",
    }  # fmt: skip
    assert [lock.kind for lock in proj.locks] == ["poetry"]
    assert proj.setup_cfg_compiles is False


@pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="symlinks")
def test_project_never_reads_outside_root(tmp_path: Path) -> None:
    root = tmp_path / "ctx"
    root.mkdir()
    write(tmp_path, "pyproject.toml", '[project]\nname = "outside"\n')
    (root / "pyproject.toml").symlink_to(tmp_path / "pyproject.toml")
    proj = Project(root)
    assert proj.pyproject is None
    assert proj.requirements("pyproject.toml") is None


def test_project_warnings_collected(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[project\n")
    write(tmp_path, "uv.lock", "x = \n")
    proj = Project(tmp_path)
    assert proj.warnings == []  # nothing read yet
    assert proj.pyproject is not None and not proj.pyproject.parsed
    proj.locks  # noqa: B018 - read them
    assert [w.split(":")[0] for w in proj.warnings] == ["pyproject.toml", "uv.lock"]


# --------------------------------------------------------------------------- native package data


def test_native_data_file() -> None:
    data = native_data()
    assert set(data) >= {"source", "generated", "python", "packages"}
    assert "pypi.org/simple" in data["source"]
    assert len(data["generated"]) == 10  # YYYY-MM-DD
    assert {"3.9", "3.11", "3.13"} <= set(data["python"])
    packages = data["packages"]
    for required in (
        "pycrypto", "psycopg2", "psycopg2-binary", "mysqlclient", "uwsgi", "python-ldap",
        "lxml", "numpy", "pandas", "cryptography", "grpcio", "pillow", "scipy", "mysql-python",
        "pylibmc", "gevent", "uvloop", "psutil", "bcrypt", "cffi", "pyzmq", "ujson", "orjson",
        "pydantic-core", "netifaces", "dbus-python", "pycairo", "pygobject", "lz4", "xmlsec",
        "pyodbc", "m2crypto", "cx-oracle", "confluent-kafka", "pymssql", "sasl",
        "backports-zoneinfo", "pykerberos", "kerberos", "gssapi", "pyaudio", "mod-wsgi",
        "python-prctl", "evdev", "annoy", "fasttext", "pyjq",
    ):  # fmt: skip
        assert required in packages, required
    for name, entry in packages.items():
        assert name == canonical(name)
        assert entry["wheels"] in ("none", "windows-only", "no-linux", "some"), name
        assert isinstance(entry["musllinux"], bool) and isinstance(entry["note"], str)
        assert entry["note"], name
    for pure in ("ldap3", "python-memcached", "requests"):
        assert pure not in packages


def test_native_package_lookup() -> None:
    info = native_package("PsycoPG2")
    assert info is not None and info.name == "psycopg2"
    assert info.wheels == "windows-only" and not info.musllinux and not info.manylinux
    assert "libpq" in info.note
    assert native_package("requests") is None
    assert native_package("mysqlclient").wheels == "windows-only"  # type: ignore[union-attr]
    assert native_package("uwsgi").wheels == "none"  # type: ignore[union-attr]


def test_extra_packages() -> None:
    assert extra_packages("psycopg", ["c"]) == ("psycopg-c",)
    assert extra_packages("Psycopg", ["pool", "C", "c"]) == ("psycopg-c",)
    assert extra_packages("psycopg", ["binary"]) == ()  # psycopg-binary: wheels, not listed
    assert set(extra_packages("uvicorn", ["standard"])) >= {"httptools", "uvloop"}
    assert extra_packages("requests", ["socks"]) == ()
    assert extra_packages("psycopg", []) == ()
    # every package an extra pulls in is itself a known native package
    for extras in native_data()["extras"].values():
        for deps in extras.values():
            assert all(native_package(d) is not None for d in deps), deps


def test_native_extras_from_wheel_metadata() -> None:
    """The data script reads extras from core metadata, keeping only native packages."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "scripts" / "update_native_packages.py"
    spec = importlib.util.spec_from_file_location("update_native_packages_t", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    metadata = (
        "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"
        "Requires-Dist: typing-extensions>=4\n"
        "Requires-Dist: cffi; platform_python_implementation == 'CPython'\n"
        "Provides-Extra: c\nRequires-Dist: psycopg-c==1.0; extra == 'c'\n"
        "Provides-Extra: Fast\n"
        'Requires-Dist: uvloop; (sys_platform != "win32") and extra == "fast"\n'
        'Requires-Dist: winloop; sys_platform == "win32" and extra == "fast"\n'
        'Requires-Dist: httptools; extra == "fast"\n'
        "Provides-Extra: docs\nRequires-Dist: sphinx; extra == 'docs'\n"
        "Provides-Extra: pypy\n"
        "Requires-Dist: lz4; extra == 'pypy' and implementation_name == 'pypy'\n"
    )
    found = module.native_extras(metadata, ["psycopg-c", "uvloop", "httptools", "cffi", "lz4"])
    assert found == {"c": ["psycopg-c"], "fast": ["httptools", "uvloop"]}


@pytest.mark.parametrize("musl", [False, True])
@pytest.mark.parametrize(
    "name",
    ["psycopg2", "mysqlclient", "uwsgi", "pycrypto", "python-ldap", "pykerberos", "pyaudio"],
)
def test_builds_from_source_no_linux_wheels(name: str, musl: bool) -> None:
    reason = builds_from_source(name, musl)
    assert reason is not None and reason.startswith(name) and "pip builds it from source" in reason
    assert builds_from_source(name, musl, python="3.12") is not None


def test_builds_from_source_wheels() -> None:
    assert builds_from_source("requests", False) is None  # not native: no claim
    assert builds_from_source("psycopg2-binary", False) is None
    assert builds_from_source("psycopg2-binary", True, "3.12") is None
    assert builds_from_source("lxml", True, python="3.12.1") is None
    assert builds_from_source("numpy", False, python="3.12") is None


def test_builds_from_source_versions() -> None:
    # numpy 1.19.5 predates CPython 3.11: no wheel, on either libc
    reason = builds_from_source("numpy", False, python="3.11", specifier="==1.19.5")
    assert reason is not None and "1.19.5" in reason and "CPython 3.11" in reason
    assert builds_from_source("numpy", False, python="3.8", specifier="==1.19.5") is None
    # no musllinux wheels before numpy 1.25
    assert builds_from_source("numpy", True, python="3.11", specifier="==1.24.4") is not None
    assert builds_from_source("numpy", True, python="3.11", specifier="<1.25") is not None
    assert builds_from_source("numpy", False, python="3.11", specifier="<1.25") is None
    # a version the data does not know: no claim
    assert builds_from_source("numpy", False, python="3.11", specifier="==999.0") is None
    assert builds_from_source("numpy", False, specifier="not a specifier") is None
    # without a Python version a release counts when any CPython has a wheel
    assert builds_from_source("numpy", False, specifier="==1.19.5") is None


def test_project_pdm_and_hatch_build_scripts(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        '[build-system]\nrequires = ["pdm-backend"]\nbuild-backend = "pdm.backend"\n',
    )
    assert Project(tmp_path).build_info().compiles is False
    write(tmp_path, "pdm_build.py", "def pdm_build_initialize(context):\n    pass\n")
    info = Project(tmp_path).build_info()
    assert info.compiles is None and "pdm_build.py" in info.reasons[-1]
    write(
        tmp_path,
        "pdm_build.py",
        "from setuptools import Extension\n\n"
        "def pdm_build_update_setup_kwargs(context, kw):\n"
        "    kw.update(ext_modules=[Extension('m', ['m.c'])])\n",
    )
    info = Project(tmp_path).build_info()
    assert info.compiles is True and info.reasons[0].startswith("pdm_build.py:4:")

    (tmp_path / "pdm_build.py").unlink()
    write(
        tmp_path,
        "pyproject.toml",
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        "[tool.hatch.build.hooks.custom]\n",
    )
    assert Project(tmp_path).build_info().compiles is None
    write(
        tmp_path, "hatch_build.py", "from mypyc.build import mypycify\nmods = mypycify(['pkg'])\n"
    )
    assert Project(tmp_path).build_info().compiles is True


def test_project_build_info_invalid_pyproject(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[build-system\n")
    write(tmp_path, "setup.py", "from setuptools import setup\nsetup()\n")
    info = Project(tmp_path).build_info()
    assert info.compiles is None and info.reasons[0].startswith("pyproject.toml:1: invalid TOML")


def test_project_maturin_ignores_setup_py_reasons(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        '[build-system]\nrequires = ["maturin"]\nbuild-backend = "maturin"\n',
    )
    write(
        tmp_path,
        "setup.py",
        "from setuptools import setup, Extension\nsetup(ext_modules=[Extension('x', [])])\n",
    )
    info = Project(tmp_path).build_info()
    assert info.compiles is True and all(r.startswith("pyproject.toml") for r in info.reasons)


def test_a_relative_build_context_is_the_current_folder_of_each_read(tmp_path, monkeypatch):
    # the root's resolution is cached: a relative root must not keep the folder it meant first
    for name, pin in (("a", "flask==3.0.0"), ("b", "psycopg2==2.9.9")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "requirements.txt").write_text(pin + "\n")
    seen = []
    for name in ("a", "b"):
        monkeypatch.chdir(tmp_path / name)
        found = Project(Path(".")).requirements("requirements.txt")
        assert found is not None
        seen.append([r.name for r in found.requirements])
    assert seen == [["flask"], ["psycopg2"]]
