"""DL3040: dnf's metadata cache left in a shipped layer."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.edits import Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import RUN_KEYWORDS, rpm_cache_left

# the tools this rule judges, each with the folders that hold its cache: dnf 4 keeps it in
# /var/cache/dnf, dnf 5 in /var/cache/libdnf5, microdnf (libdnf) in /var/cache/yum
_FAMILIES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("dnf", "dnf5"), ("/var/cache/dnf", "/var/cache/libdnf5")),
    (("microdnf",), ("/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5")),
    (("tdnf",), ("/var/cache/tdnf",)),
)


class DnfCacheKept(Rule):
    """
    ## What it does
    Checks for `dnf` (also `dnf5`, `microdnf` and `tdnf`) commands that download repository
    metadata (`install`, `upgrade`, `group install`, `makecache`, …) in a stage that ships,
    with no `dnf clean all` (or `rm -rf /var/cache/dnf`) after them in the same `RUN` and
    no cache mount on the cache folder.

    Stages built on a Windows image are not judged: there is no dnf there.

    An `ONBUILD RUN` is checked too: its trigger runs in every image built FROM this one,
    and what it leaves behind lands in their layers.

    ## Why is this bad?
    dnf downloads the metadata of every enabled repository and builds solver caches from it
    in `/var/cache/dnf` (`/var/cache/yum` for microdnf, `/var/cache/libdnf5` for dnf 5):
    often 100 MB or more on Fedora and RHEL. In a `RUN` layer that cache ships with the
    image. Cleaning it in a later `RUN` does not help: the bytes stay in the earlier layer.

    ## Example
    ```dockerfile
    FROM registry.access.redhat.com/ubi9/python-311
    USER 0
    RUN dnf install -y libpq
    ```

    ## Use instead
    ```dockerfile
    FROM registry.access.redhat.com/ubi9/python-311
    USER 0
    RUN dnf install -y libpq && dnf clean all
    ```

    ## Fix safety
    Safe: ` && dnf clean all` (with the tool and `sudo` of the install) is appended to the
    end of the `RUN`; it runs only when everything before it succeeded, and a later dnf
    call downloads the metadata again. No fix is offered when the `RUN` ends with a comment,
    an operator or inside an unclosed quote or test, uses a heredoc, or installs into an
    `--installroot`.
    In exec form the cleanup goes at the end of the script of `RUN ["/bin/sh", "-c", "…"]`
    (when its JSON string has no escapes); an exec form that starts no shell gets no cleanup.

    ## Differences from hadolint
    - `rm -rf /var/cache/yum` after `dnf` does not count: dnf 4 keeps its cache in
      `/var/cache/dnf` (dnf 5 in `/var/cache/libdnf5`), so the metadata stays. It counts
      after `microdnf`, whose cache is there.
    - An `ONBUILD RUN` of a stage that does not ship is not reported: its trigger runs only
      when another stage is built FROM it, and such a stage would ship.

    ## References
    - [dnf: clean command](https://dnf.readthedocs.io/en/latest/command_ref.html#clean-command)
    - [hadolint DL3040](https://github.com/hadolint/hadolint/wiki/DL3040)
    """

    code = "DL3040"
    name = "dnf-cache-kept"
    severity = Severity.INFO
    message = "dnf leaves its repository metadata cache in the image layer."
    fix_title = "Append `dnf clean all` to the `RUN`"
    fix_safety = Safety.SAFE
    hadolint = ("DL3040",)
    shipped_only = True
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        if stage.windows:  # dnf is Linux only
            return
        for tools, folders in _FAMILIES:
            found = rpm_cache_left(inst, ctx.dockerfile.text, tools, folders)
            if found is None:
                continue
            cmd, sub, edit = found
            yield self.violation(
                cmd.argv[0].start,
                sub.end,
                message=f"{cmd.name} leaves its repository metadata cache in the image layer.",
                edits=[edit] if edit else [],
            )
