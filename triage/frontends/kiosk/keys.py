"""What the kiosk reads from its terminal: the keys of a keyboard, and nothing else.

prompt_toolkit's input parser obeys whatever a visitor can type: `Esc [ 2 0 0 ~` starts a bracketed paste
that swallows every later key, `Esc [ M` and three bytes is a mouse report whose handler can raise, and an
unknown sequence reaches the prompt as loose characters. KeyReader takes its place at the kiosk: the keys a
keyboard sends (letters, Enter, arrows, function keys, Ctrl-keys) pass as prompt_toolkit would give them;
paste and mouse reports, cursor-position replies, unknown escape sequences and bytes that are not UTF-8 are
dropped whole. It holds at most one unfinished escape sequence, and `reset()` forgets it.

KioskInput and KioskOutput are the kiosk's terminal for prompt_toolkit: the input reads through KeyReader;
the output never turns on bracketed paste or cursor-position requests, so an honest terminal never sends
those sequences either.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from prompt_toolkit.input.ansi_escape_sequences import ANSI_SEQUENCES
from prompt_toolkit.input.vt100 import Vt100Input
from prompt_toolkit.key_binding.key_processor import KeyPress
from prompt_toolkit.keys import Keys
from prompt_toolkit.output.color_depth import ColorDepth
from prompt_toolkit.output.vt100 import Vt100_Output

ESC = "\x1b"
CSI = ESC + "["
SS3 = ESC + "O"
X10_MOUSE = CSI + "M"  # and three bytes of button and position
LINUX_FUNCTION = CSI + "["  # the Linux console's F1-F5: ESC [ [ A .. E
LONGEST_SEQUENCE = 32  # longer sequences are kept no further: they are dropped when they end
# Keys prompt_toolkit makes from sequences that are not typing; none of them may reach a prompt.
NOT_KEYS = frozenset({Keys.BracketedPaste, Keys.Vt100MouseEvent, Keys.WindowsMouseEvent, Keys.CPRResponse,
                      Keys.ScrollUp, Keys.ScrollDown, Keys.Ignore})
PASTE_AND_MOUSE_OFF = "\x1b[?2004l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1005l\x1b[?1006l\x1b[?1015l"

Key = str | Keys | tuple[Keys, ...]


def _in_sequence(c: str) -> bool:
    """Parameter and intermediate bytes of a CSI sequence (ECMA-48 5.4)."""
    return " " <= c <= "?"


def _final(c: str) -> bool:
    return "@" <= c <= "~"


def _not_text(c: str) -> bool:
    """A byte that was not UTF-8 (decoded as a lone surrogate) or a C1 control."""
    return "\ud800" <= c <= "\udfff" or "\x80" <= c <= "\x9f"


class KeyReader:
    """Terminal text in, key presses out; everything that is not a key is dropped.

    >>> KeyReader().feed("a\\x1b[200~b\\x1b[A")
    [KeyPress(key='a', data='a'), KeyPress(key='b', data='b'), KeyPress(key=<Keys.Up: 'up'>, data='\\x1b[A')]
    """

    def __init__(self) -> None:
        self.pending = ""  # an escape sequence begun and not yet ended

    def reset(self) -> None:
        self.pending = ""

    def feed(self, data: str) -> list[KeyPress]:
        keys: list[KeyPress] = []
        for c in data:
            self._char(c, keys)
        return keys

    def flush(self) -> list[KeyPress]:
        """Nothing more came for a while: a lone Esc was the Escape key. An unfinished sequence stays
        pending (it cannot hold up a key: any key that cannot continue it ends it)."""
        if self.pending == ESC:
            self.pending = ""
            return [KeyPress(Keys.Escape, ESC)]
        return []

    def _char(self, c: str, keys: list[KeyPress]) -> None:
        pending = self.pending
        if not pending:
            self._ground(c, keys)
        elif pending == ESC:
            self._after_escape(c, keys)
        elif pending.startswith(X10_MOUSE):
            self.pending = "" if len(pending) == len(X10_MOUSE) + 2 else pending + c
        elif pending in (LINUX_FUNCTION, SS3):
            self.pending = ""
            if _final(c) or _in_sequence(c):
                self._emit(pending + c, keys)
            else:
                self._ground(c, keys)  # the sequence was broken off: dropped, and this key counts
        elif _in_sequence(c):
            self.pending = pending + c if len(pending) < LONGEST_SEQUENCE else pending
        elif _final(c):
            sequence = pending + c
            self.pending = sequence if sequence in (X10_MOUSE, LINUX_FUNCTION) else ""
            if not self.pending and len(pending) < LONGEST_SEQUENCE:
                self._emit(sequence, keys)
        else:
            self.pending = ""
            self._ground(c, keys)

    def _ground(self, c: str, keys: list[KeyPress]) -> None:
        if c == ESC:
            self.pending = ESC
        elif c in ANSI_SEQUENCES:
            self._emit(c, keys)
        elif not _not_text(c):
            keys.append(KeyPress(c, c))

    def _after_escape(self, c: str, keys: list[KeyPress]) -> None:
        if c in "[O":
            self.pending = ESC + c
        elif ESC + c in ANSI_SEQUENCES:
            self.pending = ""
            self._emit(ESC + c, keys)
        else:  # Esc, then a key (as prompt_toolkit reads Alt-key)
            self.pending = ""
            keys.append(KeyPress(Keys.Escape, ESC))
            self._ground(c, keys)

    @staticmethod
    def _emit(sequence: str, keys: list[KeyPress]) -> None:
        key: Key | None = ANSI_SEQUENCES.get(sequence)
        if key is None or key in NOT_KEYS:
            return
        if isinstance(key, tuple):
            keys += [KeyPress(k, sequence if i == 0 else "") for i, k in enumerate(key)]
        else:
            keys.append(KeyPress(key, sequence))


class KioskInput(Vt100Input):
    """The terminal's input, read through KeyReader."""

    def __init__(self, stdin: TextIO):
        super().__init__(stdin)
        self.reader = KeyReader()

    def read_keys(self) -> list[KeyPress]:
        return self.reader.feed(self.stdin_reader.read())

    def flush_keys(self) -> list[KeyPress]:
        return self.reader.flush()

    def new_screen(self) -> None:
        """A half-typed sequence never carries over to another screen, or to the next person."""
        self.reader.reset()


class KioskOutput(Vt100_Output):
    """prompt_toolkit's terminal output without bracketed paste (and, made by `kiosk_terminal`, without
    cursor-position requests)."""

    def enable_bracketed_paste(self) -> None:
        pass  # a paste comes in as typed keys, through KeyReader


def kiosk_terminal(stdin: TextIO | None = None, stdout: TextIO | None = None) -> tuple[KioskInput, Vt100_Output]:
    """The kiosk's input and output on this process's terminal, with paste and mouse reporting off."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    output = KioskOutput.from_pty(stdout, term=os.environ.get("TERM"), default_color_depth=ColorDepth.from_env())
    output.enable_cpr = False
    output.write_raw(PASTE_AND_MOUSE_OFF)  # in case a program before the kiosk turned them on
    output.flush()
    return KioskInput(stdin), output
