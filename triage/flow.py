"""Which question comes next, given the answers so far. Pure: answers in, questions out.

A question is asked when its `ask_when` holds for the earlier answers. Since `ask_when` may only look at
earlier questions, one pass in file order settles everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import assert_never

from triage.logic import holds
from triage.model import (
    AllOf,
    Always,
    AnswerIncludes,
    AnswerIs,
    AnyOf,
    ConcernRaised,
    Condition,
    FindingReached,
    KnowledgeBase,
    Option,
    OrganConcernsAtLeast,
    Question,
)
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
            ticked = tuple(v for v in value if v in offered)
            if question.takes(ticked):  # every tick fell away where one is needed: ask again
                kept[question.id] = ticked
        elif value in offered:
            kept[question.id] = value
    return kept


def asked_questions(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> list[Question]:
    """The questions that are asked given these answers, answered or not, in order."""
    return [q for q in kb.questions if is_asked(q, answers)]


def next_question(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> Question | None:
    """The first question that would be asked and has no answer yet; None when the interview is done."""
    return next((q for q in kb.questions if q.id not in answers and is_asked(q, answers)), None)


def questions_at_most(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> int:
    """The most questions this interview can ask in all, whatever the answers still to come.

    A question counts when some later answers could bring it up: each condition on a question not yet
    answered (but still possible) is taken as one that may come true. Conditions have no 'not', so this
    never counts too few; it may count too many where two questions exclude each other (the men's
    questions before sex is answered), and the count falls as answers come in.
    """
    possible: set[str] = set(answers)
    for question in kb.questions:
        if question.id not in answers and (question.ask_when is None or
                                           _may_hold(question.ask_when, answers, possible)):
            possible.add(question.id)
    return len(possible)


def _may_hold(condition: Condition, answers: Mapping[str, AnswerValue], possible: set[str]) -> bool:
    match condition:
        case AnswerIs(question) | AnswerIncludes(question):
            return holds(condition, answers) if question in answers else question in possible
        case AllOf(items):
            return all(_may_hold(c, answers, possible) for c in items)
        case AnyOf(items):
            return any(_may_hold(c, answers, possible) for c in items)
        case Always() | ConcernRaised() | FindingReached() | OrganConcernsAtLeast():
            return True  # conclusions may yet be reached (and validation keeps them out of ask_when)
        case unknown:
            assert_never(unknown)
