"""DLS001: the shipped image is built on a full ("fat") base image."""

from __future__ import annotations

import re
from collections.abc import Iterable

from dockerlint_slim.commands import (
    PIP_SHORT_VALUE_OPTIONS,
    PIP_VALUE_OPTIONS,
    pip_call,
    split_options,
)
from dockerlint_slim.edits import Edit, Safety, line_ending
from dockerlint_slim.findings import Severity
from dockerlint_slim.images import (
    FULL_ONLY_TOOLS,
    classify,
    full_only_tools_in,
    slim_replacement,
    slim_tag,
)
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.packages import distro_python, is_python_headers
from dockerlint_slim.project import parse_requirement
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.runtime_libs import python_loaders
from dockerlint_slim.shell import Command

# programs that install system packages besides the package managers package_ops knows
_INSTALLERS = frozenset({"dpkg", "add-apt-repository", "apt-add-repository", "rpm", "pacman"})
_VCS_URL = lazy_pattern(r"(?:^|[\s@=])(?:git|hg|svn|bzr)\+", re.I)
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh"})
_PYTHON = lazy_pattern(r"python(\d+(\.\d+)?)?$")
_PROJECT_INSTALLERS = {
    "pipenv": {"install", "sync"},
    "poetry": {"install", "add", "sync"},
    "uv": {"sync", "add"},
    "pdm": {"install", "sync", "add"},
    "hatch": {"env"},
}


def _requirement_files(args: tuple[str, ...]) -> list[str]:
    """The files that ``-r``/``-c`` (``--requirement``/``--constraint``) name in ``args``."""
    options, _ = split_options(args, PIP_VALUE_OPTIONS, PIP_SHORT_VALUE_OPTIONS)
    wanted = ("-r", "--requirement", "-c", "--constraint")
    return [value for name, value in options if name in wanted and value is not None]


def _installs_project(cmd: Command) -> bool:
    """Whether ``cmd`` installs a project from the build context with its dependencies:
    ``pipenv install``, ``poetry install``, ``uv sync``, ``pdm install``, ``pip install .``,
    ``python setup.py install``."""
    first = cmd.arg_texts[0] if cmd.args else ""
    if cmd.name in _PROJECT_INSTALLERS:
        return first in _PROJECT_INSTALLERS[cmd.name]
    if cmd.name == "uv" and first == "pip":
        return True
    if _PYTHON.match(cmd.name) and first.endswith("setup.py"):
        return True
    call = pip_call(cmd)
    if call is None or call.sub != "install":
        return False
    for t in call.arg_texts:
        if t in ("-e", "--editable") or t.startswith(("-e.", "-e/", "--editable=")):
            return True
        if t.startswith((".", "/", "~")) and not t.endswith((".whl", "*")) and "=" not in t:
            return True
    return False


def _pip_needs_full_image(inst: Instruction, ctx: Context, loaders: list[str]) -> str | None:
    """Why the Python installs of ``inst`` may need the full image: a VCS requirement (git),
    or requirements that cannot be read (a missing requirements file, a project install
    without a build context: its packages may build from source)."""
    for cmd in inst.commands:
        if _installs_project(cmd):
            project = ctx.project
            if project is None or not project.manifests():
                return f"the packages {cmd.name} installs are not known"
        call = pip_call(cmd)
        if call is None or call.sub not in ("install", "wheel", "download"):
            continue
        if any(_VCS_URL.search(t) for t in call.arg_texts):
            return "pip installs from a VCS URL (git)"
        for t in call.arg_texts:
            req = None if t.startswith("-") else parse_requirement(t)
            if req is not None and req.name in python_loaders() and req.name not in loaders:
                loaders.append(req.name)
        for relpath in _requirement_files(call.arg_texts):
            project = ctx.project
            reqs = project.requirements(relpath) if project is not None else None
            if reqs is None or not reqs.exists:
                return f"the packages of {relpath} are not known"
            every = (*reqs.requirements, *reqs.constraints)
            if any(r.url and _VCS_URL.search(r.url) for r in every):
                return f"{relpath} installs from a VCS URL (git)"
            loaders += sorted((reqs.names() & python_loaders()) - set(loaders))
    return None


