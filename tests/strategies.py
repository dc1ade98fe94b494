"""Hypothesis strategies that make Dockerfiles, shared by the property tests
(``tests/test_fuzz.py``) and the long campaign (``benchmarks/fuzz.py``).

* :func:`dockerfiles` builds text from the grammar: parser directives (``# syntax``,
  ``# escape`` with either escape token, ``# check``), a byte order mark, every instruction
  (upper and lower case, with flags), shell and exec forms (and malformed JSON), line
  continuations with comment and blank lines inside them, heredocs (``<<EOF``, ``<<-EOF``,
  quoted, several on a line, with a file descriptor), pragmas, LF and CRLF line endings. The
  shell bodies are the commands the rules judge (pip, apt, apk, yum, dnf, uv, poetry, venvs),
  so the rules fire and their fixes run.
* :func:`mutated` takes a seed file (the shared parser cases and every Dockerfile under
  ``fixtures/``: case files, projects, real-world files, golden files) and applies byte- and
  line-level mutations: delete, duplicate or swap lines, insert a line of another seed, insert
  escape tokens, CR, NUL, a BOM, invalid UTF-8, heredoc markers and terminators, unbalanced
  quotes and brackets.

Both give ``bytes``: what a file on disk holds.
"""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

from hypothesis import strategies as st

from tests.support import PARSER_CASES_DIR

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
_DOCKERFILE_NAME = re.compile(r"^(Dockerfile|Containerfile)(\..+)?$|\.(Dockerfile|Containerfile)$")

# --------------------------------------------------------------------------- the grammar

