"""The rule contract and rule discovery.

A rule is a class in a module of :mod:`dockerlint_slim.rules` (the top-level ``rules/``
folder). Its docstring is its documentation (markdown sections What it does / Why is this
bad? / Example / Use instead / Fix safety / References). The engine creates one instance per
file and calls :meth:`Rule.check` for every instruction of every stage the rule judges, then
:meth:`Rule.finish`. Pragmas, selection and severity overrides are applied by the engine.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import sys
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from .edits import Edit, Fix, Safety
from .findings import RuleMeta, Severity
from .model import Dockerfile, Instruction, Stage

if TYPE_CHECKING:
    from .facts import Facts
    from .project import Project

_T = TypeVar("_T")

__all__ = [
    "DOC_SECTIONS",
    "Context",
    "Rule",
    "Violation",
    "all_rules",
    "rule_by_code",
]

DOC_SECTIONS = (
    "What it does",
    "Why is this bad?",
    "Example",
    "Use instead",
    "Fix safety",
    "References",
)


@dataclass(frozen=True)
class Violation:
    """A rule's report: a span of the original text, optional message override and fix."""

    start: int
    end: int
    message: str | None = None
    fix: Fix | None = None
    note: str | None = None  # why the rule's fix is not offered here (shown to the user)
    # (start, end, message): other spans of the original text that make up the problem
    related: tuple[tuple[int, int, str], ...] = ()
    # (code, stage index): a finding that reports this problem already, with more; this one
    # is dropped when that one is reported, and shown when that rule is off or ignored
    covered_by: tuple[str, int | None] | None = None


class Context:
    """What a rule can see besides the instruction: the whole file, when known the build
    context folder (read lazily through :attr:`project`), and the facts of the file's stages
    that several rules share (:attr:`facts`, computed once per file)."""

    def __init__(
        self, dockerfile: Dockerfile, path: str, context_dir: Path | str | None = None
    ) -> None:
        self.dockerfile = dockerfile
        self.path = path
        self.context_dir = Path(context_dir) if context_dir is not None else None
        self._project: Project | None = None
        self._facts: Facts | None = None
        self._once: dict[Hashable, Any] = {}

    @property
    def project(self) -> Project | None:
        """The Python project in the build context, or None when no context is known (text
        linted without a file). Nothing is read until a rule asks."""
        if self.context_dir is None:
            return None
        if self._project is None:
            from .project import Project

            self._project = Project(self.context_dir)
        return self._project

    @property
    def facts(self) -> Facts:
        """What the file's stages build, install and leave installed
        (:class:`~dockerlint_slim.facts.Facts`), for this file and build context: each
        answer is computed when a rule first asks and then shared by every rule."""
        if self._facts is None:
            from .facts import Facts

            self._facts = Facts(self.dockerfile, self.project)
        return self._facts

    def once(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """``compute()``, called the first time ``key`` is asked for in this file and then
        remembered: how a rule reads something of the whole file (a table of every stage,
        say) once instead of for every instruction it checks. Keys are the rule's own
        (start them with its code)."""
        if key not in self._once:
            self._once[key] = compute()
        return self._once[key]


class Rule:
    """Base class of every rule. Subclasses set the class attributes and override
    :meth:`check` (and :meth:`finish` for rules that need the whole file)."""

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.WARNING
    message: ClassVar[str] = ""
    fix_title: ClassVar[str | None] = None
    fix_safety: ClassVar[Safety | None] = None
    hadolint: ClassVar[tuple[str, ...]] = ()  # hadolint codes this rule mirrors
    shipped_only: ClassVar[bool] = False  # judge only stages that end up in the image
    keywords: ClassVar[frozenset[str] | None] = None  # instructions to look at (None: all)
    # opt-in: run only when `select`/`extend-select` names the rule by code or name (``ALL``
    # and code prefixes leave it off), for rules that would fire on most files
    explicit_only: ClassVar[bool] = False

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        return ()

    def finish(self, ctx: Context) -> Iterable[Violation]:
        return ()

    # -- helpers for rule authors

    def violation(
        self,
        start: int,
        end: int,
        message: str | None = None,
        edits: Iterable[Edit] = (),
        safety: Safety | None = None,
        note: str | None = None,
        related: Iterable[tuple[int, int, str]] = (),
        covered_by: tuple[str, int | None] | None = None,
    ) -> Violation:
        edits = tuple(edits)
        fix = None
        if edits:
            fix = Fix(
                self.fix_title or "Fix",
                edits,
                safety if safety is not None else (self.fix_safety or Safety.SAFE),
            )
        return Violation(start, end, message, fix, note, tuple(related), covered_by)

    @classmethod
    def docs(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def meta(cls) -> RuleMeta:
        safety = None
        if cls.fix_safety is not None:
            safety = cls.fix_safety.label
        return RuleMeta(
            code=cls.code,
            name=cls.name,
            severity=cls.severity,
            message=cls.message,
            fix_title=cls.fix_title,
            docs=cls.docs(),
            hadolint=tuple(cls.hadolint),
            fix_safety=safety,
        )


_RULES: list[type[Rule]] | None = None


def _rules_package() -> ModuleType:
    """``dockerlint_slim.rules``; in a source checkout that is not installed, the top-level
    ``rules/`` folder next to the package is loaded under that name."""
    try:
        return importlib.import_module(f"{__package__}.rules")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.rules":
            raise
    folder = Path(__file__).resolve().parent.parent / "rules"
    spec = importlib.util.spec_from_file_location(
        f"{__package__}.rules", folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    if spec is None or spec.loader is None or not folder.is_dir():
        raise RuntimeError(f"the rule catalogue {__package__}.rules is not installed")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def all_rules() -> list[type[Rule]]:
    """Every rule class found in :mod:`dockerlint_slim.rules`, sorted by code."""
    global _RULES
    if _RULES is None:
        package = _rules_package()
        found: dict[str, type[Rule]] = {}
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for obj in vars(module).values():
                if (
                    inspect.isclass(obj)
                    and issubclass(obj, Rule)
                    and obj is not Rule
                    and obj.__module__ == module.__name__
                    and obj.code
                ):
                    if obj.code in found:
                        raise RuntimeError(
                            f"rule code {obj.code} defined twice "
                            f"({found[obj.code].__module__} and {module.__name__})"
                        )
                    found[obj.code] = obj
        _RULES = sorted(found.values(), key=lambda r: r.code)
    return list(_RULES)


def rule_by_code(code: str) -> type[Rule] | None:
    wanted = code.strip()
    for r in all_rules():
        if r.code.upper() == wanted.upper() or r.name == wanted.lower():
            return r
    return None
