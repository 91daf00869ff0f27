"""The Makefile installs what its targets need on a fresh machine."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _dry_run(target: str) -> list[str]:
    done = subprocess.run(
        ["make", "-n", target], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return done.stdout.splitlines()


def test_make_bench_installs_wrk_before_the_first_benchmark():
    lines = _dry_run("bench")
    first_benchmark = next(n for n, line in enumerate(lines) if "bench/" in line)
    assert any("wrk" in line and "apt-get install" in line for line in lines[:first_benchmark])
    assert any("command -v wrk" in line for line in lines[:first_benchmark])
