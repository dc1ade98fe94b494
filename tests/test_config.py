from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dockerlint_slim import config as config_mod
from dockerlint_slim.config import (
    ConfigError,
    ConfigResolver,
    Settings,
    find_config,
    load_config,
    merge_cli,
    resolve_rules,
    selector_matches,
    severity_for,
    validate_selectors,
)
from dockerlint_slim.findings import Severity


@dataclass(frozen=True)
class FakeRule:
    code: str
    name: str


RULES = [
    FakeRule("DL3008", "apt-versions-unpinned"),
    FakeRule("DL3042", "pip-cache-kept"),
    FakeRule("DL4006", "pipefail-missing"),
    FakeRule("DLS001", "build-deps-shipped"),
    FakeRule("DLS002", "apt-lists-kept"),
    FakeRule("DLS010", "fat-base-image"),
]
ALL_CODES = {r.code for r in RULES}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # error messages show paths relative to the working directory
    monkeypatch.chdir(tmp_path)


# --------------------------------------------------------------------------- discovery


def test_find_config_walks_up_to_nearest(tmp_path: Path) -> None:
    top = write(tmp_path / ".dockerlint-slim.toml", 'select = ["DL3"]\n')
    nested = write(tmp_path / "a" / "b" / ".dockerlint-slim.toml", 'select = ["DLS"]\n')
    (tmp_path / "a" / "b" / "c" / "d").mkdir(parents=True)
    (tmp_path / "x").mkdir()

    assert find_config(tmp_path / "a" / "b" / "c" / "d") == nested
    assert find_config(tmp_path / "a" / "b") == nested
    assert find_config(tmp_path / "a") == top
    assert find_config(tmp_path / "x") == top


def test_find_config_relative_start_dir(tmp_path: Path) -> None:
    cfg = write(tmp_path / ".dockerlint-slim.toml", "")
    (tmp_path / "sub").mkdir()
    found = find_config(Path("sub"))
    assert found is not None and found.is_absolute()
    assert found == cfg


def test_standalone_beats_pyproject_in_same_folder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.dockerlint-slim]\nselect = ["DL3"]\n')
    standalone = write(tmp_path / ".dockerlint-slim.toml", 'select = ["DLS"]\n')
    assert find_config(tmp_path) == standalone
    assert load_config(standalone).select == ("DLS",)


def test_pyproject_without_table_is_skipped(tmp_path: Path) -> None:
    top = write(tmp_path / "pyproject.toml", '[tool.dockerlint-slim]\nselect = ["DL3"]\n')
    write(tmp_path / "pkg" / "pyproject.toml", '[project]\nname = "x"\n[tool.ruff]\n')
    # mentions the tool name but has no table: parsed, still skipped
    write(
        tmp_path / "pkg2" / "pyproject.toml",
        '[project]\nname = "y"\ndependencies = ["dockerlint-slim>=0.1"]\n',
    )
    assert find_config(tmp_path / "pkg") == top
    assert find_config(tmp_path / "pkg2") == top


def test_nearer_pyproject_beats_farther_standalone(tmp_path: Path) -> None:
    write(tmp_path / ".dockerlint-slim.toml", 'select = ["DL3"]\n')
    near = write(tmp_path / "app" / "pyproject.toml", "[tool.dockerlint-slim]\n")
    assert find_config(tmp_path / "app") == near


def test_find_config_none_when_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # make sure a config in a real ancestor of tmp_path cannot leak in
    real_locate = config_mod._locate
    monkeypatch.setattr(
        config_mod,
        "_locate",
        lambda d: real_locate(d) if tmp_path in (d, *d.parents) else None,
    )
    (tmp_path / "a").mkdir()
    assert find_config(tmp_path / "a") is None
    settings = ConfigResolver().for_file(tmp_path / "a" / "Dockerfile")
    assert settings.source is None
    assert settings.select == ("ALL",)
    assert resolve_rules(settings, RULES, tmp_path / "a" / "Dockerfile") == ALL_CODES


