"""What keeps linting linear in the size of a file, asserted by behaviour (never by timing;
``benchmarks/scale.py`` measures): tables of the whole file that a rule reads are built once
per file, and the answers read from them are those of the stage walk they replace."""

from __future__ import annotations

import importlib
import re

import pytest

from dockerlint_slim.engine import lint
from dockerlint_slim.model import build_model
from dockerlint_slim.rule import Context

apt_recommends = importlib.import_module("dockerlint_slim.rules.apt_install_recommends")
pip_cache = importlib.import_module("dockerlint_slim.rules.pip_cache_kept")


def test_context_once_computes_each_key_once() -> None:
    ctx = Context(build_model("FROM python:3.11\n"), "Dockerfile")
    calls: list[str] = []
    assert ctx.once("a", lambda: calls.append("a") or 1) == 1
    assert ctx.once("a", lambda: calls.append("a") or 2) == 1
    assert ctx.once("b", lambda: calls.append("b") or 3) == 3
    assert calls == ["a", "b"]


def _many_runs(n: int) -> str:
    return "FROM python:3.11\n" + "".join(
        f"RUN apt-get install -y pkg{i} && pip install p{i}\nUSER u{i}\n" for i in range(n)
    )


@pytest.mark.parametrize(
    ("module", "name"),
    [(apt_recommends, "_first_configured_off"), (pip_cache, "_users")],
)
def test_stage_tables_are_read_once_per_file(monkeypatch, module, name) -> None:
    real = getattr(module, name)
    calls: list[int] = []

    def counted(df):
        calls.append(len(df.instructions))
        return real(df)

    monkeypatch.setattr(module, name, counted)
    result = lint(_many_runs(30))
    assert calls == [61]
    assert len([f for f in result.findings if f.code in ("DL3015", "DL3042")]) == 60


def test_recommends_turned_off_in_a_parent_stage_holds_for_its_children() -> None:
    text = (
        "FROM debian:bookworm AS base\n"
        "RUN apt-get install -y a\n"  # before the configuration: reported
        "RUN echo 'APT::Install-Recommends \"0\";' > /etc/apt/apt.conf.d/no-rec\n"
        "FROM base AS one\n"
        "RUN apt-get install -y b\n"
        "FROM debian:bookworm\n"  # another image: reported
        "COPY --from=one /x /x\n"
        "RUN apt-get install -y c\n"
    )
    found = [f.line for f in lint(text, target="one").findings if f.code == "DL3015"]
    assert found == [2]
    found = [f.line for f in lint(text).findings if f.code == "DL3015"]
    assert found == [8]


def test_user_of_a_run_comes_from_the_last_user_of_its_image() -> None:
    model = build_model(
        "FROM python:3.11 AS base\n"
        "RUN echo\n"
        "USER app\n"
        "ARG WHO=web\n"
        "FROM base AS one\n"
        "RUN echo\n"
        "USER $WHO:staff\n"
        "RUN echo\n"
        "USER $NOBODY\n"
        "RUN echo\n"
        "FROM python:3.11\n"
        "RUN echo\n"
    )
    ctx = Context(model, "Dockerfile")
    runs = [(i, model.stages[i.stage]) for i in model.instructions if i.keyword == "RUN"]
    assert [pip_cache._user(inst, stage, ctx) for inst, stage in runs] == [
        (None, True),
        ("app", True),
        ("web", True),
        ("", False),
        (None, True),
    ]


def test_a_cache_removed_later_in_the_run_is_found_for_every_install() -> None:
    text = (
        "FROM python:3.11-slim\n"
        "RUN pip install a && rm -rf /root/.cache/pip && pip install b && uv pip install c "
        "&& pip install d && rm -rf ~/.cache/uv && pip cache purge && uv pip install e\n"
    )
    found = [f.column for f in lint(text).findings if f.code == "DL3042"]
    at = text.index("uv pip install e") - text.index("RUN") + 1
    assert found == [at]


deleted_later = importlib.import_module("dockerlint_slim.rules.deleted_in_later_layer")


