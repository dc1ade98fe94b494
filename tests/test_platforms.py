"""Windows images and shells: which stages are Windows, how PowerShell and cmd RUNs are read,
which rules judge them, and how messages name the platform's folders."""

from __future__ import annotations

import pytest

from dockerlint_slim.config import Settings, merge_cli
from dockerlint_slim.engine import lint
from dockerlint_slim.fixer import fix_text
from dockerlint_slim.model import ImageRef, build_model, shell_kind, windows_image


@pytest.mark.parametrize(
    ("image", "windows"),
    [
        ("mcr.microsoft.com/windows/servercore:ltsc2022", True),
        ("mcr.microsoft.com/windows/nanoserver:1809", True),
        ("mcr.microsoft.com/windows:20H2", True),
        ("mcr.microsoft.com/windows/server:ltsc2022", True),
        ("microsoft/windowsservercore", True),
        ("mcr.microsoft.com/powershell:lts-windowsservercore-ltsc2022", True),
        ("mcr.microsoft.com/powershell:lts-nanoserver-1809", True),
        ("mcr.microsoft.com/dotnet/sdk:8.0-nanoserver-ltsc2022", True),
        ("mcr.microsoft.com/dotnet/framework/sdk:4.8.1", True),
        ("mcr.microsoft.com/dotnet/sdk:8.0", False),
        ("python:3.12-windowsservercore-ltsc2022", True),
        ("python:3.12-nanoserver", True),
        ("python:3.12-slim", False),
        ("mcr.microsoft.com/powershell:lts-ubuntu-22.04", False),
        ("mcr.microsoft.com/devcontainers/python:3.12", False),
        ("windows-tools/builder:1", False),
    ],
)
def test_windows_images(image: str, windows: bool) -> None:
    assert windows_image(ImageRef.parse(image)) is windows


def test_platform_flag_decides() -> None:
    ref = ImageRef.parse("example.com/app:1")
    assert windows_image(ref, "windows/amd64")
    assert not windows_image(ImageRef.parse("python:3.12-nanoserver"), "linux/amd64")
    model = build_model("FROM --platform=windows/amd64 example.com/app:1\nRUN pip install x\n")
    assert model.stages[0].windows
    # a platform chosen by a variable the file does not set says nothing
    model = build_model("FROM --platform=$BUILDPLATFORM python:3.12-nanoserver\n")
    assert model.stages[0].windows


@pytest.mark.parametrize(
    ("program", "kind"),
    [
        ("powershell", "powershell"),
        ("pwsh", "powershell"),
        ("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "powershell"),
        ("cmd", "cmd"),
        ("cmd.exe", "cmd"),
        ("/bin/bash", "sh"),
        ("/bin/ash", "sh"),
    ],
)
def test_shell_kinds(program: str, kind: str) -> None:
    assert shell_kind(program) == kind


def test_windows_stages_and_shells_are_inherited() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS base\n"
        "RUN pip install a\n"
        'SHELL ["powershell", "-Command"]\n'
        "RUN pip install b\n"
        "FROM base\n"
        "RUN pip install c\n"
        "FROM python:3.12-slim\n"
        'SHELL ["pwsh", "-c"]\n'
        "RUN pip install d\n"
    )
    model = build_model(text)
    assert [s.windows for s in model.stages] == [True, True, False]
    runs = [i for i in model.instructions if i.keyword == "RUN"]
    assert [r.shell for r in runs] == ["cmd", "powershell", "powershell", "powershell"]
    assert all([c.name for c in r.commands] == ["pip"] for r in runs)


def test_powershell_and_cmd_lines_are_read_as_plain_commands() -> None:
    text = (
        "# escape=`\n"
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        'SHELL ["powershell", "-Command", "$ErrorActionPreference = \'Stop\';"]\n'
        "RUN & 'C:\\Python312\\python.exe' -m pip install flask; `\n"
        '    C:\\Python312\\Scripts\\pip.exe install "requests>=2" | Out-Null\n'
        'SHELL ["cmd", "/S", "/C"]\n'
        "RUN pip install a & pip install b && echo done\n"
    )
    model = build_model(text)
    ps, cmd = [i for i in model.instructions if i.keyword == "RUN"]
    assert [c.name for c in ps.commands] == ["python", "pip", "Out-Null"]
    assert [w.text for w in ps.commands[1].argv] == ["pip", "install", "requests>=2"]
    word = ps.commands[1].argv[2]
    assert text[word.start : word.end] == '"requests>=2"'
    assert [[w.text for w in c.argv] for c in cmd.commands] == [
        ["pip", "install", "a"],
        ["pip", "install", "b"],
        ["echo", "done"],
    ]


