"""Nothing of one person stays in memory for the next: the engine's reset forgets every fact."""

from __future__ import annotations

import gc
import weakref

from triage.rete.engine import Answer, TriageEngine
from triage.errors import YamlSyntaxError
from triage.knowledge.yamlfile import parse_text


def test_after_a_new_start_no_fact_of_the_previous_person_is_reachable(real_kb):
    engine = TriageEngine(real_kb)
    engine.evaluate({"chest_pain": "yes", "vomiting_blood": "no"})
    # Weak references see whether anything at all still holds this person's facts, whatever other
    # engines in the same process hold.
    facts = [weakref.ref(f) for f in engine.facts.values() if isinstance(f, Answer)]
    assert len(facts) == 2
    engine.start({})
    engine.run()
    gc.collect()
    assert [ref() for ref in facts if ref() is not None] == []


def test_a_number_too_long_for_python_is_a_clear_error():
    try:
        parse_text("chest_pain: " + "9" * 5000 + "\n", "answers.yaml")
    except YamlSyntaxError as exc:
        assert str(exc.problems[0]).startswith("answers.yaml: not valid YAML or JSON: ")
    else:
        raise AssertionError("a 5000-digit number was accepted")
