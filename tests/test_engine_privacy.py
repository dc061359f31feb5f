"""Nothing of one person stays in memory for the next: the engine's reset forgets every fact."""

from __future__ import annotations

import gc
import weakref

from triage.errors import YamlSyntaxError
from triage.knowledge.yamlfile import parse_text
from triage.rete.engine import Answer, CompiledRules


def test_after_a_new_start_no_fact_of_the_previous_person_is_reachable(real_kb):
    rules = CompiledRules(real_kb)
    first = rules.new_run()
    first.restart({"chest_pain": "yes", "vomiting_blood": "no"})
    # Weak references see whether anything at all still holds this person's facts, whatever other
    # engines in the same process hold.
    facts = [weakref.ref(f) for f in first._facts if isinstance(f, Answer)]
    assert len(facts) == 2
    del first  # the person has gone; the network they used is lent to the next one
    rules.new_run().restart({})
    gc.collect()
    assert [ref() for ref in facts if ref() is not None] == []


def test_a_run_that_is_forgotten_leaves_nothing_in_the_networks(real_kb):
    rules = CompiledRules(real_kb)
    run = rules.new_run()
    run.restart({"chest_pain": "yes"})
    assert any(f.kind == "Answer" for f in rules.facts_held())
    run.forget()
    assert not any(f.kind == "Answer" for f in rules.facts_held())
    assert run.answers == {}


def test_what_the_compiled_rules_work_out_ahead_is_the_same_whoever_was_evaluated(real_kb):
    """The explanation steps kept for reuse cover every possible fact from the start: they say nothing of who
    answered what, and the first person is not slower than the next."""
    fresh = CompiledRules(real_kb)
    fresh.prepare()
    used = CompiledRules(real_kb)
    used.prepare()
    for answers in ({"chest_pain": "yes"}, {"chest_pain": "no", "vomiting_blood": "yes"}, {}):
        used.evaluate(answers)
    assert fresh.single_steps and used.single_steps == fresh.single_steps


def test_a_number_too_long_for_python_is_a_clear_error():
    try:
        parse_text("chest_pain: " + "9" * 5000 + "\n", "answers.yaml")
    except YamlSyntaxError as exc:
        assert str(exc.problems[0]).startswith("answers.yaml: not valid YAML or JSON: ")
    else:
        raise AssertionError("a 5000-digit number was accepted")
