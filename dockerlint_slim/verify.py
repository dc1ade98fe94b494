"""Build a Dockerfile and its rewrite on the local Docker engine and compare the two images.

Everything here drives the docker command line client with :mod:`subprocess`; there is no API
library. The client is ``$DOCKER`` when that is set, otherwise the first of ``docker`` on
``PATH`` and ``/usr/bin/docker`` that can build with BuildKit (a client of version 23 or later
needs the buildx plugin for that; older clients have BuildKit built in). Builds run with
``DOCKER_BUILDKIT=1``.

The comparison (:func:`compare`) builds both files, runs a smoke command in both images,
measures both, and looks for ELF files in the shipped image whose shared libraries do not
resolve. Each unresolved library is traced back to the package that provides it in the
original image (``dpkg -S``, or ``apk info --who-owns``), which is the package the runtime
stage is missing.

This module only needs the standard library, so that importing it stays cheap.
"""

from __future__ import annotations

import collections
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_TIMEOUT",
    "BuildResult",
    "Docker",
    "DockerError",
    "EngineUnavailable",
    "ImageInfo",
    "LibraryScan",
    "SmokeResult",
    "Unresolved",
    "Verification",
    "compare",
    "find_docker",
    "image_repository",
    "render_text",
]

DEFAULT_TIMEOUT = 60.0
LOG_LINES = 200  # build output lines kept for the failure report
MB = 1_000_000  # docker reports sizes in SI units (987MB)
# Debian's docker.io client, tried after `docker` on PATH (it has BuildKit built in)
FALLBACK_CLIENT = "/usr/bin/docker"

Progress = Callable[[str], None]


class EngineUnavailable(Exception):
    """There is no usable docker client, or no engine answers it."""


class DockerError(Exception):
    """A docker command failed where it should not have (inspect of a built image, …)."""


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ImageInfo:
    tag: str
    size: int  # bytes, ``docker image inspect`` ``.Size``
    cmd: tuple[str, ...] | None = None
    entrypoint: tuple[str, ...] | None = None
    workdir: str = ""

    @property
    def mb(self) -> float:
        return self.size / MB


@dataclass
class BuildResult:
    label: str  # "original", "fixed", "expert", …
    tag: str
    ok: bool
    seconds: float
    returncode: int
    log: list[str] = field(default_factory=list)  # the last lines of the build output
    image: ImageInfo | None = None

    def excerpt(self, lines: int = 25) -> list[str]:
        """The end of the build output, where BuildKit names the step that failed."""
        return self.log[-lines:]


@dataclass
class SmokeResult:
    command: str | None  # None: the image's own ENTRYPOINT/CMD
    exit_code: int | None  # None when it was still running at the timeout
    stdout: str
    stderr: str
    seconds: float
    timeout: float

    @property
    def timed_out(self) -> bool:
        return self.exit_code is None

    @property
    def output(self) -> str:
        """stdout followed by stderr (the two are read separately, so the order is stable)."""
        return self.stdout + self.stderr

    @property
    def ok(self) -> bool:
        """Passed on its own: exit code 0, or still running at the timeout (a server)."""
        return self.exit_code == 0 or self.timed_out

    def same_as(self, other: SmokeResult) -> bool:
        """Same behaviour: both still running at the timeout (their logs are not compared:
        servers log times and addresses), or the same exit code and the same standard
        output. Standard error is shown, not compared: it carries the warnings of the tools
        a rewrite leaves out (``uv run`` says ``--no-sync`` has no effect outside a
        project), and an error that matters also changes the exit code or the output."""
        if self.timed_out or other.timed_out:
            return self.timed_out and other.timed_out
        return self.exit_code == other.exit_code and _norm(self.stdout) == _norm(other.stdout)

    def describe(self) -> str:
        if self.timed_out:
            return f"still running after {self.timeout:g} s (stopped)"
        return f"exit {self.exit_code}"


def _norm(output: str) -> str:
    return "\n".join(line.rstrip() for line in output.strip().splitlines())


