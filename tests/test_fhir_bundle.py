"""`triage run --format fhir` (issue 17): the outcome as a FHIR Bundle (the QuestionnaireResponse, the referral
and the tests a doctor may consider as ServiceRequest proposals), valid R4B, never diagnostic; answers ->
QuestionnaireResponse -> answers gives the same outcome over 1,000 generated sessions; batch writes one Bundle
per line."""

from __future__ import annotations

import json
import random

import pytest

from support.fhir import valid
from support.generators import all_no, complete_answers, randomly
from support.paths import REPO
from triage.answers import check_answers
from triage.render.json_format import outcome_data
from triage.standards.fhir import canonical, outcome_bundle, priority, questionnaire_response, to_json
from triage.standards.fhir_answers import answers_from_fhir


def resources(bundle: dict) -> list[dict]:
    return [entry["resource"] for entry in bundle["entry"]]


@pytest.fixture(scope="module")
def case_bundles(real_kb, real_engine) -> list[tuple[str, object, dict]]:
    """Every golden case's outcome and Bundle."""
    out = []
    for case in real_kb.cases:
        outcome = real_engine.evaluate(check_answers(real_kb, case.answers, case.file))
        out.append((case.id, outcome, outcome_bundle(real_kb, outcome)))
    return out


def test_every_golden_case_gives_a_valid_r4b_bundle(case_bundles):
    for case_id, _, bundle in case_bundles:
        try:
            valid(bundle)
        except Exception as exc:  # noqa: BLE001 - name the case
            pytest.fail(f"{case_id}: {exc}")


def test_a_bundle_holds_the_response_the_referral_and_one_proposal_per_test(case_bundles, real_kb):
    for _, outcome, bundle in case_bundles:
        response, referral, *workups = resources(bundle)
        assert bundle["type"] == "collection"
        assert (response["resourceType"], response["questionnaire"]) == ("QuestionnaireResponse", canonical(real_kb))
        assert (referral["resourceType"], referral["intent"], referral["status"]) == ("ServiceRequest", "proposal",
                                                                                     "draft")
        assert referral["performerType"]["coding"][0]["code"] == outcome.referral.to.id
        assert [w["code"]["coding"][0]["code"] for w in workups] == list(outcome.workup_ids)
        assert all(w["intent"] == "proposal" for w in workups)
        refs = {entry["fullUrl"] for entry in bundle["entry"]}
        assert len(refs) == len(bundle["entry"])
        assert all(r["supportingInfo"] == [{"reference": bundle["entry"][0]["fullUrl"]}] for r in [referral, *workups])
        notes = "\n".join(n["text"] for n in referral["note"])
        assert all(s.title in notes for s in outcome.sections)
        assert all(step.rule.id in notes for step in outcome.explanation)


def test_nothing_diagnostic_no_condition_no_reason_code(case_bundles):
    for _, _, bundle in case_bundles:
        text = json.dumps(bundle)
        assert '"Condition"' not in text and "reasonCode" not in text and "reasonReference" not in text
        assert {r["resourceType"] for r in resources(bundle)} <= {"QuestionnaireResponse", "ServiceRequest"}


def test_urgency_maps_to_priority_emergency_stat_urgent_asap_soon_urgent_routine_routine(real_kb):
    assert {u.id: priority(real_kb, u) for u in real_kb.urgency_levels} == {
        "emergency": "stat", "urgent": "asap", "soon": "urgent", "routine": "routine"}


def test_the_referral_priority_follows_the_outcome(case_bundles, real_kb):
    seen = set()
    for _, outcome, bundle in case_bundles:
        assert resources(bundle)[1]["priority"] == priority(real_kb, outcome.referral.urgency)
        seen.add(outcome.referral.urgency.id)
    assert seen == {u.id for u in real_kb.urgency_levels}


def test_the_response_is_completed_only_when_no_question_is_left(real_kb):
    answers = complete_answers(real_kb, all_no)
    assert questionnaire_response(real_kb, answers)["status"] == "completed"
    del answers["breast_screen"]
    assert questionnaire_response(real_kb, answers)["status"] == "in-progress"
    assert [i["linkId"] for i in questionnaire_response(real_kb, {"chest_pain": "yes"})["item"]] == ["chest_pain"]