def test_the_tree_of_added_paths_offers_every_related_path_in_order() -> None:
    paths = [
        "/app", "/app/src", "/app/src/x.py", "/app/*.whl", "/tmp", "/tmp/a/b", "/t*",
        "/var/lib/apt/lists", "@", "@/build", "@/b*/x", "/", "/app/src/[ab]", "/opt/v",
    ]  # fmt: skip
    removals = [
        "/app", "/app/src", "/app/src/x.py", "/app/x.whl", "/tmp/*", "/tmp/a", "/*",
        "/var/lib/apt/lists/*", "@/build/x", "@/*", "/app/src/a", "/nothing/here", "/",
    ]  # fmt: skip
    for removal in removals:
        tree = deleted_later._AddedTree()
        added = [deleted_later._Added(p, n, n, tree=True) for n, p in enumerate(paths)]
        tree.extend(added)
        related = [a for a in added if deleted_later._relation(removal, a.path) is not None]
        offered = tree.candidates(removal)
        assert [a for a in offered if a in related] == related, removal
        assert offered == sorted(offered, key=lambda a: a.line)
    # what was removed is not offered again
    tree = deleted_later._AddedTree()
    first, second = (
        deleted_later._Added("/tmp/a", 1, 1, True),
        deleted_later._Added("/x", 2, 2, True),
    )
    tree.extend([first, second])
    first.removed = True
    assert tree.candidates("/tmp") == [] and tree.candidates("/") == [second]


def test_a_line_of_stages_is_walked_once(monkeypatch) -> None:
    text = (
        "FROM python:3.11 AS s0\nRUN pip install a\n"
        + "".join(f"FROM s{i - 1} AS s{i}\nRUN echo {i}\n" for i in range(1, 30))
        + "RUN rm -rf /root/.cache/pip\n"
    )
    seen: list[int] = []
    real = deleted_later._Resolver

    class Counted(real):  # type: ignore[misc, valid-type]
        def __init__(self, inst, state):
            seen.append(inst.index)
            super().__init__(inst, state)

    monkeypatch.setattr(deleted_later, "_Resolver", Counted)
    found = [f.line for f in lint(text).findings if f.code == "DLS004"]
    assert found == [len(text.splitlines())]
    assert sorted(seen) == sorted(set(seen))  # each instruction once


def test_lint_pauses_the_cycle_collector_and_restores_it() -> None:
    import gc

    states: list[bool] = []
    real = deleted_later.DeletedInLaterLayer.check

    def check(self, inst, stage, ctx):
        states.append(gc.isenabled())
        return real(self, inst, stage, ctx)

    was = gc.isenabled()
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(deleted_later.DeletedInLaterLayer, "check", check)
            gc.enable()
            lint("FROM python:3.11\nRUN echo\n")
            assert gc.isenabled()
            gc.disable()
            lint("FROM python:3.11\nRUN echo\n")
            assert not gc.isenabled()
    finally:
        if was:
            gc.enable()
    assert states == [False, False]


@pytest.mark.parametrize(
    "text",
    [
        "flask", "Flask_SQLAlchemy", "zope.interface", "a", "a1", "pkg==1.5", "pkg==1.05",
        "pkg>=2", "pkg<3.0.0", "pkg!=1.2", "pkg>1", "pkg<=0.9", "x-y.z==10.20.30",
        "pkg==1.5.*", "pkg~=1.4", "pkg===1", "pkg==1.0a1", "pkg == 1.5", "pkg[extra]==1",
        "pkg>=1,<2", "pkg;python_version<'3.9'", "-pkg", "pkg_", "pkg==", "pkg==1.",
        "pkg==v1", "pkg<>1", "1pkg==2",
    ],
)  # fmt: skip
def test_plain_requirements_are_read_as_packaging_reads_them(text) -> None:
    project = importlib.import_module("dockerlint_slim.project")
    fast = project.parse_requirement(text)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(project, "_SIMPLE_REQUIREMENT", re.compile(r"(?!)(.)(.)(.)"))
        slow = project._parse_requirement(text)
    assert fast == slow


cache_busting = importlib.import_module("dockerlint_slim.rules.cache_busting_copy")


