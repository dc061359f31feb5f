"""The interview as a person sees it on terminals of every size (tmux: the screen at one moment).

A frightened person must be able to read every word, find what to do at the end, and know where they
are: these tests drive the real `triage` in tmux at 40, 60, 80 and 132 columns and at 20 and 24 rows.
"""

from __future__ import annotations

import re
import shutil

import pytest

from support.tmux_terminal import TmuxTerminal
from triage.knowledge.load import load_knowledge

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")]

KB = load_knowledge()
GENERAL_SIGNS = KB.question["general_signs"]


def flat(text: str) -> str:
    return " ".join(text.split())


def lines_fit(screen: str, columns: int) -> bool:
    return all(len(line.rstrip()) <= columns for line in screen.splitlines())


@pytest.fixture
def terminal(tmp_path):
    started: list[TmuxTerminal] = []

    def start(*args: str, columns: int = 80, rows: int = 24) -> TmuxTerminal:
        t = TmuxTerminal(tmp_path, *args, columns=columns, rows=rows)
        started.append(t)
        return t

    yield start
    for t in started:
        t.close()


def start_questions(t: TmuxTerminal) -> None:
    t.wait_for(r"Do you want to start\?[\s\S]*»")
    t.keys("Enter")


def answer_no_to_the_first(t: TmuxTerminal, last: int) -> None:
    """A woman who says 'no' (ticks nothing) to questions 1 to `last`."""
    for number in range(1, last + 1):
        t.at_question(number)
        t.keys("Down", "Enter")


def a_man_who_says_yes_to_all_but_the_red_flags(t: TmuxTerminal) -> int:
    """'No' to the five emergency questions; then 'yes', the first option, or every item ticked.

    Returns how many questions were asked, once the summary is up.
    """
    number = 1
    while True:
        screen = t.wait_for(rf"(Question {number}( of|,)[\s\S]*»)|Your answers \(")
        if not re.search(rf"Question {number}( of|,)", screen):
            return number - 1
        question = screen[screen.rindex(f"Question {number}"):]
        if number <= 5:
            t.keys("Down", "Enter")
        elif "(space" in question:
            t.keys("a", "Enter")
        else:
            t.keys("Enter")
        number += 1


def read_past_the_pages(t: TmuxTerminal) -> str:
    """Show more at every 'More?' until the menu after a long text is up; its screen."""
    while True:
        screen = t.wait_for(r"(More\? \(arrow keys)|(What next\? \(arrow keys[\s\S]*»)")
        if "What next? (arrow keys" in screen:
            return screen
        t.keys("Enter")
        t.wait_change(screen)


# --- width: every word readable, at any width, and after a resize ----------------------------------------


@pytest.mark.parametrize(("columns", "rows"), [(40, 20), (60, 20), (80, 24), (132, 24)])
def test_every_word_of_the_opening_and_a_long_list_can_be_read_at_any_width(terminal, columns: int, rows: int):
    t = terminal(columns=columns, rows=rows)
    opening = t.wait_for(r"Do you want to start\?[\s\S]*»")
    assert lines_fit(opening, columns)
    assert "It is not a diagnosis, and it does not replace a doctor." in flat(opening)
    t.keys("Enter")
    answer_no_to_the_first(t, 7)

    screen = t.wait_for(r"Over the last few[\s\S]*»")  # on 20 rows its progress line has scrolled away
    assert lines_fit(screen, columns)
    assert flat(GENERAL_SIGNS.text) in flat(screen)  # wrapped at spaces, never inside a word
    for option in GENERAL_SIGNS.options:  # the pointer on each option shows it whole
        assert flat(option.label) in flat(screen), f"{option.label!r} at {columns}x{rows}:\n{screen}"
        t.keys("Down")
        screen = t.wait_change(screen)
        assert lines_fit(screen, columns)


def test_a_question_is_laid_out_again_when_the_window_is_resized(terminal):
    t = terminal(columns=100, rows=30)
    start_questions(t)
    answer_no_to_the_first(t, 7)
    wide = t.at_question(8)
    assert "? Over the last few weeks, have you noticed any of these? Choose all that apply." in wide

    t.resize(45, 30)
    narrow = t.wait_change(wide)

    assert lines_fit(narrow, 45)
    assert flat(GENERAL_SIGNS.text) in flat(narrow)
    assert "Trouble sleeping at night, or feeling very sleepy during the day" in flat(narrow)