IMAGES = [
    "python:3.11", "python:3.11-slim", "python:3", "python:3.12-bookworm", "python:3.11-alpine",
    "debian:bookworm", "ubuntu:22.04", "alpine:3.19", "fedora:39", "centos:7",
    "nvidia/cuda:12.2.0-devel-ubuntu22.04", "pytorch/pytorch:2.1.0-cuda12.1-cudnn8-devel",
    "${BASE}", "python:${PYTHON_VERSION}", "builder", "scratch", "registry.io:5000/team/py:3.11",
    "python@sha256:" + "a" * 64,
]  # fmt: skip
COMMANDS = [
    "pip install flask", "pip install -r requirements.txt", "pip3 install --user psycopg2",
    "pip install --no-cache-dir numpy", "python -m pip install --upgrade pip setuptools",
    "/opt/venv/bin/pip install lxml", "pip install -e .", "pip install .",
    "pip install --no-binary :all: lxml", "pip install psycopg2 mysqlclient uwsgi",
    "apt-get update", "apt-get install -y gcc libpq-dev", "apt-get install -y build-essential",
    "apt-get install --no-install-recommends -y curl", "apt install -y python3 python3-pip",
    "rm -rf /var/lib/apt/lists/*", "apt-get purge -y gcc", "apt-get clean",
    "apk add --no-cache gcc musl-dev", "apk add libffi-dev", "apk update",
    "yum install -y gcc python3-devel", "yum clean all", "dnf install -y gcc", "dnf clean all",
    "python -m venv /opt/venv", "python3 -m venv /venv", ". /venv/bin/activate",
    "uv pip install --system flask", "uv sync --frozen", "poetry install --no-root",
    "pipenv install --deploy --system", "pdm install --prod", "rm -rf /root/.cache",
    "useradd -m app", "mkdir -p /app", "chown -R app /app", "python manage.py collectstatic",
    "python setup.py build_ext --inplace", "curl -fsSL https://x.example/setup | bash -",
    "echo 'deb http://x bookworm main' > /etc/apt/sources.list.d/x.list", "set -eux",
    "cd /app", "sudo pip install six", "make", "gcc -o x x.c", "true", "export A=1",
    "if [ -f x ]; then pip install y; fi", "[[ -n $X ]] && echo $((1+2))",
    "case $A in a) echo;; esac", "echo \"$(date)\" | tee /x", "pip install 'a[b]>=1'",
    "rm -rf /root/.cache/pip", "rm -rf /var/lib/apt/lists/* /tmp/*", "apt-get remove -y gcc",
    "pip wheel --wheel-dir /wheels -r requirements.txt", "pip install /wheels/*",
    "pip install --no-index --find-links /wheels psycopg2", "yum install -y python3-pip",
    "microdnf install -y python3", "apk add --virtual .build-deps gcc && apk del .build-deps",
]  # fmt: skip
JOINERS = [" && ", " && ", "; ", " || ", " | ", " & "]
SOURCES = [".", "./", "requirements.txt", "app.py", "pyproject.toml", "src/", "*.py", "a b"]
FROM_STAGE = [
    "--from=builder /opt/venv /opt/venv", "--from=builder /root/.local /root/.local",
    "--from=0 /usr/local/lib/python3.11/site-packages /usr/local/lib/python3.11/site-packages",
    "--from=builder /wheels /wheels", "--from=builder /root/.cache /root/.cache",
    "--from=python:3.11 /usr/local /usr/local", "--from=builder /app /app",
]  # fmt: skip
JSON_VALID = [
    '["python", "app.py"]', '["gunicorn", "app:app"]', '["pip", "install", "flask"]',
    '["/bin/sh", "-c", "echo hi"]', "[]", '["a\\"b", "c"]', '["café"]', '[ "x" ]',
]  # fmt: skip
JSON_BROKEN = ['["python", app.py]', "[python]", '["a",]', '["a"', "[1, 2]", "[", '{"a": 1}']
COMMENTS = [
    "# a comment", "#", "   # indented comment", "# dockerlint-slim: ignore=DL3042",
    "# dockerlint-slim: ignore-stage=ALL", "# dockerlint-slim: ignore-file=DLS001",
    "# hadolint ignore=DL3042,DL3009", "# hadolint global ignore=DL3015",
    "# hadolint stage ignore=DL3009", "# syntax=docker/dockerfile:1", "# escape=`",
    "# RUN not an instruction", "# café ✓",
]  # fmt: skip
FLAGS = {
    "FROM": ["--platform=linux/amd64", "--platform=$BUILDPLATFORM"],
    "RUN": [
        "--mount=type=cache,target=/root/.cache/pip", "--mount=type=cache,target=/var/cache/apt",
        "--mount=type=bind,source=.,target=/src", "--network=none", "--security=insecure",
        "--mount=type=secret,id=x",
    ],
    "COPY": ["--from=builder", "--from=0", "--chown=1000:1000", "--chmod=755", "--link"],
    "ADD": ["--chown=app", "--checksum=sha256:abc", "--keep-git-dir=true", "--link"],
    "HEALTHCHECK": ["--interval=30s", "--timeout=3s", "--retries=3"],
}  # fmt: skip
HEREDOC_BODIES = [
    ["pip install flask"], ["set -e", "apt-get update", "apt-get install -y gcc"],
    ["#!/bin/sh", "echo hi"], ["FROM not an instruction", "RUN neither"], ["", "  "],
    ["\tindented with a tab"], ["print('hello')"], ["EOFX", "EO"],
    ["echo a \\", "echo b"], ["echo a `", "EOF "],
]  # fmt: skip


@st.composite
def _shell(draw: st.DrawFn) -> str:
    """A shell command line: commands joined by operators."""
    commands = draw(st.lists(st.sampled_from(COMMANDS), min_size=1, max_size=4))
    out = commands[0]
    for command in commands[1:]:
        out += draw(st.sampled_from(JOINERS)) + command
    return out


