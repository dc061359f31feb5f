"""End to end: the opening screen is drawn while the rules are loaded and self-tested behind it.

The real `triage` program runs in an 80x24 pseudo-terminal (pexpect), started as in
tests/test_interview_terminal.py (support/terminals.py). In a terminal, with an opening that
knowledge.yaml and reviews.yaml give alone, the opening screen comes first; a broken knowledge base must
still stop the program (exit 2, every problem listed) before any question, without the person pressing a
key, and a person who presses Enter at once must still get the first question.
"""

from __future__ import annotations

import time

import pexpect

from support.kb_copies import REFUSAL, case_count, rules_copy
from support.signoff import sign_off
from support.terminals import CTRL_C, DOWN, ENTER, POINTER, Terminal, flat
from triage.knowledge.load import load_knowledge
from triage.knowledge.opening import unreviewed_notice

OPENING_QUESTION = "Do you want to start?"
ABOUT_STARTS = "This questionnaire helps you prepare for a talk with a doctor about"
NOT_FOR_EMERGENCIES = ("Not for emergencies: if you feel pain or pressure in your chest, you throw up blood, your "
                       "lips turn blue, you can hardly breathe or you pass almost no urine, call the emergency "
                       "number now.")


def ended_by_itself(t: Terminal) -> int:
    """The exit status of a program that ends with nobody pressing a key (at most the Terminal's timeout)."""
    t.child.expect(pexpect.EOF)
    t.child.close()
    return t.child.exitstatus


# --- a broken knowledge base: the opening screen comes down by itself, exit 2 --------------------------------


def test_a_failing_golden_case_ends_the_program_at_the_opening_screen_without_a_key(spawn, tmp_path):
    rules = rules_copy(tmp_path, {"cases/lungs_past_tb.yaml": ("urgency: soon", "urgency: routine")})

    t = spawn("--rules", str(rules))

    assert ended_by_itself(t) == 2
    text = t.text
    assert ABOUT_STARTS in text  # the opening screen was up while the rules were checked
    assert text.splitlines()[-2:] == [
        f"error: {rules}/cases/lungs_past_tb.yaml, case 'lungs_past_tb': self-test failed: "
        "urgency expected routine, got soon",
        REFUSAL.format(n=1, total=case_count()),
    ]
    assert "Question 1" not in text
    assert "Traceback" not in text


def test_a_broken_rule_file_ends_the_program_at_the_opening_screen_and_names_the_file(spawn, tmp_path):
    rules = rules_copy(tmp_path, {"rules/lungs.yaml": ("{question: tb_where, includes:",
                                                       "{question: tb_wehre, includes:")})

    t = spawn("interview", "--rules", str(rules))

    assert ended_by_itself(t) == 2
    text = t.text
    assert OPENING_QUESTION in text
    assert text.splitlines()[-1] == (f"error: {rules}/rules/lungs.yaml:3, rule 'lungs.tb_history', field 'when': "
                                     "unknown question 'tb_wehre'")
    assert "Question 1" not in text
    assert "Traceback" not in text


def test_a_diagnosis_in_the_opening_text_is_refused_before_anyone_reads_it(spawn, tmp_path):
    rules = rules_copy(tmp_path, {"knowledge.yaml": ("  This questionnaire helps you",
                                                     "  You have kidney stones. This questionnaire helps you")})

    t = spawn("interview", "--rules", str(rules))

    assert ended_by_itself(t) == 2
    text = flat(t.text)
    assert "kidney stones" not in text.split("error:")[0]  # nothing before the errors: no opening screen
    assert OPENING_QUESTION not in text
    assert ("error: knowledge.yaml: about: 'You have' reads as a diagnosis; say which leaflet section relates to "
            "the answers") in text
    assert "refusing to start" in text


# --- the built-in rules -----------------------------------------------------------------------------------


def test_the_opening_screen_says_what_the_tool_is_not_and_that_no_clinician_has_reviewed_it_yet(spawn):
    t = spawn()
    t.wait(OPENING_QUESTION, POINTER)
    t.keys(DOWN, ENTER)  # Quit

    assert t.exit_status() == 0
    shown = flat(t.text)
    assert flat(load_knowledge().about) in shown
    assert NOT_FOR_EMERGENCIES in shown
    assert unreviewed_notice() in shown
    assert shown.index(NOT_FOR_EMERGENCIES) < shown.index(unreviewed_notice()) < shown.index(OPENING_QUESTION)


def test_enter_at_once_on_the_opening_screen_brings_the_first_question_and_the_interview_goes_on(spawn):
    t = spawn()
    t.child.delaybeforesend = None  # the key goes as soon as the prompt is seen
    t.wait(OPENING_QUESTION, POINTER)
    t.keys(ENTER)  # Start, while the rules are still being prepared (that takes over 0.1 s)
    t.wait("Question 1 of at most 45", POINTER)
    t.keys(DOWN, ENTER)  # No
    t.wait("Question 2 of at most 45", POINTER)
    t.keys(CTRL_C)
    t.wait("Do you want to quit? Nothing will be saved.", "(y/N)")
    t.keys("y")

    assert t.exit_status() == 130
    text = t.text
    assert "? Do you want to start? Start the questions" in text
    assert "Question 1 of at most 45\n? Right now, or in the last few hours, have you felt pain" in text
    assert "chest or around your heart? No" in text
    assert "Traceback" not in text
    assert "error:" not in text


def test_quit_at_the_opening_screen_exits_0_at_once(spawn, tmp_path):
    t = spawn()
    t.wait(OPENING_QUESTION, POINTER)
    pressed = time.monotonic()
    t.keys(DOWN, ENTER)  # Quit

    assert t.exit_status() == 0
    assert time.monotonic() - pressed < 5
    text = t.text
    assert "? Do you want to start? Quit" in text
    assert "Question 1" not in text
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_with_every_rule_signed_off_the_opening_screen_has_no_review_notice(spawn, tmp_path):
    """Sign-offs exist: the opening waits for the full load, which finds every rule and text reviewed."""
    rules = rules_copy(tmp_path, {})
    sign_off(rules)

    t = spawn("--rules", str(rules))
    t.wait(OPENING_QUESTION, POINTER)
    t.keys(DOWN, ENTER)  # Quit

    assert t.exit_status() == 0
    shown = flat(t.text)
    assert NOT_FOR_EMERGENCIES in shown
    assert "a clinician has not yet reviewed" not in shown
