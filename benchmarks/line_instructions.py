"""Instructions per batch line, engine pipeline beside the independent evaluator's: a figure load cannot move.

On this shared 2-core machine wall times drift by 10-20% between runs, so a small change to the engine is
hard to see in `bench_batch_jobs.py`. Counted with valgrind's cachegrind (the CPU instructions executed, the
same on every run with PYTHONHASHSEED=0), the two pipelines of that benchmark, in one process each:
- engine line: check the answers, evaluate with the engine, confirm with the reference evaluator (the second
  opinion), JSON out, as `triage run --batch` does for a line;
- reference line: check the answers, evaluate with the reference evaluator, JSON out.
Each is run on N and on 0 sessions; the difference divided by N is the cost of one line, start-up left out.
Instructions are not time (the engine's pipeline touches more memory per instruction), so the wall-time
ratio in docs/benchmarks.md stays the figure that counts; this one shows which way a change moves it.

Needs valgrind (`apt-get install valgrind`); run by hand, about a minute:
    .venv/bin/python benchmarks/line_instructions.py [--sessions 200]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_lines(kind: str, count: int, generated: int) -> None:
    """In the measured process: evaluate `count` of `generated` sessions the `kind` way, after a warm-up (the
    same sessions are generated whatever `count` is, so that making them is part of the start-up)."""
    sys.path.insert(0, str(HERE))
    from sessions import answer_sets, as_json

    from triage.answers import check_answers
    from triage.checks.oracle import evaluate as reference_evaluate
    from triage.checks.second_opinion import confirmed
    from triage.knowledge.load import load_knowledge
    from triage.render.json_format import outcome_data
    from triage.rete.engine import compile_rules

    kb = load_knowledge()
    rules = compile_rules(kb)
    rules.prepare()
    lines = [as_json(answers) for answers in answer_sets(kb, generated + 20)]
    for raw in lines[:20]:  # both ways, so that both start from the same warm state
        answers = check_answers(kb, raw, "warm-up")
        confirmed(kb, rules.evaluate(answers), answers)
    for raw in lines[20:20 + count]:
        answers = check_answers(kb, raw, "line")
        outcome = confirmed(kb, rules.evaluate(answers), answers) if kind == "engine" else \
            reference_evaluate(kb, answers)
        json.dumps(outcome_data(outcome))


def instructions(kind: str, count: int, generated: int) -> int:
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
               sys.executable, __file__, "--run", kind, "--evaluate", str(count), "--sessions", str(generated)]
    result = subprocess.run(command, capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONHASHSEED": "0"})
    found = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    if found is None:
        raise SystemExit(f"valgrind gave no instruction count:\n{result.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--run", choices=["engine", "reference"], help=argparse.SUPPRESS)
    parser.add_argument("--evaluate", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        run_lines(args.run, args.evaluate, args.sessions)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    count = args.sessions
    start = instructions("engine", 0, count)
    engine = (instructions("engine", count, count) - start) / count
    reference = (instructions("reference", count, count) - start) / count
    print(f"per line, {args.sessions} sessions: engine pipeline {engine / 1e6:.2f} M instructions, reference "
          f"pipeline {reference / 1e6:.2f} M; engine line at {reference / engine:.2f}x the reference's rate")


if __name__ == "__main__":
    main()
