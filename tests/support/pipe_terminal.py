"""A QuestionaryAsker driven through prompt_toolkit's pipe input, its screen written into a string."""

from __future__ import annotations

import io
import re

from prompt_toolkit.data_structures import Size
from prompt_toolkit.output.vt100 import Vt100_Output

from triage.frontends.asker import QuestionaryAsker

DOWN, ENTER, SPACE, CTRL_C = "\x1b[B", "\r", " ", "\x03"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def flat(text: str) -> str:
    """Text with every run of white space made one space: for finding a wrapped sentence."""
    return " ".join(text.split())


class Terminal:
    """A QuestionaryAsker whose keys come from a pipe and whose screen is written into a string."""

    def __init__(self, pipe):
        self.pipe = pipe
        self.written = io.StringIO()
        self.output = Vt100_Output(self.written, lambda: Size(rows=24, columns=80), term="xterm")
        self.asker = QuestionaryAsker(input=pipe, output=self.output)

    def type(self, *keys: str) -> None:
        self.pipe.send_text("".join(keys))

    def screen(self) -> str:
        """Everything drawn so far, without escape sequences (redrawn prompts appear more than once)."""
        self.output.flush()
        return ANSI.sub("", self.written.getvalue()).replace("\r", "")
