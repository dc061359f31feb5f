"""Conditions and conclusions as plain-language phrases, for people who do not read YAML."""

from __future__ import annotations

from triage.model import (
    AllOf,
    Always,
    AnswerIncludes,
    AnswerIs,
    AnyOf,
    Condition,
    ConcernRaised,
    ConsiderWorkup,
    FindingReached,
    GiveAdvice,
    OrganConcernsAtLeast,
    RaiseConcern,
    ReachFinding,
    Refer,
)


def either(values: tuple[str, ...] | list[str]) -> str:
    """'a', 'b' or 'c'."""
    quoted = [f"'{v}'" for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def describe(condition: Condition) -> str:
    match condition:
        case AnswerIs(question, values):
            return f"{question} is {either(values)}"
        case AnswerIncludes(question, options):
            return f"{question} includes {either(options)}"
        case ConcernRaised(section):
            return f"a concern about {section}"
        case FindingReached(finding):
            return f"finding {finding}"
        case OrganConcernsAtLeast(count):
            return f"concerns about {count} or more organs"
        case AllOf(items):
            return " and ".join(_grouped(c) for c in items)
        case AnyOf(items):
            return " or ".join(_grouped(c) for c in items)
        case Always():
            return "always"
    raise TypeError(condition)


def _grouped(condition: Condition) -> str:
    return bracketed(condition, describe(condition))


def bracketed(condition: Condition, text: str) -> str:
    """`text` in brackets when it describes a combination, so that 'and' and 'or' never read ambiguously."""
    return f"({text})" if isinstance(condition, AllOf | AnyOf) and len(condition.items) > 1 else text


def describe_conclusion(conclusion: object) -> str:
    match conclusion:
        case RaiseConcern(section):
            return f"the {section} section relates to the answers"
        case ReachFinding(finding):
            return f"finding {finding}"
        case ConsiderWorkup(workup, reason):
            return f"a doctor may consider {workup} ({reason})"
        case Refer(to, urgency):
            return f"referral to {to}, urgency {urgency}"
        case GiveAdvice(advice):
            return f"show advice {advice}"
    raise TypeError(conclusion)
