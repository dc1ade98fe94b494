"""``dockerlint-slim verify`` and :mod:`dockerlint_slim.verify`.

The unit tests run the real code against a fake docker client: a small Python program (env
``DOCKER``) that answers from a scenario file and records every call. The tests marked
``e2e`` build real images on the local engine.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from dockerlint_slim import verify
from dockerlint_slim.cli import cli
from tests.support import cli_runner

ERROR_PREFIX = "dockerlint-slim: error: "
# DL3042's safe fix adds --no-cache-dir: a rewrite that needs no rule in progress
NEEDS_FIX = 'FROM python:3.11-slim\nRUN pip install six\nCMD ["python", "-c", "print(1)"]\n'
CLEAN = NEEDS_FIX.replace("pip install", "pip install --no-cache-dir")
LIBPQ_FILE = "/opt/venv/lib/python3.11/site-packages/psycopg2/_psycopg.cpython-311.so"

FAKE_DOCKER = r"""
import json, os, sys, time
from pathlib import Path

state = Path(__file__).resolve().parent
scenario = json.loads((state / "scenario.json").read_text())
argv = sys.argv[1:]
entry = {"argv": argv, "buildkit": os.environ.get("DOCKER_BUILDKIT")}


def kind(tag):
    return tag.rsplit(":", 1)[-1]


def done(rc=0, out="", err=""):
    with open(state / "calls.jsonl", "a") as log:
        log.write(json.dumps(entry) + "\n")
    sys.stdout.write(out)
    sys.stderr.write(err)
    sys.exit(rc)


cmd = argv[0] if argv else ""
if cmd == "info":
    done(scenario.get("info_rc", 0), scenario.get("server", "20.10.24") + "\n",
         scenario.get("info_stderr", ""))
if cmd == "version":
    done(0, scenario.get("client", "20.10.24") + "\n")
if cmd == "buildx":
    done(scenario.get("buildx_rc", 1), "", "docker: 'buildx' is not a docker command.\n")
if cmd == "build":
    dockerfile = Path(argv[argv.index("-f") + 1])
    tag = argv[argv.index("-t") + 1]
    entry["dockerfile"] = str(dockerfile)
    entry["text"] = dockerfile.read_text()
    spec = scenario.get("build", {}).get(kind(tag), {})
    out = "#1 [internal] load build definition from Dockerfile\n#2 [1/2] FROM x\n"
    done(spec.get("rc", 0), out + spec.get("output", ""))
if argv[:2] == ["image", "inspect"]:
    image = scenario["images"].get(kind(argv[2]))
    if image is None:
        done(1, "", "Error: No such image\n")
    done(0, json.dumps([image]))
if argv[:2] == ["image", "rm"] or cmd == "rm":
    if cmd == "rm":
        (state / ("removed-" + argv[-1])).write_text("")
    done(0)
if cmd == "run":
    rest, name = argv[1:], None
    while rest[0].startswith("-"):
        option = rest.pop(0)
        if option in ("--name", "--network", "--user", "--entrypoint"):
            value = rest.pop(0)
            if option == "--name":
                name = value
    image, args = rest[0], rest[1:]
    script = args[1] if args[:1] == ["-c"] else None
    if script and "ldd" in script:
        done(0, scenario.get("scan", {}).get(kind(image), ""))
    if script and "dpkg -S" in script:
        done(0, scenario.get("owners", {}).get(kind(image), ""))
    entry["smoke"] = script
    spec = scenario.get("smoke", {}).get(kind(image), {})
    if spec.get("server"):
        while not (state / ("removed-" + name)).exists():
            time.sleep(0.05)
        done(137, spec.get("stdout", ""))
    done(spec.get("rc", 0), spec.get("stdout", ""), spec.get("stderr", ""))