@dataclass(frozen=True)
class Unresolved:
    file: str  # the ELF file in the image
    library: str  # the shared library it needs, e.g. ``libpq.so.5``
    package: str | None = None  # the package that has it in the original image
    location: str | None = None  # where the original image has it

    def key(self) -> tuple[str, str]:
        # the same extension module may live in another folder after a rewrite
        # (/usr/local/lib/python3.11/site-packages → /opt/venv/lib/python3.11/site-packages)
        return (self.file.rsplit("/", 1)[-1], self.library)


@dataclass
class LibraryScan:
    checked: bool  # False: the image has no /bin/sh or no ldd
    folders: list[str] = field(default_factory=list)
    files: int = 0  # ELF files checked
    unresolved: list[Unresolved] = field(default_factory=list)
    note: str = ""


@dataclass
class Verification:
    name: str
    rewritten: bool
    original: BuildResult
    fixed: BuildResult | None = None  # None when there is nothing to rewrite
    smoke_command: str | None = None
    original_smoke: SmokeResult | None = None
    fixed_smoke: SmokeResult | None = None
    libraries: LibraryScan | None = None  # of the image that ships
    unresolved: list[Unresolved] = field(default_factory=list)  # new in the shipped image
    preexisting: list[Unresolved] = field(default_factory=list)  # unresolved in both
    kept: list[str] = field(default_factory=list)  # tags left behind (--keep-images)
    # findings whose fix was refused, with the reason: (code, line, note)
    not_fixed: list[tuple[str, int, str]] = field(default_factory=list)

    @property
    def shipped(self) -> BuildResult:
        return self.fixed if self.fixed is not None else self.original

    @property
    def shipped_smoke(self) -> SmokeResult | None:
        return self.fixed_smoke if self.rewritten else self.original_smoke

    @property
    def smoke_matches(self) -> bool | None:
        if self.original_smoke is None or (self.rewritten and self.fixed_smoke is None):
            return None
        if not self.rewritten:
            return self.original_smoke.ok
        assert self.fixed_smoke is not None
        return self.original_smoke.same_as(self.fixed_smoke)

    @property
    def saving(self) -> tuple[int, float] | None:
        """(bytes saved, percent of the original) when both images were built."""
        if self.fixed is None or self.fixed.image is None or self.original.image is None:
            return None
        before, after = self.original.image.size, self.fixed.image.size
        saved = before - after
        return saved, (100.0 * saved / before if before else 0.0)

    def problems(self) -> list[str]:
        """Why the rewrite is not verified (empty when it is)."""
        out: list[str] = []
        if not self.original.ok:
            out.append("the original Dockerfile does not build, so there is nothing to compare")
            return out
        if self.rewritten and (self.fixed is None or not self.fixed.ok):
            out.append("the fixed Dockerfile does not build")
            return out
        if self.smoke_matches is False:
            if self.rewritten:
                out.append("the smoke test behaves differently in the fixed image")
            else:
                out.append("the smoke test fails")
        if self.unresolved:
            n = len(self.unresolved)
            out.append(
                f"{n} shared librar{'y does' if n == 1 else 'ies do'} not resolve "
                f"in the {'fixed' if self.rewritten else 'original'} image"
            )
        return out

    @property
    def ok(self) -> bool:
        return not self.problems()

    def to_dict(self) -> dict[str, Any]:
        def build(b: BuildResult | None) -> dict[str, Any] | None:
            if b is None:
                return None
            return {
                "tag": b.tag,
                "ok": b.ok,
                "seconds": round(b.seconds, 1),
                "size": b.image.size if b.image else None,
                "log_tail": [] if b.ok else b.excerpt(),
            }

        def smoke(s: SmokeResult | None) -> dict[str, Any] | None:
            if s is None:
                return None
            return {
                "exit_code": s.exit_code,
                "timed_out": s.timed_out,
                "stdout": s.stdout,
                "stderr": s.stderr,
                "seconds": round(s.seconds, 1),
            }

        def libs(items: Iterable[Unresolved]) -> list[dict[str, Any]]:
            return [
                {"file": u.file, "library": u.library, "package": u.package, "found": u.location}
                for u in items
            ]

        saving = self.saving
        return {
            "name": self.name,
            "ok": self.ok,
            "problems": self.problems(),
            "rewritten": self.rewritten,
            "original": build(self.original),
            "fixed": build(self.fixed),
            "saving": ({"bytes": saving[0], "percent": round(saving[1], 1)} if saving else None),
            "smoke": {
                "command": self.smoke_command,
                "matches": self.smoke_matches,
                "original": smoke(self.original_smoke),
                "fixed": smoke(self.fixed_smoke),
            },
            "libraries": (
                None
                if self.libraries is None
                else {
                    "checked": self.libraries.checked,
                    "folders": self.libraries.folders,
                    "files": self.libraries.files,
                    "unresolved": libs(self.unresolved),
                    "also_unresolved_in_original": libs(self.preexisting),
                    "note": self.libraries.note,
                }
            ),
            "kept_images": self.kept,
            "not_fixed": [{"code": c, "line": n, "note": t} for c, n, t in self.not_fixed],
        }


