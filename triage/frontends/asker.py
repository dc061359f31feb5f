"""How a question is put to a person: with questionary (cursor keys) or in plain numbered lines.

Both askers return the same things to the interview: an answer value, or GO_BACK.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from triage.render.layout import WIDTH, hang, rule, wrap
from triage.texts import plain_list, ui
from triage.vocabulary import NO, NOT_SURE, YES, Prompt

if TYPE_CHECKING:  # only for types: the opening screen is drawn before the model and engine are imported
    from triage.model import Option, Question
    from triage.outcome import AnswerValue
    from triage.session import Progress

GO_BACK = "__go_back__"
_HELP = "__help__"


def _yes_no_labels() -> dict[str, str]:
    return {YES: ui("answer.label_yes"), NO: ui("answer.label_no"), NOT_SURE: ui("answer.label_not_sure")}


def _tick_instruction() -> str:
    # On a line of its own, wrapped: after a long question it would otherwise break mid-word at 80 columns.
    return "\n" + hang(ui("interview.tick_instruction"), "", "")


class Asker(Protocol):
    def ask(self, question: Question, options: tuple[Option, ...], progress: Progress, can_go_back: bool,
            default: AnswerValue | None = None) -> AnswerValue: ...

    def choose(self, message: str, choices: list[tuple[str, str]]) -> str: ...

    def say(self, text: str, emphasis: bool = False) -> None: ...

    def confirm_quit(self) -> bool: ...


def choices_for(question: Question, options: tuple[Option, ...]) -> list[tuple[str, str]]:
    """(value, label) pairs in the order shown."""
    if not question.kind.takes_options:
        labels = _yes_no_labels()
        return [(v, labels[v]) for v in question.values]
    return [(o.id, o.label) for o in options]


def progress_line(progress: Progress) -> str:
    if progress.changing:
        return ui("interview.progress_changing", number=progress.number)
    left = ui("interview.progress_last") if progress.left == 0 else ui("interview.progress_left", count=progress.left)
    return ui("interview.progress", number=progress.number, left=left)


def _fit(label: str) -> str:
    """An option label wrapped under its tick box, so that no word is cut off at 80 columns."""
    return hang(label, "", " " * 5, WIDTH - 3)


def _numbered(number: int, label: str) -> str:
    return hang(label, f"  {number}) ", " " * 6)


class PlainAsker:
    """Numbered options, one line at a time: for screen readers, dumb terminals and piped input."""

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
        hint = ui("plain.hint_many") if multiple else ui("plain.hint_one")
        while True:
            reply = self._read(ui("plain.answer_prompt", hint=hint)).lower()
            if reply == "h" and question.help:
                self.say(wrap(question.help, "  "))
            elif reply == "b" and can_go_back:
                return GO_BACK
            else:
                value = self._parse(reply, choices, multiple)
                if value is not None:
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
            self.say(ui("plain.choose_again"))

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

    def _select(self, message: str, choices: list[Any], default: Any = None, instruction: str | None = None) -> Any:
        return self._run(self.prompt.select(message, choices, default=default, instruction=instruction))

    def ask(self, question: Question, options: tuple[Option, ...], progress: Progress, can_go_back: bool,
            default: AnswerValue | None = None) -> AnswerValue:
        q = self.questionary
        extras = ([q.Choice(ui("interview.help_button"), value=_HELP)] if question.help else []) + (
            [q.Choice(ui("interview.back_button"), value=GO_BACK)] if can_go_back else [])
        self.say("\n" + progress_line(progress))
        while True:
            if question.kind.prompt is Prompt.TICK_BOXES:
                checked = set(default) if isinstance(default, tuple) else set()
                choices = [q.Choice(_fit(label), value=v, checked=v in checked)
                           for v, label in choices_for(question, options)]
                if extras:
                    choices += [q.Separator()] + extras
                reply = self._run(self.prompt.checkbox(wrap(question.text), choices, _tick_instruction()))
                special = [r for r in reply if r in (_HELP, GO_BACK)]
                value: Any = special[0] if special else tuple(v for v, _ in choices_for(question, options)
                                                              if v in reply)
            else:
                choices = [q.Choice(_fit(label), value=v) for v, label in choices_for(question, options)]
                value = self._select(wrap(question.text), choices + ([q.Separator()] + extras if extras else []),
                                     default=default if isinstance(default, str) else None)
            if value == _HELP:
                self.say(wrap(question.help or "", "  "))
                continue
            return value

    def choose(self, message: str, choices: list[tuple[str, str]]) -> str:
        return self._select(wrap(message), [self.questionary.Choice(label, value=v) for v, label in choices])

    def confirm_quit(self) -> bool:
        try:
            question = self.questionary.confirm(ui("interview.quit_question"), default=False,
                                                style=self.style, **self.prompt_kwargs)
            return bool(self._run(question))
        except KeyboardInterrupt:
            return True
