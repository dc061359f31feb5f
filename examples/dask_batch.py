"""Re-check many stored answer sets on a Dask cluster: one task per JSON-lines file, results beside them.

A very large batch (say, every stored answer set re-checked after a rules change) is split into files,
each file is one task, and each task writes `<out>/<file name>.out.jsonl` with exactly one output line per
input line, as `triage run --batch` does. Each worker process loads the rules folder once, and its first
evaluation compiles the rules and runs the golden cases and start-up checks, so a worker whose copy of the
rules fails them evaluates nothing (the task fails, and Dask reports it). The files must be readable by
every worker (a shared file system or object store); nothing else is shared, so the work scales with the
number of workers.

Locally (Dask's process pool on this machine):
    python examples/dask_batch.py --out results/ part-0001.jsonl part-0002.jsonl ...
On a cluster (dask.distributed, `pip install distributed`; a scheduler started with `dask scheduler`):
    python examples/dask_batch.py --scheduler tcp://HOST:8786 --rules /shared/rules --out /shared/out /shared/in/*.jsonl

Exit code 0 when every line was evaluated, 2 when some lines gave errors (see their "errors" lines).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path
from typing import Any

import dask
import dask.bag

from triage.api import evaluate_jsonl, rules_for
from triage.errors import TriageError
from triage.knowledge.load import load_knowledge
from triage.model import KnowledgeBase


@functools.cache
def knowledge(rules: str | None) -> KnowledgeBase:
    """The knowledge base, loaded once per worker process (the built-in rules when `rules` is None)."""
    return load_knowledge(rules)


def evaluate_file(path: str, out: str, rules: str | None) -> dict[str, Any]:
    """One task: every line of `path` evaluated into `out`/<name>.out.jsonl; returns what it did."""
    kb = knowledge(rules)
    rules_for(kb)  # compiled and self-tested before anything is written: a failing copy writes nothing
    target = Path(out) / f"{Path(path).stem}.out.jsonl"
    lines = failed = 0
    with open(path, "rb") as source, open(target, "w", encoding="utf-8") as sink:
        for line in evaluate_jsonl(kb, source, path):
            sink.write(line.output + "\n")
            lines += 1
            failed += line.error is not None
    return {"file": path, "output": str(target), "lines": lines, "failed": failed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help="JSON-lines files of answers (one task each)")
    parser.add_argument("--out", required=True, help="folder for the <name>.out.jsonl files")
    parser.add_argument("--rules", help="rules folder (default: the built-in one)")
    parser.add_argument("--scheduler", help="a dask.distributed scheduler address; default: local processes")
    parser.add_argument("--workers", type=int, help="local worker processes (default: every core)")
    args = parser.parse_args(argv)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    tasks = dask.bag.from_sequence(args.files, npartitions=len(args.files)).map(evaluate_file, args.out, args.rules)
    try:
        if args.scheduler:
            from dask.distributed import Client  # only needed for a real cluster

            with Client(args.scheduler):
                done = tasks.compute()
        else:
            done = tasks.compute(scheduler="processes", num_workers=args.workers)
    except TriageError as exc:  # a bad rules folder, failing golden cases: one line, as the triage command says it
        for problem in exc.problems:  # its problems, not str(exc): Dask adds the worker's traceback to that
            print(f"error: {problem}", file=sys.stderr)
        return 2
    for result in done:
        print(json.dumps(result))
    failed = sum(result["failed"] for result in done)
    total = sum(result["lines"] for result in done)
    print(f"{total} lines in {len(done)} files, {failed} with errors", file=sys.stderr)
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
