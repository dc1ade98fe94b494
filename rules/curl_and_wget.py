"""DL4001: both curl and wget in one image."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

_TOOLS = ("curl", "wget")


class CurlAndWget(Rule):
    """
    ## What it does
    Checks for a stage whose `RUN` instructions use both `curl` and `wget`. Once both
    have been used, every later `RUN` that uses either is reported. A stage built FROM
    another stage carries on with what that stage used; other stages start afresh.

    ## Why is this bad?
    Both tools download files. Using both means both have to be installed (and kept up to
    date, and scanned for vulnerabilities), and the same task is written two ways in one
    file. Pick one; `curl` is in more base images, `wget` is in BusyBox.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN wget -q https://example.org/a.tar.gz
    RUN curl -fsSLO https://example.org/b.tar.gz
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    RUN curl -fsSLO https://example.org/a.tar.gz
    RUN curl -fsSLO https://example.org/b.tar.gz
    ```

    ## Fix safety
    No fix: the options of the two tools differ.

    ## Differences from hadolint
    A stage built FROM another stage (`FROM base`) holds what that stage installed, so
    what it used counts; hadolint starts every stage afresh.

    ## References
    - [hadolint DL4001](https://github.com/hadolint/hadolint/wiki/DL4001)
    """

    code = "DL4001"
    name = "curl-and-wget"
    severity = Severity.WARNING
    message = "This stage uses both `curl` and `wget`: one download tool is enough."
    hadolint = ("DL4001",)
    shipped_only = False
    keywords = frozenset({"RUN"})

    def __init__(self) -> None:
        # for each stage: where each tool was first used (start, end)
        self._seen: dict[int, dict[str, tuple[int, int]]] = {}

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        seen = self._seen.get(stage.index)
        if seen is None:
            inherited = self._seen.get(stage.parent, {}) if stage.parent is not None else {}
            seen = self._seen[stage.index] = dict(inherited)
        used = [c for c in inst.commands if c.name in _TOOLS]
        if not used:
            return
        for cmd in used:
            seen.setdefault(cmd.name, (cmd.argv[0].start, cmd.argv[0].end))
        if len(seen) < len(_TOOLS):
            return
        first = used[0]
        other = "wget" if first.name == "curl" else "curl"
        start, end = seen[other]
        yield self.violation(
            first.argv[0].start,
            first.argv[0].end,
            related=[(start, end, f"`{other}` is used here")],
        )
