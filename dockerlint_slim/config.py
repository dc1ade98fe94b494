"""Configuration: ``[tool.dockerlint-slim]`` in ``pyproject.toml`` or a ``.dockerlint-slim.toml``.

Discovery walks up from the folder of each checked file: the nearest folder holding a
configuration wins. In one folder ``.dockerlint-slim.toml`` beats ``pyproject.toml`` (as
``ruff.toml`` beats ``pyproject.toml`` for ruff; :class:`ConfigResolver` warns when both
configure this tool, since the ``pyproject.toml`` table is then ignored); a
``pyproject.toml`` without a ``[tool.dockerlint-slim]`` table is skipped and the walk goes
on, up to the filesystem root. ``--config FILE`` replaces discovery (see :func:`load_config`).

Rule selection is deliberately simple (no "more specific selector wins")::

    enabled = (select | extend-select) - ignore - matching per-file-ignores

A rule marked opt-in (``DLS201``) is enabled only by its exact code or name in ``select`` or
``extend-select``, never by ``ALL`` or a prefix.

A selector is ``ALL``, an exact code (``DL3042``), a code prefix (``DL3``, ``DLS``) or a
rule's kebab-case name (``pip-cache-kept``), in any letter case (``dl3042``, ``all``,
``Pip-Cache-Kept``): codes and prefixes are kept upper case, names lower case. A prefix made
only of letters must equal the whole letter part of a code: ``DL`` selects ``DL3042`` but not
``DLS001``.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Protocol

from .findings import Severity
from .lazy import lazy_pattern, toml_module

if TYPE_CHECKING:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib

__all__ = [
    "CONFIG_FILENAME",
    "OUTPUT_FORMATS",
    "PYPROJECT_FILENAME",
    "ConfigError",
    "ConfigResolver",
    "RuleLike",
    "Settings",
    "find_config",
    "glob_matches",
    "load_config",
    "merge_cli",
    "resolve_rules",
    "selector_matches",
    "severity_for",
    "validate_selectors",
]

CONFIG_FILENAME = ".dockerlint-slim.toml"
PYPROJECT_FILENAME = "pyproject.toml"
# hadolint's configuration files (looked for here, so that finding none imports no reader)
HADOLINT_FILENAMES = (".hadolint.yaml", ".hadolint.yml")
TOOL_NAME = "dockerlint-slim"
PYPROJECT_TABLE = f"[tool.{TOOL_NAME}]"

OUTPUT_FORMATS: tuple[str, ...] = (
    "text",
    "json",
    "sarif",
    "github",
    "gitlab",
    "checkstyle",
    "junit",
)

KNOWN_KEYS: tuple[str, ...] = (
    "select",
    "ignore",
    "extend-select",
    "per-file-ignores",
    "severity",
    "failure-threshold",
    "output-format",
    "target",
    "shellcheck",
    "trusted-registries",
    "label-schema",
    "strict-labels",
)

# ALL | code or code prefix (DL3042, DL3, DLS) | kebab-case rule name (pip-cache-kept)
_CODE_PREFIX_RE = lazy_pattern(r"([A-Z]+)([0-9]*)")
_CODE_RE = lazy_pattern(r"[A-Z]+[0-9]+")
_NAME_RE = lazy_pattern(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_TOML_LOCATION_RE = lazy_pattern(r"^(?P<msg>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$")

SelectorList = tuple[str, ...]
PerFileIgnores = tuple[tuple[str, SelectorList], ...]
SeverityOverrides = tuple[tuple[str, Severity], ...]


class RuleLike(Protocol):
    """Anything with a rule ``code`` and kebab-case ``name`` (e.g. ``findings.RuleMeta``)."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...


