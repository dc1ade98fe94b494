"""Golden rewrites of bases that cannot be built here (fixtures/golden/README.md): the fixed
file must be exactly ``expected.Dockerfile``, fixing it again must change nothing, and every
instruction of the runtime stage must stay on the expected base."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dockerlint_slim.fixer import fix_text

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())


def _fix(folder: Path, text: str) -> str:
    return fix_text(
        text, str(folder / "Dockerfile"), unsafe=True, file_path=folder / "Dockerfile",
        context_dir=folder,
    ).text  # fmt: skip


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 2, CASES


@pytest.mark.parametrize("name", CASES)
def test_golden_rewrite(name: str) -> None:
    folder = GOLDEN / name
    fixed = _fix(folder, (folder / "Dockerfile").read_text(encoding="utf-8"))
    assert fixed == (folder / "expected.Dockerfile").read_text(encoding="utf-8")
    assert _fix(folder, fixed) == fixed
    froms = [line for line in fixed.splitlines() if line.startswith("FROM ")]
    # the builder keeps the -devel image, the runtime stage has the -runtime one of the same
    # CUDA, cuDNN and Ubuntu (nvidia/cuda), or of the same torch too (pytorch/pytorch)
    assert len(froms) == 2 and "-devel" in froms[0] and froms[0].endswith(" AS builder")
    builder = froms[0].removesuffix(" AS builder")
    assert froms[1] == re.sub(r"-devel(-|$)", r"-runtime\1", builder)
