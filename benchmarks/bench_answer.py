"""Per answer: from an answer to the next question, with the engine running after every answer.

1. In-process, over many generated sessions: what the interview does between two questions
   (Session.answer -> Run.add, which declares the answer in the person's own run and lets the rules run on
   from where they stopped; reached_top_urgency, which builds the outcome; current, options and progress
   of the next question). Session.answer is also timed alone: the engine's part of an answer.
2. On screen, in a pseudo-terminal: `triage interview` answered key by key, timed from the key that
   answers to the next question's prompt drawn; side by side with a bare questionary program asking
   yes/no questions in a row (bare_questionary.py N), the floor for any questionary front end.
Target: 99th percentile under 10 ms (the on-screen figure is the one the target names).
"""

from __future__ import annotations

import gc
import random
import re
import time
from collections.abc import Sequence
from typing import Any

import common
import terminal
from sessions import SEED, answer_steps

from triage.flow import next_question, offered_options
from triage.knowledge.load import load_knowledge
from triage.model import NO, QuestionType
from triage.rete.engine import CompiledRules
from triage.session import Session

TARGET_P99_MS = 10.0
DOWN, ENTER, SPACE = "\x1b[B", "\r", " "


def in_process(kb: Any, sessions: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The work between two questions, and Session.answer (Run.add) alone, per answer."""
    rules = CompiledRules(kb)
    rules.prepare()  # as the start-up's self-test does: the first network is built before the first person
    steps_of = answer_steps(kb, sessions, seed=SEED + 1)
    times: list[float] = []
    adding: list[float] = []
    for steps in steps_of[:20]:  # warm up
        session = Session(rules)
        for question, value in steps:
            session.answer(question, value)
        session.forget()
    gc.collect()
    for steps in steps_of:
        session = Session(rules)  # each person a session and a run of their own, as the interview makes them
        for question, value in steps:
            started = time.perf_counter()
            session.answer(question, value)
            adding.append(time.perf_counter() - started)
            top = session.reached_top_urgency()
            following = session.current()
            if following is not None:
                session.options(following)
                session.progress(following)
            times.append(time.perf_counter() - started)
            if top:
                break  # the interview shows the result here
        session.forget()
    return _summary(times), _summary(adding)


def _keys(question: Any, options: tuple[Any, ...], rng: random.Random) -> tuple[str, Any]:
    """Keys that give a random answer (red flags: no, so the interview goes on), and that answer."""
    if question.type is QuestionType.MULTIPLE_CHOICE:
        ticked = [rng.random() < 0.3 for _ in options]
        if not any(ticked) and not question.takes(()):
            ticked[rng.randrange(len(options))] = True
        keys = "".join((SPACE if tick else "") + (DOWN if i < len(options) - 1 else "")
                       for i, tick in enumerate(ticked))
        return keys + ENTER, tuple(o.id for o, tick in zip(options, ticked, strict=True) if tick)
    single = question.type is QuestionType.SINGLE_CHOICE
    values = tuple(o.id for o in options) if single else question.values
    index = values.index(NO) if question.red_flag else rng.randrange(len(values))
    return DOWN * index + ENTER, values[index]


def on_screen(kb: Any, interviews: int) -> list[float]:
    env = terminal.environment(bytecode=True)
    rng = random.Random(SEED)
    times: list[float] = []
    for _ in range(interviews):
        child = terminal.spawn([*common.triage_command(), "interview"], env)
        child.expect(terminal.FIRST_PROMPT)
        child.send(ENTER)  # start
        answers: dict[str, Any] = {}
        number = 1
        child.expect(re.compile(rf"Question {number}[ ,].*?\x1b\[\?7h", re.S))
        while (question := next_question(kb, answers)) is not None:
            keys, value = _keys(question, offered_options(question, answers), rng)
            answers[question.id] = value
            following = next_question(kb, answers)
            started = time.perf_counter()
            child.send(keys)
            if following is None:
                child.expect("(What next|More)\\?.*?\x1b\\[\\?7h")  # the summary, or its first page
                break
            number += 1
            child.expect(re.compile(rf"Question {number}[ ,].*?\x1b\[\?7h", re.S))
            times.append(time.perf_counter() - started)
        terminal.stop(child)
    return times


def bare_on_screen(questions: int, runs: int) -> list[float]:
    env = terminal.environment(bytecode=True)
    times: list[float] = []
    for _ in range(runs):
        bare = [common.python(), str(common.BENCHMARKS / "bare_questionary.py"), str(questions)]
        child = terminal.spawn(bare, env)
        child.expect(re.compile(r"Question 1 .*?\x1b\[\?7h", re.S))
        for number in range(2, questions + 1):
            started = time.perf_counter()
            child.send(DOWN + ENTER)
            child.expect(re.compile(rf"Question {number}[ ,].*?\x1b\[\?7h", re.S))
            times.append(time.perf_counter() - started)
        terminal.stop(child)
    return times


def _summary(times: list[float]) -> dict[str, Any]:
    return {"answers": len(times), "median_ms": common.ms(common.median(times)),
            "p99_ms": common.ms(common.percentile(times, 99)), "max_ms": common.ms(max(times))}


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = common.arguments(__doc__.splitlines()[0], runs=3, argv=argv,
                            extra=[("--sessions", {"type": int, "default": 2000,
                                                   "help": "generated sessions per in-process run"}),
                                   ("--interviews", {"type": int, "default": 10,
                                                     "help": "interviews in the terminal per run"})])
    runs = 1 if args.smoke else args.runs
    kb = load_knowledge()
    process_pairs = [in_process(kb, 20 if args.smoke else args.sessions) for _ in range(runs)]
    process_runs = [whole for whole, _ in process_pairs]
    answer_runs = [alone for _, alone in process_pairs]
    screen_runs, bare_runs = [], []
    interviews = 1 if args.smoke else args.interviews
    for _ in range(runs):
        screen_runs.append(_summary(on_screen(kb, interviews)))
        bare_runs.append(_summary(bare_on_screen(5 if args.smoke else 21, interviews)))

    def med(rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {k: common.median([r[k] for r in rows]) for k in rows[0]}

    result = {
        "benchmark": "answer",
        "runs": runs,
        "in_process": med(process_runs),
        "session_answer": med(answer_runs),
        "on_screen": med(screen_runs),
        "bare_on_screen": med(bare_runs),
        "per_run": {"in_process": process_runs, "session_answer": answer_runs,
                    "on_screen": screen_runs, "bare_on_screen": bare_runs},
        "target_p99_ms": TARGET_P99_MS,
    }
    result["met_in_process"] = result["in_process"]["p99_ms"] < TARGET_P99_MS
    result["met"] = result["on_screen"]["p99_ms"] < TARGET_P99_MS
    for name in ("in_process", "session_answer", "on_screen", "bare_on_screen"):
        fig = result[name]
        print(f"{name:15} {fig['answers']:6} answers  median {fig['median_ms']:.2f} ms  "
              f"p99 {fig['p99_ms']:.2f}  max {fig['max_ms']:.2f}")
    common.write(result, args.json)
    return result


if __name__ == "__main__":
    main()
