"""Command line: ``dockerlint-slim check``, ``dockerlint-slim rule`` and
``dockerlint-slim verify`` (its own exit codes are in its help).

Exit codes: 0 no finding at or above the failure threshold, 1 findings (or, with ``--diff``,
changes), 2 usage, configuration or input errors. Errors are one line on stderr; a traceback
is shown only with ``DOCKERLINT_SLIM_DEBUG=1``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import click

from . import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
STDIN = "-"


class Failure(click.ClickException):
    """A one-line error that ends the run with exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file: IO[Any] | None = None) -> None:
        _err(self.format_message())


def _err(message: str) -> None:
    _warn(message, "error")


def _warn(message: str, kind: str = "warning") -> None:
    """One line on stderr; file names and file content in it are shown escaped."""
    from .escaping import printable

    click.echo(f"dockerlint-slim: {kind}: {printable(message)}", err=True)


def _use_color(no_color: bool, stream: IO[str]) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    force = os.environ.get("FORCE_COLOR")
    if force:
        return force.lower() not in ("0", "false", "no")
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _HelpWanted(click.UsageError):
    """The bare command (no sub-command): its help goes to stderr and it exits 2."""


class _Group(click.Group):
    # click >= 8.2 raises its own NoArgsIsHelpError here and older click prints the help and
    # exits 0; one behaviour for every supported click.
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args and not ctx.resilient_parsing:
            raise _HelpWanted(ctx.get_help(), ctx=ctx)
        return super().parse_args(ctx, args)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="dockerlint-slim")
def cli() -> None:
    """Lint Dockerfiles for slim Python images, and fix them."""


@dataclass
class _Input:
    display: str
    path: Path | None  # None for stdin
    text: str | None = None
    error: str | None = None
    raw: bytes | None = None  # stdin as read


@dataclass
class _Run:
    findings: list = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    fixed: dict[str, int] = field(default_factory=dict)
    fixes: list = field(default_factory=list)
    # --fix of stdin: what stdout gets, the fixed text (the input as read when not fixed)
    stdin_fixed: str | bytes | None = None
    errors: int = 0
    failing: bool = False
    changed: bool = False
    diffs: list[str] = field(default_factory=list)


