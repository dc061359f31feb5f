"""The answer words and question types every part shares, apart from the knowledge model so that the
interview's opening screen can be drawn without importing the model (docs/benchmarks.md).

Each question type has one QuestionKind: what its questions offer, what an answer looks like and how it
is put to a person. The rest of the package asks the kind, never which type a question has, so that a
new type is mostly a new kind here (docs/architecture.md, "Adding a question type").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import assert_never

YES, NO, NOT_SURE = "yes", "no", "not_sure"


class Prompt(Enum):
    """How a question is put to a person."""

    SELECT = "select"  # one line chosen from a list: arrow keys and Enter, or one number
    TICK_BOXES = "tick_boxes"  # any number of lines ticked, none included: space and Enter, or numbers


@dataclass(frozen=True)
class QuestionKind:
    """What every question of one type shares."""

    fixed_values: tuple[str, ...]  # the answers every question of the type takes; () when it has options
    is_list: bool  # an answer is a list of option ids (possibly empty), not one value
    prompt: Prompt

    @property
    def takes_options(self) -> bool:
        """Whether each question lists its own options (and may offer some only when a condition holds)."""
        return not self.fixed_values


class QuestionType(StrEnum):
    YES_NO = "yes_no"
    YES_NO_UNSURE = "yes_no_unsure"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"

    @property
    def kind(self) -> QuestionKind:
        return _KINDS[self]


def _kind(question_type: QuestionType) -> QuestionKind:
    match question_type:
        case QuestionType.YES_NO:
            return QuestionKind((YES, NO), is_list=False, prompt=Prompt.SELECT)
        case QuestionType.YES_NO_UNSURE:
            return QuestionKind((YES, NO, NOT_SURE), is_list=False, prompt=Prompt.SELECT)
        case QuestionType.SINGLE_CHOICE:
            return QuestionKind((), is_list=False, prompt=Prompt.SELECT)
        case QuestionType.MULTIPLE_CHOICE:
            return QuestionKind((), is_list=True, prompt=Prompt.TICK_BOXES)
        case _:
            assert_never(question_type)


_KINDS = {question_type: _kind(question_type) for question_type in QuestionType}