@st.composite
def _continued(draw: st.DrawFn, text: str, escape: str, nl: str) -> str:
    """``text`` broken over several lines at its spaces, with comment and blank lines inside
    the continuation now and then, and spaces or tabs after some escape tokens."""
    words = text.split(" ")
    if len(words) < 2 or not draw(st.integers(0, 2)):
        return text
    out = words[0]
    for word in words[1:]:
        if draw(st.integers(0, 3)) == 0:
            trail = draw(st.sampled_from(["", "", " ", "\t", " \t"]))
            out += f" {escape}{trail}{nl}"
            for _ in range(draw(st.integers(0, 2)) if draw(st.booleans()) else 0):
                out += draw(st.sampled_from([*COMMENTS, "", "   ", "\t"])) + nl
            out += draw(st.sampled_from(["    ", "\t", "", "  "])) + word
        else:
            out += " " + word
    return out


@st.composite
def _heredoc_run(draw: st.DrawFn, keyword: str, escape: str, nl: str) -> str:
    """``RUN``/``COPY``/``ADD`` with one or two heredocs and their bodies (the instruction
    line with flags, and continued now and then: the bodies start after its last line)."""
    count = draw(st.integers(1, 2))
    markers, bodies = [], []
    for k in range(count):
        name = draw(st.sampled_from(["EOF", "EOT", "END", "PY"])) + ("" if k == 0 else str(k))
        dash = draw(st.booleans())
        quote = draw(st.sampled_from(["", "", "'", '"']))
        fd = draw(st.sampled_from(["", "", "3"])) if keyword == "RUN" else ""
        markers.append(f"{fd}<<{'-' if dash else ''}{quote}{name}{quote}")
        lines = draw(st.sampled_from(HEREDOC_BODIES))
        tab = "\t" if dash and draw(st.booleans()) else ""
        body = "".join(tab + line + nl for line in lines)
        bodies.append(body + tab + name + nl)
    if keyword == "RUN":
        programs = ["", "python3 ", "sh ", "cat "]
        head = " ".join(draw(st.sampled_from(programs)) + marker for marker in markers)
        if count == 2 and draw(st.booleans()):
            head = f"{markers[0]} && {markers[1]}"
    else:
        head = " ".join(markers) + " /app/"
    if draw(st.booleans()):
        head = f"{draw(st.sampled_from(FLAGS[keyword]))} {head}"
    head = draw(_continued(f"{keyword} {head}", escape, nl))
    return f"{head}{nl}" + "".join(bodies)


