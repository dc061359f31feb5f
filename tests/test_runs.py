"""Compiled once, run per person (issue 11): the compiled rules are shared, each person has a run of their own.

What a web server or a kiosk needs: two people evaluated in interleaved order, or from eight threads at once,
get exactly what each gets alone, down to the rules fired and the facts they matched; and the same answers
give byte-identical `triage explain` output in fresh processes with different hash seeds.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
from pathlib import Path

from support.generators import complete_answers, randomly
from support.paths import REPO
from triage.rete.engine import CompiledRules, compile_rules


def alone(rules: CompiledRules, answers: dict):  # type: ignore[no-untyped-def]
    """Outcome and trace of one person evaluated on fresh compiled rules, nobody else around."""
    run = CompiledRules(rules.kb).new_run()
    for question, value in answers.items():
        run.add(question, value)
    return run.outcome(), run.trace()


def people(kb, count: int) -> list[dict]:  # type: ignore[no-untyped-def]
    return [complete_answers(kb, randomly(random.Random(seed))) for seed in range(count)]


def test_two_people_answering_in_turns_get_what_each_gets_alone(real_kb):
    rules = CompiledRules(real_kb)
    anna, ben = people(real_kb, 2)
    runs = {"anna": rules.new_run(), "ben": rules.new_run()}
    steps = [("anna", q, v) for q, v in anna.items()] + [("ben", q, v) for q, v in ben.items()]
    random.Random(3).shuffle(steps)  # interleaved, each person's own answers still in their order
    order = {"anna": list(anna), "ben": list(ben)}
    taken = {"anna": 0, "ben": 0}
    for person, _, _ in steps:
        question = order[person][taken[person]]
        taken[person] += 1
        source = anna if person == "anna" else ben
        runs[person].add(question, source[question])
    assert (runs["anna"].outcome(), runs["anna"].trace()) == alone(rules, anna)
    assert (runs["ben"].outcome(), runs["ben"].trace()) == alone(rules, ben)


def test_a_person_who_takes_an_answer_back_between_others_gets_what_they_get_alone(real_kb):
    rules = CompiledRules(real_kb)
    first, second = people(real_kb, 2)
    one, two = rules.new_run(), rules.new_run()
    one.restart(first)
    two.restart(second)
    shorter = dict(list(first.items())[:-1])
    one.restart(shorter)  # back one step, after somebody else used the network
    two.add("chest_pain", second["chest_pain"])  # a change: starts that run over
    assert one.outcome() == CompiledRules(real_kb).evaluate(shorter)
    assert two.outcome() == CompiledRules(real_kb).evaluate(second)


def test_eight_threads_at_once_get_what_each_person_gets_alone(real_kb):
    rules = CompiledRules(real_kb)
    sets = people(real_kb, 8) + [{"chest_pain": "yes"}, {}]
    expected = [alone(rules, answers) for answers in sets]
    results: dict[int, list] = {i: [] for i in range(8)}
    barrier = threading.Barrier(8)

    def person(index: int) -> None:
        barrier.wait()
        for round_ in range(6):
            answers = sets[(index + round_) % len(sets)]
            run = rules.new_run()
            for question, value in answers.items():
                run.add(question, value)
            results[index].append(((index + round_) % len(sets), run.outcome(), run.trace()))

    threads = [threading.Thread(target=person, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(len(r) == 6 for r in results.values())
    for rows in results.values():
        for which, outcome, trace in rows:
            assert (outcome, trace) == expected[which]


def test_the_compiled_rules_are_shared_and_not_rebuilt_for_each_evaluation(real_kb):
    assert compile_rules(real_kb) is compile_rules(real_kb)
    rules = compile_rules(real_kb)
    before = rules.rules
    rules.evaluate({"chest_pain": "no"})
    assert rules.rules is before and isinstance(rules.rules, tuple)


def test_explain_prints_the_same_bytes_in_fresh_processes_with_different_hash_seeds(tmp_path: Path, real_kb):
    # Many rules of equal key fire here, so any order left to hashing would show.
    answers = complete_answers(real_kb, randomly(random.Random(7)))
    answers = {q: list(v) if isinstance(v, tuple) else v for q, v in answers.items()}
    answers_file = tmp_path / "answers.json"
    answers_file.write_text(json.dumps(answers), encoding="utf-8")
    outputs = []
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "triage", "explain", "--answers", str(answers_file)],
                              capture_output=True, env=env, cwd=REPO, timeout=120)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0].count(b"\n  ") > 40  # a real chain, not an empty trace
    assert outputs[0] == outputs[1] == outputs[2]
