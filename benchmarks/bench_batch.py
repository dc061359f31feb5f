"""Batch: `triage run --batch FILE.jsonl` over 10,000 generated sessions, on one core.

The command as a person runs it (a new process each run, start-up included), pinned to one core with
taskset when there is one, output to a file. Sessions per second = lines / wall time; the figure is the
median over runs. Every output line is checked to be an outcome (no error lines).
Target: at least 300 sessions a second.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import common
from sessions import answer_sets, as_json

from triage.knowledge.load import load_knowledge

TARGET_PER_SECOND = 300.0


def write_sessions(path: Path, count: int) -> None:
    kb = load_knowledge()
    with path.open("w", encoding="utf-8") as out:
        for answers in answer_sets(kb, count):
            out.write(json.dumps(as_json(answers)) + "\n")


def one_run(sessions: Path, output: Path, pinned: bool) -> float:
    command = [*common.triage_command(), "run", "--batch", str(sessions)]
    if pinned:
        command = ["taskset", "-c", "0", *command]
    started = time.perf_counter()
    with output.open("w", encoding="utf-8") as out:
        subprocess.run(command, stdout=out, stderr=subprocess.PIPE, check=True)
    return time.perf_counter() - started


def check(output: Path, count: int) -> None:
    lines = output.read_text(encoding="utf-8").splitlines()
    assert len(lines) == count, f"{len(lines)} output lines for {count} sessions"
    assert all('"errors"' not in line[:40] for line in lines), "some sessions gave errors"


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = common.arguments(__doc__.splitlines()[0], runs=3, argv=argv,
                            extra=[("--sessions", {"type": int, "default": 10_000})])
    count = 50 if args.smoke else args.sessions
    runs = 1 if args.smoke else args.runs
    pinned = shutil.which("taskset") is not None
    with tempfile.TemporaryDirectory() as folder:
        sessions, output = Path(folder) / "sessions.jsonl", Path(folder) / "outcomes.jsonl"
        write_sessions(sessions, count)
        times = []
        for _ in range(runs):
            times.append(one_run(sessions, output, pinned))
            check(output, count)
    per_second = [count / t for t in times]
    result = {
        "benchmark": "batch",
        "runs": runs,
        "sessions": count,
        "pinned_to_one_core": pinned,
        "seconds": round(common.median(times), 3),
        "sessions_per_second": round(common.median(per_second), 1),
        "per_run_per_second": [round(p, 1) for p in per_second],
        "target_per_second": TARGET_PER_SECOND,
        "met": common.median(per_second) >= TARGET_PER_SECOND,
    }
    print(f"{count} sessions: {result['seconds']:.2f} s, {result['sessions_per_second']:.0f} sessions/s "
          f"({'one core' if pinned else 'not pinned: no taskset'}; runs: {result['per_run_per_second']})")
    common.write(result, args.json)
    return result


if __name__ == "__main__":
    main()
