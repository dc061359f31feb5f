"""The outcome and its explanation: each conclusion traced to its rules, their answers and their sources."""

from __future__ import annotations

import random

from support.generators import complete_answers, randomly
from triage.outcome import Firing, build_outcome, concluded_by
from triage.rete.engine import CompiledRules


def given_pairs(answers) -> set[tuple[str, str]]:
    """Answers as (question, value) pairs; a multiple-choice answer gives one pair per chosen option."""
    pairs = set()
    for question, value in answers.items():
        for single in value if isinstance(value, tuple) else (value,):
            pairs.add((question, single))
    return pairs


def test_the_explanation_names_only_answers_that_were_given(real_engine, real_kb):
    for seed in range(15):
        answers = complete_answers(real_kb, randomly(random.Random(seed)))
        outcome = real_engine.evaluate(answers)
        for step in outcome.explanation:
            assert set(step.answers) <= given_pairs(answers), (seed, step.rule.id)


def test_every_step_carries_the_rule_id_its_statement_and_its_source(real_engine, real_kb):
    for seed in range(15):
        outcome = real_engine.evaluate(complete_answers(real_kb, randomly(random.Random(seed))))
        assert outcome.explanation
        for step in outcome.explanation:
            assert step.rule is real_kb.rule[step.rule.id]
            assert step.rule.statement and step.rule.source in real_kb.source
            assert step.conclusion == concluded_by(step.rule)


def test_every_conclusion_shown_is_explained_by_a_step(real_engine, real_kb):
    for seed in range(15):
        outcome = real_engine.evaluate(complete_answers(real_kb, randomly(random.Random(seed))))
        labels = {str(step.conclusion) for step in outcome.explanation}
        assert {f"concern:{s}" for s in outcome.section_ids} <= labels
        assert {f"workup:{w}" for w in outcome.workup_ids} <= labels
        assert {f"advice:{a.id}" for a in outcome.advice} <= labels
        assert set(outcome.referral.rules) <= {step.rule.id for step in outcome.explanation}


def test_a_step_lists_the_answers_its_rule_matched(tiny):
    outcome = CompiledRules(tiny.load()).evaluate({"chest_pain": "no", "cough": "yes", "cough_blood": "no",
                                                  "past": ("kidney_infection",)})
    steps = {step.rule.id: step for step in outcome.explanation}
    assert steps["lungs.cough"].answers == (("cough", "yes"),)
    assert steps["kidneys.past_infection"].answers == (("past", "kidney_infection"),)
    assert steps["referral.lungs"].answers == ()
    assert tuple(map(str, steps["referral.lungs"].conclusions_used)) == ("concern:lungs",)
    assert tuple(map(str, steps["workups.calcium"].conclusions_used)) == ("organ_concerns:2",)
    assert steps["baseline"].answers == () and tuple(map(str, steps["baseline"].conclusions_used)) == ()


def test_the_explanation_reads_in_the_order_of_the_chain(tiny):
    outcome = CompiledRules(tiny.load()).evaluate({"cough": "yes", "past": ("kidney_infection",)})
    assert [str(step.conclusion) for step in outcome.explanation] == [
        "concern:lungs", "concern:kidneys", "finding:suspected", "workup:xray", "workup:calcium_blood",
        "referral:gp:routine", "referral:lung_doctor:soon", "referral:kidney_doctor:soon", "advice:checkups",
    ]


def test_a_rule_that_fires_on_several_answers_is_one_step_naming_all_of_them(tiny):
    tiny.replace("rules/x.yaml", "when: {question: past, includes: kidney_infection}",
                 "when: {question: past, includes: [kidney_infection, prostatitis]}")
    outcome = CompiledRules(tiny.load()).evaluate({"sex": "male", "past": ("kidney_infection", "prostatitis")})
    [step] = [s for s in outcome.explanation if s.rule.id == "kidneys.past_infection"]
    assert step.answers == (("past", "kidney_infection"), ("past", "prostatitis"))


def test_a_workup_reached_by_two_rules_carries_both_reasons(real_engine):
    # Deposits seen in two places (the lungs and the kidneys) whose cause no doctor has named: both calcium
    # rules reach the same blood test.
    outcome = real_engine.evaluate({"image_seen": "yes", "image_where": ("lungs", "kidneys"),
                                    "image_cause_known": "no"})
    [calcium] = [w for w in outcome.workups if w.workup.id == "calcium_blood"]
    assert calcium.rules == ("workups.calcium_several_organs", "workups.calcium_cause_unclear")
    assert len(calcium.reasons) == 2


def test_the_outcome_does_not_depend_on_the_order_of_firings(tiny):
    kb = tiny.load()
    firings = [Firing("lungs.cough", (("cough", "yes"),)), Firing("referral.lungs", (), ("concern:lungs",)),
               Firing("baseline"), Firing("kidneys.past_infection", (("past", "kidney_infection"),)),
               Firing("referral.kidneys", (), ("concern:kidneys",)), Firing("advice.checkups")]
    answers = {"cough": "yes", "past": ("kidney_infection",)}
    expected = build_outcome(kb, answers, firings)
    for shift in range(1, len(firings)):
        assert build_outcome(kb, answers, firings[shift:] + firings[:shift]) == expected
    assert build_outcome(kb, answers, list(reversed(firings))) == expected


def test_the_outcome_keeps_the_answers_in_question_order_and_the_knowledge_base_version(tiny):
    kb = tiny.load()
    outcome = CompiledRules(kb).evaluate({"past": (), "cough": "no", "chest_pain": "no"})
    assert outcome.answers == (("chest_pain", "no"), ("cough", "no"), ("past", ()))
    assert (outcome.kb_version, outcome.kb_hash, outcome.disclaimer) == (kb.version, kb.hash, kb.disclaimer)


def test_doctors_listed_beside_the_referral_follow_the_order_of_knowledge_yaml(tiny):
    tiny.replace("knowledge.yaml", "  - {id: lung_doctor, name: a lung specialist}\n"
                                   "  - {id: kidney_doctor, name: a kidney specialist}\n",
                 "  - {id: kidney_doctor, name: a kidney specialist}\n"
                 "  - {id: lung_doctor, name: a lung specialist}\n")
    outcome = CompiledRules(tiny.load()).evaluate({"cough": "yes", "past": ("kidney_infection",)})
    assert [d.id for d in outcome.referral.also] == ["kidney_doctor", "lung_doctor"]


def test_each_knowledge_base_builds_outcomes_from_its_own_rules(tiny):
    """What build_outcome looks up is kept per knowledge base: a changed copy, loaded after the first was used,
    gets its own conclusions and red flags, and the first keeps its own."""
    first = tiny.load()

    def seen(kb) -> tuple[tuple[str, ...], tuple[str, ...]]:
        outcome = build_outcome(kb, {}, [Firing("baseline"), Firing("advice.checkups")])
        return outcome.unanswered_red_flags, tuple(str(step.conclusion) for step in outcome.explanation)

    assert seen(first) == (("chest_pain",), ("referral:gp:routine", "advice:checkups"))
    tiny.replace("questions.yaml", "  red_flag: true\n  emergency_sign: you feel pain in your chest\n", "")
    tiny.replace("rules/x.yaml", "then: {referral: {to: gp, urgency: routine}}",
                 "then: {referral: {to: gp, urgency: soon}}")
    second = tiny.load()
    assert seen(second) == ((), ("referral:gp:soon", "advice:checkups"))
    assert seen(first) == (("chest_pain",), ("referral:gp:routine", "advice:checkups"))
