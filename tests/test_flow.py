"""Which question comes next (triage.flow): pure, answers in, questions out."""

from __future__ import annotations

import random

from triage.flow import (
    applicable,
    asked_questions,
    next_question,
    offered_options,
    offered_values,
    questions_at_most,
)


def ids(questions) -> list[str]:
    return [q.id for q in questions]


def test_the_first_questions_of_the_real_interview_are_the_red_flags(real_kb):
    red_flags = [q.id for q in real_kb.questions if q.red_flag]
    assert ids(real_kb.questions[:len(red_flags)]) == red_flags
    assert next_question(real_kb, {}).id == "chest_pain"


def test_questions_come_in_file_order_and_follow_ups_only_after_yes_or_not_sure(tiny):
    kb = tiny.load()
    answers: dict = {}
    asked = []
    script = {"chest_pain": "no", "sex": "female", "cough": "not_sure", "cough_blood": "no", "past": ()}
    while (question := next_question(kb, answers)) is not None:
        asked.append(question.id)
        answers[question.id] = script[question.id]
    assert asked == ["chest_pain", "sex", "cough", "cough_blood", "past"]

    answers = {"chest_pain": "no", "sex": "female", "cough": "no"}
    assert next_question(kb, answers).id == "past"


def test_an_option_is_offered_only_when_its_condition_holds(tiny):
    kb = tiny.load()
    past = kb.question["past"]
    assert [o.id for o in offered_options(past, {"sex": "male"})] == ["kidney_infection", "prostatitis"]
    assert [o.id for o in offered_options(past, {"sex": "female"})] == ["kidney_infection"]
    assert [o.id for o in offered_options(past, {})] == ["kidney_infection"]


def test_urination_and_breast_are_asked_of_everyone_and_the_prostate_questions_only_of_men(real_kb):
    """Issue 13: no sex gating except where anatomy requires it (the prostate)."""
    man = {"sex": "male", "urination_screen": "yes"}
    woman = {"sex": "female", "urination_screen": "yes"}
    assert {"weak_stream", "erection_trouble", "semen_change"} <= set(ids(asked_questions(real_kb, man)))
    assert "erection_trouble" in ids(asked_questions(real_kb, {"sex": "male", "urination_screen": "no"}))
    assert "urination_screen" in ids(asked_questions(real_kb, woman))
    assert not {"weak_stream", "erection_trouble", "semen_change"} & set(ids(asked_questions(real_kb, woman)))
    for sex in ("male", "female", "other"):
        assert "breast_screen" in ids(asked_questions(real_kb, {"sex": sex})), sex


def test_changing_a_screening_answer_to_no_drops_its_follow_up_answers(tiny):
    kb = tiny.load()
    before = {"cough": "yes", "cough_blood": "yes", "sex": "male",
              "past": ("kidney_infection", "prostatitis")}
    assert applicable(kb, before) == before
    after = applicable(kb, {**before, "cough": "no", "sex": "female"})
    assert after == {"sex": "female", "cough": "no", "past": ("kidney_infection",)}


def test_at_most_counts_every_question_later_answers_could_bring_up(tiny):
    kb = tiny.load()
    assert questions_at_most(kb, {}) == 5  # chest_pain, sex, cough, cough_blood (after a yes), past
    assert questions_at_most(kb, {"chest_pain": "no", "sex": "male", "cough": "no"}) == 4
    assert questions_at_most(kb, {"chest_pain": "no", "sex": "male", "cough": "yes"}) == 5
    assert next_question(kb, {"chest_pain": "no", "sex": "male", "cough": "no", "past": ()}) is None


def test_at_most_never_promises_fewer_questions_than_come_and_never_grows(real_kb):
    """300 people answering at random: at every question, the count shown is at least what they are asked."""
    chance = random.Random(14)
    for _ in range(300):
        answers: dict = {}
        shown = []
        while (question := next_question(real_kb, answers)) is not None:
            shown.append(questions_at_most(real_kb, answers))
            offered = offered_values(question, answers)
            answers[question.id] = (tuple(v for v in offered if chance.random() < 0.3) if question.kind.is_list
                                    else chance.choice(offered))
        assert all(at_most >= len(answers) for at_most in shown)
        assert shown == sorted(shown, reverse=True)
        assert shown[-1] == len(answers)  # at the last question, the count is exact
