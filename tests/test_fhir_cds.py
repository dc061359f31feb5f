"""`triage run --format cds-card` (issue 17): the outcome as a CDS Hooks card: summary under 140 characters,
indicator from the urgency, detail in Markdown, source naming the knowledge base and its version."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from support.paths import REPO
from triage.answers import check_answers
from triage.standards.cds import SUMMARY_LIMIT, card, indicator, response, summary

# The fields of a card (CDS Hooks 2.0, "Card Attributes"): the required ones, and all there are.
REQUIRED = {"summary", "indicator", "source"}
FIELDS = REQUIRED | {"uuid", "detail", "suggestions", "selectionBehavior", "overrideReasons", "links"}


@pytest.fixture(scope="module")
def cards(real_kb, real_engine) -> list[tuple[object, dict]]:
    out = []
    for case in real_kb.cases:
        outcome = real_engine.evaluate(check_answers(real_kb, case.answers, case.file))
        out.append((outcome, card(real_kb, outcome)))
    return out


def test_every_golden_case_gives_a_card_of_the_cds_hooks_shape(cards, real_kb):
    for outcome, made in cards:
        assert REQUIRED <= set(made) <= FIELDS
        assert isinstance(made["summary"], str) and 0 < len(made["summary"]) < SUMMARY_LIMIT
        assert made["indicator"] in ("info", "warning", "critical")
        assert made["source"] == {"label": f"{real_kb.name} {real_kb.version}"}
        assert outcome.referral.urgency.advice in made["detail"]
        assert outcome.disclaimer in made["detail"]
        assert all(w.workup.name in made["detail"] for w in outcome.workups)


def test_urgency_gives_the_indicator_emergency_critical_routine_info_warning_between(real_kb):
    assert {u.id: indicator(real_kb, u) for u in real_kb.urgency_levels} == {
        "emergency": "critical", "urgent": "warning", "soon": "warning", "routine": "info"}


def test_the_summary_says_how_soon_and_whom_to_see(real_kb, real_engine):
    outcome = real_engine.evaluate({"chest_pain": "yes"})
    assert summary(outcome) == "Emergency (now): see emergency services"


def test_a_summary_that_would_be_long_is_cut_below_140_characters(real_kb, real_engine):
    outcome = real_engine.evaluate({"chest_pain": "no"})
    long = replace(outcome, referral=replace(outcome.referral, to=replace(outcome.referral.to, name="x " * 100)))
    assert len(summary(long)) < SUMMARY_LIMIT and summary(long).endswith("…")


def test_the_command_writes_the_card(cli, real_kb, real_engine):
    result = cli("run", "--answers", "-", "--format", "cds-card", stdin="chest_pain: not_sure\n")
    assert (result.code, result.err) == (0, "")
    written = json.loads(result.out)
    assert written == card(real_kb, real_engine.evaluate({"chest_pain": "not_sure"}))
    assert written["indicator"] == "warning"
    assert response(real_kb, real_engine.evaluate({"chest_pain": "not_sure"})) == {"cards": [written]}


def test_docs_fhir_md_shows_the_indicator_table_the_code_uses(real_kb):
    page = (REPO / "docs" / "fhir.md").read_text(encoding="utf-8")
    for urgency in real_kb.urgency_levels:
        assert f"| {urgency.id} | {indicator(real_kb, urgency)} |" in page