def _needs_full_image(target: Stage, ctx: Context, loaders: list[str]) -> str | None:
    """Why the shipped image may rely on what only the full base image has, or ``None``
    when it does not: a build tool or compile in the lineage, a system package install,
    a program the slim image lacks, or a RUN this rule cannot read."""
    facts = ctx.facts.stage(target)
    builds = [n for _, names in facts.toolchain for n in names]
    builds += [n for _, names in facts.native_builds for n in names]
    if builds:
        shown = ", ".join(dict.fromkeys(builds))
        return f"the build needs its compilers and headers ({shown})"
    model = ctx.dockerfile
    lineage = {s.index for s in model.lineage(target)}
    stage_names = {str(s.index) for s in model.stages if s.index not in lineage}
    stage_names |= {s.alias for s in model.stages if s.alias and s.index not in lineage}
    for inst in model.inherited_instructions(target):
        kw = inst.keyword
        sources = inst.flag_values("from") if kw in ("COPY", "ADD") else []
        sources += [m["from"] for m in inst.mounts() if m.get("from")] if kw == "RUN" else []
        if any(src.lower() in stage_names or "$" in src for src in sources):
            # what a builder compiled may link against libraries only the full image has
            return "it copies files from another stage"
        if kw == "ONBUILD":
            return "an ONBUILD instruction may need them"
        if kw == "RUN" and inst.form == "exec":
            return "an exec-form RUN may need them"
        if kw in ("CMD", "ENTRYPOINT", "HEALTHCHECK", "SHELL"):
            text = " ".join(inst.exec_args) if inst.exec_args is not None else inst.args
            tools = full_only_tools_in(text)
            if tools:
                return f"{kw} uses {', '.join(tools)}"
            continue
        if kw != "RUN":
            continue
        if not inst.commands:
            if inst.args.strip():
                return "a RUN could not be read"
            continue
        run = ctx.facts.run(inst)
        if run is not None and any(op.kind == "install" for op in run.ops):
            return "it installs system packages"
        for cmd in inst.commands:
            if cmd.name in _INSTALLERS:
                return f"it runs {cmd.name}"
            if cmd.name in FULL_ONLY_TOOLS:
                return f"RUN uses {cmd.name}"
            # sh -c '…', xargs curl …, find -exec make …: look at the words too
            tools = full_only_tools_in(" ".join(w.text for w in cmd.args))
            if tools and (cmd.name in _SHELLS or cmd.name in ("xargs", "find", "parallel")):
                return f"RUN uses {', '.join(tools)}"
        reason = _pip_needs_full_image(inst, ctx, loaders)
        if reason:
            return reason
    return None


