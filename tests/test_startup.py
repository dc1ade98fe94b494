"""What a plain ``check`` loads: the shell parser, the multi-stage rewrite, packaging's
requirement parser and the runtime-library data only when the file needs them.

Each case runs ``check`` in a fresh interpreter and reports which modules it imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO

PROBE = """
import json, sys
at_start = set(sys.modules)  # what the interpreter's site set-up imported (.pth files)
from dockerlint_slim.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
from dockerlint_slim import runtime_libs
print(json.dumps({
    "code": code,
    "modules": sorted(set(sys.modules) - at_start),
    "whole_runtime_data": runtime_libs.runtime_libs_data.cache_info().currsize > 0,
}))
"""


def loaded(tmp_path: Path, dockerfile: str, *args: str) -> dict:
    path = tmp_path / "Dockerfile"
    path.write_text(dockerfile, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, "check", *args, str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "", "PYTHONPATH": str(REPO), "NO_COLOR": "1"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report: dict = json.loads(proc.stdout.splitlines()[-1])
    report["modules"] = set(report["modules"])
    return report


def test_no_shell_run_no_shell_parser(tmp_path: Path) -> None:
    report = loaded(
        tmp_path,
        'FROM python:3.12-slim\nCOPY app.py /app/\nRUN ["python", "-c", "pass"]\n'
        'CMD ["python", "/app/app.py"]\n',
    )
    assert report["code"] == 0
    assert "tree_sitter" not in report["modules"]
    assert "dockerlint_slim.rewrite" not in report["modules"]
    assert not any(m.startswith("packaging") for m in report["modules"])
    assert not report["whole_runtime_data"]


def test_a_run_without_native_builds_loads_no_rewrite(tmp_path: Path) -> None:
    report = loaded(
        tmp_path,
        "FROM python:3.12\nRUN pip install --no-cache-dir flask==3.0.0 requests\n",
    )
    assert report["code"] == 1  # DLS001: the full image where a slim one would do
    assert "tree_sitter" in report["modules"]
    # the grammar's compiled module is loaded without its package's importlib.resources
    assert "importlib.resources" not in report["modules"]
    assert "dockerlint_slim.rewrite" not in report["modules"]
    assert "packaging.requirements" not in report["modules"]
    assert not report["whole_runtime_data"]
    # only the output format asked for is imported
    assert "dockerlint_slim.formats.text" in report["modules"]
    assert "dockerlint_slim.formats.sarif" not in report["modules"]


def test_a_stage_the_rewrite_splits_reads_only_its_release(tmp_path: Path) -> None:
    report = loaded(
        tmp_path,
        "FROM python:3.12-bookworm\n"
        "RUN apt-get update && apt-get install -y gcc libpq-dev\n"
        "RUN pip install --no-cache-dir psycopg2==2.9.9\n",
        "--output-format",
        "json",
    )
    assert report["code"] == 1
    assert "dockerlint_slim.rewrite" in report["modules"]
    assert not report["whole_runtime_data"]


def test_no_hadolint_file_no_hadolint_reader_and_no_close_matches(tmp_path: Path) -> None:
    report = loaded(tmp_path, 'FROM python:3.12-slim\n# hadolint ignore=DL3008\nCMD ["x"]\n')
    assert report["code"] == 0
    assert "dockerlint_slim.hadolint_config" not in report["modules"]
    assert "difflib" not in report["modules"]


def test_no_toml_file_read_no_toml_parser(tmp_path: Path) -> None:
    report = loaded(tmp_path, "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask\n")
    assert report["code"] == 1
    assert not {"tomllib", "tomli"} & report["modules"]
    # a pyproject.toml of the build context is read, with the parser
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n', encoding="utf-8")
    report = loaded(
        tmp_path, "FROM python:3.12-slim\nCOPY . /app\nRUN pip install --no-cache-dir /app\n"
    )
    assert {"tomllib", "tomli"} & report["modules"]


def test_a_native_build_without_a_version_specifier_loads_no_specifier_grammar(
    tmp_path: Path,
) -> None:
    report = loaded(tmp_path, "FROM python:3.12\nRUN pip install --no-cache-dir pycrypto\n")
    assert report["code"] == 1  # pycrypto compiles on the full image
    assert "packaging.version" in report["modules"]
    assert "packaging.specifiers" not in report["modules"]


def test_the_bash_grammar_loads_alone_and_through_its_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util

    import tree_sitter

    from dockerlint_slim import shell

    def names(language: object) -> list[str]:
        parser = tree_sitter.Parser(tree_sitter.Language(language))
        tree = parser.parse(b"pip install x | tee log")
        return [n.type for n in tree.root_node.children]

    alone = shell._bash_language()
    # where the compiled module is not found on its own, the package is imported as usual
    monkeypatch.setattr(importlib.util, "find_spec", lambda *args: None)
    through_package = shell._bash_language()
    assert names(alone) == names(through_package) == ["pipeline"]