done(1, "", "fake docker: unexpected call " + " ".join(argv) + "\n")
"""


def image(size: int, workdir: str = "/app") -> dict[str, Any]:
    return {"Size": size, "Config": {"Cmd": ["python3"], "Entrypoint": None, "WorkingDir": workdir}}


BASE_SCENARIO: dict[str, Any] = {
    "images": {"original": image(1_000_000_000), "fixed": image(150_000_000)},
    "smoke": {
        "original": {"rc": 0, "stdout": "1\n"},
        "fixed": {"rc": 0, "stdout": "1\n"},
    },
    "scan": {
        "original": "D\t/usr/local/lib/python3.11/site-packages\n",
        "fixed": "D\t/opt/venv\nD\t/opt/venv/lib/python3.11/site-packages\nF\t/opt/venv/x.so\n",
    },
}


class Fake:
    def __init__(self, root: Path, folder: str = "fake-docker") -> None:
        self.state = root / folder
        self.state.mkdir()
        self.binary = self.state / "docker"
        self.binary.write_text(f"#!{sys.executable}\n{FAKE_DOCKER}")
        self.binary.chmod(self.binary.stat().st_mode | stat.S_IXUSR)
        self.scenario(BASE_SCENARIO)

    def scenario(self, data: dict[str, Any], **changes: Any) -> None:
        merged = json.loads(json.dumps(data))
        for key, value in changes.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key].update(value)
            else:
                merged[key] = value
        (self.state / "scenario.json").write_text(json.dumps(merged))

    def update(self, **changes: Any) -> None:
        current = json.loads((self.state / "scenario.json").read_text())
        self.scenario(current, **changes)

    def calls(self) -> list[dict[str, Any]]:
        log = self.state / "calls.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines()]

    def commands(self, *prefix: str) -> list[list[str]]:
        return [c["argv"] for c in self.calls() if c["argv"][: len(prefix)] == list(prefix)]

    def env(self) -> dict[str, str]:
        return {"DOCKER": str(self.binary)}


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Fake:
    fake = Fake(tmp_path)
    for key, value in fake.env().items():
        monkeypatch.setenv(key, value)
    return fake


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "Dockerfile").write_text(NEEDS_FIX)
    monkeypatch.chdir(tmp_path)
    for name in ("NO_COLOR", "FORCE_COLOR", "DOCKERLINT_SLIM_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return folder


def run(*args: str) -> Result:
    return cli_runner().invoke(cli, ["verify", *args], catch_exceptions=False)


def assert_one_line_error(result: Result, *fragments: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(ERROR_PREFIX)
    for fragment in fragments:
        assert fragment in lines[0]
    assert result.stdout == ""
    return lines[0]


# --------------------------------------------------------------------------- engine and input


def test_no_engine_is_exit_2_with_one_line(fake: Fake, project: Path) -> None:
    fake.update(info_rc=1, server="", info_stderr="Cannot connect to the Docker daemon.\n")
    line = assert_one_line_error(run("proj/Dockerfile"), "no Docker engine is reachable")
    assert "Cannot connect to the Docker daemon" in line
    assert fake.commands("build") == []


def test_missing_docker_client_is_exit_2(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER", str(project / "no-such-docker"))
    assert_one_line_error(run("proj/Dockerfile"), "no-such-docker", "no such program")


def test_no_docker_anywhere_is_exit_2(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DOCKER", raising=False)
    monkeypatch.setattr(verify, "FALLBACK_CLIENT", str(tmp_path / "no-usr-bin-docker"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert_one_line_error(run("proj/Dockerfile"), "no docker client")


def test_new_client_without_buildx_is_refused(fake: Fake) -> None:
    fake.update(client="28.2.2", buildx_rc=1)
    with pytest.raises(verify.EngineUnavailable, match="no buildx plugin"):
        verify.find_docker()
    fake.update(buildx_rc=0)
    assert verify.find_docker().client_version == "28.2.2"


def test_a_new_client_without_buildx_on_path_falls_back_to_usr_bin_docker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_path, usr_bin = Fake(tmp_path, "path"), Fake(tmp_path, "usr-bin")
    on_path.update(client="28.2.2", buildx_rc=1)
    monkeypatch.delenv("DOCKER", raising=False)
    monkeypatch.setenv("PATH", str(on_path.state))
    monkeypatch.setattr(verify, "FALLBACK_CLIENT", str(usr_bin.binary))
    assert verify.find_docker().binary == str(usr_bin.binary)
    assert on_path.commands("buildx") == [["buildx", "version"]]
    on_path.update(buildx_rc=0)
    assert verify.find_docker().binary == str(on_path.binary)


def test_old_client_has_buildkit_built_in(fake: Fake) -> None:
    docker = verify.find_docker()
    assert (docker.binary, docker.server_version) == (str(fake.binary), "20.10.24")
    assert fake.commands("buildx") == []


def test_missing_file_is_exit_2(fake: Fake, project: Path) -> None:
    assert_one_line_error(run("proj/Nope"), "proj/Nope", "no such file")


def test_unparseable_dockerfile_is_exit_2(fake: Fake, project: Path) -> None:
    (project / "Dockerfile").write_text("FROM x\nFOO bar\n")
    assert_one_line_error(run("proj/Dockerfile"), "proj/Dockerfile:2:")
    assert fake.commands("build") == []


def test_context_must_be_a_folder(fake: Fake, project: Path) -> None:
    assert_one_line_error(run("--context", "missing", "proj/Dockerfile"), "--context", "missing")


def test_a_crash_while_fixing_is_one_line(
    fake: Fake, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dockerlint_slim.fixer

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("rule bug")

    monkeypatch.setattr(dockerlint_slim.fixer, "fix_text", boom)
    assert_one_line_error(run("proj/Dockerfile"), "internal error (RuntimeError: rule bug)")
    assert fake.commands("build") == []


def test_no_engine_from_the_command_line_has_no_traceback(fake: Fake, project: Path) -> None:
    fake.update(info_rc=1, server="", info_stderr="Cannot connect to the Docker daemon.\n")
    proc = subprocess.run(
        [sys.executable, "-m", "dockerlint_slim", "verify", "proj/Dockerfile"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"{ERROR_PREFIX}no Docker engine is reachable "
        f"({fake.binary} info: Cannot connect to the Docker daemon.)"
    ]


def test_verify_is_not_imported_by_check() -> None:
    code = "import sys, dockerlint_slim.cli; print('dockerlint_slim.verify' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- comparisons


def test_verified_rewrite(fake: Fake, project: Path) -> None:
    result = run("proj/Dockerfile")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "build      original  ok" in out and "build      fixed     ok" in out
    assert "1,000.0 MB" in out and "150.0 MB" in out
    assert "saving     850.0 MB (85.0 %)" in out
    assert "same exit code (0) and standard output" in out
    assert "1 ELF file checked, all resolve" in out
    assert out.rstrip().endswith(
        "Result: verified: the rewrite builds, behaves the same and is 85.0 % smaller"
    )
    builds = [c for c in fake.calls() if c["argv"][0] == "build"]
    assert [b["text"] for b in builds] == [NEEDS_FIX, CLEAN]
    assert all(b["buildkit"] == "1" for b in builds)
    for b in builds:
        argv = b["argv"]
        assert argv[-1] == "proj"  # the build context
        assert not Path(b["dockerfile"]).resolve().is_relative_to(project.resolve())
        assert "--progress=plain" in argv
    # nothing was written into the project, and both images are removed again
    assert sorted(p.name for p in project.iterdir()) == ["Dockerfile"]
    assert (project / "Dockerfile").read_text() == NEEDS_FIX
    [removed] = fake.commands("image", "rm")
    assert [t.rsplit(":", 1)[1] for t in removed[2:]] == ["original", "fixed"]
    assert all(t.startswith("dockerlint-slim-verify/proj-") for t in removed[2:])
    # the default smoke test is the image's own command
    smokes = [c for c in fake.calls() if "smoke" in c]
    assert len(smokes) == 2 and all(c["smoke"] is None for c in smokes)
    assert "--entrypoint" not in smokes[0]["argv"]
    # progress goes to stderr
    assert "[original] built in" in result.stderr and "[fixed] built in" in result.stderr


def test_sizes_and_saving_in_json(fake: Fake, project: Path) -> None:
    fake.update(images={"original": image(1_234_567_890), "fixed": image(234_567_890)})
    result = run("--format", "json", "proj/Dockerfile")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["problems"] == []
    assert data["original"]["size"] == 1_234_567_890
    assert data["fixed"]["size"] == 234_567_890
    assert data["saving"] == {"bytes": 1_000_000_000, "percent": 81.0}
    assert data["dockerfile"] == "proj/Dockerfile"


def test_fixed_build_failure_is_exit_1(fake: Fake, project: Path) -> None:
    fake.update(build={"fixed": {"rc": 1, "output": "#5 ERROR: process did not complete\n"}})
    result = run("proj/Dockerfile")
    assert result.exit_code == 1
    assert "build      fixed     FAILED (exit 1)" in result.stdout
    assert "#5 ERROR: process did not complete" in result.stdout
    assert "Result: NOT verified: the fixed Dockerfile does not build" in result.stdout
    assert not [c for c in fake.calls() if c["argv"][0] == "run"]
    # the original was built, so it is removed; the failed tag never existed
    [removed] = fake.commands("image", "rm")
    assert [t.rsplit(":", 1)[1] for t in removed[2:]] == ["original"]


def test_original_build_failure_is_exit_1_and_stops(fake: Fake, project: Path) -> None:
    fake.update(build={"original": {"rc": 1, "output": "ERROR: failed to solve\n"}})
    result = run("proj/Dockerfile")
    assert result.exit_code == 1
    assert "the original Dockerfile does not build, so there is nothing to compare" in (
        result.stdout
    )
    assert len(fake.commands("build")) == 1
    assert fake.commands("image", "rm") == []


def test_smoke_stderr_alone_does_not_count(fake: Fake, project: Path) -> None:
    warning = "warning: `--no-sync` has no effect when used outside of a project\n"
    fake.update(
        smoke={"original": {"stdout": "ok\n", "stderr": warning}, "fixed": {"stdout": "ok\n"}}
    )
    result = run("proj/Dockerfile")
    assert "same exit code (0) and standard output" in result.stdout, result.stdout
    assert result.exit_code == 0
    fake.update(smoke={"original": {"stdout": "ok\n"}, "fixed": {"stdout": "ok?\n"}})
    assert run("proj/Dockerfile").exit_code == 1


def test_smoke_mismatch_is_exit_1(fake: Fake, project: Path) -> None:
    fake.update(
        smoke={
            "fixed": {
                "rc": 1,
                "stderr": "ImportError: libpq.so.5: cannot open shared object file\n",
            }
        }
    )
    result = run("--smoke", "python -c 'import psycopg2'", "proj/Dockerfile")
    assert result.exit_code == 1
    out = result.stdout
    assert "smoke      `python -c 'import psycopg2'`: DIFFERS" in out
    assert "original: exit 0" in out and "fixed:    exit 1" in out
    assert "ImportError: libpq.so.5" in out
    assert "the smoke test behaves differently in the fixed image" in out
    smokes = [c for c in fake.calls() if "smoke" in c]
    assert [c["smoke"] for c in smokes] == ["python -c 'import psycopg2'"] * 2
    argv = smokes[0]["argv"]
    assert argv[argv.index("--entrypoint") + 1] == "/bin/sh"


def test_report_shows_the_images_escape_sequences_escaped(fake: Fake, project: Path) -> None:
    fake.update(smoke={"fixed": {"rc": 1, "stderr": "\x1b]0;pwned\x07\x1b[31mboom\u202e\n"}})
    result = run("proj/Dockerfile")
    assert result.exit_code == 1
    assert "\\x1b]0;pwned\\x07\\x1b[31mboom\\u202e" in result.stdout
    assert "\x1b" not in result.stdout + result.stderr and "\u202e" not in result.stdout


def test_same_output_different_exit_code_is_a_mismatch(fake: Fake, project: Path) -> None:
    fake.update(smoke={"fixed": {"rc": 3, "stdout": "1\n"}})
    assert run("proj/Dockerfile").exit_code == 1


def test_servers_running_until_the_timeout_in_both_match(fake: Fake, project: Path) -> None:
    fake.update(
        smoke={
            "original": {"server": True, "stdout": "listening at 10:00:01\n"},
            "fixed": {"server": True, "stdout": "listening at 10:00:07\n"},
        }
    )
    result = run("--timeout", "1", "proj/Dockerfile")
    assert result.exit_code == 0, result.stdout
    assert "still running after 1 s in both images" in result.stdout
    # each container was stopped by name
    assert len(fake.commands("rm", "-f")) == 2


def test_server_in_one_image_only_is_a_mismatch(fake: Fake, project: Path) -> None:
    fake.update(smoke={"original": {"server": True}, "fixed": {"rc": 1, "stderr": "boom\n"}})
    result = run("--timeout", "1", "proj/Dockerfile")
    assert result.exit_code == 1
    assert "original: still running after 1 s (stopped)" in result.stdout


def test_unresolved_library_is_reported_with_its_package(fake: Fake, project: Path) -> None:
    fake.update(
        scan={"fixed": f"D\t/opt/venv\nF\t{LIBPQ_FILE}\nU\t{LIBPQ_FILE}\tlibpq.so.5\n"},
        owners={"original": "O\tlibpq.so.5\tlibpq5\t/usr/lib/x86_64-linux-gnu/libpq.so.5\n"},
    )
    result = run("--format", "json", "proj/Dockerfile")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["libraries"]["unresolved"] == [
        {
            "file": LIBPQ_FILE,
            "library": "libpq.so.5",
            "package": "libpq5",
            "found": "/usr/lib/x86_64-linux-gnu/libpq.so.5",
        }
    ]
    assert data["problems"] == ["1 shared library does not resolve in the fixed image"]
    # the owner is looked up in the original image, by the library's name
    owner_runs = [
        c["argv"] for c in fake.calls() if c["argv"][0] == "run" and "libpq.so.5" in c["argv"]
    ]
    assert len(owner_runs) == 1 and owner_runs[0][-1] == "libpq.so.5"
    assert any(a.endswith(":original") for a in owner_runs[0])

    text = run("proj/Dockerfile").stdout
    assert f"{LIBPQ_FILE}: libpq.so.5 not found (package libpq5 in the original image)" in text


def test_library_unresolved_in_the_original_too_is_not_counted(fake: Fake, project: Path) -> None:
    optional = "/usr/local/lib/python3.11/site-packages/pkg/_optional.so"
    fake.update(
        scan={
            "original": f"D\t/usr/local/lib/python3.11/site-packages\nU\t{optional}\tlibfoo.so.1\n",
            "fixed": "D\t/opt/venv\nU\t/opt/venv/pkg/_optional.so\tlibfoo.so.1\n",
        }
    )
    result = run("proj/Dockerfile")
    assert result.exit_code == 0, result.stdout
    assert "1 also unresolved in the original image (not counted)" in result.stdout


def test_library_missing_from_the_original_too(fake: Fake, project: Path) -> None:
    fake.update(
        scan={"fixed": "U\t/opt/venv/a.so\tlibbar.so.2\n"},
        owners={"original": "O\tlibbar.so.2\t\t\n"},
    )
    result = run("proj/Dockerfile")
    assert result.exit_code == 1
    assert "/opt/venv/a.so: libbar.so.2 not found (not in the original image either)" in (
        result.stdout
    )


def test_image_without_ldd_is_reported_as_not_checked(fake: Fake, project: Path) -> None:
    fake.update(scan={"fixed": "X\tno ldd in the image\n"})
    result = run("proj/Dockerfile")
    assert result.exit_code == 0
    assert "libraries  not checked in the fixed image (no ldd in the image)" in result.stdout


def test_nothing_to_rewrite_builds_the_original_only(fake: Fake, project: Path) -> None:
    (project / "Dockerfile").write_text(CLEAN)
    result = run("proj/Dockerfile")
    assert result.exit_code == 0, result.stdout
    assert "nothing to rewrite" in result.stdout
    assert "smoke      the image's own command: passes (exit 0)" in result.stdout
    assert "Result: verified: nothing to rewrite" in result.stdout
    builds = fake.commands("build")
    assert len(builds) == 1 and builds[0][builds[0].index("-t") + 1].endswith(":original")


def test_a_refused_rewrite_shows_its_reason(fake: Fake, project: Path) -> None:
    (project / "Dockerfile").write_text(
        "ARG BASE=python:3.11\nFROM $BASE\nRUN pip install --no-cache-dir psycopg2==2.9.9\n"
        'CMD ["python", "-c", "import psycopg2"]\n'
    )
    result = run("proj/Dockerfile")
    assert "nothing to rewrite" in result.stdout
    assert (
        "    DLS007 (line 2) not fixed: no automatic rewrite: the base image `$BASE` is chosen "
        "by an ARG in a form the rewrite cannot carry" in result.stdout
    )
    data = json.loads(run("--format", "json", "proj/Dockerfile").stdout)
    assert data["rewritten"] is False
    [entry] = [e for e in data["not_fixed"] if e["code"] == "DLS007"]
    assert entry["line"] == 2 and "ARG" in entry["note"]
    # DLS007 reports the whole problem: DLS001 on the same base is not listed twice
    assert [e for e in data["not_fixed"] if e["code"] == "DLS001"] == []
    (project / "Dockerfile").write_text(CLEAN)
    assert json.loads(run("--format", "json", "proj/Dockerfile").stdout)["not_fixed"] == []


def test_nothing_to_rewrite_but_the_smoke_test_fails(fake: Fake, project: Path) -> None:
    (project / "Dockerfile").write_text(CLEAN)
    fake.update(smoke={"original": {"rc": 2, "stderr": "no\n"}})
    result = run("--smoke", "false", "proj/Dockerfile")
    assert result.exit_code == 1
    assert "Result: NOT verified: the smoke test fails" in result.stdout


def test_keep_images_prints_the_tags(fake: Fake, project: Path) -> None:
    result = run("--keep-images", "proj/Dockerfile")
    assert result.exit_code == 0
    assert fake.commands("image", "rm") == []
    [line] = [x for x in result.stdout.splitlines() if x.startswith("  kept       ")]
    tags = line.split()[1:]
    assert [t.split(":")[1] for t in tags] == ["original", "fixed"]
    assert tags == [a[a.index("-t") + 1] for a in fake.commands("build")]


def test_context_option_is_the_build_context(fake: Fake, project: Path, tmp_path: Path) -> None:
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile").write_text(NEEDS_FIX)
    assert run("--context", "proj", "docker/Dockerfile").exit_code == 0
    assert all(argv[-1] == "proj" for argv in fake.commands("build"))


def test_dockerfile_specific_ignore_file_is_used(fake: Fake, project: Path) -> None:
    (project / "api.Dockerfile").write_text(NEEDS_FIX)
    (project / "api.Dockerfile.dockerignore").write_text("secrets/\n")
    assert run("proj/api.Dockerfile").exit_code == 0
    for call in fake.calls():
        if call["argv"][0] == "build":
            copy = Path(call["dockerfile"]).with_name("Dockerfile.dockerignore")
            assert call["dockerfile"].endswith("/Dockerfile")
            assert not copy.exists()  # the temporary folder is gone again


# --------------------------------------------------------------------------- end to end

TINY = textwrap.dedent(
    """\
    FROM python:3.11
    WORKDIR /app
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    COPY app.py .
    CMD ["python", "app.py"]
    """
)
PSYCOPG2_SMOKE = "python -c 'import psycopg2; print(psycopg2.__version__.split()[0])'"
PSYCOPG2_ORIGINAL = "FROM python:3.11\nRUN pip install --no-cache-dir psycopg2==2.9.9\n"
# the classic broken rewrite: the venv is copied into the slim image, libpq5 is not installed
PSYCOPG2_BROKEN = textwrap.dedent(
    """\
    FROM python:3.11 AS builder
    RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir psycopg2==2.9.9

    FROM python:3.11-slim
    COPY --from=builder /opt/venv /opt/venv
    ENV PATH=/opt/venv/bin:$PATH
    """
)


def _images(docker: verify.Docker, repository_prefix: str) -> list[str]:
    proc = docker.run(["image", "ls", "--format", "{{.Repository}}:{{.Tag}}"])
    return [line for line in proc.stdout.splitlines() if line.startswith(repository_prefix)]


@pytest.mark.e2e
def test_e2e_verify_command(docker_engine: verify.Docker, tmp_path: Path) -> None:
    project = tmp_path / "tinyapp"
    project.mkdir()
    (project / "Dockerfile").write_text(TINY)
    (project / "requirements.txt").write_text("six==1.16.0\n")
    (project / "app.py").write_text("import six\nprint('six', six.__version__)\n")
    before = sorted(p.name for p in project.iterdir())
    env = {**os.environ, "DOCKER": docker_engine.binary}
    proc = subprocess.run(
        [sys.executable, "-m", "dockerlint_slim", "verify", "--format", "json", "Dockerfile"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["rewritten"] is True
    assert data["smoke"]["original"]["stdout"] == "six 1.16.0\n"
    assert data["smoke"]["matches"] is True
    assert data["fixed"]["size"] < data["original"]["size"] / 3
    assert data["libraries"]["checked"] is True
    assert "/app" in data["libraries"]["folders"]
    assert sorted(p.name for p in project.iterdir()) == before
    assert _images(docker_engine, "dockerlint-slim-verify/tinyapp-") == []


@pytest.mark.e2e
def test_e2e_missing_library_is_traced_to_its_package(
    docker_engine: verify.Docker, tmp_path: Path
) -> None:
    result = verify.compare(
        PSYCOPG2_ORIGINAL,
        PSYCOPG2_BROKEN,
        tmp_path,
        docker=docker_engine,
        name="psycopg2-broken",
        smoke=PSYCOPG2_SMOKE,
    )
    assert result.original.ok and result.fixed is not None and result.fixed.ok
    assert result.original_smoke is not None and result.original_smoke.stdout == "2.9.9\n"
    assert result.fixed_smoke is not None and result.fixed_smoke.exit_code == 1
    assert "libpq.so.5" in result.fixed_smoke.stderr
    assert result.smoke_matches is False
    [missing] = result.unresolved
    assert missing.library == "libpq.so.5" and missing.package == "libpq5"
    assert missing.file.startswith("/opt/venv/lib/python3.11/site-packages/psycopg2/_psycopg")
    assert not result.ok
    report = verify.render_text(result)
    assert "libpq.so.5 not found (package libpq5 in the original image)" in report
    assert _images(docker_engine, "dockerlint-slim-verify/psycopg2-broken-") == []


@pytest.mark.e2e
def test_e2e_libraries_bundled_in_a_wheel_resolve(
    docker_engine: verify.Docker, tmp_path: Path
) -> None:
    """Pillow's wheel bundles libraries in pillow.libs/ that need each other: no alarm."""
    tag = f"dockerlint-slim-verify/bundled-{uuid.uuid4().hex[:8]}:test"
    text = "FROM python:3.11-slim\nRUN pip install --no-cache-dir Pillow==10.4.0\n"
    build = docker_engine.build(text, tmp_path, tag)
    try:
        assert build.ok, "\n".join(build.log[-20:])
        scan = docker_engine.scan_libraries(tag)
        assert scan.checked and scan.files > 10
        assert any(f.endswith(("site-packages", "dist-packages")) for f in scan.folders)
        assert scan.unresolved == [], scan.unresolved
    finally:
        docker_engine.remove([tag])
