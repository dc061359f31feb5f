"""One long-lived prompt_toolkit application that puts every select and checkbox question of a session up.

questionary builds a new prompt_toolkit application for each prompt, and every new application builds
prompt_toolkit's default key bindings again (vi and emacs: some two thousand bindings) and makes
thousands of objects for the garbage collector to walk. That alone costs about 20 ms between an answer
and the next question, far over the 10 ms the interview allows itself (docs/benchmarks.md). Here the
application, its key bindings, its style and their caches are made once; a new question only swaps in a
new list of choices and the prompt line.

The list is drawn here rather than by questionary's InquirerControl because a frightened person must be
able to read every word at any width: the question and every option are wrapped at word boundaries to
the terminal's width each time the screen is drawn, so they re-flow when the window is resized. Actions
("What does this mean?", "Go back") are drawn without a tick box and act on Enter (or Space) in every
kind of question, keeping what is ticked; `h` / `?` and `b` reach them from anywhere in the list.

The keys otherwise are questionary's: arrows / j k / Ctrl-N Ctrl-P to move, space, `a` and `i` for tick
boxes, Enter to answer, Ctrl-C (or Ctrl-Q) raising KeyboardInterrupt; the answered line looks as
questionary draws it, but a list's names every line ticked (or "None of these") instead of a count.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import questionary
from prompt_toolkit.application import Application
from prompt_toolkit.data_structures import Point
from prompt_toolkit.filters import Condition, IsDone
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import ConditionalContainer, HSplit, Layout, ScrollOffsets, Window
from prompt_toolkit.layout.controls import FormattedTextControl, UIContent, UIControl
from prompt_toolkit.styles import Style
from questionary import Choice, Separator
from questionary.styles import merge_styles_default

from triage.texts import ui

if TYPE_CHECKING:
    from prompt_toolkit.layout.controls import GetLinePrefixCallable

QMARK = "?"
POINTER = "»"
TICKED, UNTICKED = "●", "○"
_LEFT = 3  # " » " or three spaces before every item
_NARROWEST = 8  # an item's text is never squeezed below this many columns


@dataclass(frozen=True)
class Acted:
    """A checkbox left through an action (help, back): which one, and what was ticked at that moment."""

    action: Any
    ticked: tuple[Any, ...]


@dataclass
class Item:
    value: Any
    label: str
    action: bool = False  # drawn without a tick box; Enter (or space) on it acts
    disabled: str | None = None  # shown but not choosable, with the reason
    keys: tuple[str, ...] = ()  # keys that act on it from anywhere in the list
    line: bool = False  # the line between the answers and the actions

    @property
    def choosable(self) -> bool:
        return not self.line and self.disabled is None


@dataclass
class ChoiceList:
    """The current question's items, where the pointer is and what is ticked."""

    items: list[Item]
    multiple: bool
    ticked: list[Any] = field(default_factory=list)
    pointed: int = 0
    answered: bool = False
    acted: str | None = None  # the label of the action chosen, shown on the prompt line as an answer is
    _drawn: tuple[tuple[Any, ...], tuple[list[StyleAndTextTuples], int]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.items[self.pointed].choosable:
            self.move(1)

    @property
    def current(self) -> Item:
        return self.items[self.pointed]

    def move(self, step: int) -> None:
        for _ in self.items:
            self.pointed = (self.pointed + step) % len(self.items)
            if self.items[self.pointed].choosable:
                return

    def tickable(self) -> list[Any]:
        return [i.value for i in self.items if i.choosable and not i.action]

    def lines(self, width: int) -> tuple[list[StyleAndTextTuples], int]:
        # Asked twice per redraw (height, then content): wrap once per width, pointer and ticks.
        key = (width, self.pointed, tuple(self.ticked))
        if self._drawn is None or self._drawn[0] != key:
            self._drawn = (key, self._lines(width))
        return self._drawn[1]

    def _lines(self, width: int) -> tuple[list[StyleAndTextTuples], int]:
        """The items wrapped to `width`, and the last line of the item pointed at: the list scrolls to show it,
        and keeps a few lines above it in view, so a long option is seen whole."""
        lines: list[StyleAndTextTuples] = []
        pointer_line = 0
        for index, item in enumerate(self.items):
            if item.line:
                lines.append([("class:separator", " " * _LEFT + "-" * min(15, max(width - _LEFT - 1, 1)))])
                continue
            here = index == self.pointed
            ticked = item.value in self.ticked
            box = "" if not self.multiple or item.action or item.disabled is not None else (
                f"{TICKED if ticked else UNTICKED} ")
            label = item.label if item.disabled is None else f"- {item.label} ({item.disabled})"
            style = ("class:disabled" if item.disabled is not None else "class:selected" if ticked
                     else "class:highlighted" if here else "class:text")
            room = max(width - _LEFT - len(box) - 1, _NARROWEST)
            parts = textwrap.wrap(label, room, break_on_hyphens=False) or [""]
            lines.append([("class:pointer" if here else "class:text", f" {POINTER} " if here else " " * _LEFT),
                          (style, box + parts[0])])
            lines += [[("class:text", " " * (_LEFT + len(box))), (style, part)] for part in parts[1:]]
            if here:
                pointer_line = len(lines) - 1
        return lines, pointer_line


class ChoicePrompt:
    """`select(...)` and `checkbox(...)` return a questionary Question whose application is always the same."""

    def __init__(self, style: Style | None = None, **app_kwargs: Any):
        self.style, self.app_kwargs = style, app_kwargs
        self._build()

    def _build(self) -> None:
        self.control = ChoiceList([Item(None, " ")], multiple=False)  # replaced by every question
        self.message = ""
        self.instruction = ""
        self.needs_a_tick: str | None = None  # what Enter with nothing ticked says, where that is not an answer
        self.refused = False  # Enter was pressed with nothing ticked: the line says why while nothing is
        prompt_line = Window(FormattedTextControl(self._prompt_tokens), dont_extend_height=True,
                             always_hide_cursor=True)
        # The list scrolls to the last line of the option pointed at; the three lines above it stay in view,
        # so an option wrapped over four lines is always seen whole, even on a small screen.
        choices = Window(_ListControl(self), always_hide_cursor=True, scroll_offsets=ScrollOffsets(top=3, bottom=1))
        layout = Layout(HSplit([prompt_line, ConditionalContainer(choices, filter=~IsDone())]))
        # The checkbox style keeps a validation toolbar from showing reversed, as questionary's checkbox does.
        self.application: Application[Any] = Application(
            layout=layout, key_bindings=self._bindings(), style=merge_styles_default(
                [Style([("bottom-toolbar", "noreverse")]), self.style]), **self.app_kwargs)
        self.question = questionary.Question(self.application)

    def select(self, message: str, choices: list[Any], default: Any = None, instruction: str | None = None,
               actions: tuple[Item, ...] = ()) -> questionary.Question:
        items = _items(choices, actions)
        pointed = next((n for n, i in enumerate(items) if default is not None and i.value == default), 0)
        self._show(message, ChoiceList(items, multiple=False, pointed=pointed),
                   instruction or ui("interview.select_instruction", keys=""))
        return self.question

    def checkbox(self, message: str, choices: list[Any], instruction: str,
                 actions: tuple[Item, ...] = (), needs_a_tick: str | None = None) -> questionary.Question:
        """The answer is the list of ticked values, or Acted when an action was chosen. With `needs_a_tick`,
        Enter with nothing ticked does not answer: the prompt stays and shows that text instead."""
        ticked = [c.value for c in choices if isinstance(c, Choice) and c.checked and not c.disabled]
        self._show(message, ChoiceList(_items(choices, actions), multiple=True, ticked=ticked), instruction)
        self.needs_a_tick = needs_a_tick
        return self.question

    def forget(self) -> None:
        """Drop the last question and its answer (the kiosk, when a person leaves).

        prompt_toolkit keeps what an application drew in caches (the last screen, the last drawings of
        each control), so the whole application is made anew: about 10 ms, once per person.
        """
        self._build()

    def _show(self, message: str, control: ChoiceList, instruction: str) -> None:
        self.message, self.instruction, self.control = message, instruction, control
        self.needs_a_tick, self.refused = None, False

    # --- what is drawn --------------------------------------------------------------------------------------

    def _columns(self) -> int:
        return self.application.output.get_size().columns

    def _prompt_tokens(self) -> StyleAndTextTuples:
        if self.control.answered:
            tail = ("class:answer", self._answer_words())
        elif self.refused and not self.control.ticked:
            tail = ("bold", f"({self.needs_a_tick})")
        else:
            tail = ("class:instruction", self.instruction)
        return styled_wrap([("class:qmark", QMARK), ("class:question", self.message), tail],
                           self._columns() - 1, "  ")

    def _answer_words(self) -> str:
        """As questionary shows an answer once it is given, except that a list names every line ticked.

        questionary writes "done (2 selections)" or "done", which tells someone scrolling back nothing of
        what they said."""
        if self.control.acted is not None:
            return self.control.acted
        if not self.control.multiple:
            return self.control.current.label
        ticked = [i.label for i in self.control.items if i.value in self.control.ticked]
        if not ticked:
            return ui("answer.label_none")
        return f"[{'; '.join(ticked)}]"  # labels have commas of their own

    # --- keys -----------------------------------------------------------------------------------------------

    def _bindings(self) -> KeyBindings:
        kb = KeyBindings()
        ticking = Condition(lambda: self.control.multiple)
        for keys, handler, only_ticking in (
                ((Keys.ControlC,), self._interrupt, False), ((Keys.ControlQ,), self._interrupt, False),
                ((Keys.Down,), self._down, False), (("j",), self._down, False), ((Keys.ControlN,), self._down, False),
                ((Keys.Up,), self._up, False), (("k",), self._up, False), ((Keys.ControlP,), self._up, False),
                ((" ",), self._tick, True), (("i",), self._invert, True), (("a",), self._tick_all, True),
                ((Keys.ControlM,), self._answer, False)):
            kb.add(*keys, eager=True, filter=ticking if only_ticking else True)(handler)
        for key in ("h", "?", "b"):
            kb.add(key, eager=True)(self._action_key)
        kb.add(Keys.Any)(lambda event: None)  # typing does nothing
        return kb

    @staticmethod
    def _interrupt(event: Any) -> None:
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    def _down(self, event: Any) -> None:
        self.control.move(1)

    def _up(self, event: Any) -> None:
        self.control.move(-1)

    def _tick(self, event: Any) -> None:
        item = self.control.current
        if item.action:
            self._act(event, item)
            return
        ticked = self.control.ticked
        if item.value in ticked:
            ticked.remove(item.value)
        else:
            ticked.append(item.value)

    def _invert(self, event: Any) -> None:
        self.control.ticked = [v for v in self.control.tickable() if v not in self.control.ticked]

    def _tick_all(self, event: Any) -> None:
        tickable = self.control.tickable()
        all_ticked = all(v in self.control.ticked for v in tickable)
        self.control.ticked = [] if all_ticked else tickable

    def _action_key(self, event: Any) -> None:
        item = next((i for i in self.control.items if i.action and event.data in i.keys), None)
        if item is not None:
            self._act(event, item)

    def _act(self, event: Any, item: Item) -> None:
        self.control.answered, self.control.acted = True, item.label
        if self.control.multiple:
            event.app.exit(result=Acted(item.value, self._ticked()))
        else:
            event.app.exit(result=item.value)

    def _answer(self, event: Any) -> None:
        item = self.control.current
        if item.action:
            self._act(event, item)
            return
        if self.control.multiple and self.needs_a_tick and not self._ticked():
            self.refused = True
            return
        self.control.answered = True
        event.app.exit(result=list(self._ticked()) if self.control.multiple else item.value)

    def _ticked(self) -> tuple[Any, ...]:
        """In the order shown, whatever the order of ticking."""
        return tuple(i.value for i in self.control.items if i.value in self.control.ticked)


def _items(choices: list[Any], actions: tuple[Item, ...]) -> list[Item]:
    items = []
    for choice in choices:
        if isinstance(choice, Separator):
            items.append(Item(None, "", line=True))
        elif isinstance(choice, Choice):
            disabled = None if not choice.disabled else (choice.disabled if isinstance(choice.disabled, str) else "")
            items.append(Item(choice.value, _title(choice.title), disabled=disabled))
        else:
            items.append(Item(choice, str(choice)))
    if actions:
        items += [Item(None, "", line=True), *actions]
    return items


def styled_wrap(fragments: StyleAndTextTuples, width: int, indent: str) -> StyleAndTextTuples:
    """Styled text wrapped at word boundaries to `width`, later lines indented: the prompt line.

    Words keep their style; a word longer than a whole line is cut, as nothing else can show it.
    """
    out: StyleAndTextTuples = []
    column = 0
    room = max(width, len(indent) + _NARROWEST)
    for fragment in fragments:
        style, text = fragment[0], fragment[1]
        for word in text.split():
            while len(indent) + len(word) > room:  # only a word wider than the screen is ever cut
                cut = room - len(indent)
                if column:
                    out.append(("", "\n" + indent))
                out.append((style, word[:cut]))
                column, word = room, word[cut:]
            if column and column + 1 + len(word) > room:
                out.append(("", "\n" + indent))
                column = len(indent)
            elif column:
                out.append((style, " "))
                column += 1
            out.append((style, word))
            column += len(word)
    return out


class _ListControl(UIControl):
    """The current question's list, behind one control object that stays in the layout.

    prompt_toolkit caches the key bindings of a layout by the set of its controls; a new control in the
    layout for each question would make it sort through its two thousand default bindings again.
    """

    def __init__(self, prompt: ChoicePrompt):
        self.prompt = prompt

    def preferred_height(self, width: int, max_available_height: int, wrap_lines: bool,
                         get_line_prefix: GetLinePrefixCallable | None) -> int | None:
        return len(self.prompt.control.lines(width)[0])

    def is_focusable(self) -> bool:
        return True

    def create_content(self, width: int, height: int) -> UIContent:
        lines, pointer_line = self.prompt.control.lines(width)
        return UIContent(get_line=lambda n: lines[n], line_count=len(lines),
                         cursor_position=Point(x=0, y=pointer_line))


def _title(title: Any) -> str:
    return "".join(fragment[1] for fragment in title) if isinstance(title, list) else str(title)