def test_broken_pyproject_on_the_walk_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.dockerlint-slim\nselect = 1\n")
    with pytest.raises(ConfigError, match=r"pyproject\.toml: invalid TOML at line 1"):
        find_config(tmp_path)


def test_unrelated_broken_pyproject_is_ignored(tmp_path: Path) -> None:
    top = write(tmp_path / ".dockerlint-slim.toml", "")
    write(tmp_path / "sub" / "pyproject.toml", "[project\n")  # not ours, never parsed
    assert find_config(tmp_path / "sub") == top


# --------------------------------------------------------------------------- loading


def test_load_full_pyproject(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "pyproject.toml",
        """
        [project]
        name = "demo"

        [tool.dockerlint-slim]
        select = ["DL3", "DLS"]
        ignore = ["DL3008"]
        extend-select = ["pipefail-missing"]
        failure-threshold = "warning"
        output-format = "sarif"
        target = "runtime"

        [tool.dockerlint-slim.per-file-ignores]
        "docker/dev/*" = ["DLS001"]

        [tool.dockerlint-slim.severity]
        DL3042 = "error"
        DLS010 = "Info"
        """,
    )
    s = load_config(cfg)
    assert s.select == ("DL3", "DLS")
    assert s.ignore == ("DL3008",)
    assert s.extend_select == ("pipefail-missing",)
    assert s.per_file_ignores == (("docker/dev/*", ("DLS001",)),)
    assert s.severity_map == {"DL3042": Severity.ERROR, "DLS010": Severity.INFO}
    assert s.failure_threshold is Severity.WARNING
    assert s.output_format == "sarif"
    assert s.target == "runtime"
    assert s.source == cfg
    assert s.root == tmp_path
    assert s.fails(Severity.ERROR) and s.fails(Severity.WARNING)
    assert not s.fails(Severity.INFO)


def test_defaults() -> None:
    s = Settings.default()
    assert s.select == ("ALL",)
    assert s.ignore == s.extend_select == ()
    assert s.failure_threshold is Severity.STYLE
    assert s.fails(Severity.STYLE)
    assert s.output_format is None and s.target is None and s.source is None


def test_target_index_is_a_string(tmp_path: Path) -> None:
    cfg = write(tmp_path / ".dockerlint-slim.toml", "target = 1\n")
    assert load_config(cfg).target == "1"


def test_explicit_config_other_name_reads_top_level(tmp_path: Path) -> None:
    cfg = write(tmp_path / "ci" / "lint.toml", 'ignore = ["DLS"]\n')
    s = load_config(Path("ci/lint.toml"))
    assert s.ignore == ("DLS",)
    assert s.source == cfg
    assert s.root == tmp_path / "ci"


def test_explicit_pyproject_without_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "pyproject.toml")
    assert str(info.value) == "pyproject.toml: no [tool.dockerlint-slim] table"


def test_explicit_config_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.toml")
    assert str(info.value) == "nope.toml: no such file or directory"


def test_explicit_config_replaces_discovery(tmp_path: Path) -> None:
    write(tmp_path / "app" / ".dockerlint-slim.toml", 'select = ["DL3"]\n')
    explicit = write(tmp_path / "strict.toml", 'select = ["DLS"]\n')
    resolver = ConfigResolver(explicit)
    s = resolver.for_file(tmp_path / "app" / "Dockerfile")
    assert s.source == explicit
    assert resolve_rules(s, RULES) == {"DLS001", "DLS002", "DLS010"}


# --------------------------------------------------------------------------- errors


def test_unknown_key_in_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.dockerlint-slim]\nselct = ["DL3"]\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "pyproject.toml")
    msg = str(info.value)
    assert msg.startswith("pyproject.toml: [tool.dockerlint-slim] unknown key 'selct'")
    assert "did you mean 'select'?" in msg
    assert info.value.path == tmp_path / "pyproject.toml"


