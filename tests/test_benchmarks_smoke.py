"""The benchmark scripts still run (tiny 'smoke' runs). Never a timing assertion: figures live in
docs/benchmarks.md, written by `benchmarks/run_all.py` on a quiet machine (issue 7)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"

pytestmark = pytest.mark.slow


def test_run_all_runs_every_benchmark_and_writes_a_report(tmp_path):
    report = tmp_path / "benchmarks.md"
    subprocess.run([sys.executable, str(BENCHMARKS / "run_all.py"), "--smoke", "--output", str(report)],
                   check=True, capture_output=True, text=True, timeout=600)
    text = report.read_text(encoding="utf-8")
    assert "SMOKE RUN" in text
    for heading in ("## 1. Start-up", "## 2. Per answer", "## 3. Whole session", "## 4. Batch",
                    "## 5. Kiosk memory", "## 6. What each engine change gains",
                    "## 7. Scaling: the knowledge base x1 to x16",
                    "## 8. The questionnaire in a browser (`triage serve`)"):
        assert heading in text
    assert "| start-up to first prompt (pty) |" in text and "| kiosk memory, 150 people |" in text
    assert "| `triage serve`, 2 people at once: server time per page | 1 worker p99 " in text


# Each script alone with its own --json (run_all above runs them all the same way, so one is enough here).
@pytest.mark.parametrize("script", ["bench_session.py"])
def test_a_benchmark_runs_alone(script, tmp_path):
    out = tmp_path / "result.json"
    subprocess.run([sys.executable, str(BENCHMARKS / script), "--smoke", "--json", str(out)], check=True,
                   capture_output=True, text=True, timeout=300)
    assert out.read_text(encoding="utf-8").startswith("{")
