"""Non-diagnostic wording: nothing a patient reads says they have a disease or a calcification.

Every text of the knowledge base and every rendering of every golden case is scanned; the scanner itself
is shown to catch diagnostic phrasing.
"""

from __future__ import annotations

import pytest

from triage.checks.wording import diagnostic_phrases, patient_texts
from triage.render.json_format import outcome_json
from triage.render.text import outcome_text

DISCLAIMER_START = "This is not a diagnosis"


@pytest.mark.parametrize(("text", "found"), [
    ("You have kidney stones.", ["You have"]),
    ("We think you are suffering from a lung problem.", ["you are suffering"]),
    ("Diagnosis: TB", ["Diagnosis:"]),
])
def test_the_checker_catches_the_phrases_named_in_the_issue(text, found):
    assert diagnostic_phrases(text) == found


@pytest.mark.parametrize("text", [
    "She is suffering from TB.",
    "Your diagnosis is clear.",
    "You have got calcifications in the liver.",
    "You've got calcifications in the liver.",
    "This means tuberculosis.",
    "You do not have cancer.",
    "There is nothing wrong with you.",
    "you were diagnosed with goitre",
])
def test_the_checker_catches_other_diagnostic_phrasing(text):
    assert diagnostic_phrases(text)


@pytest.mark.parametrize("text", [
    "Your answers relate to the section on the lungs.",
    "You answered 'yes' to: Have you ever had tuberculosis (TB)?",
    "A doctor may consider an X-ray.",
    "Have you had a kidney infection? Have you noticed any of these?",
])
def test_the_checker_lets_plain_non_diagnostic_sentences_through(text):
    assert diagnostic_phrases(text) == []


def test_no_text_of_the_real_knowledge_base_is_diagnostic(real_kb):
    texts = list(patient_texts(real_kb))
    assert len(texts) > 100  # questions, options, sections, workups, advice, statements, reasons...
    found = {where: diagnostic_phrases(text) for where, text in texts if diagnostic_phrases(text)}
    assert found == {}


def test_the_scan_covers_every_kind_of_patient_text(real_kb):
    wheres = [where for where, _ in patient_texts(real_kb)]
    for prefix in ("knowledge.yaml: disclaimer", "urgency '", "doctor '", "question '", "section '",
                   "workup '", "advice '", "rule '"):
        assert any(w.startswith(prefix) for w in wheres), prefix
    assert any(w.endswith(": reason") for w in wheres)
    assert any(": option '" in w for w in wheres) and any(w.endswith(": help") for w in wheres)


def test_the_checker_would_catch_a_diagnostic_sentence_slipped_into_a_knowledge_base(tiny):
    tiny.replace("sections.yaml", "what: Spots in the lungs.", "what: You have spots in the lungs.")
    found = [(where, diagnostic_phrases(text)) for where, text in patient_texts(tiny.load())
             if diagnostic_phrases(text)]
    assert found == [("section 'lungs': education.what", ["You have"])]


def golden_outcomes(real_engine, real_kb):
    from triage.answers import check_answers

    for case in real_kb.cases:
        yield case, real_engine.evaluate(check_answers(real_kb, case.answers, case.file))


def test_no_rendering_of_any_golden_case_is_diagnostic(real_engine, real_kb):
    checked = 0
    for case, outcome in golden_outcomes(real_engine, real_kb):
        for rendering in (outcome_text(real_kb, outcome), outcome_text(real_kb, outcome, explain=False),
                          outcome_json(outcome)):
            assert diagnostic_phrases(rendering) == [], case.id
            checked += 1
    assert checked == 3 * len(real_kb.cases)


def test_every_text_outcome_closes_with_the_disclaimer(real_engine, real_kb):
    assert real_kb.disclaimer.startswith(DISCLAIMER_START)
    disclaimer = " ".join(real_kb.disclaimer.split())
    for case, outcome in golden_outcomes(real_engine, real_kb):
        text = outcome_text(real_kb, outcome)
        blocks = text.rstrip("\n").split("\n\n")
        # The last thing a person reads is the disclaimer, right after the knowledge base's version line.
        assert " ".join(blocks[-1].split()) == disclaimer, case.id
        assert blocks[-2] == f"Knowledge base {real_kb.version} ({real_kb.hash[:12]})", case.id
        assert text.count(DISCLAIMER_START) == 1


def test_every_json_outcome_carries_the_disclaimer(real_engine, real_kb):
    import json

    for case, outcome in golden_outcomes(real_engine, real_kb):
        assert json.loads(outcome_json(outcome))["disclaimer"] == real_kb.disclaimer, case.id


def test_workups_are_worded_as_tests_a_doctor_may_consider_never_as_orders(real_engine, real_kb):
    for case, outcome in golden_outcomes(real_engine, real_kb):
        text = outcome_text(real_kb, outcome)
        if outcome.workups:
            assert "TESTS A DOCTOR MAY CONSIDER" in text, case.id
        for phrase in ("you must have", "you need a", "you need to have", "get a blood test"):
            assert phrase not in text.lower(), (case.id, phrase)
