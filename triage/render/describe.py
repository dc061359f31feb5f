"""Conditions, conclusions and whole rules as plain-language phrases, for clinicians who do not read YAML.

`describe` gives the short technical phrase (ids); `rule_sentence` gives an IF ... THEN sentence in the words
a patient sees.
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
    Conclusion,
    Condition,
    ConsiderWorkup,
    FindingReached,
    GiveAdvice,
    KnowledgeBase,
    OrganConcernsAtLeast,
    RaiseConcern,
    ReachFinding,
    Refer,
    Rule,
)
from triage.outcome import AnswerValue
from triage.texts import ui
from triage.vocabulary import NO, NOT_SURE, YES


def answer_words(kb: KnowledgeBase, question_id: str, value: AnswerValue) -> str:
    """An answer as the person saw it: option labels rather than ids."""
    question = kb.question[question_id]
    labels = {o.id: o.label for o in question.options}
    plain = {YES: ui("answer.said_yes"), NO: ui("answer.said_no"), NOT_SURE: ui("answer.said_not_sure")}
    if isinstance(value, tuple):
        # Labels may hold commas ("Fever, or often feeling hot"): a semicolon keeps them apart.
        return "; ".join(labels.get(v, v) for v in value) if value else ui("answer.said_none")
    return labels.get(value, plain.get(value, value))


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
        case unknown:
            assert_never(unknown)


def _grouped(condition: Condition) -> str:
    return bracketed(condition, describe(condition))


def bracketed(condition: Condition, text: str) -> str:
    """`text` in brackets when it describes a combination, so that 'and' and 'or' never read ambiguously."""
    return f"({text})" if isinstance(condition, AllOf | AnyOf) and len(condition.items) > 1 else text


def describe_conclusion(conclusion: Conclusion) -> str:
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
        case unknown:
            assert_never(unknown)

def condition_sentence(kb: KnowledgeBase, condition: Condition) -> str:
    match condition:
        case AnswerIs(question, values):
            q = kb.question[question]
            return f"the answer to “{q.text}” [{q.id}] is " + either([answer_words(kb, q.id, v) for v in values])
        case AnswerIncludes(question, options):
            q = kb.question[question]
            return f"the answers to “{q.text}” [{q.id}] include " + either(
                [answer_words(kb, q.id, o) for o in options])
        case ConcernRaised(section):
            return f"the section “{kb.section[section].title}” relates to the answers"
        case FindingReached(finding):
            return f"the finding “{finding}” was reached"
        case OrganConcernsAtLeast(count):
            return f"the answers relate to {count} or more organ sections"
        case AllOf(items):
            return " AND ".join(_grouped_sentence(kb, c) for c in items)
        case AnyOf(items):
            return " OR ".join(_grouped_sentence(kb, c) for c in items)
        case Always():
            return "always (whatever the answers)"
        case unknown:
            assert_never(unknown)


def _grouped_sentence(kb: KnowledgeBase, condition: Condition) -> str:
    return bracketed(condition, condition_sentence(kb, condition))


def conclusion_sentence(kb: KnowledgeBase, rule: Rule) -> str:
    match rule.then:
        case RaiseConcern(section):
            return f"the section “{kb.section[section].title}” relates to the answers"
        case ReachFinding(finding):
            return f"conclude the finding “{finding}”"
        case ConsiderWorkup(workup, reason):
            return f"a doctor may consider: {kb.workup[workup].name}, because: {reason}"
        case Refer(to, urgency):
            level = kb.urgency[urgency]
            return f"refer to {kb.doctor[to].name}, urgency {level.label.lower()} ({level.timeframe})"
        case GiveAdvice(advice):
            return f"show the advice: “{kb.advice_by_id[advice].text}”"
        case unknown:
            assert_never(unknown)


def rule_sentence(kb: KnowledgeBase, rule: Rule) -> str:
    return f"IF {condition_sentence(kb, rule.when)} THEN {conclusion_sentence(kb, rule)}."


# --- plain words for `triage explain`: the question wording, no ids ------------------------------------------


def plain_condition(kb: KnowledgeBase, condition: Condition) -> str:
    """Like `condition_sentence`, in the words a person saw and without ids."""
    match condition:
        case AnswerIs(question, values):
            words = either([answer_words(kb, question, v) for v in values])
            return f"the answer to “{kb.question[question].text}” is {words}"
        case AnswerIncludes(question, options):
            words = either([answer_words(kb, question, o) for o in options])
            return f"the answers to “{kb.question[question].text}” include {words}"
        case ConcernRaised(section):
            return f"the section “{kb.section[section].title}” relates to the answers"
        case FindingReached(finding):
            found = next((f.description for f in kb.findings if f.id == finding), finding)
            return f"the finding “{found}” was reached"
        case OrganConcernsAtLeast(count):
            return f"the answers relate to {count} or more organ sections"
        case AllOf(items):
            return " AND ".join(bracketed(c, plain_condition(kb, c)) for c in items)
        case AnyOf(items):
            return " OR ".join(bracketed(c, plain_condition(kb, c)) for c in items)
        case Always():
            return "always (whatever the answers)"
        case unknown:
            assert_never(unknown)


def held_part(condition: Condition, answers: Mapping[str, AnswerValue], concerns: frozenset[str],
              findings: frozenset[str], organ_concerns: int) -> Condition:
    """The part of a condition that held: of an `any`, only the alternatives that held; of an answer, the
    value given. The condition must hold."""
    match condition:
        case AnswerIs(question, _):
            return AnswerIs(question, (str(answers[question]),))
        case AnswerIncludes(question, options):
            given = answers[question]
            return AnswerIncludes(question, tuple(o for o in options if o in given))
        case AllOf(items):
            return AllOf(tuple(held_part(c, answers, concerns, findings, organ_concerns) for c in items))
        case AnyOf(items):
            held = [held_part(c, answers, concerns, findings, organ_concerns) for c in items
                    if holds(c, answers, concerns, findings, organ_concerns)]
            return held[0] if len(held) == 1 else AllOf(tuple(held))
        case ConcernRaised() | FindingReached() | OrganConcernsAtLeast() | Always():
            return condition
        case unknown:
            assert_never(unknown)
