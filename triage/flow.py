"""Which question comes next, given the answers so far. Pure: answers in, questions out.

A question is asked when its `ask_when` holds for the earlier answers. Since `ask_when` may only look at
earlier questions, one pass in file order settles everything.
"""

from __future__ import annotations

from collections.abc import Mapping

from triage.logic import holds
from triage.model import KnowledgeBase, Option, Question
from triage.outcome import AnswerValue


def is_asked(question: Question, answers: Mapping[str, AnswerValue]) -> bool:
    return question.ask_when is None or holds(question.ask_when, answers)


def offered_options(question: Question, answers: Mapping[str, AnswerValue]) -> tuple[Option, ...]:
    return tuple(o for o in question.options if o.ask_when is None or holds(o.ask_when, answers))


def offered_values(question: Question, answers: Mapping[str, AnswerValue]) -> tuple[str, ...]:
    if question.kind.takes_options:
        return tuple(o.id for o in offered_options(question, answers))
    return question.values


def applicable(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> dict[str, AnswerValue]:
    """The answers that still apply: those to questions that would be asked, with options still offered.

    After a person changes an earlier answer, follow-ups that no longer fit are dropped here.
    """
    kept: dict[str, AnswerValue] = {}
    for question in kb.questions:
        if question.id not in answers or not is_asked(question, kept):
            continue
        value = answers[question.id]
        offered = offered_values(question, kept)
        if isinstance(value, tuple):
            kept[question.id] = tuple(v for v in value if v in offered)
        elif value in offered:
            kept[question.id] = value
    return kept


def asked_questions(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> list[Question]:
    """The questions that are asked given these answers, answered or not, in order."""
    return [q for q in kb.questions if is_asked(q, answers)]


def next_question(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> Question | None:
    """The first question that would be asked and has no answer yet; None when the interview is done."""
    return next((q for q in kb.questions if q.id not in answers and is_asked(q, answers)), None)


def questions_left(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> int:
    """How many questions are still to come if every later answer were 'no' (follow-ups may add more)."""
    return sum(1 for q in asked_questions(kb, answers) if q.id not in answers)
