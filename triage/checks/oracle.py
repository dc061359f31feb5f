"""A second, independent evaluator of the rule data: a plain fixed-point loop, no experta.

It exists to check the engine. The property tests run every generated session through both and
require the same referral, urgency, sections and workups (and the same rules fired, on the same
answers); a bug in experta or in the rule compiler then shows up as a disagreement. It shares only
the data model, `conditions.holds` and `outcome.build_outcome` with the engine, never its matcher.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import assert_never

from triage.logic import holds, walk
from triage.model import (
    AllOf,
    Always,
    AnswerIncludes,
    AnswerIs,
    AnyOf,
    ConcernRaised,
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
from triage.outcome import AnswerValue, Concluded, ConclusionKind, Firing, Outcome, build_outcome


@dataclass
class _State:
    """The answers and what the rules have concluded so far."""

    answers: Mapping[str, AnswerValue]
    concerns: set[str]
    findings: set[str]
    organ_sections: frozenset[str]
    organ_concerns: int = 0  # how many of `concerns` are organ sections, kept as concerns are added

    def add_concern(self, section: str) -> None:
        if section not in self.concerns:
            self.concerns.add(section)
            self.organ_concerns += section in self.organ_sections

    def holds(self, condition: Condition) -> bool:
        return holds(condition, self.answers, self.concerns, self.findings, self.organ_concerns)


def _matched(condition: Condition, state: _State) -> tuple[set[tuple[str, str]], set[Concluded]]:
    """The given answers (question, value) and the conclusions a holding condition rests on.

    For `any`, every branch that holds counts (the engine fires once per matching branch and the
    explanation joins them); a branch that does not hold contributes nothing.
    """
    if not state.holds(condition):
        return set(), set()
    return _matched_holding(condition, state)


def _matched_holding(condition: Condition, state: _State) -> tuple[set[tuple[str, str]], set[Concluded]]:
    """`_matched` for a condition known to hold: every item of a holding `all` holds too, so only the
    branches of an `any` need checking."""
    match condition:
        case AnswerIs(question, _):
            return {(question, str(state.answers[question]))}, set()
        case AnswerIncludes(question, options):
            given = state.answers[question]
            return {(question, o) for o in given if o in options}, set()
        case ConcernRaised(section):
            return set(), {Concluded(ConclusionKind.CONCERN, section)}
        case FindingReached(finding):
            return set(), {Concluded(ConclusionKind.FINDING, finding)}
        case OrganConcernsAtLeast(_):
            return set(), {Concluded(ConclusionKind.ORGAN_CONCERNS, str(state.organ_concerns))}
        case AllOf(items) | AnyOf(items):
            answers: set[tuple[str, str]] = set()
            used: set[Concluded] = set()
            every_item_holds = isinstance(condition, AllOf)
            for item in items:
                if every_item_holds or state.holds(item):
                    item_answers, item_used = _matched_holding(item, state)
                    answers |= item_answers
                    used |= item_used
            return answers, used
        case Always():
            return set(), set()
        case unknown:
            # A kind this oracle does not know must stop the check, not quietly match nothing.
            assert_never(unknown)


def fire_all(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> list[Firing]:
    """Every rule whose condition holds once nothing new follows, with the answers it matched.

    Rules only add conclusions and no condition looks for an absence, so repeating passes over the
    rules until a whole pass adds nothing reaches the one least fixed point, whatever the order. After
    the first pass only rules that read conclusions can come true (the answers do not change), so later
    passes look at those alone: the same fixed point, for a fraction of the work (the safety proof of
    `triage rules check` runs this once for every class of answers).
    """
    state = _State(answers, set(), set(), _organ_sections(kb))
    concerns, findings = state.concerns, state.findings
    fired: set[str] = set()
    pending = kb.rules
    while pending:
        changed = False
        for rule in pending:
            if rule.id in fired or not holds(rule.when, answers, concerns, findings, state.organ_concerns):
                continue
            fired.add(rule.id)
            match rule.then:
                case RaiseConcern(section):
                    changed |= section not in state.concerns
                    state.add_concern(section)
                case ReachFinding(finding):
                    changed |= finding not in state.findings
                    state.findings.add(finding)
                case ConsiderWorkup() | Refer() | GiveAdvice():
                    pass  # nothing a condition can read
                case unknown:
                    assert_never(unknown)
        # Something new was concluded: the rules reading conclusions that have not fired get another pass.
        pending = tuple(r for r in _reading_conclusions(kb) if r.id not in fired) if changed else ()
    firings = []
    for rule in kb.rules:
        if rule.id in fired:
            read, used = _matched(rule.when, state)
            firings.append(Firing(rule.id, tuple(sorted(read)), tuple(sorted(used))))
    return firings


_by_kb: weakref.WeakKeyDictionary[KnowledgeBase, tuple[frozenset[str], tuple[Rule, ...]]] = \
    weakref.WeakKeyDictionary()


def _prepared(kb: KnowledgeBase) -> tuple[frozenset[str], tuple[Rule, ...]]:
    """The organ sections of `kb` and its rules whose conditions read a conclusion, worked out once per kb."""
    found = _by_kb.get(kb)
    if found is None:
        reads = (ConcernRaised, FindingReached, OrganConcernsAtLeast)
        found = _by_kb[kb] = (frozenset(s.id for s in kb.sections if s.organ),
                              tuple(r for r in kb.rules if any(isinstance(c, reads) for c in walk(r.when))))
    return found


def _organ_sections(kb: KnowledgeBase) -> frozenset[str]:
    return _prepared(kb)[0]


def _reading_conclusions(kb: KnowledgeBase) -> tuple[Rule, ...]:
    return _prepared(kb)[1]


def evaluate(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> Outcome:
    """The outcome the rules give for these (already checked) answers, computed without experta."""
    return build_outcome(kb, answers, fire_all(kb, answers))


def differences(engine: Outcome, reference: Outcome) -> list[str]:
    """How two outcomes for the same answers differ, one line per difference; empty when they agree.

    Compared: referral (doctor, urgency, others named), sections, workups, advice, findings, and for each
    rule that fired the answers and conclusions it rested on. Not compared: the organ count shown
    with a rule on organ counts (a detail of the wording, not of what was reached) and the order of firing.
    """
    if _same(engine, reference):
        return []

    def shape(o: Outcome) -> dict[str, object]:
        return {
            "referral": (o.referral.to.id, o.referral.urgency.id),
            "referral also": tuple(d.id for d in o.referral.also),
            "sections": o.section_ids,
            "workups": o.workup_ids,
            "advice": tuple(a.id for a in o.advice),
            "findings": o.findings,
            "rules fired": tuple(s.rule.id for s in o.explanation),
            "answers matched": tuple((s.rule.id, s.answers) for s in o.explanation),
            "conclusions used": tuple((s.rule.id, tuple(c for c in s.conclusions_used
                                                        if c.kind is not ConclusionKind.ORGAN_CONCERNS))
                                      for s in o.explanation),
        }

    ours, theirs = shape(engine), shape(reference)
    return [f"{key}: engine {ours[key]!r}, reference {theirs[key]!r}"
            for key in ours if ours[key] != theirs[key]]


def _same(engine: Outcome, reference: Outcome) -> bool:
    """A quick sufficient test that `differences` finds nothing (the usual case): all it compares is equal, and
    the explanations are equal step by step, organ counts included (so unequal ones may still not differ)."""
    return (engine.referral.to.id == reference.referral.to.id
            and engine.referral.urgency.id == reference.referral.urgency.id
            and [d.id for d in engine.referral.also] == [d.id for d in reference.referral.also]
            and engine.section_ids == reference.section_ids
            and engine.workup_ids == reference.workup_ids
            and [a.id for a in engine.advice] == [a.id for a in reference.advice]
            and engine.findings == reference.findings
            and engine.explanation == reference.explanation)