def test_snake_case_key_suggests_kebab(tmp_path: Path) -> None:
    write(tmp_path / ".dockerlint-slim.toml", 'extend_select = ["DL3"]\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / ".dockerlint-slim.toml")
    assert str(info.value) == (
        ".dockerlint-slim.toml: unknown key 'extend_select' (did you mean 'extend-select'?)"
    )


def test_unknown_key_found_by_discovery(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.dockerlint-slim]\ncolour = true\n")
    with pytest.raises(ConfigError, match=r"unknown key 'colour'"):
        ConfigResolver().for_file(tmp_path / "Dockerfile")


def test_bad_severity_value(tmp_path: Path) -> None:
    write(tmp_path / ".dockerlint-slim.toml", '[severity]\nDL3042 = "fatal"\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / ".dockerlint-slim.toml")
    msg = str(info.value)
    assert msg.startswith(".dockerlint-slim.toml: severity: unknown severity 'fatal' for DL3042")
    assert "expected one of: error, warning, info, style" in msg
    assert info.value.key == "severity"


def test_bad_severity_in_pyproject_names_table(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[tool.dockerlint-slim.severity]\nDL3042 = "fatal"\n',
    )
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "pyproject.toml")
    assert str(info.value).startswith(
        "pyproject.toml: [tool.dockerlint-slim] severity: unknown severity 'fatal'"
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('select = "DL3"', "select: expected a list of rule selectors, got a string"),
        ('ignore = ["DL 3"]', "ignore: invalid rule selector 'DL 3'"),
        ("extend-select = [1]", "extend-select: invalid rule selector 1"),
        ('failure-threshold = "fatal"', "failure-threshold: unknown severity 'fatal'"),
        ("failure-threshold = 2", "failure-threshold: expected a severity string, got an integer"),
        ('output-format = "xml"', "output-format: unknown output format 'xml'"),
        ("target = true", "target: expected a stage name or index, got a boolean"),
        ("target = -1", "target: stage index must be >= 0"),
        ('target = ""', "target: invalid stage name ''"),
        ('severity = "error"', "severity: expected a table of code = severity"),
        ('[severity]\npip-cache-kept = "error"', "severity: 'pip-cache-kept' is not a rule code"),
        ('per-file-ignores = ["x"]', "per-file-ignores: expected a table of glob = [selectors]"),
        (
            '[per-file-ignores]\n"a/*" = "DL3"',
            "per-file-ignores: 'a/*': expected a list of rule selectors",
        ),
    ],
)
def test_invalid_values(tmp_path: Path, body: str, expected: str) -> None:
    write(tmp_path / ".dockerlint-slim.toml", body + "\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / ".dockerlint-slim.toml")
    assert str(info.value).startswith(".dockerlint-slim.toml: " + expected)


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    write(tmp_path / ".dockerlint-slim.toml", 'select = ["DL3"]\nignore = [\n"DLS"\n\nfoo bar\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / ".dockerlint-slim.toml")
    msg = str(info.value)
    assert msg.startswith(".dockerlint-slim.toml: invalid TOML at line 5, column ")
    assert "(at line" not in msg  # location not repeated


def test_toml_error_at_end_of_document(tmp_path: Path) -> None:
    write(tmp_path / ".dockerlint-slim.toml", "select = [\n")
    with pytest.raises(ConfigError, match=r"^\.dockerlint-slim\.toml: invalid TOML at line 2"):
        load_config(tmp_path / ".dockerlint-slim.toml")


def test_toml_error_with_tomli_messages() -> None:
    tomli = pytest.importorskip("tomli")
    with pytest.raises(tomli.TOMLDecodeError) as info:
        tomli.loads("a = 1\nb = \n")
    assert config_mod._toml_error(info.value, "a = 1\nb = \n").startswith(
        "invalid TOML at line 2, column 5: "
    )


def test_config_not_utf8(tmp_path: Path) -> None:
    (tmp_path / ".dockerlint-slim.toml").write_bytes(b'select = ["\xff"]\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / ".dockerlint-slim.toml")
    assert str(info.value) == (
        ".dockerlint-slim.toml: not UTF-8 text (invalid byte 0xff at offset 11)"
    )


def test_config_with_bom_is_accepted(tmp_path: Path) -> None:
    (tmp_path / ".dockerlint-slim.toml").write_bytes(b'\xef\xbb\xbfselect = ["DL3"]\n')
    assert load_config(tmp_path / ".dockerlint-slim.toml").select == ("DL3",)


def test_config_table_not_a_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool]\ndockerlint-slim = "yes"\n')
    with pytest.raises(ConfigError) as info:
        find_config(tmp_path)
    assert str(info.value) == "pyproject.toml: [tool.dockerlint-slim] must be a table"


def test_absolute_path_shown_outside_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = write(tmp_path / "proj" / ".dockerlint-slim.toml", "bogus = 1\n")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert str(info.value).startswith(f"{cfg}: unknown key 'bogus'")


# --------------------------------------------------------------------------- selectors


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("ALL", ALL_CODES),
        ("DL3042", {"DL3042"}),
        ("DL3", {"DL3008", "DL3042"}),
        ("DL30", {"DL3008", "DL3042"}),
        ("DL", {"DL3008", "DL3042", "DL4006"}),  # letter part must match exactly
        ("DLS", {"DLS001", "DLS002", "DLS010"}),
        ("DLS00", {"DLS001", "DLS002"}),
        ("pip-cache-kept", {"DL3042"}),
        ("D", set()),
        ("DL9999", set()),
        ("dl3042", set()),  # codes are upper case
    ],
)
def test_selector_matching(selector: str, expected: set[str]) -> None:
    assert {r.code for r in RULES if selector_matches(selector, r)} == expected


