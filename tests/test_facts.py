"""dockerlint_slim.facts: what a stage builds, installs and leaves installed, answered once per
file and shared by the rules that ask (DLS001, DLS002, DLS003, DLS007)."""

from __future__ import annotations

from pathlib import Path

import pytest

import dockerlint_slim.facts as facts_module
from dockerlint_slim.engine import lint
from dockerlint_slim.facts import Facts, StageFacts
from dockerlint_slim.model import Dockerfile, Instruction, build_model
from dockerlint_slim.project import Project
from dockerlint_slim.rule import Context


def _facts(text: str, context: Path | None = None) -> tuple[Dockerfile, Facts]:
    model = build_model(text)
    return model, Facts(model, Project(context) if context is not None else None)


def _runs(model: Dockerfile) -> list[Instruction]:
    return [i for i in model.instructions if i.keyword == "RUN"]


def _write(folder: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return folder


def _stage_facts(text: str, context: Path | None = None, stage: int = -1) -> StageFacts:
    model, facts = _facts(text, context)
    return facts.stage(model.stages[stage])


# --------------------------------------------------------------------------- answers


def test_toolchain_left_installed_names_each_package_once_with_its_word() -> None:
    text = (
        "FROM python:3.12-slim\n"
        "RUN apt-get update && apt-get install -y gcc=4:12.2.0-3 libpq-dev gcc libpq5\n"
    )
    model, facts = _facts(text)
    run = facts.run(_runs(model)[0])
    assert run is not None
    assert [name for name, _ in run.toolchain] == ["gcc", "libpq-dev"]
    first = run.toolchain[0][1]
    assert model.text[first.start : first.end] == "gcc=4:12.2.0-3"


@pytest.mark.parametrize(
    "run",
    [
        "apk add --virtual .build-deps gcc musl-dev && apk del .build-deps",
        "apt-get install -y gcc && apt-get purge -y gcc",
        "apt-get install -s gcc",  # a dry run installs nothing
        "apt-get install -y curl libpq5 gcc-12-base",  # runtime packages only
    ],
)
def test_no_toolchain_left(run: str) -> None:
    assert _stage_facts(f"FROM debian:bookworm-slim\nRUN {run}\n").toolchain == ()


def test_exec_form_runs_are_read_for_the_toolchain() -> None:
    sf = _stage_facts('FROM alpine:3.20\nRUN ["apk", "add", "gcc"]\n')
    assert [names for _, names in sf.toolchain] == [("gcc",)]


def test_a_removal_in_a_later_run_does_not_count() -> None:
    text = "FROM debian:bookworm-slim\nRUN apt-get install -y gcc\nRUN apt-get purge -y gcc\n"
    sf = _stage_facts(text)
    assert [(inst.line, names) for inst, names in sf.toolchain] == [(2, ("gcc",))]


def test_native_builds_and_python_packages_of_the_command_line() -> None:
    text = (
        "FROM python:3.12-slim\n"
        "RUN pip install --no-cache-dir psycopg2==2.9.9 requests\n"
        "RUN pip install --no-binary lxml lxml six\n"
    )
    model, facts = _facts(text)
    first, second = (facts.run(inst) for inst in _runs(model))
    assert first is not None and second is not None
    (install,) = first.installs
    assert install.tool == "pip"
    assert model.text[install.start : install.end] == "pip install"
    assert install.compiles == ("psycopg2",)
    assert install.packages == ("psycopg2", "requests")
    assert second.compiles == ("lxml",)
    assert second.builds[0].details == ("--no-binary lxml",)
    sf = facts.stage(model.stages[0])
    assert [names for _, names in sf.native_builds] == [("psycopg2",), ("lxml",)]
    assert sf.python_packages == ("psycopg2", "requests", "lxml", "six")


def test_an_install_that_compiles_nothing_is_still_read() -> None:
    model, facts = _facts("FROM python:3.12-slim\nRUN pip install Requests_OAuthlib\n")
    run = facts.run(_runs(model)[0])
    assert run is not None
    assert run.builds == () and run.compiles == ()
    assert run.installs[0].packages == ("requests-oauthlib",)


def test_requirement_files_are_found_through_copy_workdir_and_bind_mounts(
    tmp_path: Path,
) -> None:
    context = _write(
        tmp_path,
        {"reqs/prod.txt": "psycopg2==2.9.9\n", "extra.txt": "pycrypto\nsix\n"},
    )
    text = (
        "FROM python:3.12-slim\n"
        "WORKDIR /app\n"
        "COPY reqs/prod.txt requirements.txt\n"
        "RUN pip install -r requirements.txt\n"
        "RUN --mount=type=bind,source=extra.txt,target=/tmp/e.txt pip install -r /tmp/e.txt\n"
    )
    sf = _stage_facts(text, context)
    assert [names for _, names in sf.native_builds] == [("psycopg2",), ("pycrypto",)]
    assert sf.python_packages == ("psycopg2", "pycrypto", "six")
    # without a build context only the command line is read
    assert _stage_facts(text).native_builds == ()


def test_a_run_that_installs_and_removes_its_compiler_is_contained() -> None:
    build = (
        "RUN apk add --virtual .build-deps gcc musl-dev postgresql-dev"
        " && pip install psycopg2==2.9.9 && apk del .build-deps\n"
    )
    model, facts = _facts("FROM python:3.12-alpine\n" + build)
    run = facts.run(_runs(model)[0])
    assert run is not None and run.contained
    sf = facts.stage(model.stages[0])
    assert [names for _, names in sf.native_builds] == [("psycopg2",)]
    assert sf.native_builds_uncontained == ()
    # not when an earlier RUN left a compiler, nor on a base that has one
    earlier = _stage_facts("FROM python:3.12-alpine\nRUN apk add gcc\n" + build)
    assert [names for _, names in earlier.native_builds_uncontained] == [("psycopg2",)]
    full = _stage_facts("FROM python:3.12\n" + build.replace("apk", "apt-get"))
    assert not any(run.contained for run in full.runs)


def test_stage_facts_follow_the_stages_a_stage_is_built_from() -> None:
    text = (
        "FROM python:3.12-slim AS base\n"
        "RUN apt-get install -y gcc\n"
        "FROM base AS build\n"
        "RUN pip install psycopg2==2.9.9\n"
        "FROM python:3.12-slim\n"
        "RUN pip install six\n"
    )
    model, facts = _facts(text)
    build = facts.stage(model.stages[1])
    assert [inst.line for inst in (r.instruction for r in build.runs)] == [2, 4]
    assert [names for _, names in build.toolchain] == [("gcc",)]
    assert [names for _, names in build.native_builds] == [("psycopg2",)]
    final = facts.stage(model.stages[2])
    assert final.toolchain == () and final.native_builds == ()
    assert final.python_packages == ("six",)


def test_windows_images_have_no_python_install_facts() -> None:
    text = "FROM python:3.12-windowsservercore\nRUN pip install psycopg2==2.9.9\n"
    assert _stage_facts(text).python_packages == ()


def test_only_runs_have_run_facts() -> None:
    model, facts = _facts("ARG V=1\nFROM python:3.12-slim\nWORKDIR /app\n")
    assert all(facts.run(inst) is None for inst in model.instructions)


# --------------------------------------------------------------------------- computed once

CHAIN = (
    "FROM python:3.11 AS base\n"
    "WORKDIR /app\n"
    "COPY requirements.txt .\n"
    "RUN apt-get update && apt-get install -y gcc libpq-dev\n"
    "RUN pip install -r requirements.txt\n"
    "FROM base AS test\n"
    "COPY . .\n"
    "RUN pip install pycrypto\n"
    "FROM base\n"
    "COPY app.py .\n"
    "RUN pip install psycopg2==2.9.9 && pip install six\n"
    'CMD ["python", "app.py"]\n'
)


def test_the_same_question_gets_the_same_object(tmp_path: Path) -> None:
    model = build_model(CHAIN)
    ctx = Context(model, "Dockerfile", tmp_path)
    assert ctx.facts is ctx.facts
    stage = model.stages[2]
    sf = ctx.facts.stage(stage)
    assert ctx.facts.stage(stage) is sf
    assert sf.native_builds is sf.native_builds
    for inst, run in zip(_runs(model)[:2] + _runs(model)[3:], sf.runs):
        assert ctx.facts.run(inst) is run


def test_each_stage_is_walked_and_each_run_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, {"requirements.txt": "psycopg2==2.9.9\n", "app.py": ""})
    copies: list[int] = []
    commands: list[int] = []
    copy_of, install_of = facts_module._copy_of, facts_module._install_of

    def counted_copy(inst, cwd):
        copies.append(inst.index)
        return copy_of(inst, cwd)

    def counted_install(cmd, inst):
        commands.append(cmd.start)
        return install_of(cmd, inst)

    monkeypatch.setattr(facts_module, "_copy_of", counted_copy)
    monkeypatch.setattr(facts_module, "_install_of", counted_install)
    model, facts = _facts(CHAIN, tmp_path)
    for inst in reversed(model.instructions):  # the last stage first: its FROM chain is walked
        run = facts.run(inst)
        if run is not None:
            run.installs, run.toolchain, run.contained  # noqa: B018
    for stage in model.stages:
        sf = facts.stage(stage)
        sf.toolchain, sf.native_builds, sf.native_builds_uncontained, sf.python_packages  # noqa: B018
    copy_lines = sorted(model.instructions[i].line for i in copies)
    assert copy_lines == [3, 7, 10]  # every COPY read once, though three stages share line 3
    every_command = [c.start for inst in _runs(model) for c in inst.commands]
    assert sorted(commands) == sorted(every_command)


