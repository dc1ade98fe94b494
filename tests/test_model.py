"""The model: stages, base images with ARG defaults, parents, which stages ship, instruction
fields and RUN bodies parsed into commands with offsets into the file."""

from __future__ import annotations

import pytest

from dockerlint_slim.model import ImageRef, ModelError, build_model, substitute


def test_stages_aliases_parents_and_shipping():
    text = (
        "ARG PY=3.11\n"
        "FROM python:${PY} AS build\n"
        "RUN echo build\n"
        "FROM build AS test\n"
        "FROM python:${PY}-slim AS base\n"
        "FROM base\n"
        "COPY --from=build /x /x\n"
    )
    model = build_model(text)
    assert [s.alias for s in model.stages] == ["build", "test", "base", None]
    assert [s.base.raw for s in model.stages] == [
        "python:3.11",
        "build",
        "python:3.11-slim",
        "base",
    ]
    assert [s.parent for s in model.stages] == [None, 0, None, 2]
    assert [s.ships for s in model.stages] == [False, False, True, True]
    assert model.target is model.stages[3]
    assert [s.index for s in model.lineage(model.stages[3])] == [3, 2]
    # the global ARG is an instruction outside any stage
    assert model.instructions[0].keyword == "ARG" and model.instructions[0].stage is None


def test_target_by_name_and_index():
    text = "FROM python:3.11 AS builder\nFROM builder AS tests\nFROM python:3.11-slim\n"
    by_name = build_model(text, target="TESTS")  # stage names are case-insensitive
    assert [s.ships for s in by_name.stages] == [True, True, False]
    assert by_name.target.alias == "tests"
    by_index = build_model(text, target="0")
    assert [s.ships for s in by_index.stages] == [True, False, False]
    with pytest.raises(ModelError, match="target stage 'nope' not found"):
        build_model(text, target="nope")


@pytest.mark.parametrize(
    ("expr", "values", "expected", "complete"),
    [
        ("python:${V}", {"V": "3.12"}, "python:3.12", True),
        ("python:$V-slim", {"V": "3.12"}, "python:3.12-slim", True),
        ("python:${V:-3.11}", {}, "python:3.11", True),
        ("python:${V:-3.11}", {"V": ""}, "python:3.11", True),
        ("python:${V-3.11}", {"V": ""}, "python:", True),
        ("img${S:+-slim}", {"S": "1"}, "img-slim", True),
        ("img${S:+-slim}", {}, "img", True),
        ("python:${V}", {}, "python:", False),
    ],
)
def test_substitute(expr, values, expected, complete):
    assert substitute(expr, values) == (expected, complete)


def test_arg_defaults_chain_and_unresolved():
    model = build_model(
        "ARG PYTHON_VERSION=3.12\n"
        "ARG BASE=python:${PYTHON_VERSION:-3.11}-slim\n"
        "FROM ${BASE} AS base\n"
        "ARG UNSET\n"
        "FROM registry.example.com:5000/team/app:${UNSET}\n"
    )
    assert model.stages[0].base.raw == "python:3.12-slim"
    assert model.stages[0].base.resolved
    assert not model.stages[1].base.resolved


@pytest.mark.parametrize(
    ("ref", "registry", "repository", "tag", "digest"),
    [
        ("python:3.11-slim", "", "python", "3.11-slim", None),
        ("docker.io/library/python:3", "docker.io", "python", "3", None),
        ("localhost:5000/app", "localhost:5000", "app", None, None),
        ("ghcr.io/org/img:1@sha256:abc", "ghcr.io", "org/img", "1", "sha256:abc"),
        ("bitnami/python", "", "bitnami/python", None, None),
    ],
)
def test_image_ref(ref, registry, repository, tag, digest):
    image = ImageRef.parse(ref)
    assert (image.registry, image.repository, image.tag, image.digest) == (
        registry,
        repository,
        tag,
        digest,
    )