@cli.command()
# readable=False: an unreadable file is reported by discovery as a one-line error, not as a
# click usage error.
@click.argument("paths", nargs=-1, type=click.Path(path_type=str, readable=False))
@click.option(
    "--output-format",
    type=click.Choice(["text", "json", "sarif", "github", "gitlab", "checkstyle", "junit"]),
    help="Output format (default: text, or `output-format` from the configuration).",
)
@click.option("-o", "--output-file", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option("--select", multiple=True, help="Rules to enable (codes, prefixes or names).")
@click.option("--ignore", multiple=True, help="Rules to disable.")
@click.option("--extend-select", multiple=True, help="Rules to enable in addition.")
@click.option(
    "--failure-threshold",
    type=click.Choice(["style", "info", "warning", "error"]),
    help="Lowest severity that makes the exit code 1.",
)
@click.option("--target", help="Stage that is built (like `docker build --target`).")
@click.option(
    "--context",
    "context_dir",
    metavar="DIR",
    help="Build context folder the project-aware rules read (default: each Dockerfile's "
    "folder, or the nearest folder above it, up to the repository root, that holds every "
    "COPY/ADD source; for stdin, the current folder).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, readable=False),
    help="Config file.",
)
@click.option(
    "--hadolint-config",
    "hadolint_config",
    type=click.Path(dir_okay=False, readable=False),
    help="hadolint's configuration file, used when no dockerlint-slim configuration applies "
    "(default: the nearest .hadolint.yaml or .hadolint.yml).",
)
@click.option(
    "--statistics",
    is_flag=True,
    help="Print counts per rule instead of findings (output format text or json).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option(
    "--fix",
    is_flag=True,
    help="Apply safe fixes in place (for `-`: print the fixed file, the report on stderr).",
)
@click.option("--unsafe-fixes", is_flag=True, help="Also apply unsafe fixes (with --fix/--diff).")
@click.option("--diff", is_flag=True, help="Print the fixes as a diff; write nothing.")
@click.option(
    "--show-fixes",
    is_flag=True,
    help="List each fix applied (on stderr with a machine output format).",
)
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when --fix changed a file.")
@click.option(
    "--shellcheck/--no-shellcheck",
    default=None,
    help="Run ShellCheck on RUN bodies (findings SCxxxx; needs the shellcheck extra).",
)
@click.option("--stdin-filename", help="Name to report for input read from stdin (`-`).")
@click.option("--no-color", is_flag=True, help="No colours (also NO_COLOR=1).")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help="Processes that check files (default: the number of CPUs, less those the load "
    "average says are busy; 1: in this process). Used when there are enough files for it to "
    "pay off; the output is the same.",
)
def check(
    paths: tuple[str, ...],
    output_format: str | None,
    output_file: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    failure_threshold: str | None,
    target: str | None,
    context_dir: str | None,
    config_path: str | None,
    hadolint_config: str | None,
    statistics: bool,
    exit_zero: bool,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    show_fixes: bool,
    exit_non_zero_on_fix: bool,
    shellcheck: bool | None,
    stdin_filename: str | None,
    no_color: bool,
    quiet: bool,
    jobs: int | None,
) -> None:
    """Check Dockerfiles (files, folders, or `-` for stdin; default: the current folder)."""
    from .config import ConfigError, ConfigResolver, merge_cli
    from .discovery import DiscoveryError, InputError, find_dockerfiles, read_dockerfile
    from .rule import all_rules

    if fix and diff:
        raise Failure("--fix and --diff cannot be used together")
    if STDIN in paths and fix and len(paths) > 1:
        raise Failure(
            "--fix with `-` prints the fixed stdin to stdout and takes no other path; "
            "fix the files in another run"
        )
    if paths.count(STDIN) > 1:
        raise Failure("`-` (stdin) given more than once")
    if config_path is not None and not Path(config_path).is_file():
        raise Failure(f"--config: {config_path}: no such file")
    if hadolint_config is not None and not Path(hadolint_config).is_file():
        raise Failure(f"--hadolint-config: {hadolint_config}: no such file")
    if context_dir is not None and not Path(context_dir).is_dir():
        raise Failure(f"--context: {context_dir}: no such folder")

    rules = all_rules()

    def transform(settings: Any) -> Any:
        return merge_cli(
            settings,
            select=list(select) or None,
            ignore=list(ignore) or None,
            extend_select=list(extend_select) or None,
            output_format=output_format,
            failure_threshold=failure_threshold,
            target=target,
            shellcheck=shellcheck,
        )

    try:
        resolver = ConfigResolver(
            Path(config_path) if config_path else None,
            known=rules,
            transform=transform,
            warn=_warn,
            hadolint_config=Path(hadolint_config) if hadolint_config else None,
        )
        run_settings = resolver.for_dir(Path.cwd())
    except ConfigError as exc:
        raise Failure(str(exc)) from None
    fmt = run_settings.output_format or "text"
    if statistics and fmt not in ("text", "json"):
        raise Failure(
            f"--statistics prints text or json, not {fmt} "
            "(give --output-format text or json, or drop --statistics)"
        )

    inputs: list[_Input] = []
    file_args = [p for p in paths if p != STDIN] if paths else ["."]
    bad_paths: list[str] = []  # each reported; the good paths are still checked
    try:
        found = find_dockerfiles([Path(p) for p in file_args], errors=bad_paths)
    except (DiscoveryError, InputError) as exc:
        raise Failure(str(exc)) from None
    for message in bad_paths:
        _err(message)
    if STDIN in paths:
        inputs.append(_read_stdin(stdin_filename))
    for p in found:
        try:
            inputs.append(_Input(str(p), p, read_dockerfile(p)))
        except InputError as exc:
            inputs.append(_Input(str(p), p, error=str(exc)))

    run = _Run(errors=len(bad_paths))
    work: list[tuple[_Input, Path | None]] = []
    for item in inputs:
        context: Path | None = None  # a file's: told from its COPY sources when it is linted
        if context_dir is not None:
            context = Path(context_dir)
        elif item.path is None:
            context = Path(stdin_filename).parent if stdin_filename else Path.cwd()
        if fix and item.path is None:
            run.stdin_fixed = item.raw  # an input that cannot be fixed comes back unchanged
        work.append((item, context))
    options = (resolver, fix, unsafe_fixes, diff, stdin_filename)
    _check_all(work, run, options, jobs if jobs is not None else _cpus())

    _emit(run, rules, fmt, output_file, statistics, no_color, quiet, show_fixes, diff)
    if run.stdin_fixed is not None:
        _write_raw(run.stdin_fixed)

    if run.errors:
        sys.exit(EXIT_ERROR)
    if diff:
        sys.exit(EXIT_FINDINGS if run.changed else EXIT_OK)
    if exit_non_zero_on_fix and run.changed:
        sys.exit(EXIT_FINDINGS)
    if run.failing and not exit_zero:
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


