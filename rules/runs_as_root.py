"""DLS008: the shipped image never switches to an unprivileged user."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.commands import pip_call, useradd_call
from dockerlint_slim.edits import Edit, Safety, line_ending
from dockerlint_slim.findings import Severity
from dockerlint_slim.images import BaseInfo, classify
from dockerlint_slim.model import Dockerfile, Instruction, Stage, substitute
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import ROOT_USERS, arg_words, last_user

# image families whose images run as root unless a USER says otherwise
_ROOT_FAMILIES = frozenset(
    {
        "python",
        "debian",
        "ubuntu",
        "alpine",
        "buildpack-deps",
        "fedora",
        "centos",
        "rockylinux",
        "almalinux",
        "amazonlinux",
        "nvidia-cuda",
        "pytorch",
    }
)
# programs that start the application as another user from a root entry point
_DROPPERS = frozenset(
    {"gosu", "su-exec", "runuser", "setpriv", "chpst", "s6-setuidgid", "setuser", "supervisord"}
)
_UID = "10001"  # above every distribution's range of system and login users
_NAME = "app"


def _account_tool(info: BaseInfo) -> str | None:
    """How accounts are made on the image: ``useradd`` (Debian, Ubuntu) or ``adduser``
    (Alpine's BusyBox); None when the fix does not know the image."""
    if info.variant == "windows":
        return None
    if info.family == "alpine" or (info.family == "python" and info.variant == "alpine"):
        return "adduser"
    if info.family in ("python", "debian", "ubuntu", "buildpack-deps", "nvidia-cuda", "pytorch"):
        return "useradd" if info.variant != "alpine" else None
    return None


def _drops_privileges(insts: list[Instruction]) -> bool:
    """Whether the image starts as root on purpose, to run the application as another user:
    gosu, su-exec, … installed or started, or a process supervisor."""
    for inst in insts:
        if inst.keyword == "RUN":
            if any(w.text in _DROPPERS for c in inst.commands for w in c.argv):
                return True
        elif inst.keyword in ("CMD", "ENTRYPOINT"):
            words = inst.exec_args if inst.exec_args is not None else tuple(inst.args.split())
            if any(w.rsplit("/", 1)[-1] in _DROPPERS for w in words):
                return True
    return False


def _refusal(insts: list[Instruction]) -> str | None:
    """Why switching users after the last RUN could break the image, or None."""
    for inst in insts:
        kw = inst.keyword
        if kw == "RUN":
            for cmd in inst.commands:
                call = pip_call(cmd)
                if call is not None and "--user" in cmd.arg_texts:
                    return "packages are installed with `pip install --user` into root's home"
        elif kw == "EXPOSE":
            for word in inst.args.split():
                port, _ = substitute(word.split("/")[0].split("-")[0], inst.env)
                if port.isdigit() and int(port) < 1024:
                    return f"the application listens on port {port}, below 1024"
        elif kw in ("ENV", "CMD", "ENTRYPOINT", "WORKDIR") and "/root" in inst.args:
            return "the image uses files under `/root`, which another user cannot read"
        elif kw == "ONBUILD":
            return "the image has `ONBUILD` triggers that may need root"
    return None


def _created_user(insts: list[Instruction]) -> str | None:
    """The last account a RUN of the image creates (``useradd``/``adduser``), if any."""
    found = None
    for inst in insts:
        for cmd in inst.commands:
            call = useradd_call(cmd)
            if call is not None and call.name and "$" not in call.name:
                found = call.name
    return found


def _create(tool: str) -> str:
    if tool == "adduser":
        return f"RUN addgroup -S -g {_UID} {_NAME} && adduser -S -D -u {_UID} -G {_NAME} {_NAME}"
    return f"RUN useradd --system --no-log-init --create-home --user-group --uid {_UID} {_NAME}"


class RunsAsRoot(Rule):
    """
    ## What it does
    Checks the image that ships for a switch to an unprivileged user: reported when no
    `USER` instruction appears in the target stage or the stages it is built `FROM`, and the
    base image is one that runs as root (the official Python, Debian, Ubuntu, Alpine and
    RHEL-like images, NVIDIA CUDA, PyTorch). Not reported when the image starts as root on
    purpose to start the application as another user (`gosu`, `su-exec`, `runuser`,
    `setpriv`, `s6-setuidgid`, `chpst`, `supervisord`), nor for bases that may set a user of
    their own (unknown images). A `USER root` at the end is reported by DL3002.

    The rule is opt-in: most Dockerfiles have no `USER`, so it runs only when selected by
    its code or name (`--extend-select DLS008`, or `extend-select = ["runs-as-root"]` in the
    configuration); `ALL` and the prefix `DLS` do not turn it on.

    ## Why is this bad?
    A process running as root inside a container is root on the files and devices it can
    reach: a bug in the application, or in one of its dependencies, becomes a root shell,
    and a container escape starts with full rights. Kubernetes' `runAsNonRoot` refuses such
    images. hadolint's DL3002 looks only for an explicit `USER root`, so the common case,
    an image with no `USER` at all, goes unreported there.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    WORKDIR /app
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    COPY . .
    CMD ["python", "app.py"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    WORKDIR /app
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    RUN useradd --system --no-log-init --create-home --user-group --uid 10001 app
    USER 10001
    COPY . .
    CMD ["python", "app.py"]
    ```

    ## Fix safety
    Unsafe: the application runs as another user, who cannot write where root could. Right
    after the last `RUN` of the target stage (so every install and set-up step still runs as
    root) the fix creates a system account `app` with the fixed UID 10001 and its own group
    (`useradd --no-log-init` on Debian and Ubuntu images, BusyBox `addgroup`/`adduser` on
    Alpine) and switches to it with a numeric `USER 10001`, which Kubernetes can check. When a
    `RUN` of the image creates an account already, the fix switches to that one instead.
    Files copied in keep their owner (root) and stay readable; give a folder the
    application writes to with `COPY --chown=10001:10001` or a `chown` in a `RUN`.

    No fix is offered when the base's distribution is not known (the command that makes
    accounts differs), when packages are installed with `pip install --user` or the image
    uses files under `/root` (not readable by another user), when the application listens
    on a port below 1024, or when the image has `ONBUILD` triggers.

    ## References
    - [Docker: best practices, USER](https://docs.docker.com/build/building/best-practices/#user)
    - [Kubernetes: security context, runAsNonRoot](https://kubernetes.io/docs/tasks/configure-pod-container/security-context/)
    - [hadolint DL3002](https://github.com/hadolint/hadolint/wiki/DL3002)
    """

    code = "DLS008"
    name = "runs-as-root"
    severity = Severity.WARNING
    message = "The image runs as root: no `USER` switches to an unprivileged user."
    fix_title = "Create an unprivileged user and switch to it after the last `RUN`"
    fix_safety = Safety.UNSAFE
    hadolint = ()
    shipped_only = True
    keywords = frozenset({"FROM"})
    opt_in = True

    def finish(self, ctx: Context) -> Iterable[Violation]:
        df = ctx.dockerfile
        target = df.target
        if target is None or last_user(df, target) is not None:
            return
        root = list(df.lineage(target))[-1]
        info = classify(root.base)
        if info.family not in _ROOT_FAMILIES or info.variant == "windows":
            return
        insts = df.inherited_instructions(target)
        if _drops_privileges(insts):
            return
        yield self._violation(df, target, info, insts)

    def _violation(
        self, df: Dockerfile, target: Stage, info: BaseInfo, insts: list[Instruction]
    ) -> Violation:
        from_inst = target.from_instruction
        words = arg_words(from_inst.raw, df.text, df.scan.escape)
        start, end = (words[0].start, words[0].end) if words else (from_inst.start, from_inst.end)
        tool = _account_tool(info)
        why = _refusal(insts)
        if tool is None and why is None:
            why = "the base image's distribution is not known"
        if why is not None:
            return self.violation(start, end, note=f"no automatic fix: {why}")
        nl = line_ending(df.text)
        runs = [i for i in target.instructions if i.keyword == "RUN"]
        after = runs[-1] if runs else from_inst
        created = _created_user(insts)
        lines = []
        if created is None or created in ROOT_USERS:
            lines.append(_create(tool or "useradd"))
            lines.append(f"USER {_UID}")
        else:
            lines.append(f"USER {created}")
        content = "".join(line + nl for line in lines)
        at = after.end
        if not df.text[:at].endswith(("\n", "\r")):
            content = nl + content
        return self.violation(start, end, edits=[Edit(at, at, content)])
