"""One long-lived prompt for every select and checkbox question (triage/frontends/choice_prompt.py).

Keys come from prompt_toolkit's pipe input, queued up front, and the screen is written into a string, as
in tests/test_prompts.py (both use `support.pipe_terminal.Terminal`). These tests are about what the long-lived
application adds: many questions in a row on one application, the tick-box keys, Ctrl-C in the middle of
a session, forgetting a person at the kiosk, and the answered line looking as questionary draws it.
"""

from __future__ import annotations

import gc
import io
import re
import sys
import types

import pytest
import questionary
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.output.vt100 import Vt100_Output
from questionary import Choice

from support.pipe_terminal import ANSI, CTRL_C, DOWN, ENTER, SPACE, Terminal
from triage.frontends.asker import QuestionaryAsker
from triage.frontends.choice_prompt import ChoicePrompt
from triage.session import Progress

UP = "\x1b[A"
CTRL_N, CTRL_P = "\x0e", "\x10"
SIGNS = [("weakness", "Weakness"), ("fever", "Fever"), ("cough", "Cough"), ("itching", "Itching")]


def signs(checked: tuple[str, ...] = ()) -> list[Choice]:
    return [Choice(label, value=value, checked=value in checked) for value, label in SIGNS]


@pytest.fixture
def term(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    with create_pipe_input() as pipe:
        yield Terminal(pipe)


@pytest.fixture
def prompt(term: Terminal) -> ChoicePrompt:
    return term.asker.prompt


def tick(term: Terminal, prompt: ChoicePrompt, *keys: str, checked: tuple[str, ...] = ()) -> list[str]:
    """Press `keys` at a list of four signs, then Enter; the values ticked."""
    term.type(*keys, ENTER)
    return prompt.checkbox("Which of these do you have?", signs(checked), "(space to tick)").unsafe_ask()


def pick(term: Terminal, prompt: ChoicePrompt, *keys: str) -> str:
    """Press `keys` at a single choice of four signs, then Enter; the value chosen."""
    term.type(*keys, ENTER)
    return prompt.select("Which bothers you most?", signs()).unsafe_ask()


# --- one application, many questions ---------------------------------------------------------------------


class Recording(QuestionaryAsker):
    """Remembers the prompt_toolkit application that put each question up."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.applications: list[object] = []

    def _run(self, question):
        self.applications.append(question.application)
        return super()._run(question)


def test_one_application_asks_a_yes_no_question_then_a_list_then_a_single_choice(real_kb):
    with create_pipe_input() as pipe:
        asker = Recording(input=pipe, output=DummyOutput())
        pipe.send_text(DOWN + ENTER)  # chest pain: No
        pipe.send_text(DOWN + SPACE + ENTER)  # general signs: the fever
        pipe.send_text(DOWN + ENTER)  # sex: Female

        def ask(question_id: str, number: int):
            question = real_kb.question[question_id]
            return asker.ask(question, question.options, Progress(number, 5), can_go_back=number > 1)

        assert ask("chest_pain", 1) == "no"
        assert ask("general_signs", 2) == ("fever",)
        assert ask("sex", 3) == "female"

    assert len(asker.applications) == 3
    assert all(app is asker.prompt.application for app in asker.applications)


def test_the_same_prompt_asks_select_checkbox_select_and_each_gets_its_own_answer(term: Terminal, prompt):
    application = prompt.application

    assert pick(term, prompt, DOWN, DOWN) == "cough"
    assert tick(term, prompt, SPACE, DOWN, DOWN, DOWN, SPACE) == ["weakness", "itching"]
    assert pick(term, prompt) == "weakness"  # the pointer starts at the top again
    assert prompt.application is application
    screen = term.screen()
    assert "? Which bothers you most? Cough" in screen
    assert "? Which of these do you have? [Weakness; Itching]" in screen
    assert "? Which bothers you most? Weakness" in screen


def test_ticks_from_an_earlier_list_do_not_carry_over_to_the_next(term: Terminal, prompt):
    assert tick(term, prompt, SPACE, DOWN, SPACE) == ["weakness", "fever"]
    assert tick(term, prompt) == []


# --- tick boxes -------------------------------------------------------------------------------------------


def test_a_list_that_needs_a_tick_stays_on_enter_with_nothing_ticked_and_says_why(term: Terminal, prompt):
    # Enter, then a tick and Enter: one answer, the ticked line; the first Enter only showed the reason.
    term.type(ENTER, DOWN, SPACE, ENTER)
    answer = prompt.checkbox("Which of these do you have?", signs(), "(space to tick)",
                             needs_a_tick="Please tick at least one line.").unsafe_ask()
    assert answer == ["fever"]
    assert "? Which of these do you have? None of these" not in term.screen()  # no tick answered nothing
    # (What the line says meanwhile is seen in the real interview: tests/test_interview_terminal.py.)
    assert tick(term, prompt) == []  # the next list, without the setting, takes nothing ticked again


def test_items_ticked_before_stay_ticked_and_more_can_be_added(term: Terminal, prompt):
    assert tick(term, prompt, checked=("fever",)) == ["fever"]
    assert tick(term, prompt, DOWN, DOWN, SPACE, checked=("fever", "itching")) == ["fever", "cough", "itching"]


def test_space_on_a_ticked_item_unticks_it(term: Terminal, prompt):
    assert tick(term, prompt, DOWN, SPACE, checked=("weakness", "fever")) == ["weakness"]


def test_a_ticks_every_item(term: Terminal, prompt):
    assert tick(term, prompt, "a") == ["weakness", "fever", "cough", "itching"]


def test_a_ticks_the_rest_when_some_are_ticked_already(term: Terminal, prompt):
    assert tick(term, prompt, "a", checked=("cough",)) == ["weakness", "fever", "cough", "itching"]


def test_a_again_unticks_every_item(term: Terminal, prompt):
    assert tick(term, prompt, "a", "a") == []


def test_i_inverts_the_ticks(term: Terminal, prompt):
    assert tick(term, prompt, SPACE, DOWN, DOWN, SPACE, "i") == ["fever", "itching"]


def test_i_twice_gives_the_ticks_back(term: Terminal, prompt):
    assert tick(term, prompt, "i", "i", checked=("weakness", "cough")) == ["weakness", "cough"]


def test_tick_all_and_invert_leave_lines_and_disabled_items_alone(term: Terminal, prompt):
    choices = [Choice("Weakness", value="weakness"), Choice("Fever", value="fever", disabled="not now"),
               questionary.Separator(), Choice("Go back", value="back")]
    term.type("a", ENTER)
    assert prompt.checkbox("Which?", choices, "").unsafe_ask() == ["weakness", "back"]
    term.type("i", ENTER)
    choices = [Choice("Weakness", value="weakness", checked=True), Choice("Fever", value="fever", disabled="no"),
               questionary.Separator(), Choice("Go back", value="back")]
    assert prompt.checkbox("Which?", choices, "").unsafe_ask() == ["back"]


@pytest.mark.parametrize("key", [SPACE, "a", "i", "x"])
def test_tick_keys_and_typing_change_nothing_at_a_single_choice(term: Terminal, prompt, key: str):
    assert pick(term, prompt, DOWN, key) == "fever"


# --- moving -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("down", "up"), [(DOWN, UP), ("j", "k"), (CTRL_N, CTRL_P)],
                         ids=["arrows", "j-k", "ctrl-n-ctrl-p"])
def test_moving_down_and_up_at_a_single_choice(term: Terminal, prompt, down: str, up: str):
    assert pick(term, prompt, down, down, down) == "itching"
    assert pick(term, prompt, down, down, down, up) == "cough"


@pytest.mark.parametrize(("down", "up"), [(DOWN, UP), ("j", "k"), (CTRL_N, CTRL_P)],
                         ids=["arrows", "j-k", "ctrl-n-ctrl-p"])
def test_moving_down_and_up_in_a_list(term: Terminal, prompt, down: str, up: str):
    assert tick(term, prompt, down, down, SPACE, up, SPACE) == ["fever", "cough"]


def test_moving_skips_the_line_between_the_answers_and_the_extras(term: Terminal, prompt):
    choices = [Choice("Yes", value="yes"), Choice("No", value="no"), questionary.Separator(),
               Choice("Go back", value="back")]
    term.type(DOWN, DOWN, ENTER)
    assert prompt.select("Fever?", choices).unsafe_ask() == "back"
    term.type(UP, ENTER)  # from the top, up wraps round to the last line
    assert prompt.select("Fever?", choices).unsafe_ask() == "back"


# --- Ctrl-C -----------------------------------------------------------------------------------------------


def test_ctrl_c_at_a_list_raises_and_the_next_question_still_works(term: Terminal, prompt):
    application = prompt.application
    term.type(SPACE, CTRL_C)
    with pytest.raises(KeyboardInterrupt):
        prompt.checkbox("Which of these do you have?", signs(), "").unsafe_ask()

    assert pick(term, prompt, DOWN) == "fever"
    assert tick(term, prompt, DOWN, SPACE) == ["fever"]  # nothing ticked before Ctrl-C came back
    assert prompt.application is application


def test_ctrl_c_at_a_single_choice_raises_and_the_same_question_can_be_asked_again(term: Terminal, prompt):
    term.type(DOWN, CTRL_C)
    with pytest.raises(KeyboardInterrupt):
        prompt.select("Which bothers you most?", signs()).unsafe_ask()

    assert pick(term, prompt, DOWN, DOWN) == "cough"


def test_ctrl_q_is_ctrl_c(term: Terminal, prompt):
    term.type("\x11")
    with pytest.raises(KeyboardInterrupt):
        prompt.select("Which bothers you most?", signs()).unsafe_ask()
    assert pick(term, prompt) == "weakness"


def test_an_answer_is_not_shown_after_ctrl_c(term: Terminal, prompt):
    term.type(DOWN, CTRL_C)
    with pytest.raises(KeyboardInterrupt):
        prompt.select("Which bothers you most?", signs()).unsafe_ask()
    assert "? Which bothers you most? Fever" not in term.screen()


# --- forgetting a person (the kiosk) ----------------------------------------------------------------------

SECRET_QUESTION = "Have you ever had tuberculosis (TB)?"
SECRET_LABELS = ["Yes, years ago", "No, never"]


def answer_the_secret_question(term: Terminal, prompt: ChoicePrompt) -> str:
    term.type(DOWN, ENTER)
    return prompt.select(SECRET_QUESTION, [Choice(SECRET_LABELS[0], value="tb_yes"),
                                           Choice(SECRET_LABELS[1], value="tb_no")]).unsafe_ask()


def test_after_forget_the_prompt_has_no_question_and_none_of_its_choices(term: Terminal, prompt):
    assert answer_the_secret_question(term, prompt) == "tb_no"

    prompt.forget()

    assert prompt.message == ""
    assert prompt.instruction == ""
    assert not prompt.control.answered
    values = [item.value for item in prompt.control.items]
    labels = [item.label for item in prompt.control.items]
    assert not {"tb_yes", "tb_no"} & set(values)
    assert not set(SECRET_LABELS) & set(labels)
    assert prompt.control.ticked == []


def test_the_next_person_gets_a_fresh_question_after_forget(term: Terminal, prompt):
    assert answer_the_secret_question(term, prompt) == "tb_no"
    prompt.forget()
    term.written.truncate(0)
    term.written.seek(0)

    assert pick(term, prompt, DOWN) == "fever"
    screen = term.screen()
    assert SECRET_QUESTION not in screen
    assert not any(label in screen for label in SECRET_LABELS)


def strings_reachable_from(root: object) -> set[str]:
    """Every string that can be reached from `root` by following references (not through modules)."""
    module_dicts = {id(vars(m)) for m in list(sys.modules.values()) if m is not None}
    seen, stack, found = {id(root)}, [root], set()
    while stack:
        for referent in gc.get_referents(stack.pop()):
            if id(referent) in seen or isinstance(referent, type | types.ModuleType) or id(referent) in module_dicts:
                continue
            seen.add(id(referent))
            if isinstance(referent, str):
                found.add(referent)
            else:
                stack.append(referent)
    return found


def test_after_forget_nothing_of_the_last_question_is_left_in_the_prompt():
    with create_pipe_input() as pipe:
        prompt = ChoicePrompt(input=pipe, output=DummyOutput())
        pipe.send_text(DOWN + ENTER)
        assert prompt.select(SECRET_QUESTION, [Choice(SECRET_LABELS[0], value="tb_yes"),
                                               Choice(SECRET_LABELS[1], value="tb_no")]).unsafe_ask() == "tb_no"
        prompt.forget()
        gc.collect()

        left = [s for s in strings_reachable_from(prompt)
                if SECRET_QUESTION in s or any(label in s for label in SECRET_LABELS)]

    assert left == []


# --- the answered line ------------------------------------------------------------------------------------


def answered_line(make, keys: str, message: str) -> tuple[object, str]:
    """The value, and the "? message answer" line left on the screen once the prompt is answered."""
    with create_pipe_input() as pipe:
        written = io.StringIO()
        output = Vt100_Output(written, lambda: Size(rows=24, columns=80), term="xterm")
        pipe.send_text(keys)
        value = make(pipe, output).unsafe_ask()
        output.flush()
    last = ANSI.sub("", written.getvalue()).replace("\r", "").splitlines()[-1]
    return value, last[last.rindex(f"? {message}"):]


@pytest.mark.parametrize(("keys", "shown"), [
    (ENTER, "? Which bothers you most? Weakness"),
    (DOWN + DOWN + ENTER, "? Which bothers you most? Cough"),
])
def test_the_answered_line_of_a_single_choice_is_questionarys(monkeypatch, keys: str, shown: str):
    monkeypatch.delenv("NO_COLOR", raising=False)
    message = "Which bothers you most?"
    ours = answered_line(lambda pipe, out: ChoicePrompt(input=pipe, output=out).select(message, signs()),
                         keys, message)
    theirs = answered_line(lambda pipe, out: questionary.select(message, signs(), input=pipe, output=out),
                           keys, message)
    assert ours == theirs
    assert ours[1] == shown


def test_the_answered_line_of_a_list_with_one_tick_is_questionarys(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    message = "Which of these do you have?"
    keys = DOWN + SPACE + ENTER
    ours = answered_line(lambda pipe, out: ChoicePrompt(input=pipe, output=out).checkbox(message, signs(), ""),
                         keys, message)
    theirs = answered_line(lambda pipe, out: questionary.checkbox(message, signs(), input=pipe, output=out),
                           keys, message)
    assert ours == theirs
    assert ours[1] == "? Which of these do you have? [Fever]"


@pytest.mark.parametrize(("keys", "value", "shown"), [
    (ENTER, [], "? Which of these do you have? None of these"),
    (SPACE + DOWN + SPACE + ENTER, ["weakness", "fever"], "? Which of these do you have? [Weakness; Fever]"),
])
def test_the_answered_line_of_a_list_names_what_was_ticked_where_questionary_only_counts(
        monkeypatch, keys: str, value: list[str], shown: str):
    # Someone scrolling back reads what they said, not "done" or "done (2 selections)".
    monkeypatch.delenv("NO_COLOR", raising=False)
    message = "Which of these do you have?"
    assert answered_line(lambda pipe, out: ChoicePrompt(input=pipe, output=out).checkbox(message, signs(), ""),
                         keys, message) == (value, shown)


def test_the_answered_line_of_a_real_question_shows_the_chosen_label(term: Terminal, real_kb):
    question = real_kb.question["sex"]
    term.type(DOWN, ENTER)

    assert term.asker.ask(question, question.options, Progress(6, 9), can_go_back=True) == "female"
    assert "? What is your sex? Female\n" in term.screen()
    assert "(arrow keys, then Enter" in term.screen()  # shown while the question was open, not after
    assert not re.search(r"\? What is your sex\? Female.*\(arrow keys", term.screen())
