"""One long-lived prompt_toolkit application that puts every select and checkbox question of a session up.

questionary builds a new prompt_toolkit application for each prompt, and every new application builds
prompt_toolkit's default key bindings again (vi and emacs: some two thousand bindings) and makes
thousands of objects for the garbage collector to walk. That alone costs about 20 ms between an answer
and the next question, far over the 10 ms the interview allows itself (docs/benchmarks.md). Here the
application, its key bindings, its style and their caches are made once; a new question only swaps in a
new questionary `InquirerControl` (the list of choices) and the prompt line.

What the person sees and which keys work are questionary's `select` and `checkbox`: the same control,
the same "?" line, the same answer shown after Enter, arrow / j k / Ctrl-N Ctrl-P keys, space, `a` and
`i` for tick boxes, Ctrl-C (or Ctrl-Q) raising KeyboardInterrupt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import questionary
from prompt_toolkit.application import Application
from prompt_toolkit.filters import Condition, IsDone
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import ConditionalContainer, HSplit, Layout, Window
from prompt_toolkit.layout.controls import FormattedTextControl, UIControl
from prompt_toolkit.styles import Style
from questionary.prompts.common import InquirerControl, Separator
from questionary.styles import merge_styles_default

from triage.texts import ui

if TYPE_CHECKING:
    from prompt_toolkit.key_binding.key_bindings import KeyBindingsBase, NotImplementedOrNone
    from prompt_toolkit.layout.controls import GetLinePrefixCallable, UIContent
    from prompt_toolkit.mouse_events import MouseEvent

QMARK = "?"


class ChoicePrompt:
    """`select(...)` and `checkbox(...)` return a questionary Question whose application is always the same."""

    def __init__(self, style: Style | None = None, **app_kwargs: Any):
        self.style, self.app_kwargs = style, app_kwargs
        self._build()

    def _build(self) -> None:
        self.control = InquirerControl([" "])  # replaced by every question
        self.message = ""
        self.instruction = ""
        self.multiple = False
        prompt_line = Window(FormattedTextControl(self._prompt_tokens), wrap_lines=True, dont_extend_height=True,
                             always_hide_cursor=True)
        layout = Layout(HSplit([prompt_line,
                                ConditionalContainer(Window(_CurrentControl(self)), filter=~IsDone())]))
        # The checkbox style keeps a validation toolbar from showing reversed, as questionary's checkbox does.
        self.application: Application[Any] = Application(
            layout=layout, key_bindings=self._bindings(), style=merge_styles_default(
                [Style([("bottom-toolbar", "noreverse")]), self.style]), **self.app_kwargs)
        self.question = questionary.Question(self.application)

    def select(self, message: str, choices: list[Any], default: Any = None,
               instruction: str | None = None) -> questionary.Question:
        self._show(message, InquirerControl(choices, default, use_indicator=False, initial_choice=default),
                   instruction or ui("interview.select_instruction"), multiple=False)
        return self.question

    def checkbox(self, message: str, choices: list[Any], instruction: str) -> questionary.Question:
        self._show(message, InquirerControl(choices), instruction, multiple=True)
        return self.question

    def forget(self) -> None:
        """Drop the last question and its answer (the kiosk, when a person leaves).

        prompt_toolkit keeps what an application drew in caches (the last screen, the last drawings of
        each control), so the whole application is made anew: about 10 ms, once per person.
        """
        self._build()

    def _show(self, message: str, control: InquirerControl, instruction: str, multiple: bool) -> None:
        self.message, self.instruction, self.multiple = message, instruction, multiple
        self.control = control

    # --- what is drawn --------------------------------------------------------------------------------------

    def _prompt_tokens(self) -> StyleAndTextTuples:
        tokens: StyleAndTextTuples = [("class:qmark", QMARK), ("class:question", f" {self.message} ")]
        if not self.control.is_answered:
            return tokens + [("class:instruction", self.instruction)]
        return tokens + [("class:answer", self._answer_words())]

    def _answer_words(self) -> str:
        """As questionary shows an answer once it is given."""
        if not self.multiple:
            return _title(self.control.get_pointed_at().title)
        ticked = self.control.get_selected_values()
        if not ticked:
            return ui("interview.ticked_none")
        if len(ticked) == 1:
            return f"[{_title(ticked[0].title)}]"
        return ui("interview.ticked_many", count=len(ticked))

    # --- keys -----------------------------------------------------------------------------------------------

    def _bindings(self) -> KeyBindings:
        kb = KeyBindings()
        ticking = Condition(lambda: self.multiple)
        for keys, handler, only_ticking in (
                ((Keys.ControlC,), self._interrupt, False), ((Keys.ControlQ,), self._interrupt, False),
                ((Keys.Down,), self._down, False), (("j",), self._down, False), ((Keys.ControlN,), self._down, False),
                ((Keys.Up,), self._up, False), (("k",), self._up, False), ((Keys.ControlP,), self._up, False),
                ((" ",), self._tick, True), (("i",), self._invert, True), (("a",), self._tick_all, True),
                ((Keys.ControlM,), self._answer, False)):
            kb.add(*keys, eager=True, filter=ticking if only_ticking else True)(handler)
        kb.add(Keys.Any)(lambda event: None)  # typing does nothing
        return kb

    @staticmethod
    def _interrupt(event: Any) -> None:
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    def _down(self, event: Any) -> None:
        self.control.select_next()
        while not self.control.is_selection_valid():
            self.control.select_next()

    def _up(self, event: Any) -> None:
        self.control.select_previous()
        while not self.control.is_selection_valid():
            self.control.select_previous()

    def _tick(self, event: Any) -> None:
        pointed = self.control.get_pointed_at().value
        ticked = self.control.selected_options
        if pointed in ticked:
            ticked.remove(pointed)
        else:
            ticked.append(pointed)

    def _invert(self, event: Any) -> None:
        self.control.selected_options = [v for v in self._tickable() if v not in self.control.selected_options]

    def _tick_all(self, event: Any) -> None:
        tickable = self._tickable()
        all_ticked = all(v in self.control.selected_options for v in tickable)
        self.control.selected_options = [] if all_ticked else tickable

    def _answer(self, event: Any) -> None:
        self.control.is_answered = True
        if self.multiple:
            event.app.exit(result=[c.value for c in self.control.get_selected_values()])
        else:
            event.app.exit(result=self.control.get_pointed_at().value)

    def _tickable(self) -> list[Any]:
        return [c.value for c in self.control.choices if not isinstance(c, Separator) and not c.disabled]


class _CurrentControl(UIControl):
    """The current question's InquirerControl, behind one control object that stays in the layout.

    prompt_toolkit caches the key bindings of a layout by the set of its controls; a new control in the
    layout for each question would make it sort through its two thousand default bindings again.
    """

    def __init__(self, prompt: ChoicePrompt):
        self.prompt = prompt

    def reset(self) -> None:
        self.prompt.control.reset()

    def preferred_width(self, max_available_width: int) -> int | None:
        return self.prompt.control.preferred_width(max_available_width)

    def preferred_height(self, width: int, max_available_height: int, wrap_lines: bool,
                         get_line_prefix: GetLinePrefixCallable | None) -> int | None:
        return self.prompt.control.preferred_height(width, max_available_height, wrap_lines, get_line_prefix)

    def is_focusable(self) -> bool:
        return self.prompt.control.is_focusable()

    def create_content(self, width: int, height: int) -> UIContent:
        return self.prompt.control.create_content(width, height)

    def mouse_handler(self, mouse_event: MouseEvent) -> NotImplementedOrNone:
        return self.prompt.control.mouse_handler(mouse_event)

    def get_key_bindings(self) -> KeyBindingsBase | None:
        return self.prompt.control.get_key_bindings()


def _title(title: Any) -> str:
    return "".join(text for _, text in title) if isinstance(title, list) else str(title)
