"""DLS002: compilers, build tools and -dev packages left in a stage that ships."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.packages import is_build_tool
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import names_list

# how many package names a message lists before "and N more"
_MAX_NAMED = 6


def _message(names: list[str]) -> str:
    shown = names_list(names, _MAX_NAMED)
    tools = sum(1 for n in names if is_build_tool(n))
    if tools == len(names):
        what = "Build tool" if tools == 1 else "Build tools"
    elif tools == 0:
        what = "Development package" if len(names) == 1 else "Development packages"
    else:
        what = "Build tools and development packages"
    verb = "is installed" if len(names) == 1 else "are installed"
    stays = "stays" if len(names) == 1 else "stay"
    return (
        f"{what} {shown} {verb} in a shipped stage and {stays} in the image; "
        "build in a separate stage and copy the results."
    )


class BuildToolchainShipped(Rule):
    """
    ## What it does
    Checks for compilers, build tools and development packages (`gcc`, `g++`, `clang`,
    `make`, `cmake`, `build-essential`, `build-base`, `musl-dev`, `linux-headers`, `cargo`,
    `rustc`, `gfortran`, `*-dev`, `*-devel`, …) installed with `apt-get`, `apt`, `apk`,
    `dnf`, `yum`, `microdnf` or `zypper` (also behind `sudo`) in a stage that ships, and not
    removed again in the same `RUN`. Package names are matched exactly: `gcc-12-base`,
    `libgcc-s1` and `libpq5` are runtime libraries, not build tools. `$VARIABLES` set with
    `ENV` or `ARG` are read; dry runs and download-only calls (`apt-get install -s`,
    `dnf install --downloadonly`) are not installs.

    When `DLS007` reports the shipped stage, this install is one of its related locations
    and is not reported on its own; it is when `DLS007` is off or ignored, or when the file
    already has a builder stage (`DLS007` is silent then).

    ## Why is this bad?
    A C toolchain with its headers adds well over 100 MB that the application never uses
    once its extensions are compiled, and every extra binary is more attack surface and
    more CVEs to triage. Removing the packages in a later `RUN` does not help: the bytes
    stay in the earlier layer. Removing them in the same `RUN` (`apk add --virtual .build-deps
    … && apk del .build-deps`, `apt-get purge -y --auto-remove gcc`) keeps the layer small;
    building in a separate stage and copying only the results is cleaner still.

    A compiler installed in a builder stage whose results are copied out with
    `COPY --from` is not reported: that stage does not ship.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\
        && rm -rf /var/lib/apt/lists/*
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim AS build
    RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\
        && rm -rf /var/lib/apt/lists/*
    COPY requirements.txt .
    RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

    FROM python:3.12-slim
    RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \\
        && rm -rf /var/lib/apt/lists/*
    COPY --from=build /wheels /wheels
    RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
    ```

    ## Fix safety
    No automatic fix: the remedy is a multi-stage rewrite, and which runtime libraries
    replace the `-dev` packages (`libpq5` for `libpq-dev`) depends on the project.

    ## References
    - [Docker: multi-stage builds](https://docs.docker.com/build/building/multi-stage/)
    - [Docker: don't install unnecessary packages](https://docs.docker.com/build/building/best-practices/#dont-install-unnecessary-packages)
    - [Alpine: apk virtual packages](https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper#Virtual_Packages)
    """

    code = "DLS002"
    name = "build-toolchain-shipped"
    severity = Severity.WARNING
    message = "Build tools or development packages stay installed in a stage that ships."
    fix_title = None
    fix_safety = None
    hadolint = ()
    shipped_only = True
    keywords = frozenset({"RUN"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        run = ctx.facts.run(inst)
        left = run.toolchain if run is not None else ()
        if not left:
            return
        word = left[0][1]
        target = ctx.dockerfile.target
        yield self.violation(
            word.start,
            word.end,
            message=_message([n for n, _ in left]),
            # DLS007 reports the whole problem, with this install as a related location
            covered_by=("DLS007", target.index if target is not None else None),
        )
