"""Shell analysis of RUN bodies with tree-sitter-bash.

A RUN body is parsed once into :class:`Command` objects (name, argument words with their text
offsets, prefix assignments, wrappers such as ``sudo``) that every rule shares. The text handed
to tree-sitter keeps the Dockerfile's offsets: continuation characters, line endings, comment
lines and blank lines inside a continuation are replaced by spaces of the same length first.
tree-sitter is imported lazily, on the first RUN that needs it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .commands import RUN_VALUE_OPTIONS

_PARSER: Any = None


class ShellParserError(RuntimeError):
    """tree-sitter cannot load the bash grammar (versions that do not match)."""


def _bash_language() -> Any:
    """``tree_sitter_bash.language()``. The package's ``__init__`` imports
    importlib.resources (about 5 ms: tempfile, shutil…) for its query files, which are not
    used here, so its compiled ``_binding`` module is loaded on its own when it is where the
    grammar packages keep it (a module object of our own, not registered in ``sys.modules``:
    the extension initialises per module, and an import of the package elsewhere loads its
    own); otherwise the package is imported as usual."""
    import importlib.machinery
    import importlib.util

    try:
        package = importlib.util.find_spec("tree_sitter_bash")
        places = package.submodule_search_locations if package is not None else None
        if not places:
            raise ImportError("tree_sitter_bash")
        spec = importlib.machinery.PathFinder.find_spec("tree_sitter_bash._binding", places)
        if spec is None or not isinstance(spec.loader, importlib.machinery.ExtensionFileLoader):
            raise ImportError("tree_sitter_bash._binding")
        binding = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(binding)
        return binding.language()
    except Exception:
        import tree_sitter_bash

        return tree_sitter_bash.language()


def _parser() -> Any:
    global _PARSER
    if _PARSER is None:
        import tree_sitter

        try:
            _PARSER = tree_sitter.Parser(tree_sitter.Language(_bash_language()))
        except ValueError as exc:  # a grammar built for a newer tree-sitter than the one here
            from importlib.metadata import version

            raise ShellParserError(
                f"tree-sitter {version('tree-sitter')} cannot load the grammar of "
                f"tree-sitter-bash {version('tree-sitter-bash')} ({exc}); install versions "
                "that match: pip install --upgrade tree-sitter tree-sitter-bash"
            ) from None
    return _PARSER


@dataclass(frozen=True)
class Word:
    """One shell word: ``text`` is its value with quotes removed, offsets index the file."""

    __slots__ = ("end", "raw", "start", "text")  # a file has many: no __dict__ each
    text: str
    raw: str
    start: int
    end: int


@dataclass(frozen=True)
class Command:
    """A simple command. ``argv[0]`` is the program (after wrappers like sudo and env)."""

    # a file has many: no __dict__ each; the name is read often, so it is kept
    __slots__ = ("_name", "argv", "assignments", "end", "piped", "start", "wrappers")
    argv: tuple[Word, ...]
    assignments: tuple[tuple[str, str], ...]  # VAR=value prefixes (and env's)
    wrappers: tuple[str, ...]  # e.g. ("sudo",)
    start: int
    end: int
    piped: bool  # part of a pipeline (``a | b``, also inside a subshell or group that is)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_name", os.path.basename(self.argv[0].text) if self.argv else "")

    @property
    def name(self) -> str:
        """Base name of the program: ``/opt/venv/bin/pip`` -> ``pip``."""
        return self._name  # type: ignore[attr-defined]

    @property
    def args(self) -> tuple[Word, ...]:
        return self.argv[1:]

    @property
    def arg_texts(self) -> tuple[str, ...]:
        return tuple(w.text for w in self.argv[1:])

    def env(self, name: str) -> str | None:
        for k, v in self.assignments:
            if k == name:
                return v
        return None


_WRAPPER_ARG_OPTS = {
    "sudo": {"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "--user", "--group"},
    "env": {"-u", "--unset", "-C", "--chdir", "-S", "--split-string"},
    "nice": {"-n", "--adjustment"},
    "stdbuf": {"-i", "-o", "-e"},
    "timeout": {"-s", "--signal", "-k", "--kill-after"},
}
_WRAPPERS = {
    "sudo",
    "env",
    "nice",
    "nohup",
    "time",
    "exec",
    "stdbuf",
    "timeout",
    "command",
    "linux32",
    "linux64",
}
# tools that run another program inside an environment: ``pyenv exec pip …``,
# ``poetry run pip …``, by the subcommand word (their options that take a value:
# commands.RUN_VALUE_OPTIONS)
_RUNNERS = {
    "pyenv": "exec",
    "poetry": "run",
    "pipenv": "run",
    "pdm": "run",
    "hatch": "run",
    "uv": "run",
}


def blank_run_text(text: str, start: int, end: int, segments: Sequence[tuple[int, int]]) -> str:
    """``text[start:end]`` with every character outside ``segments`` turned into a space."""
    out = [" "] * (end - start)
    for s, e in segments:
        s2, e2 = max(s, start), min(e, end)
        if s2 < e2:
            out[s2 - start : e2 - start] = text[s2:e2]
    return "".join(out)


def parse_commands(snippet: str, offset: int) -> tuple[Command, ...]:
    """Parse ``snippet`` (which starts at file offset ``offset``) into simple commands."""
    return parse_shell(snippet, offset)[0]


def parse_shell(
    snippet: str, offset: int
) -> tuple[tuple[Command, ...], tuple[tuple[str, str], ...]]:
    """Parse ``snippet`` (which starts at file offset ``offset``) into its simple commands
    and the shell variables it sets on their own (``deps='gcc libpq-dev' && …``, ``export
    X=1``; not the ``X=1 cmd`` prefixes, which belong to their command), both in order."""
    if not snippet.strip():
        return (), ()
    data = snippet.encode("utf-8")
    tree = _parser().parse(data)
    if len(data) == len(snippet):

        def to_char(b: int) -> int:
            return b
    else:
        table = _byte_to_char(snippet)

        def to_char(b: int) -> int:
            return table[b]

    cmds: list[Command] = []
    variables: list[tuple[int, str, str]] = []
    for node, piped in _walk_pipes(tree.root_node):
        if node.type == "command":
            cmd = _command(node, data, to_char, offset, piped)
            if cmd is not None:
                cmds.append(cmd)
        elif node.type == "variable_assignment" and (
            node.parent is None or node.parent.type != "command"
        ):
            name_node = node.child_by_field_name("name")
            value_node = node.child_by_field_name("value")
            if name_node is not None:
                name = data[name_node.start_byte : name_node.end_byte].decode("utf-8", "replace")
                value = _word_value(value_node, data) if value_node is not None else ""
                variables.append((node.start_byte, name, value))
    cmds.sort(key=lambda c: c.start)
    variables.sort()
    return tuple(cmds), tuple((name, value) for _, name, value in variables)


def _byte_to_char(s: str) -> list[int]:
    table: list[int] = []
    for i, ch in enumerate(s):
        table.extend([i] * len(ch.encode("utf-8")))
    table.append(len(s))
    return table


def _walk_pipes(node: Any) -> Iterator[tuple[Any, bool]]:
    """Every node, in document order, with whether it runs as part of a pipeline: under a
    ``pipeline`` node, not counting pipelines outside a ``$(…)`` it is in. Computed top-down,
    so a long ``&&`` chain (a deep tree) costs linear time."""
    stack = [(node, False)]
    while stack:
        n, piped = stack.pop()
        yield n, piped
        if n.type in ("command_substitution", "process_substitution"):
            piped = False
        elif n.type == "pipeline":
            piped = True
        if n.child_count:  # a leaf (most words) has no children to read
            stack.extend((c, piped) for c in reversed(n.children))


def _word_value(node: Any, data: bytes, raw: str | None = None) -> str:
    t = node.type
    if raw is None:
        raw = data[node.start_byte : node.end_byte].decode("utf-8", "replace")
    if t == "raw_string":
        return raw[1:-1] if len(raw) >= 2 else raw
    if t == "string":
        inner = raw[1:-1] if len(raw) >= 2 else raw
        return inner.replace('\\"', '"').replace("\\\\", "\\").replace("\\$", "$")
    if t == "concatenation":
        return "".join(_word_value(c, data) for c in node.children)
    if t == "word":
        if "\\" not in raw:
            return raw
        out = []
        i = 0
        while i < len(raw):
            if raw[i] == "\\" and i + 1 < len(raw):
                out.append(raw[i + 1])
                i += 2
            else:
                out.append(raw[i])
                i += 1
        return "".join(out)
    return raw


def _command(
    node: Any, data: bytes, to_char: Any, offset: int, piped: bool = False
) -> Command | None:
    words: list[Word] = []
    assigns: list[tuple[str, str]] = []
    for child in node.children:
        if child.type == "variable_assignment":
            name_node = child.child_by_field_name("name")
            value_node = child.child_by_field_name("value")
            name = data[name_node.start_byte : name_node.end_byte].decode() if name_node else ""
            value = _word_value(value_node, data) if value_node is not None else ""
            assigns.append((name, value))
        elif child.type == "command_name":
            target = child.children[0] if child.children else child
            words.append(_mk_word(target, data, to_char, offset))
        elif child.is_named and child.type not in (
            "file_redirect",
            "heredoc_redirect",
            "herestring_redirect",
            "comment",
        ):
            words.append(_mk_word(child, data, to_char, offset))
    if not words:
        return None
    wrappers: list[str] = []
    words, more, wrappers = _strip_wrappers(words)
    assigns.extend(more)
    if not words:
        return None
    start = offset + to_char(node.start_byte)
    end = offset + to_char(node.end_byte)
    # most commands start at their first word and end at their last: the words' offsets
    # then serve (one int object each instead of two; a big file has many)
    if start == words[0].start:
        start = words[0].start
    if end == words[-1].end:
        end = words[-1].end
    return Command(
        argv=tuple(words),
        assignments=tuple(assigns),
        wrappers=tuple(wrappers),
        start=start,
        end=end,
        piped=piped,
    )


def _mk_word(node: Any, data: bytes, to_char: Any, offset: int) -> Word:
    start, end = node.start_byte, node.end_byte
    raw = data[start:end].decode("utf-8", "replace")
    if len(raw) <= _SHARED_WORD:  # program names and options repeat: one string for each
        raw = _intern(raw)
    text = _word_value(node, data, raw)
    return Word(
        text=raw if text == raw else text,  # one string for both when they are the same
        raw=raw,
        start=offset + to_char(start),
        end=offset + to_char(end),
    )


# words up to this length are kept once per text (``install``, ``-y``, ``apt-get``…): a big
# file repeats them in every RUN
_SHARED_WORD = 24
_intern = sys.intern


def command_from_words(words: Sequence[Word], start: int, end: int) -> Command | None:
    """A command made of ``words`` (an exec-form argv, say), with the wrappers (``sudo``,
    ``env X=1``, ``poetry run``…) stripped as for a parsed one; None when nothing is left."""
    argv, assigns, wrappers = _strip_wrappers(list(words))
    if not argv:
        return None
    return Command(tuple(argv), tuple(assigns), tuple(wrappers), start, end, False)


def _strip_wrappers(
    words: list[Word],
) -> tuple[list[Word], list[tuple[str, str]], list[str]]:
    assigns: list[tuple[str, str]] = []
    wrappers: list[str] = []
    while words:
        tool = os.path.basename(words[0].text)
        runner = _RUNNERS.get(tool)
        if runner is not None and len(words) > 2 and words[1].text == runner:
            value_options = RUN_VALUE_OPTIONS[tool]
            j = 2
            while j < len(words) and words[j].text.startswith("-"):
                t = words[j].text
                if t == "--":
                    j += 1
                    break
                j += 2 if (t in value_options) else 1
            if j >= len(words):
                break
            wrappers.append(f"{tool} {runner}")
            words = words[j:]
            continue
        if os.path.basename(words[0].text) not in _WRAPPERS:
            break
        w = os.path.basename(words[0].text)
        rest = words[1:]
        if w == "command" and rest and rest[0].text in ("-v", "-V"):
            break  # a lookup, not a call
        takes_arg = _WRAPPER_ARG_OPTS.get(w, set())
        i = 0
        while i < len(rest):
            t = rest[i].text
            if t == "--":
                i += 1
                break
            if w == "env" and "=" in t and not t.startswith("-"):
                k, _, v = t.partition("=")
                assigns.append((k, v))
                i += 1
                continue
            if t.startswith("-") and t != "-":
                i += 2 if (t in takes_arg) else 1
                continue
            if w in ("nice", "timeout") and t.isdigit() and w == "timeout":
                i += 1
                continue
            break
        if w == "timeout" and i < len(rest) and rest[i].text[:1].isdigit():
            i += 1
        wrappers.append(w)
        words = rest[i:]
    return words, assigns, wrappers


def iter_words(commands: Iterable[Command]) -> Iterator[Word]:
    for c in commands:
        yield from c.argv