class ConfigError(Exception):
    """A configuration problem; the message names the file (or CLI option) and the key."""

    def __init__(self, message: str, *, path: Path | None = None, key: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.key = key


@dataclass(frozen=True)
class Settings:
    """Resolved configuration for one set of files.

    ``source`` is the configuration file it came from (``None`` for the defaults) and
    ``root`` its folder, which ``per-file-ignores`` globs are relative to. ``target`` is a
    stage name or, when made only of digits, a stage index.
    """

    select: SelectorList = ("ALL",)
    ignore: SelectorList = ()
    extend_select: SelectorList = ()
    per_file_ignores: PerFileIgnores = ()
    severity: SeverityOverrides = ()
    failure_threshold: Severity = Severity.STYLE
    output_format: str | None = None
    target: str | None = None
    shellcheck: bool = False  # run ShellCheck on RUN bodies (findings SCxxxx)
    # from hadolint's configuration (see dockerlint_slim.hadolint_config)
    no_fail: bool = False  # findings never fail the run
    disable_pragmas: bool = False  # pragma comments are not honoured
    trusted_registries: tuple[str, ...] = ()
    label_schema: tuple[tuple[str, str], ...] = ()
    strict_labels: bool = False
    source: Path | None = None
    root: Path = field(default_factory=Path.cwd)
    # (key, selector) pairs that came from the command line, for error messages only.
    cli_selectors: frozenset[tuple[str, str]] = field(
        default=frozenset(), compare=False, repr=False
    )

    @classmethod
    def default(cls, root: Path | None = None) -> Settings:
        """Settings used when no configuration file is found."""
        return cls(root=Path(os.path.abspath(root)) if root is not None else Path.cwd())

    @property
    def severity_map(self) -> dict[str, Severity]:
        return dict(self.severity)

    def fails(self, severity: Severity) -> bool:
        """Whether a finding of this severity makes the exit code 1."""
        return severity >= self.failure_threshold


# --------------------------------------------------------------------------- errors


def _display(path: Path) -> str:
    """``path`` relative to the working directory when it is below it, else as is."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    if rel.split(os.sep)[0] == os.pardir:
        return str(path)
    return rel


class _Where:
    """Builds messages like ``pyproject.toml: [tool.dockerlint-slim] select: ...``."""

    def __init__(self, path: Path, in_pyproject: bool) -> None:
        self.path = path
        self.prefix = f"{_display(path)}: " + (f"{PYPROJECT_TABLE} " if in_pyproject else "")

    def error(self, key: str | None, message: str) -> ConfigError:
        return ConfigError(
            self.prefix + (f"{key}: " if key else "") + message, path=self.path, key=key
        )


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    normalised = word.replace("_", "-")
    if normalised != word and normalised in choices:
        return f" (did you mean {normalised!r}?)"
    import difflib  # only for a key or code that is not known

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.8)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --------------------------------------------------------------------------- reading


def _read_toml(path: Path) -> dict[str, Any]:
    display = _display(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{display}: no such file or directory", path=path) from None
    except IsADirectoryError:
        raise ConfigError(f"{display}: is a directory", path=path) from None
    except PermissionError:
        raise ConfigError(f"{display}: permission denied", path=path) from None
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise ConfigError(f"{display}: {reason}", path=path) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        raise ConfigError(
            f"{display}: not UTF-8 text (invalid byte 0x{bad:02x} at offset {exc.start})",
            path=path,
        ) from None
    toml = toml_module()
    try:
        return toml.loads(text)
    except toml.TOMLDecodeError as exc:
        raise ConfigError(f"{display}: {_toml_error(exc, text)}", path=path) from None


def _toml_error(exc: tomllib.TOMLDecodeError, text: str) -> str:
    """``invalid TOML at line L, column C: reason`` whatever the tomllib/tomli version."""
    line = getattr(exc, "lineno", None)
    col = getattr(exc, "colno", None)
    msg = getattr(exc, "msg", None)
    raw = str(exc)
    if not (isinstance(line, int) and isinstance(col, int) and isinstance(msg, str)):
        match = _TOML_LOCATION_RE.match(raw)
        if match:
            msg, line, col = match["msg"], int(match["line"]), int(match["col"])
        elif raw.endswith("(at end of document)"):
            msg = raw[: -len("(at end of document)")].rstrip()
            lines = text.split("\n")
            line, col = len(lines), len(lines[-1]) + 1
        else:
            return f"invalid TOML: {raw}"
    msg = _TOML_LOCATION_RE.sub(r"\g<msg>", msg)
    return f"invalid TOML at line {line}, column {col}: {msg}"


def _pyproject_table(doc: Mapping[str, Any], where: _Where) -> Mapping[str, Any] | None:
    tool = doc.get("tool")
    if not isinstance(tool, dict) or TOOL_NAME not in tool:
        return None
    table = tool[TOOL_NAME]
    if not isinstance(table, dict):
        raise where.error(None, "must be a table")
    return table


def _locate(directory: Path) -> tuple[Path, Mapping[str, Any], bool] | None:
    """The configuration in ``directory`` itself: (file, table, is_pyproject) or None."""
    standalone = directory / CONFIG_FILENAME
    if standalone.is_file():
        return standalone, _read_toml(standalone), False
    pyproject = directory / PYPROJECT_FILENAME
    if pyproject.is_file():
        try:
            raw = pyproject.read_bytes()
        except OSError:
            raw = TOOL_NAME.encode()  # let _read_toml report the error
        if TOOL_NAME.encode() not in raw:  # cheap: skip parsing unrelated pyproject files
            return None
        table = _pyproject_table(_read_toml(pyproject), _Where(pyproject, True))
        if table is not None:
            return pyproject, table, True
    return None


def _shadowed(directory: Path) -> Path | None:
    """The ``pyproject.toml`` of ``directory`` when it has a ``[tool.dockerlint-slim]`` table
    that the ``.dockerlint-slim.toml`` next to it hides (None otherwise, or when it cannot be
    read: the file in use decides, a broken neighbour is not an error)."""
    pyproject = directory / PYPROJECT_FILENAME
    try:
        if not pyproject.is_file() or TOOL_NAME.encode() not in pyproject.read_bytes():
            return None
        table = _pyproject_table(_read_toml(pyproject), _Where(pyproject, True))
    except (OSError, ConfigError):
        return None
    return pyproject if table is not None else None


def _walk_up(start_dir: Path) -> Iterable[Path]:
    start = Path(os.path.abspath(start_dir))
    yield start
    yield from start.parents


def find_config(start_dir: Path) -> Path | None:
    """The nearest configuration file at or above ``start_dir`` (None when there is none).

    Raises :class:`ConfigError` when a candidate file cannot be read or parsed.
    """
    for directory in _walk_up(start_dir):
        found = _locate(directory)
        if found is not None:
            return found[0]
    return None


def load_config(path: Path) -> Settings:
    """Load one explicit configuration file (``--config``).

    A file named ``pyproject.toml`` must hold a ``[tool.dockerlint-slim]`` table; any other
    file is read at the top level.
    """
    path = Path(os.path.abspath(path))
    doc = _read_toml(path)
    if path.name == PYPROJECT_FILENAME:
        where = _Where(path, True)
        table = _pyproject_table(doc, where)
        if table is None:
            raise ConfigError(f"{_display(path)}: no {PYPROJECT_TABLE} table", path=path)
        return _parse(table, path, in_pyproject=True)
    return _parse(doc, path, in_pyproject=False)


# --------------------------------------------------------------------------- parsing


def _check_selector(selector: object) -> str | None:
    """The selector in its canonical spelling if it is syntactically valid, else None: any
    letter case is accepted; ``ALL``, codes and prefixes are upper case, names lower case."""
    if not isinstance(selector, str):
        return None
    if selector.upper() == "ALL":
        return "ALL"
    if _CODE_PREFIX_RE.fullmatch(selector.upper()):
        return selector.upper()
    if _NAME_RE.fullmatch(selector.lower()):
        return selector.lower()
    return None


def _selector_list(where: _Where, key: str, value: object) -> SelectorList:
    if not isinstance(value, list):
        raise where.error(key, f"expected a list of rule selectors, got {_type_name(value)}")
    out: list[str] = []
    for item in value:
        selector = _check_selector(item)
        if selector is None:
            raise where.error(
                key,
                f"invalid rule selector {item!r} "
                "(expected ALL, a code like DL3042, a prefix like DL3 or a rule name)",
            )
        if selector not in out:
            out.append(selector)
    return tuple(out)


def _type_name(value: object) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _parse(table: Mapping[str, Any], source: Path, *, in_pyproject: bool) -> Settings:
    where = _Where(source, in_pyproject)
    for key in table:
        if key not in KNOWN_KEYS:
            raise where.error(None, f"unknown key {key!r}{_did_you_mean(key, KNOWN_KEYS)}")

    kwargs: dict[str, Any] = {"source": source, "root": source.parent}
    if "select" in table:
        kwargs["select"] = _selector_list(where, "select", table["select"])
    if "ignore" in table:
        kwargs["ignore"] = _selector_list(where, "ignore", table["ignore"])
    if "extend-select" in table:
        kwargs["extend_select"] = _selector_list(where, "extend-select", table["extend-select"])

    if "per-file-ignores" in table:
        value = table["per-file-ignores"]
        if not isinstance(value, dict):
            raise where.error(
                "per-file-ignores",
                f"expected a table of glob = [selectors], got {_type_name(value)}",
            )
        pairs: list[tuple[str, SelectorList]] = []
        for glob, selectors in value.items():
            if not glob.strip():
                raise where.error("per-file-ignores", "empty glob")
            pairs.append((glob, _selector_list(where, f"per-file-ignores: {glob!r}", selectors)))
        kwargs["per_file_ignores"] = tuple(pairs)

    if "severity" in table:
        value = table["severity"]
        if not isinstance(value, dict):
            raise where.error(
                "severity", f"expected a table of code = severity, got {_type_name(value)}"
            )
        overrides: list[tuple[str, Severity]] = []
        for key, level in value.items():
            code = key.upper()
            if not _CODE_RE.fullmatch(code):
                raise where.error("severity", f"{key!r} is not a rule code (expected e.g. DL3042)")
            if not isinstance(level, str):
                raise where.error(
                    "severity", f"{code}: expected a severity string, got {_type_name(level)}"
                )
            try:
                overrides.append((code, Severity.parse(level)))
            except ValueError:
                raise where.error(
                    "severity", f"unknown severity {level!r} for {code} ({_severity_choices()})"
                ) from None
        kwargs["severity"] = tuple(overrides)

    if "failure-threshold" in table:
        kwargs["failure_threshold"] = _parse_severity(
            table["failure-threshold"], lambda msg: where.error("failure-threshold", msg)
        )
    if "output-format" in table:
        kwargs["output_format"] = _parse_output_format(
            table["output-format"], lambda msg: where.error("output-format", msg)
        )
    if "target" in table:
        kwargs["target"] = _parse_target(table["target"], lambda msg: where.error("target", msg))
    for key in ("shellcheck", "strict-labels"):
        if key in table:
            if not isinstance(table[key], bool):
                raise where.error(key, f"expected true or false, got {_type_name(table[key])}")
            kwargs[key.replace("-", "_")] = table[key]
    if "trusted-registries" in table:
        value = table["trusted-registries"]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise where.error("trusted-registries", "expected a list of registry names")
        kwargs["trusted_registries"] = tuple(value)
    if "label-schema" in table:
        value = table["label-schema"]
        types = ("text", "url", "semver", "hash", "rfc3339", "spdx", "email")
        if not isinstance(value, Mapping):
            raise where.error("label-schema", "expected a table of label names to types")
        for label, kind in value.items():
            if kind not in types:
                raise where.error(
                    "label-schema", f"{label}: unknown type {kind!r} (expected {', '.join(types)})"
                )
        kwargs["label_schema"] = tuple((str(k), str(v)) for k, v in value.items())
    return Settings(**kwargs)


def _severity_choices() -> str:
    return "expected one of: " + ", ".join(s.label for s in sorted(Severity, reverse=True))


def _parse_severity(value: object, fail: Callable[[str], ConfigError]) -> Severity:
    if isinstance(value, Severity):
        return value
    if not isinstance(value, str):
        raise fail(f"expected a severity string, got {_type_name(value)}")
    try:
        return Severity.parse(value)
    except ValueError:
        raise fail(f"unknown severity {value!r} ({_severity_choices()})") from None


def _parse_output_format(value: object, fail: Callable[[str], ConfigError]) -> str:
    if not isinstance(value, str):
        raise fail(f"expected a string, got {_type_name(value)}")
    if value not in OUTPUT_FORMATS:
        raise fail(
            f"unknown output format {value!r} (expected one of: {', '.join(OUTPUT_FORMATS)})"
        )
    return value


def _parse_target(value: object, fail: Callable[[str], ConfigError]) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise fail(f"expected a stage name or index, got {_type_name(value)}")
    if isinstance(value, int):
        if value < 0:
            raise fail(f"stage index must be >= 0, got {value}")
        return str(value)
    if not value.strip() or value != value.strip():
        raise fail(f"invalid stage name {value!r}")
    return value


# --------------------------------------------------------------------------- CLI


def _cli_selectors(option: str, values: Sequence[str]) -> SelectorList:
    """Selectors from a CLI option; each value may be comma-separated (``DL3,DLS001``)."""
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            selector = _check_selector(part)
            if selector is None:
                raise ConfigError(f"{option}: invalid rule selector {part!r}", key=option)
            part = selector
            if part not in out:
                out.append(part)
    return tuple(out)


def _extend(base: SelectorList, extra: SelectorList) -> SelectorList:
    return base + tuple(s for s in extra if s not in base)


def merge_cli(
    settings: Settings,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    extend_select: Sequence[str] | None = None,
    output_format: str | None = None,
    failure_threshold: Severity | str | None = None,
    target: str | int | None = None,
    shellcheck: bool | None = None,
) -> Settings:
    """Apply command-line options on top of ``settings`` (``None`` = option not given).

    Like ruff's layering, ``--select`` starts over: it replaces the configured ``select``
    and drops the configured ``extend-select`` and ``ignore`` (``per-file-ignores`` still
    apply). ``--ignore`` and ``--extend-select`` add to what the configuration says.
    Selector values may be comma-separated.
    """
    changes: dict[str, Any] = {}
    cli = set(settings.cli_selectors)
    current_ignore, current_extend = settings.ignore, settings.extend_select
    if select is not None:
        chosen = _cli_selectors("--select", select)
        changes["select"] = chosen
        current_ignore, current_extend = (), ()
        cli = {("select", s) for s in chosen}
    if extend_select is not None:
        extra = _cli_selectors("--extend-select", extend_select)
        current_extend = _extend(current_extend, extra)
        cli |= {("extend-select", s) for s in extra}
    if ignore is not None:
        extra = _cli_selectors("--ignore", ignore)
        current_ignore = _extend(current_ignore, extra)
        cli |= {("ignore", s) for s in extra}
    changes["ignore"] = current_ignore
    changes["extend_select"] = current_extend
    changes["cli_selectors"] = frozenset(cli)

    if output_format is not None:
        changes["output_format"] = _parse_output_format(
            output_format, lambda msg: ConfigError(f"--output-format: {msg}")
        )
    if failure_threshold is not None:
        changes["failure_threshold"] = _parse_severity(
            failure_threshold, lambda msg: ConfigError(f"--failure-threshold: {msg}")
        )
    if target is not None:
        changes["target"] = _parse_target(target, lambda msg: ConfigError(f"--target: {msg}"))
    if shellcheck is not None:
        changes["shellcheck"] = shellcheck
    return replace(settings, **changes)


# --------------------------------------------------------------------------- rules


# ShellCheck's codes (SC1000-SC9999), and its name, which selects them all
_SHELLCHECK_SELECTOR = lazy_pattern(r"SC[0-9]{0,4}")
SHELLCHECK_NAME = "shellcheck"


@dataclass(frozen=True)
class ExternalCode:
    """A code that a tool run by the linter reports (ShellCheck's ``SC2086``): selected,
    ignored, overridden and named in pragmas like a rule's code (``SC`` and ``shellcheck``
    select them all)."""

    code: str
    name: str = SHELLCHECK_NAME
    opt_in: bool = False

    @property
    def hadolint(self) -> tuple[str, ...]:
        return (self.code,)  # hadolint's pragmas name ShellCheck's codes too


def is_shellcheck_selector(selector: str) -> bool:
    """Whether ``selector`` names ShellCheck's codes (``SC``, ``SC2086``, ``shellcheck``)."""
    return (
        _SHELLCHECK_SELECTOR.fullmatch(selector.upper()) is not None
        or selector.lower() == SHELLCHECK_NAME
    )


def external_enabled(settings: Settings, code: str, path: Path | None = None) -> bool:
    """Whether a finding of ``code`` (an :class:`ExternalCode`) is reported for ``path``:
    the same ``select``, ``extend-select``, ``ignore`` and ``per-file-ignores`` as rules."""
    return bool(resolve_rules(settings, [ExternalCode(code)], path))


def selector_matches(selector: str, rule: RuleLike) -> bool:
    """Whether ``selector`` (ALL, code, code prefix or rule name, in any letter case) selects
    ``rule``."""
    if selector.upper() == "ALL" or selector.lower() == rule.name:
        return True
    sel = _CODE_PREFIX_RE.fullmatch(selector.upper())
    code = _CODE_PREFIX_RE.fullmatch(rule.code)
    if sel is None or code is None:
        return selector.upper() == rule.code
    return sel[1] == code[1] and code[2].startswith(sel[2])


def _named(selector: str, rule: RuleLike) -> bool:
    return selector.upper() == rule.code or selector.lower() == rule.name


def _matching(
    selectors: Iterable[str], rules: Sequence[RuleLike], *, enabling: bool = False
) -> set[str]:
    """Codes of ``rules`` that one of ``selectors`` matches; when ``enabling``, an opt-in
    rule (``opt_in = True``) only by its exact code or name, never by ALL or a prefix."""
    selectors = tuple(selectors)
    return {
        r.code
        for r in rules
        if any(
            _named(s, r) if enabling and getattr(r, "opt_in", False) else selector_matches(s, r)
            for s in selectors
        )
    }


def _glob_variants(glob: str) -> set[str]:
    """``glob`` plus every variant where some ``**/`` match zero folders."""
    glob = glob.replace("\\", "/")
    while glob.startswith("./"):
        glob = glob[2:]
    if glob.endswith("/"):
        glob += "**"
    variants = {glob}
    todo = [glob]
    while todo:
        current = todo.pop()
        index = current.find("**/")
        while index != -1:
            shorter = current[:index] + current[index + 3 :]
            if shorter not in variants:
                variants.add(shorter)
                todo.append(shorter)
            index = current.find("**/", index + 1)
    return variants


def _relative_posix(path: Path, root: Path) -> str | None:
    for a, b in (
        (os.path.abspath(path), os.path.abspath(root)),
        (os.path.realpath(path), os.path.realpath(root)),
    ):
        try:
            return Path(a).relative_to(b).as_posix()
        except ValueError:
            continue
    return None


def glob_matches(glob: str, path: Path, root: Path) -> bool:
    """fnmatch ``glob`` (plus ``**/`` = zero or more folders) against ``path`` relative to
    ``root``, and against the bare file name."""
    candidates = [Path(path).name]
    rel = _relative_posix(path, root)
    if rel is not None:
        candidates.insert(0, rel)
    return any(
        fnmatch.fnmatchcase(candidate, variant)
        for variant in _glob_variants(glob)
        for candidate in candidates
    )


def resolve_rules(
    settings: Settings, rules: Sequence[RuleLike], path: Path | None = None
) -> set[str]:
    """Codes of the rules enabled for ``path``:
    ``(select | extend-select) - ignore - per-file-ignores matching path``."""
    enabled = _matching(settings.select, rules, enabling=True)
    enabled |= _matching(settings.extend_select, rules, enabling=True)
    enabled -= _matching(settings.ignore, rules)
    if path is not None:
        for glob, selectors in settings.per_file_ignores:
            if glob_matches(glob, path, settings.root):
                enabled -= _matching(selectors, rules)
    return enabled


def validate_selectors(settings: Settings, known: Sequence[RuleLike]) -> None:
    """Raise :class:`ConfigError` for a selector that matches no known rule, or a
    ``severity`` key that is not a known rule code."""
    in_pyproject = settings.source is not None and settings.source.name == PYPROJECT_FILENAME
    where = _Where(settings.source, in_pyproject) if settings.source is not None else None
    vocabulary = sorted({r.code for r in known} | {r.name for r in known})

    def error(key: str, selector: str, message: str) -> ConfigError:
        if (key, selector) in settings.cli_selectors:
            return ConfigError(f"--{key}: {message}", key=f"--{key}")
        if where is not None:
            return where.error(key, message)
        return ConfigError(f"{key}: {message}", key=key)

    groups: list[tuple[str, SelectorList]] = [
        ("select", settings.select),
        ("extend-select", settings.extend_select),
        ("ignore", settings.ignore),
    ]
    groups += [(f"per-file-ignores: {glob!r}", sels) for glob, sels in settings.per_file_ignores]
    for key, selectors in groups:
        for selector in selectors:
            if selector == "ALL" or any(selector_matches(selector, r) for r in known):
                continue
            if is_shellcheck_selector(selector):
                continue  # ShellCheck's codes (reported with --shellcheck)
            hint = _did_you_mean(selector, vocabulary)
            raise error(key, selector, f"unknown rule code or selector {selector!r}{hint}")
    codes = {r.code for r in known}
    for code, _level in settings.severity:
        if code not in codes and not is_shellcheck_selector(code):
            hint = _did_you_mean(code, sorted(codes))
            raise error("severity", code, f"unknown rule code {code!r}{hint}")


def severity_for(settings: Settings, code: str, default: Severity) -> Severity:
    """The configured severity of rule ``code``, else ``default``."""
    for configured, level in settings.severity:
        if configured.upper() == code:
            return level
    return default


# --------------------------------------------------------------------------- resolver


class ConfigResolver:
    """Finds and caches the settings of each checked file.

    ``config`` is an explicit ``--config`` file (replaces discovery). ``transform`` is
    applied to every loaded settings, typically ``lambda s: merge_cli(s, ...)``; when
    ``known`` is given every resulting settings is checked with :func:`validate_selectors`.
    Discovery results are memoised per folder and each config file is parsed once.
    ``warn`` is told (once per folder) when a folder holds both a ``.dockerlint-slim.toml``
    and a ``pyproject.toml`` with a ``[tool.dockerlint-slim]`` table: the first is used.
    """

    def __init__(
        self,
        config: Path | None = None,
        *,
        known: Sequence[RuleLike] | None = None,
        transform: Callable[[Settings], Settings] | None = None,
        warn: Callable[[str], None] | None = None,
        hadolint_config: Path | None = None,
    ) -> None:
        self._known = known
        self._transform = transform
        self._warn = warn
        self._hadolint = hadolint_config
        self._by_dir: dict[Path, Settings] = {}
        self._by_source: dict[Path, Settings] = {}
        self._default: Settings | None = None
        self._explicit = self._finish(load_config(config)) if config is not None else None

    def _finish(self, settings: Settings) -> Settings:
        if self._transform is not None:
            settings = self._transform(settings)
        if self._known is not None:
            validate_selectors(settings, self._known)
        return settings

    def for_file(self, path: Path) -> Settings:
        """Settings for a checked file (discovery starts in its folder)."""
        if self._explicit is not None:
            return self._explicit
        return self.for_dir(Path(os.path.abspath(path)).parent)

    def for_dir(self, directory: Path) -> Settings:
        """Settings for files in ``directory``; ``for_dir(Path.cwd())`` gives run-wide
        values such as ``output-format``."""
        if self._explicit is not None:
            return self._explicit
        visited: list[Path] = []
        result: Settings | None = None
        for current in _walk_up(directory):
            cached = self._by_dir.get(current)
            if cached is not None:
                result = cached
                break
            visited.append(current)
            found = _locate(current)
            if found is not None:
                source, table, in_pyproject = found
                result = self._by_source.get(source)
                if result is None:
                    shadowed = None if in_pyproject else _shadowed(current)
                    if shadowed is not None and self._warn is not None:
                        self._warn(
                            f"{_display(source)} and {_display(shadowed)} both configure "
                            f"{TOOL_NAME}; using {_display(source)} (the {PYPROJECT_TABLE} "
                            "table is ignored)"
                        )
                    result = self._finish(_parse(table, source, in_pyproject=in_pyproject))
                    self._by_source[source] = result
                break
        if result is None:
            # no configuration of ours: hadolint's (--hadolint-config, else the nearest
            # .hadolint.yaml), as hadolint users keep theirs
            theirs = self._hadolint or _find_hadolint(directory)
            if theirs is not None:
                result = self._by_source.get(theirs)
                if result is None:
                    result = self._finish(self._from_hadolint(theirs))
                    self._by_source[theirs] = result
        if result is None:
            if self._default is None:
                self._default = self._finish(Settings.default())
            result = self._default
        for folder in visited:
            self._by_dir[folder] = result
        return result

    def _from_hadolint(self, source: Path) -> Settings:
        """Settings from hadolint's configuration file ``source``: its unknown keys, and the
        codes it names that are not dockerlint-slim's (rules not implemented here), are told
        to ``warn`` and left out."""
        from .hadolint_config import HadolintConfigError, load_hadolint_config

        try:
            found = load_hadolint_config(source)
        except HadolintConfigError as exc:
            raise ConfigError(str(exc)) from None
        shown = _display(source)
        if found.unknown and self._warn is not None:
            self._warn(f"{shown}: unknown hadolint setting {', '.join(map(repr, found.unknown))}")
        known = self._known

        def ours(code: str) -> bool:
            return (
                known is None
                or is_shellcheck_selector(code)
                or any(selector_matches(code, r) for r in known)
            )

        dropped = sorted(
            {c for c in found.ignore if not ours(c)} | {c for c, _ in found.severity if not ours(c)}
        )
        if dropped and self._warn is not None:
            self._warn(f"{shown}: {', '.join(dropped)}: not a rule of {TOOL_NAME}; left out")
        severity = tuple(
            (code, Severity.parse(level))
            for code, level in found.severity
            if code not in dropped and _CODE_RE.fullmatch(code)
        )
        return Settings(
            ignore=tuple(c for c in found.ignore if c not in dropped),
            severity=severity,
            failure_threshold=(
                Severity.parse(found.failure_threshold)
                if found.failure_threshold
                else Settings.failure_threshold
            ),
            output_format=found.output_format,
            no_fail=found.no_fail,
            disable_pragmas=found.disable_pragmas,
            trusted_registries=found.trusted_registries,
            label_schema=found.label_schema,
            strict_labels=found.strict_labels,
            source=source,
            root=source.parent,
        )


def _find_hadolint(directory: Path) -> Path | None:
    """The nearest ``.hadolint.yaml`` (or ``.yml``) at or above ``directory``; its reader
    (:mod:`~dockerlint_slim.hadolint_config`) is imported only when there is one."""
    for current in _walk_up(directory):
        for name in HADOLINT_FILENAMES:
            candidate = current / name
            if candidate.is_file():
                return candidate
    return None
