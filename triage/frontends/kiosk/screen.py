"""The kiosk's hold on the terminal: no way out by key, an idle timer on every prompt, and clean screens.

- Between prompts the terminal does not echo, make signals or stop output (no ISIG, ICANON, ECHO, IXON)
  and SIGINT, SIGTSTP and SIGQUIT are ignored; the saved settings come back when the kiosk ends.
- At a prompt (a prompt_toolkit Application, questionary's or ours) key bindings merged after the
  prompt's own make Ctrl-C, Ctrl-Q, Ctrl-Z, Ctrl-\\, Ctrl-D and Ctrl-S do nothing, and Ctrl-X Ctrl-E
  asks for the staff code. An idle timer, re-armed on every key, shows 'Still there?' and then ends the
  prompt with IdleTimeout.
- A prompt whose window changes size, or is smaller than MIN_SIZE, ends with Resized: the kiosk asks for a
  larger window if need be and draws its screen again (a console may lose what it showed on a resize).
- Whatever raises inside a prompt's event loop ends the prompt with PromptFailure (the kiosk then shows its
  safe screen), never with prompt_toolkit's traceback and 'Press ENTER to continue', which no timer ends.
- Input that is not a key never reaches a prompt (keys.py), and no typed text grows past MAX_TYPED.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import termios
from collections.abc import Callable
from typing import Any, TextIO

from prompt_toolkit.application import Application
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.key_binding import ConditionalKeyBindings, KeyBindings, merge_key_bindings
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import ConditionalContainer, HSplit, Layout, Window
from prompt_toolkit.layout.controls import FormattedTextControl

from triage.frontends.kiosk.keys import KioskInput
from triage.render.layout import hang
from triage.texts import ui

CLEAR_SCREEN = "\033[H\033[2J"
CLEAR_ALL = "\033[H\033[2J\033[3J"  # screen and scrollback: prompt_toolkit's clear() leaves the scrollback
ESCAPE_KEYS = ("c-c", "c-q", "c-z", "c-\\", "c-d", "c-s", "<sigint>")
STAFF_CHORD = ("c-x", "c-e")
MAX_TYPED = 64  # characters kept at a typed prompt: more are ignored, so no typing can fill the memory
_ANSI = re.compile(r"\033\[[0-9;?]*[A-Za-z]")
MIN_SIZE = (80, 24)  # columns, rows: what docs/kiosk.md asks for; the interview's screens are laid out for it


class IdleTimeout(Exception):
    """Nobody pressed a key for the idle time: back to the welcome screen."""


class StaffRequest(Exception):
    """The staff chord was pressed at a prompt."""


class Resized(Exception):
    """The window changed size, or is too small, while a prompt was up."""


class PromptFailure(Exception):
    """Something raised inside a prompt's event loop (a key binding, a redraw, a background task)."""


class Lockdown:
    """Between prompts: no echo, no signals from keys, no Ctrl-S freeze; restore everything on exit."""

    _SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTSTP", "SIGQUIT") if hasattr(signal, n))

    def __init__(self, fd: int):
        self.fd = fd
        self.saved: list[Any] | None = None
        self.handlers: dict[int, Any] = {}

    def __enter__(self) -> Lockdown:
        self.handlers = {s: signal.signal(s, signal.SIG_IGN) for s in self._SIGNALS}
        self.saved = termios.tcgetattr(self.fd)
        mode = termios.tcgetattr(self.fd)
        mode[0] &= ~(termios.IXON | termios.IXOFF)
        mode[3] &= ~(termios.ICANON | termios.ECHO | termios.ISIG | termios.IEXTEN)
        termios.tcsetattr(self.fd, termios.TCSANOW, mode)
        return self

    def __exit__(self, *_: Any) -> None:
        if self.saved is not None:
            termios.tcsetattr(self.fd, termios.TCSAFLUSH, self.saved)
        for sig, handler in self.handlers.items():
            signal.signal(sig, handler)


