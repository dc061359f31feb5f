"""`triage explain`: why one set of answers gave its outcome. For clinicians, in plain words, stage by stage
(answers, concerns, findings, tests, referral, advice), each rule once (`explain_text`); for developers, the
forward chaining with every fact declared and rule fired, in order (`trace_text`, `triage explain --facts`)."""

from __future__ import annotations

from triage.logic import questions_read
from triage.model import (
    AnswerIs,
    ConsiderWorkup,
    GiveAdvice,
    KnowledgeBase,
    Question,
    RaiseConcern,
    ReachFinding,
    Refer,
    Rule,
)
from triage.outcome import Outcome, Step, Trace, TraceFact
from triage.render.describe import answer_words, describe, describe_conclusion, either, held_part, plain_condition
from triage.render.layout import fill


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


def _top_rules_per_red_flag(kb: KnowledgeBase) -> list[tuple[Question, list[Rule]]]:
    """Each red-flag question with the rules that read it and refer at the top urgency."""
    top = kb.urgency_levels[0]
    return [(question, [r for r in kb.rules if isinstance(r.then, Refer) and r.then.urgency == top.id
                        and question.id in questions_read(r.when)])
            for question in kb.questions if question.red_flag]


def _why_not_top(kb: KnowledgeBase, outcome: Outcome) -> list[str]:
    top = kb.urgency_levels[0]
    if outcome.referral.urgency.id == top.id:
        return [f"WHY {top.id.upper()}: reached by {', '.join(outcome.referral.rules)}"]
    answers = dict(outcome.answers)
    lines = [f"WHY NOT {top.id.upper()}"]
    for question, rules in _top_rules_per_red_flag(kb):
        needs = "; ".join(f"{r.id} needs {describe(r.when)}" for r in rules) or f"no rule gives {top.id}"
        if question.id in answers:
            lines.append(f"  {question.id}: asked, answered '{answers[question.id]}' ({needs})")
        else:
            lines.append(f"  {question.id}: NOT ANSWERED ({needs})")
    return lines


# --- for clinicians -------------------------------------------------------------------------------------------

_STAGES = ((RaiseConcern, "CONCERNS: parts of the leaflet that relate to the answers"),
           (ReachFinding, "FINDINGS"),
           (ConsiderWorkup, "TESTS A DOCTOR MAY CONSIDER"),
           (Refer, "REFERRAL"),
           (GiveAdvice, "ADVICE"))


def _wrapped(text: str, first: str, rest: str) -> list[str]:
    return fill(text, first, rest).split("\n")


def _what(kb: KnowledgeBase, rule: Rule) -> str:
    """What a rule concluded, in the words a person reads."""
    then = rule.then
    if isinstance(then, RaiseConcern):
        return f"“{kb.section[then.section].title}”"
    if isinstance(then, ReachFinding):
        return f"“{next((f.description for f in kb.findings if f.id == then.finding), then.finding)}”"
    if isinstance(then, ConsiderWorkup):
        return f"{kb.workup[then.workup].name}, because: {then.reason}"
    if isinstance(then, Refer):
        level = kb.urgency[then.urgency]
        return f"{kb.doctor[then.to].name}, {level.label.lower()} ({level.timeframe})"
    return f"“{kb.advice_by_id[then.advice].text}”"


def _because(kb: KnowledgeBase, outcome: Outcome, step: Step) -> str:
    answers = dict(outcome.answers)
    concerns = frozenset(outcome.section_ids)
    organs = sum(1 for s in outcome.sections if s.organ)
    held = held_part(step.rule.when, answers, concerns, frozenset(outcome.findings), organs)
    return plain_condition(kb, held)


def _unanswered_red_flags(kb: KnowledgeBase, outcome: Outcome) -> list[str]:
    answered = dict(outcome.answers)
    return [q.id for q in kb.questions if q.red_flag and q.id not in answered]


def explain_text(kb: KnowledgeBase, outcome: Outcome) -> str:
    """Why these answers gave this outcome, in plain words and stage by stage; the same bytes every time."""
    lines: list[str] = []
    missing = _unanswered_red_flags(kb, outcome)
    if missing:
        lines += _wrapped(f"WARNING: {len(missing)} emergency question(s) were not answered, so this outcome "
                          "cannot rule out an emergency: " + "; ".join(f"“{kb.question[q].text}”" for q in missing),
                          "", "  ")
        lines.append("")
    lines.append("ANSWERS")
    for question_id, value in outcome.answers:
        question = kb.question[question_id]
        lines += _wrapped(f"“{question.text}” → {answer_words(kb, question_id, value)}", "  - ", "    ")
    steps = list(outcome.explanation)
    for kind, title in _STAGES:
        in_stage = [s for s in steps if isinstance(s.rule.then, kind)]
        lines += ["", title]
        if kind is Refer:
            referral = outcome.referral
            lines += _wrapped(f"Outcome: {referral.to.name}, {referral.urgency.label.lower()} "
                              f"({referral.urgency.timeframe}); the highest urgency any rule reached decides.",
                              "  ", "  ")
        if not in_stage:
            lines.append("  none")
        reached: dict[str, list[Step]] = {}  # one entry per conclusion, in the order first reached
        for step in in_stage:
            reached.setdefault(_what(kb, step.rule), []).append(step)
        for what, by in reached.items():
            lines += _wrapped(what, "  - ", "    ")
            for step in by:
                decides = " (decides the urgency)" if kind is Refer and step.rule.id in outcome.referral.rules else ""
                lines += _wrapped(f"rule {step.rule.id}{decides}: {step.rule.statement}", "    ", "      ")
                lines += _wrapped(f"because {_because(kb, outcome, step)}", "      ", "        ")
    lines += ["", *_why_not_top_plain(kb, outcome)]
    return "\n".join(lines) + "\n"


def _why_not_top_plain(kb: KnowledgeBase, outcome: Outcome) -> list[str]:
    top = kb.urgency_levels[0]
    if outcome.referral.urgency.id == top.id:
        return [f"WHY {top.label.upper()}: reached by {', '.join(outcome.referral.rules)}"]
    answers = dict(outcome.answers)
    lines = [f"WHY NOT {top.label.upper()}"]
    for question, rules in _top_rules_per_red_flag(kb):
        needs = " or ".join(_needs(kb, question.id, r) for r in rules) or f"no rule gives {top.label.lower()}"
        given = (f"answered {answer_words(kb, question.id, answers[question.id])}" if question.id in answers
                 else "NOT ANSWERED")
        lines += _wrapped(f"“{question.text}” {given}; {top.label.lower()} needs {needs}", "  - ", "    ")
    return lines


def _needs(kb: KnowledgeBase, question_id: str, rule: Rule) -> str:
    """What a top-urgency rule needs: 'the answer 'yes' (rule)' when it reads this one question alone."""
    when = rule.when
    if isinstance(when, AnswerIs) and when.question == question_id:
        return f"the answer {either([answer_words(kb, question_id, v) for v in when.values])} ({rule.id})"
    return f"{plain_condition(kb, when)} ({rule.id})"
