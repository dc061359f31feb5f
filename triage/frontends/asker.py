"""How a question is put to a person: with questionary (cursor keys) or in plain numbered lines.

Both askers return the same things to the interview: an answer value, or GO_BACK.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from triage.render.layout import hang, rule, wrap
from triage.texts import plain_list, ui
from triage.vocabulary import NO, NOT_SURE, YES, Prompt

if TYPE_CHECKING:  # only for types: the opening screen is drawn before the model and engine are imported
    from triage.model import Option, Question
    from triage.outcome import AnswerValue
    from triage.session import Progress

GO_BACK = "__go_back__"
_HELP = "__help__"
HELP_KEYS, BACK_KEYS = ("h", "?"), ("b",)  # the same keys in plain mode and with cursor keys


def _yes_no_labels() -> dict[str, str]:
    return {YES: ui("answer.label_yes"), NO: ui("answer.label_no"), NOT_SURE: ui("answer.label_not_sure")}


class Asker(Protocol):
    def ask(self, question: Question, options: tuple[Option, ...], progress: Progress, can_go_back: bool,
            default: AnswerValue | None = None) -> AnswerValue: ...

    def choose(self, message: str, choices: list[tuple[str, str]]) -> str: ...

    def say(self, text: str, emphasis: bool = False) -> None: ...

    def confirm_quit(self) -> bool: ...

    def screen_size(self) -> tuple[int, int] | None:
        """(columns, rows) of the person's terminal; None when there is none (a pipe, a file)."""
        ...

    # True where the front end shows long text a screenful at a time by itself (the kiosk's screen).
    pages_itself: bool


def choices_for(question: Question, options: tuple[Option, ...]) -> list[tuple[str, str]]:
    """(value, label) pairs in the order shown."""
    if not question.kind.takes_options:
        labels = _yes_no_labels()
        return [(v, labels[v]) for v in question.values]
    return [(o.id, o.label) for o in options]


def progress_line(progress: Progress) -> str:
    if progress.changing:
        return ui("interview.progress_changing", number=progress.number)
    if progress.at_most <= progress.number:
        return ui("interview.progress_last", number=progress.number)
    return ui("interview.progress", number=progress.number, at_most=progress.at_most)


def _numbered(number: int, label: str) -> str:
    return hang(label, f"  {number}) ", " " * 6)


def _action_keys(has_help: bool, can_go_back: bool) -> str:
    """The keys that reach the actions, for the instruction line ("; h: help; b: back")."""
    return "".join(("; " + ui("interview.key_help") if has_help else "", "; " + ui("interview.key_back")
                    if can_go_back else ""))


def _terminal_size(stream: TextIO) -> tuple[int, int] | None:
    try:
        if not stream.isatty():
            return None
        size = os.get_terminal_size(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return None
    return size.columns, size.lines


class PlainAsker:
    """Numbered options, one line at a time: for screen readers, dumb terminals and piped input."""

    pages_itself = False

    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None):
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout

    def _read(self, prompt: str) -> str:
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            raise EOFError
        if not self.stdin.isatty():
            self.stdout.write(line if line.endswith("\n") else line + "\n")  # echo piped input for the record
        return line.strip()

    def screen_size(self) -> tuple[int, int] | None:
        # Paging needs someone at a terminal on both ends: piped answers would be read as "more".
        if _terminal_size(self.stdin) is None:
            return None
        return _terminal_size(self.stdout)

    def say(self, text: str, emphasis: bool = False) -> None:
        if emphasis:
            text = f"{rule('*')}\n{text}\n{rule('*')}"
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def ask(self, question: Question, options: tuple[Option, ...], progress: Progress, can_go_back: bool,
            default: AnswerValue | None = None) -> AnswerValue:
        choices = choices_for(question, options)
        multiple = question.kind.prompt is Prompt.TICK_BOXES
        lines = ["", progress_line(progress), wrap(question.text)]
        lines += [_numbered(n, label) for n, (_, label) in enumerate(choices, start=1)]
        extras = ([ui("plain.help_key")] if question.help else []) + ([ui("plain.back_key")] if can_go_back else [])
        if extras:
            lines.append("  " + "   ".join(extras))
        self.say("\n".join(lines))
        if not multiple:
            hint = ui("plain.hint_one", count=len(choices))
        elif question.takes(()):
            hint = ui("plain.hint_many", count=len(choices))
        else:
            hint = ui("plain.hint_at_least_one", count=len(choices))
        while True:
            reply = self._read(ui("plain.answer_prompt", hint=hint)).lower()
            if reply in HELP_KEYS and question.help:
                self.say(wrap(question.help, "  "))
            elif reply in BACK_KEYS and can_go_back:
                return GO_BACK
            else:
                value = self._parse(reply, choices, multiple)
                if value is not None and question.takes(value):
                    return value
                keys = [key for key, offered in (("h", question.help), ("b", can_go_back)) if offered]
                self.say(ui("plain.please_type_or", hint=hint, keys=plain_list(keys)) if keys
                         else ui("plain.please_type", hint=hint))

    @staticmethod
    def _parse(reply: str, choices: list[tuple[str, str]], multiple: bool) -> AnswerValue | None:
        parts = reply.replace(",", " ").split()
        if not parts or not all(p.isdigit() for p in parts):
            return None
        numbers = [int(p) for p in parts]
        if multiple:
            if numbers == [0]:
                return ()
            if all(1 <= n <= len(choices) for n in numbers) and len(set(numbers)) == len(numbers):
                return tuple(choices[n - 1][0] for n in sorted(numbers))
            return None
        if len(numbers) == 1 and 1 <= numbers[0] <= len(choices):
            return choices[numbers[0] - 1][0]
        return None

    def choose(self, message: str, choices: list[tuple[str, str]]) -> str:
        self.say("\n".join([wrap(message)] + [_numbered(n, label) for n, (_, label) in enumerate(choices, 1)]))
        while True:
            reply = self._read(ui("plain.choice_prompt"))
            if reply.isdigit() and 1 <= int(reply) <= len(choices):
                return choices[int(reply) - 1][0]
            self.say(ui("plain.choose_again", count=len(choices)))

    def confirm_quit(self) -> bool:
        try:
            return self._read("\n" + ui("plain.quit_prompt")).lower().startswith("y")
        except KeyboardInterrupt:
            return True


