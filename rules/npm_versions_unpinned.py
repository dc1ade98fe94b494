"""DL3016: npm install of packages without a pinned version."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.commands import npm_call
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation

from ._common import RUN_KEYWORDS, names_list, operand_values, shell_commands

# `npm install` and its aliases
_INSTALL = frozenset(
    {
        "install",
        "i",
        "in",
        "ins",
        "inst",
        "insta",
        "instal",
        "isnt",
        "isnta",
        "isntal",
        "isntall",
        "add",
    }
)
_GIT = ("git://", "git+ssh://", "git+http://", "git+https://", "github:", "gitlab:")
_PATH = ("/", "./", "../", "~/", "file:")
_TARBALL = (".tar", ".tar.gz", ".tgz")


def _pinned(spec: str) -> bool:
    """``name@version`` (or a tag or range), a git URL with ``#commit``, a tarball or a
    folder."""
    if spec.startswith(_GIT):
        return "#" in spec
    if spec.endswith(_TARBALL) or spec.startswith(_PATH):
        return True
    name = spec.split("/", 1)[1] if spec.startswith("@") and "/" in spec else spec
    return "@" in name


class NpmVersionsUnpinned(Rule):
    """
    ## What it does
    Checks for `npm install` (and its aliases `npm i`, `npm add`) in `RUN` and
    `ONBUILD RUN`, in every stage, that names a package without a version:
    `express@4.19.2`, a tag or a range (`express@^4`), a git URL with a commit
    (`…/repo.git#v1.0.27`), a tarball or a folder count as pinned. `npm install` without
    packages installs what `package.json` and its lock file say and is not reported.

    ## Why is this bad?
    Without a version, every build installs the newest release of the day: two builds of
    the same Dockerfile differ, and a new release can break the image without any change
    to the Dockerfile.

    ## Example
    ```dockerfile
    FROM node:22-slim
    RUN npm install --global express
    ```

    ## Use instead
    ```dockerfile
    FROM node:22-slim
    RUN npm install --global express@4.19.2
    ```

    ## Fix safety
    No fix: the version to pin is the one you have tested, which only you know.

    ## Differences from hadolint
    The aliases `npm i` and `npm add` are checked, and options before the subcommand
    (`npm --prefix /app install express`) are read as options.

    ## References
    - [npm install](https://docs.npmjs.com/cli/commands/npm-install)
    - [hadolint DL3016](https://github.com/hadolint/hadolint/wiki/DL3016)
    """

    code = "DL3016"
    name = "npm-versions-unpinned"
    severity = Severity.WARNING
    message = "npm installs packages without a pinned version."
    hadolint = ("DL3016",)
    shipped_only = False
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for cmd in shell_commands(inst):
            call = npm_call(cmd)
            if call is None or call.sub not in _INSTALL:
                continue
            loose = [(w, p) for w, p in operand_values(call.operands, inst) if not _pinned(p)]
            if loose:
                names = names_list([p for _, p in loose], 3)
                yield self.violation(
                    loose[0][0].start,
                    loose[0][0].end,
                    message=f"npm installs {names} without a pinned version (`package@version`).",
                )
