"""Whole session: one complete set of answers evaluated (a run: reset + declare + run + outcome), real rules.

The engine (triage.rete.engine.CompiledRules.evaluate on rules compiled once: a new run, all answers at
once, the outcome, the run forgotten) and the same engine given the answers one at a time as the
interview gives them (Run.add per answer, then the outcome), the engine with the second opinion every front
end asks for (triage.checks.second_opinion.confirmed: the outcome recomputed without experta and compared),
side by side with the reference evaluator
(triage.checks.oracle.evaluate, plain Python: the floor for the same rules) and, when clipspy is installed,
CLIPS running the same rules (benchmarks/clips_rules.py). Every run times each evaluator over the same
generated sessions, in a rotating order; the figure is the median over runs of each run's median.
Target: engine median under 5 ms.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import common
from sessions import answer_sets

from triage.knowledge.load import load_knowledge
from triage.rete.engine import CompiledRules

TARGET_MS = 5.0


def evaluators(kb: Any) -> tuple[dict[str, Callable[[Any], Any]], dict[str, str]]:
    rules = CompiledRules(kb)
    rules.prepare()

    def by_answer(answers: Any) -> Any:
        run = rules.new_run()
        for question, value in answers.items():
            run.add(question, value)
        outcome = run.outcome()
        run.forget()
        return outcome

    from triage.checks.second_opinion import confirmed

    def with_second_opinion(answers: Any) -> Any:
        # What every front end shows a person: the engine's outcome, confirmed by the independent evaluator.
        return confirmed(kb, rules.evaluate(answers), answers)

    found: dict[str, Callable[[Any], Any]] = {"engine": rules.evaluate, "engine_by_answer": by_answer,
                                              "engine_confirmed": with_second_opinion}
    notes: dict[str, str] = {}
    try:
        from triage.checks import oracle as reference
    except ImportError:
        notes["reference"] = "triage/checks/oracle.py is not there"
    else:
        found["reference"] = lambda answers: reference.evaluate(kb, answers)
    try:
        from clips_rules import ClipsEvaluator

        found["clips"] = ClipsEvaluator(kb).evaluate
    except ImportError as exc:
        notes["clips"] = f"clipspy is not installed ({exc}); `pip install clipspy` to compare"
    return found, notes


def agree(kb: Any, found: dict[str, Callable[[Any], Any]], sessions: Sequence[Any]) -> dict[str, int]:
    """How many sessions each evaluator gives a different set of fired rules than the engine (should be 0)."""
    differ = {name: 0 for name in found if name != "engine"}
    for answers in sessions:
        expected = {s.rule.id for s in found["engine"](answers).explanation}
        for name in differ:
            if {s.rule.id for s in found[name](answers).explanation} != expected:
                differ[name] += 1
    return differ


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = common.arguments(__doc__.splitlines()[0], runs=5, argv=argv,
                            extra=[("--sessions", {"type": int, "default": 2000,
                                                   "help": "sessions per run"})])
    count = 30 if args.smoke else args.sessions
    runs = 1 if args.smoke else args.runs
    kb = load_knowledge()
    sessions = answer_sets(kb, count)
    found, notes = evaluators(kb)
    disagreements = agree(kb, found, sessions[: min(len(sessions), 500)])
    for evaluate in found.values():  # warm up: first-time costs are not a session's
        for answers in sessions[:50]:
            evaluate(answers)
    per_run: dict[str, list[dict[str, float]]] = {name: [] for name in found}
    names = list(found)
    for run in range(runs):
        order = names[run % len(names):] + names[: run % len(names)]
        for name in order:
            evaluate = found[name]
            times = []
            gc.collect()
            for answers in sessions:
                started = time.perf_counter()
                evaluate(answers)
                times.append(time.perf_counter() - started)
            per_run[name].append({"median_ms": common.ms(common.median(times)),
                                  "p90_ms": common.ms(common.percentile(times, 90)),
                                  "p99_ms": common.ms(common.percentile(times, 99)),
                                  "max_ms": common.ms(max(times))})
    figures = {name: {key: common.median([r[key] for r in rows]) for key in rows[0]}
               for name, rows in per_run.items()}
    result = {
        "benchmark": "session",
        "runs": runs,
        "sessions_per_run": count,
        "answers_per_session": round(sum(len(s) for s in sessions) / len(sessions), 1),
        "figures": figures,
        "per_run": per_run,
        "notes": notes,
        "disagreements": disagreements,
        "target_ms": TARGET_MS,
        "met": figures["engine"]["median_ms"] < TARGET_MS,
    }
    for name, fig in figures.items():
        print(f"{name:16} median {fig['median_ms']:.3f} ms  p90 {fig['p90_ms']:.3f}  "
              f"p99 {fig['p99_ms']:.3f}  max {fig['max_ms']:.3f}")
    for name, note in notes.items():
        print(f"{name}: {note}")
    if any(disagreements.values()):
        print(f"WARNING: evaluators disagree with the engine on fired rules: {disagreements}",
              file=sys.stderr)
    common.write(result, args.json)
    return result


if __name__ == "__main__":
    main()
