"""Complete answer sets for the real or a tiny knowledge base: all 'no', or random with a given generator."""

from __future__ import annotations

from triage.checks.space import ticked
from triage.flow import is_asked, offered_values
from triage.model import KnowledgeBase, QuestionType


def complete_answers(kb: KnowledgeBase, choose, fixed: dict | None = None) -> dict:
    """A full, valid set of answers: every question that would be asked gets one, chosen by `choose`.

    `choose(question, offered_values)` returns a value (a tuple for multiple choice); `fixed` forces
    the answer to some questions whenever they are asked.
    """
    fixed = fixed or {}
    answers: dict = {}
    for question in kb.questions:
        if not is_asked(question, answers):
            continue
        offered = offered_values(question, answers)
        if question.id in fixed:
            answers[question.id] = fixed[question.id]
        else:
            answers[question.id] = choose(question, offered)
    return answers


def all_no(question, offered):
    """'no' to every yes/no question, 'none of these' to every list (its last option, 'not sure', where a tick
    is needed), the first option otherwise."""
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return () if question.takes(()) else offered[-1:]
    if question.type is QuestionType.SINGLE_CHOICE:
        return offered[0]
    return "no"


def randomly(rng):
    def choose(question, offered):
        if question.type is QuestionType.MULTIPLE_CHOICE:
            return ticked(question, offered, rng, 0.3)
        return rng.choice(offered)

    return choose
