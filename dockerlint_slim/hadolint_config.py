"""hadolint's configuration file (``.hadolint.yaml``), read as dockerlint-slim settings.

Used when no dockerlint-slim configuration applies to a file: the nearest ``.hadolint.yaml``
or ``.hadolint.yml`` walking up from the file's folder, or ``--hadolint-config PATH``. Keys
(hadolint 2.x):

==========================  ==================================================================
``ignored``                 codes that are not reported (``ignore``)
``override``                ``error``/``warning``/``info``/``style`` lists: severity overrides
``failure-threshold``       the lowest severity that fails; ``none``/``ignore``: nothing fails
``no-fail``                 exit 0 whatever is found
``disable-ignore-pragma``   pragma comments are not honoured
``trustedRegistries``       the registries ``FROM`` may pull from
``label-schema``            label name -> type (text, url, semver, hash, rfc3339, spdx, email)
``strict-labels``           labels outside the schema are reported
``format``                  the output format (hadolint's names: tty, json, checkstyle, sarif,
                            gitlab_codeclimate, codeclimate)
``no-color``                no colours
==========================  ==================================================================

An unknown key is reported (a warning naming the file and the key), never silently dropped.
YAML is read with a small reader for the block and flow forms such files use (mappings,
lists, quoted and plain scalars, comments); anything else is a configuration error with its
line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable

from .lazy import lazy_pattern

__all__ = ["HadolintConfig", "HadolintConfigError", "load_hadolint_config"]

_LEVELS = ("error", "warning", "info", "style")
_FORMATS = {
    "tty": "text",
    "json": "json",
    "checkstyle": "checkstyle",
    "sarif": "sarif",
    "gitlab_codeclimate": "gitlab",
    "codeclimate": "gitlab",
}
_LABEL_TYPES = ("text", "url", "semver", "hash", "rfc3339", "spdx", "email")
_KEYS = (
    "ignored",
    "override",
    "failure-threshold",
    "no-fail",
    "disable-ignore-pragma",
    "trustedRegistries",
    "label-schema",
    "strict-labels",
    "format",
    "no-color",
)


class HadolintConfigError(ValueError):
    """A ``.hadolint.yaml`` that cannot be read; the message names the file (and line)."""


@dataclass
class HadolintConfig:
    """What a hadolint configuration asks for, in dockerlint-slim's terms."""

    source: Path
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()  # (code, level)
    failure_threshold: str | None = None
    no_fail: bool = False
    disable_pragmas: bool = False
    trusted_registries: tuple[str, ...] = ()
    label_schema: tuple[tuple[str, str], ...] = ()
    strict_labels: bool = False
    output_format: str | None = None
    no_color: bool = False
    unknown: list[str] = field(default_factory=list)  # keys it does not know


