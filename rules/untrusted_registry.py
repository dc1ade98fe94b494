"""DL3026: a FROM image comes from a registry outside the trusted list."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

# what an image without a registry name is pulled from
_HUB = ("docker.io", "hub.docker.com", "index.docker.io", "registry-1.docker.io")


class UntrustedRegistry(Rule):
    """
    ## What it does
    When the configuration lists trusted registries (`trusted-registries = [...]`, or
    hadolint's `trustedRegistries` in `.hadolint.yaml`), checks that every `FROM` pulls its
    image from one of them. An image without a registry name comes from Docker Hub, which is
    trusted when `docker.io` (or `hub.docker.com`) is listed; `scratch` and a `FROM` that
    names an earlier stage pull nothing. Without a list, the rule reports nothing.

    A registry may be given with a wildcard (`*.example.com`); `*` alone trusts every
    registry, Docker Hub included.

    ## Why is this bad?
    An image from an unknown registry can carry anything; organisations that mirror and scan
    their base images want every build to use the mirror.

    ## Example
    ```dockerfile
    # trusted-registries = ["registry.example.com"]
    FROM python:3.12-slim
    ```

    ## Use instead
    ```dockerfile
    FROM registry.example.com/python:3.12-slim
    ```

    ## Fix safety
    No fix: which mirror holds the image is not known here.

    ## References
    - [hadolint DL3026](https://github.com/hadolint/hadolint/wiki/DL3026)
    """

    code = "DL3026"
    name = "untrusted-registry"
    severity = Severity.ERROR
    message = "Use only an allowed registry in the FROM image."
    fix_title = None
    hadolint = ("DL3026",)
    shipped_only = False
    keywords = frozenset({"FROM"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        settings = ctx.settings
        allowed = [r.lower() for r in settings.trusted_registries] if settings else []
        if not allowed or stage.parent is not None or stage.base.is_scratch:
            return
        base = stage.base
        registry = base.registry.lower()
        if not registry:  # Docker Hub, under any of its names, `*` included
            if any(fnmatch.fnmatchcase(hub, r) for r in allowed for hub in _HUB):
                return
            shown = "Docker Hub"
        else:
            if any(registry == r or fnmatch.fnmatchcase(registry, r) for r in allowed):
                return
            shown = f"`{base.registry}`"
        words = inst.args.split()
        begin = inst.raw.args_start  # the image is the first word after the flags
        yield self.violation(
            begin,
            begin + len(words[0]) if words else inst.end,
            message=f"`{base.raw}` comes from {shown}, which is not a trusted registry "
            f"({', '.join(settings.trusted_registries) if settings else ''}).",
        )
