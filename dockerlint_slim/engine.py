"""One stage-aware pass of the enabled rules over a Dockerfile model.

Selection, severity overrides and pragmas are applied here, centrally; rules never see them.

Pragmas (comments):

* ``# dockerlint-slim: ignore=CODE[,CODE]`` in the comment block directly above an
  instruction silences those rules for that instruction;
* ``# dockerlint-slim: ignore-stage=CODE[,…]`` directly above a ``FROM``: the whole stage;
* ``# dockerlint-slim: ignore-file=CODE[,…]`` anywhere: the whole file;
* hadolint's ``# hadolint ignore=DL…`` (instruction), ``# hadolint global ignore=DL…`` (file)
  and ``# hadolint stage ignore=DL…`` (stage) apply to rules that carry that DL code.

A code may also be a rule name or ``ALL``.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .config import Settings, resolve_rules, severity_for
from .findings import Finding, Related, RuleMeta
from .lazy import lazy_pattern
from .model import Dockerfile, Instruction, Stage, build_model
from .rule import Context, Rule, Violation, all_rules
from .scanner import Comment, ScanResult

__all__ = ["LintResult", "Pragmas", "lint", "lint_model", "parse_pragmas", "rule_metas"]

_OWN = lazy_pattern(r"^dockerlint-slim\s*:\s*(ignore|ignore-stage|ignore-file)\s*=\s*(.*)$", re.I)
_HADOLINT = lazy_pattern(r"^hadolint\s+(?:(global|stage)\s+)?ignore\s*=\s*(.*)$", re.I)


def _codes(text: str) -> frozenset[str]:
    first = text.strip().split()[0] if text.strip() else ""
    return frozenset(c.strip() for c in first.split(",") if c.strip())


@dataclass
class Pragmas:
    """Suppressions found in the comments of one file."""

    file: set[tuple[str, str]] = field(default_factory=set)  # (kind, code); kind own|hadolint
    stage: dict[int, set[tuple[str, str]]] = field(default_factory=dict)
    instruction: dict[int, set[tuple[str, str]]] = field(default_factory=dict)

    def suppresses(self, rule: type[Rule], inst: Instruction | None) -> bool:
        scopes = [self.file]
        if inst is not None:
            scopes.append(self.instruction.get(inst.index, set()))
            if inst.stage is not None:
                scopes.append(self.stage.get(inst.stage, set()))
        return any(_matches(kind, code, rule) for scope in scopes for kind, code in scope)


def _matches(kind: str, code: str, rule: type[Rule]) -> bool:
    upper = code.upper()
    if kind == "hadolint":
        return upper in (h.upper() for h in rule.hadolint) or upper == rule.code.upper()
    return (
        upper in ("ALL", rule.code.upper())
        or code.lower() == rule.name
        or upper in (h.upper() for h in rule.hadolint)
    )


def _parse_comment(comment: Comment) -> tuple[str, str, frozenset[str]] | None:
    """(scope, kind, codes) for a pragma comment; scope is instruction|stage|file."""
    body = comment.body
    m = _OWN.match(body)
    if m:
        scope = {"ignore": "instruction", "ignore-stage": "stage", "ignore-file": "file"}
        return scope[m.group(1).lower()], "own", _codes(m.group(2))
    m = _HADOLINT.match(body)
    if m:
        which = (m.group(1) or "").lower()
        scope_name = {"global": "file", "stage": "stage"}.get(which, "instruction")
        return scope_name, "hadolint", _codes(m.group(2))
    return None


def parse_pragmas(model: Dockerfile) -> Pragmas:
    pragmas = Pragmas()
    for item in model.scan.items:
        if isinstance(item, Comment):
            parsed = _parse_comment(item)
            if parsed and parsed[0] == "file":
                pragmas.file.update((parsed[1], c) for c in parsed[2])
    for inst in model.instructions:
        for comment in inst.comments:
            parsed = _parse_comment(comment)
            if not parsed or parsed[0] == "file":
                continue
            scope, kind, codes = parsed
            entries = {(kind, c) for c in codes}
            if scope == "stage":
                if inst.keyword == "FROM" and inst.stage is not None:
                    pragmas.stage.setdefault(inst.stage, set()).update(entries)
            else:
                pragmas.instruction.setdefault(inst.index, set()).update(entries)
    return pragmas


@dataclass
class LintResult:
    findings: list[Finding]
    model: Dockerfile
    suppressed: int = 0
    context_dir: Path | None = None  # the build context the rules read


def rule_metas(rules: Sequence[type[Rule]] | None = None) -> list[RuleMeta]:
    return [r.meta() for r in (rules if rules is not None else all_rules())]


def lint(
    text: str | ScanResult,
    path: str = "Dockerfile",
    settings: Settings | None = None,
    *,
    target: str | None = None,
    rules: Sequence[type[Rule]] | None = None,
    file_path: Path | None = None,
    context_dir: Path | None = None,
    guess_context: bool = False,
) -> LintResult:
    """Scan, model and lint. Raises ``ScanError`` / ``ModelError`` on bad input.
    ``context_dir`` is the build context that project-aware rules read (None: none); with
    ``guess_context`` and no ``context_dir``, it is told from ``file_path`` and the file's
    COPY/ADD sources (:func:`~dockerlint_slim.discovery.guess_context`)."""
    settings = settings or Settings.default()
    with collector_paused():
        model = build_model(text, path, target if target is not None else settings.target)
        if context_dir is None and guess_context and file_path is not None:
            from .discovery import guess_context as guess

            context_dir = guess(file_path, [i.raw for i in model.instructions])
        return lint_model(
            model, settings, rules=rules, file_path=file_path, context_dir=context_dir
        )


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector (when it runs) and restore it after. A model is many
    small objects without reference cycles that live as long as the result; while they are
    made, the collector would walk them again and again (a sixth of the time on big
    files) and find nothing to free."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def lint_model(
    model: Dockerfile,
    settings: Settings,
    *,
    rules: Sequence[type[Rule]] | None = None,
    file_path: Path | None = None,
    context_dir: Path | None = None,
) -> LintResult:
    catalogue = list(rules) if rules is not None else all_rules()
    enabled_codes = resolve_rules(settings, catalogue, file_path or Path(model.path))
    active = [r for r in catalogue if r.code in enabled_codes]
    pragmas = parse_pragmas(model)
    ctx = Context(model, model.path, context_dir)
    findings: list[Finding] = []
    covered: list[tuple[Finding, tuple[str, int | None]]] = []  # another finding may cover
    suppressed = 0
    judged: dict[tuple[int, frozenset[str] | None], Sequence[Instruction]] = {}
    for cls in active:
        rule = cls()  # made for its pass and dropped after it, with what it kept
        raised: list[tuple[Violation, Instruction | None]] = []
        for stage in model.stages:
            if cls.shipped_only and not stage.ships:
                continue
            for inst in _judged(stage, cls.keywords, judged):
                raised.extend((v, inst) for v in rule.check(inst, stage, ctx))
        raised.extend((v, _instruction_at(model, v.start)) for v in rule.finish(ctx))
        for violation, where in raised:
            if pragmas.suppresses(cls, where):
                suppressed += 1
                continue
            finding = _finding(cls, violation, where, model, settings)
            if violation.covered_by:
                covered.append((finding, violation.covered_by))
            else:
                findings.append(finding)
    # one problem, one finding: a finding that a reported finding covers goes
    reported = {(f.code, f.stage) for f in findings}
    findings += [f for f, by in covered if by not in reported]
    findings.sort(key=lambda f: f.sort_key())
    return LintResult(findings, model, suppressed, ctx.context_dir)


def _judged(
    stage: Stage,
    keywords: frozenset[str] | None,
    memo: dict[tuple[int, frozenset[str] | None], Sequence[Instruction]],
) -> Sequence[Instruction]:
    """The instructions of ``stage`` with one of ``keywords`` (None: all), in order; picked
    once per stage for each set of keywords that the rules ask for."""
    key = (stage.index, keywords)
    found = memo.get(key)
    if found is None:
        insts = stage.instructions
        found = insts if keywords is None else [i for i in insts if i.keyword in keywords]
        memo[key] = found
    return found


def _instruction_at(model: Dockerfile, offset: int) -> Instruction | None:
    for inst in model.instructions:
        if inst.start <= offset < inst.end:
            return inst
    return None


def _lines(model: Dockerfile, start: int, end: int) -> tuple[int, int, int, int]:
    """(line, column, end_line, end_column) of a span of the text."""
    line, col = model.scan.line_col(start)
    end = max(end, start)
    end_line, end_col = model.scan.line_col(end)
    if end > start and end_col == 1 and end_line > line:
        # a span ending with a line break ends at the end of the previous line
        end_line, end_col = model.scan.line_col(end - 1)
        end_col += 0 if model.text[end - 1] in "\r\n" else 1
    return line, col, end_line, end_col


def _finding(
    cls: type[Rule],
    v: Violation,
    inst: Instruction | None,
    model: Dockerfile,
    settings: Settings,
) -> Finding:
    line, col, end_line, end_col = _lines(model, v.start, v.end)
    return Finding(
        code=cls.code,
        name=cls.name,
        severity=severity_for(settings, cls.code, cls.severity),
        message=v.message or cls.message,
        path=model.path,
        line=line,
        column=col,
        end_line=end_line,
        end_column=end_col,
        fix=v.fix,
        stage=inst.stage if inst is not None else None,
        hint=v.fix.title if v.fix is not None and v.fix.title else cls.fix_title,
        note=v.note,
        related=tuple(Related(m, *_lines(model, a, b)) for a, b, m in v.related),
    )


def iter_rule_docs(rules: Iterable[type[Rule]]) -> Iterable[tuple[str, str]]:
    for r in rules:
        yield r.code, r.docs()
