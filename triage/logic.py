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
    match condition:
        case AnswerIs(question, values):
            return answers.get(question) in values
        case AnswerIncludes(question, options):
            given = answers.get(question)
            return isinstance(given, tuple) and any(o in given for o in options)
        case ConcernRaised(section):
            return section in concerns
        case FindingReached(finding):
            return finding in findings
        case OrganConcernsAtLeast(count):
            return organ_concerns >= count
        case AllOf(items):
            return all(holds(c, answers, concerns, findings, organ_concerns) for c in items)
        case AnyOf(items):
            return any(holds(c, answers, concerns, findings, organ_concerns) for c in items)
        case Always():
            return True
        case unknown:
            assert_never(unknown)
