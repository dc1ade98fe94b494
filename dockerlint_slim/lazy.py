"""Regular expressions compiled when they are first used.

A linter run on one file spends much of its time starting: compiling every pattern of every
module at import takes milliseconds, and many patterns serve only some files (one
distribution, one package manager, a configuration file). At module level,
``_X = lazy_pattern(r"...")`` stands for ``_X = re.compile(r"...")``: the first use compiles
it and puts the compiled pattern in the module's variable in its place, so that later uses
cost no more than a compiled pattern's.
"""

from __future__ import annotations

import re
import sys
from types import ModuleType
from typing import Any, cast

__all__ = ["lazy_pattern", "toml_module"]


class _LazyPattern:
    __slots__ = ("_args", "_compiled", "_module")

    def __init__(self, pattern: str, flags: int, module: dict[str, Any]) -> None:
        self._args = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None
        self._module = module

    def __getattr__(self, name: str) -> Any:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(*self._args)
            for key, value in list(self._module.items()):
                if value is self:
                    self._module[key] = compiled
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_pattern({self._args[0]!r})"


def lazy_pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, compiled when first used (see the module's docs);
    for patterns assigned to a module-level variable."""
    module = sys._getframe(1).f_globals
    return cast("re.Pattern[str]", _LazyPattern(pattern, flags, module))


def toml_module() -> ModuleType:
    """:mod:`tomllib` (``tomli`` before Python 3.11), imported when a TOML file is first read:
    its parser compiles its patterns at import (a few ms that a check reading no TOML file
    does without)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib
    return tomllib