# --------------------------------------------------------------------------- the client


def _version_major(version: str) -> int:
    match = re.match(r"\s*v?(\d+)", version)
    return int(match.group(1)) if match else 0


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _candidates(env: dict[str, str]) -> list[str]:
    explicit = env.get("DOCKER")
    if explicit:
        found = shutil.which(explicit, path=env.get("PATH"))
        if found is None:
            raise EngineUnavailable(f"DOCKER={explicit}: no such program")
        return [found]
    out: list[str] = []
    on_path = shutil.which("docker", path=env.get("PATH"))
    for candidate in (on_path, FALLBACK_CLIENT):
        if candidate and os.access(candidate, os.X_OK) and candidate not in out:
            out.append(candidate)
    if not out:
        raise EngineUnavailable("no docker client: install Docker, or set DOCKER=/path/to/docker")
    return out


def find_docker(env: dict[str, str] | None = None) -> Docker:
    """The docker client to use, checked: the engine answers and BuildKit builds work.

    Raises :class:`EngineUnavailable` with a one-line reason otherwise."""
    env = dict(os.environ if env is None else env)
    reasons: list[str] = []
    for binary in _candidates(env):
        docker = Docker(binary, env=env)
        try:
            info = docker.run(["info", "--format", "{{.ServerVersion}}"], timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            reasons.append(f"{binary}: {exc}")
            continue
        server = info.stdout.strip()
        if info.returncode != 0 or not server or server == "<no value>":
            why = _first_line(info.stderr) or _first_line(info.stdout) or "no answer"
            raise EngineUnavailable(f"no Docker engine is reachable ({binary} info: {why})")
        docker.server_version = server
        client = docker.run(["version", "--format", "{{.Client.Version}}"], timeout=60)
        docker.client_version = _first_line(client.stdout)
        if _version_major(docker.client_version) >= 23:
            buildx = docker.run(["buildx", "version"], timeout=60)
            if buildx.returncode != 0:
                reasons.append(
                    f"{binary} (client {docker.client_version}) has no buildx plugin, "
                    "which BuildKit builds need"
                )
                continue
        return docker
    raise EngineUnavailable("; ".join(reasons) + " (set DOCKER=/path/to/a/working/client)")


def image_repository(name: str) -> str:
    """A repository name unique to this run: ``dockerlint-slim-verify/<name>-<8 hex>``."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-") or "dockerfile"
    return f"dockerlint-slim-verify/{slug}-{uuid.uuid4().hex[:8]}"


# Prints one line per scanned folder (D), ELF file (F) and missing library (U). $1 is the
# image's WorkingDir. POSIX sh, coreutils/busybox only: there is no `file` command in slim
# images, so ELF files are recognised by their magic bytes.
SCAN_SCRIPT = r"""
command -v ldd >/dev/null 2>&1 || { echo "X	no ldd in the image"; exit 0; }
workdir=$1
folders=$(
  {
    find / -xdev -type d \( -name site-packages -o -name dist-packages \) 2>/dev/null
    find / -xdev -type f -name pyvenv.cfg 2>/dev/null | sed 's|/pyvenv.cfg$||'
    case "$workdir" in ""|/) ;; *) [ -d "$workdir" ] && printf '%s\n' "$workdir" ;; esac
  } | sort -u
)
printf '%s\n' "$folders" | while IFS= read -r d; do
  [ -n "$d" ] && printf 'D\t%s\n' "$d"
done
printf '%s\n' "$folders" | while IFS= read -r d; do
  [ -n "$d" ] || continue
  find "$d" -xdev -type f \( -name '*.so' -o -name '*.so.*' -o -perm -u+x \) 2>/dev/null