def emphasised(text: str, color: bool) -> str:
    """Text between two bars (and bold where colour is on): what the person must not miss, such as an emergency."""
    bar = rule("=")
    text = f"{bar}\n{text}\n{bar}"
    return f"\033[1m{text}\033[0m" if color else text


class QuestionaryAsker:
    """Arrow keys and Enter, via questionary; Ctrl-C reaches the interview as KeyboardInterrupt."""

    pages_itself = False

    def __init__(self, **prompt_kwargs: Any):
        import questionary

        self.questionary = questionary
        self.prompt_kwargs = prompt_kwargs  # tests pass input=/output= here
        self.color = "NO_COLOR" not in os.environ
        self.style = None if self.color else questionary.Style([("", "noinherit")])
        self.output = prompt_kwargs.get("output")
        from triage.frontends.choice_prompt import ChoicePrompt

        self.prompt = ChoicePrompt(self.style, **prompt_kwargs)

    def say(self, text: str, emphasis: bool = False) -> None:
        if emphasis:
            text = emphasised(text, self.color)
        if self.output is not None:
            self.output.write(text + "\n")
        else:
            print(text, flush=True)

    def _run(self, question: Any) -> Any:
        """Put one questionary prompt up; a subclass (the kiosk) may adjust its application first."""
        return question.unsafe_ask()

    def screen_size(self) -> tuple[int, int] | None:
        size = self.prompt.application.output.get_size()
        return size.columns, size.rows

    def ask(self, question: Question, options: tuple[Option, ...], progress: Progress, can_go_back: bool,
            default: AnswerValue | None = None) -> AnswerValue:
        from triage.frontends.choice_prompt import Acted, Item

        actions = tuple(([Item(_HELP, ui("interview.help_button"), action=True, keys=HELP_KEYS)]
                         if question.help else []) +
                        ([Item(GO_BACK, ui("interview.back_button"), action=True, keys=BACK_KEYS)]
                         if can_go_back else []))
        keys = _action_keys(bool(question.help), can_go_back)
        self.say("\n" + progress_line(progress))
        ticked = set(default) if isinstance(default, tuple) else set()
        while True:
            labelled = choices_for(question, options)
            if question.kind.prompt is Prompt.TICK_BOXES:
                choices = [self.questionary.Choice(label, value=v, checked=v in ticked) for v, label in labelled]
                if question.takes(()):
                    instruction, needs_a_tick = ui("interview.tick_instruction", keys=keys), None
                else:
                    instruction = ui("interview.tick_instruction_at_least_one", keys=keys)
                    needs_a_tick = ui("interview.tick_at_least_one")
                reply = self._run(self.prompt.checkbox(question.text, choices, instruction, actions, needs_a_tick))
                if isinstance(reply, Acted):
                    ticked = set(reply.ticked)  # help keeps what the person had ticked
                    value: Any = reply.action
                elif not question.takes(tuple(reply)):  # the prompt refuses it already; never record it
                    continue
                else:
                    value = tuple(reply)
            else:
                value = self._select(question.text, [self.questionary.Choice(label, value=v) for v, label in labelled],
                                     default=default if isinstance(default, str) else None,
                                     instruction=ui("interview.select_instruction", keys=keys), actions=actions)
            if value == _HELP:
                self.say(wrap(question.help or "", "  "))
                continue
            return value

    def _select(self, message: str, choices: list[Any], default: Any = None, instruction: str | None = None,
                actions: tuple[Any, ...] = ()) -> Any:
        return self._run(self.prompt.select(message, choices, default=default, instruction=instruction,
                                            actions=actions))

    def choose(self, message: str, choices: list[tuple[str, str]]) -> str:
        return self._select(message, [self.questionary.Choice(label, value=v) for v, label in choices],
                            instruction=ui("interview.select_instruction", keys=""))

    def confirm_quit(self) -> bool:
        try:
            question = self.questionary.confirm(ui("interview.quit_question"), default=False,
                                                style=self.style, **self.prompt_kwargs)
            return bool(self._run(question))
        except KeyboardInterrupt:
            return True