def test_the_answer_shown_after_a_question_is_never_cut_inside_a_word(terminal):
    t = terminal(columns=60, rows=24)
    start_questions(t)
    answer_no_to_the_first(t, 5)
    t.at_question(6)
    t.keys("Down", "Down", "Enter")  # sex: Other, or I prefer not to say
    screen = t.at_question(7)
    assert "What is your sex? Other, or I prefer not to say" in flat(screen)
    assert lines_fit(screen, 60)


# --- the result: what to do first, fitting one screen, details on request --------------------------------


def test_a_long_result_starts_with_a_summary_that_fits_24_rows_and_ends_with_what_to_do(terminal):
    t = terminal(columns=80, rows=24)
    start_questions(t)
    asked = a_man_who_says_yes_to_all_but_the_red_flags(t)
    assert asked > 30
    summary_menu = read_past_the_pages(t)
    assert "See my result" in summary_menu
    t.keys("Enter")

    result = t.wait_for(r"Finish")
    # One screen holds what to do, how soon, whom to see, the sections and the tests, and the menu.
    for part in ("WHAT TO DO: URGENT (within 24 hours)", "Whom to see:",
                 "Leaflet sections that relate to your answers:", "Tests a doctor may consider:",
                 "Read about the leaflet sections", "Why am I seeing this?", "Finish"):
        assert part in result, f"{part!r} is not on the screen:\n{result}"
    assert lines_fit(result, 80)

    t.keys("Down", "Down", "Down", "Enter")  # Why am I seeing this? (a long text, a page at a time)
    page = t.wait_for(r"More\? \(arrow keys")
    assert "WHY AM I SEEING THIS?" in page
    t.keys("Down", "Enter")  # Stop here
    t.wait_change(page)
    menu = t.wait_for(r"What next\? \(arrow keys[\s\S]*Finish")
    t.keys("Up", "Enter")  # Finish (up from the top goes round to the last line)
    t.wait_change(menu)
    end = t.wait_for("TRIAGE-EXIT=0")
    assert "WHAT TO DO: URGENT (within 24 hours)" in end.split("Once more, what to do:")[-1]


def test_the_summary_lists_answers_with_their_questions_and_a_long_list_of_changes_scrolls(terminal):
    t = terminal(columns=80, rows=24)
    start_questions(t)
    asked = a_man_who_says_yes_to_all_but_the_red_flags(t)
    first_page = t.wait_for(r"More\? \(arrow keys")
    assert f"Your answers ({asked}):" in first_page
    assert " 1. Right now, or in the last few hours, have you felt pain or pressure in" in first_page
    assert "    Your answer: no" in first_page
    t.keys("Down", "Enter")  # Stop here
    menu = t.wait_for(r"What next\? \(arrow keys[\s\S]*Change an answer")
    t.keys("Down", "Enter")  # Change an answer
    t.wait_change(menu)
    choices = t.wait_for(r"Which answer do you want to change\?[\s\S]*»")
    assert re.search(r"» 1\. Right now", choices)

    t.keys("Up", "Up")  # round to 'Back to my answers', then the last answer
    last = t.wait_change(choices)
    last = t.wait_change(last) if f"» {asked}." not in last else last
    assert re.search(rf"» {asked}\. ", last), last
    assert len(last.splitlines()) <= 24


# --- plain mode on a terminal pages too ----------------------------------------------------------------


def test_plain_mode_on_a_terminal_pages_long_texts(terminal):
    t = terminal("--plain", columns=80, rows=24)
    t.wait_for(r"Your choice \(a number\):\s*\Z")
    t.keys("1", "Enter")
    for number in range(1, 21):
        t.wait_for(rf"Question {number}( of|,)[\s\S]*Your answer \([^)]*\):\s*\Z")
        t.keys("0" if number in (8, 10, 13) else "2", "Enter")
    page = t.wait_for(r"More\?[\s\S]*Your choice \(a number\):\s*\Z")
    assert "Your answers (20):" in page
    assert len(page.splitlines()) <= 24


# --- help and back in a list of tick boxes -----------------------------------------------------------------