def _read_stdin(stdin_filename: str | None) -> _Input:
    display = stdin_filename or STDIN
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
    item = _decode_stdin(display, data)
    item.raw = data
    return item


def _decode_stdin(display: str, data: bytes) -> _Input:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _Input(display, None, error=f"{display}: not UTF-8 text (UTF-16 byte order mark)")
    if b"\x00" in data:
        return _Input(display, None, error=f"{display}: binary input, not a Dockerfile")
    try:
        return _Input(display, None, data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return _Input(
            display,
            None,
            error=f"{display}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} "
            f"at offset {exc.start})",
        )


def _check_one(
    item: _Input,
    run: _Run,
    resolver: Any,
    fix: bool,
    unsafe: bool,
    diff: bool,
    stdin_filename: str | None,
    context: Path | None,
) -> None:
    from .config import ConfigError
    from .engine import lint
    from .fixer import FixError, fix_text, write_atomic
    from .model import ModelError
    from .shell import ShellParserError
    from .shellcheck import ShellCheckError, ShellCheckMissing

    if item.error is not None or item.text is None:
        _err(item.error or f"{item.display}: cannot read")
        run.errors += 1
        return
    where = item.path if item.path is not None else Path(stdin_filename or "Dockerfile")
    try:
        settings = resolver.for_file(where)
    except ConfigError as exc:
        _err(str(exc))
        run.errors += 1
        return
    text = item.text
    try:
        if fix or diff:
            outcome = fix_text(
                text,
                item.display,
                settings,
                unsafe=unsafe,
                file_path=Path(where),
                context_dir=context,
                guess_context=True,
            )
            result = outcome.result
            if outcome.text != text:
                run.changed = True
                if diff:
                    run.diffs.append(_unified(text, outcome.text, item.display))
                elif item.path is not None:
                    write_atomic(item.path, outcome.text)
                run.fixed[item.display] = outcome.removed
                run.fixes.extend(outcome.fixes)
            if fix and item.path is None:
                run.stdin_fixed = outcome.text  # printed whole, fixed or not
            text = outcome.text
            if unsafe:
                for f in result.findings:
                    if f.note and f.fix is None:
                        _warn(f"{item.display}:{f.line}: {f.code} not fixed: {f.note}")
        else:
            result = lint(
                text,
                item.display,
                settings,
                file_path=Path(where),
                context_dir=context,
                guess_context=True,
            )
    except ModelError as exc:
        _err(f"{item.display}: {exc}")
        run.errors += 1
        return
    except FixError as exc:
        _err(f"{item.display}: {exc}")
        run.errors += 1
        return
    except OSError as exc:
        _err(f"{item.display}: cannot write the fixed file: {exc.strerror or exc}")
        run.errors += 1
        return
    except ShellParserError as exc:  # the installation, not this file: no other file can pass
        raise Failure(str(exc)) from None
    except ShellCheckMissing as exc:  # the same: no file can be checked
        raise Failure(str(exc)) from None
    except ShellCheckError as exc:
        _err(f"{item.display}: {exc}")
        run.errors += 1
        return
    except Exception as exc:  # a bug in a rule must not hide the other files' results
        if os.environ.get("DOCKERLINT_SLIM_DEBUG"):
            raise
        _err(
            f"{item.display}: internal error ({type(exc).__name__}: {exc}); "
            "rerun with DOCKERLINT_SLIM_DEBUG=1 for details and please report it"
        )
        run.errors += 1
        return
    run.files.append(item.display)
    run.sources[item.display] = text
    run.findings.extend(result.findings)
    if not settings.no_fail and any(settings.fails(f.severity) for f in result.findings):
        run.failing = True


# Files per process below which checking stays in this process: starting the workers and
# sending their results back costs more than checking a few files.
_FILES_PER_JOB = 8
_OPTIONS: tuple[Any, ...] = ()  # what a worker process checks with (set before they start)


def _cpus() -> int:
    """The CPUs this process may use, less those other work keeps busy (the one-minute load
    average): on a busy machine, worker processes only wait for each other."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cpus = os.cpu_count() or 1
    try:
        busy = int(os.getloadavg()[0])
    except (AttributeError, OSError):  # pragma: no cover - no load average (Windows)
        busy = 0
    return max(1, cpus - busy)


def _check_all(
    work: list[tuple[_Input, Path | None]], run: _Run, options: tuple[Any, ...], jobs: int
) -> None:
    """Check every file of ``work`` into ``run``, in processes when there are enough files.

    The workers are forked from this process (Linux; elsewhere the files are checked here)
    after it checked the first file, so they start with what checking needs already
    imported and loaded. Each file's result and its messages are taken in the order of
    ``work``: the output is the same for any number of jobs."""
    global _OPTIONS

    jobs = min(jobs, len(work) // _FILES_PER_JOB)
    parallel = jobs >= 2 and sys.platform.startswith("linux")
    resolver, fix, unsafe, diff, stdin_filename = options
    for item, context in work[: 1 if parallel else len(work)]:
        _check_one(item, run, resolver, fix, unsafe, diff, stdin_filename, context)
    if not parallel:
        return
    import gc
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    _OPTIONS = options
    rest = work[1:]
    chunk = max(1, len(rest) // (jobs * 4))
    gc.freeze()  # the collector of a worker leaves the objects it starts with alone
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
    try:
        for part, messages in pool.map(_check_in_worker, rest, chunksize=chunk):
            if messages:
                click.echo(messages, err=True, nl=False)
            if isinstance(part, Failure):
                raise part
            _merge(run, part)
    except BrokenProcessPool:
        raise Failure("a worker process ended unexpectedly; rerun with --jobs 1") from None
    finally:
        pool.shutdown(cancel_futures=True)
        gc.unfreeze()


def _check_in_worker(task: tuple[_Input, Path | None]) -> tuple[_Run | Failure, str]:
    """One file in a worker process: its part of the run and what it said on stderr."""
    import contextlib
    import io

    item, context = task
    part = _Run()
    messages = io.StringIO()
    resolver, fix, unsafe, diff, stdin_filename = _OPTIONS
    try:
        with contextlib.redirect_stderr(messages):
            _check_one(item, part, resolver, fix, unsafe, diff, stdin_filename, context)
    except Failure as exc:
        return exc, messages.getvalue()
    return part, messages.getvalue()


def _merge(run: _Run, part: _Run) -> None:
    """Add one file's part of a run (lists and dicts grow, counts add up, flags are any)."""
    from dataclasses import fields

    for f in fields(run):
        mine, theirs = getattr(run, f.name), getattr(part, f.name)
        if isinstance(mine, list):
            mine.extend(theirs)
        elif isinstance(mine, dict):
            mine.update(theirs)
        elif isinstance(mine, bool):
            setattr(run, f.name, mine or theirs)
        elif isinstance(mine, int):
            setattr(run, f.name, mine + theirs)
        elif theirs is not None:  # a value of one file (the fixed stdin)
            setattr(run, f.name, theirs)


def _unified(before: str, after: str, name: str) -> str:
    import difflib

    from .escaping import git_quote

    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=git_quote(f"a/{name}"),  # quoted as git does: `git apply` reads it
            tofile=git_quote(f"b/{name}"),
        )
    )


