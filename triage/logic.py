"""Conditions evaluated over plain values: does a condition hold for these answers and conclusions?

Pure Python; serves the interview flow (which question comes next) and the oracle (the second evaluator);
the engine compiles the same conditions into experta patterns.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import assert_never

from triage.model import (
    AllOf,
    Always,
    AnswerIncludes,
    AnswerIs,
    AnyOf,
    ConcernRaised,
    Condition,
    FindingReached,
    OrganConcernsAtLeast,
)

AnswerValue = str | tuple[str, ...]


def walk(condition: Condition) -> Iterator[Condition]:
    """Every condition inside `condition`, itself included."""
    yield condition
    if isinstance(condition, AllOf | AnyOf):
        for item in condition.items:
            yield from walk(item)


def questions_read(condition: Condition | None) -> set[str]:
    if condition is None:
        return set()
    return {c.question for c in walk(condition) if isinstance(c, AnswerIs | AnswerIncludes)}


def holds(
    condition: Condition,
    answers: Mapping[str, AnswerValue],
    concerns: frozenset[str] | set[str] = frozenset(),
    findings: frozenset[str] | set[str] = frozenset(),
    organ_concerns: int = 0,
) -> bool:
    """Whether `condition` holds for these answers and conclusions reached so far."""
    # The commonest kinds first, fields read by name, a loop rather than a generator: the interview, every
    # answers check and the reference evaluator ask this hundreds of times a session.
    match condition:
        case AnswerIs():
            return answers.get(condition.question) in condition.values
        case AllOf() | AnyOf():
            # `all` stops at the first item that does not hold, `any` at the first that does.
            stop_at = isinstance(condition, AnyOf)
            for item in condition.items:
                if holds(item, answers, concerns, findings, organ_concerns) == stop_at:
                    return stop_at
            return not stop_at
        case AnswerIncludes():
            given = answers.get(condition.question)
            return isinstance(given, tuple) and any(o in given for o in condition.options)
        case ConcernRaised():
            return condition.section in concerns
        case FindingReached():
            return condition.finding in findings
        case OrganConcernsAtLeast():
            return organ_concerns >= condition.count
        case Always():
            return True
        case unknown:
            assert_never(unknown)
