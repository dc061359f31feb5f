"""The engine: answers in, one outcome out, whatever the order of answers or firings.

Medical behaviour is checked on the real knowledge base (it is what a patient gets); the engine's own
mechanics on tiny knowledge bases written here.
"""

from __future__ import annotations

import itertools
import random

import pytest

from support.generators import all_no, complete_answers, randomly
from triage.cli import EXIT_CODES
from triage.errors import EngineError
from triage.model import (
    AllOf,
    Always,
    AnswerIncludes,
    AnswerIs,
    AnyOf,
    ConcernRaised,
    FindingReached,
    OrganConcernsAtLeast,
    QuestionType,
)
from triage.rete.compat import AND, OR
from triage.rete.engine import CompiledRules, compile_condition

SEEDS = range(15)  # random but repeatable sets of complete answers


def summary(outcome) -> tuple:
    r = outcome.referral
    return (r.to.id, r.urgency.id, tuple(d.id for d in r.also), outcome.section_ids, outcome.workup_ids)


def say_yes_to_everything(question, offered):
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return offered
    return "yes" if "yes" in offered else offered[0]


def yes_no_questions(kb):
    return [q for q in kb.questions if q.type in (QuestionType.YES_NO, QuestionType.YES_NO_UNSURE)]


# --- one referral, always -----------------------------------------------------------------------------------


def test_no_answers_at_all_still_give_one_routine_referral_to_a_family_doctor(real_engine):
    outcome = real_engine.evaluate({})
    assert summary(outcome) == ("gp", "routine", (), (), ())


def test_every_answer_no_gives_a_routine_talk_with_a_family_doctor_and_nothing_else(real_engine, real_kb):
    for sex in ("male", "female", "other"):
        answers = complete_answers(real_kb, all_no, fixed={"sex": sex})
        outcome = real_engine.evaluate(answers)
        assert summary(outcome) == ("gp", "routine", (), (), ()), sex
        assert [a.id for a in outcome.advice] == ["planned_checkups", "no_self_treatment"]


def test_every_outcome_has_exactly_one_referral_with_a_doctor_and_an_urgency(real_engine, real_kb):
    for seed in SEEDS:
        outcome = real_engine.evaluate(complete_answers(real_kb, randomly(random.Random(seed))))
        assert outcome.referral.to.id in real_kb.doctor
        assert outcome.referral.urgency.id in real_kb.urgency
        assert outcome.referral.rules, "the referral names the rules that reached it"


# --- red flags ----------------------------------------------------------------------------------------------


def red_flags(kb) -> list[str]:
    return [q.id for q in kb.questions if q.red_flag]


@pytest.mark.parametrize("flag", ["chest_pain", "vomiting_blood", "blue_lips", "severe_breathlessness",
                                  "almost_no_urine"])
def test_a_red_flag_yes_gives_emergency_whatever_else_was_answered(real_engine, real_kb, flag):
    assert flag in red_flags(real_kb)
    alone = real_engine.evaluate({flag: "yes"})
    assert (alone.referral.urgency.id, alone.referral.to.id) == ("emergency", "emergency_services")
    everything_yes = complete_answers(real_kb, say_yes_to_everything, fixed={flag: "yes"})
    assert real_engine.evaluate(everything_yes).referral.urgency.id == "emergency"
    for seed in SEEDS:
        answers = complete_answers(real_kb, randomly(random.Random(seed)), fixed={flag: "yes"})
        assert real_engine.evaluate(answers).referral.urgency.id == "emergency", (seed, answers)


@pytest.mark.parametrize("flag", ["chest_pain", "vomiting_blood", "blue_lips", "severe_breathlessness",
                                  "almost_no_urine"])
def test_not_sure_on_a_red_flag_never_gives_less_than_urgent(real_engine, real_kb, flag):
    urgent = real_kb.urgency["urgent"].rank
    answers = complete_answers(real_kb, all_no, fixed={flag: "not_sure"})
    assert real_engine.evaluate(answers).referral.urgency.id == "urgent"
    for seed in SEEDS:
        answers = complete_answers(real_kb, randomly(random.Random(seed)), fixed={flag: "not_sure"})
        assert real_engine.evaluate(answers).referral.urgency.rank >= urgent, (seed, answers)


def test_every_red_flag_question_can_be_answered_not_sure(real_kb):
    for flag in red_flags(real_kb):
        assert real_kb.question[flag].type is QuestionType.YES_NO_UNSURE


