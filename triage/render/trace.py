"""`triage explain`: the forward chaining for one set of answers, step by step, for clinicians."""

from __future__ import annotations

from triage.logic import questions_read
from triage.model import KnowledgeBase, Refer
from triage.outcome import Outcome, Trace, TraceFact
from triage.render.describe import describe, describe_conclusion


def _fact(fact: TraceFact) -> str:
    fields = ", ".join(f"{k}={v}" for k, v in fact.fields)
    return f"f-{fact.number} {fact.kind}({fields})"


def trace_text(kb: KnowledgeBase, trace: Trace, outcome: Outcome) -> str:
    """Facts in the order they were declared, the rules in the order they fired, then why not emergency."""
    lines = ["FACTS DECLARED (in order)"]
    lines += [f"  {_fact(f)}" for f in trace.facts]
    lines += ["", "RULES FIRED (in order)"]
    for number, firing in enumerate(trace.firings, start=1):
        rule = kb.rule[firing.rule_id]
        lines.append(f"  {number}. {rule.id}: {rule.statement}")
        lines.append(f"     source: {rule.source} ({kb.source[rule.source].title})")
        lines.append(f"     IF {describe(rule.when)}")
        facts_matched = [f for f in firing.facts if f.kind != "InitialFact"]
        lines.append("     matched: " + ("; ".join(_fact(f) for f in facts_matched) or "nothing (holds always)"))
        lines.append(f"     THEN {describe_conclusion(rule.then)}")
    referral = outcome.referral
    lines += ["", "OUTCOME",
              f"  referral: {referral.to.id}, urgency {referral.urgency.id} (rules: {', '.join(referral.rules)})",
              f"  sections: {', '.join(outcome.section_ids) or 'none'}",
              f"  workups: {', '.join(outcome.workup_ids) or 'none'}"]
    lines += ["", *_why_not_top(kb, outcome)]
    return "\n".join(lines) + "\n"


def _why_not_top(kb: KnowledgeBase, outcome: Outcome) -> list[str]:
    top = kb.urgency_levels[0]
    if outcome.referral.urgency.id == top.id:
        return [f"WHY {top.id.upper()}: reached by {', '.join(outcome.referral.rules)}"]
    answers = dict(outcome.answers)
    lines = [f"WHY NOT {top.id.upper()}"]
    for question in (q for q in kb.questions if q.red_flag):
        rules = [r for r in kb.rules if isinstance(r.then, Refer) and r.then.urgency == top.id
                 and question.id in questions_read(r.when)]
        needs = "; ".join(f"{r.id} needs {describe(r.when)}" for r in rules) or f"no rule gives {top.id}"
        if question.id in answers:
            lines.append(f"  {question.id}: asked, answered '{answers[question.id]}' ({needs})")
        else:
            lines.append(f"  {question.id}: NOT ANSWERED ({needs})")
    return lines