def test_enter_on_what_does_this_mean_in_a_list_shows_the_help_and_keeps_the_ticks(terminal):
    t = terminal(columns=80, rows=30)
    start_questions(t)
    answer_no_to_the_first(t, 7)
    screen = t.at_question(8)
    t.keys("Space")  # Feeling weak or tired: ticked
    screen = t.wait_change(screen)
    t.keys(*["Down"] * 6, "Enter")  # past the six signs and the line: What does this mean?

    again = t.wait_for(r"These are general signs[\s\S]*»")
    assert "● Feeling weak or tired most of the time" in again.split("These are general signs")[-1]
    assert "Question 9" not in again  # nothing was answered
    t.keys("Enter")
    after = t.at_question(9)
    assert "Choose all that apply. [Feeling weak or tired most of the time]" in flat(after)


def test_enter_on_go_back_in_a_list_goes_back_and_the_keys_h_and_b_work_too(terminal):
    t = terminal(columns=80, rows=30)
    start_questions(t)
    answer_no_to_the_first(t, 7)
    t.at_question(8)
    t.keys("Space", "h")  # a tick, then the help by its key
    t.wait_for(r"These are general signs[\s\S]*»")
    t.keys(*["Down"] * 7, "Enter")  # Go back to the previous question
    back = t.wait_for(r"Go back to the previous question\s+Question 7 of[\s\S]*»")
    assert "Has a doctor told you that an X-ray" in back.split("Question 7 of")[-1]
    t.keys("Down", "Enter")  # No, again
    t.at_question(8)
    t.keys("b")
    t.wait_for(r"Question 7 of[\s\S]*Question 7 of[\s\S]*»|Go back to the previous question\s+Question 7 of")


# --- progress ------------------------------------------------------------------------------------------------


def test_progress_never_promises_fewer_questions_than_come(terminal):
    t = terminal(columns=80, rows=24)
    start_questions(t)
    asked = a_man_who_says_yes_to_all_but_the_red_flags(t)
    counts = [(int(n), int(m)) for n, m in re.findall(r"Question (\d+) of at most (\d+)", t.history())]

    assert [n for n, _ in counts] == list(range(1, asked))  # the last one says so instead
    assert all(at_most >= asked for _, at_most in counts)
    assert f"Question {asked}, the last one" in t.history()


# --- changing answers ------------------------------------------------------------------------------------


def test_plain_mode_changes_the_answer_with_the_number_shown_in_the_list(terminal):
    t = terminal("--plain", columns=80, rows=80)  # room for all 20 answers: no paging here
    t.wait_for(r"Your choice \(a number\):\s*\Z")
    t.keys("1", "Enter")
    for number in range(1, 21):
        t.wait_for(rf"Question {number}( of|,)[\s\S]*Your answer \([^)]*\):\s*\Z")
        t.keys("0" if number in (8, 10, 13) else "2", "Enter")
    t.wait_for(r"What next\?\s+1\) See my result\s+2\) Change an answer\s+Your choice \(a number\):\s*\Z")
    t.keys("2", "Enter")
    listed = t.wait_for(r"Which answer do you want to change\?[\s\S]*Your choice \(a number\):\s*\Z")
    assert "  3) 3. Are your lips or your face turning blue or grey right now? (no)" in listed
    t.keys("3", "Enter")

    changing = t.wait_for(r"Changing your answer 3\s+Are your lips")
    assert "Changing your answer 3" in changing


def test_changing_sex_keeps_what_still_applies_and_asks_again_with_the_earlier_ticks(terminal):
    t = terminal(columns=80, rows=30)
    start_questions(t)
    for number in range(1, 21):
        t.at_question(number)
        if number == 10:  # the list of past illnesses: pneumonia
            t.keys("Space", "Enter")
        else:
            t.keys("Down", "Enter")
    menu = t.wait_for(r"(More\? \(arrow keys)|(What next\? \(arrow keys[\s\S]*»)")
    while "More? (arrow keys" in menu:
        t.keys("Down", "Enter")  # Stop here
        menu = t.wait_for(r"What next\? \(arrow keys[\s\S]*»")
    t.keys("Down", "Enter")  # Change an answer
    t.wait_for(r"Which answer do you want to change\?[\s\S]*»")
    t.keys(*["Down"] * 5, "Enter")  # 6. What is your sex?
    t.wait_for(r"Changing your answer 6[\s\S]*»")
    t.keys("Up", "Enter")  # Male (from Female)

    again = t.wait_for(r"Has a doctor ever treated you[\s\S]*»")
    # A man is offered two options she never saw, so the list comes again, with her tick kept.
    assert "● Pneumonia, or a lung abscess" in again
    assert "○ An infection passed on through sex" in flat(again)