# --- urgency and doctors ------------------------------------------------------------------------------------


def test_the_highest_urgency_reached_wins(tiny):
    engine = CompiledRules(tiny.load())
    assert summary(engine.evaluate({"cough": "yes"})) == ("lung_doctor", "soon", (), ("lungs",), ("xray",))
    outcome = engine.evaluate({"cough": "yes", "cough_blood": "yes"})
    assert (outcome.referral.to.id, outcome.referral.urgency.id) == ("lung_doctor", "urgent")
    assert outcome.referral.rules == ("lungs.cough_blood",)
    outcome = engine.evaluate({"chest_pain": "yes", "cough": "yes", "cough_blood": "yes"})
    assert (outcome.referral.to.id, outcome.referral.urgency.id) == ("emergency_services", "emergency")


def test_adding_a_yes_never_lowers_the_urgency(real_engine, real_kb):
    no_red_flags = {flag: "no" for flag in red_flags(real_kb)}  # so that the urgency has room to rise
    for seed in range(5):
        rng = random.Random(seed)
        answers = complete_answers(real_kb, randomly(rng), fixed=no_red_flags)
        before = real_engine.evaluate(answers).referral.urgency.rank
        for question in yes_no_questions(real_kb):
            if answers.get(question.id) in ("no", "not_sure"):
                after = real_engine.evaluate({**answers, question.id: "yes"}).referral.urgency.rank
                assert after >= before, (seed, question.id)


def test_several_doctors_at_the_top_urgency_send_the_person_to_a_family_doctor_with_the_others_listed(tiny):
    outcome = CompiledRules(tiny.load()).evaluate({"cough": "yes", "past": ("kidney_infection",)})
    assert summary(outcome)[:3] == ("gp", "soon", ("lung_doctor", "kidney_doctor"))
    assert outcome.referral.rules == ("referral.lungs", "referral.kidneys")


def test_two_organs_in_the_real_knowledge_base_go_to_a_family_doctor_with_both_specialists(real_engine):
    outcome = real_engine.evaluate({"sex": "male", "tb_history": "yes", "tb_where": ("lungs",),
                                    "past_illnesses": ("kidney_infection",)})
    assert summary(outcome)[:3] == ("gp", "soon", ("pulmonologist", "nephrologist"))


# --- the chain of layers (real knowledge base) --------------------------------------------------------------


def test_deposits_seen_in_two_places_lead_to_a_calcium_blood_test_and_concerns_about_two_organs_do_not(
        real_engine):
    """The leaflet suggests the calcium test when deposits were found in several organs (issue 13), not
    when a person's answers touch two organs."""
    seen = {"image_seen": "yes", "image_kind": "xray", "image_cause_known": "yes"}
    one = real_engine.evaluate({**seen, "image_where": ("lungs",)})
    two = real_engine.evaluate({**seen, "image_where": ("lungs", "kidneys")})
    organs = real_engine.evaluate({"tb_history": "yes", "tb_where": ("lungs",),
                                   "past_illnesses": ("thyroid_disease",)})
    assert "calcium_blood" not in one.workup_ids
    assert "calcium_blood" in two.workup_ids
    assert organs.section_ids == ("lungs", "thyroid") and "calcium_blood" not in organs.workup_ids


def test_the_general_section_does_not_count_as_an_organ(real_engine):
    outcome = real_engine.evaluate({"tb_history": "yes", "tb_where": ("lungs",), "general_signs": ("fever",)})
    assert outcome.section_ids == ("general", "lungs")
    assert "calcium_blood" not in outcome.workup_ids


def test_a_calcification_seen_with_no_known_cause_leads_to_a_calcium_blood_test(real_engine):
    for cause_known in ("no", "not_sure"):
        outcome = real_engine.evaluate({"image_seen": "yes", "image_where": ("elsewhere_or_unsure",),
                                        "image_cause_known": cause_known})
        assert outcome.workup_ids == ("ct_mri", "calcium_blood"), cause_known
    known = real_engine.evaluate({"image_seen": "yes", "image_where": ("elsewhere_or_unsure",),
                                  "image_cause_known": "yes"})
    assert known.workup_ids == ("ct_mri",)


