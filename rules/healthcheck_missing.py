"""DL3057: the shipped image has no HEALTHCHECK (opt-in)."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import arg_words


class HealthcheckMissing(Rule):
    """
    ## What it does
    Checks that the image that ships has a `HEALTHCHECK`, in the target stage or a stage
    it is built `FROM`. `HEALTHCHECK NONE` counts: it says on purpose that there is none.

    The rule is opt-in, as in hadolint (where its severity is "ignore"): many images are
    run by an orchestrator with its own probes, so it runs only when selected by its code
    or name (`--extend-select DL3057`); `ALL` and code prefixes leave it off.

    ## Why is this bad?
    Without a health check Docker knows only whether the process runs, not whether it
    answers: a server that hangs stays "up". With one, `docker ps` shows the container as
    unhealthy and Swarm or Compose (`depends_on: condition: service_healthy`) can act on it.

    Unlike hadolint, which reports every stage without one, only the image that ships is
    judged: builder stages never run as containers.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    HEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/')"]
    CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
    ```

    ## Fix safety
    No fix: how to tell that the application is healthy is not known.

    ## References
    - [Dockerfile reference: HEALTHCHECK](https://docs.docker.com/reference/dockerfile/#healthcheck)
    - [hadolint DL3057](https://github.com/hadolint/hadolint/wiki/DL3057)
    """

    code = "DL3057"
    name = "healthcheck-missing"
    severity = Severity.INFO
    message = "The image has no `HEALTHCHECK`."
    fix_title = None
    fix_safety = None
    hadolint = ("DL3057",)
    shipped_only = True
    keywords = frozenset({"FROM"})
    opt_in = True

    def finish(self, ctx: Context) -> Iterable[Violation]:
        df = ctx.dockerfile
        target = df.target
        if target is None:
            return
        for stage in df.lineage(target):
            if any(i.keyword == "HEALTHCHECK" for i in stage.instructions):
                return
        inst = target.from_instruction
        words = arg_words(inst.raw, df.text, df.scan.escape)
        start, end = (words[0].start, words[0].end) if words else (inst.start, inst.end)
        yield self.violation(start, end)