def _printable_diff(diff: str) -> str:
    """A diff for a terminal: controls and bidi overrides in its lines shown escaped (a diff
    that goes to a pipe or a file keeps the file's characters, for `patch` and `git apply`)."""
    from .escaping import printable

    lines = diff.splitlines(keepends=True)
    out = []
    for line in lines:
        body = line.rstrip("\r\n")
        out.append(printable(body, tabs=False) + line[len(body) :])
    return "".join(out)


def _write_raw(content: str | bytes) -> None:
    """Write file content to stdout as it is (click.echo would drop escape sequences from
    it when stdout is not a terminal)."""
    sys.stdout.flush()
    data = content.encode("utf-8") if isinstance(content, str) else content
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:  # pragma: no cover
        sys.stdout.write(data.decode("utf-8", "replace"))
    sys.stdout.flush()


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _emit(
    run: _Run,
    rules: list,
    fmt: str,
    output_file: str | None,
    statistics: bool,
    no_color: bool,
    quiet: bool,
    show_fixes: bool,
    diff: bool,
) -> None:
    from . import formats
    from .findings import Report

    if sys.platform == "win32":  # pragma: no cover
        import colorama

        colorama.just_fix_windows_console()

    report = Report(
        findings=run.findings,
        rules=[r.meta() for r in rules],
        files=run.files,
        sources=run.sources,
        version=__version__,
        fixed=run.fixed,
        fixes=run.fixes,
    )
    color = False
    # with --fix of stdin, stdout carries the fixed file and the report goes to stderr
    stream = sys.stderr if run.stdin_fixed is not None else sys.stdout
    if diff:
        out = "".join(run.diffs)
        if output_file is None and _is_terminal(sys.stdout):
            out = _printable_diff(out)
        if not run.diffs:
            if not quiet:
                click.echo("No fixes to apply.", err=True)
        elif show_fixes or not quiet:
            from .formats.text import render_fixes

            listing = render_fixes(report, heading="Would fix", listed=show_fixes)
            click.echo(listing, err=True, nl=False)
    elif statistics:
        out = formats.statistics(report, fmt)
    else:
        color = output_file is None and fmt == "text" and _use_color(no_color, stream)
        options = formats.FormatOptions(color=color, show_fixes=show_fixes)
        out = formats.render(fmt, report, options)
        if fmt == "text" and run.errors and not run.findings and not run.fixes:
            out = ""  # not "All checks passed!" when some input could not be checked
        if quiet and fmt == "text":
            out = _strip_summary(out, bool(run.findings))
        if fmt != "text" and show_fixes and run.fixes:
            from .formats.text import render_fixes

            # machine formats stay pure: the list of fixes goes to stderr
            click.echo(render_fixes(report), err=True, nl=False)
    if output_file is not None:
        try:
            Path(output_file).write_text(out, encoding="utf-8")
        except OSError as exc:
            raise Failure(f"-o: cannot write {output_file}: {exc.strerror or exc}") from None
    elif out:
        # click strips ANSI codes when stdout is not a terminal unless told otherwise;
        # FORCE_COLOR=1 must survive a pipe.
        click.echo(out, nl=False, color=True if color else None, err=stream is sys.stderr)