done | sort -u | while IFS= read -r f; do
  magic=$(head -c 4 "$f" 2>/dev/null | od -An -c | tr -d ' \n')
  [ "$magic" = '177ELF' ] || continue
  printf 'F\t%s\n' "$f"
  dir=${f%/*}
  case "$dir" in
    # a wheel's bundled libraries (auditwheel's <package>.libs) load each other once the
    # extension module's RPATH brought the first in; ldd on one alone needs the folder
    *.libs) lib_path=$dir ;;
    *) lib_path=${LD_LIBRARY_PATH-} ;;
  esac
  LD_LIBRARY_PATH=$lib_path ldd "$f" 2>/dev/null |
    sed -n 's/^[[:space:]]*\([^[:space:]]*\) => not found.*$/\1/p' |
    while IFS= read -r lib; do printf 'U\t%s\t%s\n' "$f" "$lib"; done
done
"""

# For each library name given as an argument, prints "O<tab>name<tab>package<tab>path".
OWNER_SCRIPT = r"""
for lib in "$@"; do
  pkg=""
  if command -v dpkg >/dev/null 2>&1; then
    pkg=$(dpkg -S "*/$lib" 2>/dev/null | grep -v '^diversion' | head -n 1 | cut -d: -f1)
  fi
  loc=$(find / -xdev \( -type f -o -type l \) -name "$lib" 2>/dev/null | head -n 1)
  if [ -z "$pkg" ] && [ -n "$loc" ] && command -v apk >/dev/null 2>&1; then
    pkg=$(apk info --who-owns "$loc" 2>/dev/null | sed -n 's/.* is owned by \(.*\)$/\1/p' |
      head -n 1)
  fi
  printf 'O\t%s\t%s\t%s\n' "$lib" "$pkg" "$loc"
done
"""


class Docker:
    """A docker client. Use :func:`find_docker` to get a checked one."""

    def __init__(
        self,
        binary: str,
        *,
        env: dict[str, str] | None = None,
        server_version: str = "",
        client_version: str = "",
    ) -> None:
        self.binary = binary
        self.env = dict(os.environ if env is None else env)
        self.env["DOCKER_BUILDKIT"] = "1"
        self.server_version = server_version
        self.client_version = client_version

    def run(
        self, args: Sequence[str], *, timeout: float | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run ``docker ARGS`` and capture its output (never raises on a non-zero exit)."""
        return subprocess.run(
            [self.binary, *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=self.env,
            timeout=timeout,
            check=False,
        )

    def _start(self, args: Sequence[str], merge_stderr: bool = False) -> subprocess.Popen[str]:
        """Start ``docker ARGS`` with its output piped (stderr into stdout when
        ``merge_stderr``), for output read while it runs."""
        return subprocess.Popen(
            [self.binary, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=self.env,
        )

    # ---------------------------------------------------------------- build

    def build(
        self,
        text: str,
        context: Path,
        tag: str,
        *,
        label: str = "",
        target: str | None = None,
        ignore_file: Path | None = None,
        progress: Progress | None = None,
        no_cache: bool = False,
    ) -> BuildResult:
        """Build the Dockerfile ``text`` with ``context`` as build context and tag it.

        The text is written to a temporary folder outside the context (never into the
        user's project); ``ignore_file`` (a ``<Dockerfile>.dockerignore``) is copied next to
        it. Each BuildKit step line is passed to ``progress``. ``no_cache`` builds every step
        again (``docker build --no-cache``)."""
        label = label or tag
        with tempfile.TemporaryDirectory(prefix="dockerlint-slim-verify-") as tmp:
            dockerfile = Path(tmp) / "Dockerfile"
            with open(dockerfile, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            if ignore_file is not None and ignore_file.is_file():
                shutil.copyfile(ignore_file, Path(tmp) / "Dockerfile.dockerignore")
            args = ["build", "--progress=plain", "-f", str(dockerfile), "-t", tag]
            if target:
                args += ["--target", target]
            if no_cache:
                args.append("--no-cache")
            args.append(str(context))
            start = time.monotonic()
            log: collections.deque[str] = collections.deque(maxlen=LOG_LINES)
            proc = self._start(args, merge_stderr=True)
            assert proc.stdout is not None
            try:
                for raw in proc.stdout:
                    line = raw.rstrip("\n")
                    log.append(line)
                    if progress is not None and _is_step(line):
                        progress(f"[{label} {time.monotonic() - start:5.0f}s] {line}")
                rc = proc.wait()
            except BaseException:
                proc.kill()
                proc.wait()
                raise
            seconds = time.monotonic() - start
        result = BuildResult(label, tag, rc == 0, seconds, rc, list(log))
        if result.ok:
            result.image = self.inspect(tag)
        if progress is not None:
            state = "built" if result.ok else f"FAILED (exit {rc})"
            progress(f"[{label}] {state} in {seconds:.1f} s")
        return result

    def inspect(self, tag: str) -> ImageInfo:
        proc = self.run(["image", "inspect", tag], timeout=60)
        if proc.returncode != 0:
            raise DockerError(f"docker image inspect {tag}: {_first_line(proc.stderr)}")
        try:
            data = json.loads(proc.stdout)[0]
            config = data.get("Config") or {}
            cmd, entrypoint = config.get("Cmd"), config.get("Entrypoint")
            return ImageInfo(
                tag,
                int(data["Size"]),
                tuple(cmd) if cmd else None,
                tuple(entrypoint) if entrypoint else None,
                config.get("WorkingDir") or "",
            )
        except (ValueError, LookupError, TypeError) as exc:
            raise DockerError(f"docker image inspect {tag}: unexpected output ({exc})") from None

    def remove(self, tags: Iterable[str]) -> None:
        """Untag and delete images (the build cache stays)."""
        tags = list(tags)
        if tags:
            self.run(["image", "rm", *tags], timeout=300)

    # ---------------------------------------------------------------- run

    def smoke(
        self, tag: str, command: str | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> SmokeResult:
        """Run ``/bin/sh -c COMMAND`` in the image (``command`` None: the image's own
        ENTRYPOINT/CMD). A container still running after ``timeout`` seconds is removed and
        reported with ``exit_code`` None."""
        name = f"dockerlint-slim-verify-{uuid.uuid4().hex[:12]}"
        args = ["run", "--rm", "--name", name]
        if command is not None:
            args += ["--entrypoint", "/bin/sh", tag, "-c", command]
        else:
            args.append(tag)
        start = time.monotonic()
        proc = self._start(args)
        exit_code: int | None
        try:
            out, err = proc.communicate(timeout=timeout)
            exit_code = proc.returncode
        except subprocess.TimeoutExpired:
            exit_code = None
            self.run(["rm", "-f", name], timeout=60)
            try:
                out, err = proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
        except BaseException:
            proc.kill()
            proc.wait()
            self.run(["rm", "-f", name], timeout=60)
            raise
        return SmokeResult(command, exit_code, out, err, time.monotonic() - start, timeout)

    def _sh(self, tag: str, script: str, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
        return self.run(
            [
                "run",
                "--rm",
                "--network",
                "none",
                "--user",
                "0:0",
                "--entrypoint",
                "/bin/sh",
                tag,
                "-c",
                script,
                "sh",
                *args,
            ],
            timeout=600,
        )

    def scan_libraries(self, tag: str, workdir: str = "") -> LibraryScan:
        """ELF files under every site-packages/dist-packages folder, every virtualenv and
        ``workdir`` whose shared libraries do not resolve (``ldd`` … ``not found``)."""
        proc = self._sh(tag, SCAN_SCRIPT, [workdir])
        scan = LibraryScan(checked=True)
        for line in proc.stdout.splitlines():
            kind, _, rest = line.partition("\t")
            if kind == "D":
                scan.folders.append(rest)
            elif kind == "F":
                scan.files += 1
            elif kind == "U":
                file, _, library = rest.partition("\t")
                scan.unresolved.append(Unresolved(file, library))
            elif kind == "X":
                scan.checked, scan.note = False, rest
        if proc.returncode != 0 and scan.checked and not scan.folders:
            scan.checked = False
            scan.note = _first_line(proc.stderr) or f"the scan exited {proc.returncode}"
        return scan

    def find_owners(self, tag: str, libraries: Iterable[str]) -> dict[str, tuple[str, str]]:
        """``{library: (package, path)}`` as found in the image ``tag`` (empty strings when
        it has no such file, or no package manager owns it)."""
        names = sorted(set(libraries))
        if not names:
            return {}
        proc = self._sh(tag, OWNER_SCRIPT, names)
        owners: dict[str, tuple[str, str]] = {}
        for line in proc.stdout.splitlines():
            parts = line.split("\t")
            if len(parts) == 4 and parts[0] == "O":
                owners[parts[1]] = (parts[2].strip(), parts[3].strip())
        return owners


_STEP = re.compile(r"^#\d+ (\[|ERROR|CANCELED)")


def _is_step(line: str) -> bool:
    """A BuildKit plain-progress line that starts a step (``#5 [builder 2/4] RUN …``) or
    reports an error: enough to follow a long build without pip's whole output."""
    return bool(_STEP.match(line)) or line.startswith("ERROR")


# --------------------------------------------------------------------------- comparison


def compare(
    original: str,
    fixed: str,
    context: Path,
    *,
    docker: Docker,
    name: str = "dockerfile",
    smoke: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    keep_images: bool = False,
    target: str | None = None,
    ignore_file: Path | None = None,
    progress: Progress | None = None,
) -> Verification:
    """Build ``original`` and ``fixed`` (two Dockerfile texts) with the build context
    ``context``, run the smoke test in both, measure both, and scan the fixed image for
    unresolved shared libraries. When the texts are equal only the original is built and
    checked. Images are removed at the end unless ``keep_images``."""
    repo = image_repository(name)
    rewritten = fixed != original
    built: list[str] = []
    note = progress or (lambda _message: None)
    v: Verification | None = None
    try:
        first = docker.build(
            original,
            context,
            f"{repo}:original",
            label="original",
            target=target,
            ignore_file=ignore_file,
            progress=progress,
        )
        if first.ok:
            built.append(first.tag)
        v = Verification(name, rewritten, first, smoke_command=smoke)
        if not first.ok:
            return v
        if rewritten:
            second = docker.build(
                fixed,
                context,
                f"{repo}:fixed",
                label="fixed",
                target=target,
                ignore_file=ignore_file,
                progress=progress,
            )
            v.fixed = second
            if not second.ok:
                return v
            built.append(second.tag)
        note(f"[smoke] running {'`' + smoke + '`' if smoke else 'the image command'}")
        v.original_smoke = docker.smoke(first.tag, smoke, timeout)
        if rewritten:
            assert v.fixed is not None
            v.fixed_smoke = docker.smoke(v.fixed.tag, smoke, timeout)
        shipped = v.shipped
        assert shipped.image is not None
        note("[libraries] checking the shared libraries of the shipped image")
        v.libraries = docker.scan_libraries(shipped.tag, shipped.image.workdir)
        found = v.libraries.unresolved
        if rewritten and found:
            assert first.image is not None
            before = docker.scan_libraries(first.tag, first.image.workdir)
            old = {u.key() for u in before.unresolved}
            v.preexisting = [u for u in found if u.key() in old]
            new = [u for u in found if u.key() not in old]
            owners = docker.find_owners(first.tag, (u.library for u in new))
            for u in new:
                package, location = owners.get(u.library, ("", ""))
                v.unresolved.append(
                    Unresolved(u.file, u.library, package or None, location or None)
                )
        else:
            v.unresolved = list(found)
        return v
    finally:
        if not keep_images:
            docker.remove(built)
        elif v is not None:
            v.kept = list(built)


# --------------------------------------------------------------------------- report


def _mb(size: int) -> str:
    return f"{size / MB:,.1f} MB"


def _quote(lines: Iterable[str], limit: int = 12) -> list[str]:
    items = list(lines)
    shown = items[-limit:]
    out = [f"      | {line}" for line in shown]
    if len(items) > limit:
        out.insert(0, f"      | … ({len(items) - limit} earlier lines)")
    return out


def _row(label: str, text: str) -> str:
    return f"  {label:<10} {text}"


def render_text(v: Verification, *, path: str = "", context: str = "") -> str:
    """The human report printed by ``dockerlint-slim verify``."""
    lines = [f"Verifying {path or v.name}" + (f" (build context: {context})" if context else "")]
    if not v.rewritten:
        lines.append(
            _row("rewrite", "nothing to rewrite: the fixes leave the Dockerfile unchanged; ")
            + "checking the original alone"
        )
    for code, line, note in v.not_fixed:
        lines.append(f"    {code} (line {line}) not fixed: {note}")
    for build in (v.original, v.fixed):
        if build is None:
            continue
        size = _mb(build.image.size) if build.image else ""
        state = "ok" if build.ok else f"FAILED (exit {build.returncode})"
        lines.append(
            _row("build", f"{build.label:<9} {state:<6} {build.seconds:7.1f} s {size:>12}")
        )
        if not build.ok:
            lines.append(f"    the {build.label} Dockerfile does not build; the end of its output:")
            lines.extend(_quote(build.excerpt()))
    saving = v.saving
    if saving is not None:
        verb = "saving" if saving[0] >= 0 else "growth"
        lines.append(_row(verb, f"{_mb(abs(saving[0]))} ({abs(saving[1]):.1f} %)"))
    s0, s1 = v.original_smoke, v.fixed_smoke
    if s0 is not None:
        what = f"`{v.smoke_command}`" if v.smoke_command else "the image's own command"
        if not v.rewritten:
            verdict = "passes" if s0.ok else "FAILS"
            lines.append(_row("smoke", f"{what}: {verdict} ({s0.describe()})"))
            if not s0.ok:
                lines.extend(_quote(s0.output.splitlines()))
        elif s1 is not None and s0.same_as(s1):
            if s0.timed_out:
                lines.append(
                    _row(
                        "smoke",
                        f"{what}: still running after {s0.timeout:g} s in both images "
                        "(a server?): same behaviour; output not compared",
                    )
                )
            else:
                lines.append(
                    _row("smoke", f"{what}: same exit code ({s0.exit_code}) and standard output")
                )
                if s0.exit_code != 0:
                    lines.append("    note: it fails in both images; the rewrite kept that")
        elif s1 is not None:
            lines.append(_row("smoke", f"{what}: DIFFERS"))
            lines.append(f"    original: {s0.describe()}")
            lines.extend(_quote(s0.output.splitlines()))
            lines.append(f"    fixed:    {s1.describe()}")
            lines.extend(_quote(s1.output.splitlines()))
    scan = v.libraries
    if scan is not None:
        image = "fixed" if v.rewritten else "original"
        if not scan.checked:
            lines.append(_row("libraries", f"not checked in the {image} image ({scan.note})"))
        elif not v.unresolved:
            where = ", ".join(scan.folders[:4]) if scan.folders else "no Python folders found"
            if len(scan.folders) > 4:
                where += f" and {len(scan.folders) - 4} more"
            lines.append(
                _row(
                    "libraries",
                    f"{scan.files} ELF file{'' if scan.files == 1 else 's'} checked, all resolve",
                )
            )
            lines.append(f"    in {where}")
        else:
            lines.append(_row("libraries", f"{len(v.unresolved)} unresolved in the {image} image:"))
            for u in v.unresolved:
                if u.package:
                    hint = f" (package {u.package} in the original image)"
                elif u.location:
                    hint = f" (the original image has it at {u.location}, from no package)"
                elif v.rewritten:
                    hint = " (not in the original image either)"
                else:
                    hint = ""
                lines.append(f"    {u.file}: {u.library} not found{hint}")
        if v.preexisting:
            lines.append(
                _row(
                    "libraries",
                    f"{len(v.preexisting)} also unresolved in the original image (not counted):",
                )
            )
            lines.extend(f"    {u.file}: {u.library}" for u in v.preexisting)
    if v.kept:
        lines.append(_row("kept", " ".join(v.kept)))
    problems = v.problems()
    if not problems:
        if v.rewritten and saving is not None:
            lines.append(
                "Result: verified: the rewrite builds, behaves the same and is "
                + (f"{saving[1]:.1f} % smaller" if saving[0] >= 0 else "no smaller")
            )
        else:
            lines.append("Result: verified: nothing to rewrite; the original builds and passes")
    else:
        lines.append("Result: NOT verified: " + "; ".join(problems))
    return "\n".join(lines) + "\n"
