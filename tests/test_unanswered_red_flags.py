"""Answers that leave red-flag questions out: the outcome says which signs were not asked about (issue 12).

A plain "ROUTINE" for a file that never said whether the person has chest pain would read as an all-clear.
"""

from __future__ import annotations

import json

from support.generators import all_no, complete_answers
from support.paths import EXAMPLES
from triage.session import Session

PAST_TB = EXAMPLES / "past-tb.yaml"  # answers every red flag
CHEST_PAIN = EXAMPLES / "chest-pain.json"  # chest pain: yes; two more red flags answered

PARAGRAPH = [
    "Please note: these answers do not say whether you feel pain or pressure in",
    "your chest, you throw up blood, your lips turn blue, you can hardly breathe or",
    "you pass almost no urine. The urgency above does not take these signs into",
    "account. If any of them is true, call the emergency number now.",
]


def test_run_says_right_under_the_referral_which_signs_were_not_asked_about(cli, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("sex: male\ntb_history: yes\ntb_where: [lungs]\n", encoding="utf-8")
    result = cli("run", "--answers", answers)
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[:10] == [
        "WHAT TO DO: SOON (within two weeks)",
        "===================================",
        "Make an appointment with a doctor for the next two weeks.",
        "Whom to see: a lung specialist (pulmonologist).",
        "",
        *PARAGRAPH,
        "",
    ]


def test_only_the_red_flags_left_out_are_named(cli, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("chest_pain: no\nvomiting_blood: no\nblue_lips: not_sure\n", encoding="utf-8")
    out = " ".join(cli("run", "--answers", answers).out.split())
    assert ("Please note: these answers do not say whether you can hardly breathe or you pass almost no urine. "
            "The urgency above does not take these signs into account.") in out


def test_the_json_outcome_lists_them_in_question_order(cli, tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"blue_lips": "no", "sex": "female"}), encoding="utf-8")
    result = cli("run", "--answers", answers, "--format", "json")
    assert result.code == 0
    assert json.loads(result.out)["unanswered_red_flags"] == [
        "chest_pain", "vomiting_blood", "severe_breathlessness", "almost_no_urine"]


def test_with_every_red_flag_answered_there_is_no_such_paragraph(cli):
    result = cli("run", "--answers", PAST_TB)
    assert "do not say whether" not in result.out
    assert json.loads(cli("run", "--answers", PAST_TB, "--format", "json").out)["unanswered_red_flags"] == []


def test_at_the_emergency_the_json_still_lists_them_but_the_text_adds_nothing(cli):
    """No unanswered sign can raise an emergency; the person is told to call the emergency number already."""
    assert "do not say whether" not in cli("run", "--answers", CHEST_PAIN).out
    data = json.loads(cli("run", "--answers", CHEST_PAIN, "--format", "json").out)
    assert data["referral"]["urgency"] == "emergency"
    assert data["unanswered_red_flags"] == ["severe_breathlessness", "almost_no_urine"]


def test_after_a_whole_interview_none_is_unanswered(real_engine, real_kb):
    session = Session(real_engine)
    for question, value in complete_answers(real_kb, all_no).items():
        session.answer(question, value)
    assert session.current() is None and session.outcome().unanswered_red_flags == ()


def test_a_red_flag_that_would_not_be_asked_is_not_named(tiny):
    """A red flag asked only after another answer is not 'left out' when that answer rules it out."""
    tiny.append("questions.yaml", """
        - id: fainting
          topic: safety
          red_flag: true
          emergency_sign: you faint
          text: Did you faint after the chest pain?
          type: yes_no_unsure
          ask_when: {question: chest_pain, is: not_sure}
        """)
    tiny.append("rules/safety.yaml", """
        - id: safety.fainting_yes
          statement: Fainting needs help at once.
          source: safety
          when: {question: fainting, is: yes}
          then: {referral: {to: emergency_services, urgency: emergency}}
        """)
    from triage.checks import oracle

    kb = tiny.load()
    assert oracle.evaluate(kb, {"chest_pain": "no"}).unanswered_red_flags == ()
    assert oracle.evaluate(kb, {"chest_pain": "not_sure"}).unanswered_red_flags == ("fainting",)
    assert oracle.evaluate(kb, {}).unanswered_red_flags == ("chest_pain",)