@pytest.mark.parametrize(("answers", "section"), [
    ({"thyroid_screen": "yes"}, "thyroid"),
    ({"past_illnesses": ("thyroid_disease",)}, "thyroid"),
    ({"sex": "male", "urination_screen": "yes"}, "prostate"),
    ({"sex": "male", "image_seen": "yes", "image_where": ("prostate",), "image_cause_known": "yes"},
     "prostate"),
])
def test_a_concern_about_a_gland_that_makes_hormones_leads_to_hormone_levels(real_engine, answers, section):
    outcome = real_engine.evaluate(answers)
    assert section in outcome.section_ids
    assert "hormones" in outcome.workup_ids


def test_other_organs_do_not_lead_to_hormone_levels(real_engine):
    assert "hormones" not in real_engine.evaluate({"tb_history": "yes", "heart_screen": "yes"}).workup_ids


def test_a_calcification_suspected_leads_to_an_x_ray_and_a_scan(real_engine):
    outcome = real_engine.evaluate({"image_seen": "no", "heart_pain_returns": "yes"})
    assert outcome.findings == ("calcification_suspected",)
    assert outcome.workup_ids == ("xray", "ct_mri")


def test_a_calcification_seen_leads_to_a_scan_of_its_size_and_place_even_with_no_organ_named(real_engine):
    outcome = real_engine.evaluate({"image_seen": "yes", "image_where": ("elsewhere_or_unsure",),
                                    "image_cause_known": "yes"})
    assert outcome.findings == ("calcification_seen",)
    assert outcome.section_ids == ("general",)
    assert outcome.workup_ids == ("ct_mri",)


def test_any_concern_leads_to_a_referral_to_that_sections_doctor(real_engine, real_kb):
    for answers, section in [({"tb_history": "yes", "tb_where": ("lungs",)}, "lungs"),
                             ({"urine_less": "yes"}, "kidneys"),
                             ({"belly_screen": "yes", "right_upper_pain": "yes"}, "liver"),
                             ({"sex": "male", "urination_screen": "yes"}, "prostate"),
                             ({"thyroid_screen": "yes"}, "thyroid"), ({"heart_pain_returns": "yes"}, "heart"),
                             ({"sex": "male", "breast_screen": "yes"}, "breast"),
                             ({"general_signs": ("weakness",)}, "general")]:
        outcome = real_engine.evaluate(answers)
        assert outcome.section_ids == (section,)
        assert outcome.referral.to.id == real_kb.section[section].doctor, section


def test_the_organ_count_is_recomputed_when_a_later_rule_adds_a_concern(tiny):
    # The kidneys concern arrives two layers after the answer (answer -> finding -> concern), after the
    # lungs concern has already been counted.
    tiny.append("findings.yaml", "- {id: late, description: Reached late in the chain.}\n")
    tiny.append("rules/x.yaml", """
        - id: late.finding
          statement: Blood when coughing leads to a late finding.
          source: leaflet
          when: {question: cough_blood, is: yes}
          then: {finding: late}

        - id: late.kidneys
          statement: The late finding relates to the kidneys section.
          source: leaflet
          when: {finding: late}
          then: {concern: kidneys}
        """)
    engine = CompiledRules(tiny.load())
    assert engine.evaluate({"cough": "yes"}).workup_ids == ("xray",)
    outcome = engine.evaluate({"cough": "yes", "cough_blood": "yes"})
    assert outcome.section_ids == ("lungs", "kidneys")
    assert outcome.workup_ids == ("xray", "calcium_blood")


# --- order never matters ------------------------------------------------------------------------------------


def test_the_outcome_is_the_same_for_every_order_of_the_same_answers(real_engine):
    answers = {"chest_pain": "not_sure", "sex": "male", "tb_history": "yes", "tb_where": ("lungs",),
               "past_illnesses": ("kidney_infection", "thyroid_disease"), "urination_screen": "yes"}
    expected = real_engine.evaluate(answers)
    assert expected.referral.urgency.id == "urgent"
    assert expected.section_ids == ("lungs", "kidneys", "prostate", "thyroid", "heart")
    for order in itertools.permutations(answers):
        assert real_engine.evaluate({q: answers[q] for q in order}) == expected, order


def test_the_outcome_is_the_same_for_shuffled_orders_of_full_random_answers(real_engine, real_kb):
    for seed in SEEDS:
        rng = random.Random(seed)
        answers = complete_answers(real_kb, randomly(rng))
        expected = real_engine.evaluate(answers)
        for _ in range(2):
            order = list(answers)
            rng.shuffle(order)
            assert real_engine.evaluate({q: answers[q] for q in order}) == expected, (seed, order)


