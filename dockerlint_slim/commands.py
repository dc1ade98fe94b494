"""Recognisers for the commands that rules share: pip (and ``python -m pip``), apt-get/apt,
``rm``. They work on the :class:`~dockerlint_slim.shell.Command` objects of the model, so every
rule sees the same reading of a RUN body."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .lazy import lazy_pattern

if TYPE_CHECKING:  # shell.py reads the option tables here: no import back at run time
    from .shell import Command, Word

__all__ = [
    "ADDUSER_VALUE_OPTIONS",
    "PIP_GENERAL_VALUE_OPTIONS",
    "PIP_SHORT_VALUE_OPTIONS",
    "PIP_VALUE_OPTIONS",
    "RUN_VALUE_OPTIONS",
    "TOOL_VALUE_OPTIONS",
    "USERADD_VALUE_OPTIONS",
    "VENV_VALUE_OPTIONS",
    "AptCall",
    "PipCall",
    "ToolCall",
    "UserAdd",
    "apk_call",
    "apt_call",
    "gem_call",
    "has_option",
    "module_argv",
    "npm_call",
    "option_word",
    "pip_call",
    "removed_paths",
    "split_options",
    "useradd_call",
    "zypper_call",
]

_PIP_NAME = lazy_pattern(r"pip(\d+(\.\d+)?)?(\.exe)?$")
_PYTHON_NAME = lazy_pattern(r"python(\d+(\.\d+)?)?[mu]?(\.exe)?$")

# python options that take a separate value (``python -W ignore -m pip``)
_PYTHON_WITH_VALUE = {"-W", "-X", "-c", "--check-hash-based-pycs"}


def option_word(word: str) -> str:
    """``--opt=value`` -> ``--opt``."""
    return word.split("=", 1)[0]


def has_option(words: Iterable[str], long: str, min_prefix: int = 0, short: str = "") -> bool:
    """Whether ``long`` (or a unique prefix of it at least ``min_prefix`` long, as optparse
    accepts) or the short form ``short`` appears among ``words``."""
    for w in words:
        if w == "--":
            return False
        name = option_word(w)
        if name == long or (short and name == short):
            return True
        if (
            min_prefix
            and name.startswith("--")
            and len(name) >= min_prefix
            and long.startswith(name)
        ):
            return True
    return False


@dataclass(frozen=True)
class PipCall:
    """``pip[3] [global opts] SUB args…`` or ``python[3] -m pip SUB args…``."""

    command: Command
    program: tuple[Word, ...]  # the words naming pip (``python -m pip`` is three words)
    global_options: tuple[Word, ...]
    sub: str
    sub_word: Word
    args: tuple[Word, ...]  # after the subcommand

    @property
    def arg_texts(self) -> tuple[str, ...]:
        return tuple(w.text for w in self.args)

    @property
    def all_option_texts(self) -> tuple[str, ...]:
        return tuple(w.text for w in self.global_options) + self.arg_texts


# --------------------------------------------------------------------------- grammar
# Which options of the installers take a value: written once, read by the rules and the
# rewrite.


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# pip's general options that take a separate value (``--cache-dir DIR``): also before the
# subcommand
PIP_GENERAL_VALUE_OPTIONS = _words(
    """
    --cache-dir --proxy --log --log-file --timeout --retries --exists-action --trusted-host
    --cert --client-cert --python --root-user-action --keyring-provider --use-feature
    --use-deprecated --resume-retries
    """
)
# options of pip install / wheel / download, of uv pip install and of pip's requirement
# files (``--hash``) that take a separate value; short ones may also be glued to their value
# (``-rrequirements.txt``) or end a cluster (``-Ur req.txt``)
PIP_VALUE_OPTIONS = PIP_GENERAL_VALUE_OPTIONS | _words(
    """
    -r --requirement -c --constraint -e --editable -t --target --platform --python-version
    --implementation --abi --root --prefix --src --upgrade-strategy -C --config-settings
    --config-setting --global-option --install-option --build-option --no-binary --only-binary
    --progress-bar -i --index-url --extra-index-url --index --default-index -f --find-links
    --report --group -w --wheel-dir -b --build -p --overrides --override --build-constraints
    --build-constraint --no-build-package --no-binary-package --only-binary-package -P
    --upgrade-package --reinstall-package --refresh-package --index-strategy --resolution
    --prerelease --exclude-newer --link-mode --python-platform --directory --project
    --config-file --color --extra --torch-backend --allow-insecure-host -d --dest --hash
    """
)
PIP_SHORT_VALUE_OPTIONS = frozenset("rcetiCfwbpPd")

# options of uv sync / poetry / pipenv / pdm / flit install that take a separate value
TOOL_VALUE_OPTIONS: dict[str, frozenset[str]] = {
    "uv": _words(
        """
        --extra --group --only-group --no-group --package -p --python --python-platform
        --no-binary-package --no-build-package --index --default-index -i --index-url
        --extra-index-url -f --find-links --directory --project --cache-dir --config-file
        --color --index-strategy --resolution --prerelease --exclude-newer --link-mode
        --keyring-provider --allow-insecure-host -C --config-setting --reinstall-package
        --upgrade-package -P --refresh-package --no-install-package --script
        --python-preference
        """
    ),
    "poetry": _words(
        """
        -C --directory -P --project --with --without --only -E --extras
        """
    ),
    "pipenv": _words(
        """
        --python --pypi-mirror --categories --extra-pip-args -r --requirements -i --index
        """
    ),
    "pdm": _words(
        """
        -p --project -G --group --without -L --lockfile --venv -k --skip -c --config
        """
    ),
    "flit": _words("-f --ini-file --python --deps --extras"),
}

# options of ``TOOL run``/``TOOL exec`` (before the program it starts) that take a separate
# value; for ``uv run`` ``--script`` is a flag (it names the program)
RUN_VALUE_OPTIONS: dict[str, frozenset[str]] = {
    **TOOL_VALUE_OPTIONS,
    "uv": (TOOL_VALUE_OPTIONS["uv"] - {"--script"})
    | _words("--with --with-requirements --with-editable --env-file"),
    "hatch": _words("-e --env"),
    "pyenv": frozenset(),
}

# options of venv/virtualenv/`uv venv` that take a separate value
VENV_VALUE_OPTIONS = frozenset(
    {
        "--prompt",
        "-p",
        "--python",
        "--activators",
        "--creator",
        "--seeder",
        "--app-data",
        "--pip",
        "--setuptools",
        "--wheel",
        "--extra-search-dir",
        "--index-url",
        "-i",
        "--extra-index-url",
        "--index",
        "--default-index",
        "-f",
        "--find-links",
        "--cache-dir",
        "--directory",
        "--project",
        "--link-mode",
        "--python-preference",
        "--index-strategy",
        "--keyring-provider",
        "--exclude-newer",
        "--config-file",
        "--allow-insecure-host",
    }
)


def split_options(
    words: Sequence[str], value_opts: frozenset[str], short_value: frozenset[str] = frozenset()
) -> tuple[list[tuple[str, str | None]], list[str]]:
    """``words`` (an installer's arguments) as (option, value) pairs and positional words.

    ``value_opts`` (one of the tables above) names the options that take a separate value;
    ``--opt=value`` always carries one. ``short_value`` lists the short options that may be
    glued to their value (``-rreq.txt``) or end a cluster of flags (``-Ur req.txt``). A value
    is ``None`` for a flag, or when the words end before the value. Everything after ``--``
    is positional."""
    options: list[tuple[str, str | None]] = []
    positional: list[str] = []
    i = 0
    while i < len(words):
        t = words[i]
        i += 1
        if t == "--":
            positional.extend(words[i:])
            break
        if t.startswith("--"):
            name, eq, value = t.partition("=")
            if eq:
                options.append((name, value))
            elif name in value_opts and i < len(words):
                options.append((name, words[i]))
                i += 1
            else:
                options.append((name, None))
        elif t.startswith("-") and len(t) > 1:
            if t in value_opts:
                options.append((t, words[i] if i < len(words) else None))
                i += 1
                continue
            for n, ch in enumerate(t[1:], 1):
                if ch in short_value:
                    rest = t[n + 1 :].lstrip("=")
                    if rest:
                        options.append(("-" + ch, rest))
                    elif i < len(words):
                        options.append(("-" + ch, words[i]))
                        i += 1
                    break
                options.append(("-" + ch, None))
        else:
            positional.append(t)
    return options, positional


def module_argv(cmd: Command) -> tuple[Word, ...]:
    """``cmd.argv`` with a leading ``python -m`` dropped: ``python3 -m uv pip install`` ->
    ``uv pip install`` (for tools that also run as modules)."""
    argv = cmd.argv
    if len(argv) > 2 and _PYTHON_NAME.match(cmd.name) and argv[1].text == "-m":
        return argv[2:]
    return argv


def pip_call(cmd: Command) -> PipCall | None:
    argv = cmd.argv
    if not argv:
        return None
    name = cmd.name
    i: int
    if _PIP_NAME.match(name):
        i = 1
    elif _PYTHON_NAME.match(name):
        j = 1
        while j < len(argv):
            t = argv[j].text
            if t == "-m":
                break
            if t.startswith("-m") and len(t) > 2:  # python -mpip
                break
            if not t.startswith("-"):
                return None  # a script
            j += 2 if t in _PYTHON_WITH_VALUE else 1
        if j >= len(argv):
            return None
        t = argv[j].text
        if t == "-m":
            if j + 1 >= len(argv) or not _PIP_NAME.match(argv[j + 1].text):
                return None
            i = j + 2
        elif _PIP_NAME.match(t[2:]):
            i = j + 1
        else:
            return None
    else:
        return None
    program = argv[:i]
    globals_: list[Word] = []
    while i < len(argv):
        t = argv[i].text
        if t.startswith("-"):
            globals_.append(argv[i])
            if "=" not in t and t in PIP_GENERAL_VALUE_OPTIONS and i + 1 < len(argv):
                globals_.append(argv[i + 1])
                i += 2
                continue
            i += 1
            continue
        break
    if i >= len(argv):
        return None
    return PipCall(cmd, tuple(program), tuple(globals_), argv[i].text, argv[i], argv[i + 1 :])


_APT_TOOLS = {"apt-get", "apt", "aptitude"}
_APT_WITH_VALUE = {"-o", "-c", "-t", "--option", "--config-file", "--target-release"}


@dataclass(frozen=True)
class AptCall:
    """``apt-get``/``apt``/``aptitude [options] SUB packages…``."""

    command: Command
    tool: str
    options: tuple[Word, ...]  # every option word (before and after the subcommand)
    sub: str
    sub_word: Word
    packages: tuple[Word, ...]

    @property
    def option_texts(self) -> tuple[str, ...]:
        return tuple(w.text for w in self.options)

    def option_value_pairs(self) -> list[tuple[str, str]]:
        """``-o Key=Value`` options as (key, value) pairs (also ``-oKey=Value``)."""
        out: list[tuple[str, str]] = []
        words = self.options
        for n, w in enumerate(words):
            t = w.text
            value = None
            if t in ("-o", "--option") and n + 1 < len(words):
                value = words[n + 1].text
            elif t.startswith("-o") and len(t) > 2 and not t.startswith("--"):
                value = t[2:]
            elif t.startswith("--option="):
                value = t.split("=", 1)[1]
            if value is not None:
                key, _, val = value.partition("=")
                out.append((key, val))
        return out


def apt_call(cmd: Command) -> AptCall | None:
    if cmd.name not in _APT_TOOLS:
        return None
    argv = cmd.argv
    options: list[Word] = []
    sub: Word | None = None
    packages: list[Word] = []
    i = 1
    while i < len(argv):
        w = argv[i]
        t = w.text
        if t.startswith("-") and t != "-":
            options.append(w)
            if t in _APT_WITH_VALUE and i + 1 < len(argv):
                options.append(argv[i + 1])
                i += 2
                continue
        elif sub is None:
            sub = w
        else:
            packages.append(w)
        i += 1
    if sub is None:
        return None
    return AptCall(cmd, cmd.name, tuple(options), sub.text, sub, tuple(packages))


def removed_paths(cmd: Command) -> list[str]:
    """Paths an ``rm`` command deletes (options dropped)."""
    if cmd.name != "rm":
        return []
    out: list[str] = []
    options_done = False
    for w in cmd.args:
        t = w.text
        if not options_done and t == "--":
            options_done = True
            continue
        if not options_done and t.startswith("-") and t != "-":
            continue
        out.append(t)
    return out


def commands_named(commands: Sequence[Command], *names: str) -> list[Command]:
    return [c for c in commands if c.name in names]


# --------------------------------------------------------------------------- other tools
# Package managers read by the version-pinning rules: ``TOOL [options] SUB [options] ARGS``,
# one table each of the options that take a separate value.


@dataclass(frozen=True)
class ToolCall:
    """``TOOL [options] SUB [options] operands…``: the options (with their values) and the
    positional words apart, the first positional word being the subcommand."""

    command: Command
    sub: str
    sub_word: Word
    options: tuple[tuple[str, str | None], ...]  # (``--opt``, value or None)
    operands: tuple[Word, ...]  # positional words after the subcommand
    after_dashes: tuple[Word, ...] = ()  # words after ``--``

    def has(self, *names: str) -> bool:
        return any(name in names for name, _ in self.options)


_APK_VALUE_OPTIONS = _words(
    """
    -t --virtual -X --repository -p --root --arch --cache-dir --keys-dir --repositories-file
    --cache-max-age --timeout
    """
)
_NPM_VALUE_OPTIONS = _words(
    """
    --loglevel --registry --prefix --cache --tag --userconfig --globalconfig -w --workspace
    --omit --include --install-strategy --before --otp --scope --location --save-prefix
    --fetch-retries --fetch-timeout --proxy --https-proxy --ca --cafile --cert --key --auth-type
    """
)
_GEM_VALUE_OPTIONS = _words(
    """
    -v --version -i --install-dir -n --bindir -s --source -p --http-proxy --platform -P
    --trust-policy -g --file --build-root --document --config-file --target-rbconfig
    """
)


def _tool_call(cmd: Command, value_opts: frozenset[str]) -> ToolCall | None:
    options: list[tuple[str, str | None]] = []
    positional: list[Word] = []
    rest: tuple[Word, ...] = ()
    args = cmd.args
    i = 0
    while i < len(args):
        w = args[i]
        t = w.text
        i += 1
        if t == "--":
            rest = args[i:]
            break
        if t.startswith("-") and t != "-":
            name, eq, value = t.partition("=")
            if eq and name.startswith("--"):
                options.append((name, value))
            elif t in value_opts and i < len(args):
                options.append((t, args[i].text))
                i += 1
            else:
                options.append((t, None))
        else:
            positional.append(w)
    if not positional:
        return None
    sub = positional[0]
    return ToolCall(cmd, sub.text, sub, tuple(options), tuple(positional[1:]), rest)


def apk_call(cmd: Command) -> ToolCall | None:
    """``apk [options] SUB [options] packages…``."""
    return _tool_call(cmd, _APK_VALUE_OPTIONS) if cmd.name == "apk" else None


def npm_call(cmd: Command) -> ToolCall | None:
    """``npm [options] SUB [options] packages…``."""
    return _tool_call(cmd, _NPM_VALUE_OPTIONS) if cmd.name == "npm" else None


def gem_call(cmd: Command) -> ToolCall | None:
    """``gem [options] SUB [options] gems… [-- build options]``."""
    return _tool_call(cmd, _GEM_VALUE_OPTIONS) if cmd.name == "gem" else None


_ZYPPER_VALUE_OPTIONS = _words(
    """
    -R --root -c --config -D --reposd-dir -C --cache-dir --raw-cache-dir --solv-cache-dir
    --pkg-cache-dir -t --type -r --repo --from --download -p
    """
)


def zypper_call(cmd: Command) -> ToolCall | None:
    """``zypper [global options] SUB [options] packages…``."""
    return _tool_call(cmd, _ZYPPER_VALUE_OPTIONS) if cmd.name == "zypper" else None


# --------------------------------------------------------------------------- user accounts

# useradd (shadow-utils) options that take a separate value
USERADD_VALUE_OPTIONS = frozenset(
    {
        "-b",
        "--base-dir",
        "-c",
        "--comment",
        "-d",
        "--home-dir",
        "-e",
        "--expiredate",
        "-f",
        "--inactive",
        "-F",
        "--add-subids-for-system",
        "-g",
        "--gid",
        "-G",
        "--groups",
        "-k",
        "--skel",
        "-K",
        "--key",
        "-p",
        "--password",
        "-P",
        "--prefix",
        "-R",
        "--root",
        "-s",
        "--shell",
        "-u",
        "--uid",
        "-Z",
        "--selinux-user",
        "--selinux-range",
    }
)
# adduser options that take a separate value: Debian's adduser and BusyBox's (Alpine)
ADDUSER_VALUE_OPTIONS = frozenset(
    {
        "--home",
        "--shell",
        "--uid",
        "--gid",
        "--ingroup",
        "--gecos",
        "--comment",
        "--firstuid",
        "--lastuid",
        "--firstgid",
        "--lastgid",
        "--conf",
        "--extrausers",
        "-c",
        "-h",
        "-g",
        "-s",
        "-G",
        "-u",
        "-k",
    }
)
_USERADD_SHORT_VALUE = frozenset("bcdefgGkKpPRsuZ")
_ADDUSER_SHORT_VALUE = frozenset("hgsGuk")


@dataclass(frozen=True)
class UserAdd:
    """A ``useradd`` or ``adduser`` call: the account it creates and its options."""

    command: Command
    tool: str  # useradd | adduser
    name: str | None  # the account (None: not written, e.g. `useradd -D` shows defaults)
    options: tuple[tuple[str, str | None], ...]

    def option(self, *names: str) -> str | None:
        """The value of the last of ``names`` given (``""`` for a flag), else None."""
        found = None
        for opt, value in self.options:
            if opt in names:
                found = value if value is not None else ""
        return found


def useradd_call(cmd: Command) -> UserAdd | None:
    """``useradd [options] NAME`` or ``adduser [options] NAME [GROUP]`` (Debian or BusyBox)."""
    if cmd.name not in ("useradd", "adduser"):
        return None
    words = [w.text for w in cmd.args]
    if cmd.name == "useradd":
        options, positional = split_options(words, USERADD_VALUE_OPTIONS, _USERADD_SHORT_VALUE)
        name = positional[-1] if positional else None
    else:
        options, positional = split_options(words, ADDUSER_VALUE_OPTIONS, _ADDUSER_SHORT_VALUE)
        name = positional[0] if positional else None
    return UserAdd(cmd, cmd.name, name, tuple(options))
