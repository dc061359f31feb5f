"""Generated answer sets for the benchmarks: walk the real question flow with random answers, fixed seed.

Each session draws its own leaning (how often it answers yes / not sure), so the set ranges from
"no to everything" to "many concerns" (red flags rarer), and every session is valid: only questions the
flow asks, only options it offers, answered in order until no question is left.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from triage.checks.space import ticked
from triage.flow import next_question, offered_options
from triage.model import NO, NOT_SURE, YES, KnowledgeBase, QuestionType
from triage.outcome import AnswerValue

SEED = 20240607
RED_FLAG_RARITY = 4.0  # red flags are answered yes this many times less often than other questions


def _one(kb: KnowledgeBase, rng: random.Random) -> Iterator[tuple[str, AnswerValue]]:
    """(question id, answer) in the order the interview asks them, to the end of the flow."""
    p_yes = rng.uniform(0.0, 0.45)
    p_unsure = rng.uniform(0.0, 0.15)
    answers: dict[str, AnswerValue] = {}
    while (question := next_question(kb, answers)) is not None:
        value: AnswerValue
        if question.type in (QuestionType.YES_NO, QuestionType.YES_NO_UNSURE):
            draw = rng.random() * (RED_FLAG_RARITY if question.red_flag else 1.0)
            unsure = draw < p_yes + p_unsure and NOT_SURE in question.values
            value = YES if draw < p_yes else NOT_SURE if unsure else NO
        else:
            offered = [o.id for o in offered_options(question, answers)]
            if question.type is QuestionType.SINGLE_CHOICE:
                value = rng.choice(offered)
            else:
                value = ticked(question, offered, rng, p_yes)
        answers[question.id] = value
        yield question.id, value


def answer_steps(kb: KnowledgeBase, count: int, seed: int = SEED) -> list[list[tuple[str, AnswerValue]]]:
    """`count` sessions, each as the list of (question, answer) steps taken in order."""
    rng = random.Random(seed)
    return [list(_one(kb, rng)) for _ in range(count)]


def answer_sets(kb: KnowledgeBase, count: int, seed: int = SEED) -> list[dict[str, AnswerValue]]:
    """`count` complete answer sets in the engine's form (tuples for multiple choice)."""
    return [dict(steps) for steps in answer_steps(kb, count, seed)]


def as_json(answers: dict[str, AnswerValue]) -> dict[str, Any]:
    """The answers file form: lists for multiple choice."""
    return {q: list(v) if isinstance(v, tuple) else v for q, v in answers.items()}
