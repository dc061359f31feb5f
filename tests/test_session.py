"""The interview's flow without a terminal: one person's Session on the real knowledge base.

Every test drives a Session the way the interview does (ask `current()`, record an answer) and checks
what a person would meet: which question comes next, what going back and changing an answer do, when
the interview stops early, and that the outcome equals evaluating the same answers all at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from triage.answers import check_answers
from triage.knowledge.load import load_knowledge
from triage.model import KnowledgeBase, Question, QuestionType
from triage.render.json_format import outcome_data
from triage.rete.engine import CompiledRules
from triage.session import Session

RED_FLAGS = ["chest_pain", "vomiting_blood", "blue_lips", "severe_breathlessness", "almost_no_urine"]
LUNG_FOLLOW_UPS = ["fast_shallow_breathing", "finger_clubbing", "blue_hands_feet", "breathing_since",
                   "breathing_course"]
# How long and which way: single choices, so a script must answer them (a slow, steady course).
LUNG_TIME_COURSE = {"breathing_since": "months", "breathing_course": "about_the_same"}
PROSTATE_QUESTIONS = ["weak_stream", "erection_trouble", "semen_change"]


def plain_no(question: Question, offered: tuple[str, ...]):
    """'no' to yes/no questions, nothing ticked in lists (the last option, 'not sure', where one is needed)."""
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return () if question.takes(()) else offered[-1:]
    assert question.type is not QuestionType.SINGLE_CHOICE, f"the script must say how to answer {question.id}"
    return "no"


def run_through(session: Session, script: Mapping[str, object],
                otherwise: Callable = plain_no, stop_before: str | None = None) -> list[str]:
    """Answer every question the session asks, as the interview would; returns the ids in the order asked.

    `script` gives some answers; every other question gets `otherwise(question, offered ids)`.
    """
    asked = []
    while (question := session.current()) is not None and question.id != stop_before:
        asked.append(question.id)
        offered = tuple(o.id for o in session.options(question)) or question.values
        value = script[question.id] if question.id in script else otherwise(question, offered)
        session.answer(question.id, value)
        if session.reached_top_urgency():
            break
    return asked


@pytest.fixture
def session(real_engine: CompiledRules) -> Session:
    return Session(real_engine)


@pytest.fixture(scope="module")
def batch_engine() -> CompiledRules:
    """A second engine, so that 'all at once' is computed apart from the session's own engine."""
    return CompiledRules(load_knowledge())


# --- order of the questions ----------------------------------------------------------------------------


def test_the_five_red_flag_questions_come_first(session: Session, real_kb: KnowledgeBase):
    asked = run_through(session, {"sex": "female"})

    assert asked[:5] == RED_FLAGS
    assert all(real_kb.question[q].red_flag for q in asked[:5])
    assert not any(real_kb.question[q].red_flag for q in asked[5:])


def test_someone_who_says_no_to_everything_gets_only_the_screening_questions(session: Session):
    asked = run_through(session, {"sex": "female"})

    assert asked == RED_FLAGS + [
        "sex", "image_seen", "general_signs", "tb_history", "past_illnesses", "breathing_screen",
        "urine_less", "swelling_where", "urination_screen", "belly_screen", "thyroid_screen",
        "heart_pain_returns", "irregular_heartbeat", "heart_screen", "breast_screen"]


@pytest.mark.parametrize("answer", ["yes", "not_sure"])
def test_follow_ups_come_right_after_a_screening_yes_or_not_sure(session: Session, answer: str):
    run_through(session, {"sex": "female"}, stop_before="breathing_screen")
    session.answer("breathing_screen", answer)

    asked = run_through(session, LUNG_TIME_COURSE, stop_before="urine_less")

    assert asked == LUNG_FOLLOW_UPS


def test_no_follow_ups_after_a_screening_no(session: Session):
    run_through(session, {"sex": "female"}, stop_before="breathing_screen")
    session.answer("breathing_screen", "no")

    assert session.current().id == "urine_less"


def test_where_and_on_what_image_the_deposits_were_seen_is_asked_only_after_a_yes_to_seeing_them(
        session: Session):
    asked_after_yes = run_through(session, {"sex": "female", "image_seen": "yes", "image_where": ("lungs",),
                                            "image_kind": "xray"},
                                  stop_before="general_signs")
    assert asked_after_yes[-4:] == ["image_seen", "image_where", "image_kind", "image_cause_known"]

    other = Session(session.rules)
    asked_after_not_sure = run_through(other, {"sex": "female", "image_seen": "not_sure"},
                                       stop_before="general_signs")
    assert asked_after_not_sure[-1] == "image_seen"


