"""Generated projects (benchmarks/wild.py): the rewrite is offered on them, and a seeded sample
builds and behaves the same after the rewrite (the full run is benchmarks/rewrite_wild.py).

The sample covers the six bases of the generator (python:3.11, python:3.11-bookworm,
python:3.9 on bullseye, python:3.13 on trixie, a base chosen by an ARG, debian:bookworm with
Debian's python3), so the rig must have built ``--suites bookworm,bullseye,trixie``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.rewrite_wild import run_one
from benchmarks.wild import BASES, generate
from dockerlint_slim import verify
from dockerlint_slim.fixer import fix_text
from tests.support import unavailable

SAMPLE_SEED = 81
SAMPLE = generate(SAMPLE_SEED, 6)
SAMPLE_IMAGES = (
    "python:3.11",
    "python:3.11-slim",
    "python:3.11-bookworm",
    "python:3.11-slim-bookworm",
    "python:3.9",
    "python:3.9-slim",
    "python:3.13",
    "python:3.13-slim",
    "debian:bookworm",
    "debian:bookworm-slim",
)


def test_the_generator_is_seeded_and_covers_every_base() -> None:
    first, again = generate(3, 20), generate(3, 20)
    assert [p.files for p in first] == [p.files for p in again]
    assert [p.files for p in generate(4, 20)] != [p.files for p in first]
    assert {p.base for p in SAMPLE} == set(BASES)


def test_the_rewrite_is_offered_on_nearly_every_generated_project(tmp_path: Path) -> None:
    projects = generate(7, 100)
    offered = []
    for project in projects:
        folder = project.write(tmp_path)
        original = (folder / "Dockerfile").read_text(encoding="utf-8")
        fixed = fix_text(
            original, "Dockerfile", unsafe=True, file_path=folder / "Dockerfile", context_dir=folder
        ).text
        if fixed != original:
            offered.append(project.name)
            again = fix_text(
                fixed,
                "Dockerfile",
                unsafe=True,
                file_path=folder / "Dockerfile",
                context_dir=folder,
            ).text
            assert again == fixed, f"{project.name}: fixing twice changes the file"
    assert len(offered) >= 90, sorted({p.name for p in projects} - set(offered))


@pytest.mark.e2e
@pytest.mark.parametrize("project", SAMPLE, ids=[p.name for p in SAMPLE])
def test_generated_project_rewrite_builds_and_behaves_the_same(
    project, docker_engine: verify.Docker, tmp_path: Path
) -> None:
    missing = [
        image
        for image in SAMPLE_IMAGES
        if docker_engine.run(["image", "inspect", "--format", "{{.Id}}", image]).returncode != 0
    ]
    if missing:
        unavailable(
            "e2e",
            f"the engine has no {', '.join(missing)} image; build them with "
            "`bash shared/rig/make-python-bases.sh --suites bookworm,bullseye,trixie`",
        )
    outcome = run_one(project, project.write(tmp_path), docker_engine, timeout=120)
    assert outcome.original_ok, f"{project.name}: the original does not build ({outcome.why})"
    assert outcome.offered, outcome.refusal
    assert not outcome.broken, f"{project.name} ({', '.join(project.shapes)}): {outcome.why}"
    assert outcome.verified, outcome.why
    assert outcome.output.endswith("user " + ("app" if project.user else "root")), outcome.output
    assert outcome.ratio is not None and outcome.ratio < 0.5