def test_instruction_fields():
    text = (
        "FROM python:3.11-slim\n"
        "COPY --from=build --chown=app:app /src /dst\n"
        'CMD ["python", "-m", "app"]\n'
        "RUN --mount=type=cache,target=/root/.cache/pip pip install x\n"
    )
    model = build_model(text)
    copy, cmd, run = model.instructions[1:]
    assert copy.flag("from") == "build" and copy.flag("chown") == "app:app"
    assert copy.flag("link") is None
    assert copy.form == "shell" and copy.args == "/src /dst"
    assert cmd.form == "exec" and cmd.exec_args == ("python", "-m", "app")
    assert run.cache_mount_targets() == ["/root/.cache/pip"]
    assert (run.line, run.end_line) == (4, 4)
    assert text[run.start : run.end] == text.splitlines(keepends=True)[3]


def test_run_commands_keep_file_offsets_across_comment_lines():
    text = (
        "FROM python:3.11-slim\n"
        "RUN apt-get update \\\n"
        "# a comment inside the continuation\n"
        "\n"
        "    && sudo pip3 install --upgrade 'requests[socks]'\n"
    )
    run = build_model(text).instructions[1]
    names = [c.name for c in run.commands]
    assert names == ["apt-get", "pip3"]
    pip = run.commands[1]
    assert pip.wrappers == ("sudo",)
    assert [w.text for w in pip.args] == ["install", "--upgrade", "requests[socks]"]
    for word in pip.argv:
        assert text[word.start : word.end] == word.raw
    assert "comment" not in " ".join(w.text for c in run.commands for w in c.argv)


def test_run_heredoc_bodies_are_parsed_when_a_shell_runs_them():
    text = (
        "FROM python:3.11-slim\n"
        "RUN <<EOF\n"
        "pip install flask\n"
        "EOF\n"
        "RUN bash -e <<'EOT'\n"
        "apt-get update\n"
        "EOT\n"
        "RUN python3 <<EOF\n"
        "print('pip install')\n"
        "EOF\n"
    )
    runs = build_model(text).instructions[1:]
    assert [c.name for c in runs[0].commands] == ["pip"]
    assert "apt-get" in [c.name for c in runs[1].commands]
    assert [c.name for c in runs[2].commands] == ["python3"]
    word = runs[0].commands[0].argv[1]
    assert text[word.start : word.end] == "install"


def test_onbuild_has_no_commands():
    model = build_model("FROM python:3.11-slim\nONBUILD RUN pip install y\n")
    assert all(not inst.commands for inst in model.instructions)


def _spans(text: str, words) -> list[tuple[str, str]]:
    return [(w.text, text[w.start : w.end]) for w in words]


def test_exec_form_run_is_one_command_whose_words_span_their_json_strings():
    text = (
        "FROM python:3.11-slim\n"
        'RUN --mount=type=cache,target=/x [ "sudo", "pip",\\\n   "install", "fl\\u0061sk" ]\n'
    )
    (run,) = [i for i in build_model(text).instructions if i.keyword == "RUN"]
    (cmd,) = run.commands
    assert cmd.name == "pip" and cmd.wrappers == ("sudo",)
    assert _spans(text, cmd.argv) == [
        ("pip", '"pip"'),
        ("install", '"install"'),
        ("flask", '"fl\\u0061sk"'),
    ]
    assert text[cmd.start : cmd.end].startswith('"sudo"')  # wrappers included, as in shell form


def test_exec_form_shell_script_is_parsed_with_exact_offsets():
    text = (
        'FROM python:3.11-slim\nRUN ["/bin/bash", "-ec", "A=1 pip install x && apt-get update"]\n'
    )
    (run,) = [i for i in build_model(text).instructions if i.keyword == "RUN"]
    assert [c.name for c in run.commands] == ["pip", "apt-get"]
    assert _spans(text, run.commands[1].argv) == [("apt-get", "apt-get"), ("update", "update")]
    assert run.commands[0].assignments == (("A", "1"),)


def test_exec_form_script_with_escapes_is_read_with_words_spanning_the_script():
    text = 'FROM python:3.11-slim\nRUN ["sh", "-c", "pip install \\"flask\\""]\n'
    (run,) = [i for i in build_model(text).instructions if i.keyword == "RUN"]
    (cmd,) = run.commands
    assert [w.text for w in cmd.argv] == ["pip", "install", "flask"]
    script = '"pip install \\"flask\\""'
    assert {text[w.start : w.end] for w in cmd.argv} == {script}