# --- questions and options that depend on sex ----------------------------------------------------------


def test_a_man_is_asked_about_the_prostate_and_about_the_breast(session: Session):
    run_through(session, {"sex": "male", "image_seen": "yes"}, stop_before="image_where")
    where = session.current()
    offered = [o.id for o in session.options(where)]
    assert "prostate" in offered and "breast" in offered

    session.answer("image_where", ("lungs",))
    asked = run_through(session, {"image_kind": "xray", "urination_screen": "yes"})
    assert [q for q in asked if q in PROSTATE_QUESTIONS] == PROSTATE_QUESTIONS
    assert asked.index("urination_screen") < asked.index("weak_stream")  # asked of men after a yes to it
    assert "breast_screen" in asked


def test_a_man_who_passes_urine_as_before_is_still_asked_about_erection_and_semen(session: Session):
    asked = run_through(session, {"sex": "male", "urination_screen": "no"})

    assert "urination_screen" in asked and "weak_stream" not in asked
    assert [q for q in asked if q in PROSTATE_QUESTIONS] == ["erection_trouble", "semen_change"]


@pytest.mark.parametrize("sex", ["female", "other"])
def test_others_are_never_asked_about_the_prostate(session: Session, sex: str):
    run_through(session, {"sex": sex, "image_seen": "yes"}, stop_before="image_where")
    offered = [o.id for o in session.options(session.current())]
    assert "prostate" not in offered and "breast" in offered

    session.answer("image_where", ("lungs",))
    asked = run_through(session, {"image_kind": "xray", "urination_screen": "yes"})
    assert not set(asked) & set(PROSTATE_QUESTIONS)
    assert "breast_screen" in asked


@pytest.mark.parametrize("sex", ["female", "other"])
def test_others_are_asked_about_passing_urine_but_not_the_weak_stream_or_erection(session: Session, sex: str):
    asked = run_through(session, {"sex": sex, "urination_screen": "yes"})

    assert "urination_screen" in asked
    assert "weak_stream" not in asked and "erection_trouble" not in asked and "semen_change" not in asked


def test_the_prostate_options_among_past_illnesses_are_offered_to_men_only(session: Session, real_engine):
    prostate_options = {"sti_or_prostatitis", "prostate_circulation"}
    run_through(session, {"sex": "male"}, stop_before="past_illnesses")
    assert prostate_options <= {o.id for o in session.options(session.current())}

    other = Session(real_engine)
    run_through(other, {"sex": "female"}, stop_before="past_illnesses")
    assert not prostate_options & {o.id for o in other.options(other.current())}


# --- going back ------------------------------------------------------------------------------------------


def test_going_back_returns_the_previous_question_and_removes_its_answer(session: Session):
    session.answer("chest_pain", "no")
    session.answer("vomiting_blood", "not_sure")

    back = session.go_back()

    assert back.id == "vomiting_blood"
    assert session.answers == {"chest_pain": "no"}
    assert session.current().id == "vomiting_blood"
    assert session.progress().number == 2


def test_going_back_at_the_first_question_does_nothing(session: Session):
    assert session.go_back() is None
    assert session.current().id == "chest_pain"


def test_going_back_over_an_answer_takes_back_what_it_led_to(session: Session):
    session.answer("chest_pain", "not_sure")
    assert session.outcome().referral.urgency.id == "urgent"

    session.go_back()

    assert session.outcome().referral.urgency.id == "routine"


def test_going_back_twice_walks_back_through_the_answers(session: Session):
    run_through(session, {"sex": "female"}, stop_before="image_seen")

    assert [session.go_back().id, session.go_back().id] == ["sex", "almost_no_urine"]
    assert list(session.answers) == RED_FLAGS[:4]


# --- changing an earlier answer -------------------------------------------------------------------------


def test_changing_a_screening_yes_to_no_drops_its_follow_ups(session: Session):
    run_through(session, {"sex": "female", "breathing_screen": "yes", "fast_shallow_breathing": "yes",
                          **LUNG_TIME_COURSE})
    assert session.current() is None
    assert "lungs" in session.outcome().section_ids

    dropped = session.change("breathing_screen", "no")

    assert dropped == LUNG_FOLLOW_UPS
    assert session.answers["breathing_screen"] == "no"
    assert not set(session.answers) & set(LUNG_FOLLOW_UPS)
    assert session.current() is None  # nothing new to ask
    assert "lungs" not in session.outcome().section_ids


