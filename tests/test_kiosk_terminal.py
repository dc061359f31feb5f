"""The real `triage kiosk` in a terminal (tmux, 80 x 24, with scrollback), driven key by key.

Each test starts the kiosk with HOME and the working folder in an empty temporary folder, and checks at
the end that nothing there was created or changed. Times are short (6 s idle, warning 3 s before) through
`short_times_for_testing`; a real kiosk uses 120 s and 30 s.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time

import pytest

from support.kiosk_terminal import CODE, TRIAGE, WELCOME, KioskTerminal, begin_questions, staff_exit
from triage.frontends.kiosk.config import code_matches

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")]

ESCAPE_KEYS = ["C-c", "C-z", "C-\\", "C-d", "C-s", "C-q"]


@pytest.fixture
def start(tmp_path):
    started: list[KioskTerminal] = []

    def run(settings: str = "", env: dict[str, str] | None = None) -> KioskTerminal:
        kiosk = KioskTerminal(tmp_path, settings, env)
        started.append(kiosk)
        kiosk.wait_for(WELCOME)
        return kiosk

    yield run
    for kiosk in started:
        kiosk.close()


def answer_all(k: KioskTerminal, first: str = "Not sure") -> None:
    """Answer `first` to question 1, then 'No' (or nothing ticked, or the first option) to the rest."""
    k.keys(*{"Yes": [], "No": ["Down"], "Not sure": ["Down", "Down"]}[first], "Enter")
    number = 2
    while True:
        shown = k.wait_for(rf"Question {number}( of|,)[\s\S]*»|See my result|More below")
        if re.search(r"More below|See my result", shown):
            break
        if "space ticks" in shown or "What is your sex" in shown:
            k.keys("Enter")
        else:
            k.keys("Down", "Enter")
        number += 1
    read_on(k, "» See my result")


def read_on(k: KioskTerminal, prompt: str) -> str:
    """Press a key at every 'More below' until `prompt` is on the screen."""
    while "More below" in (shown := k.wait_for(f"{prompt}|More below")):
        k.keys("Space")
        k.wait_change(shown)
    return shown


def test_two_people_in_a_row_the_second_sees_nothing_of_the_first(start):
    """Screen and scrollback hold nothing of person 1; person 2 starts a new session (question 1, no
    answer chosen); the count of results by urgency is shown to staff only."""
    k = start("count_sessions = true\n")
    welcome = k.screen()
    begin_questions(k)
    answer_all(k, first="Not sure")
    k.keys("Enter")  # See my result
    read_on(k, r"» Read about the leaflet sections")
    k.keys("Up", "Up", "Enter")  # Why am I seeing this? (up from the top goes round to the last lines)
    k.wait_for("WHY AM I SEEING THIS")  # (until then the screen still shows the menu just answered)
    read_on(k, r"» Read about the leaflet sections")
    assert "WHAT TO DO: URGENT" in k.history() and "WHY AM I SEEING THIS" in k.history()
    k.keys("Up", "Enter")  # Finish
    shown = read_on(k, "Press any key when you have read this")
    assert "WHAT TO DO: URGENT" in shown.split("Once more, what to do:")[-1]  # the last thing shown
    k.keys("Space")
    k.wait_for(WELCOME)
    time.sleep(0.3)
    assert k.history().strip() == k.screen().strip() == welcome.strip()
    for trace in ("URGENT", "Your answers", "Question", "WHY AM I", "-> ", "Not sure", "Finish"):
        assert trace not in k.history()

    begin_questions(k)
    shown = k.screen()
    assert re.search(r"Question 1 of at most \d+", shown)
    assert "» Yes" in shown  # the cursor on the first option: no earlier answer is offered as default
    k.keys("Down", "Enter")
    k.wait_for("Question 2 ")
    staff_exit(k)
    # The first person's result was counted (by day and urgency, nothing else); the second never finished.
    k.assert_nothing_written()


def test_idle_warning_any_key_extends_then_back_to_the_welcome_screen(start):
    k = start("idle_timeout_seconds = 6\nidle_warning_seconds = 3\n")
    begin_questions(k)
    k.keys("Down")  # cursor on 'No'
    shown = k.wait_for("Still there", timeout=5)
    assert re.search(r"will be cleared in [123] seconds", shown) and "Press any key to continue." in shown
    k.keys("Down")  # only dismisses the warning: the cursor stays on 'No'
    shown = k.wait_gone("Still there")
    assert "» No" in shown
    time.sleep(2)  # the full time starts again: 2 s on, no warning yet
    assert "Still there" not in k.screen()
    k.wait_for("Still there", timeout=3)
    k.wait_for(WELCOME, timeout=5)  # no key: the person's screen is cleared
    assert "Question" not in k.history() and "Still there" not in k.history()
    k.keys("Enter")
    k.wait_for("Do you want to start")
    staff_exit(k)
    k.assert_nothing_written()


def test_escape_keys_and_signals_do_nothing(start):
    k = start()
    pid = k.kiosk_pid()
    k.keys(*ESCAPE_KEYS, pause=0.1)  # at the welcome prompt
    begin_questions(k)
    k.keys(*ESCAPE_KEYS, pause=0.1)  # at a question
    k.keys("Down", "Enter", *ESCAPE_KEYS)  # typed while the kiosk goes from one prompt to the next
    k.wait_for("Question 2 ")
    # Between prompts: the pause after a wrong staff code.
    k.keys("C-x", "C-e")
    k.wait_for("Staff code")
    k.type("000000")
    k.keys("Enter", *ESCAPE_KEYS)
    k.wait_for("Wrong code")
    for signal_name in ("INT", "TSTP", "QUIT"):
        subprocess.run(["kill", f"-{signal_name}", str(pid)], check=True)
    time.sleep(1.2)
    k.wait_for("Question 2 ")
    for signal_name in ("INT", "TSTP", "QUIT"):  # at a prompt
        subprocess.run(["kill", f"-{signal_name}", str(pid)], check=True)
    time.sleep(0.3)
    k.keys("Down")  # still answering: not stopped, not frozen by Ctrl-S
    k.wait_for("» No")
    assert k.kiosk_pid() == pid and "KIOSK-EXIT" not in k.screen()
    assert "Traceback" not in k.history() and "^C" not in k.history()
    staff_exit(k)
    k.assert_nothing_written()


def test_staff_chord_wrong_code_stays_right_code_exits(start):
    k = start()
    begin_questions(k)
    k.keys("Down", "Enter")
    k.wait_for("Question 2 ")
    k.keys("C-x", "C-e")
    k.wait_for("Staff code")
    k.type("135791")
    k.keys("Enter")
    k.wait_for("Wrong code")
    shown = k.wait_for("Question 2 ", timeout=4)  # the person keeps their place
    assert "135791" not in k.history()
    k.keys("C-x", "C-e")
    k.wait_for("Staff code")
    k.keys("Enter")  # an empty code just goes back
    k.wait_for("» Yes")
    assert "Question 2 " in shown
    k.keys("C-x", "C-e")
    k.wait_for("Staff code")
    k.type(CODE)
    k.keys("Enter")
    shown = k.wait_for("stopped by staff")
    assert "Session counting is off" in shown and CODE not in k.history()
    k.keys("Space")
    k.wait_for("KIOSK-EXIT=0")
    k.assert_nothing_written()


def test_nothing_is_written_while_reading_and_answering(start):
    k = start("count_sessions = true\n")
    k.keys("Down", "Enter")  # Read about calcifications
    k.wait_for("Which topic")
    k.keys("Enter")  # What calcifications are
    k.wait_for("What calcifications are\n====")
    shown = read_on(k, "» Next: Calcifications in the lungs")
    assert "talk to a doctor." in shown
    k.keys("Down", "Down", "Enter")  # Back to the start
    k.wait_for(WELCOME)
    begin_questions(k)
    k.keys("Enter")  # chest pain: yes
    shown = k.wait_for("Press any key when you have read this")
    assert "WHAT TO DO: EMERGENCY" in shown and "Emergency number: 112" in shown
    k.keys("Space")
    k.wait_for(WELCOME)
    assert "EMERGENCY (now)" not in k.history()
    k.keys("C-x", "C-e")
    k.wait_for("Staff code")
    k.type(CODE)
    k.keys("Enter")
    assert "Emergency 1, Urgent 0, Soon 0, Routine 0" in k.wait_for("stopped by staff")
    k.keys("Space")
    k.wait_for("KIOSK-EXIT=0")
    k.assert_nothing_written()


def test_a_forced_failure_shows_the_safe_screen_and_the_kiosk_carries_on(start):
    k = start(env={"CALCITRIAGE_KIOSK_FAIL_AT": "vomiting_blood"})
    begin_questions(k)
    k.keys("Down", "Enter")  # chest pain: no; the next question fails
    shown = k.wait_for("something went wrong")
    assert "Please talk to the staff at the desk." in shown
    assert ("If you feel pain or pressure in your chest, you throw up blood, your lips turn blue, you can hardly "
            "breathe or you pass almost no urine, call 112 now.") in " ".join(shown.split())
    assert "Traceback" not in k.history() and "ForcedFailure" not in k.history()
    assert "Question 1" not in k.history()
    k.keys("Space")
    k.wait_for(WELCOME)
    k.keys("Down", "Enter")  # the kiosk carries on: reading works
    k.wait_for("Which topic")
    k.keys("Enter")
    k.wait_for("What calcifications are")
    staff_exit(k)
    k.assert_nothing_written()


def test_hash_code_reads_the_code_twice_without_echo():
    import pexpect

    child = pexpect.spawn(TRIAGE[0], [*TRIAGE[1:], "kiosk", "--hash-code"], encoding="utf-8", timeout=10)
    child.expect("New staff code")
    child.sendline("s3cret-code")
    child.expect("again")
    child.sendline("s3cret-code")
    child.expect(r'staff_code_hash = "(scrypt\$[^"]+)"')
    stored = child.match.group(1)
    child.expect(pexpect.EOF)
    assert "s3cret-code" not in child.before
    child.close()
    assert child.exitstatus == 0 and code_matches("s3cret-code", stored)

    child = pexpect.spawn(TRIAGE[0], [*TRIAGE[1:], "kiosk", "--hash-code"], encoding="utf-8", timeout=10)
    child.expect("New staff code")
    child.sendline("s3cret-code")
    child.expect("again")
    child.sendline("other-code")
    child.expect("the two codes differ")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