def test_exec_form_not_mapped_back_has_no_commands():
    # a continuation inside a JSON string: the string's text is not one span of the file
    text = 'FROM python:3.11-slim\nRUN ["pip", "ins\\\ntall", "x"]\n'
    (run,) = [i for i in build_model(text).instructions if i.keyword == "RUN"]
    assert run.exec_args == ("pip", "install", "x")
    assert run.commands == ()


def test_env_is_inherited_through_from():
    text = (
        "FROM python:3.11-slim AS base\n"
        "ENV PIP_NO_CACHE_DIR=1 APP=/app\n"
        "ARG MODE=prod\n"
        "FROM base\n"
        "RUN echo $APP\n"
    )
    run = build_model(text).instructions[-1]
    assert run.env["PIP_NO_CACHE_DIR"] == "1"
    assert run.env["APP"] == "/app"


def test_instructions_share_the_environment_until_it_changes():
    text = (
        "FROM python:3.11-slim\n"
        "ENV A=1\n"
        "RUN echo 1\n"
        "COPY . .\n"
        "RUN echo 2\n"
        "ARG A=other\n"  # A is set already: nothing changes
        "RUN echo 3\n"
        "ENV B=2\n"
        "RUN echo 4\n"
    )
    insts = build_model(text).instructions
    assert insts[2].env is insts[3].env is insts[4].env is insts[5].env is insts[6].env
    assert insts[0].env is insts[1].env  # FROM and the first ENV see the stage's start
    assert insts[8].env is not insts[6].env
    assert dict(insts[6].env) == {"A": "1"}
    assert dict(insts[8].env) == {"A": "1", "B": "2"}
    assert insts[1].env == {} and len(insts[1].env) == 0


def _reference_envs(text: str) -> list[dict[str, str]]:
    """The environment of each instruction, copied whole per instruction (the model's
    definition, written the slow way)."""
    from dockerlint_slim.model import _arg_pairs, _env_pairs

    model = build_model(text)
    out: list[dict[str, str]] = []
    ends: dict[int, dict[str, str]] = {}
    env: dict[str, str] = {}
    for inst in model.instructions:
        if inst.stage is None:
            out.append({})
            continue
        stage = model.stages[inst.stage]
        if inst is stage.from_instruction:
            if out and inst.stage > 0:
                ends[inst.stage - 1] = env
            env = dict(ends[stage.parent]) if stage.parent is not None else {}
        out.append(dict(env))
        if inst.keyword == "ENV":
            env = dict(env)
            for name, value in _env_pairs(inst.args):
                env[name] = substitute(value, {**model.global_args, **env})[0]
        elif inst.keyword == "ARG":
            env = dict(env)
            for name, value in _arg_pairs(inst.args):
                value = model.global_args.get(name) if value is None else value
                if value is not None:
                    env.setdefault(name, value)
    return out


def test_environment_of_branching_stages_matches_whole_copies():
    text = (
        "ARG G=g\n"
        "FROM python:3.11 AS base\n"
        "ENV A=1 B=$A-b\n"
        "ARG G\n"
        "ENV A=2\n"
        "FROM base AS one\n"
        "ENV A=3 C=$G\n"
        "RUN echo\n"
        "FROM base AS two\n"  # a second stage from base: reads base's values, not one's
        "ENV D=$A\n"
        "FROM two AS three\n"
        "ENV A=4\n"
        "FROM one\n"
        "ENV E=$C$A\n"
        "RUN echo\n"
    )
    model = build_model(text)
    got = [dict(inst.env) for inst in model.instructions]
    assert got == _reference_envs(text)
    for inst, expected in zip(model.instructions, got):
        assert len(inst.env) == len(expected)
        assert sorted(inst.env) == sorted(expected)
        assert all(inst.env.get(k) == v and k in inst.env for k, v in expected.items())
        assert "NOPE" not in inst.env and inst.env.get("NOPE", "x") == "x"
    assert got[-1] == {"A": "3", "B": "1-b", "G": "g", "C": "g", "E": "g3"}
    assert got[10] == {"A": "2", "B": "1-b", "G": "g", "D": "2"}


