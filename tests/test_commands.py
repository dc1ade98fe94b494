"""The shared grammars of package managers in dockerlint_slim.commands: which words are
options, option values, the subcommand and the operands."""

from __future__ import annotations

import pytest

from dockerlint_slim.commands import apk_call, gem_call, npm_call, zypper_call
from dockerlint_slim.shell import parse_commands


def _call(parse, text):
    (cmd,) = parse_commands(text, 0)
    return parse(cmd)


@pytest.mark.parametrize(
    ("parse", "text", "sub", "operands", "options"),
    [
        (
            apk_call,
            "apk add --no-cache -t .deps --repository=https://e.org curl=8 git",
            "add",
            ["curl=8", "git"],
            [("--no-cache", None), ("-t", ".deps"), ("--repository", "https://e.org")],
        ),
        (
            npm_call,
            "npm --prefix /app install --registry https://e.org -g left-pad",
            "install",
            ["left-pad"],
            [("--prefix", "/app"), ("--registry", "https://e.org"), ("-g", None)],
        ),
        (
            gem_call,
            "gem install -v 2.0 --no-document bundler -- --use-system-libraries",
            "install",
            ["bundler"],
            [("-v", "2.0"), ("--no-document", None)],
        ),
        (
            zypper_call,
            "zypper -n --root /mnt in -t pattern -r oss devel_basis",
            "in",
            ["devel_basis"],
            [("-n", None), ("--root", "/mnt"), ("-t", "pattern"), ("-r", "oss")],
        ),
    ],
)
def test_tool_grammars(parse, text, sub, operands, options):
    call = _call(parse, text)
    assert call.sub == sub
    assert [w.text for w in call.operands] == operands
    assert list(call.options) == options


def test_words_after_double_dash_are_kept_apart():
    call = _call(gem_call, "gem install nokogiri:1.16 -- --use-system-libraries true")
    assert [w.text for w in call.operands] == ["nokogiri:1.16"]
    assert [w.text for w in call.after_dashes] == ["--use-system-libraries", "true"]


def test_other_programs_and_no_subcommand_give_none():
    assert _call(apk_call, "apt-get install curl") is None
    assert _call(npm_call, "npm --version") is None
