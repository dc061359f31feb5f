"""examples/dask_batch.py: a large batch split into files and spread over Dask's workers gives, file by file,
exactly what `triage run --batch` gives, and refuses the same things (issue 18, "beyond one machine")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support.kb_copies import rules_copy
from support.paths import EXAMPLES

NO, YES, BAD = '{"chest_pain": "no"}', '{"chest_pain": "yes", "sex": "male"}', "chest_pain: no"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(EXAMPLES / "dask_batch.py"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def batch(name: str, cwd: Path) -> str:
    return subprocess.run([sys.executable, "-m", "triage", "run", "--batch", name, "--jobs", "1"], cwd=cwd,
                          capture_output=True, text=True, timeout=120).stdout


def test_each_file_gives_what_triage_run_batch_gives_one_line_per_line(tmp_path):
    files = {"part-1.jsonl": [NO, YES] * 40, "part-2.jsonl": [YES, BAD, NO], "part-3.jsonl": [NO]}
    for name, lines in files.items():
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run("--out", "out", "--workers", "2", *files, cwd=tmp_path)
    assert done.returncode == 2, done.stderr  # one line could not be evaluated
    assert "84 lines in 3 files, 1 with errors" in done.stderr
    for name, lines in files.items():
        written = (tmp_path / "out" / name.replace(".jsonl", ".out.jsonl")).read_text(encoding="utf-8")
        assert written == batch(name, tmp_path)
        assert len(written.splitlines()) == len(lines)
    second = (tmp_path / "out" / "part-2.out.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(second[0])["referral"]["urgency"] == "emergency"
    assert json.loads(second[1])["errors"] and json.loads(second[1])["line"] == 2
    assert json.loads(second[2])["line"] == 3


def test_a_rules_folder_that_fails_its_golden_cases_evaluates_nothing(tmp_path):
    rules = rules_copy(tmp_path, {"rules/safety.yaml": ("urgency: emergency}", "urgency: routine}")})
    (tmp_path / "part.jsonl").write_text(YES + "\n", encoding="utf-8")
    done = run("--rules", str(rules), "--out", "out", "part.jsonl", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "golden cases fail" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out" / "part.out.jsonl").exists()
