"""DL3011: an EXPOSE port outside 0-65535 (or not a port at all)."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import Instruction, Stage, substitute
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import arg_words, own

_PORT = lazy_pattern(r"(?P<low>\d+)(?:-(?P<high>\d+))?(?:/(?P<proto>[A-Za-z]+))?")
_PROTOCOLS = frozenset({"tcp", "udp", "sctp"})
_HIGHEST = 65535


def _problem(spec: str) -> str | None:
    """What is wrong with one ``EXPOSE`` word (its variables expanded), or None."""
    m = _PORT.fullmatch(spec)
    if m is None:
        return "is not a port (`8000`, `8000/udp` or a range such as `8000-8010`)"
    low, high = int(m["low"]), int(m["high"] or m["low"])
    if max(low, high) > _HIGHEST:
        return f"is outside the range of ports, 0 to {_HIGHEST}"
    if high < low:
        return "is a range that ends below its start"
    proto = m["proto"]
    if proto is not None and proto.lower() not in _PROTOCOLS:
        return f"names the protocol `{proto}`: Docker knows `tcp`, `udp` and `sctp`"
    return None


class PortOutOfRange(Rule):
    """
    ## What it does
    Checks each port of an `EXPOSE` (also inside `ONBUILD`): a number from 0 to 65535 or a
    range of them (`8000-8010`), optionally with `/tcp`, `/udp` or `/sctp`. A port written
    as a variable is judged by its value when the `ENV` and `ARG` instructions before it tell
    it, and accepted when they do not.

    ## Why is this bad?
    Ports are 16-bit numbers. Docker refuses the file at build time when a port is out of
    range or not a port at all (`EXPOSE 80000`, `EXPOSE http`, `EXPOSE 8000/tcpp`), or, for
    a port from a variable, when the container starts.

    Unlike hadolint, which checks only the upper bound, this rule also flags words that are
    no port, ranges that end below their start, unknown protocols, out-of-range values of
    `ENV` and `ARG` variables, and `EXPOSE` inside `ONBUILD`.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    EXPOSE 80000
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    EXPOSE 8000
    ```

    ## Fix safety
    No fix: which port was meant is not known.

    ## References
    - [Dockerfile reference: EXPOSE](https://docs.docker.com/reference/dockerfile/#expose)
    - [hadolint DL3011](https://github.com/hadolint/hadolint/wiki/DL3011)
    """

    code = "DL3011"
    name = "port-out-of-range"
    severity = Severity.ERROR
    message = "Valid ports range from 0 to 65535."
    fix_title = None
    fix_safety = None
    hadolint = ("DL3011",)
    shipped_only = False
    keywords = frozenset({"EXPOSE", "ONBUILD"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        raw = own(inst)
        if raw.keyword != "EXPOSE":
            return
        for word in arg_words(raw, ctx.dockerfile.text, ctx.dockerfile.scan.escape):
            spec = word.value
            if "$" in spec:
                spec, known = substitute(spec, inst.env)
                if not known:
                    continue
                shown = f"`{word.text}` (`{spec}`)"
            else:
                shown = f"`{word.text}`"
            for part in spec.split():  # a variable may hold several ports
                problem = _problem(part)
                if problem is not None:
                    message = f"{shown} {problem}."
                    yield self.violation(word.start, word.end, message=message)
                    break
