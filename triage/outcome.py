"""The outcome of one evaluation: referral, sections, workups, advice, and why each was reached.

Built from the list of rule firings, whichever evaluator produced it; the result never depends on the
order in which rules fired.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, assert_never

from triage.logic import holds
from triage.model import (
    Advice,
    ConsiderWorkup,
    Doctor,
    GiveAdvice,
    KnowledgeBase,
    Question,
    RaiseConcern,
    ReachFinding,
    Refer,
    Rule,
    Section,
    Urgency,
    Workup,
)

AnswerValue = str | tuple[str, ...]


class ConclusionKind(StrEnum):
    """The kinds of thing a rule can conclude, or build on (the organ-concern count is kept by the engine)."""

    CONCERN = "concern"
    FINDING = "finding"
    ORGAN_CONCERNS = "organ_concerns"
    WORKUP = "workup"
    REFERRAL = "referral"
    ADVICE = "advice"


@dataclass(frozen=True, order=True)
class Concluded:
    """One conclusion, e.g. concern 'lungs'; `str()` gives the stable label used in explanations and JSON."""

    kind: ConclusionKind
    name: str  # the section, finding, workup, advice or doctor id; for organ concerns, the count
    detail: str = ""  # for a referral, the urgency

    def __str__(self) -> str:
        # The kind is a StrEnum: its text is its value. (A list, not a generator: explanations hold dozens.)
        return ":".join([part for part in (self.kind, self.name, self.detail) if part])


@dataclass(frozen=True)
class Firing:
    """One rule that fired, the answers it matched, and the earlier conclusions it built on."""

    rule_id: str
    answers: tuple[tuple[str, str], ...] = ()
    conclusions_used: tuple[Concluded, ...] = ()


@dataclass(frozen=True)
class Step:
    """One line of the explanation: a rule, what it concluded, and what it rested on."""

    rule: Rule
    conclusion: Concluded
    answers: tuple[tuple[str, str], ...]
    conclusions_used: tuple[Concluded, ...]


@dataclass(frozen=True)
class TraceFact:
    """A fact as the engine held it: its number (in the order of declaration), its kind and its fields."""

    number: int
    kind: str  # Answer, Concern, Reached, Consider, Referred, Advised, OrganConcernCount, Counted
    fields: tuple[tuple[str, str | int | bool], ...]


@dataclass(frozen=True)
class TraceFiring:
    """One rule firing, with the facts it matched (facts tested only by NOT or EXISTS do not appear)."""

    rule_id: str
    facts: tuple[TraceFact, ...]


@dataclass(frozen=True)
class Trace:
    """The forward chaining of one evaluation: every fact declared and every rule fired, in order."""

    facts: tuple[TraceFact, ...]
    firings: tuple[TraceFiring, ...]


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
    # Red-flag questions that would be asked but have no answer (kb order): the urgency does not take them into
    # account. The interview asks red flags first, so there it is empty unless the person quit early.
    unanswered_red_flags: tuple[str, ...] = ()

    @property
    def section_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sections)

    @property
    def workup_ids(self) -> tuple[str, ...]:
        return tuple(w.workup.id for w in self.workups)


def concluded_by(rule: Rule) -> Concluded:
    """What a rule concludes, e.g. concern 'lungs'."""
    match rule.then:
        case RaiseConcern(section):
            return Concluded(ConclusionKind.CONCERN, section)
        case ReachFinding(finding):
            return Concluded(ConclusionKind.FINDING, finding)
        case ConsiderWorkup(workup, _):
            return Concluded(ConclusionKind.WORKUP, workup)
        case Refer(to, urgency):
            return Concluded(ConclusionKind.REFERRAL, to, urgency)
        case GiveAdvice(advice):
            return Concluded(ConclusionKind.ADVICE, advice)
        case unknown:
            assert_never(unknown)


@dataclass(frozen=True)
class _Index:
    """What building an outcome looks up in a knowledge base, worked out once per (frozen) knowledge base."""

    order: Mapping[str, tuple[int, int]]  # rule id -> its place in the explanation
    conclusion: Mapping[str, Concluded]  # rule id -> what it concludes
    red_flags: tuple[Question, ...]  # the red-flag questions, in kb order


_by_kb: weakref.WeakKeyDictionary[KnowledgeBase, _Index] = weakref.WeakKeyDictionary()


def _index(kb: KnowledgeBase) -> _Index:
    found = _by_kb.get(kb)
    if found is None:
        # The chain's own order: answers -> concerns -> findings -> workups -> referral -> advice.
        kinds = (RaiseConcern, ReachFinding, ConsiderWorkup, Refer, GiveAdvice)
        found = _by_kb[kb] = _Index(
            order={rule.id: (kinds.index(type(rule.then)), index) for index, rule in enumerate(kb.rules)},
            conclusion={rule.id: concluded_by(rule) for rule in kb.rules},
            red_flags=tuple(q for q in kb.questions if q.red_flag),
        )
    return found


def _merged_steps(kb: KnowledgeBase, index: _Index, firings: list[Firing],
                  ready: Mapping[str, Step]) -> tuple[Step, ...]:
    """One step per rule (a rule may fire on several answers), in the knowledge base's order; the rules in
    `ready` come as they are."""
    answers: dict[str, tuple[tuple[str, str], ...]] = {}
    used: dict[str, tuple[Concluded, ...]] = {}
    for firing in firings:
        rule_id = firing.rule_id
        if rule_id in answers:
            answers[rule_id] += tuple(firing.answers)
            used[rule_id] += tuple(firing.conclusions_used)
        else:
            answers[rule_id], used[rule_id] = tuple(firing.answers), tuple(firing.conclusions_used)
    return tuple(
        ready[rule_id] if rule_id in ready else
        Step(kb.rule[rule_id], index.conclusion[rule_id], _sorted_distinct(answers[rule_id]),
             _sorted_distinct(used[rule_id]))
        for rule_id in sorted([*answers, *ready], key=index.order.__getitem__)
    )


def _sorted_distinct(items: tuple[Any, ...]) -> tuple[Any, ...]:
    # Most rules fire once on one answer or conclusion: nothing to merge or sort.
    return items if len(items) < 2 else tuple(sorted(set(items)))


def step_of(kb: KnowledgeBase, firing: Firing) -> Step:
    """The explanation's step for a rule that fired once: what `build_outcome` makes of that firing."""
    return _merged_steps(kb, _index(kb), [firing], {})[0]


def build_outcome(kb: KnowledgeBase, answers: Mapping[str, AnswerValue], firings: list[Firing],
                  ready: Mapping[str, Step] | None = None) -> Outcome:
    """The outcome of these answers, from the rules that fired. `ready` holds steps the caller has already
    (`step_of` each rule that fired once); `firings` then holds only the firings of the other rules."""
    index = _index(kb)
    steps = _merged_steps(kb, index, firings, ready or {})
    rules = [step.rule for step in steps]
    concerns = {r.then.section for r in rules if isinstance(r.then, RaiseConcern)}
    advice = {r.then.advice for r in rules if isinstance(r.then, GiveAdvice)}
    findings = {r.then.finding for r in rules if isinstance(r.then, ReachFinding)}
    considering = [r for r in rules if isinstance(r.then, ConsiderWorkup)]
    workups = []
    for workup in kb.workups:
        reaching = [r for r in considering if r.then.workup == workup.id]  # type: ignore[union-attr]
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
        unanswered_red_flags=tuple(q.id for q in index.red_flags if q.id not in answers
                                   and (q.ask_when is None or holds(q.ask_when, answers))),
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
