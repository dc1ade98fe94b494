"""DLS007: the shipped stage both builds native code and ships it (no builder stage)."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.edits import Edit, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.images import classify
from dockerlint_slim.model import Dockerfile, Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.runtime_libs import python_loaders

from ._common import names_list

# how many names the message lists before "and N more"
_MAX_NAMED = 4


def _copies_from_a_builder(model: Dockerfile, target: Stage) -> bool:
    """Whether the shipped lineage takes files from another stage of the file
    (``COPY --from=<stage>`` or ``RUN --mount=…,from=<stage>``): it already has a builder.
    A ``--from`` naming an external image (``ghcr.io/astral-sh/uv``) is not a builder; one
    this rule cannot resolve (``--from=$BUILDER``) counts as one."""
    lineage = {s.index for s in model.lineage(target)}
    names: dict[str, int] = {}
    for s in model.stages:
        names[str(s.index)] = s.index
        if s.alias:
            names[s.alias.lower()] = s.index
    for inst in model.inherited_instructions(target):
        sources: list[str] = []
        if inst.keyword in ("COPY", "ADD"):
            sources += inst.flag_values("from")
        if inst.keyword == "RUN":
            sources += [m["from"] for m in inst.mounts() if m.get("from")]
        for source in sources:
            source = source.strip().lower()
            if "$" in source:
                return True
            index = names.get(source)
            if index is not None and index not in lineage:
                return True
    return False


class MultiStageOpportunity(Rule):
    """
    ## What it does
    Checks for a shipped stage that builds native code (it installs compilers, build tools
    or `-dev` packages, or installs Python packages that compile from source) and ships the
    result from the same image: the file has no builder stage whose results the shipped
    stage copies with `COPY --from` (or mounts with `RUN --mount=…,from=`). The finding is
    on the `FROM` of the shipped stage. Development containers (built on a
    `mcr.microsoft.com/devcontainers/…` image) ship their toolchain on purpose and are not
    reported, nor is a RUN that installs its compiler, builds and removes the compiler again
    on a base without one (it ships no toolchain; a second stage would only add a venv).

    This is the one finding for "this stage builds native code and ships it": its related
    locations (SARIF `relatedLocations`, `= related:` lines in the text output) are the
    installs of build tools and headers that stay in the image (`DLS002`) and the Python
    installs that compile (`DLS003`); on a full base image it says so (`DLS001`). Those
    rules report on their own only when this one is off or ignored.

    ## Why is this bad?
    Everything the build needs (a C toolchain, headers, the source and temporary files of the
    packages built) stays in the image you ship, often several hundred megabytes. A builder
    stage compiles the wheels or the virtual environment, and a second stage on a slim base
    copies only the results: the runtime image keeps the compiled packages and none of the
    tools that made them.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\
        && rm -rf /var/lib/apt/lists/*
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    COPY . /app
    CMD ["python", "/app/main.py"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim AS build
    RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\
        && rm -rf /var/lib/apt/lists/*
    RUN python -m venv /venv
    COPY requirements.txt .
    RUN /venv/bin/pip install --no-cache-dir -r requirements.txt

    FROM python:3.12-slim
    RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \\
        && rm -rf /var/lib/apt/lists/*
    COPY --from=build /venv /venv
    COPY . /app
    CMD ["/venv/bin/python", "/app/main.py"]
    ```

    ## Fix safety
    Unsafe (applied with `--unsafe-fixes`): the fix rewrites the file into a builder stage and a
    slim runtime stage, which changes what the image contains. The builder is the original stage
    on the original base: its build packages, a virtual environment at `/opt/venv` made before
    the first Python install, and the installs themselves (pip, poetry, pipenv, pdm, `uv pip`,
    `uv sync` with `UV_PROJECT_ENVIRONMENT` set to it), run unchanged with the virtual
    environment first on `PATH`. The runtime stage starts from the slim image of the same Python
    minor and distribution release (`python:3.11` → `python:3.11-slim`, `debian:bookworm` →
    `debian:bookworm-slim`, `nvidia/cuda:…-devel-ubuntu22.04` →
    `nvidia/cuda:…-runtime-ubuntu22.04`, proven by golden files only since those images cannot
    be built where this is tested; Alpine stays Alpine), installs the runtime libraries that
    stand for the build's `-dev` packages (from a table generated from the distributions'
    package metadata, including libraries the full python image provided without an install,
    such as `libpq5` for psycopg2, and the ones packages such as Wand or python-magic open at
    run time with ctypes; on a Debian or Ubuntu release the table lacks, such as buster or
    stretch, the builder looks them up in its own package database after its last install and
    the runtime stage installs that list), copies the virtual environment with `COPY
    --from=builder`, and keeps every other instruction and comment in order. Folders a moved
    build writes into next to its sources (an extension built in place, an editable install) are
    copied from the builder where the original built them; programs of the full image that the
    runtime steps and the scripts they start (read from the build context, never run) call are
    installed; on a distribution's own Python, a package that embeds Python (uWSGI) gets
    `libpython3.X`. Run `dockerlint-slim verify` to build both images and compare them.

    A base chosen by an ARG (`FROM python:${PYTHON_VERSION}`) keeps the ARG in the slim
    reference (`python:${PYTHON_VERSION}-slim`). A RUN that mixes installs with runtime work
    as a plain `&&` chain is split: the installs go to the builder, the rest stays in the
    runtime stage. Programs by absolute path (`/usr/local/bin/gunicorn`, `.venv/bin/…`) and
    commands started through `uv run`, `poetry run`, `pdm run` or `pipenv run` point at the
    virtual environment. A file that makes its own virtual environment
    (`python -m venv /venv`, `virtualenv`) keeps it: the builder makes it as written and the
    runtime stage copies that folder, when every install goes into it (its pip, its `bin`
    first on PATH, `VIRTUAL_ENV`, or `. /venv/bin/activate`).

    The file is left unchanged, with the reason shown as a note, when the rewrite cannot be
    sure: several stages, a base whose name (not only its tag) is chosen by an `ARG` or an
    ARG without a default, an unknown base, `ONBUILD`, a `RUN` that mixes installs with
    runtime work in a way it cannot split, installs outside a virtual environment
    (`--user`, `--target`, pip by a path other than the system's), a pdm or Pipfile script
    started through `pdm run` or `pipenv run`, a file that makes several virtual
    environments or installs past the one it makes, `poetry add`/`uv add`/`pdm add`,
    programs the slim image lacks and the rewrite cannot add, a script started by
    ENTRYPOINT, CMD or HEALTHCHECK that it cannot
    read from the build context, an in-place build in a folder it cannot tell (or in `/`),
    or one whose folder a runtime step changes before the build.

    ## References
    - [Docker: multi-stage builds](https://docs.docker.com/build/building/multi-stage/)
    - [pip wheel](https://pip.pypa.io/en/stable/cli/pip_wheel/)
    - [Python packaging: virtual environments](https://docs.python.org/3/library/venv.html)
    """

    code = "DLS007"
    name = "multi-stage-opportunity"
    severity = Severity.INFO
    message = "The shipped stage builds native code and ships the build with it."
    fix_title = "Split into a builder stage and a slim runtime stage"
    fix_safety = Safety.UNSAFE
    hadolint = ()
    shipped_only = True
    keywords = frozenset({"FROM"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        model = ctx.dockerfile
        if not stage.is_target or _copies_from_a_builder(model, stage):
            return
        root = list(model.lineage(stage))[-1]
        if "devcontainers" in root.base.repository.split("/"):
            return  # a development container ships its toolchain on purpose
        facts = ctx.facts.stage(stage)
        found = [n for _, names in facts.toolchain for n in names]
        found += [n for _, names in facts.native_builds_uncontained for n in names]
        if not found:
            return
        unique = list(dict.fromkeys(found))
        shown = names_list(unique, _MAX_NAMED)
        info = classify(root.base)
        on = f" on the full image `{root.base.raw}`" if info.fat else ""
        runtime = "the runtime image" if stage.windows else "a slim runtime image"
        message = (
            f"This stage builds native code ({shown}){on} and ships the toolchain with it: "
            f"build in a separate stage and copy only the results into {runtime}."
        )
        # imported here: the rewrite and its data are loaded only for a stage it would split
        from dockerlint_slim.rewrite import Refusal, rewrite

        native = [n for _, names in facts.native_builds for n in names]
        edits: list[Edit] = []
        note = None
        try:
            loads = [p for p in facts.python_packages if p in python_loaders()]
            result = rewrite(
                model, native=native, loads=loads, context=ctx.context_dir, unread=facts.unread
            )
        except Refusal as exc:
            note = f"no automatic rewrite: {exc}"
        else:
            edits.append(Edit(0, len(model.text), result.text))
        words = inst.args.split()
        start = inst.raw.args_start
        if words and model.text.startswith(words[0], start):
            end = start + len(words[0])
        else:
            start, end = inst.raw.keyword_span.start, inst.raw.keyword_span.end
        yield self.violation(
            start, end, message=message, edits=edits, note=note, related=_related(model, stage, ctx)
        )


def _related(model: Dockerfile, stage: Stage, ctx: Context) -> list[tuple[int, int, str]]:
    """The lines that make up the problem: each install of build tools and headers that stays
    in the image (DLS002) and each Python install that compiles (DLS003)."""
    out: list[tuple[int, int, str]] = []
    for part in reversed(list(model.lineage(stage))):
        for inst in part.instructions:
            run = ctx.facts.run(inst)
            if run is None:
                continue
            if run.toolchain:
                words = [w for _, w in run.toolchain]
                names = [n for n, _ in run.toolchain]
                listed = names_list(names, _MAX_NAMED)
                out.append(
                    (
                        words[0].start,
                        words[-1].end,
                        f"installs build tools and headers: {listed} (DLS002)",
                    )
                )
            if not run.contained:
                for install in run.builds:
                    what = names_list(install.compiles, _MAX_NAMED)
                    out.append((install.start, install.end, f"builds {what} from source (DLS003)"))
    return out
