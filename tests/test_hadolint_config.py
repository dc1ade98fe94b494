"""hadolint's configuration file (.hadolint.yaml) read as settings."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml  # a test oracle for the small YAML reader (PyYAML comes with pre-commit)

from dockerlint_slim.cli import cli
from dockerlint_slim.hadolint_config import (
    HadolintConfigError,
    from_mapping,
    load_hadolint_config,
    parse_yaml,
)
from tests.support import cli_runner

DOCS = [
    "ignored:\n  - DL3000\n  - SC1010\n",
    "ignored: [DL3000, 'SC1010', \"DL3008\"]\n",
    "# comment\n---\nfailure-threshold: warning # trailing\nno-fail: false\n",
    "override:\n  error:\n    - DL3001\n  warning: [DL3042]\n  info: []\n",
    "trustedRegistries:\n- docker.io\n- 'my-company.com:5000'\n",
    "label-schema:\n  author: text\n  contact: email\n  'created': rfc3339\nstrict-labels: true\n",
    "ignored:\n",
    "a:\n  b:\n    c: [1, 2]\n  d: {e: f, g: 'h: i'}\n",
    "list:\n  - name: x\n    value: 1\n  - name: y\n",
    'url: http://example.com/a#b\nquoted: "a # not a comment"\n',
]


@pytest.mark.parametrize("doc", DOCS)
def test_the_small_yaml_reader_agrees_with_pyyaml(doc):
    assert parse_yaml(doc) == yaml.safe_load(doc)


@pytest.mark.parametrize(
    ("doc", "line"),
    [
        ("ignored:\n\t- DL3000\n", 2),
        ("a: 1\n  b: 2\n", 2),
        ("a: [1, 2\n", 1),
        ("a: &anchor 1\n", 1),
        ("a: 'open\n", 1),
        ("just a string\nmore: 1\n", 1),
    ],
)
def test_what_it_cannot_read_is_an_error_with_its_line(doc, line, tmp_path):
    path = tmp_path / ".hadolint.yaml"
    path.write_text(doc)
    with pytest.raises(HadolintConfigError, match=rf"\.hadolint\.yaml: line {line}: "):
        load_hadolint_config(path)


def test_every_key_is_read():
    config = from_mapping(
        parse_yaml(
            "ignored: [dl3000, SC1010]\n"
            "override:\n  error: [DL3001]\n  style: [DL3042]\n"
            "failure-threshold: info\nno-fail: true\ndisable-ignore-pragma: true\n"
            "trustedRegistries: [docker.io]\nlabel-schema:\n  author: text\n"
            "strict-labels: true\nformat: gitlab_codeclimate\nno-color: true\nverbose: true\n"
        ),
        Path(".hadolint.yaml"),
    )
    assert config.ignore == ("DL3000", "SC1010")
    assert config.severity == (("DL3001", "error"), ("DL3042", "style"))
    assert config.failure_threshold == "info"
    assert config.no_fail and config.disable_pragmas and config.strict_labels
    assert config.trusted_registries == ("docker.io",)
    assert config.label_schema == (("author", "text"),)
    assert config.output_format == "gitlab" and config.no_color
    assert config.unknown == ["verbose"]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("override:\n  fatal: [DL3000]\n", "unknown severity 'fatal'"),
        ("no-fail: maybe\n", "expected true or false"),
        ("label-schema:\n  author: name\n", "unknown type 'name'"),
        ("format: xml\n", "unknown format 'xml'"),
        ("ignored: {a: b}\n", "expected a list of strings"),
    ],
)
def test_bad_values_are_errors(doc, message):
    with pytest.raises(HadolintConfigError, match=message):
        from_mapping(parse_yaml(doc), Path(".hadolint.yaml"))


# ----------------------------------------------------------------- through the CLI

TEXT = (
    "FROM python:3.11-slim\n"
    "# dockerlint-slim: ignore=DL3009\n"
    "RUN pip install flask==3.0.0 && apt-get update "
    "&& apt-get install -y --no-install-recommends curl=7.88*\n"
)


def _check(tmp_path: Path, *args: str):
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = cli_runner().invoke(
            cli, ["check", "--output-format", "json", *args], catch_exceptions=False
        )
    finally:
        os.chdir(old)
    return result


def _found(result) -> list[tuple[str, str]]:
    return sorted((f["code"], f["severity"]) for f in json.loads(result.stdout))


def test_the_nearest_hadolint_file_applies_when_no_configuration_of_ours_does(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text(TEXT)
    (tmp_path / ".hadolint.yml").write_text(
        "ignored: [DL3042, DL3999]\noverride:\n  error: [DL3009]\nbogus: 1\n"
        "disable-ignore-pragma: true\n"
    )
    result = _check(tmp_path, "app/Dockerfile")
    # DL3042 ignored; the pragma is not honoured, and DL3009 is an error
    assert _found(result) == [("DL3009", "error")]
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "dockerlint-slim: warning: .hadolint.yml: unknown hadolint setting 'bogus'",
        "dockerlint-slim: warning: .hadolint.yml: DL3999: not a rule of dockerlint-slim; left out",
    ]
    # a configuration of ours wins, wherever hadolint's is
    (tmp_path / "app" / ".dockerlint-slim.toml").write_text('ignore = ["DL3009"]\n')
    assert _found(_check(tmp_path, "app/Dockerfile")) == [("DL3042", "warning")]


def test_an_explicit_hadolint_file_and_its_failure_settings(tmp_path):
    (tmp_path / "Dockerfile").write_text(TEXT)
    (tmp_path / "h.yaml").write_text("no-fail: true\n")
    result = _check(tmp_path, "--hadolint-config", "h.yaml", "Dockerfile")
    assert _found(result) == [("DL3042", "warning")] and result.exit_code == 0
    (tmp_path / "h.yaml").write_text("failure-threshold: error\n")
    assert _check(tmp_path, "--hadolint-config", "h.yaml", "Dockerfile").exit_code == 0
    (tmp_path / "h.yaml").write_text("failure-threshold: warning\n")
    assert _check(tmp_path, "--hadolint-config", "h.yaml", "Dockerfile").exit_code == 1


def test_a_bad_hadolint_file_is_one_clear_error(tmp_path):
    (tmp_path / "Dockerfile").write_text(TEXT)
    (tmp_path / ".hadolint.yaml").write_text("ignored:\n\t- DL3000\n")
    result = _check(tmp_path, "Dockerfile")
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(".hadolint.yaml: line 2: tabs cannot indent YAML")
    assert len(result.stderr.strip().splitlines()) == 1
    missing = _check(tmp_path, "--hadolint-config", "nope.yaml", "Dockerfile")
    assert missing.exit_code == 2 and "--hadolint-config: nope.yaml: no such file" in missing.stderr