def load_hadolint_config(path: Path) -> HadolintConfig:
    """Read ``path``; raises :class:`HadolintConfigError`."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise HadolintConfigError(f"{path}: cannot read: {exc}") from None
    try:
        data = parse_yaml(text)
    except _YamlError as exc:
        raise HadolintConfigError(f"{path}: line {exc.line}: {exc}") from None
    return from_mapping(data, path)


def from_mapping(data: Any, path: Path) -> HadolintConfig:
    def fail(key: str, message: str) -> HadolintConfigError:
        return HadolintConfigError(f"{path}: {key}: {message}")

    config = HadolintConfig(source=path)
    if data is None:
        return config
    if not isinstance(data, dict):
        raise HadolintConfigError(f"{path}: expected a mapping of settings")
    for key, value in data.items():
        if key not in _KEYS:
            config.unknown.append(str(key))
            continue
        if key == "ignored":
            config.ignore = _codes(value, partial(fail, key))
        elif key == "override":
            if value is None:
                continue
            if not isinstance(value, dict):
                raise fail(key, "expected a mapping of error/warning/info/style to codes")
            pairs = []
            for level, codes in value.items():
                if level not in _LEVELS:
                    raise fail(key, f"unknown severity {level!r} (expected {', '.join(_LEVELS)})")
                pairs += [(c, level) for c in _codes(codes, partial(fail, key))]
            config.severity = tuple(pairs)
        elif key == "failure-threshold":
            level = str(value).lower()
            if level in ("none", "ignore"):
                config.no_fail = True
            elif level in _LEVELS:
                config.failure_threshold = level
            else:
                raise fail(key, f"unknown severity {value!r}")
        elif key in ("no-fail", "disable-ignore-pragma", "strict-labels", "no-color"):
            if not isinstance(value, bool):
                raise fail(key, f"expected true or false, got {value!r}")
            attr = {"no-fail": "no_fail", "disable-ignore-pragma": "disable_pragmas"}
            name = attr.get(key, key.replace("-", "_"))
            setattr(config, name, value or getattr(config, name))
        elif key == "trustedRegistries":
            config.trusted_registries = _strings(value, partial(fail, key))
        elif key == "label-schema":
            if value is None:
                continue
            if not isinstance(value, dict):
                raise fail(key, "expected a mapping of label names to types")
            schema = []
            for label, kind in value.items():
                if str(kind) not in _LABEL_TYPES:
                    raise fail(
                        key, f"{label}: unknown type {kind!r} (expected {', '.join(_LABEL_TYPES)})"
                    )
                schema.append((str(label), str(kind)))
            config.label_schema = tuple(schema)
        elif key == "format":
            fmt = _FORMATS.get(str(value))
            if fmt is None:
                raise fail(key, f"unknown format {value!r} (known: {', '.join(_FORMATS)})")
            config.output_format = fmt
    return config


def _strings(value: Any, fail: Callable[[str], HadolintConfigError]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        raise fail("expected a list of strings")
    return tuple(str(v) for v in value)


def _codes(value: Any, fail: Callable[[str], HadolintConfigError]) -> tuple[str, ...]:
    return tuple(c.upper() for c in _strings(value, fail))


# --------------------------------------------------------------------------- a small YAML reader


class _YamlError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class _Line:
    number: int
    indent: int
    text: str


_KEY = lazy_pattern(
    r"""^(?P<key>"[^"]*"|'[^']*'|[^\s#'"{}\[\],:][^#:]*?)\s*:(?:\s+|$)(?P<rest>.*)$"""
)


def _strip_comment(text: str) -> str:
    """``text`` without a trailing ``# comment`` (outside quotes)."""
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i].rstrip()
    return text.rstrip()


def parse_yaml(text: str) -> Any:
    """The value of a YAML document written in the block and flow forms a configuration
    file uses; :class:`_YamlError` for anything else."""
    lines: list[_Line] = []
    for number, raw in enumerate(text.splitlines(), 1):
        content = _strip_comment(raw)
        if not content.strip() or content.strip() in ("---", "..."):
            continue
        indent = len(content) - len(content.lstrip(" "))
        if content[indent : indent + 1] == "\t":
            raise _YamlError("tabs cannot indent YAML", number)
        if content.lstrip().startswith(("&", "*", "!", "|", ">", "%", "?")):
            raise _YamlError(f"unsupported YAML: {content.strip()!r}", number)
        lines.append(_Line(number, indent, content.strip()))
    if not lines:
        return None
    value, end = _block(lines, 0, lines[0].indent)
    if end != len(lines):
        raise _YamlError("unexpected indentation", lines[end].number)
    return value


def _block(lines: list[_Line], i: int, indent: int) -> tuple[Any, int]:
    if lines[i].text == "-" or lines[i].text.startswith("- "):
        return _sequence(lines, i, indent)
    if _KEY.match(lines[i].text):
        return _mapping(lines, i, indent)
    if i + 1 < len(lines) and lines[i + 1].indent >= indent:
        raise _YamlError(f"expected `key: value`, got {lines[i].text!r}", lines[i].number)
    return _scalar(lines[i].text, lines[i].number), i + 1