class FatBaseImage(Rule):
    """
    ## What it does
    Checks the base image of the image you ship (the target stage, followed through
    `FROM <stage>` to the stage built on an external image) for a full ("fat") image:
    `python`, `python:3`, `python:3.12`, `python:3.12.4`, `python:latest`,
    `python:3.12-bookworm` (any Debian release), and every `buildpack-deps` tag, also with a
    registry prefix (`docker.io/library/python`), a digest or `--platform`. The message names
    the slim image of the same Python version and distribution release. `-slim`, `-alpine`,
    Windows and distroless images are not reported, nor an `ARG` base without a default.
    A builder stage on a full image is not reported when the image you ship is built on
    another base.

    On a Debian or Ubuntu base with the distribution's own Python (`apt-get install
    python3 …`), it reports the image when it installs Python's headers (`python3-dev`,
    `python3.X-dev`, `libpython3-dev`) or `python3-pip` without `--no-install-recommends`
    (which brings `build-essential` and `python3-dev` along): the message names what ships
    and the smaller layout, a builder stage and a runtime stage on the `-slim` image of the
    same release (Debian) with `python3` and the runtime libraries only.

    When the shipped stage also builds native code, `DLS007` reports the whole problem
    (the fat base, the toolchain and the compiling installs, with the fix that splits the
    file) and this finding is not shown; it is when `DLS007` is off or ignored.

    ## Why is this bad?
    The full python images are built on `buildpack-deps`: about 1 GB of compilers, `-dev`
    headers, version control clients and libraries the application does not use at run time,
    against about 150 MB for the slim image with the same Python on the same Debian release.
    Every extra package is more to download, store and scan, and more CVEs to triage.
    Compile what needs compiling in a builder stage and ship the slim image.

    ## Example
    ```dockerfile
    FROM python:3.12-bookworm
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim-bookworm
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    ```

    ## Fix safety
    Unsafe: the slim image lacks the compilers, `-dev` headers and tools (`git`, `curl`,
    `wget`, `make`, …) of the full one, so a build or a script that relied on them breaks.
    The fix is offered only when nothing in the shipped stages compiles, installs build
    tools or system packages, uses such a tool (in `RUN`, `CMD`, `ENTRYPOINT` or
    `HEALTHCHECK`), installs from a VCS URL, reads requirements that cannot be read, or
    copies files from another stage (what a builder compiled may link against libraries only
    the full image has). When a package opens a library of the full image at run time
    (`python-magic` → `libmagic1`, `Wand` → ImageMagick, `cairocffi`, `WeasyPrint`), the fix
    also installs that library right after `FROM`. It is never offered for a digest (it pins
    the full image; pin the slim image's digest yourself), for a base written with `ARG`
    variables, or for `buildpack-deps`, whose slim replacement (`debian:*-slim`) has no
    Python.

    ## References
    - [Docker Hub: python image variants](https://hub.docker.com/_/python)
    - [docker-library/buildpack-deps](https://github.com/docker-library/buildpack-deps)
    - [Docker: choose the right base image](https://docs.docker.com/build/building/best-practices/#choose-the-right-base-image)
    """

    code = "DLS001"
    name = "fat-base-image"
    severity = Severity.WARNING
    message = "The shipped image is built on a full base image where a slim one would do."
    fix_title = "Use the slim image of the same version"
    fix_safety = Safety.UNSAFE
    hadolint = ()
    shipped_only = True
    keywords = frozenset({"FROM"})

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        model = ctx.dockerfile
        target = model.target
        # only the root of the shipped lineage: the stage whose FROM names an external image
        if target is None or stage.parent is not None or not stage.ships:
            return
        image = stage.base
        info = classify(image)
        if not info.fat:
            yield from self._distro_python(inst, stage, ctx)
            return
        replacement = slim_replacement(image)
        if replacement is None:
            return
        new, _ = replacement
        # a stage that compiles: DLS007 reports the whole problem (fat base included)
        covered = ("DLS007", target.index)
        text = model.text
        words = inst.args.split()
        written = words[0] if words else ""
        start = inst.raw.args_start
        located = bool(written) and text.startswith(written, start)
        if located:
            span = (start, start + len(written))
        else:
            span = (inst.raw.keyword_span.start, inst.raw.keyword_span.end)
        shown = f"`{written or image.raw}`"
        if "$" in shown:
            shown += f" (`{image.raw}`)"
        if info.family == "buildpack-deps":
            distro = (info.distro or "debian").capitalize()
            if info.has_build_tools:
                what = "compilers, -dev headers, version control and download tools"
            elif (image.tag or "").lower().endswith("-scm"):
                what = "version control and download tools"
            else:
                what = "download tools"
            message = (
                f"Base image {shown} carries {what} the application does not need at run "
                f"time; `{new}` is the same {distro} release without them but has no Python, "
                "so install `python3` there or use a `python:*-slim` image."
            )
            yield self.violation(*span, message=message, covered_by=covered)
            return
        message = (
            f"Base image {shown} is the full image (about 1 GB with compilers and -dev "
            f"headers); `{new}` has the same Python and Debian release without them"
        )
        loaders: list[str] = []  # installed packages that open libraries at run time
        reason = _needs_full_image(target, ctx, loaders)
        install = None
        if not reason and loaders:
            from dockerlint_slim.rewrite import Refusal, runtime_library_install

            try:
                install = runtime_library_install(
                    info, loaders, model.scan.escape, line_ending(text)
                )
            except Refusal as exc:
                reason = f"{', '.join(loaders)}: {exc}"
        if reason and reason.startswith("the build needs"):
            message += f", but {reason}: compile in a builder stage and ship `{new}`"
        if image.digest:
            message += " (pin the slim image's digest again)"
        message += "."
        if reason or image.digest or not located or written != image.raw:
            # (a build that needs the compilers is said in the message; DLS007 splits it)
            why = None
            if reason and not reason.startswith("the build needs"):
                why = reason
            elif image.digest:
                why = "the image is pinned by digest, and the slim image's digest is not known"
            elif not located or written != image.raw:
                why = "the image reference is not written out in the FROM line"
            note = f"no automatic fix: {why}" if why else None
            yield self.violation(*span, message=message, note=note, covered_by=covered)
            return
        edits = [_minimal_edit(span[0], written, new)]
        if install:
            # the libraries those packages open, which the full image had, right after FROM
            end = inst.end
            if text[end - 1 : end] != "\n":
                install = line_ending(text) + install
            edits.append(Edit(end, end, install))
        yield self.violation(
            *span, message=message, edits=edits, safety=Safety.UNSAFE, covered_by=covered
        )

    def _distro_python(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        """A Debian or Ubuntu base with the distribution's Python installed with its headers
        or with python3-pip's recommended packages (build-essential, python3-dev)."""
        model = ctx.dockerfile
        target = model.target
        info = classify(stage.base)
        if target is None or info.family not in ("debian", "ubuntu"):
            return
        python = False
        heavy: list[str] = []
        for part in reversed(list(model.lineage(target))):
            for run in part.instructions:
                if run.keyword != "RUN":
                    continue
                facts = ctx.facts.run(run)
                for op in facts.ops if facts is not None else ():
                    if op.manager != "apt" or op.kind != "install":
                        continue
                    names = op.names
                    python = python or any(distro_python(n) for n in names)
                    heavy += [n for n in names if is_python_headers(n) and n not in heavy]
                    recommends = "--no-install-recommends" not in op.options
                    if recommends and "python3-pip" in names:
                        heavy.append("python3-pip's recommended build-essential and python3-dev")
        if not python or not heavy:
            return
        words = inst.args.split()
        start = inst.raw.args_start
        if words and model.text.startswith(words[0], start):
            span = (start, start + len(words[0]))
        else:
            span = (inst.raw.keyword_span.start, inst.raw.keyword_span.end)
        slim = slim_tag(stage.base)
        runtime = f"`{slim}`" if slim and slim != stage.base.raw else "the same base"
        message = (
            f"Base image `{stage.base.raw}` with {info.family.capitalize()}'s Python ships "
            f"{', '.join(dict.fromkeys(heavy))}, build tools and headers the application "
            f"does not need at run time; build in a builder stage and ship {runtime} with "
            "`python3` and the runtime libraries only."
        )
        yield self.violation(
            *span,
            message=message,
            note="no automatic fix here: DLS007 rewrites the file when it builds native code",
            covered_by=("DLS007", target.index),
        )


def _minimal_edit(start: int, old: str, new: str) -> Edit:
    """The edit turning ``old`` (at ``start``) into ``new`` that touches the fewest
    characters: ``python:3.11-bookworm`` -> ``python:3.11-slim-bookworm`` inserts ``slim-``."""
    p = 0
    while p < min(len(old), len(new)) and old[p] == new[p]:
        p += 1
    s = 0
    while s < min(len(old), len(new)) - p and old[-1 - s] == new[-1 - s]:
        s += 1
    return Edit(start + p, start + len(old) - s, new[p : len(new) - s])
