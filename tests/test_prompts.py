"""How one question is put to a person: questionary prompts fed keys through a pipe, and plain numbered lines.

The questionary prompts get their keys from prompt_toolkit's pipe input, all queued up front, and draw on
a VT100 output that writes into a string, so that a test can read back what was on the screen.
"""

from __future__ import annotations

import io

import pytest
from prompt_toolkit.input import create_pipe_input

from support.pipe_terminal import ANSI, CTRL_C, DOWN, ENTER, SPACE, Terminal, flat
from triage.frontends.asker import GO_BACK, PlainAsker, QuestionaryAsker, progress_line
from triage.model import KnowledgeBase, Question
from triage.session import Progress

CHEST_PAIN_HELP = "Pain or a heavy, squeezing feeling in the chest can come from the heart"
GENERAL_SIGNS_HELP = "These are general signs. They can have many causes"
START_OR_QUIT = [("start", "Start the questions"), ("quit", "Quit")]


@pytest.fixture
def term(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    with create_pipe_input() as pipe:
        yield Terminal(pipe)


def ask(asker, kb: KnowledgeBase, question_id: str, *, number: int = 1, at_most: int = 5,
        can_go_back: bool = True, default=None, options=None):
    question: Question = kb.question[question_id]
    offered = question.options if options is None else options
    return asker.ask(question, offered, Progress(number, at_most), can_go_back, default)


# --- questionary: choosing with the arrow keys ----------------------------------------------------------


def test_down_and_enter_answers_no(term: Terminal, real_kb: KnowledgeBase):
    term.type(DOWN, ENTER)

    assert ask(term.asker, real_kb, "chest_pain", number=1, at_most=14, can_go_back=False) == "no"
    screen = term.screen()
    assert "Question 1 of at most 14" in screen
    assert "? Right now, or in the last few hours, have you felt pain or pressure in your" in screen
    lines = screen.splitlines()
    first = lines.index("  chest or around your heart? (arrow keys, then Enter; h: what does this mean)") + 1
    menu = [line.strip(" »") for line in lines[first:first + 4]]
    assert menu == ["Yes", "No", "Not sure", "---------------"]
    assert lines[first + 4].startswith("   What does this mean?")  # the redraw follows on the same line
    assert "Go back" not in screen  # nothing to go back to at the first question


@pytest.mark.parametrize(("keys", "answer"), [(ENTER, "yes"), (DOWN + DOWN + ENTER, "not_sure")])
def test_the_other_answers_to_a_yes_no_question(term: Terminal, real_kb, keys: str, answer: str):
    term.type(keys)
    assert ask(term.asker, real_kb, "vomiting_blood") == answer


def test_the_previous_answer_is_selected_when_a_question_comes_back(term: Terminal, real_kb):
    term.type(ENTER)
    assert ask(term.asker, real_kb, "vomiting_blood", default="not_sure") == "not_sure"


def test_a_single_choice_returns_the_chosen_option(term: Terminal, real_kb):
    term.type(DOWN, DOWN, ENTER)

    assert ask(term.asker, real_kb, "sex") == "other"
    assert "Other, or I prefer not to say" in term.screen()


def test_ticking_two_items_returns_both(term: Terminal, real_kb):
    term.type(SPACE, DOWN, DOWN, SPACE, ENTER)

    assert ask(term.asker, real_kb, "general_signs") == ("weakness", "poor_appetite")
    assert "(space ticks all that apply, Enter when done; nothing ticked means none" in flat(term.screen())


def test_ticking_nothing_means_none_of_these(term: Terminal, real_kb):
    term.type(ENTER)
    assert ask(term.asker, real_kb, "general_signs") == ()


def test_items_ticked_before_are_ticked_again_when_a_list_comes_back(term: Terminal, real_kb):
    term.type(ENTER)
    assert ask(term.asker, real_kb, "general_signs", default=("fever",)) == ("fever",)


def test_every_option_of_a_long_list_can_be_read_in_full_at_80_columns(term: Terminal, real_kb):
    question = real_kb.question["past_illnesses"]
    term.type(ENTER)

    assert ask(term.asker, real_kb, "past_illnesses") == ()
    screen = term.screen()
    for option in question.options:
        assert flat(option.label) in flat(screen)  # not cut off at the edge of the screen


# --- questionary: help, going back, Ctrl-C, end of input --------------------------------------------------


def test_what_does_this_mean_shows_the_help_and_asks_again(term: Terminal, real_kb):
    term.type(DOWN * 3, ENTER)  # Yes, No, Not sure, (line), What does this mean?
    term.type(DOWN, ENTER)  # then No

    assert ask(term.asker, real_kb, "chest_pain", can_go_back=False) == "no"
    screen = term.screen()
    after_help = screen[screen.index(CHEST_PAIN_HELP):]
    assert "chest or around your heart? No" in after_help
    assert "It needs help at once." in flat(after_help)


def test_what_does_this_mean_in_a_list_is_chosen_with_enter_and_keeps_the_ticks(term: Terminal, real_kb):
    term.type(DOWN, SPACE, DOWN * 5, ENTER)  # the fever ticked; six signs, (line), What does this mean?
    term.type(DOWN, DOWN, SPACE, ENTER)  # then poor appetite as well

    assert ask(term.asker, real_kb, "general_signs") == ("fever", "poor_appetite")
    assert GENERAL_SIGNS_HELP in term.screen()


@pytest.mark.parametrize("key", ["h", "?"])
def test_h_or_question_mark_shows_the_help_from_anywhere_in_a_list_and_keeps_the_ticks(term: Terminal, real_kb,
                                                                                        key: str):
    term.type(SPACE, key)  # weakness ticked, then help
    term.type(ENTER)

    assert ask(term.asker, real_kb, "general_signs") == ("weakness",)
    assert GENERAL_SIGNS_HELP in term.screen()


def test_space_on_what_does_this_mean_shows_the_help_and_ticks_nothing(term: Terminal, real_kb):
    term.type(DOWN * 6, SPACE)
    term.type(ENTER)

    assert ask(term.asker, real_kb, "general_signs") == ()
    assert GENERAL_SIGNS_HELP in term.screen()


def test_help_and_back_are_not_drawn_as_tick_boxes(term: Terminal, real_kb):
    term.type(ENTER)

    ask(term.asker, real_kb, "general_signs")
    screen = term.screen()
    assert "○ Feeling weak or tired most of the time" in screen
    assert "   What does this mean?" in screen and "○ What does this mean?" not in screen
    assert "○ Go back" not in screen and "Go back to the previous question" in screen


def test_no_help_is_offered_where_there_is_none(term: Terminal, real_kb):
    term.type(ENTER)

    ask(term.asker, real_kb, "belly_screen")

    assert "What does this mean?" not in term.screen()


def test_go_back_returns_go_back(term: Terminal, real_kb):
    term.type(DOWN * 4, ENTER)  # Yes, No, Not sure, (line), What does this mean?, Go back

    assert ask(term.asker, real_kb, "vomiting_blood") == GO_BACK
    assert "Go back to the previous question" in term.screen()


def test_enter_on_go_back_in_a_list_goes_back_even_with_items_ticked(term: Terminal, real_kb):
    term.type(SPACE, DOWN * 7, ENTER)  # weakness ticked, then Enter on Go back

    assert ask(term.asker, real_kb, "general_signs") == GO_BACK


@pytest.mark.parametrize("question_id", ["vomiting_blood", "general_signs", "sex"])
def test_b_goes_back_in_every_kind_of_question(term: Terminal, real_kb, question_id: str):
    term.type("b")
    assert ask(term.asker, real_kb, question_id) == GO_BACK


def test_b_does_nothing_at_the_first_question(term: Terminal, real_kb):
    term.type("b", DOWN, ENTER)
    assert ask(term.asker, real_kb, "chest_pain", can_go_back=False) == "no"


@pytest.mark.parametrize("question_id", ["chest_pain", "general_signs"])
def test_ctrl_c_at_a_question_is_not_an_answer(term: Terminal, real_kb, question_id: str):
    term.type(DOWN, CTRL_C)

    with pytest.raises(KeyboardInterrupt):
        ask(term.asker, real_kb, question_id)


def test_end_of_input_at_a_question_raises_eof(term: Terminal, real_kb):
    term.pipe.close()

    with pytest.raises(EOFError):
        ask(term.asker, real_kb, "chest_pain")


def test_choose_returns_the_value_of_the_chosen_line(term: Terminal):
    term.type(DOWN, ENTER)

    assert term.asker.choose("Do you want to start?", START_OR_QUIT) == "quit"
    assert "? Do you want to start?" in term.screen()


def test_ctrl_c_at_a_choice_raises_keyboard_interrupt(term: Terminal):
    term.type(CTRL_C)

    with pytest.raises(KeyboardInterrupt):
        term.asker.choose("What next?", [("result", "See my result")])


@pytest.mark.parametrize(("keys", "quits"), [("y", True), ("n", False), (ENTER, False), (CTRL_C, True)])
def test_the_quit_question(term: Terminal, keys: str, quits: bool):
    term.type(keys)

    assert term.asker.confirm_quit() is quits
    assert "? Do you want to quit? Nothing will be saved. (y/N)" in term.screen()


def test_say_shows_the_text(term: Terminal):
    term.asker.say("Question 3 - about 12 left")
    assert term.screen() == "Question 3 - about 12 left\n"


@pytest.mark.parametrize("no_color", [False, True])
def test_emphasis_is_a_bar_above_and_below_and_bold_only_with_colour(capsys, monkeypatch, no_color: bool):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    bar = "=" * 78

    QuestionaryAsker().say("WHAT TO DO: SOON (within two weeks)", emphasis=True)

    out = capsys.readouterr().out
    assert ANSI.sub("", out) == f"{bar}\nWHAT TO DO: SOON (within two weeks)\n{bar}\n"
    assert ("\x1b[" in out) is not no_color


# --- plain numbered lines -------------------------------------------------------------------------------


class Plain:
    """A PlainAsker reading the given lines; `screen` is everything it wrote (piped input is echoed)."""

    def __init__(self, typed: str):
        self.out = io.StringIO()
        self.asker = PlainAsker(stdin=io.StringIO(typed), stdout=self.out)

    @property
    def screen(self) -> str:
        return self.out.getvalue()


def test_plain_a_number_answers_and_the_screen_reads_line_by_line(real_kb):
    plain = Plain("2\n")

    assert ask(plain.asker, real_kb, "chest_pain", number=1, at_most=14, can_go_back=False) == "no"
    assert plain.screen == (
        "\n"
        "Question 1 of at most 14\n"
        "Right now, or in the last few hours, have you felt pain or pressure in your\n"
        "chest or around your heart?\n"
        "  1) Yes\n"
        "  2) No\n"
        "  3) Not sure\n"
        "  h) what does this mean?\n"
        "Your answer (a number from 1 to 3): 2\n")


def test_plain_go_back_is_offered_after_the_first_question(real_kb):
    plain = Plain("b\n")

    assert ask(plain.asker, real_kb, "vomiting_blood") == GO_BACK
    assert "  h) what does this mean?   b) go back\n" in plain.screen


def test_plain_b_at_the_first_question_is_not_accepted(real_kb):
    plain = Plain("b\n1\n")

    assert ask(plain.asker, real_kb, "chest_pain", can_go_back=False) == "yes"
    assert ("Your answer (a number from 1 to 3): b\n"
            "Please type a number from 1 to 3, or h.\n"
            "Your answer (a number from 1 to 3): 1\n") in plain.screen


def test_plain_h_shows_the_help_and_asks_again(real_kb):
    plain = Plain("h\n3\n")

    assert ask(plain.asker, real_kb, "chest_pain") == "not_sure"
    assert ("Your answer (a number from 1 to 3): h\n"
            "  Pain or a heavy, squeezing feeling in the chest can come from the heart, for\n"
            "  example from a heart attack. It needs help at once.\n"
            "Your answer (a number from 1 to 3): 3\n") in plain.screen


def test_plain_h_where_there_is_no_help(real_kb):
    plain = Plain("h\n2\n")

    assert ask(plain.asker, real_kb, "belly_screen") == "no"
    assert "what does this mean" not in plain.screen
    assert "Your answer (a number from 1 to 3): h\nPlease type a number from 1 to 3, or b.\n" in plain.screen


@pytest.mark.parametrize("wrong", ["4", "0", "yes", "1 2", ""])
def test_plain_anything_else_is_asked_again_with_a_clear_message(real_kb, wrong: str):
    plain = Plain(f"{wrong}\n1\n")

    assert ask(plain.asker, real_kb, "vomiting_blood") == "yes"
    assert (f"Your answer (a number from 1 to 3): {wrong}\n"
            "Please type a number from 1 to 3, or h or b.\n"
            "Your answer (a number from 1 to 3): 1\n") in plain.screen


@pytest.mark.parametrize(("typed", "answer"), [
    ("1 3", ("weakness", "poor_appetite")),
    ("3,1", ("weakness", "poor_appetite")),
    ("6", ("irritability",)),
    ("0", ()),
])
def test_plain_a_list_takes_several_numbers_or_0_for_none(real_kb, typed: str, answer: tuple):
    plain = Plain(typed + "\n")

    assert ask(plain.asker, real_kb, "general_signs") == answer
    assert ("Your answer (numbers 1 to 6, all that apply; 0 for none): "
            f"{typed}\n") in plain.screen


@pytest.mark.parametrize("wrong", ["0 1", "2 2", "7"])
def test_plain_a_list_refuses_impossible_numbers(real_kb, wrong: str):
    plain = Plain(f"{wrong}\n2\n")

    assert ask(plain.asker, real_kb, "general_signs") == ("fever",)
    message = "Please type numbers 1 to 6, all that apply; 0 for none, or h or b.\n"
    assert message in plain.screen


def test_plain_long_options_are_wrapped_under_their_number(real_kb):
    plain = Plain("0\n")

    ask(plain.asker, real_kb, "past_illnesses")

    assert ("  4) A kidney infection (pyelonephritis), especially if the treatment was not\n"
            "      finished\n") in plain.screen
    assert max(len(line) for line in plain.screen.splitlines()) <= 80


@pytest.mark.parametrize("typed", ["", "9\n"])
def test_plain_end_of_input_raises_eof(real_kb, typed: str):
    plain = Plain(typed)

    with pytest.raises(EOFError):
        ask(plain.asker, real_kb, "chest_pain")


def test_plain_choose(real_kb):
    plain = Plain("3\n2\n")

    assert plain.asker.choose("Do you want to start?", START_OR_QUIT) == "quit"
    assert plain.screen == ("Do you want to start?\n"
                            "  1) Start the questions\n"
                            "  2) Quit\n"
                            "Your choice (a number): 3\n"
                            "Please type a number from 1 to 2.\n"
                            "Your choice (a number): 2\n")


@pytest.mark.parametrize(("typed", "quits"), [("y\n", True), ("yes\n", True), ("n\n", False), ("\n", False)])
def test_plain_the_quit_question(typed: str, quits: bool):
    plain = Plain(typed)

    assert plain.asker.confirm_quit() is quits
    assert "Do you want to quit? Nothing will be saved. (y/n): " in plain.screen


def test_plain_emphasis_uses_no_escape_codes():
    plain = Plain("")

    plain.asker.say("WHAT TO DO: EMERGENCY (now)", emphasis=True)

    assert plain.screen == f"{'*' * 78}\nWHAT TO DO: EMERGENCY (now)\n{'*' * 78}\n"


@pytest.mark.parametrize(("progress", "line"), [
    (Progress(1, 14), "Question 1 of at most 14"),
    (Progress(6, 7), "Question 6 of at most 7"),
    (Progress(16, 16), "Question 16, the last one"),
    (Progress(11, 11, changing=True), "Changing your answer 11"),
])
def test_the_progress_line(progress: Progress, line: str):
    assert progress_line(progress) == line
