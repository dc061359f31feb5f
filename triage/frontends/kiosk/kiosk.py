"""Kiosk mode: a shared terminal in a waiting room, used by one person after another.

Welcome screen -> 'Answer the questions' (the interview, unchanged: same Session, same result screen) or
'Read about calcifications' -> the screen and its scrollback are cleared, the Session is dropped and the
engine is reset, so the next person sees and inherits nothing. Nothing is written to disk. Setup and keys:
docs/kiosk.md.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from prompt_toolkit.application import Application

from triage.checks.second_opinion import SecondOpinionError
from triage.endings import Ending
from triage.errors import Place, Problem
from triage.frontends.asker import QuestionaryAsker, emphasised
from triage.frontends.interview import Interview
from triage.frontends.kiosk.config import KioskConfig, KioskConfigError, code_matches, hash_code, load_config
from triage.frontends.kiosk.keys import kiosk_terminal
from triage.frontends.kiosk.pages import (
    end_text,
    kiosk_notices,
    larger_window_text,
    page_text,
    safe_text,
    staff_text,
    staff_wait_text,
    welcome_text,
)
from triage.frontends.kiosk.process import forget_drawn_text, overwrite_freed_memory
from triage.frontends.kiosk.screen import (
    MIN_SIZE,
    Guard,
    IdleTimeout,
    Lockdown,
    Resized,
    Screen,
    StaffRequest,
    any_key_app,
    code_session,
    larger_window_app,
)
from triage.frontends.kiosk.staff import StaffGate, Verdict, weakness
from triage.knowledge.reading import Reading, load_reading
from triage.knowledge.reviews import review_notices
from triage.model import Option, Question
from triage.outcome import AnswerValue, Outcome
from triage.render.layout import heading
from triage.rete.engine import CompiledRules
from triage.session import Progress
from triage.texts import ui

T = TypeVar("T")

# Test hook, read only here: a question id or reading page id at which the kiosk raises a forced failure,
# to show that any failure ends in the safe screen. Never set it on a real kiosk.
FAIL_AT_ENV = "CALCITRIAGE_KIOSK_FAIL_AT"
MAX_FAILURES_IN_A_ROW = 10  # then the kiosk ends (WENT_WRONG, exit 1) and its supervisor starts a fresh one
WRONG_CODE_PAUSE = 1.0
NEEDS_A_TERMINAL = ("needs a terminal; run it on a console or in a terminal window, with no input or output "
                    "redirected")
_BACK = "__back__"


class StaffExit(Exception):
    """The right staff code was given: the kiosk ends."""


class ForcedFailure(RuntimeError):
    """Raised by the test hook CALCITRIAGE_KIOSK_FAIL_AT."""


class KioskAsker(QuestionaryAsker):
    """The interview's questionary asker, with the kiosk's keys, idle timer and paged screen."""

    pages_itself = True  # the kiosk's screen shows long text a screenful at a time, with its own keys

    def __init__(self, kiosk: Kiosk):
        super().__init__(**kiosk.screen.pt)
        self.kiosk = kiosk

    def _run(self, question: Any) -> Any:
        return self.kiosk.prompt(question.application, question.unsafe_ask)

    def say(self, text: str, emphasis: bool = False) -> None:
        self.kiosk.say(emphasised(text, self.color) if emphasis else text)

    def ask(self, question: Question, options: tuple[Option, ...], progress: Progress, can_go_back: bool,
            default: AnswerValue | None = None) -> AnswerValue:
        self.kiosk.screen.clear()  # one question per screen
        self.kiosk.fail_if(question.id)
        return super().ask(question, options, progress, can_go_back, default)

    def forget(self) -> None:
        """The prompt application lives as long as the kiosk: drop the last question and answer from it."""
        self.prompt.forget()

    def confirm_quit(self) -> bool:
        return False  # Ctrl-C never reaches here at the kiosk; if it ever did, the person stays


class Kiosk:
    """The welcome loop. `run()` returns when staff give the right code (0) or the terminal is gone (1)."""

    def __init__(self, engine: CompiledRules, reading: Reading, config: KioskConfig, screen: Screen,
                 fail_at: str | None = None, notices: tuple[str, ...] = ()):
        self.engine = engine
        self.kb = engine.kb
        self.reading = reading
        self.config = config
        self.screen = screen
        self.guard = Guard(config.idle_timeout, config.idle_warning)
        self.fail_at = fail_at
        self.notices = kiosk_notices(config) + notices
        self.safe_text = safe_text(self.kb, config)  # made now: it is shown when something else failed
        self.asker = KioskAsker(self)
        self.timed = True
        self.interview: Interview | None = None  # the current person's, if answering
        self.counts: dict[str, Counter[str]] | None = {} if config.count_sessions else None
        self.disagreements = 0  # outcomes the second opinion did not confirm (checks/second_opinion.py)
        self.staff = StaffGate(lambda code: code_matches(code, config.staff_code_hash), config.staff_policy)

    # --- the loop -------------------------------------------------------------------------------------------

    def run(self) -> Ending:
        """Visitors until staff close the kiosk (FINISHED), the terminal goes away (INPUT_ENDED) or too
        many visits in a row fail (WENT_WRONG)."""
        failures = 0
        self.screen.clear(scrollback=True)  # whatever was on the terminal before (a login message, ...)
        while True:
            try:
                failed = self._visit_safely()
                self._scrub_memory()
                failures = failures + 1 if failed else 0
                if failed and failures >= MAX_FAILURES_IN_A_ROW:
                    return Ending.WENT_WRONG
                if failed:
                    self._safe_screen()
            except StaffExit:
                self._staff_screen()
                return Ending.FINISHED
            except EOFError:
                return Ending.INPUT_ENDED  # the terminal went away

    @staticmethod
    def _scrub_memory() -> None:
        # Here, not in _forget: only once the visit's frames have returned is every text of the person let
        # go, and only then can its freed memory be used again (process.overwrite_freed_memory).
        forget_drawn_text()
        gc.collect()
        overwrite_freed_memory()

    def _visit_safely(self) -> bool:
        """One person's visit; True if it ended in an unexpected failure (never shown)."""
        try:
            self._visit()
            return False
        except (StaffExit, EOFError):
            raise
        except IdleTimeout:
            return False
        except SecondOpinionError as exc:
            self._disagreed(exc)
            return True
        except BaseException:  # noqa: BLE001 - whatever happens, the person gets the safe screen
            return True
        finally:
            self._forget()

    def _visit(self) -> None:
        self.screen.write(welcome_text(self.kb, self.config))
        self.screen.used = self.screen.rows_of(welcome_text(self.kb, self.config))
        self.timed = False  # nobody is there yet: nothing to protect
        try:
            choice = self.asker.choose(ui("kiosk.choose"), [
                ("answer", ui("kiosk.answer")), ("read", ui("kiosk.read"))])
        finally:
            self.timed = True
        self.screen.clear()
        if choice == "answer":
            self._answer()
        else:
            self._read()

    def _disagreed(self, exc: SecondOpinionError) -> None:
        """Counted for staff and told on stderr, naming what differed but nothing of the visitor's answers."""
        self.disagreements += 1
        with contextlib.suppress(OSError):
            print(f"calcitriage kiosk: the rule engine and the reference evaluator disagreed on a result "
                  f"({', '.join(exc.differing)} differed); the visitor was shown the safe screen "
                  f"({self.disagreements} since the kiosk started)", file=sys.stderr, flush=True)

    def _forget(self) -> None:
        """Drop everything of the person who just left: session, engine memory, screen and scrollback."""
        if self.interview is not None:
            self.interview.session.forget()
        self.interview = None
        self.asker.forget()
        gc.collect()
        self.screen.clear(scrollback=True)

    # --- answering ------------------------------------------------------------------------------------------

    def _answer(self) -> None:
        self.interview = Interview(self.engine, self.asker, notices=self.notices)
        if self.interview.run() is Ending.INPUT_ENDED:
            raise EOFError
        session = self.interview.session
        if not session.answers:
            return  # left at the opening screen
        self._count(session.outcome())
        # Every result ends with what to do, shown without a prompt (an emergency at once, any other
        # after 'Finish'): keep it up until a key (or the idle time), then clear it for the next person.
        self.any_key(end_text(self.config))

    def _count(self, outcome: Outcome) -> None:
        if self.counts is not None:
            self.counts.setdefault(date.today().isoformat(), Counter())[outcome.referral.urgency.id] += 1

    # --- reading --------------------------------------------------------------------------------------------

    def _read(self) -> None:
        pages = self.reading.pages
        while True:
            self.screen.clear()
            self.say(heading(ui("kiosk.read_heading")) + "\n")
            choice = self.asker.choose(ui("kiosk.which_topic"),
                                       [(p.id, p.title) for p in pages] + [(_BACK, ui("kiosk.back_to_start"))])
            if choice == _BACK:
                return
            index: int | None = next(i for i, p in enumerate(pages) if p.id == choice)
            while index is not None:
                index = self._page(index)
                if index == -1:
                    return

    def _page(self, index: int) -> int | None:
        """Show one page; returns the next page's index, None for the list of topics, -1 for the start."""
        pages = self.reading.pages
        page = pages[index]
        self.screen.clear()
        self.fail_if(page.id)
        self.say(page_text(self.reading, page) + "\n")
        choices = ([("next", ui("kiosk.next_page", title=pages[index + 1].title))] if index + 1 < len(pages)
                   else []) + [("topics", ui("kiosk.back_to_topics")), (_BACK, ui("kiosk.back_to_start"))]
        choice = self.asker.choose(ui("interview.what_next"), choices)
        return index + 1 if choice == "next" else None if choice == "topics" else -1

    # --- prompts and screens --------------------------------------------------------------------------------

    def prompt(self, app: Application[Any], run: Callable[[], T], chord: bool = True,
               timed: bool | None = None, sized: bool = True) -> T:
        """Run one prompt with the kiosk's keys and idle timer; the staff chord asks for the code."""
        while True:
            self.guard.prepare(app, timed=self.timed if timed is None else timed, chord=chord, sized=sized)
            try:
                result = run()
                self.screen.prompted()
                return result
            except StaffRequest:
                self._check_staff_code()  # raises StaffExit when right; otherwise the same prompt again
            except Resized:
                self._fit()  # then the same prompt again, drawn for the new size

    def _fit(self) -> None:
        """After a resize, the screen again (a console may have lost it); first, while the window is too small
        to use, a screen that asks for a larger one and still shows the emergency signs and number."""
        shown = self.screen.shown
        while self.screen.too_small():
            self.screen.clear(scrollback=True)
            app = larger_window_app(self.screen, larger_window_text(self.kb, self.config, *MIN_SIZE))
            self.prompt(app, app.run, timed=False, sized=False)
        self.screen.shown = shown
        self.screen.redraw()

    def _check_staff_code(self) -> None:
        self.screen.write("\n")
        state, left = self.staff.wait()
        if state is not Verdict.RIGHT:  # a delay or lockout never sleeps: a code typed now is not checked
            self.screen.write(staff_wait_text(state, left) + "\n")
        session = code_session(self.screen)
        code = self.prompt(session.app, session.prompt, chord=False, timed=True)  # even at the welcome screen
        verdict, left = self.staff.check(code)
        if verdict is Verdict.RIGHT:
            raise StaffExit
        if verdict is Verdict.WRONG:
            self.screen.write(ui("staff.wrong_code") + "\n")
        if verdict is not Verdict.EMPTY:
            if left > 0:
                self.screen.write(staff_wait_text(self.staff.wait()[0], left) + "\n")
            time.sleep(WRONG_CODE_PAUSE)

    def any_key(self, message: str) -> None:
        app = any_key_app(self.screen, message)
        self.prompt(app, app.run)

    def say(self, text: str) -> None:
        self.screen.say(text, more=lambda: self.any_key(ui("kiosk.more")))

    def fail_if(self, point: str) -> None:
        if self.fail_at is not None and point == self.fail_at:
            raise ForcedFailure(f"forced failure at {point} ({FAIL_AT_ENV})")

    def _safe_screen(self) -> None:
        try:
            self.screen.clear(scrollback=True)
            self.screen.write(self.safe_text)
            self.any_key(ui("kiosk.safe_any_key"))
        except (StaffExit, EOFError):
            raise
        except IdleTimeout:
            pass
        except BaseException:  # noqa: BLE001 - even the safe screen failed: leave the text up a while
            time.sleep(min(self.config.idle_timeout, 10))
        finally:
            self.screen.clear(scrollback=True)

    def _staff_screen(self) -> None:
        self.screen.clear(scrollback=True)
        self.screen.write(staff_text(self.kb, self.counts, self.disagreements, self.staff.failures))
        self.counts = None
        with contextlib.suppress(BaseException):  # closing anyway
            self.any_key(ui("staff.any_key_close"))
        self.screen.clear(scrollback=True)


