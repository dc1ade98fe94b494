"""What a lint run produces: severities, rule metadata and findings (format-independent)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from .edits import Fix


class Severity(enum.IntEnum):
    """Ordered so that a threshold compares with ``>=``."""

    STYLE = 0
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls[value.strip().upper()]
        except KeyError:
            names = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {value!r} (expected one of: {names})") from None


@dataclass(frozen=True)
class RuleMeta:
    """Everything the formats and docs need to know about a rule."""

    code: str
    name: str
    severity: Severity
    message: str
    fix_title: str | None
    docs: str  # markdown with the sections What it does / Why is this bad? / ...
    hadolint: tuple[str, ...] = ()
    fix_safety: str | None = None  # "safe" / "unsafe" / None when the rule has no fix

    @property
    def summary(self) -> str:
        """First sentence of "What it does"."""
        section = doc_section(self.docs, "What it does")
        text = " ".join(section.split())
        return text.split(". ")[0].rstrip(".") + "." if text else self.message

    @property
    def help_uri(self) -> str:
        return f"https://dockerlint-slim.readthedocs.io/en/latest/rules/{self.code}/"


def doc_section(docs: str, title: str) -> str:
    """Body of the ``## title`` section of a rule's markdown docs ("" when absent)."""
    lines = docs.splitlines()
    out: list[str] = []
    inside = False
    for line in lines:
        if line.startswith("## "):
            if inside:
                break
            inside = line[3:].strip().rstrip("?").lower() == title.rstrip("?").lower()
            continue
        if inside:
            out.append(line)
    return "\n".join(out).strip()


@dataclass(frozen=True)
class Related:
    """Another place in the file that belongs to a finding (SARIF's related locations): the
    lines that make up the problem the finding reports. Lines and columns as in Finding."""

    message: str
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Finding:
    """One rule violation. Lines and columns are 1-based; ``end_column`` is exclusive."""

    code: str
    name: str
    severity: Severity
    message: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    fix: Fix | None = None
    stage: int | None = None
    hint: str | None = None  # the rule's fix title, shown even when there is no fix
    note: str | None = None  # why the rule's fix was not offered for this finding
    related: tuple[Related, ...] = ()

    @property
    def fixable(self) -> bool:
        return self.fix is not None and bool(self.fix.edits)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)


@dataclass(frozen=True)
class AppliedFix:
    """A fix that ``--fix`` applied: the finding it fixed (code, name, its line and column in
    the original file), the fix's title, and the other findings of the original file it made
    go away as well (``also``: code and line each; a whole-file rewrite removes several)."""

    path: str
    code: str
    name: str
    title: str
    line: int
    column: int
    also: tuple[tuple[str, int], ...] = ()
    removed: int = 1  # findings this fix made go away (its own included)


@dataclass
class Report:
    """Input of every output format."""

    findings: list[Finding]
    rules: list[RuleMeta]  # every rule that was enabled for the run
    files: list[str]  # display paths of every file checked, in order
    sources: dict[str, str] = field(default_factory=dict)  # display path -> text
    version: str = ""
    fixed: dict[str, int] = field(default_factory=dict)  # display path -> findings fixed
    fixes: list[AppliedFix] = field(default_factory=list)  # the fixes applied, file by file
