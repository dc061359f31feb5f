"""Rules as IF ... THEN sentences in the words a patient sees, for clinicians who review them."""

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
    KnowledgeBase,
    OrganConcernsAtLeast,
    RaiseConcern,
    ReachFinding,
    Refer,
    Rule,
)
from triage.render.conditions import bracketed, either
from triage.render.text import answer_words

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
            return " AND ".join(_grouped(kb, c) for c in items)
        case AnyOf(items):
            return " OR ".join(_grouped(kb, c) for c in items)
        case Always():
            return "always (whatever the answers)"
    raise TypeError(condition)


def _grouped(kb: KnowledgeBase, condition: Condition) -> str:
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
    raise TypeError(rule.then)


def rule_sentence(kb: KnowledgeBase, rule: Rule) -> str:
    return f"IF {condition_sentence(kb, rule.when)} THEN {conclusion_sentence(kb, rule)}."
