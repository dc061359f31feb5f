"""Getting the engine ready behind the opening screen (triage/frontends/startup.py).

The preparation (load, compile, self-test) runs in a thread while the opening prompt waits for a key.
Its value or its error reaches the main thread through `result()`; a failure takes a running prompt down
at once, so that a broken knowledge base never leaves the person at a screen that can only end in an error.
"""

from __future__ import annotations

import gc
import threading
import time

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from questionary import Choice

from triage.errors import KnowledgeBaseError, Place, Problem
from triage.frontends.asker import QuestionaryAsker
from triage.frontends.choice_prompt import ChoicePrompt
from triage.frontends.opening_screen import interview_while_preparing
from triage.frontends.startup import Preparation, PreparationFailed, settle_memory
from triage.knowledge.opening import read_opening
from triage.knowledge.paths import builtin_rules_dir

START_OR_QUIT = [Choice("Start the questions", value="start"), Choice("Quit", value="quit")]
NEVER = 10.0  # seconds: a guard that ends a prompt no failure took down, so that no test can hang


def broken_rules() -> None:
    raise KnowledgeBaseError([Problem("unknown-id", Place("rules/lungs.yaml", item="rule 'lungs.tb'"),
                                      "unknown question 'tb_histroy'")])


def test_result_returns_the_prepared_value():
    preparation = Preparation(lambda: "engine")
    assert preparation.result() == "engine"


def test_result_returns_the_same_value_every_time_without_preparing_again():
    calls: list[int] = []
    preparation = Preparation(lambda: calls.append(1) or len(calls))
    assert [preparation.result(), preparation.result()] == [1, 1]
    assert calls == [1]


def test_result_raises_what_the_preparation_raised():
    preparation = Preparation(broken_rules)
    with pytest.raises(KnowledgeBaseError) as info:
        preparation.result()
    assert [str(p) for p in info.value.problems] == [
        "rules/lungs.yaml, rule 'lungs.tb': unknown question 'tb_histroy'"]


def test_result_raises_the_failure_every_time_it_is_asked():
    preparation = Preparation(broken_rules)
    for _ in range(2):
        with pytest.raises(KnowledgeBaseError):
            preparation.result()


def test_the_preparation_runs_in_another_thread():
    threads: list[threading.Thread] = []
    preparation = Preparation(lambda: threads.append(threading.current_thread()))
    preparation.result()
    assert threads and threads[0] is not threading.current_thread()


def test_starting_twice_prepares_once():
    calls: list[int] = []
    release = threading.Event()

    def prepare() -> str:
        calls.append(1)
        release.wait(NEVER)
        return "engine"

    preparation = Preparation(prepare)
    preparation.start()
    preparation.start()
    release.set()
    assert preparation.result() == "engine"
    preparation.start()
    preparation.wait()
    assert calls == [1]


def test_starting_from_many_threads_at_once_prepares_once():
    calls: list[int] = []
    preparation = Preparation(lambda: calls.append(1) or "engine")
    starters = [threading.Thread(target=preparation.start) for _ in range(8)]
    for starter in starters:
        starter.start()
    for starter in starters:
        starter.join(NEVER)
    assert preparation.result() == "engine"
    assert calls == [1]


def test_wait_returns_once_the_work_is_done():
    done: list[str] = []
    preparation = Preparation(lambda: (time.sleep(0.05), done.append("prepared")))
    preparation.start()
    preparation.wait()
    assert done == ["prepared"]


def test_wait_returns_after_a_failure_too_and_the_failure_is_kept_for_result():
    preparation = Preparation(broken_rules)
    preparation.start()
    preparation.wait()  # no exception here: the program is ending anyway
    with pytest.raises(KnowledgeBaseError):
        preparation.result()


def test_wait_before_start_does_not_block_and_prepares_nothing():
    calls: list[int] = []
    preparation = Preparation(lambda: calls.append(1))
    preparation.wait()
    assert calls == []


def test_a_failure_with_no_prompt_up_is_reported_by_result():
    preparation = Preparation(broken_rules)
    with create_pipe_input() as pipe:
        prompt = ChoicePrompt(input=pipe, output=DummyOutput())
        preparation.start_after_drawing(prompt.application)  # never drawn: the prompt is not put up
        with pytest.raises(KnowledgeBaseError):
            preparation.result()


# --- with the opening prompt up -------------------------------------------------------------------------


def ask_while_preparing(preparation: Preparation, keys: str = "") -> tuple[object, float]:
    """Put the opening question up, start `preparation` after its first drawing, and wait for the prompt
    to end: (what it returned or raised, seconds it was up). Ctrl-C ends it if nothing else does."""
    with create_pipe_input() as pipe:
        prompt = ChoicePrompt(input=pipe, output=DummyOutput())
        question = prompt.select("Do you want to start?", START_OR_QUIT)
        preparation.start_after_drawing(prompt.application)
        guard = threading.Timer(NEVER, pipe.send_text, ["\x03"])
        guard.start()
        pipe.send_text(keys)
        started = time.monotonic()
        try:
            outcome: object = question.unsafe_ask()
        except (PreparationFailed, KeyboardInterrupt) as exc:
            outcome = exc
        finally:
            guard.cancel()
        return outcome, time.monotonic() - started


