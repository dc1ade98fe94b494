"""DL3013: pip install of packages without a pinned version."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.commands import (
    PIP_SHORT_VALUE_OPTIONS,
    PIP_VALUE_OPTIONS,
    has_option,
    pip_call,
    split_options,
)
from dockerlint_slim.findings import Severity
from dockerlint_slim.model import Instruction, Stage
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.shell import Word

from ._common import RUN_KEYWORDS, names_list, operand_values, shell_commands

_VERSION_SYMBOLS = ("==", ">=", "<=", ">", "<", "!=", "~=")
_ARCHIVES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".zip")
_VCS = ("git+", "hg+", "svn+", "bzr+", "git:", "svn:")


def _pinned(req: str) -> bool:
    """A version specifier, a VCS URL with a revision (``git+https://…@v1.2``), a local
    path or archive, or a direct URL: what pip installs is fixed by the word itself."""
    if any(s in req for s in _VERSION_SYMBOLS):
        return True
    low = req.lower()
    if low.startswith(_VCS):
        return "@" in low.split("://", 1)[-1].split("#", 1)[0].rsplit("/", 1)[-1]
    return "/" in req or req.startswith(".") or low.endswith(_ARCHIVES)


def _operands(args: tuple[Word, ...]) -> tuple[list[tuple[str, str | None]], list[Word]]:
    """pip's options and the words that name what to install (options and their values
    dropped, in order)."""
    texts = [w.text for w in args]
    options, positional = split_options(texts, PIP_VALUE_OPTIONS, PIP_SHORT_VALUE_OPTIONS)
    words: list[Word] = []
    k = 0
    for p in positional:  # the positional words are a subsequence of ``args``
        while k < len(args) and args[k].text != p:
            k += 1
        if k < len(args):
            words.append(args[k])
            k += 1
    return options, words


class PipVersionsUnpinned(Rule):
    """
    ## What it does
    Checks for `pip install` (`pip`, `pip3`, `/venv/bin/pip`, `python -m pip`, also behind
    `sudo`) in `RUN` and `ONBUILD RUN`, in every stage, that names a package without a
    version specifier. These count as pinned: a specifier (`flask==3.0.3`, `flask~=3.0`,
    `flask>=3`), a VCS URL with a revision (`git+https://…/repo.git@v1.2`), a local folder or
    archive (`.`, `./dist/app.whl`, `pkg.tar.gz`) and a URL. A command with a constraints
    file (`-c`, `--constraint`, `PIP_CONSTRAINT`) is not judged: the file may pin the
    versions. Requirements files (`-r`) are not read; the packages named beside them are.

    ## Why is this bad?
    Without a version, every build installs the newest release of the day. Two builds of
    the same Dockerfile can differ, and a new release can break the image without any change
    to the Dockerfile. A pinned version (or a constraints or requirements file that pins)
    makes every change an edit that is reviewed.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install --no-cache-dir flask gunicorn
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install --no-cache-dir flask==3.0.3 gunicorn==22.0.0
    ```

    ## Fix safety
    No fix: the version to pin is the one you have tested, which only you know.

    ## Differences from hadolint
    - pip as `/venv/bin/pip`, `python3 -m pip`, behind `sudo` or `poetry run` is checked.
    - hadolint skips a whole command that also installs a requirements file
      (`pip install -r requirements.txt gunicorn`) or the project (`pip install . gunicorn`);
      here the packages named beside them are still checked.
    - `PIP_CONSTRAINT` counts like `--constraint`; local archives (`.zip`, `.tgz`) and the
      project with extras (`.[dev]`) count as pinned; packages named by a variable are read
      from its value, and a variable with no known value is not judged (hadolint reports
      `pip install $PACKAGES` as unpinned).

    ## References
    - [pip install: requirement specifiers](https://pip.pypa.io/en/stable/reference/requirement-specifiers/)
    - [pip: repeatable installs](https://pip.pypa.io/en/stable/topics/repeatable-installs/)
    - [hadolint DL3013](https://github.com/hadolint/hadolint/wiki/DL3013)
    """

    code = "DL3013"
    name = "pip-versions-unpinned"
    severity = Severity.WARNING
    message = "pip installs packages without a pinned version."
    hadolint = ("DL3013",)
    shipped_only = False
    keywords = RUN_KEYWORDS

    def check(self, inst: Instruction, stage: Stage, ctx: Context) -> Iterable[Violation]:
        for cmd in shell_commands(inst):
            call = pip_call(cmd)
            if call is None or call.sub != "install":
                continue
            options, words = _operands(call.args)
            names = [o for o, _ in options]
            if has_option(names, "--constraint", min_prefix=len("--cons"), short="-c"):
                continue
            if cmd.env("PIP_CONSTRAINT") is not None or inst.env.get("PIP_CONSTRAINT"):
                continue
            loose = [(w, p) for w, p in operand_values(words, inst) if not _pinned(p)]
            if not loose:
                continue
            yield self.violation(
                loose[0][0].start,
                loose[0][0].end,
                message=f"pip installs {names_list([p for _, p in loose], 3)} without a "
                "pinned version (`package==version`).",
            )