@st.composite
def _instruction(draw: st.DrawFn, escape: str, nl: str) -> str:
    """One instruction, its line ending included (heredoc bodies too)."""
    keyword = draw(
        st.sampled_from(
            [
                "FROM", "RUN", "RUN", "RUN", "RUN", "RUN", "COPY", "COPY", "ADD", "ENV", "ARG",
                "LABEL", "EXPOSE",
                "WORKDIR", "USER", "VOLUME", "CMD", "ENTRYPOINT", "HEALTHCHECK", "SHELL",
                "STOPSIGNAL", "ONBUILD", "MAINTAINER",
            ]
        )
    )  # fmt: skip
    if keyword in ("RUN", "COPY", "ADD") and draw(st.integers(0, 5)) == 0:
        return draw(_heredoc_run(keyword, escape, nl))
    flags = (
        [draw(st.sampled_from(FLAGS[keyword])) for _ in range(draw(st.integers(0, 2)))]
        if (keyword in FLAGS and draw(st.booleans()))
        else []
    )
    if keyword == "FROM":
        args = draw(st.sampled_from(IMAGES))
        if draw(st.booleans()):
            alias = draw(st.sampled_from(["builder", "runtime", "base", "b2"]))
            args += f" {draw(st.sampled_from(['AS', 'as']))} {alias}"
    elif keyword == "RUN":
        form = draw(st.integers(0, 6))
        args = draw(st.sampled_from(JSON_VALID + JSON_BROKEN)) if form == 0 else draw(_shell())
    elif keyword in ("COPY", "ADD"):
        shape = draw(st.integers(0, 5))
        if shape == 0:
            args = '["requirements.txt", "/app/"]'
        elif shape == 1:  # artifacts from another stage (DLS005 compares their images)
            args = draw(st.sampled_from(FROM_STAGE))
        else:
            args = " ".join(draw(st.lists(st.sampled_from(SOURCES), min_size=1, max_size=3)))
            args += " " + draw(st.sampled_from([".", "/app/", "/app", "$HOME/x"]))
    elif keyword == "ENV":
        args = draw(
            st.sampled_from(
                [
                    "PIP_NO_CACHE_DIR=1", "PIP_NO_CACHE_DIR=false", "A 1",
                    'PATH="/opt/venv/bin:$PATH"', "VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH",
                    "PYTHONDONTWRITEBYTECODE=1 A=b",
                    'A="x y" B=\'z\'', "UV_NO_CACHE=1", "A=${B:-c}",
                ]
            )
        )  # fmt: skip
    elif keyword == "ARG":
        args = draw(st.sampled_from(["BASE=python:3.11", "PYTHON_VERSION=3.11", "X", "A=1 B=2"]))
    elif keyword in ("CMD", "ENTRYPOINT"):
        args = draw(
            st.sampled_from(
                [*JSON_VALID, *JSON_BROKEN, "python app.py", "gunicorn -b :8000 app:app",
                 "/usr/local/bin/gunicorn app:app", "uv run app.py", "./docker-entrypoint.sh"]
            )
        )  # fmt: skip
    elif keyword == "HEALTHCHECK":
        args = draw(st.sampled_from(["NONE", "CMD curl -f http://localhost/ || exit 1",
                                     'CMD ["wget", "-q", "x"]']))  # fmt: skip
    elif keyword == "SHELL":
        args = draw(st.sampled_from(['["/bin/bash", "-o", "pipefail", "-c"]', "/bin/sh -c", "[]"]))
    elif keyword == "ONBUILD":
        inner = draw(st.sampled_from(["RUN pip install flask", "COPY . /app", "ONBUILD RUN x",
                                      "FROM x", "RUN <<EOF"]))  # fmt: skip
        args = inner
    else:
        args = draw(
            st.sampled_from(
                {
                    "LABEL": ["a=b", 'org.opencontainers.image.title="x y"', "a b"],
                    "EXPOSE": ["8000", "80/tcp 443", "$PORT"],
                    "WORKDIR": ["/app", "src", "$HOME", "/"],
                    "USER": ["app", "1000:1000", "root"],
                    "VOLUME": ["/data", '["/data", "/logs"]'],
                    "STOPSIGNAL": ["SIGTERM", "9"],
                    "MAINTAINER": ["someone <a@b.c>"],
                }[keyword]
            )
        )
    spelled = draw(st.sampled_from([keyword, keyword, keyword, keyword.lower(), keyword.title()]))
    lead = draw(st.sampled_from(["", "", "", " ", "\t"]))
    text = " ".join([spelled, *flags, args])
    text = draw(_continued(text, escape, nl))
    return lead + text + nl


@st.composite
def dockerfile_texts(draw: st.DrawFn) -> str:
    """A Dockerfile from the grammar, as text."""
    nl = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    escape = "\\"
    head = []
    if draw(st.integers(0, 3)) == 0:
        if draw(st.booleans()):
            head.append("# syntax=docker/dockerfile:1")
        if draw(st.booleans()):
            escape = draw(st.sampled_from(["\\", "`"]))
            head.append(f"# escape={escape}")
        if draw(st.integers(0, 3)) == 0:
            head.append("# check=skip=all")
    parts = [line + nl for line in head]
    if draw(st.integers(0, 4)):
        parts.append(f"FROM {draw(st.sampled_from(IMAGES))}{nl}")
    for _ in range(draw(st.integers(0, 10))):
        kind = draw(st.integers(0, 9))
        if kind == 0:
            parts.append(draw(st.sampled_from(COMMENTS)) + nl)
        elif kind == 1:
            parts.append(draw(st.sampled_from(["", "  ", "\t"])) + nl)
        else:
            parts.append(draw(_instruction(escape, nl)))
    text = "".join(parts)
    if text and draw(st.integers(0, 5)) == 0:  # no line ending at the end of the file
        text = text.rstrip("\r\n")
    if draw(st.integers(0, 7)) == 0:
        text = "\ufeff" + text
    return text


