"""Read the conditions written in rules files (`{question: ID, is: yes}`, `all`, `any`, ...) into the model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from triage.errors import shown
from triage.knowledge.fields import Reader
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

CONDITION_KEYS = ("question", "concern", "finding", "organ_concerns_at_least", "all", "any", "always")


def _values(raw: Any) -> tuple[str, ...] | None:
    """A single value or a list of them, as strings (true/false read as yes/no)."""
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if isinstance(item, bool):
            item = "yes" if item else "no"
        if not isinstance(item, str) or not item:
            return None
        out.append(item)
    return tuple(out) or None


def read_condition(raw: Any, at: Reader, field: str) -> Condition | None:
    """Turn a condition written in a rules file into a Condition, or report why it cannot be."""
    if not isinstance(raw, Mapping):
        at.problem(field, f"must be a condition such as {{question: ID, is: yes}}, not {shown(raw)}", "bad-condition")
        return None
    kinds = [k for k in CONDITION_KEYS if k in raw]
    if len(kinds) != 1:
        at.problem(field, f"must have exactly one of {', '.join(CONDITION_KEYS)}; found {sorted(raw)}", "bad-condition")
        return None
    kind = kinds[0]
    value = raw[kind]
    if kind == "question":
        return _read_answer_condition(raw, at, field)
    extra = set(raw) - {kind}
    if extra:
        at.problem(field, f"unexpected key(s) {sorted(extra)} beside '{kind}'", "bad-condition")
        return None
    if kind in ("all", "any"):
        return _read_combination(kind, value, at, field)
    return _read_single(kind, value, at, field)


def _read_single(kind: str, value: Any, at: Reader, field: str) -> Condition | None:
    if kind in ("concern", "finding"):
        if not isinstance(value, str):
            at.problem(field, f"'{kind}' must name one id, not {shown(value)}", "bad-condition")
            return None
        return ConcernRaised(value) if kind == "concern" else FindingReached(value)
    if kind == "organ_concerns_at_least":
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            at.problem(field, f"'organ_concerns_at_least' must be a whole number of 1 or more, not {shown(value)}",
                       "bad-condition")
            return None
        return OrganConcernsAtLeast(value)
    if kind == "always":
        if value is not True:
            at.problem(field, "'always' must be true", "bad-condition")
            return None
        return Always()
    raise ValueError(f"unknown condition kind {kind}")


def _read_combination(kind: str, value: Any, at: Reader, field: str) -> Condition | None:
    if not isinstance(value, list) or not value:
        at.problem(field, f"'{kind}' must be a non-empty list of conditions", "bad-condition")
        return None
    items = [read_condition(item, at, f"{field}.{kind}[{i}]") for i, item in enumerate(value)]
    if any(item is None for item in items):
        return None
    return AllOf(tuple(items)) if kind == "all" else AnyOf(tuple(items))  # type: ignore[arg-type]


def _read_answer_condition(raw: Mapping[str, Any], at: Reader, field: str) -> Condition | None:
    question = raw["question"]
    if not isinstance(question, str):
        at.problem(field, f"'question' must name a question id, not {shown(question)}", "bad-condition")
        return None
    tests = [k for k in ("is", "includes") if k in raw]
    extra = set(raw) - {"question", "is", "includes"}
    if len(tests) != 1 or extra:
        at.problem(field, f"a condition on question '{question}' needs exactly one of 'is' or 'includes'",
                   "bad-condition")
        return None
    values = _values(raw[tests[0]])
    if values is None:
        at.problem(field, f"'{tests[0]}' must be a value or a list of values, not {shown(raw[tests[0]])}",
                   "bad-condition")
        return None
    return AnswerIs(question, values) if tests[0] == "is" else AnswerIncludes(question, values)
