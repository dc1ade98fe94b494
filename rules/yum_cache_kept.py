"""DL3032: yum's metadata cache left in a shipped layer."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.edits import Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import RUN_KEYWORDS, rpm_cache_left

# yum 3 (CentOS 7) caches in /var/cache/yum; from RHEL 8 on, yum is dnf and uses /var/cache/dnf
_FOLDERS = ("/var/cache/yum", "/var/cache/dnf")


class YumCacheKept(Rule):
    """
    ## What it does
    Checks for `yum` commands that download repository metadata (`install`, `update`,
    `groupinstall`, `makecache`, …) in a stage that ships, with no `yum clean all` (or
    `rm -rf /var/cache/yum`) after them in the same `RUN` and no cache mount on the cache
    folder.

    Stages built on a Windows image are not judged: there is no yum there.

    An `ONBUILD RUN` is checked too: its trigger runs in every image built FROM this one,
    and what it leaves behind lands in their layers.

    ## Why is this bad?
    yum downloads the metadata of every enabled repository into `/var/cache/yum`
    (`/var/cache/dnf` where yum is dnf, from RHEL 8 on): often 100 MB or more. In a `RUN`
    layer that cache ships with the image. Cleaning it in a later `RUN` does not help: the
    bytes stay in the earlier layer.

    ## Example
    ```dockerfile
    FROM centos:7
    RUN yum -y install python3
    ```

    ## Use instead
    ```dockerfile
    FROM centos:7
    RUN yum -y install python3 && yum clean all
    ```

    ## Fix safety
    Safe: ` && yum clean all` (with the `sudo` of the install) is appended to the end of the
    `RUN`; it runs only when everything before it succeeded, and a later yum call downloads
    the metadata again. No fix is offered when the `RUN` ends with a comment, an operator
    or inside an unclosed quote or test, uses a heredoc, or installs into an `--installroot`.
    In exec form the cleanup goes at the end of the script of `RUN ["/bin/sh", "-c", "…"]`
    (when its JSON string has no escapes); an exec form that starts no shell gets no cleanup.

    ## Differences from hadolint
    An `ONBUILD RUN` of a stage that does not ship is not reported: its trigger runs only
    when another stage is built FROM it, and such a stage would ship.

    ## References
    - [dnf (yum from RHEL 8 on): clean command](https://dnf.readthedocs.io/en/latest/command_ref.html#clean-command)
    - [hadolint DL3032](https://github.com/hadolint/hadolint/wiki/DL3032)
    """

    code = "DL3032"
    name = "yum-cache-kept"
    severity = Severity.INFO
    message = "yum leaves its repository metadata cache in the image layer."
    fix_title = "Append `yum clean all` to the `RUN`"
    fix_safety = Safety.SAFE
    hadolint = ("DL3032",)
    shipped_only = True
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        if stage.windows:  # yum is Linux only
            return
        found = rpm_cache_left(inst, ctx.dockerfile.text, ("yum",), _FOLDERS)
        if found is not None:
            cmd, sub, edit = found
            yield self.violation(cmd.argv[0].start, sub.end, edits=[edit] if edit else [])
