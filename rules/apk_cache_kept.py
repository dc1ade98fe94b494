"""DL3019: apk's package index cache left in a shipped layer."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.edits import Edit, Fix, Safety
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.shell import Command, Word

from ._common import (
    RUN_KEYWORDS,
    append_point,
    mounted_away,
    removes_folder,
    shell_commands,
    sudo_prefix,
)

# apk keeps indexes (and, when enabled, packages) in /etc/apk/cache when that folder exists,
# in /var/cache/apk otherwise
_FOLDERS = ("/var/cache/apk", "/etc/apk/cache")
# apk options that take a separate value (to find the applet word)
_WITH_VALUE = frozenset(
    {
        "-X",
        "--repository",
        "-p",
        "--root",
        "--arch",
        "--cache-dir",
        "--cache-max-age",
        "--keys-dir",
        "--repositories-file",
        "--timeout",
        "--wait",
        "-t",
        "--virtual",
    }
)
_WRITES = ("add", "upgrade")
_RM_TITLE = "Remove `/var/cache/apk/*` in the same `RUN`"


def _applet(cmd: Command) -> Word | None:
    args = cmd.args
    i = 0
    while i < len(args):
        t = args[i].text
        if not t.startswith("-"):
            return args[i]
        i += 2 if t in _WITH_VALUE else 1
    return None


def _keeps_cache(cmd: Command) -> bool:
    """``apk add``/``apk upgrade``/``apk update`` without ``--no-cache`` (``--no-network``
    fetches nothing)."""
    texts = cmd.arg_texts
    return "--no-cache" not in texts and "--no-network" not in texts


class ApkCacheKept(Rule):
    """
    ## What it does
    Checks for `apk add` and `apk upgrade` without `--no-cache`, and for `apk update`, in a
    stage that ships, when the same `RUN` does not remove `/var/cache/apk/*` afterwards and
    no cache mount covers that folder.

    Stages built on a Windows image are not judged: there is no apk there.

    An `ONBUILD RUN` is checked too: its trigger runs in every image built FROM this one,
    and what it leaves behind lands in their layers.

    ## Why is this bad?
    Without `--no-cache`, apk stores the index of every repository (`APKINDEX.*.tar.gz`,
    a few MB) in `/var/cache/apk`, fetching it on its own when it is missing or older than
    four hours; `apk update` does nothing else. In a `RUN` layer those files ship with the
    image. With `--no-cache` apk reads the indexes without storing them.

    Deleting a virtual package (`apk del .build-deps`) does not remove the indexes, and
    neither do `apk cache clean` and `apk cache purge`: they delete cached packages but keep
    the indexes of the configured repositories.

    ## Example
    ```dockerfile
    FROM python:3.12-alpine
    RUN apk add libpq
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-alpine
    RUN apk add --no-cache libpq
    ```

    ## Fix safety
    Safe: `--no-cache` is inserted after `add` or `upgrade`; apk then fetches the indexes
    it needs into memory, and installs the same packages. For `apk update`,
    ` && rm -rf /var/cache/apk/*` is appended to the `RUN` when an `apk add` follows it in
    the same `RUN` (a later apk call fetches the indexes again); no fix is offered for a
    lone `apk update` or when the `RUN` ends with a comment, an operator, inside an unclosed
    quote or test, or in a heredoc.
    In exec form the cleanup goes at the end of the script of `RUN ["/bin/sh", "-c", "…"]`
    (when its JSON string has no escapes); an exec form that starts no shell gets no cleanup.

    ## Differences from hadolint
    - `apk update` is reported too (hadolint looks at `apk add` only): it stores the
      indexes, and a later `apk add --no-cache` in the same `RUN` does not remove them.
    - An `apk add` without `--no-cache` whose `RUN` removes `/var/cache/apk/*` afterwards
      is not reported (hadolint reports it): nothing of the cache is left in the layer.
    - An `ONBUILD RUN` of a stage that does not ship is not reported: its trigger runs only
      when another stage is built FROM it, and such a stage would ship.

    ## References
    - [Alpine wiki: Local APK cache](https://wiki.alpinelinux.org/wiki/Local_APK_cache)
    - [apk-tools: apk-cache(5)](https://gitlab.alpinelinux.org/alpine/apk-tools/-/blob/master/doc/apk-cache.5.scd)
    - [hadolint DL3019](https://github.com/hadolint/hadolint/wiki/DL3019)
    """

    code = "DL3019"
    name = "apk-cache-kept"
    severity = Severity.INFO
    message = "apk stores the package indexes in `/var/cache/apk` in the image layer."
    fix_title = "Use `apk --no-cache`, or remove `/var/cache/apk/*` in the same `RUN`"
    fix_safety = Safety.SAFE
    hadolint = ("DL3019",)
    shipped_only = True
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        commands = shell_commands(inst)
        if not commands or stage.windows or mounted_away(inst, _FOLDERS):
            return
        for n, cmd in enumerate(commands):
            if cmd.name != "apk" or not _keeps_cache(cmd):
                continue
            applet = _applet(cmd)
            if applet is None or applet.text not in (*_WRITES, "update"):
                continue
            later = commands[n + 1 :]
            if any(removes_folder(c, _FOLDERS) for c in later):
                continue
            if applet.text in _WRITES:
                yield self.violation(
                    cmd.argv[0].start,
                    applet.end,
                    edits=[Edit(applet.end, applet.end, " --no-cache")],
                )
                continue
            adds = any(c.name == "apk" and (a := _applet(c)) and a.text in _WRITES for c in later)
            fix = f" && {sudo_prefix(cmd)}rm -rf /var/cache/apk/*"
            point = append_point(inst, ctx.dockerfile.text, fix) if adds else None
            yield Violation(
                cmd.argv[0].start,
                applet.end,
                "`apk update` stores the package indexes in `/var/cache/apk` in the image layer.",
                None if point is None else Fix(_RM_TITLE, (Edit(point, point, fix),), Safety.SAFE),
            )