def test_the_rules_share_one_reading_of_each_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DLS001, DLS002, DLS003 and DLS007 all ask about the shipped lineage: each Python
    install command is still read once per lint."""
    _write(tmp_path, {"requirements.txt": "psycopg2==2.9.9\n", "app.py": ""})
    seen: list[int] = []
    install_of = facts_module._install_of

    def counted(cmd, inst):
        seen.append(cmd.start)
        return install_of(cmd, inst)

    monkeypatch.setattr(facts_module, "_install_of", counted)
    result = lint(CHAIN, "Dockerfile", context_dir=tmp_path)
    codes = {f.code for f in result.findings}
    # DLS007 reports the problem; DLS002 and DLS003 ran too: their lines are its related ones
    assert "DLS007" in codes and not {"DLS001", "DLS002", "DLS003"} & codes
    (primary,) = [f for f in result.findings if f.code == "DLS007"]
    assert {r.message.rsplit("(", 1)[-1] for r in primary.related} == {"DLS002)", "DLS003)"}
    assert len(seen) == len(set(seen))
    shipped = [c.start for inst in _runs(result.model) for c in inst.commands]
    shipped = [s for s in shipped if result.model.stage_of(_at(result.model, s)).ships]
    assert sorted(seen) == sorted(shipped)


def _at(model: Dockerfile, offset: int) -> Instruction:
    return next(i for i in model.instructions if i.start <= offset < i.end)
