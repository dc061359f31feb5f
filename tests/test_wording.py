"""Non-diagnostic wording: nothing a patient reads says they have a disease or a calcification.

Every text of the knowledge base and every rendering of every golden case is scanned; the scanner itself
is shown to catch diagnostic phrasing.
"""

from __future__ import annotations

import pytest

from support.kb_copies import rules_copy
from triage.checks.wording import diagnostic_phrases, hidden_characters, patient_texts
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


# --- text that looks plain but is not -------------------------------------------------------------------------
# A clinician pasting from another program, or someone slipping a diagnosis past the check, can write words whose
# letters look right on screen but are not the letters the check reads.

@pytest.mark.parametrize(("text", "hidden"), [
    ("Y\u043eu have kidney stones.", ["the word 'Y\u043eu', whose letters mix Cyrillic and Latin script"]),
    ("You h\u200bave kidney stones.", ["an invisible character, U+200B ZERO WIDTH SPACE"]),
    ("Go to your check-ups.\u202e", ["an invisible character, U+202E RIGHT-TO-LEFT OVERRIDE"]),
    ("Pass\u00adable urine.", ["an invisible character, U+00AD SOFT HYPHEN"]),
    ("Ring the bell\x07.", ["an invisible character, U+0007 (control)"]),
    ("\uff39\uff4f\uff55 have kidney stones.",
     ["letters in a full-width or other compatibility form ('\uff39' for 'Y', '\uff4f' for 'o', '\uff55' for 'u')"]),
    ("A \ufb01rm lump.", ["letters in a full-width or other compatibility form ('\ufb01' for 'fi')"]),
])
def test_letters_that_only_look_plain_are_named(text, hidden):
    assert hidden_characters(text) == hidden


@pytest.mark.parametrize("text", [
    "Plain words, a na\u00efve caf\u00e9 \u2013 \u201cquoted\u201d \u2026 \u00bd a dose, 10 m\u00b2, ",
    "Line one\nline two,\ttabbed, and a\u00a0no-break space.",
])
def test_typographic_text_is_not_hidden_text(text):
    assert hidden_characters(text) == []


@pytest.mark.parametrize("text", ["You h\u200bave kidney stones.", "\uff39\uff4f\uff55 have kidney stones."])
def test_the_wording_check_reads_through_invisible_and_full_width_letters(text):
    assert diagnostic_phrases(text) != []


def test_every_front_end_refuses_rules_with_a_word_in_mixed_scripts(cli, tmp_path):
    rules = rules_copy(tmp_path, {"advice.yaml": ("text: >-\n    Go to your planned",
                                                  "text: >-\n    Y\u043eu have kidney stones. Go to your planned")})
    error = ("error: advice 'planned_checkups': has the word 'Y\u043eu', whose letters mix Cyrillic and Latin "
             "script: it looks like plain text but hides words from the wording check and from reviewers; type it "
             "again in plain letters")
    checked = cli("rules", "check", "--rules", rules)
    assert checked.code == 1
    assert "  " + error.replace("error: ", "error: [hidden-text] ") in checked.out.splitlines()
    run = cli("run", "--rules", rules, "--answers", "-", stdin="chest_pain: no\n")
    assert (run.code, run.out) == (2, "")
    assert run.err.splitlines()[0] == error