def test_environment_of_a_long_chain_of_stages():
    # each s<i> is the second stage built FROM s<i-1>, so it cannot continue its values in
    # place: reading through many stages, then copying them, gives the same values
    text = "FROM python:3.11 AS s0\nENV V0=0\n" + "".join(
        f"FROM s{i - 1} AS d{i}\nENV X=$V0\n"
        f"FROM s{i - 1} AS s{i}\nRUN echo\nENV V{i}=$V{i - 1}+ W{i % 3}={i}\n"
        for i in range(1, 40)
    )
    model = build_model(text)
    assert [dict(inst.env) for inst in model.instructions] == _reference_envs(text)
    assert model.instructions[-1].env["V38"] == "0" + "+" * 38


def test_comments_directly_above_an_instruction():
    text = "FROM a\n# one\n# two\nRUN x\n# far\n\nRUN y\n"
    model = build_model(text)
    assert [c.body for c in model.instructions[1].comments] == ["one", "two"]
    assert model.instructions[2].comments == ()  # a blank line separates them


def test_a_program_named_by_a_variable_is_read_with_its_value():
    model = build_model(
        "FROM python:3.10\nARG PIP=pip3\nENV PY='python -m pip'\n"
        'RUN ${PIP} install flask && "$PY" install x && X=pip && $X install y && $NOPE install z\n'
    )
    run = model.stages[0].instructions[-1]
    got = [[w.text for w in c.argv] for c in run.commands]
    assert got == [
        ["pip3", "install", "flask"],
        ["python", "-m", "pip", "install", "x"],
        ["pip", "install", "y"],
        ["$NOPE", "install", "z"],
    ]
    # the words keep the variable's place in the file
    first = run.commands[0].argv[0]
    assert model.text[first.start : first.end] == "${PIP}" == first.raw


def test_onbuild_run_triggers_are_parsed_apart_from_commands():
    text = (
        "FROM python:3.11-slim\n"
        "ONBUILD RUN sudo pip install y && cd /app\n"
        'ONBUILD RUN ["pip", "install", "z"]\n'
        "ONBUILD COPY . /app\n"
        "RUN echo x\n"
    )
    model = build_model(text)
    trigger, exec_form, copy, run = model.instructions[1:]
    assert not trigger.commands  # they run in the images built FROM this one
    assert [c.name for c in trigger.onbuild_commands] == ["pip", "cd"]
    assert trigger.onbuild_commands[0].wrappers == ("sudo",)
    pip = trigger.onbuild_commands[0].argv[0]
    assert text[pip.start : pip.end] == "pip"
    # an exec-form trigger is read like an exec-form RUN: one command, its words in the JSON
    assert [[w.text for w in c.argv] for c in exec_form.onbuild_commands] == [
        ["pip", "install", "z"]
    ]
    assert not copy.onbuild_commands
    assert not run.onbuild_commands and [c.name for c in run.commands] == ["echo"]


@pytest.mark.parametrize(
    ("body", "piped"),
    [
        ("a | b", {"a": True, "b": True}),
        ("a && b; c", {"a": False, "b": False, "c": False}),
        ("x=$(a | b); c", {"a": True, "b": True, "c": False}),
        ("echo $(d) | e", {"echo": True, "d": False, "e": True}),
        ("(a; b) | c", {"a": True, "b": True, "c": True}),
        ("a 2>&1 | tee log", {"a": True, "tee": True}),
        ('case "$x" in a|b) c ;; esac', {"c": False}),
        ('echo "a|b" || f', {"echo": False, "f": False}),
    ],
)
def test_commands_know_whether_they_run_in_a_pipeline(body, piped):
    model = build_model(f"FROM debian:bookworm-slim\nRUN {body}\n")
    assert {c.name: c.piped for c in model.instructions[1].commands} == piped


def test_unquote_keeps_backslashes_that_escape_nothing_inside_double_quotes():
    from dockerlint_slim.model import unquote

    assert unquote(r'"c:\system32\app.exe"') == r"c:\system32\app.exe"
    assert unquote(r'"a\"b\\c\$d"') == r'a"b\c$d'
    assert unquote(r"c:\system32") == "c:system32"
    assert unquote(r"'c:\x'") == r"c:\x"
    assert unquote('"c:`temp"', escape="`") == "c:`temp"