def test_answers_to_response_to_answers_gives_the_same_outcome_over_1000_sessions(real_kb, real_engine):
    """Complete sessions and sessions cut short, through JSON text as a record system would store them. Every
    session comes back as the very same answers (so evaluation, which is deterministic, gives the same outcome);
    for one in ten the outcome is evaluated on both sides and compared too, through the whole Bundle (the
    engine takes most of the time here)."""
    rng = random.Random(1717)
    for number in range(1_000):
        answers = complete_answers(real_kb, randomly(rng))  # in the engine's form, every answer valid
        if number % 3 == 0:  # a session that ended early (in-progress)
            answers = dict(list(answers.items())[:rng.randrange(len(answers))])
        response = json.loads(to_json(questionnaire_response(real_kb, answers), compact=True))
        assert answers_from_fhir(real_kb, response, "response.json") == answers, number
        if number % 10 == 0:
            outcome = real_engine.evaluate(answers)
            bundle = json.loads(to_json(outcome_bundle(real_kb, outcome), compact=True))
            again = answers_from_fhir(real_kb, bundle, "bundle.json")
            assert outcome_data(real_engine.evaluate(again)) == outcome_data(outcome), number
        if number % 100 == 0:  # validating every Bundle would take most of a minute: one in a hundred
            valid(response)


def test_the_same_answers_give_the_same_bytes(real_kb, real_engine):
    outcome = real_engine.evaluate(check_answers(real_kb, {"chest_pain": "not_sure"}, "x"))
    other = real_engine.evaluate(check_answers(real_kb, {"chest_pain": "no"}, "x"))
    assert to_json(outcome_bundle(real_kb, outcome)) == to_json(outcome_bundle(real_kb, outcome))
    ids = {e["fullUrl"] for e in outcome_bundle(real_kb, outcome)["entry"]}
    assert not ids & {e["fullUrl"] for e in outcome_bundle(real_kb, other)["entry"]}


def test_run_format_fhir_writes_the_bundle(cli, real_kb, real_engine):
    result = cli("run", "--answers", "-", "--format", "fhir", stdin='{"chest_pain": "yes"}')
    assert (result.code, result.err) == (0, "")
    bundle = json.loads(result.out)
    valid(bundle)
    assert resources(bundle)[1]["priority"] == "stat"
    assert result.out == to_json(outcome_bundle(real_kb, real_engine.evaluate({"chest_pain": "yes"}))) + "\n"


def test_batch_format_fhir_writes_one_bundle_per_line_and_error_lines_in_place(cli, real_kb):
    lines = ['{"chest_pain": "no"}', "", '{"chest_pain": "maybe"}',
             json.dumps(questionnaire_response(real_kb, {"chest_pain": "yes"}))]
    result = cli("run", "--batch", "-", "--format", "fhir", "--jobs", "1", stdin="\n".join(lines) + "\n")
    assert result.code == 2
    out = [json.loads(line) for line in result.out.splitlines()]
    assert len(out) == 4
    assert [o.get("resourceType") for o in out] == ["Bundle", None, None, "Bundle"]
    assert [o.get("line") for o in out] == [None, 2, 3, None]
    valid(out[0])
    assert resources(out[3])[1]["priority"] == "stat"  # a line may be a QuestionnaireResponse (FHIR NDJSON)
    assert len(result.err.splitlines()) == 3  # two error lines, and the count


def test_batch_workers_write_bundles_too(cli, real_kb, real_engine):
    """65 lines: more than one chunk (64), so that two worker processes share them."""
    rng = random.Random(5)
    sessions = [complete_answers(real_kb, randomly(rng)) for _ in range(65)]
    lines = "".join(json.dumps({q: list(v) if isinstance(v, tuple) else v for q, v in a.items()}) + "\n"
                    for a in sessions)
    result = cli("run", "--batch", "-", "--format", "fhir", "--jobs", "2", stdin=lines)
    assert result.code == 0, result.err
    assert result.out.splitlines() == [to_json(outcome_bundle(real_kb, real_engine.evaluate(a)), compact=True)
                                       for a in sessions]


def test_docs_fhir_md_shows_the_priority_table_the_code_uses(real_kb):
    page = (REPO / "docs" / "fhir.md").read_text(encoding="utf-8")
    for urgency in real_kb.urgency_levels:
        assert f"| {urgency.id} | {priority(real_kb, urgency)} |" in page