def test_comments_in_powershell_and_cmd_lines_are_not_commands() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "RUN REM pip install a & pip install b\n"
        'SHELL ["powershell", "-Command"]\n'
        "RUN Write-Host hi # pip install c; pip install d\n"
        "RUN pip install e; # pip install f\n"
    )
    cmd, ps, ps2 = [i for i in build_model(text).instructions if i.keyword == "RUN"]
    assert cmd.commands == ()  # REM runs to the end of the line, over &
    assert [[w.text for w in c.argv] for c in ps.commands] == [["Write-Host", "hi"]]
    assert [[w.text for w in c.argv] for c in ps2.commands] == [["pip", "install", "e"]]


def _found(text: str, *select: str) -> list[tuple[str, int, str]]:
    settings = merge_cli(Settings.default(), select=list(select)) if select else None
    return [(f.code, f.line, f.message) for f in lint(text, "Dockerfile", settings).findings]


def test_linux_only_rules_do_not_judge_windows_stages() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "RUN apt-get update && apt-get install -y curl\n"
        "RUN apk add curl && yum install -y curl && dnf install -y curl\n"
    )
    assert _found(text, "DL3009", "DL3015", "DL3019", "DL3032", "DL3040") == []
    linux = text.replace("mcr.microsoft.com/windows/servercore:ltsc2022", "debian:bookworm")
    assert {c for c, _, _ in _found(linux, "DL3009", "DL3015", "DL3019", "DL3032", "DL3040")} == {
        "DL3009",
        "DL3015",
        "DL3019",
        "DL3032",
        "DL3040",
    }


@pytest.mark.parametrize(
    ("run", "folder"),
    [
        ("pip install flask", "%LocalAppData%\\pip\\Cache"),
        ("uv pip install --system flask", "%LocalAppData%\\uv\\cache"),
        ("poetry install", "%LocalAppData%\\pypoetry\\Cache"),
    ],
)
def test_cache_messages_name_the_windows_folder(run: str, folder: str) -> None:
    (finding,) = _found(f"FROM python:3.12-windowsservercore-ltsc2022\nRUN {run}\n", "DL3042")
    assert folder in finding[2]
    assert "~/.cache" not in finding[2]
    (linux,) = _found(f"FROM python:3.12-slim\nRUN {run}\n", "DL3042")
    assert "~/.cache/" in linux[2]


def test_no_shell_text_is_appended_under_powershell_or_cmd() -> None:
    windows = "FROM python:3.12-windowsservercore-ltsc2022\nRUN pipenv install\n"
    (finding,) = lint(windows, "Dockerfile").findings
    assert finding.fix is None
    assert fix_text(windows).text == windows
    linux_pwsh = (
        'FROM debian:bookworm\nSHELL ["pwsh", "-c"]\n'
        "RUN apt-get update && apt-get install -y curl\n"
    )
    assert fix_text(linux_pwsh).text == linux_pwsh
    assert "DL3009" in {f.code for f in lint(linux_pwsh, "Dockerfile").findings}


def test_options_are_still_added_on_windows() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        'SHELL ["powershell", "-Command"]\nRUN pip install flask; Write-Host ok\n'
    )
    assert fix_text(text).text == text.replace("install flask", "install --no-cache-dir flask")


def test_windows_bases_get_no_linux_image_and_no_rewrite() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "RUN pip install --no-cache-dir pycrypto==2.6.1\n"
    )
    (finding,) = lint(text, "Dockerfile").findings
    assert finding.code == "DLS007"
    assert "slim" not in finding.message
    assert finding.fix is None and "Windows image" in (finding.note or "")
    fat = (
        "FROM python:3.12-windowsservercore-ltsc2022\nRUN pip install --no-cache-dir flask==3.0.0\n"
    )
    assert _found(fat) == []  # DLS001 proposes no Linux slim image


def test_linux_package_managers_are_not_read_on_windows() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "RUN apt-get install -y gcc libpq-dev\n"
        "RUN apt-get purge -y gcc\n"
    )
    assert _found(text, "DLS002", "DLS004", "DLS007") == []
    linux = text.replace("mcr.microsoft.com/windows/servercore:ltsc2022", "debian:bookworm")
    assert {c for c, _, _ in _found(linux, "DLS002", "DLS004")} == {"DLS002", "DLS004"}


def test_exec_form_powershell_and_cmd_scripts_are_read() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        'RUN ["powershell", "-Command", "$ErrorActionPreference = \'Stop\';", "pip install a"]\n'
        'RUN ["cmd", "/S", "/C", "pip install b & pip install c"]\n'
        'RUN ["C:\\\\Python312\\\\Scripts\\\\pip.exe", "install", "d"]\n'
        'RUN ["powershell", "Get-ChildItem"]\n'
    )
    runs = [i for i in build_model(text).instructions if i.keyword == "RUN"]
    read = [[[w.text for w in c.argv] for c in r.commands] for r in runs]
    assert read[0][-1] == ["pip", "install", "a"]
    assert read[1] == [["pip", "install", "b"], ["pip", "install", "c"]]
    assert read[2] == [["pip", "install", "d"]]
    assert read[3] == [["powershell", "Get-ChildItem"]]  # no -Command: not a script
    word = runs[1].commands[1].argv[2]
    assert text[word.start : word.end] == "c"