def test_resolve_rules_select_extend_ignore(tmp_path: Path) -> None:
    s = Settings(
        select=("DL3",),
        extend_select=("apt-lists-kept", "DL3008"),
        ignore=("DL3008",),
        root=tmp_path,
    )
    # ignore wins even over an exact extend-select: select | extend-select - ignore
    assert resolve_rules(s, RULES) == {"DL3042", "DLS002"}


@dataclass(frozen=True)
class OptInRule:
    code: str
    name: str
    explicit_only: bool = True


@pytest.mark.parametrize(
    ("select", "extend_select", "enabled"),
    [
        (("ALL",), (), False),  # ALL leaves an opt-in rule off
        (("DLS",), (), False),  # so does a code prefix
        (("DLS0",), (), False),
        (("ALL",), ("DLS008",), True),  # its code turns it on
        (("ALL",), ("runs-as-root",), True),  # and so does its name
        (("DLS008",), (), True),
    ],
)
def test_opt_in_rule_runs_only_when_named(
    tmp_path: Path, select: tuple[str, ...], extend_select: tuple[str, ...], enabled: bool
) -> None:
    rules = [*RULES, OptInRule("DLS008", "runs-as-root")]
    s = Settings(select=select, extend_select=extend_select, root=tmp_path)
    assert ("DLS008" in resolve_rules(s, rules)) is enabled
    assert ("DLS001" in resolve_rules(s, rules)) is (select != ("DLS008",))


def test_empty_select_selects_nothing(tmp_path: Path) -> None:
    write(tmp_path / ".dockerlint-slim.toml", 'select = []\nextend-select = ["DLS010"]\n')
    s = load_config(tmp_path / ".dockerlint-slim.toml")
    assert resolve_rules(s, RULES) == {"DLS010"}


