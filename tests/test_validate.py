"""Cross-checks over a whole knowledge base (triage.knowledge.validate): a pure function that lists every problem.

These tests change a loaded tiny knowledge base in memory (dataclasses.replace) rather than on disk, to
look at the checks themselves; test_load.py shows the same problems as a person sees them.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from triage.knowledge import validate
from triage.model import (
    AllOf,
    AnswerIs,
    ConcernRaised,
    FindingReached,
    OrganConcernsAtLeast,
    RaiseConcern,
    ReachFinding,
    Refer,
    Rule,
)


def rule(ident: str, when, then) -> Rule:
    return Rule(ident, f"Statement of {ident}.", "leaflet", when, then, "rules/extra.yaml", 1)


def with_rules(kb, *extra: Rule):
    return replace(kb, rules=kb.rules + extra)


@pytest.fixture
def kb(tiny):
    return tiny.load()


def test_the_real_knowledge_base_has_no_problems(real_kb):
    assert validate.knowledge_base(real_kb) == []


def test_the_tiny_knowledge_base_has_no_problems(kb):
    assert validate.knowledge_base(kb) == []


def test_a_cycle_through_three_rules_is_found_once_with_its_path(kb):
    broken = with_rules(
        kb,
        rule("a", FindingReached("suspected"), ReachFinding("second")),
        rule("b", FindingReached("second"), RaiseConcern("kidneys")),
    )
    broken = replace(broken, findings=broken.findings + (replace(broken.findings[0], id="second"),))
    problems = [p for p in validate.knowledge_base(broken) if "depends on itself" in p.message]
    # kidneys -> suspected (rule 'suspected') -> second (a) -> kidneys (b): one cycle, reported once.
    assert len(problems) == 1
    assert problems[0].message.endswith("; break the cycle")
    assert {"a", "b", "suspected"} <= set(problems[0].message.split("through the rules ")[1].split("; ")[0]
                                         .split(" -> "))


def test_a_rule_that_needs_its_own_conclusion_is_a_cycle(kb):
    broken = with_rules(kb, rule("self", AllOf((ConcernRaised("lungs"), AnswerIs("cough", ("yes",)))),
                                 RaiseConcern("lungs")))
    messages = [str(p) for p in validate.knowledge_base(broken)]
    assert ("rules/extra.yaml:1, rule 'self', field 'when': concern 'lungs' depends on itself through the "
            "rules self; break the cycle") in messages


def test_counting_organ_concerns_reads_every_organ_concern_so_concluding_one_from_the_count_is_a_cycle(kb):
    broken = with_rules(kb, rule("count", OrganConcernsAtLeast(2), RaiseConcern("kidneys")))
    problems = validate.knowledge_base(broken)
    assert any("depends on itself" in p.message and "count" in p.message for p in problems)


def test_two_rules_building_on_the_same_conclusion_without_a_loop_are_fine(kb):
    # A diamond: lungs -> suspected, lungs -> extra, both -> workups; no conclusion feeds itself.
    extra = replace(kb.findings[0], id="extra")
    fine = with_rules(
        replace(kb, findings=kb.findings + (extra,)),
        rule("d1", ConcernRaised("lungs"), ReachFinding("extra")),
        rule("d2", AllOf((FindingReached("extra"), FindingReached("suspected"))), Refer("gp", "soon")),
    )
    assert validate.knowledge_base(fine) == []


def test_validation_lists_problems_and_never_raises_on_many_at_once(kb):
    broken = with_rules(
        kb,
        rule("x1", AnswerIs("nope", ("yes",)), RaiseConcern("nowhere")),
        rule("x2", AnswerIs("cough", ("perhaps",)), Refer("nobody", "someday")),
        rule("x1", ConcernRaised("lungs"), ReachFinding("nothing")),
    )
    fields = sorted((p.place.item, p.place.field) for p in validate.knowledge_base(broken))
    assert fields == sorted([
        ("rule 'x1'", "when"), ("rule 'x1'", "then.concern"),
        ("rule 'x2'", "when"), ("rule 'x2'", "then.referral.to"), ("rule 'x2'", "then.referral.urgency"),
        ("rule 'x1'", "id"), ("rule 'x1'", "then.finding"),
    ])


def test_a_referral_rule_that_holds_only_sometimes_is_not_a_baseline(kb):
    baseline = kb.rule["baseline"]
    without = replace(kb, rules=tuple(r for r in kb.rules if r.id != "baseline")
                      + (replace(baseline, when=AnswerIs("cough", ("no",))),))
    assert [p.place.field for p in validate.knowledge_base(without)] == ["when"]
