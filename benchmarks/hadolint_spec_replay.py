"""Replay hadolint's own rule tests against dockerlint-slim.

    python3 benchmarks/hadolint_spec_replay.py --hadolint-src PATH [--code DL3008 ...]
                                               [--output FILE] [--note TEXT] [--hadolint BIN]

``PATH`` is a checkout of the hadolint repository (its ``test/Hadolint/Rule/DL*Spec.hs``
files are read there, never copied into this project). Each ``ruleCatches CODE text`` and
``ruleCatchesNot CODE text`` of a spec is a case, and so is ``assertChecks text (failsWith N
CODE)`` (caught when N > 0). The code is a string or a name bound to one (``let rule =
"DL3065"``); the text is a Haskell string, ``Text.unlines`` of a list, or a name bound to
either. It is linted with that rule alone, and the case agrees when dockerlint-slim reports
the code exactly when hadolint's test expects it. The spec's ``?config`` (allowed
registries, label schema, strict labels) is passed on as dockerlint-slim's settings
(``trusted-registries``, ``label-schema``, ``strict-labels``). A text without ``FROM``
(hadolint's tests lint bare snippets) gets one first: ``FROM debian:bookworm``, or
``alpine``, ``fedora`` or ``opensuse/leap`` when it calls that distribution's package
manager. ``onBuildRuleCatches`` cases are read with each ``RUN`` wrapped in ``ONBUILD``, as
hadolint's test helper does. Texts the reader cannot make out are left out and counted.

A case where dockerlint-slim differs on purpose (``_DELIBERATE``: hadolint's result is wrong
there, and the rule's docs say why) is counted as a deliberate difference, not as a
disagreement. Cases of codes that dockerlint-slim has no rule for are counted apart.

It prints, per code, the cases, those that agree, differ on purpose and disagree, the
deliberate differences with their reasons and the remaining disagreements; with ``--output``
it writes the same as Markdown. With ``--hadolint BIN`` each case is also linted by that
hadolint executable (with the case's configuration and code switched on), and a column
counts the cases where it passes its own test: a measure of how far the checkout's tests
describe that release. Exit code 0.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.|\\\s*\\)*"'  # a string literal, gaps included
    r"|--[^\n]*"  # a comment
    r"|[A-Za-z_][\w.']*"  # a name (qualified)
    r"|\S",
    re.S,
)
_CATCHERS = {
    "ruleCatches": (True, False),
    "ruleCatchesNot": (False, False),
    "onBuildRuleCatches": (True, True),
    "onBuildRuleCatchesNot": (False, True),
}
_CODE = re.compile(r"DL\d{4}")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "&": ""}


@dataclass(frozen=True)
class Config:
    """The part of a spec's ``?config`` that dockerlint-slim's settings have too."""

    registries: tuple[str, ...] = ()  # allowedRegistries (DL3026)
    label_schema: tuple[tuple[str, str], ...] = ()  # labelSchema (DL3049-DL3058)
    strict_labels: bool = False  # strictLabels (DL3050)


# hadolint's label types and the names dockerlint-slim's label-schema gives them
_LABEL_TYPES = {
    "RawText": "text",
    "Url": "url",
    "SemVer": "semver",
    "GitHash": "hash",
    "Rfc3339": "rfc3339",
    "Spdx": "spdx",
    "Email": "email",
}


@dataclass(frozen=True)
class Case:
    code: str
    caught: bool  # what hadolint's test expects
    text: str
    source: str  # spec file:line
    config: Config = Config()


def hs_string(literal: str) -> str:
    """The value of a Haskell string literal (escapes and gaps)."""
    body = literal[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1] if i + 1 < len(body) else ""
        if nxt.isspace():  # a gap: backslash, whitespace, backslash
            j = body.index("\\", i + 1)
            i = j + 1
        elif nxt.isdigit():
            m = re.match(r"\d+", body[i + 1 :])
            assert m is not None
            out.append(chr(int(m.group(0))))
            i += 1 + len(m.group(0))
        else:
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
    return "".join(out)


def read_spec(path: Path) -> tuple[list[Case], int]:
    """The cases of one spec file, and how many it could not read."""
    text = path.read_text(encoding="utf-8")
    tokens = [(m.group(0), text.count("\n", 0, m.start()) + 1) for m in _TOKEN.finditer(text)]
    tokens = [t for t in tokens if not t[0].startswith("--")]
    lists: dict[str, list[str]] = {}
    texts: dict[str, str] = {}
    cases: list[Case] = []
    unread = 0

    def string_list(at: int) -> tuple[list[str] | None, int]:
        """``[ "a", "b" ]`` starting at token ``at``."""
        if at >= len(tokens) or tokens[at][0] != "[":
            return None, at
        items: list[str] = []
        at += 1
        while at < len(tokens) and tokens[at][0] != "]":
            tok = tokens[at][0]
            if tok.startswith('"'):
                items.append(hs_string(tok))
            elif tok != ",":
                return None, at
            at += 1
        return items, at + 1

    def text_at(at: int) -> str | None:
        """The Dockerfile text an argument starting at token ``at`` stands for: a string, a
        name bound to one, or ``Text.unlines`` (after ``$`` or ``(``, or bound to a name)
        of a list or of a name bound to one."""
        tok = tokens[at][0] if at < len(tokens) else ""
        if tok.startswith('"'):
            return hs_string(tok)
        if tok in texts:
            return texts[tok]
        if tok in ("$", "("):
            at, tok = at + 1, tokens[at + 1][0] if at + 1 < len(tokens) else ""
        if tok.endswith("unlines"):
            arg = tokens[at + 1][0] if at + 1 < len(tokens) else ""
            found = lists.get(arg)
            if found is None:
                found, _ = string_list(at + 1)
            if found is not None:
                return "".join(f"{x}\n" for x in found)
        return None

    def config_at(at: int) -> Config:
        """``def`` or ``mempty``, with ``{ field = value, … }`` after it, at token ``at``."""
        while at < len(tokens) and tokens[at][0] in ("def", "mempty"):
            at += 1
        if at >= len(tokens) or tokens[at][0] != "{":
            return Config()
        registries: list[str] = []
        schema: list[tuple[str, str]] = []
        strict = False
        field = ""
        depth = 0
        for j in range(at, len(tokens)):
            tok = tokens[j][0]
            depth += {"{": 1, "}": -1}.get(tok, 0)
            if depth == 0:
                break
            if tok in ("allowedRegistries", "labelSchema", "strictLabels"):
                field = tok
            elif field == "allowedRegistries" and tok.startswith('"'):
                registries.append(hs_string(tok))
            elif field == "labelSchema" and tok.startswith('"') and j + 2 < len(tokens):
                kind = tokens[j + 2][0].rsplit(".", 1)[-1]
                if kind in _LABEL_TYPES:
                    schema.append((hs_string(tok), _LABEL_TYPES[kind]))
            elif field == "strictLabels" and tok == "True":
                strict = True
        return Config(tuple(registries), tuple(schema), strict)

    config = Config()

    def code_at(at: int) -> str | None:
        tok = tokens[at][0] if at < len(tokens) else ""
        code = hs_string(tok) if tok.startswith('"') else texts.get(tok)
        return code if code is not None and _CODE.fullmatch(code) else None

    i = 0
    while i < len(tokens):
        tok, line = tokens[i]
        if tok == "?" and [t for t, _ in tokens[i + 1 : i + 3]] == ["config", "="]:
            config = config_at(i + 3)  # in force for the cases after it
        if tok == "let" and i + 2 < len(tokens) and tokens[i + 2][0] == "=":
            name = tokens[i + 1][0]
            found, _ = string_list(i + 3)
            if found is not None:
                lists[name] = found
            else:
                bound = text_at(i + 3)
                if bound is not None:
                    texts[name] = bound
        if tok in _CATCHERS and i + 1 < len(tokens):
            caught, onbuild = _CATCHERS[tok]
            code = code_at(i + 1)
            value = text_at(i + 2) if code is not None else None
            if code is None or value is None:
                unread += 1
            else:
                if onbuild:
                    value = _onbuild(value)
                cases.append(Case(code, caught, value, f"{path.name}:{line}", config))
            i += 2
            continue
        if tok == "assertChecks" and i + 1 < len(tokens):
            # ``assertChecks TEXT (failsWith N "DLxxxx")``: caught when N > 0
            value = text_at(i + 1)
            at = next(
                (j for j in range(i + 1, min(i + 12, len(tokens))) if tokens[j][0] == "failsWith"),
                None,
            )
            count = tokens[at + 1][0] if at is not None and at + 2 < len(tokens) else ""
            code = code_at(at + 2) if at is not None else None
            if value is None or code is None or not count.isdigit():
                unread += 1
            else:
                cases.append(Case(code, int(count) > 0, value, f"{path.name}:{line}", config))
            i += 1
            continue
        i += 1
    return cases, unread


def _onbuild(text: str) -> str:
    """Each ``RUN`` of ``text`` wrapped in ``ONBUILD``, as hadolint's test helper wraps only
    ``RUN`` instructions (the lines a continuation joins to one are left as they are)."""
    out = []
    continued = False
    for line in text.splitlines():
        starts = not continued and re.match(r"\s*RUN\b", line, re.I) is not None
        out.append(f"ONBUILD {line}\n" if starts else f"{line}\n")
        continued = line.rstrip().endswith("\\")
    return "".join(out)


def _with_from(text: str) -> str:
    if re.search(r"(?im)^\s*FROM\s", text):
        return text
    lowered = text.lower()
    if re.search(r"\bapk\b", lowered):
        base = "alpine:3.20"
    elif re.search(r"\b(yum|dnf|microdnf)\b", lowered):
        base = "fedora:40"
    elif re.search(r"\bzypper\b", lowered):
        base = "opensuse/leap:15.6"
    else:
        base = "debian:bookworm"
    return f"FROM {base}\n{text}"


@dataclass(frozen=True)
class Deliberate:
    """Cases of ``code`` whose text matches ``pattern`` (or for which ``where`` holds),
    where dockerlint-slim differs from hadolint on purpose, for ``reason`` (which the rule's
    docs give too)."""

    code: str
    reason: str
    pattern: str = ""
    where: Callable[[str], bool] | None = None

    def covers(self, code: str, text: str) -> bool:
        if code != self.code:
            return False
        if self.where is not None:
            return self.where(text)
        return re.search(self.pattern, text) is not None


def _unshipped_onbuild(pattern: str) -> Callable[[str], bool]:
    """Whether the ``ONBUILD`` instructions of a text that match ``pattern`` all sit in
    stages that do not ship."""

    def where(text: str) -> bool:
        from dockerlint_slim.model import build_model

        df = build_model(_with_from(text))
        ships = [
            s.ships
            for s in df.stages
            for i in s.instructions
            if i.keyword == "ONBUILD" and re.search(pattern, df.text[i.start : i.end])
        ]
        return bool(ships) and not any(ships)

    return where


def _root_only_in_unshipped_stages(text: str) -> bool:
    """Whether every stage that ends as root (its last ``USER`` is root) does not ship."""
    from dockerlint_slim.model import build_model

    df = build_model(_with_from(text))
    ends_root = []
    for s in df.stages:
        users = [i.raw.args.split(":")[0].strip() for i in s.instructions if i.keyword == "USER"]
        if users and users[-1] in ("root", "0"):
            ends_root.append(s.ships)
    return bool(ends_root) and not any(ends_root)


_NOT_SHIPPED_ONBUILD = (
    "an `ONBUILD RUN` of a stage that does not ship never runs: no stage is built FROM it"
)
_DELIBERATE = (
    Deliberate(
        "DL3002",
        "only the image that ships is judged: a stage that ends as root and that no shipped"
        " stage is built FROM never runs the application",
        where=_root_only_in_unshipped_stages,
    ),
    Deliberate(
        "DL3010",
        "with the default escape `\\`, BuildKit reads the unquoted source"
        " `build\\foo\\bar.tar.gz` as `buildfoobar.tar.gz`: not the file the `RUN` unpacks",
        r"(?m)^COPY [^\s\"]*\\",
    ),
    Deliberate(
        "DL3045",
        "with the default escape `\\`, BuildKit reads the unquoted `c:\\system32\\blubb.sh`"
        " as `c:system32blubb.sh`, a path relative to the current folder of drive C",
        r"(?m)^COPY \S+ [A-Za-z]:\\(?!\\)",
    ),
    Deliberate(
        "DL3042",
        "pip turns its cache off for every valid value of `PIP_NO_CACHE_DIR`, false ones included",
        r"PIP_NO_CACHE_DIR=(0|off|no|false)\b",
    ),
    Deliberate(
        "DL3042",
        "`pipenv install` fills pipenv's cache (`~/.cache/pipenv`) through pip",
        r"\bpipenv install\b",
    ),
    Deliberate("DL3042", _NOT_SHIPPED_ONBUILD, where=_unshipped_onbuild(r"\bpip")),
    Deliberate(
        "DL3034",
        "`-n` after `zypper install` is `--name`, not `--non-interactive` (that is the"
        " global `zypper -n install`)",
        r"zypper install -n\b",
    ),
    Deliberate(
        "DL3040",
        "dnf keeps its cache in `/var/cache/dnf`: removing `/var/cache/yum` leaves it",
        r"\bdnf install [^&]*&& rm -rf /var/cache/yum",
    ),
    Deliberate(
        "DL3040",
        "not a Dockerfile: the line starts with no instruction (BuildKit rejects it;"
        " dockerlint-slim reports DL1000, and hadolint 2.15.1 a parse error)",
        r"(?m)^microdnf clean all && RUN",
    ),
    Deliberate("DL3040", _NOT_SHIPPED_ONBUILD, where=_unshipped_onbuild(r"\bdnf\b")),
    Deliberate("DL3009", _NOT_SHIPPED_ONBUILD, where=_unshipped_onbuild(r"\bapt-get update\b")),
    Deliberate("DL3060", _NOT_SHIPPED_ONBUILD, where=_unshipped_onbuild(r"\byarn install\b")),
)


@dataclass
class Row:
    code: str
    cases: int = 0
    agree: int = 0
    deliberate: int = 0
    disagree: list[str] | None = None
    hadolint_agree: int = 0  # cases where the hadolint given with --hadolint agrees too


def _hadolint_catches(binary: str, case: Case) -> bool | None:
    """Whether ``binary`` (a hadolint executable) reports the case's code on its text, with
    the case's configuration and the code switched on (some are off by default); None when
    it cannot tell (no JSON)."""
    command = [binary, "--no-fail", "--no-color", "-f", "json", "--warning", case.code]
    for registry in case.config.registries:
        command += ["--trusted-registry", registry]
    for label, kind in case.config.label_schema:
        command += ["--require-label", f"{label}:{kind}"]
    if case.config.strict_labels:
        command.append("--strict-labels")
    done = subprocess.run(
        [*command, "-"], input=_with_from(case.text), capture_output=True, text=True
    )
    try:
        found = json.loads(done.stdout or "[]")
    except ValueError:
        return None
    return any(f.get("code") == case.code for f in found)


def _version(binary: str) -> str:
    done = subprocess.run([binary, "--version"], capture_output=True, text=True)
    return done.stdout.strip() or "version unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--hadolint-src", type=Path, required=True)
    parser.add_argument("--code", action="append", default=[])
    parser.add_argument("--output", type=Path)
    parser.add_argument("--note", default="", help="where the spec files come from (Markdown)")
    parser.add_argument(
        "--hadolint", help="a hadolint executable: also count the cases it agrees with"
    )
    args = parser.parse_args()
    folder = args.hadolint_src / "test" / "Hadolint" / "Rule"
    specs = sorted(folder.glob("DL*Spec.hs"))
    if not specs:
        sys.exit(f"no DL*Spec.hs under {folder}: give the root of a hadolint checkout")

    from dockerlint_slim.config import Settings, merge_cli
    from dockerlint_slim.engine import lint
    from dockerlint_slim.rule import all_rules

    known = {r.code for r in all_rules()}
    rows: dict[str, Row] = {}
    missing: dict[str, int] = {}
    deliberate_seen: dict[Deliberate, list[str]] = {}
    unread_total = 0
    configured: list[str] = []
    for spec in specs:
        cases, unread = read_spec(spec)
        if any(c.config != Config() for c in cases):
            configured.append(spec.name)
        unread_total += unread
        for case in cases:
            if args.code and case.code not in args.code:
                continue
            if case.code not in known:
                missing[case.code] = missing.get(case.code, 0) + 1
                continue
            row = rows.setdefault(case.code, Row(case.code, disagree=[]))
            row.cases += 1
            settings = dataclasses.replace(
                merge_cli(Settings.default(), select=[case.code]),
                trusted_registries=case.config.registries,
                label_schema=case.config.label_schema,
                strict_labels=case.config.strict_labels,
            )
            result = lint(_with_from(case.text), "Dockerfile", settings)
            if args.hadolint and _hadolint_catches(args.hadolint, case) == case.caught:
                row.hadolint_agree += 1
            if any(f.code == case.code for f in result.findings) == case.caught:
                row.agree += 1
                continue
            why = next((d for d in _DELIBERATE if d.covers(case.code, case.text)), None)
            if why is not None:
                row.deliberate += 1
                deliberate_seen.setdefault(why, []).append(case.source)
                continue
            assert row.disagree is not None
            want = "catches" if case.caught else "does not catch"
            row.disagree.append(f"{case.source} (hadolint {want})")
    table = sorted(rows.values(), key=lambda r: r.code)
    total = sum(r.cases for r in table)
    agreed = sum(r.agree for r in table)
    on_purpose = sum(r.deliberate for r in table)
    against = total - agreed - on_purpose

    def pct(n: int) -> str:
        return f"{100 * n / max(total, 1):.1f} %"

    lines = [
        "# hadolint's rule tests replayed",
        "",
        f"Run on {datetime.date.today().isoformat()} over {len(specs)} spec files"
        f" (`test/Hadolint/Rule/DL*Spec.hs` of a hadolint checkout);"
        f" {len(configured)} of them set a configuration (allowed registries, a label schema),"
        " which is passed on as dockerlint-slim's settings"
        + (f" ({', '.join(configured)})" if configured else "")
        + f"; {unread_total} case text{'' if unread_total == 1 else 's'} could not be read"
        ' (a code that is not one, such as `"FROM scratch\\nDL3045"`, counts as unread).',
        "",
        *([args.note, ""] if args.note else []),
        f"**{agreed} of {total} cases agree ({pct(agreed)}); {on_purpose} more differ on"
        f" purpose ({pct(agreed + on_purpose)} agree or differ deliberately);"
        f" {against} disagree.**",
        "",
        *(
            [
                f"{_version(args.hadolint)} (`--hadolint`) passes"
                f" {sum(r.hadolint_agree for r in table)} of these {total} cases of its own"
                " tests (column *hadolint*).",
                "",
            ]
            if args.hadolint
            else []
        ),
        "| code | cases | agree | deliberate | disagree | disagreements |"
        + (" hadolint |" if args.hadolint else ""),
        "|---|---:|---:|---:|---:|---|" + ("---:|" if args.hadolint else ""),
    ]
    for r in table:
        assert r.disagree is not None
        shown = "; ".join(r.disagree[:3]) + (" …" if len(r.disagree) > 3 else "")
        lines.append(
            f"| {r.code} | {r.cases} | {r.agree} | {r.deliberate} | {len(r.disagree)} | {shown} |"
            + (f" {r.hadolint_agree} |" if args.hadolint else "")
        )
    lines += ["", "## Deliberate differences", ""]
    if deliberate_seen:
        lines += ["| code | cases | reason | spec cases |", "|---|---:|---|---|"]
        for d, seen in deliberate_seen.items():
            lines.append(f"| {d.code} | {len(seen)} | {d.reason} | {', '.join(seen)} |")
    else:
        lines.append("None.")
    lines += ["", "## Remaining disagreements", ""]
    remaining = [(r.code, d) for r in table for d in r.disagree or []]
    lines += [f"- {code}: {d}" for code, d in remaining] or ["None."]
    lines += ["", "## Codes dockerlint-slim has no rule for", ""]
    if missing:
        lines += [
            "Left out of the numbers above: "
            + ", ".join(f"{code} ({n} cases)" for code, n in sorted(missing.items()))
            + "."
        ]
    else:
        lines.append("None.")
    out = "\n".join(lines) + "\n"
    print(out)
    if args.output:
        args.output.write_text(out, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