def test_per_file_ignores(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        """
        [tool.dockerlint-slim.per-file-ignores]
        "docker/dev/*" = ["DLS"]
        "**/legacy.Dockerfile" = ["DL3042"]
        "Dockerfile.test" = ["pipefail-missing"]
        "tools/" = ["DL3008"]
        """,
    )
    resolver = ConfigResolver()

    def enabled(rel: str) -> set[str]:
        path = tmp_path / rel
        return resolve_rules(resolver.for_file(path), RULES, path)

    assert enabled("Dockerfile") == ALL_CODES
    assert enabled("docker/dev/Dockerfile") == {"DL3008", "DL3042", "DL4006"}
    # fnmatch's * crosses folders
    assert enabled("docker/dev/a/b/Dockerfile") == {"DL3008", "DL3042", "DL4006"}
    assert enabled("docker/prod/Dockerfile") == ALL_CODES
    # **/ also matches zero folders
    assert enabled("legacy.Dockerfile") == ALL_CODES - {"DL3042"}
    assert enabled("a/b/legacy.Dockerfile") == ALL_CODES - {"DL3042"}
    # bare file name also tried
    assert enabled("sub/dir/Dockerfile.test") == ALL_CODES - {"DL4006"}
    # trailing slash = everything below
    assert enabled("tools/x/Dockerfile") == ALL_CODES - {"DL3008"}
    # relative path argument resolved against the working directory (tmp_path)
    rel = Path("docker/dev/Dockerfile")
    assert resolve_rules(resolver.for_file(rel), RULES, rel) == {"DL3008", "DL3042", "DL4006"}


def test_per_file_ignores_relative_to_config_folder(tmp_path: Path) -> None:
    write(
        tmp_path / "svc" / ".dockerlint-slim.toml",
        '[per-file-ignores]\n"docker/*" = ["ALL"]\n',
    )
    resolver = ConfigResolver()
    inside = tmp_path / "svc" / "docker" / "Dockerfile"
    assert resolve_rules(resolver.for_file(inside), RULES, inside) == set()
    # same glob does not apply relative to the cwd: svc/docker/... is not docker/*
    s = resolver.for_file(inside)
    assert s.root == tmp_path / "svc"
    other = tmp_path / "docker" / "Dockerfile"
    assert resolve_rules(s, RULES, other) == ALL_CODES


def test_severity_for(tmp_path: Path) -> None:
    write(tmp_path / ".dockerlint-slim.toml", '[severity]\nDL3042 = "style"\n')
    s = load_config(tmp_path / ".dockerlint-slim.toml")
    assert severity_for(s, "DL3042", Severity.WARNING) is Severity.STYLE
    assert severity_for(s, "DL3008", Severity.WARNING) is Severity.WARNING


# --------------------------------------------------------------------------- validation


def test_validate_unknown_selector(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.dockerlint-slim]\nignore = ["DL9999"]\n')
    s = load_config(tmp_path / "pyproject.toml")
    with pytest.raises(ConfigError) as info:
        validate_selectors(s, RULES)
    assert str(info.value).startswith(
        "pyproject.toml: [tool.dockerlint-slim] ignore: unknown rule code or selector 'DL9999'"
    )


def test_validate_unknown_name_suggests(tmp_path: Path) -> None:
    write(tmp_path / ".dockerlint-slim.toml", 'select = ["pip-cache-kep"]\n')
    s = load_config(tmp_path / ".dockerlint-slim.toml")
    with pytest.raises(ConfigError) as info:
        validate_selectors(s, RULES)
    assert str(info.value) == (
        ".dockerlint-slim.toml: select: unknown rule code or selector 'pip-cache-kep'"
        " (did you mean 'pip-cache-kept'?)"
    )


