"""One stage-aware pass of the enabled rules over a Dockerfile model.

Selection, severity overrides and pragmas are applied here, centrally; rules never see them.
Pragma comments are read by :mod:`dockerlint_slim.pragmas`; rules that judge the pragmas
themselves (``Rule.reads_pragmas``) run after every other rule and see which codes were used.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .config import ExternalCode, Settings, external_enabled, resolve_rules, severity_for
from .findings import Finding, Related, RuleMeta
from .model import Dockerfile, Instruction, ModelError, Stage, build_model
from .pragmas import PragmaCode, Pragmas, _parse_comment, parse_pragmas
from .rule import Context, Rule, Violation, all_rules
from .scanner import Comment, ScanError, ScanResult, compute_line_starts

__all__ = [
    "LintResult",
    "Pragmas",
    "lint",
    "lint_model",
    "lint_unparsed",
    "parse_pragmas",
    "rule_metas",
]


@dataclass
class LintResult:
    """The findings of one lint, the model they were found in and what was silenced."""

    findings: list[Finding]
    model: Dockerfile  # for a file that does not parse: its text, with no instruction
    suppressed: int = 0
    context_dir: Path | None = None  # the build context the rules read
    parse_error: ScanError | None = None  # why the file does not parse (never fix it)


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
    """Scan, model and lint. Text that does not parse gives the findings of the rules that
    report parse errors (``DL1000``) and a result whose ``parse_error`` says why; an unknown
    ``target`` raises ``ModelError``. ``context_dir`` is the build context that project-aware
    rules read (None: none); with ``guess_context`` and no ``context_dir``, it is told from
    ``file_path`` and the file's COPY/ADD sources
    (:func:`~dockerlint_slim.discovery.guess_context`)."""
    settings = settings or Settings.default()
    with collector_paused():
        try:
            model = build_model(text, path, target if target is not None else settings.target)
        except ScanError as exc:
            source = text.text if isinstance(text, ScanResult) else text
            return lint_unparsed(source, path, exc, settings, rules=rules, file_path=file_path)
        if context_dir is None and guess_context and file_path is not None:
            from .discovery import guess_context as guess

            context_dir = guess(file_path, [i.raw for i in model.instructions])
        result = lint_model(
            model, settings, rules=rules, file_path=file_path, context_dir=context_dir
        )
        if not model.stages and any(i.keyword != "ARG" for i in model.instructions):
            result.findings = _without_from(model, result, settings, rules, file_path)
        return result


# the FROM a file without one is judged under (as hadolint judges a bare snippet)
_IMPLICIT_FROM = "FROM scratch\n"
# the rules about the file's shape, which the real file answers for
_SHAPE_CODES = frozenset({"DL1000", "DL3061", "DLS100", "DLS101", "DLS102", "DLS103"})


def _without_from(
    model: Dockerfile,
    result: LintResult,
    settings: Settings,
    rules: Sequence[type[Rule]] | None,
    file_path: Path | None,
) -> list[Finding]:
    """A file without ``FROM`` (Docker refuses it: ``DLS102``) is also judged as if its
    instructions were a stage ``FROM scratch``, as hadolint judges a bare snippet, so that
    its other problems show too. The findings of that reading are mapped back to the file's
    lines; they carry no fix (the file must get its ``FROM`` first)."""
    text = model.text
    first = next(i for i in model.instructions if i.keyword != "ARG")
    at = text.rfind("\n", 0, first.start) + 1  # the start of its line
    if at == 0 and text.startswith("\ufeff"):
        at = 1  # after the byte order mark
    virtual = text[:at] + _IMPLICIT_FROM + text[at:]
    try:
        judged = lint_model(
            build_model(virtual, model.path), settings, rules=rules, file_path=file_path
        )
    except (ScanError, ModelError):
        return result.findings
    shift_line = _IMPLICIT_FROM.count("\n")
    from_line = text.count("\n", 0, at) + 1
    seen = {(f.code, f.line, f.column) for f in result.findings}
    out = list(result.findings)
    for f in judged.findings:
        if f.code in _SHAPE_CODES or f.line == from_line:
            continue
        line = f.line - shift_line if f.line > from_line else f.line
        end_line = f.end_line - shift_line if f.end_line > from_line else f.end_line
        if (f.code, line, f.column) in seen:
            continue
        related = tuple(
            replace(
                r,
                line=r.line - shift_line if r.line > from_line else r.line,
                end_line=r.end_line - shift_line if r.end_line > from_line else r.end_line,
            )
            for r in f.related
        )
        out.append(replace(f, line=line, end_line=end_line, fix=None, related=related))
    out.sort(key=lambda f: f.sort_key())
    return out


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
    # the rules that judge pragmas run last: they read which codes the others used
    active = sorted(
        (r for r in catalogue if r.code in enabled_codes), key=lambda r: r.reads_pragmas
    )
    # hadolint's `disable-ignore-pragma`: the comments are not honoured
    pragmas = Pragmas() if settings.disable_pragmas else parse_pragmas(model)
    ctx = Context(model, model.path, context_dir)
    ctx.pragmas = pragmas
    ctx.settings = settings
    ctx.enabled = frozenset(enabled_codes)
    ctx.catalogue = tuple(catalogue) + tuple(r for r in all_rules() if r not in catalogue)
    findings: list[Finding] = []
    covered: list[tuple[Finding, tuple[str, int | None]]] = []  # another finding may cover
    suppressed = 0
    judged: dict[tuple[int, frozenset[str] | None], Sequence[Instruction]] = {}
    grouped: dict[int, dict[str, list[Instruction]]] = {}  # each stage's, by keyword
    exec_index: Any = False  # made when the first fix is seen; None: no exec-form instruction
    starts: list[int] | None = None  # where each instruction starts, once a rule's finish asks
    for cls in active:
        rule = cls()  # made for its pass and dropped after it, with what it kept
        raised: list[tuple[Violation, Instruction | None]] = []
        # a rule that reports only from its finish step is not called per instruction
        for stage in model.stages if cls.check is not Rule.check else ():
            if cls.shipped_only and not stage.ships:
                continue
            check = rule.check
            add = raised.append
            for inst in _judged(stage, cls.keywords, judged, grouped):
                for v in check(inst, stage, ctx):  # most give nothing: no list or pairs made
                    add((v, inst))
        for v in rule.finish(ctx):
            if starts is None:
                starts = [i.start for i in model.instructions]
            raised.append((v, _instruction_at(model, starts, v.start)))
        for violation, where in raised:
            if pragmas.suppresses(cls, where):
                suppressed += 1
                continue
            if violation.fix is not None:
                if exec_index is False:
                    from .exec_form import exec_index as make_index

                    exec_index = make_index(model)
                if exec_index is not None:
                    violation = _exec_checked(violation, model, exec_index)
            finding = _finding(cls, violation, where, model, settings)
            if violation.covered_by:
                covered.append((finding, violation.covered_by))
            else:
                findings.append(finding)
    if settings.shellcheck and model.stages:
        if starts is None:
            starts = [i.start for i in model.instructions]
        found, quiet = _shellcheck(model, settings, pragmas, starts, file_path)
        findings += found
        suppressed += quiet
    # one problem, one finding: a finding that a reported finding covers goes
    reported = {(f.code, f.stage) for f in findings}
    findings += [f for f, by in covered if by not in reported]
    findings.sort(key=lambda f: f.sort_key())
    return LintResult(findings, model, suppressed, ctx.context_dir)


def lint_unparsed(
    text: str,
    path: str,
    error: ScanError,
    settings: Settings,
    *,
    rules: Sequence[type[Rule]] | None = None,
    file_path: Path | None = None,
) -> LintResult:
    """Lint a text that does not parse (``error``): only :meth:`Rule.unparsed` runs, on a
    model that has the text and no instruction. Selection and severities apply as usual;
    pragmas are read from the comment lines (``ignore-file`` anywhere, ``ignore`` in the
    comment block directly above the line that does not parse)."""
    catalogue = list(rules) if rules is not None else all_rules()
    enabled_codes = resolve_rules(settings, catalogue, file_path or Path(path))
    scanned = ScanResult(text=text, items=[], line_starts=compute_line_starts(text))
    model = Dockerfile(path, text, scanned, (), ())
    pragmas = _unparsed_pragmas(text, scanned.line_starts, error.line)
    ctx = Context(model, path, None)
    findings: list[Finding] = []
    covered: list[tuple[Finding, tuple[str, int | None]]] = []
    suppressed = 0
    for cls in catalogue:
        if cls.code not in enabled_codes:
            continue
        for violation in cls().unparsed(error, ctx):
            if pragmas.suppresses(cls, None):
                suppressed += 1
                continue
            finding = _finding(cls, violation, None, model, settings)
            if violation.covered_by:
                covered.append((finding, violation.covered_by))
            else:
                findings.append(finding)
    # one problem, one finding (DL1000 gives way to DL3043 for an ONBUILD trigger)
    reported = {(f.code, f.stage) for f in findings}
    findings += [f for f, by in covered if by not in reported]
    findings.sort(key=lambda f: f.sort_key())
    return LintResult(findings, model, suppressed, None, parse_error=error)


def _unparsed_pragmas(text: str, starts: Sequence[int], line: int) -> Pragmas:
    """The pragmas of a file that does not parse, read line by line: ``ignore-file`` (and
    hadolint's ``global ignore``) from every comment line; ``ignore`` and ``ignore-stage``
    from the comment block directly above ``line`` (1-based), which count for the whole
    file since nothing else of it is reported."""
    pragmas = Pragmas()
    above: list[PragmaCode] = []
    for number, start in enumerate(starts, 1):
        end = starts[number] if number < len(starts) else len(text)
        content = text[start:end].rstrip("\r\n")
        if number == 1:
            content = content.lstrip("\ufeff")
        if number == line:
            pragmas.file.update(above)
        if not content.strip().startswith("#"):
            above = []
            continue
        parsed = _parse_comment(Comment(content, start, start + len(content), number))
        if parsed is None:
            continue
        pragmas.comments.append(parsed)
        parsed.applies = True
        if parsed.scope == "file":
            pragmas.file.update(parsed.codes)
        else:
            above.extend(parsed.codes)
    return pragmas


def _exec_checked(violation: Violation, model: Dockerfile, index: Any) -> Violation:
    """``violation`` with a fix that an exec-form instruction can take (see
    :mod:`~dockerlint_slim.exec_form`); a fix it cannot take is dropped, with a note."""
    from .exec_form import EXEC_NOTE, exec_safe

    assert violation.fix is not None
    fix = exec_safe(violation.fix, model, index)
    if fix is violation.fix:
        return violation
    if fix is None:
        return replace(violation, fix=None, note=violation.note or EXEC_NOTE)
    return replace(violation, fix=fix)


def _shellcheck(
    model: Dockerfile,
    settings: Settings,
    pragmas: Pragmas,
    starts: list[int],
    file_path: Path | None,
) -> tuple[list[Finding], int]:
    """ShellCheck's findings on the RUN bodies (see :mod:`~dockerlint_slim.shellcheck`), with
    selection, pragmas and severity overrides applied as for rules; and how many pragmas
    silenced. Raises :class:`~dockerlint_slim.shellcheck.ShellCheckError`."""
    from .shellcheck import run_shellcheck

    path = file_path or Path(model.path)
    out: list[Finding] = []
    suppressed = 0
    for f in run_shellcheck(model, model.path):
        if not external_enabled(settings, f.code, path):
            continue
        offset = model.scan.line_starts[f.line - 1] + f.column - 1
        if pragmas.suppresses(ExternalCode(f.code), _instruction_at(model, starts, offset)):
            suppressed += 1
            continue
        out.append(replace(f, severity=severity_for(settings, f.code, f.severity)))
    return out, suppressed


def _judged(
    stage: Stage,
    keywords: frozenset[str] | None,
    memo: dict[tuple[int, frozenset[str] | None], Sequence[Instruction]],
    groups: dict[int, dict[str, list[Instruction]]],
) -> Sequence[Instruction]:
    """The instructions of ``stage`` with one of ``keywords`` (None: all), in order; picked
    once per stage for each set of keywords that the rules ask for, from the stage's
    instructions grouped by keyword (``groups``, made once per stage)."""
    key = (stage.index, keywords)
    found = memo.get(key)
    if found is None:
        if keywords is None:
            found = stage.instructions
        else:
            by_keyword = groups.get(stage.index)
            if by_keyword is None:
                by_keyword = groups[stage.index] = _by_keyword(stage.instructions)
            picked = [by_keyword[k] for k in keywords if k in by_keyword]
            if len(picked) == 1:
                found = picked[0]
            else:  # back in file order
                found = sorted((i for g in picked for i in g), key=lambda i: i.index)
        memo[key] = found
    return found


def _by_keyword(instructions: Sequence[Instruction]) -> dict[str, list[Instruction]]:
    """``instructions`` by keyword, each list in order."""
    groups: dict[str, list[Instruction]] = {}
    for inst in instructions:
        keyword = inst.raw.keyword
        found = groups.get(keyword)
        if found is None:
            groups[keyword] = [inst]
        else:
            found.append(inst)
    return groups


def _instruction_at(model: Dockerfile, starts: list[int], offset: int) -> Instruction | None:
    """The instruction whose text holds ``offset`` (``starts``: each instruction's start,
    in file order)."""
    k = bisect.bisect_right(starts, offset) - 1
    if k >= 0 and model.instructions[k].start <= offset < model.instructions[k].end:
        return model.instructions[k]
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