def _nested(lines: list[_Line], i: int, indent: int, allow_same: bool) -> tuple[Any, int]:
    """The value on the lines after a ``key:`` or ``-`` with nothing after it."""
    if i < len(lines):
        nxt = lines[i]
        if nxt.indent > indent or (
            allow_same and nxt.indent == indent and (nxt.text == "-" or nxt.text.startswith("- "))
        ):
            return _block(lines, i, nxt.indent)
    return None, i


def _mapping(lines: list[_Line], i: int, indent: int) -> tuple[dict[str, Any], int]:
    out: dict[str, Any] = {}
    while i < len(lines) and lines[i].indent == indent:
        line = lines[i]
        m = _KEY.match(line.text)
        if m is None:
            raise _YamlError(f"expected `key: value`, got {line.text!r}", line.number)
        key = _unquote(m.group("key").strip(), line.number)
        if key in out:
            raise _YamlError(f"duplicate key {key!r}", line.number)
        rest = m.group("rest").strip()
        if rest:
            out[key] = _scalar(rest, line.number)
            i += 1
        else:
            out[key], i = _nested(lines, i + 1, indent, allow_same=True)
    if i < len(lines) and lines[i].indent > indent:
        raise _YamlError("unexpected indentation", lines[i].number)
    return out, i


def _sequence(lines: list[_Line], i: int, indent: int) -> tuple[list[Any], int]:
    out: list[Any] = []
    while i < len(lines) and lines[i].indent == indent:
        line = lines[i]
        if not (line.text == "-" or line.text.startswith("- ")):
            break
        rest = line.text[1:].strip()
        if not rest:
            value, i = _nested(lines, i + 1, indent, allow_same=False)
            out.append(value)
            continue
        if _KEY.match(rest):  # `- key: value` starts a mapping inside the list
            inner = indent + (len(line.text) - len(rest))
            sub = [_Line(line.number, inner, rest)]
            j = i + 1
            while j < len(lines) and lines[j].indent >= inner:
                sub.append(lines[j])
                j += 1
            value, used = _mapping(sub, 0, inner)
            if used != len(sub):
                raise _YamlError("unexpected indentation", sub[used].number)
            out.append(value)
            i = j
            continue
        out.append(_scalar(rest, line.number))
        i += 1
    return out, i


def _unquote(text: str, line: int) -> str:
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        body = text[1:-1]
        try:
            return body.encode("latin-1", "backslashreplace").decode("unicode_escape")
        except UnicodeDecodeError:
            raise _YamlError(f"bad escape in {text}", line) from None
    return text


def _scalar(text: str, line: int) -> Any:
    if text[:1] in ("&", "*", "!", "|", ">", "%", "@", "`"):
        raise _YamlError(f"unsupported YAML: {text!r}", line)
    if text.startswith("["):
        if not text.endswith("]"):
            raise _YamlError(f"unclosed list {text!r}", line)
        inner = text[1:-1].strip()
        return [_scalar(part.strip(), line) for part in _split_flow(inner, line)] if inner else []
    if text.startswith("{"):
        if not text.endswith("}"):
            raise _YamlError(f"unclosed mapping {text!r}", line)
        out: dict[str, Any] = {}
        inner = text[1:-1].strip()
        for part in _split_flow(inner, line) if inner else []:
            key, sep, value = part.partition(":")
            if not sep:
                raise _YamlError(f"expected `key: value` in {text!r}", line)
            out[_unquote(key.strip(), line)] = _scalar(value.strip(), line)
        return out
    if text[:1] in "'\"":
        if len(text) < 2 or text[-1] != text[0]:
            raise _YamlError(f"unclosed quote in {text!r}", line)
        return _unquote(text, line)
    lowered = text.lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    if lowered in ("null", "~"):
        return None
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    return text


def _split_flow(text: str, line: int) -> list[str]:
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if quote or depth:
        raise _YamlError(f"unbalanced flow collection {text!r}", line)
    parts.append(text[start:])
    return [p for p in (p.strip() for p in parts) if p]