def test_validate_per_file_ignores_and_severity(tmp_path: Path) -> None:
    write(tmp_path / ".dockerlint-slim.toml", '[per-file-ignores]\n"x/*" = ["DLX"]\n')
    with pytest.raises(ConfigError, match=r"per-file-ignores: 'x/\*': unknown rule code"):
        validate_selectors(load_config(tmp_path / ".dockerlint-slim.toml"), RULES)

    write(tmp_path / ".dockerlint-slim.toml", '[severity]\nDL3043 = "error"\n')
    with pytest.raises(ConfigError) as info:
        validate_selectors(load_config(tmp_path / ".dockerlint-slim.toml"), RULES)
    assert str(info.value).startswith(".dockerlint-slim.toml: severity: unknown rule code 'DL3043'")


def test_validate_accepts_good_config(tmp_path: Path) -> None:
    write(
        tmp_path / ".dockerlint-slim.toml",
        'select = ["ALL"]\nignore = ["DL3", "fat-base-image"]\n[severity]\nDLS001 = "error"\n',
    )
    validate_selectors(load_config(tmp_path / ".dockerlint-slim.toml"), RULES)


def test_resolver_validates_when_given_rules(tmp_path: Path) -> None:
    write(tmp_path / ".dockerlint-slim.toml", 'select = ["DL9"]\n')
    with pytest.raises(ConfigError, match="unknown rule code or selector 'DL9'"):
        ConfigResolver(known=RULES).for_file(tmp_path / "Dockerfile")


# --------------------------------------------------------------------------- CLI merge


def test_merge_cli_select_replaces_everything(tmp_path: Path) -> None:
    write(
        tmp_path / ".dockerlint-slim.toml",
        'select = ["DL3"]\nextend-select = ["DLS"]\nignore = ["DL3042"]\n',
    )
    s = load_config(tmp_path / ".dockerlint-slim.toml")
    assert resolve_rules(s, RULES) == {"DL3008", "DLS001", "DLS002", "DLS010"}
    merged = merge_cli(s, select=["DL3042"])
    # like ruff: --select starts over, the configured ignore no longer applies
    assert resolve_rules(merged, RULES) == {"DL3042"}
    assert merged.source == s.source


def test_merge_cli_ignore_and_extend_add(tmp_path: Path) -> None:
    write(tmp_path / ".dockerlint-slim.toml", 'select = ["DL3"]\nignore = ["DL3008"]\n')
    s = load_config(tmp_path / ".dockerlint-slim.toml")
    merged = merge_cli(s, ignore=["DL3042"], extend_select=["DLS001,DLS002", " fat-base-image "])
    assert merged.select == ("DL3",)
    assert merged.ignore == ("DL3008", "DL3042")
    assert merged.extend_select == ("DLS001", "DLS002", "fat-base-image")
    assert resolve_rules(merged, RULES) == {"DLS001", "DLS002", "DLS010"}


def test_merge_cli_select_then_ignore(tmp_path: Path) -> None:
    s = Settings(ignore=("DL3042",), root=tmp_path)
    merged = merge_cli(s, select=["DL3"], ignore=["DL3008"])
    assert merged.ignore == ("DL3008",)
    assert resolve_rules(merged, RULES) == {"DL3042"}


