"""Width, wrapping, headings and rules for every text screen (terminal interview, kiosk, printed result).

The width follows the terminal the person is using: a front end calls `use_columns` with the terminal's
width before it draws a screen. Without a terminal (a file, a pipe, `triage run`) lines are 78 wide. Light
on imports: the interview's opening screen is drawn with it before the knowledge model is loaded.
"""

from __future__ import annotations

import textwrap

WIDTH = 78  # without a terminal: readable at 80 columns, with room for a scroll bar or a border
MEASURE = 100  # on a wide terminal: longer lines are hard to follow back to their start
NARROWEST = 20  # below this no sentence reads well; lines wrap, words are cut only if longer than this

_width = WIDTH


def use_columns(columns: int | None) -> None:
    """Lay out the next screens for a terminal `columns` wide (None: no terminal, the 78-column default).

    Two columns are kept free, as at 80: many terminals move to a new line when the last column is
    written, and a scroll bar or a border may take one.
    """
    global _width
    _width = WIDTH if columns is None else max(NARROWEST, min(columns - 2, MEASURE))


def text_width() -> int:
    return _width


def _lines(text: str, width: int, first: str, rest: str) -> list[str]:
    # Hyphenated words stay whole (a label such as "X-ray" must not break at its hyphen).
    return textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest,
                         break_on_hyphens=False) or [first.rstrip()]


def fill(text: str, first: str = "", rest: str | None = None) -> str:
    """`text` as one paragraph, its spaces and line breaks evened out; `first` starts the first line and
    `rest` (by default the same as `first`) every later one."""
    return "\n".join(_lines(" ".join(text.split()), _width, first, first if rest is None else rest))


def wrap(text: str, indent: str = "") -> str:
    """Each line of `text` wrapped on its own (a line break in `text` stays a line break), all indented."""
    return "\n".join("\n".join(_lines(p, _width, indent, indent)) if p.strip() else p.rstrip()
                     for p in text.split("\n"))


def hang(text: str, first: str, rest: str, width: int | None = None) -> str:
    """`text` wrapped as is (no evening out of spaces), with a hanging indent: a numbered line, an option."""
    return "\n".join(_lines(text, width or _width, first, rest))


def heading(title: str) -> str:
    """A title underlined with '=' (as long as the title, or the line where the title wraps)."""
    lines = _lines(title, _width, "", "")
    return "\n".join(lines) + "\n" + "=" * max(len(line) for line in lines)


def rule(mark: str = "-") -> str:
    """A line across the text width."""
    return mark * _width


def framed(text: str, mark: str) -> str:
    """`text` between two lines of `mark`: what must not be missed (the result's urgency)."""
    return f"{rule(mark)}\n{text}\n{rule(mark)}"
