"""Scaling: the knowledge base with its organ blocks copied 1, 2, 4, 8 and 16 times (benchmarks/scaled_kb.py).

For each size, in one run and side by side:
- build: compiling the rules and building the first network (`CompiledRules(kb)` + `prepare()`), against
  loading the same folder (reading and validating the YAML), which is linear by construction;
- session: one generated person's complete answers evaluated by the engine (a run: reset, declare, run,
  outcome), by the independent reference evaluator (plain Python) and by CLIPS (clipspy) on the same rules.
  The CLIPS figure includes what a session costs there too: `reset`, asserting one fact per answer value,
  `run`, and building the Outcome from the rules that fired (benchmarks/clips_rules.py). The engine's cost
  per fired rule is its median session divided by the median number of rules fired;
- start-up: from launching `triage --rules FOLDER` in a pseudo-terminal to its first question, with Start
  pressed as soon as the opening screen is drawn (loading, compiling, golden cases and checks included).
Every figure is given in ms and as a ratio to its partner (build / load, engine / CLIPS, engine / reference,
start-up / start-up at x1). The machine's own speed is measured at the start and at the end of the run (the
same pure-Python loop) and both are reported: figures taken while it drifted are not comparable.

    python benchmarks/bench_scaling.py [--smoke] [--json FILE]
"""

from __future__ import annotations

import gc
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import common
import terminal
from bench_startup import to_first_question
from scaled_kb import TIMES, write_scaled
from sessions import answer_sets

from triage.checks import oracle
from triage.knowledge.load import load_knowledge
from triage.rete.engine import CompiledRules


def baseline_ms() -> float:
    """The machine's speed now: the median of 7 timings of the same pure-Python loop."""
    def once() -> float:
        started = time.perf_counter()
        total = 0
        for n in range(300_000):
            total += n * n % 7
        return time.perf_counter() - started
    return common.ms(statistics.median(once() for _ in range(7)))


def timed(work: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def sessions_ms(evaluate: Callable[[Any], Any], sessions: Sequence[Any]) -> float:
    for answers in sessions[:20]:  # first-time costs are not a session's
        evaluate(answers)
    gc.collect()
    times = []
    for answers in sessions:
        started = time.perf_counter()
        evaluate(answers)
        times.append(time.perf_counter() - started)
    return common.ms(statistics.median(times))


def one_size(times: int, folder: Path, count: int, repeat: int, startups: int) -> dict[str, Any]:
    write_scaled(times, folder)
    load_s = timed(lambda: load_knowledge(folder), repeat)
    kb = load_knowledge(folder)
    build_s = timed(lambda: CompiledRules(kb).prepare(), repeat)
    rules = CompiledRules(kb)
    rules.prepare()
    sessions = answer_sets(kb, count)
    fired = statistics.median(len(rules.evaluate(answers).explanation) for answers in sessions)
    row: dict[str, Any] = {
        "times": times, "sessions": count, "rules": len(kb.rules), "questions": len(kb.questions),
        "load_ms": common.ms(load_s), "build_ms": common.ms(build_s),
        "build_per_rule_ms": round(common.ms(build_s) / len(kb.rules), 3),
        "build_to_load": round(build_s / load_s, 2),
        "answers_per_session": round(statistics.mean(len(s) for s in sessions), 1),
        "rules_fired_median": fired,
        "engine_ms": sessions_ms(rules.evaluate, sessions),
        "reference_ms": sessions_ms(lambda answers: oracle.evaluate(kb, answers), sessions),
    }
    row["engine_per_fired_rule_ms"] = round(row["engine_ms"] / fired, 4)
    row["engine_to_reference"] = round(row["engine_ms"] / row["reference_ms"], 2)
    try:
        from clips_rules import ClipsEvaluator

        clips = ClipsEvaluator(kb)  # imports clipspy, which is not a dependency of calcitriage
    except ImportError:
        row["clips_ms"] = None
    else:
        row["clips_ms"] = sessions_ms(clips.evaluate, sessions)
        row["engine_to_clips"] = round(row["engine_ms"] / row["clips_ms"], 2)
    env = terminal.environment(bytecode=True)
    command = [*common.triage_command(), "--rules", str(folder), "interview"]
    to_first_question(command, env)  # warm the file cache and the compiled modules
    row["first_question_ms"] = common.ms(statistics.median(to_first_question(command, env)
                                                           for _ in range(startups)))
    return row


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = common.arguments(__doc__.splitlines()[0], runs=5, argv=argv,
                            extra=[("--sessions", {"type": int, "default": 400, "help": "sessions per size"})])
    sizes = (1, 8) if args.smoke else TIMES
    count, repeat, startups = (30, 1, 1) if args.smoke else (args.sessions, args.runs, 3)
    result: dict[str, Any] = {"benchmark": "scaling", "baseline_start_ms": baseline_ms(), "sizes": []}
    with tempfile.TemporaryDirectory(prefix="calcitriage-scaled-") as tmp:
        for times in sizes:
            row = one_size(times, Path(tmp) / f"x{times}", count, repeat, startups)
            result["sizes"].append(row)
            clips = f"{row['clips_ms']:.2f} ms ({row['engine_to_clips']}x)" if row["clips_ms"] else "not installed"
            print(f"x{times:<2} {row['rules']:5} rules  build {row['build_ms']:7.1f} ms "
                  f"({row['build_per_rule_ms']:.3f}/rule, {row['build_to_load']}x load)  "
                  f"session {row['engine_ms']:.2f} ms ({row['engine_per_fired_rule_ms']:.3f}/fired rule, "
                  f"{row['engine_to_reference']}x reference)  CLIPS {clips}  "
                  f"first question {row['first_question_ms']:.0f} ms", flush=True)
    result["baseline_end_ms"] = baseline_ms()
    result["drift"] = round(result["baseline_end_ms"] / result["baseline_start_ms"], 3)
    first, last = result["sizes"][0], result["sizes"][-1]
    # How build time grows with rules: the exponent b in build ~ rules^b between the smallest and largest size.
    import math
    result["build_exponent"] = round(math.log(last["build_ms"] / first["build_ms"]) /
                                     math.log(last["rules"] / first["rules"]), 2)
    for row in result["sizes"]:
        row["first_question_to_x1"] = round(row["first_question_ms"] / first["first_question_ms"], 2)
    print(f"build grows as rules^{result['build_exponent']}; machine baseline {result['baseline_start_ms']} ms "
          f"at the start, {result['baseline_end_ms']} ms at the end (drift {result['drift']}x)")
    common.write(result, args.json)
    return result


if __name__ == "__main__":
    main()