def test_merge_cli_scalars(tmp_path: Path) -> None:
    write(
        tmp_path / ".dockerlint-slim.toml",
        'output-format = "json"\nfailure-threshold = "error"\ntarget = "build"\n',
    )
    s = load_config(tmp_path / ".dockerlint-slim.toml")
    assert merge_cli(s) == s
    merged = merge_cli(s, output_format="github", failure_threshold="info", target=0)
    assert merged.output_format == "github"
    assert merged.failure_threshold is Severity.INFO
    assert merged.target == "0"
    assert merge_cli(s, failure_threshold=Severity.WARNING).failure_threshold is Severity.WARNING


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"select": ["DL 3"]}, "--select: invalid rule selector 'DL 3'"),
        ({"output_format": "xml"}, "--output-format: unknown output format 'xml'"),
        ({"failure_threshold": "fatal"}, "--failure-threshold: unknown severity 'fatal'"),
        ({"target": ""}, "--target: invalid stage name ''"),
    ],
)
def test_merge_cli_errors(tmp_path: Path, kwargs: dict[str, object], expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        merge_cli(Settings(root=tmp_path), **kwargs)  # type: ignore[arg-type]
    assert str(info.value).startswith(expected)


def test_validate_blames_cli_for_cli_selectors(tmp_path: Path) -> None:
    write(tmp_path / ".dockerlint-slim.toml", 'ignore = ["DL3008"]\n')
    s = merge_cli(load_config(tmp_path / ".dockerlint-slim.toml"), ignore=["DL0000"])
    with pytest.raises(ConfigError) as info:
        validate_selectors(s, RULES)
    assert str(info.value) == "--ignore: unknown rule code or selector 'DL0000'"


def test_resolver_applies_transform(tmp_path: Path) -> None:
    write(tmp_path / ".dockerlint-slim.toml", 'select = ["DL3"]\n')
    resolver = ConfigResolver(
        known=RULES, transform=lambda s: merge_cli(s, extend_select=["DLS010"])
    )
    s = resolver.for_file(tmp_path / "Dockerfile")
    assert resolve_rules(s, RULES) == {"DL3008", "DL3042", "DLS010"}


# --------------------------------------------------------------------------- resolver cache


def test_resolver_memoises_per_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / ".dockerlint-slim.toml", 'select = ["DL3"]\n')
    inner = write(tmp_path / "a" / "pyproject.toml", '[tool.dockerlint-slim]\nselect = ["DLS"]\n')
    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    (tmp_path / "z").mkdir()

    calls: list[Path] = []
    real_locate = config_mod._locate

    def counting(d: Path) -> Any:
        calls.append(d)
        return real_locate(d)

    monkeypatch.setattr(config_mod, "_locate", counting)
    resolver = ConfigResolver()
    first = resolver.for_file(tmp_path / "a" / "b" / "c" / "Dockerfile")
    assert first.source == inner
    assert calls == [tmp_path / "a" / "b" / "c", tmp_path / "a" / "b", tmp_path / "a"]

    calls.clear()
    assert resolver.for_file(tmp_path / "a" / "b" / "Dockerfile.dev") is first
    assert resolver.for_file(tmp_path / "a" / "Dockerfile") is first
    assert calls == []

    top = resolver.for_file(tmp_path / "z" / "Dockerfile")
    assert top.select == ("DL3",)
    assert calls == [tmp_path / "z", tmp_path]
    calls.clear()
    assert resolver.for_file(tmp_path / "Dockerfile") is top
    assert calls == []


def test_resolver_explicit_config_error_is_eager(tmp_path: Path) -> None:
    write(tmp_path / "bad.toml", "nope = 1\n")
    with pytest.raises(ConfigError, match=r"bad\.toml: unknown key 'nope'"):
        ConfigResolver(tmp_path / "bad.toml")


def test_settings_are_hashable_and_frozen(tmp_path: Path) -> None:
    s = load_config(write(tmp_path / ".dockerlint-slim.toml", '[severity]\nDL3042 = "info"\n'))
    hash(s)
    with pytest.raises(AttributeError):
        s.select = ()  # type: ignore[misc]


def test_symlinked_checked_file_uses_logical_folder(tmp_path: Path) -> None:
    if not hasattr(os, "symlink"):
        pytest.skip("no symlinks")
    write(tmp_path / "real" / ".dockerlint-slim.toml", 'select = ["DL3"]\n')
    write(tmp_path / "real" / "Dockerfile", "FROM python\n")
    write(tmp_path / "link" / ".dockerlint-slim.toml", 'select = ["DLS"]\n')
    (tmp_path / "link" / "Dockerfile").symlink_to(tmp_path / "real" / "Dockerfile")
    s = ConfigResolver().for_file(tmp_path / "link" / "Dockerfile")
    assert s.select == ("DLS",)
