"""Width, wrapping, headings and rules for every text screen (terminal interview, kiosk, printed result).

One place, so that the width can later follow the terminal's. Light on imports: the interview's opening
screen is drawn with it before the knowledge model is loaded.
"""

from __future__ import annotations

import textwrap

WIDTH = 78  # readable at 80 columns, with room for a scroll bar or a border


def fill(text: str, first: str = "", rest: str | None = None) -> str:
    """`text` as one paragraph, its spaces and line breaks evened out; `first` starts the first line and
    `rest` (by default the same as `first`) every later one."""
    return textwrap.fill(" ".join(text.split()), WIDTH, initial_indent=first,
                         subsequent_indent=first if rest is None else rest)


def wrap(text: str, indent: str = "") -> str:
    """Each line of `text` wrapped on its own (a line break in `text` stays a line break), all indented."""
    return "\n".join(textwrap.fill(p, WIDTH, initial_indent=indent, subsequent_indent=indent)
                     for p in text.split("\n"))


def hang(text: str, first: str, rest: str, width: int = WIDTH) -> str:
    """`text` wrapped as is (no evening out of spaces), with a hanging indent: a numbered line, an option."""
    return textwrap.fill(text, width, initial_indent=first, subsequent_indent=rest)


def heading(title: str) -> str:
    """A title underlined with '='."""
    return f"{title}\n{'=' * len(title)}"


def rule(mark: str = "-") -> str:
    """A line across the text width."""
    return mark * WIDTH


def framed(text: str, mark: str) -> str:
    """`text` between two lines of `mark`: what must not be missed (the result's urgency)."""
    return f"{rule(mark)}\n{text}\n{rule(mark)}"
