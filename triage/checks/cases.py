"""Golden cases: run each case's answers through the engine and compare with what a clinician expects."""

from __future__ import annotations

from dataclasses import dataclass

from triage.answers import check_answers
from triage.errors import AnswersError
from triage.model import GoldenCase
from triage.outcome import Outcome
from triage.rete.engine import CompiledRules


@dataclass(frozen=True)
class CaseResult:
    case: GoldenCase
    outcome: Outcome | None
    differences: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.differences


def _set_difference(what: str, expected: frozenset[str], actual: set[str]) -> list[str]:
    out = []
    if expected - actual:
        out.append(f"{what} expected but missing: {', '.join(sorted(expected - actual))}")
    if actual - expected:
        out.append(f"{what} not expected but present: {', '.join(sorted(actual - expected))}")
    return out


def _must_not(what: str, forbidden: frozenset[str], actual: set[str]) -> list[str]:
    present = forbidden & actual
    return [f"{what} that must not appear but do: {', '.join(sorted(present))}"] if present else []


def run_case(engine: CompiledRules, case: GoldenCase) -> CaseResult:
    try:
        answers = check_answers(engine.kb, case.answers, case.file)
    except AnswersError as exc:
        return CaseResult(case, None, tuple(f"answers: {p.message} ({p.place.item})" for p in exc.problems))
    outcome = engine.evaluate(answers)
    differences = []
    if outcome.referral.urgency.id != case.expect.urgency:
        differences.append(f"urgency expected {case.expect.urgency}, got {outcome.referral.urgency.id}")
    if case.expect.referral_to is not None and outcome.referral.to.id != case.expect.referral_to:
        differences.append(f"referral expected to {case.expect.referral_to}, got {outcome.referral.to.id}")
    differences += _set_difference("sections", case.expect.sections, set(outcome.section_ids))
    differences += _set_difference("workups", case.expect.workups, set(outcome.workup_ids))
    differences += _must_not("sections", case.expect.not_sections, set(outcome.section_ids))
    differences += _must_not("workups", case.expect.not_workups, set(outcome.workup_ids))
    return CaseResult(case, outcome, tuple(differences))


def run_cases(engine: CompiledRules) -> list[CaseResult]:
    return [run_case(engine, case) for case in engine.kb.cases]


def rules_not_exercised(engine: CompiledRules, results: list[CaseResult]) -> list[str]:
    fired = {step.rule.id for r in results if r.outcome for step in r.outcome.explanation}
    return [rule.id for rule in engine.kb.rules if rule.id not in fired]
