"""The answer words and question types every part shares, apart from the knowledge model so that the
interview's opening screen can be drawn without importing the model (docs/benchmarks.md)."""

from __future__ import annotations

from enum import StrEnum

YES, NO, NOT_SURE = "yes", "no", "not_sure"


class QuestionType(StrEnum):
    YES_NO = "yes_no"
    YES_NO_UNSURE = "yes_no_unsure"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
