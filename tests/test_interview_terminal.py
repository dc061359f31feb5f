"""End to end: the real `triage` command, driven in a pseudo-terminal (pexpect) and through a pipe.

Each terminal test starts `python -m triage` in an 80x24 pseudo-terminal, waits until a prompt is on the
screen, presses keys as a person would (arrow down, Enter, Ctrl-C, y/n) and checks what was shown and the
exit status. PROMPT_TOOLKIT_NO_CPR=1 spares each prompt a one-second wait for a cursor-position reply.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from support.terminals import CSI, CTRL_C, DOWN, ENTER, POINTER, SGR, environment, flat

DISCLAIMER = ("This is not a diagnosis and does not replace a doctor. It only shows which parts of a patient "
              "leaflet relate to your answers, so that you can prepare for a talk with a doctor.")
EMERGENCY = ("WHAT TO DO: EMERGENCY (now)\n"
             "===========================\n"
             "Call the emergency number now. Or go to a hospital emergency room at once.\n"
             "Whom to see: emergency services.\n")
ROUTINE = ("WHAT TO DO: ROUTINE (at a planned visit)\n"
           "========================================\n"
           "Talk about it at your next planned visit, and keep your planned check-ups.\n"
           "Whom to see: a general practitioner (family doctor).\n")


def colours_in(raw: str) -> list[str]:
    """SGR sequences that set a colour (foreground, background, 256-colour or true colour)."""
    found = []
    for params in SGR.findall(raw):
        codes = [int(c) for c in params.split(";") if c]
        if any(30 <= c <= 38 or 40 <= c <= 48 or 90 <= c <= 97 or 100 <= c <= 107 for c in codes):
            found.append(params)
    return found


# --- a routine case, a red flag, going back ---------------------------------------------------------------


def test_a_routine_interview_reaches_the_result_screen(spawn, tmp_path: Path):
    t = spawn()
    t.wait("It is not a diagnosis")
    t.choose("Do you want to start?")
    t.answer_routine()
    t.wait("Your answers (20):")
    t.choose_after_pages("What next?")  # See my result
    t.wait("WHAT TO DO:", "This is not a diagnosis")
    t.choose("What next?", 2)  # Good to know, Why am I seeing this?, Finish

    assert t.exit_status() == 0
    text = t.text
    assert ROUTINE in text
    assert flat(DISCLAIMER) in flat(text)
    order = ["WHAT TO DO:", "None of your answers point to a particular section", "This is not a diagnosis",
             "That was all. Once more, what to do:"]
    assert [text.index(heading) for heading in order] == sorted(text.index(heading) for heading in order)
    assert "Question 1 of at most 45\n? Right now, or in the last few hours, have you felt pain" in text
    assert "Question 20, the last one" in text
    assert list(tmp_path.iterdir()) == []  # nothing written unless asked


def test_a_yes_to_the_first_red_flag_shows_the_emergency_and_ends(spawn):
    t = spawn()
    t.choose("Do you want to start?")
    t.select(1, 0)  # Yes: chest pain

    assert t.exit_status() == 0
    text = t.text
    assert EMERGENCY in text
    assert flat(DISCLAIMER) in flat(text)
    assert "Question 2" not in text
    assert "Your answers (" not in text


def test_going_back_and_answering_no_takes_the_lungs_out_of_the_result(spawn):
    t = spawn()
    t.choose("Do you want to start?")
    t.answer_routine(1, 10)
    t.select(11, 0)  # Yes: often short of breath
    t.wait("Question 12 of", "Is your breathing often fast and shallow?", POINTER)
    t.keys(DOWN * 4, ENTER)  # Yes, No, Not sure, What does this mean?, Go back to the previous question
    t.select(11, 1)  # the same question again: No
    t.answer_routine(12, 20)
    t.choose_after_pages("What next?")  # See my result
    t.wait("This is not a diagnosis")
    t.choose("What next?", 2)  # Good to know, Why am I seeing this?, Finish

    assert t.exit_status() == 0
    text = t.text
    assert ROUTINE in text
    assert "Calcifications in the lungs" not in text
    assert "? Is your breathing often fast and shallow? Go back to the previous question" in text
    assert len(re.findall(r"Question 11 of at most \d+\n\? Do you often get short of breath", text)) == 2


# --- a follow-up that needs a tick ----------------------------------------------------------------------


def test_after_a_yes_to_tb_enter_with_nothing_ticked_asks_for_a_tick_instead_of_moving_on(spawn):
    # Nothing ticked would record 'none of these' and quietly undo the yes (no lungs section); the person is
    # asked to tick one line, 'I do not know where' being one of them.
    t = spawn()
    t.choose("Do you want to start?")
    t.answer_routine(1, 8)
    t.select(9, 0)  # Yes: TB, or someone close had it
    t.at_question(10)
    t.wait("Where in the body was the tuberculosis?", "at least one; Enter when done", POINTER)
    t.keys(ENTER)  # the prompt stays and says why, in place of its instruction (wrapped, so words may part)
    words = ["Please", "tick", "at", "least", "one", "line,", "then", "press", "Enter."]
    t.child.expect(r"(?:\x1b\[[0-9;?]*[A-Za-z]|\s)+".join(re.escape(w) for w in words))
    t.keys(DOWN * 4, " ", ENTER)  # In the lungs, kidneys, elsewhere, someone close, I do not know where
    t.at_question(11)
    t.wait(POINTER)
    t.keys(CTRL_C)
    t.wait("(y/N)")
    t.keys("y")

    assert t.exit_status() == 130
    text = t.text
    assert len(re.findall(r"Question 10 of", text)) == 1  # the same question, not a new one
    one_line = " ".join(text.split())
    assert one_line.index("Please tick at least one line") < one_line.index("Question 11 of")
    assert "I do not know where, or I am not sure I had it" in text


# --- Ctrl-C ---------------------------------------------------------------------------------------------


def test_ctrl_c_asks_whether_to_quit_and_yes_exits_with_130(spawn):
    t = spawn()
    t.choose("Do you want to start?")
    t.select(1, 1)
    t.wait("Question 2 of at most 45", POINTER)
    t.keys(CTRL_C)
    t.wait("Do you want to quit? Nothing will be saved.", "(y/N)")
    t.keys("n")  # no: the same question again
    t.wait("Question 2 of at most 45", POINTER)
    t.keys(CTRL_C)
    t.wait("Do you want to quit? Nothing will be saved.", "(y/N)")
    t.keys("y")
    t.wait("You quit. Nothing was saved.")

    assert t.exit_status() == 130
    assert "Traceback" not in t.text
    assert "WHAT TO DO" not in t.text


# --- colour ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("no_color", [True, False])
def test_no_color_leaves_the_result_free_of_escape_codes(spawn, no_color: bool):
    t = spawn(no_color=no_color)
    t.choose("Do you want to start?")
    t.select(1, 0)  # Yes: straight to the emergency advice
    assert t.exit_status() == 0

    result = t.printed_around("WHAT TO DO: EMERGENCY")
    styled = [params for params in SGR.findall(result) if params not in ("", "0")]  # anything but a reset
    if no_color:
        assert styled == []
        assert CSI.sub("", result).replace("\r", "") == "=" * 78 + "\n" + EMERGENCY + "=" * 78 + "\n" + (
            "This is not a diagnosis and does not replace a doctor. It only shows which\n"
            "parts of a patient leaflet relate to your answers, so that you can prepare for\n"
            "a talk with a doctor.\n")
        assert colours_in(t.raw) == []  # the prompts too
    else:
        assert "1" in styled  # bold: the referral stands out when colour is allowed


def test_no_color_routine_result_and_prompts_have_no_colour(spawn):
    t = spawn(no_color=True)
    t.choose("Do you want to start?")
    t.answer_routine()
    t.choose_after_pages("What next?")
    t.wait("This is not a diagnosis")
    t.choose("What next?", 2)

    assert t.exit_status() == 0
    assert colours_in(t.raw) == []
    result = t.printed_around("WHAT TO DO: ROUTINE")
    assert [p for p in SGR.findall(result) if p not in ("", "0")] == []
    assert ROUTINE in CSI.sub("", result).replace("\r", "")


# --- plain mode through a pipe --------------------------------------------------------------------------

# Start; 'No' (and 'Female') to questions 1-7; nothing ticked at 8, 10 and 13; 'No' to the rest; result, finish.
# At the result: Good to know, Why am I seeing this?, Finish.
ROUTINE_TYPED = "\n".join(["1"] + ["2"] * 7 + ["0", "2", "0", "2", "2", "0"] + ["2"] * 7 + ["1", "3"]) + "\n"


def run_piped(tmp_path: Path, *args: str, typed: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "triage", *args], input=typed, capture_output=True,
                          text=True, cwd=tmp_path, env=environment(), timeout=30)


@pytest.mark.parametrize("args", [("--plain",), ("interview", "--plain"), ()],
                         ids=["--plain", "interview --plain", "stdin-not-a-terminal"])
def test_plain_mode_through_a_pipe_reaches_the_result(tmp_path: Path, args: tuple[str, ...]):
    done = run_piped(tmp_path, *args, typed=ROUTINE_TYPED)

    assert done.returncode == 0
    assert done.stderr == ""
    out = done.stdout
    assert "Do you want to start?\n  1) Start the questions\n  2) Quit\nYour choice (a number): 1\n" in out
    assert "Question 20, the last one\n" in out
    assert "*" * 78 + "\n" + ROUTINE + "*" * 78 + "\n" in out
    assert DISCLAIMER.split(". ")[0] in out
    assert "\x1b" not in out


def test_plain_mode_red_flag_through_a_pipe(tmp_path: Path):
    done = run_piped(tmp_path, "--plain", typed="1\n2\n1\n")

    assert done.returncode == 0
    assert "*" * 78 + "\n" + EMERGENCY + "*" * 78 + "\n" in done.stdout
    assert "Question 3" not in done.stdout


def test_plain_mode_refuses_0_where_at_least_one_tick_is_needed(tmp_path: Path):
    # Start, 'No' (and 'Female') to 1-7, nothing at 8, 'Yes' to TB at 9; then 0 at 10 is refused, 5 taken.
    done = run_piped(tmp_path, "--plain", typed="\n".join(["1"] + ["2"] * 7 + ["0", "1", "0", "5"]) + "\n")

    out = done.stdout
    assert "Your answer (numbers 1 to 5, all that apply, at least one): 0\n" \
           "Please type numbers 1 to 5, all that apply, at least one, or h or b.\n" in out
    assert "Question 11 of" in out.split("Please type numbers 1 to 5")[1]
    assert done.returncode == 1  # the input ended before the last question


def test_plain_mode_input_ending_early_exits_with_1_and_a_message(tmp_path: Path):
    done = run_piped(tmp_path, "--plain", typed="1\n2\n2\n")

    assert done.returncode == 1
    assert done.stdout.endswith("Input ended before the end of the questions. Nothing was saved.\n")
    assert "Traceback" not in done.stdout + done.stderr


def test_plain_mode_save_then_run_gives_the_same_result(tmp_path: Path):
    done = run_piped(tmp_path, "--plain", "--save", "mine.json", typed=ROUTINE_TYPED)
    assert done.returncode == 0
    assert "Saved your answers and this result to mine.json." in done.stdout

    replay = subprocess.run([sys.executable, "-m", "triage", "run", "--answers", "mine.json"],
                            capture_output=True, text=True, cwd=tmp_path, env=environment(), timeout=30)

    assert replay.returncode == 0
    assert replay.stdout.startswith(ROUTINE)
