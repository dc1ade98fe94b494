"""The properties every input must satisfy, shared by the property tests
(``tests/test_fuzz.py``) and the long campaign (``benchmarks/fuzz.py``).

Each property takes the bytes of a file (checked in the build context of one of the fixture
projects, or in none, see :func:`build_context`) and returns what happened (one of
:data:`OUTCOMES`), or raises :class:`PropertyFailed` when the engine broke its promise:

* ``scan``: :func:`~dockerlint_slim.scanner.check_text` and
  :func:`~dockerlint_slim.scanner.scan` accept the file, or raise their documented
  :class:`~dockerlint_slim.scanner.ScanError` (with a message and a line in the file);
  an accepted file renders back to the same bytes and its items cover it exactly, in order.
* ``check``: linting an accepted file (what ``check`` does) raises nothing, and its findings
  point inside the file and render in every output format.
* ``fix`` / ``fix-unsafe``: fixing either is refused with :class:`~dockerlint_slim.fixer.FixError`
  (nothing written) or gives a text that parses, that fixing again leaves unchanged, and that
  holds no finding the same fixes would still change (a fix never brings back what it fixed);
  the byte order mark and the line endings stay, and a safe fix keeps every instruction and
  comment.
* ``rewrite``: the multi-stage rewrite of an accepted file either declines with a one-line
  reason (:class:`~dockerlint_slim.rewrite.Refusal`; a file of several stages always does) or
  returns a file that parses, has more stages than the original and lints without raising.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path

from dockerlint_slim.edits import Safety
from dockerlint_slim.engine import LintResult, lint
from dockerlint_slim.findings import Report
from dockerlint_slim.fixer import FixError, fix_text
from dockerlint_slim.formats import FORMATS, render
from dockerlint_slim.model import build_model
from dockerlint_slim.rewrite import Refusal, rewrite
from dockerlint_slim.rule import all_rules
from dockerlint_slim.scanner import Comment, ScanError, ScanResult, check_text, scan

# Project-aware rules and the rewrite read the build context: each input is checked against
# one of the fixture projects (or none), chosen by its checksum so that a run repeats.
PROJECTS = sorted(
    p
    for p in (Path(__file__).resolve().parents[1] / "fixtures" / "projects").iterdir()
    if p.is_dir()
)

ACCEPTED, REJECTED, DECLINED = "accepted", "parse error", "declined"
OUTCOMES = (ACCEPTED, REJECTED, DECLINED)


class PropertyFailed(AssertionError):
    """An input broke a property; the message says how."""


def build_context(data: bytes) -> Path | None:
    """The fixture project that ``data`` is checked in (None: no build context)."""
    pick = zlib.crc32(data) % (len(PROJECTS) + len(PROJECTS) // 2)
    return PROJECTS[pick] if pick < len(PROJECTS) else None


def _decode(data: bytes) -> tuple[str, ScanResult] | None:
    """The text and its scan, or None when the file is rejected with a documented error."""
    try:
        text = check_text(data)
        return text, scan(text)
    except ScanError as exc:
        if not exc.message.strip() or "\n" in exc.message:
            raise PropertyFailed(f"ScanError without a one-line message: {exc.message!r}") from None
        if not 0 <= exc.line <= data.count(b"\n") + 1:
            raise PropertyFailed(f"ScanError names line {exc.line}, past the end") from None
        return None


def prop_scan(data: bytes) -> str:
    decoded = _decode(data)
    if decoded is None:
        return REJECTED
    text, result = decoded
    if result.render() != text:
        raise PropertyFailed("render(scan(x)) != x")
    at = 0
    for item in result.items:
        if item.start != at or item.end < item.start:
            raise PropertyFailed(f"item {item!r} does not start where the last ended ({at})")
        at = item.end
    if at != len(text):
        raise PropertyFailed(f"items cover {at} of {len(text)} characters")
    return ACCEPTED


def _check_findings(text: str, result: LintResult) -> None:
    lines = text.count("\n") + 1
    for f in result.findings:
        if not (1 <= f.line <= f.end_line <= lines and f.column >= 1 and f.end_column >= 1):
            raise PropertyFailed(f"{f.code} points outside the file: {f.line}:{f.column}")
        if f.fix is not None:
            for e in f.fix.edits:
                if e.end > len(text):
                    raise PropertyFailed(f"{f.code}'s fix edits past the end of the text")


def prop_check(data: bytes) -> str:
    decoded = _decode(data)
    if decoded is None:
        return REJECTED
    text, _ = decoded
    result = lint(text, context_dir=build_context(data))
    _check_findings(text, result)
    report = Report(
        findings=result.findings,
        rules=[r.meta() for r in all_rules()],
        files=["Dockerfile"],
        sources={"Dockerfile": text},
    )
    for name in FORMATS:
        render(name, report)
    return ACCEPTED


def _prop_fix(data: bytes, unsafe: bool) -> str:
    decoded = _decode(data)
    if decoded is None:
        return REJECTED
    text, original = decoded
    try:
        outcome = fix_text(text, unsafe=unsafe, context_dir=build_context(data))
    except FixError as exc:
        if not str(exc).strip() or "\n" in str(exc):
            raise PropertyFailed(f"FixError without a one-line message: {exc!r}") from None
        return DECLINED
    try:
        fixed = scan(outcome.text)
    except ScanError as exc:
        raise PropertyFailed(f"the fixed text does not parse: {exc}") from None
    _check_kept(text, outcome.text, original, fixed, unsafe)
    allowed = Safety.UNSAFE if unsafe else Safety.SAFE
    left = [
        f.code
        for f in outcome.result.findings
        if f.fix is not None and f.fix.edits and f.fix.safety <= allowed
    ]
    if left:
        raise PropertyFailed(f"findings still fixable after fixing: {', '.join(left)}")
    try:
        again = fix_text(outcome.text, unsafe=unsafe, context_dir=build_context(data))
    except FixError as exc:
        raise PropertyFailed(f"fixing the fixed text is refused: {exc}") from None
    if again.text != outcome.text:
        raise PropertyFailed("fixing is not idempotent: a second --fix changes the text")
    return ACCEPTED


def _check_kept(text: str, new: str, before: ScanResult, after: ScanResult, unsafe: bool) -> None:
    """A fix keeps the byte order mark and the line endings, and a safe fix every
    instruction and comment (it edits inside instructions, never drops or merges them; but
    for the renames and deletions of :data:`_RENAMED` and :data:`_OVERRIDDEN`)."""
    if new.startswith("\ufeff") != text.startswith("\ufeff"):
        raise PropertyFailed("the fix added or dropped the byte order mark")
    if new != text and "\n" in text:
        crlf = text.count("\r\n") == text.count("\n")
        lf = "\r\n" not in text
        if crlf and new.count("\r\n") != new.count("\n"):
            raise PropertyFailed("the fix wrote LF line endings into a CRLF file")
        if lf and "\r\n" in new:
            raise PropertyFailed("the fix wrote CRLF line endings into an LF file")
    if unsafe:
        return
    if _kept(before) != _kept(after):
        raise PropertyFailed("a safe fix added, dropped or merged instructions")
    comments = [c.text for c in before.items if isinstance(c, Comment)]
    if [c.text for c in after.items if isinstance(c, Comment)] != comments:
        raise PropertyFailed("a safe fix changed the comments")


# safe fixes that change an instruction's keyword on purpose: MAINTAINER becomes LABEL
# (DL4000), ADD becomes COPY (DL3020)
_RENAMED = {"MAINTAINER": "LABEL", "ADD": "COPY"}
# safe fixes that delete an instruction on purpose: one a later one overrides (DL4003,
# DL4004, DL3012)
_OVERRIDDEN = frozenset({"CMD", "ENTRYPOINT", "HEALTHCHECK"})


def _kept(scanned: ScanResult) -> list[str]:
    """The instructions a safe fix must keep, in order, by keyword (renamed ones as what
    their fix makes them; the overridden kinds, which a fix may delete, left out)."""
    names = (_RENAMED.get(i.keyword, i.keyword) for i in scanned.instructions)
    return [k for k in names if k not in _OVERRIDDEN]


def prop_fix(data: bytes) -> str:
    return _prop_fix(data, unsafe=False)


def prop_fix_unsafe(data: bytes) -> str:
    return _prop_fix(data, unsafe=True)


def prop_rewrite(data: bytes) -> str:
    decoded = _decode(data)
    if decoded is None:
        return REJECTED
    text, _ = decoded
    model = build_model(text)
    try:
        result = rewrite(model, context=build_context(data))
    except Refusal as exc:
        reason = str(exc)
        if not reason.strip() or "\n" in reason:
            raise PropertyFailed(f"Refusal without a one-line reason: {reason!r}") from None
        return DECLINED
    try:
        rewritten = build_model(result.text)
    except ScanError as exc:
        raise PropertyFailed(f"the rewritten file does not parse: {exc}") from None
    if len(rewritten.stages) <= len(model.stages):
        raise PropertyFailed("the rewrite did not add a stage")
    lint(result.text)  # and it can be checked like any file
    return ACCEPTED


PROPERTIES: dict[str, Callable[[bytes], str]] = {
    "scan": prop_scan,
    "check": prop_check,
    "fix": prop_fix,
    "fix-unsafe": prop_fix_unsafe,
    "rewrite": prop_rewrite,
}