class Screen:
    """Writes text and clears; pages long text so nothing scrolls away unread."""

    def __init__(self, stream: TextIO | None = None, pt_input: Any = None, pt_output: Any = None):
        self.stream = stream or sys.stdout
        self.pt = {k: v for k, v in (("input", pt_input), ("output", pt_output)) if v is not None}
        self.used = 0  # rows written since the screen was last cleared
        self.unread = 0  # rows written since the last prompt: not yet acknowledged by a key
        self.shown: list[str] = []  # what was written since the screen was last cleared, to draw it again

    def size(self) -> tuple[int, int]:
        """(columns, rows) of the terminal; 80 x 24 when it cannot be told."""
        try:
            size = os.get_terminal_size(self.stream.fileno())
            return max(size.columns, 20), max(size.lines, 8)
        except (OSError, ValueError, AttributeError):
            return 80, 24

    def too_small(self) -> bool:
        try:
            size = os.get_terminal_size(self.stream.fileno())
        except (OSError, ValueError, AttributeError):
            return False
        return size.columns < MIN_SIZE[0] or size.lines < MIN_SIZE[1]

    def write(self, text: str) -> None:
        self.shown.append(text)
        try:
            fd = self.stream.fileno()
        except (OSError, ValueError, AttributeError):
            self.stream.write(text)
            self.stream.flush()
            return
        # Straight to the terminal from a buffer that is zeroed after: through the stream, a person's text
        # would stay in its 8 KB buffer, readable in memory, until later output happened to cover it.
        self.stream.flush()
        data = bytearray(text, self.stream.encoding or "utf-8", "replace")
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(fd, view):]
        finally:
            view.release()
            data[:] = bytes(len(data))

    def clear(self, scrollback: bool = False) -> None:
        self.shown = []
        self.write(CLEAR_ALL if scrollback else CLEAR_SCREEN)
        self.used = self.unread = 0

    def redraw(self) -> None:
        """The text written since the last clear, on a cleared screen and scrollback (the prompt draws itself)."""
        shown, used, unread = self.shown[1:], self.used, self.unread  # [0] is the clearing itself
        self.clear(scrollback=True)
        self.write("".join(shown))
        self.used, self.unread = used, unread

    def rows_of(self, text: str) -> int:
        columns = self.size()[0]
        return sum(max(1, -(-len(_ANSI.sub("", line)) // columns)) for line in text.split("\n"))

    def say(self, text: str, more: Callable[[], None], reserve: int = 6) -> None:
        """Write `text` plus a newline, going on at the top of a cleared screen when this one is full.

        Text not yet acknowledged by a key is never pushed away unread: `more` waits for a key first.
        """
        limit = max(self.size()[1] - reserve, 4)
        if self.used and not self.unread and self.used + self.rows_of(text) > limit:
            self.clear()  # what is on the screen was seen at the last prompt: start this text at the top
        for line in text.split("\n"):
            rows = self.rows_of(line)
            if self.used and self.used + rows > limit:
                if self.unread:
                    more()
                self.clear()
            self.write(line + "\n")
            self.used += rows
            self.unread += rows

    def prompted(self, rows: int = 2) -> None:
        """A prompt was answered: what is on the screen has been seen; the prompt left about `rows` rows."""
        self.used += rows
        self.unread = 0


class Guard:
    """Adds the kiosk's keys and idle timer to a prompt_toolkit Application before it runs."""

    def __init__(self, timeout: float, warning: float):
        self.timeout = timeout
        self.warning = warning

    def prepare(self, app: Application[Any], timed: bool = True, chord: bool = True, sized: bool = True) -> None:
        """Call before every run of `app` (the timer is started by the run); `sized`: end with Resized when
        the window changes size or is too small."""
        state = getattr(app, "_kiosk_timer", None)
        if state is None:
            state = _Timer(app, self, timed)
            app.after_render += state.on_render
            app._kiosk_timer = state  # type: ignore[attr-defined]
            warning = ConditionalContainer(
                Window(FormattedTextControl(state.warning_text), wrap_lines=True, dont_extend_height=True),
                filter=Condition(lambda: state.warned))
            app.layout = Layout(HSplit([app.layout.container, warning]),
                                focused_element=app.layout.current_window)
            # While 'Still there?' shows, the prompt's own keys are off: a key only dismisses the warning,
            # so that no answer is chosen by accident.
            own = ConditionalKeyBindings(app.key_bindings or KeyBindings(),
                                         filter=Condition(lambda: not state.warned))
            app.key_bindings = merge_key_bindings([own, _bindings(state, chord)])
            app.key_processor.after_key_press += state.on_key
        state.timed, state.sized = timed, sized
        if isinstance(app.input, KioskInput):
            app.input.new_screen()
        app.pre_run_callables += [lambda: _end_on_failure(app), state.start]


def _end_on_failure(app: Application[Any]) -> None:
    """Own the running loop's exception handler (set after prompt_toolkit's, which is put back when the
    prompt ends): a failure inside the loop ends the prompt, silently."""

    def failed(_: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if app.future is not None and not app.future.done():
            failure = PromptFailure(context.get("message", "failure in the prompt's event loop"))
            failure.__cause__ = context.get("exception")
            app.exit(exception=failure)

    asyncio.get_running_loop().set_exception_handler(failed)


def _bindings(state: _Timer, chord: bool) -> KeyBindings:
    """Merged after the prompt's own bindings, and eager, so that they win."""
    kb = KeyBindings()

    def nothing(event: Any) -> None:
        pass

    for key in ESCAPE_KEYS:
        kb.add(key, eager=True)(nothing)
    kb.add(Keys.Any, eager=True, filter=Condition(lambda: state.warned))(nothing)  # dismisses 'Still there?'
    if chord:
        @kb.add(*STAFF_CHORD)
        def staff(event: Any) -> None:
            event.app.exit(exception=StaffRequest())
    return kb


class _Timer:
    def __init__(self, app: Application[Any], guard: Guard, timed: bool):
        self.app, self.guard, self.timed = app, guard, timed
        self.sized = True
        self.size: Any = None  # the window's size at the first drawing of this run
        self.warned = False
        self.deadline = 0.0
        self.handles: list[asyncio.Handle] = []

    def start(self) -> None:
        self.warned = False
        self.size = None
        self.arm()

    def on_render(self, _: Any) -> None:
        if not self.sized or not self.app.is_running or self.app.future is None or self.app.future.done():
            return
        size = self.app.output.get_size()
        if self.size is None:
            self.size = size
        if size != self.size or size.columns < MIN_SIZE[0] or size.rows < MIN_SIZE[1]:
            self.app.exit(exception=Resized())

    def arm(self) -> None:
        for handle in self.handles:
            handle.cancel()
        self.handles = []
        if not self.timed:
            return
        loop = asyncio.get_running_loop()
        self.deadline = loop.time() + self.guard.timeout
        self.handles = [loop.call_later(self.guard.timeout - self.guard.warning, self.warn),
                        loop.call_later(self.guard.timeout, self.expire)]

    def on_key(self, _: Any) -> None:
        self.warned = False
        self.arm()

    def warn(self) -> None:
        self.warned = True
        self.tick()

    def tick(self) -> None:
        if self.warned and self.app.is_running:
            self.app.invalidate()
            self.handles.append(asyncio.get_running_loop().call_later(1, self.tick))

    def expire(self) -> None:
        if self.app.is_running and self.app.future is not None and not self.app.future.done():
            self.app.exit(exception=IdleTimeout())

    def warning_text(self) -> StyleAndTextTuples:
        left = max(0, round(self.deadline - asyncio.get_running_loop().time())) if self.app.is_running else 0
        return [("reverse bold", f" {ui('kiosk.still_there')} "), ("", "\n"),
                ("", f" {ui('kiosk.clear_in', seconds=left)}\n"),
                ("bold", f" {ui('kiosk.press_any_key')}")]


def any_key_app(screen: Screen, message: str) -> Application[None]:
    """A one-line prompt that ends on any key."""
    kb = KeyBindings()

    @kb.add(Keys.Any)
    def done(event: Any) -> None:
        event.app.exit()

    text = hang(message, "", "", max(screen.size()[0] - 2, 20))
    window = Window(FormattedTextControl([("bold", text)]), wrap_lines=True, dont_extend_height=True)
    return Application(
        layout=Layout(window),
        key_bindings=kb, erase_when_done=True, **screen.pt)


def larger_window_app(screen: Screen, message: str) -> Application[None]:
    """Shown while the window is too small; ends once it is large enough. Keys do nothing here."""
    window = Window(FormattedTextControl(lambda: [("bold", message)]), wrap_lines=True, dont_extend_height=True)

    def large_enough(app: Application[None]) -> None:
        size = app.output.get_size()
        if size.columns >= MIN_SIZE[0] and size.rows >= MIN_SIZE[1] and app.future is not None \
                and not app.future.done():
            app.exit()

    return Application(layout=Layout(window), key_bindings=KeyBindings(), erase_when_done=True,
                       after_render=large_enough, **screen.pt)


def code_session(screen: Screen) -> Any:
    """A prompt that reads the staff code without showing it, and keeps at most MAX_TYPED characters."""
    from prompt_toolkit.shortcuts import PromptSession

    kb = KeyBindings()
    session: PromptSession[str] = PromptSession(ui("staff.code_prompt"), is_password=True, key_bindings=kb,
                                                **screen.pt)
    full = Condition(lambda: len(session.default_buffer.text) >= MAX_TYPED)
    # Keys.Any stands for the keys that type a character: Enter, Backspace and the rest keep their own
    # bindings, which prompt_toolkit prefers to an Any binding.
    kb.add(Keys.Any, filter=full)(lambda event: None)
    return session