def kiosk_main(config_path: str | Path | None, engine: CompiledRules) -> Ending:
    """`triage kiosk` with `engine` (the one that passed the start-up self-test): check the configuration
    (no staff code, no kiosk) and the reading pages, then run on this terminal until staff stop it."""
    sys.dont_write_bytecode = True  # nothing written to disk, not even a cache of our own code
    config = load_config(config_path)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise KioskConfigError([Problem("needs-terminal", Place("triage kiosk"), NEEDS_A_TERMINAL)])
    kb = engine.kb
    reading = load_reading(kb)
    notices = review_notices(kb)
    pt_input, pt_output = kiosk_terminal()
    screen = Screen(pt_input=pt_input, pt_output=pt_output)
    kiosk = Kiosk(engine, reading, config, screen, fail_at=os.environ.get(FAIL_AT_ENV), notices=notices)
    with Lockdown(sys.stdin.fileno()):
        try:
            return kiosk.run()
        except BaseException:  # noqa: BLE001 - e.g. the engine could not be reset: end, never a traceback
            with contextlib.suppress(BaseException):
                screen.clear(scrollback=True)
            return Ending.WENT_WRONG


def print_code_hash() -> Ending:
    """`triage kiosk --hash-code`: read a staff code twice without echo, print the configuration line."""
    import getpass

    code = getpass.getpass("New staff code (not shown): ")
    if getpass.getpass("The same code again: ") != code:
        print("error: the two codes differ; nothing was printed, try again", file=sys.stderr)
        return Ending.BAD_INPUT
    if (reason := weakness(code)) is not None:
        print(f"error: {ui('staff.weak_code', reason=reason)}", file=sys.stderr)
        return Ending.BAD_INPUT
    print(f'staff_code_hash = "{hash_code(code)}"')
    return Ending.FINISHED