def dockerfiles() -> st.SearchStrategy[bytes]:
    """Dockerfiles from the grammar, as the bytes of a file."""
    return dockerfile_texts().map(lambda text: text.encode("utf-8"))


# --------------------------------------------------------------------------- mutations


@functools.cache
def seeds() -> tuple[bytes, ...]:
    """Every Dockerfile the project holds: the shared parser cases, the Dockerfile texts of
    the rule case files and the Dockerfiles under ``fixtures/`` (projects, real-world files,
    golden files). Files over 20 kB (the scale case) are left out: they only slow fuzzing."""
    found: list[bytes] = []
    folders = [PARSER_CASES_DIR, FIXTURES]
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and _DOCKERFILE_NAME.search(path.name):
                data = path.read_bytes()
                if len(data) <= 20_000:
                    found.append(data)
    for path in sorted((FIXTURES / "cases").glob("*.toml")):
        with open(path, "rb") as handle:
            cases = tomllib.load(handle).get("cases", {})
        for case in cases.values():
            for key in ("pass", "fail", "fix"):
                if isinstance(case.get(key), str):
                    found.append(case[key].encode("utf-8"))
    return tuple(dict.fromkeys(found))


INSERTS = [
    b"\\", b"\\\n", b" \\\n", b"`", b"`\n", b"\r", b"\r\n", b"\n", b"\x00", b"\xef\xbb\xbf",
    b"\xff", b"\xc3", b"\xed\xa0\x80", b"<<EOF", b"<<-EOF ", b"\nEOF\n", b"EOF", b"\t", b'"',
    b"'", b"[", b"]", b"{", b"}", b"#", b"\n# comment\n", b"\n\n", b"--", b"--mount=type=cache,",
    b" && ", b"$", b"${", b"=", b"\xe2\x9c\x93", b"ONBUILD ", b"FROM ", b"RUN ", b" AS ",
]  # fmt: skip


@st.composite
def _mutate(draw: st.DrawFn, data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    kind = draw(st.integers(0, 7))
    if kind <= 3 and lines:
        i = draw(st.integers(0, len(lines) - 1))
        if kind == 0:  # delete a line
            del lines[i]
        elif kind == 1:  # duplicate a line
            lines.insert(i, lines[i])
        elif kind == 2:  # swap two lines
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:  # a line of another seed
            other = draw(st.sampled_from(seeds())).splitlines(keepends=True)
            if other:
                lines.insert(i, draw(st.sampled_from(other)))
        return b"".join(lines)
    at = draw(st.integers(0, len(data)))
    if kind == 4 and lines:  # at the end of a line (before its line ending)
        i = draw(st.integers(0, len(lines) - 1))
        at = sum(len(x) for x in lines[:i]) + len(lines[i].rstrip(b"\r\n"))
    if kind == 6 and data:  # delete a few bytes
        return data[:at] + data[at + draw(st.integers(1, 4)) :]
    if kind == 7:  # one random byte
        return data[:at] + bytes([draw(st.integers(0, 255))]) + data[at:]
    return data[:at] + draw(st.sampled_from(INSERTS)) + data[at:]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A seed file with one to four mutations."""
    data = draw(st.sampled_from(seeds()))
    for _ in range(draw(st.integers(1, 4))):
        data = draw(_mutate(data))
    return data


def any_dockerfile() -> st.SearchStrategy[bytes]:
    """Grammar-built and mutated files, half and half."""
    return st.one_of(dockerfiles(), mutated())