def test_the_outcome_does_not_depend_on_the_order_of_the_rules_in_the_files(real_kb, real_engine):
    from dataclasses import replace

    rng = random.Random(7)
    shuffled_rules = list(real_kb.rules)
    rng.shuffle(shuffled_rules)
    shuffled = CompiledRules(replace(real_kb, rules=tuple(shuffled_rules)))
    for seed in SEEDS:
        answers = complete_answers(real_kb, randomly(random.Random(seed)))
        a, b = real_engine.evaluate(answers), shuffled.evaluate(answers)
        assert summary(a) == summary(b)
        assert {s.rule.id for s in a.explanation} == {s.rule.id for s in b.explanation}


def test_answers_given_one_at_a_time_reach_the_same_outcome_as_all_at_once(real_kb):
    # How an interview uses the engine: start empty, then add each answer and run again.
    engine = CompiledRules(real_kb)
    for seed in range(10):
        answers = complete_answers(real_kb, randomly(random.Random(seed)))
        run = engine.new_run()
        run.restart({})
        for question, value in answers.items():
            run.add(question, value)
        stepwise = run.outcome()
        assert stepwise == CompiledRules(real_kb).evaluate(answers), seed


# --- one engine, many people --------------------------------------------------------------------------------


def test_an_engine_reused_for_many_people_gives_what_a_fresh_engine_gives(real_kb):
    reused = CompiledRules(real_kb)
    sets = [complete_answers(real_kb, randomly(random.Random(seed))) for seed in range(8)]
    sets.append({"chest_pain": "yes"})
    sets.append({})
    first = [reused.evaluate(a) for a in sets]
    again = [reused.evaluate(a) for a in reversed(sets)]
    fresh = [CompiledRules(real_kb).evaluate(a) for a in sets]
    assert first == fresh
    assert list(reversed(again)) == fresh


def test_nothing_of_an_emergency_carries_over_to_the_next_person(real_kb):
    engine = CompiledRules(real_kb)
    assert engine.evaluate({"chest_pain": "yes"}).referral.urgency.id == "emergency"
    after = engine.evaluate({"chest_pain": "no"})
    assert summary(after) == ("gp", "routine", (), (), ())
    assert all(step.answers != (("chest_pain", "yes"),) for step in after.explanation)


# --- the firing limit ---------------------------------------------------------------------------------------


def test_the_firing_limit_stops_the_engine_with_an_error_instead_of_hanging(tiny):
    kb = tiny.load()
    engine = CompiledRules(kb, firing_limit=1)
    with pytest.raises(EngineError) as info:
        engine.evaluate({"cough": "yes"})
    assert [str(p) for p in info.value.problems] == [
        "engine: the rules did not settle after 1 firings; check the knowledge base for rules that feed "
        "each other"]
    assert EXIT_CODES[info.value.ending] == 2
    assert summary(CompiledRules(kb, firing_limit=1000).evaluate({"cough": "yes"}))[:2] == ("lung_doctor", "soon")


def test_the_real_knowledge_base_settles_well_within_the_firing_limit(real_kb, real_engine):
    for seed in SEEDS:
        run = real_engine.new_run()
        run.restart(complete_answers(real_kb, randomly(random.Random(seed))))
        assert len(run.trace().firings) < real_engine.firing_limit / 4


# --- compiling conditions -----------------------------------------------------------------------------------


def test_every_kind_of_condition_compiles_to_an_experta_pattern():
    yes = AnswerIs("cough", ("yes",))
    assert isinstance(compile_condition(AnswerIs("cough", ("yes", "not_sure"))), OR)
    assert isinstance(compile_condition(AnyOf((yes, ConcernRaised("lungs")))), OR)
    nested = AllOf((yes, AllOf((FindingReached("f"), OrganConcernsAtLeast(2)))))
    assert isinstance(compile_condition(nested), AND)
    for condition in (yes, AnswerIncludes("past", ("a",)), ConcernRaised("lungs"), FindingReached("f"),
                      OrganConcernsAtLeast(2), Always()):
        assert compile_condition(condition) is not None
    with pytest.raises(AssertionError):  # assert_never: mypy names a kind the compiler forgot
        compile_condition("cough is yes")  # type: ignore[arg-type]
