"""The outcome of one evaluation: referral, sections, workups, advice, and why each was reached.

Built from the list of rule firings, whichever evaluator produced it; the result never depends on the
order in which rules fired.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from triage.model import (
    Advice,
    ConsiderWorkup,
    Doctor,
    GiveAdvice,
    KnowledgeBase,
    RaiseConcern,
    ReachFinding,
    Refer,
    Rule,
    Section,
    Urgency,
    Workup,
)

AnswerValue = str | tuple[str, ...]


@dataclass(frozen=True)
class Firing:
    """One rule that fired, the answers it matched, and the earlier conclusions it built on."""

    rule_id: str
    answers: tuple[tuple[str, str], ...] = ()
    conclusions_used: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One line of the explanation: a rule, what it concluded, and what it rested on."""

    rule: Rule
    conclusion: str
    answers: tuple[tuple[str, str], ...]
    conclusions_used: tuple[str, ...]


@dataclass(frozen=True)
class Referral:
    to: Doctor
    urgency: Urgency
    also: tuple[Doctor, ...]
    rules: tuple[str, ...]  # the rules that reached this urgency


@dataclass(frozen=True)
class ConsideredWorkup:
    workup: Workup
    reasons: tuple[str, ...]
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    referral: Referral
    sections: tuple[Section, ...]
    workups: tuple[ConsideredWorkup, ...]
    advice: tuple[Advice, ...]
    findings: tuple[str, ...]
    explanation: tuple[Step, ...]
    answers: tuple[tuple[str, AnswerValue], ...]
    kb_name: str
    kb_version: str
    kb_hash: str
    disclaimer: str

    @property
    def section_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sections)

    @property
    def workup_ids(self) -> tuple[str, ...]:
        return tuple(w.workup.id for w in self.workups)


def conclusion_label(rule: Rule) -> str:
    """A short, stable name for what a rule concludes, e.g. 'concern:lungs'."""
    then = rule.then
    if isinstance(then, RaiseConcern):
        return f"concern:{then.section}"
    if isinstance(then, ReachFinding):
        return f"finding:{then.finding}"
    if isinstance(then, ConsiderWorkup):
        return f"workup:{then.workup}"
    if isinstance(then, Refer):
        return f"referral:{then.to}:{then.urgency}"
    assert isinstance(then, GiveAdvice)
    return f"advice:{then.advice}"


def _merged_steps(kb: KnowledgeBase, firings: list[Firing]) -> tuple[Step, ...]:
    """One step per rule (a rule may fire on several answers), in the knowledge base's order."""
    answers: dict[str, set[tuple[str, str]]] = {}
    used: dict[str, set[str]] = {}
    for firing in firings:
        answers.setdefault(firing.rule_id, set()).update(firing.answers)
        used.setdefault(firing.rule_id, set()).update(firing.conclusions_used)
    # The chain's own order: answers -> concerns -> findings -> workups -> referral -> advice.
    kinds = (RaiseConcern, ReachFinding, ConsiderWorkup, Refer, GiveAdvice)
    order = {rule.id: (kinds.index(type(rule.then)), index) for index, rule in enumerate(kb.rules)}
    return tuple(
        Step(kb.rule[rule_id], conclusion_label(kb.rule[rule_id]), tuple(sorted(answers[rule_id])),
             tuple(sorted(used[rule_id])))
        for rule_id in sorted(answers, key=order.__getitem__)
    )


def build_outcome(kb: KnowledgeBase, answers: Mapping[str, AnswerValue], firings: list[Firing]) -> Outcome:
    steps = _merged_steps(kb, firings)
    rules = [step.rule for step in steps]
    concerns = {r.then.section for r in rules if isinstance(r.then, RaiseConcern)}
    advice = {r.then.advice for r in rules if isinstance(r.then, GiveAdvice)}
    findings = {r.then.finding for r in rules if isinstance(r.then, ReachFinding)}
    workups = []
    for workup in kb.workups:
        reaching = [r for r in rules if isinstance(r.then, ConsiderWorkup) and r.then.workup == workup.id]
        if reaching:
            reasons = tuple(dict.fromkeys(r.then.reason for r in reaching))  # type: ignore[union-attr]
            workups.append(ConsideredWorkup(workup, reasons, tuple(r.id for r in reaching)))
    return Outcome(
        referral=_referral(kb, [r for r in rules if isinstance(r.then, Refer)]),
        sections=tuple(s for s in kb.sections if s.id in concerns),
        workups=tuple(workups),
        advice=tuple(a for a in kb.advice if a.id in advice),
        findings=tuple(f.id for f in kb.findings if f.id in findings),
        explanation=steps,
        answers=tuple((q.id, answers[q.id]) for q in kb.questions if q.id in answers),
        kb_name=kb.name,
        kb_version=kb.version,
        kb_hash=kb.hash,
        disclaimer=kb.disclaimer,
    )


def _referral(kb: KnowledgeBase, rules: list[Rule]) -> Referral:
    """The highest urgency reached wins; several doctors at that urgency go to the coordinating one."""
    if not rules:
        # validate.py requires an unconditional referral rule, so a loaded knowledge base never gets here.
        raise ValueError("no referral rule fired; the knowledge base needs a rule {always: true} -> referral")
    top = max((kb.urgency[r.then.urgency] for r in rules), key=lambda u: u.rank)  # type: ignore[union-attr]
    at_top = [r for r in rules if r.then.urgency == top.id]  # type: ignore[union-attr]
    doctors = list(dict.fromkeys(r.then.to for r in at_top))  # type: ignore[union-attr]
    to = doctors[0] if len(doctors) == 1 else kb.several_doctors
    also = tuple(kb.doctor[d] for d in sorted(doctors, key=[d.id for d in kb.doctors].index) if d != to)
    return Referral(kb.doctor[to], top, also, tuple(r.id for r in at_top))
