"""`triage` itself in an 80x24 pseudo-terminal (pexpect): keys in, everything it wrote out.

PROMPT_TOOLKIT_NO_CPR=1 spares each prompt a one-second wait for a cursor-position reply.
"""

from __future__ import annotations

import io
import os
import re
import sys
from pathlib import Path

import pexpect

DOWN, ENTER, CTRL_C = "\x1b[B", "\r", "\x03"
POINTER = " » "  # drawn at the first line of a menu: once it is there, the prompt takes keys
CSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
SGR = re.compile(r"\x1b\[([0-9;]*)m")
PROMPT_ENDS, PROMPT_STARTS = "\x1b[?2004l", "\x1b[?2004h"  # bracketed paste off/on around every prompt


def environment(no_color: bool = False) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env.update(PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm", PYTHONIOENCODING="utf-8")
    if no_color:
        env["NO_COLOR"] = "1"
    return env


def flat(text: str) -> str:
    return " ".join(text.split())


class Terminal:
    """`triage` in a pseudo-terminal; `raw` is everything it wrote, `text` the same without escapes."""

    def __init__(self, cwd: Path, *args: str, no_color: bool = False):
        self.log = io.StringIO()
        self.child = pexpect.spawn(sys.executable, ["-m", "triage", *args], cwd=str(cwd),
                                   env=environment(no_color), dimensions=(24, 80), encoding="utf-8",
                                   codec_errors="replace", timeout=10)
        self.child.logfile_read = self.log

    @property
    def raw(self) -> str:
        return self.log.getvalue()

    @property
    def text(self) -> str:
        return CSI.sub("", self.raw).replace("\r", "")

    def wait(self, *texts: str) -> None:
        """Wait until each text has appeared, in order."""
        for text in texts:
            self.child.expect_exact(text)

    def at_question(self, number: int) -> None:
        """Wait for the progress line of question `number` ("Question 7 of at most 30", "Question 20, the last one")."""
        self.child.expect(rf"Question {number}( of|,)")

    def keys(self, *keys: str) -> None:
        self.child.send("".join(keys))

    def choose(self, message: str, downs: int = 0) -> None:
        """At a menu: arrow down `downs` times, then Enter."""
        self.wait(message, POINTER)
        self.keys(DOWN * downs, ENTER)

    def choose_after_pages(self, message: str, downs: int = 0) -> None:
        """Read every page of a long text ("Show more"), then at `message` choose as `choose` does."""
        while self.child.expect_exact(["More?", message]) == 0:
            self.wait(POINTER)
            self.keys(ENTER)
            # The answered prompt is drawn again ("More? Show more"): step over it, it is not a new page.
            self.child.expect(r"More\?(?:\x1b\[[0-9;?]*[A-Za-z]|\s)*Show more")
        self.wait(POINTER)
        self.keys(DOWN * downs, ENTER)

    def select(self, number: int, downs: int) -> None:
        """At question `number`: Yes (0), No (1), Not sure (2); or the n-th option of a single choice."""
        self.at_question(number)
        self.wait(POINTER)
        self.keys(DOWN * downs, ENTER)

    def tick_nothing(self, number: int) -> None:
        self.at_question(number)
        self.wait("(space", POINTER)
        self.keys(ENTER)

    def answer_routine(self, first: int = 1, last: int = 20) -> None:
        """A woman who says 'no' and ticks nothing, from question `first` to question `last`."""
        for number in range(first, last + 1):
            if number in (8, 10, 13):
                self.tick_nothing(number)  # general signs, past illnesses, swelling of face or legs
            else:
                self.select(number, 1)  # 'No'; at question 6 'Female'

    def exit_status(self) -> int:
        self.child.expect(pexpect.EOF)
        self.child.close()
        return self.child.exitstatus

    def printed_around(self, marker: str) -> str:
        """The raw output printed while no prompt was on the screen, around the first `marker`."""
        raw = self.raw
        at = raw.index(marker)
        start = raw.rfind(PROMPT_ENDS, 0, at)
        end = raw.find(PROMPT_STARTS, at)
        return raw[start + len(PROMPT_ENDS):end if end != -1 else len(raw)]
