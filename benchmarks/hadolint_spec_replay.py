"""Replay hadolint's own rule tests against dockerlint-slim.

    python3 benchmarks/hadolint_spec_replay.py --hadolint-src PATH [--code DL3008 ...]
                                               [--output FILE]

``PATH`` is a checkout of the hadolint repository (its ``test/Hadolint/Rule/DL*Spec.hs``
files are read there, never copied into this project). Each ``ruleCatches "DLxxxx" text``
and ``ruleCatchesNot "DLxxxx" text`` of a spec is a case: the text (a Haskell string, a
``Text.unlines [...]`` list, or a ``let name = [...]`` list used that way) is linted with that
rule alone, and the case agrees when dockerlint-slim reports the code exactly when hadolint's
test expects it. A text without ``FROM`` (hadolint's tests lint bare snippets) gets one first:
``FROM debian:bookworm``, or ``alpine``, ``fedora`` or ``opensuse/leap`` when it calls that
distribution's package manager. ``onBuildRuleCatches`` cases are read with each instruction
wrapped in ``ONBUILD``. Spec files that set a configuration (``?config = ... {``: trusted
registries, label schemas) are left out, as are texts the reader cannot make out; both are
counted.

It prints, per code, the cases, those that agree and the first disagreements, and the total
agreement; with ``--output`` it writes the same as Markdown. Exit code 0.
"""

from __future__ import annotations

import argparse
import re
import sys
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
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "&": ""}


@dataclass
class Case:
    code: str
    caught: bool  # what hadolint's test expects
    text: str
    source: str  # spec file:line


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

    i = 0
    while i < len(tokens):
        tok, line = tokens[i]
        if tok == "let" and i + 2 < len(tokens) and tokens[i + 2][0] == "=":
            found, _ = string_list(i + 3)
            if found is not None:
                lists[tokens[i + 1][0]] = found
        if tok in _CATCHERS and i + 1 < len(tokens) and tokens[i + 1][0].startswith('"'):
            caught, onbuild = _CATCHERS[tok]
            code = hs_string(tokens[i + 1][0])
            nxt = tokens[i + 2][0] if i + 2 < len(tokens) else ""
            value: str | None = None
            if nxt.startswith('"'):
                value = hs_string(nxt)
            elif nxt in ("$", "(") and i + 3 < len(tokens):
                fn = tokens[i + 3][0]
                if fn.endswith("unlines"):
                    arg = tokens[i + 4][0] if i + 4 < len(tokens) else ""
                    found = lists.get(arg)
                    if found is None:
                        found, _ = string_list(i + 4)
                    if found is not None:
                        value = "".join(f"{x}\n" for x in found)
            if value is None:
                unread += 1
            else:
                if onbuild:
                    value = _onbuild(value)
                cases.append(Case(code, caught, value, f"{path.name}:{line}"))
            i += 2
            continue
        i += 1
    return cases, unread


def _onbuild(text: str) -> str:
    """Each instruction of ``text`` wrapped in ``ONBUILD`` (the lines a continuation joins to
    it are left as they are)."""
    out = []
    continued = False
    for line in text.splitlines():
        starts = not continued and line.strip() and not line.lstrip().startswith("#")
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--hadolint-src", type=Path, required=True)
    parser.add_argument("--code", action="append", default=[])
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    folder = args.hadolint_src / "test" / "Hadolint" / "Rule"
    specs = sorted(folder.glob("DL*Spec.hs"))
    if not specs:
        sys.exit(f"no DL*Spec.hs under {folder}: give the root of a hadolint checkout")

    from dockerlint_slim.config import Settings, merge_cli
    from dockerlint_slim.engine import lint
    from dockerlint_slim.rule import all_rules

    known = {r.code for r in all_rules()}
    rows = []
    total = agreed = unread_total = configured = 0
    for spec in specs:
        text = spec.read_text(encoding="utf-8")
        if re.search(r"\?config\s*=\s*mempty\s*\{|\?config\s*=\s*def\w*\s*\{", text):
            configured += 1
            continue
        cases, unread = read_spec(spec)
        unread_total += unread
        by_code: dict[str, list[Case]] = {}
        for case in cases:
            if not args.code or case.code in args.code:
                by_code.setdefault(case.code, []).append(case)
        for code, found in sorted(by_code.items()):
            if code not in known:
                rows.append((code, len(found), 0, "not implemented"))
                total += len(found)
                continue
            settings = merge_cli(Settings.default(), select=[code])
            bad = []
            for case in found:
                result = lint(_with_from(case.text), "Dockerfile", settings)
                got = any(f.code == code for f in result.findings)
                if got != case.caught:
                    want = "catches" if case.caught else "does not catch"
                    bad.append(f"{case.source} (hadolint {want})")
            total += len(found)
            agreed += len(found) - len(bad)
            rows.append((code, len(found), len(found) - len(bad), "; ".join(bad[:3])))
    lines = [
        "# hadolint's rule tests replayed",
        "",
        "| code | cases | agree | first disagreements |",
        "|---|---:|---:|---|",
        *(f"| {c} | {n} | {a} | {d} |" for c, n, a, d in rows),
        "",
        f"{agreed} of {total} cases agree ({100 * agreed / max(total, 1):.1f} %); "
        f"{unread_total} cases whose text could not be read and {configured} spec files "
        "that set a configuration were left out.",
    ]
    out = "\n".join(lines) + "\n"
    print(out)
    if args.output:
        args.output.write_text(out, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