def test_a_failure_takes_the_waiting_prompt_down_at_once():
    preparation = Preparation(broken_rules)

    outcome, seconds = ask_while_preparing(preparation)  # nobody presses a key

    assert isinstance(outcome, PreparationFailed)
    assert seconds < 5
    with pytest.raises(KnowledgeBaseError):  # the reason, for the error lines
        preparation.result()


def test_a_failure_after_some_work_takes_the_prompt_down_too():
    def slow_then_broken() -> None:
        time.sleep(0.3)
        broken_rules()

    outcome, seconds = ask_while_preparing(Preparation(slow_then_broken))

    assert isinstance(outcome, PreparationFailed)
    assert 0.2 < seconds < 5


def test_the_preparation_starts_only_after_the_prompt_is_drawn():
    drawn_first: list[bool] = []
    with create_pipe_input() as pipe:
        prompt = ChoicePrompt(input=pipe, output=DummyOutput())
        application = prompt.application
        rendered: list[int] = []
        application.after_render += lambda _: rendered.append(1)
        preparation = Preparation(lambda: drawn_first.append(bool(rendered)))
        preparation.start_after_drawing(application)
        question = prompt.select("Do you want to start?", START_OR_QUIT)
        assert drawn_first == []  # nothing started before the prompt is up
        pipe.send_text("\r")
        assert question.unsafe_ask() == "start"
        preparation.wait()
    assert drawn_first == [True]


def test_a_successful_preparation_leaves_the_prompt_to_the_person():
    preparation = Preparation(lambda: "engine")

    outcome, _ = ask_while_preparing(preparation, keys="\x1b[B\r")  # Quit

    assert outcome == "quit"
    assert preparation.result() == "engine"


def test_a_person_who_starts_at_once_gets_the_prepared_value_after_the_prompt():
    release = threading.Event()

    def slow() -> str:
        release.wait(NEVER)
        return "engine"

    preparation = Preparation(slow)
    outcome, _ = ask_while_preparing(preparation, keys="\r")  # Start, before the work is done
    assert outcome == "start"
    release.set()
    assert preparation.result() == "engine"


def test_a_failure_after_the_prompt_has_ended_is_reported_by_result():
    release = threading.Event()

    def slow_then_broken() -> None:
        release.wait(NEVER)
        broken_rules()

    preparation = Preparation(slow_then_broken)
    outcome, _ = ask_while_preparing(preparation, keys="\r")
    assert outcome == "start"
    release.set()
    with pytest.raises(KnowledgeBaseError):
        preparation.result()


# --- memory -------------------------------------------------------------------------------------------------


def test_settle_memory_leaves_the_objects_made_so_far_out_of_later_collections():
    try:
        settle_memory()
        assert gc.get_freeze_count() > 0
        assert gc.isenabled()
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0


# --- the opening screen -------------------------------------------------------------------------------------


class Stalling(QuestionaryAsker):
    """At Ctrl-C, the preparation fails while the person is still being asked whether to quit."""

    def __init__(self, failed: threading.Event, **kwargs):
        super().__init__(**kwargs)
        self.failed = failed
        self.preparation: Preparation | None = None

    def confirm_quit(self) -> bool:
        self.failed.set()
        assert self.preparation is not None
        self.preparation.wait()  # the failure is in before the quit question is answered
        return super().confirm_quit()


def test_a_failure_while_the_quit_question_is_up_still_takes_the_opening_screen_down():
    """Ctrl-C at the opening screen, the work fails while "Do you want to quit?" is up, the person says no:
    the opening prompt comes back and is taken down at its first drawing; the program refuses to start."""
    failed = threading.Event()

    def broken_after_ctrl_c() -> None:
        failed.wait(NEVER)
        broken_rules()

    opening = read_opening(builtin_rules_dir())
    assert opening is not None
    with create_pipe_input() as pipe:
        asker = Stalling(failed, input=pipe, output=DummyOutput())
        preparation = Preparation(broken_after_ctrl_c)
        asker.preparation = preparation
        preparation.start_after_drawing(asker.prompt.application)
        pipe.send_text("\x03" + "n")  # Ctrl-C at the opening screen, then: no, do not quit
        person = threading.Timer(2.0, pipe.send_text, ["\x1b[B\r"])  # later, the person picks Quit
        person.start()
        try:
            with pytest.raises(KnowledgeBaseError):
                interview_while_preparing(asker, opening, preparation)
        finally:
            person.cancel()
