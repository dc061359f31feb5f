"""Nothing of one person stays in memory for the next: the engine's reset forgets every fact."""

from __future__ import annotations

import gc

from triage.engine import Answer, TriageEngine
from triage.yamlfile import YamlSyntaxError, parse_text


def _answer_facts_about(question: str) -> list[object]:
    gc.collect()
    # Declared facts carry a fact id; the rules' patterns are Answer objects too, but without one.
    return [o for o in gc.get_objects()
            if isinstance(o, Answer) and o.get("question") == question and "__factid__" in o]


def test_after_a_new_start_no_fact_of_the_previous_person_is_reachable(real_kb):
    engine = TriageEngine(real_kb)
    engine.evaluate({"chest_pain": "yes", "vomiting_blood": "no"})
    assert _answer_facts_about("chest_pain")  # the check can see such facts while a session holds them
    engine.start({})
    engine.run()
    assert _answer_facts_about("chest_pain") == []


def test_a_number_too_long_for_python_is_a_clear_error():
    try:
        parse_text("chest_pain: " + "9" * 5000 + "\n", "answers.yaml")
    except YamlSyntaxError as exc:
        assert str(exc.problem).startswith("answers.yaml: not valid YAML or JSON: ")
    else:
        raise AssertionError("a 5000-digit number was accepted")
