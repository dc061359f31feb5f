"""A wheel built from the repository carries the knowledge base: `pip install .` (not editable) into a fresh
virtual environment, then run from another directory, works.

Slow (it builds and installs; pip reaches the package index): deselect with `-m "not slow"`.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from support.paths import EXAMPLES, REPO, real_case_files

INSTALL_TIMEOUT = 300


@pytest.mark.slow
def test_a_fresh_non_editable_install_runs_an_example_and_the_golden_cases_from_another_directory(tmp_path):
    venv = tmp_path / "venv"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}

    def run(*args, timeout=120):
        return subprocess.run([str(a) for a in args], cwd=elsewhere, env=env, capture_output=True,
                              text=True, timeout=timeout)

    created = run(sys.executable, "-m", "venv", venv)
    assert created.returncode == 0, created.stderr
    installed = run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", REPO, timeout=INSTALL_TIMEOUT)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    # The installed package, not the checkout, is what runs.
    where = run(venv / "bin" / "python", "-c", "import triage, triage.knowledge.load; print(triage.__file__); "
                                               "print(triage.knowledge.load.builtin_rules_dir())")
    assert where.returncode == 0, where.stderr
    package_file, rules_dir = where.stdout.splitlines()
    assert package_file.startswith(str(venv)) and rules_dir.startswith(str(venv)), where.stdout

    ran = run(venv / "bin" / "triage", "run", "--answers", (EXAMPLES / "past-tb.yaml").resolve())
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("WHAT TO DO: SOON (within two weeks)\n")  # words from triage/texts/en.yaml
    assert "This is not a diagnosis" in ran.stdout

    tested = run(venv / "bin" / "triage", "rules", "test")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert f"{len(real_case_files())} passed, 0 failed" in tested.stdout.splitlines()
