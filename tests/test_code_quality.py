"""The code stays as STYLE.md asks: ruff (with complexity warnings) and mypy clean on triage/.

Both tools come with the [test] extra (pip install -e '.[test]').
"""

from __future__ import annotations

import subprocess
import sys

from support.paths import REPO


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing_in_the_package():
    done = _run("ruff", "check", "triage")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_nothing_in_the_package():
    done = _run("mypy", "triage", "--ignore-missing-imports")
    assert done.returncode == 0, done.stdout + done.stderr
