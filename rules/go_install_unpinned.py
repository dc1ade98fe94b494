"""DL3062: go install, go get or go run of a module without a pinned version."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.shell import Word

from ._common import RUN_KEYWORDS, names_list, operand_values, shell_commands

# `go build` flags that take a separate value (go help build)
_VALUE_FLAGS = frozenset(
    {
        "-C",
        "-p",
        "-asmflags",
        "-buildmode",
        "-buildvcs",
        "-compiler",
        "-gccgoflags",
        "-gcflags",
        "-installsuffix",
        "-ldflags",
        "-mod",
        "-modfile",
        "-overlay",
        "-pgo",
        "-pkgdir",
        "-tags",
        "-toolexec",
        "-exec",
    }
)
# version queries that move: the newest release, or the tip of a branch
_MOVING = frozenset({"latest", "upgrade", "patch", "master", "main", "head"})


def _packages(args: tuple[Word, ...]) -> list[Word]:
    out: list[Word] = []
    i = 0
    while i < len(args):
        t = args[i].text
        i += 1
        if t.startswith("-") and t != "-":
            name = "-" + t.lstrip("-").split("=", 1)[0]
            if "=" not in t and name in _VALUE_FLAGS:
                i += 1
            continue
        out.append(args[i - 1])
    return out


def _pinned(package: str) -> bool:
    """``module/cmd@v1.2.3`` (or a commit), a local package (``.``, ``./cmd/...``, a
    ``.go`` file) or the ``tool`` pattern (the tools of the main module), which build at the
    versions of the main module's go.mod; ``@none`` removes a module and installs nothing."""
    if package.startswith((".", "/")) or package.endswith(".go") or package == "tool":
        return True
    _, at, version = package.partition("@")
    return bool(at) and version.lower() not in _MOVING


# what each go subcommand that fetches modules does to them, for the message
_VERBS = {"install": "installs", "get": "adds", "run": "runs"}


class GoInstallUnpinned(Rule):
    """
    ## What it does
    Checks for `go install`, `go get` and `go run` in `RUN` and `ONBUILD RUN`, in every
    stage, of a package without a version (`golang.org/x/tools/gopls`) or with a version
    that moves (`@latest`, `@master`, `@main`, `@HEAD`, `@upgrade`, `@patch`). Local
    packages (`.`, `./cmd/...`, `main.go`) and the `tool` pattern build at the versions of
    the main module's `go.mod` and are not reported. For `go run` only the package is
    judged: the words after it are the program's arguments.

    ## Why is this bad?
    Without a fixed version every build installs (or runs) whatever the module's newest
    release or branch tip is that day: two builds of the same Dockerfile differ, and a new
    release can break the image without any change to the Dockerfile.

    ## Example
    ```dockerfile
    FROM golang:1.22 AS tools
    RUN go install golang.org/x/tools/gopls@latest
    ```

    ## Use instead
    ```dockerfile
    FROM golang:1.22 AS tools
    RUN go install golang.org/x/tools/gopls@v0.16.1
    ```

    ## Fix safety
    No fix: the version to pin is the one you have tested, which only you know.

    ## Differences from hadolint
    Branch tips (`@master`, `@main`, `@HEAD`) and the `@upgrade` and `@patch` queries move
    like `@latest` and are reported too; the values of build flags (`-tags netgo`) are not
    taken for packages. `go run main.go` (a file of the build context) and `go get
    module@none` (which removes the module from `go.mod`) fetch nothing and are not
    reported, where hadolint reports both.

    ## References
    - [go install](https://pkg.go.dev/cmd/go#hdr-Compile_and_install_packages_and_dependencies)
    - [go get](https://pkg.go.dev/cmd/go#hdr-Add_dependencies_to_current_module_and_install_them)
    - [Go modules reference: version queries](https://go.dev/ref/mod#version-queries)
    - [hadolint DL3062](https://github.com/hadolint/hadolint/wiki/DL3062)
    """

    code = "DL3062"
    name = "go-install-unpinned"
    severity = Severity.WARNING
    message = "go installs, adds or runs a module without a pinned version."
    hadolint = ("DL3062",)
    shipped_only = False
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for cmd in shell_commands(inst):
            args = cmd.args
            if cmd.name != "go" or not args or args[0].text not in _VERBS:
                continue
            sub = args[0].text
            words = _packages(args[1:])
            if sub == "run":  # `go run pkg args…`: the words after the package are its own
                words = words[:1]
            loose = [(w, p) for w, p in operand_values(words, inst) if not _pinned(p)]
            if loose:
                names = names_list([p for _, p in loose], 3)
                yield self.violation(
                    loose[0][0].start,
                    loose[0][0].end,
                    message=f"go {_VERBS[sub]} {names} without a pinned version "
                    "(`package@version`).",
                )
