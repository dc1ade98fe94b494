"""Patterns compiled when first used (dockerlint_slim.lazy)."""

from __future__ import annotations

import re
import types

from dockerlint_slim.lazy import lazy_pattern


def module_with(source: str) -> types.ModuleType:
    module = types.ModuleType("lazy_probe")
    exec(source, module.__dict__)
    return module


def test_it_matches_as_the_compiled_pattern_does() -> None:
    module = module_with(
        "from dockerlint_slim.lazy import lazy_pattern\n"
        "import re\n"
        "WORD = lazy_pattern(r'(?P<w>[a-z]+)-(\\d+)')\n"
        "LOUD = lazy_pattern(r'hello', re.I)\n"
    )
    text = "abc-12 de-3"
    compiled = re.compile(r"(?P<w>[a-z]+)-(\d+)")
    assert module.WORD.findall(text) == compiled.findall(text)
    assert module.LOUD.fullmatch("HeLLo") is not None
    assert module.WORD.sub(r"\2", text) == "12 3"


def test_the_module_variable_becomes_the_compiled_pattern_on_first_use() -> None:
    module = module_with(
        "from dockerlint_slim.lazy import lazy_pattern\nWORD = lazy_pattern(r'[a-z]+')\n"
    )
    assert not isinstance(module.WORD, re.Pattern)  # nothing compiled at import
    assert repr(module.WORD) == "lazy_pattern('[a-z]+')"
    assert module.WORD.match("abc")
    assert isinstance(module.WORD, re.Pattern)
    assert module.WORD.pattern == "[a-z]+"


def test_a_copy_held_elsewhere_keeps_working() -> None:
    pattern = lazy_pattern(r"\d+")  # not a module variable: stays a stand-in
    assert pattern.findall("a1b22") == ["1", "22"]
    assert pattern.findall("3") == ["3"]