def test_changing_a_screening_no_to_yes_opens_its_follow_ups(session: Session):
    run_through(session, {"sex": "female"})

    dropped = session.change("breathing_screen", "yes")

    assert dropped == []
    assert run_through(session, LUNG_TIME_COURSE) == LUNG_FOLLOW_UPS


def test_changing_sex_from_male_to_female_drops_the_prostate_answers(session: Session):
    run_through(session, {"sex": "male", "urination_screen": "yes", "weak_stream": "yes"})
    assert "prostate" in session.outcome().section_ids

    dropped = session.change("sex", "female")

    assert set(PROSTATE_QUESTIONS) <= set(dropped)
    assert not set(session.answers) & set(PROSTATE_QUESTIONS)
    assert "prostate" not in session.outcome().section_ids
    # Passing urine and the breast are asked of everyone: those answers are kept.
    assert session.answers["urination_screen"] == "yes" and "urination_screen" not in dropped
    assert session.answers["breast_screen"] == "no" and "breast_screen" not in dropped
    # The list of illnesses lost its prostate options but gained none: what was ticked still applies.
    assert "past_illnesses" not in dropped
    assert run_through(session, {}) == []


def test_a_list_keeps_the_ticks_still_offered_when_options_are_only_taken_away(session: Session):
    # A man ticked pneumonia and a prostate illness. A woman is offered the same list without the prostate
    # illnesses: she saw every option she is now offered, so her pneumonia stays and nothing is asked again.
    run_through(session, {"sex": "male", "past_illnesses": ("pneumonia_or_abscess", "sti_or_prostatitis")})

    dropped = session.change("sex", "female")

    assert "past_illnesses" not in dropped
    assert session.answers["past_illnesses"] == ("pneumonia_or_abscess",)
    assert session.current() is None


def test_a_list_whose_only_tick_falls_away_after_a_change_is_asked_again_where_a_tick_is_needed(
        session: Session):
    # Only the prostate was ticked as the place on the image; as a woman she is not offered it. Nothing
    # ticked is not an answer there, so the question comes again rather than standing empty.
    run_through(session, {"sex": "male", "image_seen": "yes", "image_where": ("prostate",), "image_kind": "xray"})
    assert "prostate" in session.outcome().section_ids

    dropped = session.change("sex", "female")

    assert "image_where" in dropped
    assert "image_where" not in session.answers
    assert session.current().id == "image_where"
    assert "prostate" not in [o.id for o in session.options(session.current())]


def test_nothing_ticked_where_a_tick_is_needed_is_refused_by_the_session_itself(session: Session):
    run_through(session, {"sex": "female", "tb_history": "yes"}, stop_before="tb_where")
    with pytest.raises(ValueError, match="needs at least one option ticked"):
        session.answer("tb_where", ())
    assert "tb_where" not in session.answers
    session.answer("tb_where", ("dont_know",))
    assert "lungs" in session.outcome().section_ids


def test_a_list_that_gains_options_after_a_change_is_asked_again(session: Session):
    # A woman's list has no prostate illnesses; as a man he is offered options never seen: ask again.
    run_through(session, {"sex": "female", "past_illnesses": ("pneumonia_or_abscess",)})

    dropped = session.change("sex", "male")

    assert "past_illnesses" in dropped
    assert "past_illnesses" not in session.answers
    assert session.current().id == "past_illnesses"
    offered = [o.id for o in session.options(session.current())]
    assert "sti_or_prostatitis" in offered


def test_a_list_offered_with_the_same_options_is_kept_after_a_change(session: Session):
    run_through(session, {"sex": "female", "past_illnesses": ("breast_disease",), "breast_screen": "yes"})

    dropped = session.change("sex", "other")  # 'other' is offered the same options as 'female'

    assert dropped == []
    assert session.answers["past_illnesses"] == ("breast_disease",)
    assert session.current() is None


def test_an_unchanged_answer_is_not_dropped(session: Session):
    run_through(session, {"sex": "female", "breathing_screen": "yes", **LUNG_TIME_COURSE})

    assert session.change("breathing_screen", "yes") == []
    assert all(q in session.answers for q in LUNG_FOLLOW_UPS)