def test_each_run_is_read_once_for_every_copy_of_the_whole_context(monkeypatch) -> None:
    text = "FROM python:3.11 AS s0\nWORKDIR /app\n" + "".join(
        f"FROM s{i - 1} AS s{i}\nCOPY . .\nRUN pip install -r requirements.txt\n"
        f"RUN echo {i}\nCOPY . .\n"
        for i in range(1, 20)
    )
    read: list[int] = []
    real = cache_busting._run_installs

    def counted(inst, workdir):
        read.append(inst.index)
        return real(inst, workdir)

    monkeypatch.setattr(cache_busting, "_run_installs", counted)
    found = [f.line for f in lint(text).findings if f.code == "DLS006"]
    assert found == [4]  # the first copy comes before the first install; later ones do not
    assert sorted(read) == sorted(set(read))


def test_a_copy_of_the_whole_context_knows_the_installs_of_the_stage_it_is_built_from() -> None:
    text = (
        "FROM python:3.11 AS base\n"
        "WORKDIR /app\n"
        "COPY requirements.txt .\n"
        "RUN pip install -r requirements.txt\n"
        "FROM base AS one\n"
        "COPY . .\n"
        "RUN pip install -r requirements.txt\n"  # the same file again: no reinstall
        "FROM python:3.11\n"
        "WORKDIR /srv\n"
        "COPY . .\n"
        "RUN pip install -r requirements.txt\n"  # nothing installed before: every change
    )
    found = [f.line for f in lint(text).findings if f.code == "DLS006"]
    assert found == [10]


abi_copy = importlib.import_module("dockerlint_slim.rules.abi_mismatch_copy")


def test_each_stage_of_a_copy_from_is_read_once(monkeypatch) -> None:
    text = (
        "FROM debian:bookworm AS build\n"
        "RUN apt-get install -y python3.11 && python3.11 -m venv /opt/venv\n"
        "FROM python:3.12-slim\n"
        + "".join(f"COPY --from=build /opt/venv /opt/venv{i}\n" for i in range(30))
    )
    sides: list[int] = []
    real = abi_copy._stage_side

    def counted(df, stage):
        sides.append(stage.index)
        return real(df, stage)

    monkeypatch.setattr(abi_copy, "_stage_side", counted)
    found = [f.line for f in lint(text).findings if f.code == "DLS005"]
    assert found == list(range(4, 34))
    assert sorted(sides) == [0, 1]


def test_fixes_are_picked_and_applied_as_one_by_one() -> None:
    """select_fixes and apply_edits find overlaps through sorted edits and join the text
    once; the answers are those of comparing every pair and editing the text edit by edit."""
    import random

    from dockerlint_slim.edits import Edit, Fix, Safety, apply_edits, select_fixes

    def naive_select(fixes, allowed):
        chosen = []
        for fix in sorted(fixes, key=lambda f: (f.start, f.end)):
            if fix.safety > allowed or fix.safety == Safety.DISPLAY_ONLY or not fix.edits:
                continue
            if any(fix.overlaps(c) for c in chosen):
                continue
            chosen.append(fix)
        return chosen

    def naive_apply(text, edits):
        out = text
        for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
            out = out[: e.start] + e.content + out[e.end :]
        return out

    rng = random.Random(7)
    text = "".join(rng.choice("abc\n") for _ in range(60))
    for _ in range(400):
        fixes = []
        for n in range(rng.randint(0, 12)):
            edits: list[Edit] = []
            for _ in range(rng.randint(1, 3)):
                start = rng.randint(0, 60)
                end = min(60, start + rng.choice([0, 0, 1, 2, 5, 30]))
                e = Edit(start, end, rng.choice(["", "X", "YY"]))
                if not any(e.overlaps(o) for o in edits):
                    edits.append(e)
            fixes.append(Fix(f"f{n}", tuple(edits), rng.choice(list(Safety))))
        for allowed in (Safety.SAFE, Safety.UNSAFE):
            picked = select_fixes(fixes, allowed)
            assert picked == naive_select(fixes, allowed)
            edits = [e for f in picked for e in f.edits]
            assert apply_edits(text, edits) == naive_apply(text, edits)
    with pytest.raises(ValueError, match="past the end"):
        apply_edits("abc", [Edit(1, 2, "x"), Edit(3, 4, "y")])