def _strip_summary(out: str, has_findings: bool) -> str:
    """Drop the text format's last line ("Found N problems" / "All checks passed!")."""
    lines = out.rstrip("\n").split("\n")
    if lines and ("Found " in lines[-1] or "passed!" in lines[-1]):
        lines = lines[:-1]
    text = "\n".join(lines).rstrip("\n")
    return text + "\n" if text else ""


@cli.command()
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Print the docs of every rule.")
@click.option(
    "--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def rule(code: str | None, show_all: bool, output_format: str) -> None:
    """Explain a rule (by code or name), or every rule with --all."""
    import json

    from .rule import all_rules, rule_by_code

    if code and show_all:
        raise Failure("give a rule code or --all, not both")
    if show_all:
        chosen = all_rules()
    elif code:
        found = rule_by_code(code)
        if found is None:
            import difflib as _difflib

            known = [r.code for r in all_rules()] + [r.name for r in all_rules()]
            close = _difflib.get_close_matches(code, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise Failure(
                f"unknown rule code {code!r}{hint}; `dockerlint-slim rule --all` lists them"
            )
        chosen = [found]
    else:
        raise Failure("give a rule code (e.g. `dockerlint-slim rule DL3042`) or --all")
    if output_format == "json":
        data = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.label,
                "message": r.message,
                "fix": r.fix_title,
                "fix_safety": r.fix_safety.label if r.fix_safety is not None else None,
                "hadolint": list(r.hadolint),
                "shipped_only": r.shipped_only,
                "opt_in": r.opt_in,
                "docs": r.docs(),
            }
            for r in chosen
        ]
        click.echo(json.dumps(data if show_all else data[0], indent=2))
        return
    parts = []
    for r in chosen:
        head = f"# {r.code} {r.name}\n\n"
        meta = f"Severity: {r.severity.label}"
        if r.fix_safety is not None:
            meta += f" · Fix: {r.fix_safety.label}"
        else:
            meta += " · Fix: none"
        if r.shipped_only:
            meta += " · Judges only stages that ship"
        if r.opt_in:
            meta += " · Opt-in: enabled only by its code or name"
        parts.append(f"{head}{r.message}\n\n{meta}\n\n{r.docs()}\n")
    click.echo("\n".join(parts), nl=False)


