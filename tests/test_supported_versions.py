"""What setup.cfg promises (Python range, dependency lower bounds) is what CI tests.

scripts/lower_bounds.py turns the declared lower bounds into pip constraints and
scripts/compat.py reads the Python range from the classifiers and finds the interpreters;
these tests pin their behaviour on the real setup.cfg and on small made-up ones.
"""

from __future__ import annotations

import configparser
import importlib.util
import os
import stat
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
SETUP_CFG = ROOT / "setup.cfg"


def _load(name: str) -> ModuleType:
    scripts = str(ROOT / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)  # compat imports lower_bounds as a sibling
    spec = importlib.util.spec_from_file_location(f"{name}", ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


lower_bounds = _load("lower_bounds")
compat = _load("compat")


def write_cfg(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "setup.cfg"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- setup.cfg itself


def test_every_runtime_dependency_has_a_tested_lower_bound() -> None:
    cfg = configparser.ConfigParser()
    cfg.read(SETUP_CFG, encoding="utf-8")
    names = {
        Requirement(line).name
        for line in cfg.get("options", "install_requires").splitlines()
        if line.strip()
    }
    pins = [
        Requirement(line)
        for line in lower_bounds.constraints(SETUP_CFG, ["libcst"]).splitlines()
        if line and not line.startswith("#")
    ]
    assert {req.name for req in pins} == names | {"libcst"}
    for req in pins:
        (spec,) = req.specifier
        assert spec.operator == "==", req


def test_the_supported_range_is_declared_once_and_the_readme_agrees() -> None:
    supported = compat.supported_range(SETUP_CFG)
    assert supported[0] == "3.9"  # python_requires = >=3.9, checked by supported_range
    assert supported == [f"3.{m}" for m in range(9, int(supported[-1][2:]) + 1)]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"CPython {supported[0]} to {supported[-1]}" in readme
    assert f"Python {supported[0]} to\n{supported[-1]} needs nothing else" in readme


def test_tree_sitter_bounds_never_pair_a_grammar_with_an_older_runtime() -> None:
    # tree-sitter-bash 0.25 (Python >= 3.10) builds its grammar for tree-sitter 0.25
    pins = lower_bounds.constraints(SETUP_CFG, []).splitlines()
    assert 'tree-sitter==0.25; python_version >= "3.10"' in pins
    assert 'tree-sitter-bash==0.25; python_version >= "3.10"' in pins
    assert 'tree-sitter==0.23.1; python_version < "3.10"' in pins
    assert 'tree-sitter-bash==0.23.1; python_version < "3.10"' in pins


# --------------------------------------------------------------------------- lower_bounds.py


def test_constraints_keep_python_markers_and_drop_platform_ones(tmp_path: Path) -> None:
    cfg = write_cfg(
        tmp_path,
        """
        [options]
        install_requires =
            click>=8.0
            tomli>=1.1; python_version < "3.11"
            colorama>=0.4.6; sys_platform == "win32"
        [options.extras_require]
        fast =
            libcst>=1.5,<2
        test =
            %(fast)s
            pytest
        """,
    )
    assert lower_bounds.constraints(cfg, ["fast"]).splitlines()[1:] == [
        "click==8.0",
        'tomli==1.1; python_version < "3.11"',
        "colorama==0.4.6",
        "libcst==1.5",
    ]


@pytest.mark.parametrize(
    ("requirement", "problem"),
    [("click", "has 0"), ("click>=8,>=8.1", "has 2"), ("click==8.0", "has 0")],
)
def test_a_dependency_without_one_lower_bound_is_an_error(
    tmp_path: Path, requirement: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write_cfg(tmp_path, f"[options]\ninstall_requires =\n    {requirement}\n")
    assert lower_bounds.main(["--setup-cfg", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lower_bounds: error: ") and problem in err


def test_an_unknown_extra_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_cfg(tmp_path, "[options]\ninstall_requires =\n    click>=8\n")
    assert lower_bounds.main(["--setup-cfg", str(cfg), "--extra", "nope"]) == 2
    assert "no extra named 'nope'" in capsys.readouterr().err


# --------------------------------------------------------------------------- compat.py


@pytest.mark.parametrize(
    ("minors", "requires", "problem"),
    [
        (["9", "11"], ">=3.9", "have a gap: \\[9, 11\\]"),
        (["10", "11"], ">=3.9", "python_requires is '>=3.9', but the oldest classifier is 3.10"),
        ([], ">=3.9", "no 'Programming Language :: Python :: 3.X' classifier"),
    ],
)
def test_supported_range_refuses_a_range_it_cannot_trust(
    tmp_path: Path, minors: list[str], requires: str, problem: str
) -> None:
    lines = "".join(f"    Programming Language :: Python :: 3.{m}\n" for m in minors)
    cfg = tmp_path / "setup.cfg"
    cfg.write_text(
        f"[metadata]\nclassifiers =\n{lines}[options]\npython_requires = {requires}\n",
        encoding="utf-8",
    )
    with pytest.raises(compat.SetupError, match=problem):
        compat.supported_range(cfg)


def _script(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _fake_python(path: Path, version: str) -> Path:
    return _script(path, f'[ "$1" = -c ] && echo {version} && exit 0\nexit 1\n')


@pytest.mark.skipif(os.name != "posix", reason="shell scripts as stand-ins")
def test_find_python_skips_a_shim_of_another_version_and_asks_pyenv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    _fake_python(bin_dir / "python3.42", "3.11")  # like a pyenv shim for a version not selected
    root = tmp_path / "pyenv-root"
    _script(
        bin_dir / "pyenv",
        f'case "$1" in root) echo {root};; versions) printf "3.41.2\\n3.42.1\\n3.42.10\\n";; '
        "esac\n",
    )
    _fake_python(root / "versions" / "3.42.1" / "bin" / "python3.42", "3.42")
    newest = _fake_python(root / "versions" / "3.42.10" / "bin" / "python3.42", "3.42")
    monkeypatch.setenv("PATH", str(bin_dir))
    assert compat.find_python("3.42") == str(newest)


@pytest.mark.skipif(os.name != "posix", reason="shell scripts as stand-ins")
def test_find_python_names_what_it_tried_when_the_version_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    _script(bin_dir / "pyenv", 'case "$1" in root) echo /nowhere;; versions) echo 3.41.2;; esac\n')
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(compat.SetupError) as info:
        compat.find_python("3.42")
    message = str(info.value)
    assert message.startswith("no Python 3.42 interpreter found (tried python3.42 on PATH; ")
    assert "pyenv (no 3.42.x installed)" in message
    assert "pyenv install 3.42" in message


def test_applicable_pins_follow_the_markers_of_the_target_python(tmp_path: Path) -> None:
    bounds = tmp_path / "bounds.txt"
    bounds.write_text(
        "# header\n"
        "click==8.0\n"
        'tomli==1.1; python_version < "3.11"\n'
        'tree-sitter==0.23.1; python_version < "3.10"\n'
        'tree-sitter==0.25; python_version >= "3.10"\n',
        encoding="utf-8",
    )
    pins = compat.applicable_pins(bounds, sys.executable)
    expected = {"click": "8.0"}
    if sys.version_info < (3, 11):
        expected["tomli"] = "1.1"
    expected["tree-sitter"] = "0.23.1" if sys.version_info < (3, 10) else "0.25"
    assert pins == expected


def test_oldest_pairs_pin_hypothesis_to_its_lower_bound() -> None:
    """The property tests use hypothesis's API: its lower bound is tested too, with the
    runtime dependencies; the other test tools are not pinned."""
    pins = {}
    for line in compat.oldest_constraints(SETUP_CFG).splitlines():
        if line.strip() and not line.startswith("#"):
            req = Requirement(line)
            pins[req.name] = str(req.specifier)
    cfg = configparser.ConfigParser()
    cfg.read(SETUP_CFG, encoding="utf-8")
    (declared,) = [
        Requirement(line)
        for line in cfg.get("options.extras_require", "test").splitlines()
        if line.strip().startswith("hypothesis")
    ]
    (bound,) = [spec.version for spec in declared.specifier if spec.operator == ">="]
    assert pins["hypothesis"] == f"=={bound}"
    assert "click" in pins and "pytest" not in pins