def test_going_back_after_a_change_returns_to_the_changed_question(session: Session):
    # From the summary, 'breathing' becomes yes; at the first new follow-up the person goes back.
    run_through(session, {"sex": "female"})
    session.change("breathing_screen", "yes")
    assert session.current().id == "fast_shallow_breathing"

    back = session.go_back()

    assert back.id == "breathing_screen"
    assert session.current().id == "breathing_screen"
    assert "breast_screen" in session.answers  # later answers are kept


# --- stopping early on a red flag -----------------------------------------------------------------------


@pytest.mark.parametrize("red_flag", RED_FLAGS)
def test_a_yes_to_a_red_flag_reaches_the_emergency_at_once(session: Session, red_flag: str):
    run_through(session, {}, stop_before=red_flag)
    assert not session.reached_top_urgency()

    session.answer(red_flag, "yes")

    assert session.reached_top_urgency()
    assert session.outcome().referral.urgency.id == "emergency"
    assert session.outcome().referral.to.id == "emergency_services"


@pytest.mark.parametrize("red_flag", RED_FLAGS)
def test_not_sure_about_a_red_flag_does_not_stop_the_interview(session: Session, red_flag: str):
    run_through(session, {}, stop_before=red_flag)
    session.answer(red_flag, "not_sure")

    assert not session.reached_top_urgency()
    assert session.outcome().referral.urgency.id == "urgent"
    assert session.current() is not None


# --- progress ------------------------------------------------------------------------------------------


def test_progress_counts_up_and_the_most_questions_to_come_never_grows(session: Session):
    seen = []
    while (question := session.current()) is not None:
        progress = session.progress()
        seen.append((progress.number, progress.at_most))
        session.answer(question.id, "female" if question.id == "sex" else plain_no(question, ()))

    assert seen[0] == (1, 45)  # before the sex is known, a man's questions and every follow-up may come
    assert [n for n, _ in seen] == list(range(1, len(seen) + 1))
    assert [at_most for _, at_most in seen] == sorted((at_most for _, at_most in seen), reverse=True)
    assert seen[-1] == (20, 20)  # a woman who says no is asked 20, and the last count is exact


def test_a_no_to_a_screening_question_takes_its_follow_ups_out_of_the_count(session: Session):
    run_through(session, {"sex": "female"}, stop_before="breathing_screen")
    before = session.progress().at_most

    session.answer("breathing_screen", "no")

    assert session.progress().at_most == before - len(LUNG_FOLLOW_UPS)


def test_a_yes_to_a_screening_question_keeps_the_count(session: Session):
    run_through(session, {"sex": "female"}, stop_before="breathing_screen")
    before = session.progress().at_most

    session.answer("breathing_screen", "yes")

    assert session.progress().at_most == before


def test_progress_of_an_answered_question_says_which_answer_is_being_changed(session: Session, real_kb):
    run_through(session, {"sex": "female"})

    progress = session.progress(real_kb.question["breathing_screen"])

    assert progress.changing and progress.number == list(session.answers).index("breathing_screen") + 1


# --- the outcome ------------------------------------------------------------------------------------------


def _case_ids(kb: KnowledgeBase) -> list[str]:
    return [case.id for case in kb.cases]


@pytest.mark.parametrize("case_id", _case_ids(load_knowledge()))
def test_answering_one_by_one_gives_the_same_outcome_as_all_at_once(
        case_id: str, real_kb: KnowledgeBase, session: Session, batch_engine: CompiledRules):
    case = next(c for c in real_kb.cases if c.id == case_id)
    answers = check_answers(real_kb, case.answers, case.file)

    for question in real_kb.questions:  # in the order the interview asks them
        if question.id in answers:
            session.answer(question.id, answers[question.id])
    one_by_one = outcome_data(session.outcome())
    all_at_once = outcome_data(batch_engine.evaluate(answers))

    assert one_by_one == all_at_once
    assert one_by_one["referral"]["urgency"] == case.expect.urgency


def test_a_new_session_on_the_same_engine_starts_empty(real_engine: CompiledRules):
    first = Session(real_engine)
    run_through(first, {"sex": "male", "tb_history": "yes", "breathing_screen": "yes", **LUNG_TIME_COURSE})
    first.answer("chest_pain", "yes")
    assert first.outcome().referral.urgency.id == "emergency"

    second = Session(real_engine)

    assert second.answers == {} and second.history == []
    assert second.current().id == "chest_pain"
    assert second.progress().number == 1
    assert not second.reached_top_urgency()
    outcome = second.outcome()
    assert outcome.referral.urgency.id == "routine"
    assert outcome.section_ids == () and outcome.workup_ids == () and outcome.answers == ()