@cli.command()
@click.argument("dockerfile", type=click.Path(path_type=str, readable=False))
@click.option(
    "--context",
    "context_dir",
    metavar="DIR",
    help="Build context (default: the Dockerfile's folder, or the nearest folder above it "
    "that holds every COPY/ADD source).",
)
@click.option(
    "--smoke",
    metavar="CMD",
    help="Smoke command, run as `/bin/sh -c CMD` in both images "
    "(default: each image's own ENTRYPOINT/CMD).",
)
@click.option("--keep-images", is_flag=True, help="Keep the two images and print their tags.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=60,
    show_default=True,
    metavar="SECONDS",
    help="Stop a smoke run after this long; still running in both images counts as a match.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, readable=False),
    help="Config file.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format.",
)
def verify(
    dockerfile: str,
    context_dir: str | None,
    smoke: str | None,
    keep_images: bool,
    timeout: float,
    config_path: str | None,
    output_format: str,
) -> None:
    """Build a Dockerfile and its rewrite (all fixes, unsafe ones included) on the local
    Docker engine and compare them: both must build, the smoke test must behave the same,
    and every shared library of the compiled Python code must resolve in the new image.
    Nothing is written to the project; the fixed file is built from a temporary copy.

    When the fixes change nothing, only the original is built: it must build, pass the smoke
    test (exit 0, or still running at the timeout) and have no unresolved libraries.

    The docker client is $DOCKER, else `docker` on PATH or /usr/bin/docker (the first that
    can build with BuildKit). Progress goes to stderr, the report to stdout.

    Exit codes: 0 verified; 1 not verified (a build fails, the original's included, the smoke
    test differs, or a library does not resolve); 2 no engine, or bad input.
    """
    import json

    from . import verify as verifying
    from .config import ConfigError, ConfigResolver
    from .discovery import InputError, guess_context, read_dockerfile
    from .fixer import FixError, fix_text
    from .model import ModelError
    from .rule import all_rules
    from .scanner import ScanError
    from .shell import ShellParserError

    path = Path(dockerfile)
    if config_path is not None and not Path(config_path).is_file():
        raise Failure(f"--config: {config_path}: no such file")
    if context_dir is not None and not Path(context_dir).is_dir():
        raise Failure(f"--context: {context_dir}: no such folder")
    try:
        text = read_dockerfile(path)
    except InputError as exc:
        raise Failure(str(exc)) from None
    context = Path(context_dir) if context_dir is not None else guess_context(path, text)
    try:
        resolver = ConfigResolver(
            Path(config_path) if config_path else None, known=all_rules(), warn=_warn
        )
        settings = resolver.for_file(path)
        fix_outcome = fix_text(
            text, dockerfile, settings, unsafe=True, file_path=path, context_dir=context
        )
        fixed = fix_outcome.text
        if fix_outcome.result.parse_error is not None:  # nothing to build
            raise fix_outcome.result.parse_error
    except ConfigError as exc:
        raise Failure(str(exc)) from None
    except ScanError as exc:
        line = f":{exc.line}" if exc.line else ""
        raise Failure(f"{dockerfile}{line}: {exc.message}") from None
    except (ModelError, FixError) as exc:
        raise Failure(f"{dockerfile}: {exc}") from None
    except ShellParserError as exc:
        raise Failure(str(exc)) from None
    except Exception as exc:
        if os.environ.get("DOCKERLINT_SLIM_DEBUG"):
            raise
        raise Failure(
            f"{dockerfile}: internal error ({type(exc).__name__}: {exc}); "
            "rerun with DOCKERLINT_SLIM_DEBUG=1 for details and please report it"
        ) from None
    try:
        docker = verifying.find_docker()
    except verifying.EngineUnavailable as exc:
        raise Failure(str(exc)) from None

    from .escaping import printable

    def progress(message: str) -> None:
        click.echo(printable(message, tabs=False, newlines=True), err=True)

    if fixed == text:
        progress(f"{dockerfile}: nothing to rewrite; building the original only")
    sibling_ignore = path.with_name(path.name + ".dockerignore")
    try:
        outcome = verifying.compare(
            text,
            fixed,
            context,
            docker=docker,
            name=path.parent.resolve().name if path.name == "Dockerfile" else path.name,
            smoke=smoke,
            timeout=timeout,
            keep_images=keep_images,
            target=settings.target,
            ignore_file=sibling_ignore if sibling_ignore.is_file() else None,
            progress=progress,
        )
    except verifying.DockerError as exc:
        raise Failure(str(exc)) from None
    except OSError as exc:  # the docker client went away
        raise Failure(f"{docker.binary}: {exc.strerror or exc}") from None
    outcome.not_fixed = [
        (f.code, f.line, f.note) for f in fix_outcome.result.findings if f.note and f.fix is None
    ]
    if output_format == "json":
        data = outcome.to_dict()
        data["dockerfile"] = dockerfile
        data["context"] = str(context)
        click.echo(json.dumps(data, indent=2))
    else:
        # file names, notes and the images' output shown escaped
        report = verifying.render_text(outcome, path=dockerfile, context=str(context))
        click.echo(printable(report, tabs=False, newlines=True), nl=False)
    sys.exit(EXIT_OK if outcome.ok else EXIT_FINDINGS)


def main(argv: list[str] | None = None) -> None:
    try:
        rv = cli.main(args=argv, prog_name="dockerlint-slim", standalone_mode=False)
    except _HelpWanted as exc:
        click.echo(exc.format_message(), err=True)
        sys.exit(EXIT_ERROR)
    except click.UsageError as exc:
        # one line, like every other input error: what is wrong and where to look
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        message = " ".join(exc.format_message().split())
        _err(f"{message}{hint}")
        sys.exit(2)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("dockerlint-slim: aborted", err=True)
        sys.exit(1)
    except KeyboardInterrupt:  # pragma: no cover
        click.echo("dockerlint-slim: interrupted", err=True)
        sys.exit(130)
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
