"""`triage questions --format fhir` (issue 17): the knowledge base as a FHIR R4 Questionnaire, valid R4B, one
item per question, gating that FHIR's enableWhen rules evaluate exactly as our flow asks."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pytest

from support.fhir import enabled, valid
from support.generators import complete_answers, randomly
from support.signoff import REVIEWERS
from triage.flow import applicable, is_asked
from triage.knowledge.load import load_knowledge
from triage.knowledge.review_items import Item, review_items
from triage.knowledge.reviews import APPROVED, NEVER, REVIEWED, ItemStatus, Review, ReviewStatus, approve
from triage.model import AllOf, AnswerIncludes, AnswerIs, AnyOf
from triage.standards.fhir import (
    DRAFT,
    NONE_OF_THESE,
    Approval,
    approval,
    canonical,
    questionnaire,
    system,
    to_json,
)
from triage.standards.fhir_gating import ENABLE_WHEN_EXPRESSION, OPTIONS_TOGGLE, fhirpath, gate
from triage.texts import ui


@pytest.fixture(scope="module")
def resource(real_kb) -> dict:
    return questionnaire(real_kb)


def items_by_id(resource: dict) -> dict[str, dict]:
    return {item["linkId"]: item for item in resource["item"]}


def test_the_questionnaire_is_valid_fhir_r4b(resource):
    valid(resource)


def test_it_names_the_knowledge_base_its_version_and_hash(resource, real_kb):
    assert f"{resource['url']}|{resource['version']}" == canonical(real_kb)
    assert resource["version"] == real_kb.version
    assert resource["identifier"][0]["value"] == real_kb.hash
    assert resource["title"] == real_kb.name
    assert resource["status"] == "draft" and "approvalDate" not in resource


def test_one_item_per_question_in_order_after_the_emergency_notice(resource, real_kb):
    notice, *questions = resource["item"]
    assert (notice["type"], notice["linkId"]) == ("display", "emergency-notice")
    assert [i["linkId"] for i in questions] == [q.id for q in real_kb.questions]
    for item, question in zip(questions, real_kb.questions, strict=True):
        assert item["text"] == question.text
        assert item["type"] == "choice"
        assert item.get("repeats", False) is question.kind.is_list


def test_options_are_codings_of_the_knowledge_base_with_the_labels_people_see(resource, real_kb):
    items = items_by_id(resource)
    for question in real_kb.questions:
        codings = [o["valueCoding"] for o in items[question.id]["answerOption"]]
        expected = list(question.values) + ([NONE_OF_THESE] if question.kind.is_list and question.takes(()) else [])
        assert [c["code"] for c in codings] == expected
        assert {c["system"] for c in codings} == {system(real_kb)}
    sex = [o["valueCoding"]["display"] for o in items["sex"]["answerOption"]]
    assert sex == [o.label for o in real_kb.question["sex"].options]
    yes_no = [o["valueCoding"]["display"] for o in items["chest_pain"]["answerOption"]]
    assert yes_no == [ui("answer.label_yes"), ui("answer.label_no"), ui("answer.label_not_sure")]


def test_help_is_a_display_child_marked_as_help(resource, real_kb):
    items = items_by_id(resource)
    for question in real_kb.questions:
        children = items[question.id].get("item", [])
        if question.help is None:
            assert children == []
            continue
        (child,) = children
        assert (child["type"], child["text"]) == ("display", question.help)
        control = child["extension"][0]["valueCodeableConcept"]["coding"][0]
        assert (control["system"], control["code"]) == ("http://hl7.org/fhir/questionnaire-item-control", "help")


def test_every_built_in_gate_is_plain_enable_when(resource, real_kb):
    """LHC-Forms and most renderers know enableWhen; the FHIRPath fallback is for conditions it cannot say."""
    for item in resource["item"]:
        urls = [e["url"] for e in item.get("extension", [])]
        assert ENABLE_WHEN_EXPRESSION not in urls, item["linkId"]


def test_fhir_enable_when_rules_agree_with_our_flow_on_generated_sessions(resource, real_kb):
    """For every question, over complete and half-finished sessions: enabled by FHIR's rules <=> asked by us."""
    items = items_by_id(resource)
    rng = random.Random(17)
    for _ in range(300):
        answers = complete_answers(real_kb, randomly(rng))
        cut = dict(list(answers.items())[:rng.randrange(len(answers) + 1)])
        for given in (answers, applicable(real_kb, cut)):
            codes = {q: (list(v) or [NONE_OF_THESE]) if isinstance(v, tuple) else [v] for q, v in given.items()}
            for question in real_kb.questions:
                assert enabled(items[question.id], codes) is is_asked(question, given), (question.id, given)


def test_an_answer_among_several_values_inside_all_is_exists_and_not_the_others(real_kb):
    weak_stream = gate(real_kb, real_kb.question["weak_stream"].ask_when, "S")
    assert weak_stream.behavior == "all"
    assert [(t["question"], t["operator"], t.get("answerCoding", {}).get("code", t.get("answerBoolean")))
            for t in weak_stream.enable_when] == [("sex", "=", "male"), ("urination_screen", "exists", True),
                                                  ("urination_screen", "!=", "no")]


def test_a_condition_enable_when_cannot_say_becomes_an_enable_when_expression(real_kb):
    """(sex male or other) and (swelling includes face or legs): an any inside an all, on a list question."""
    condition = AllOf((AnswerIncludes("swelling_where", ("face", "legs")), AnyOf((
        AnswerIs("sex", ("male",)), AnswerIs("breathing_screen", ("yes",))))))
    fields = gate(real_kb, condition, "S").fields()
    assert "enableWhen" not in fields
    (extension,) = fields["extension"]
    assert extension["url"] == ENABLE_WHEN_EXPRESSION
    assert extension["valueExpression"] == {"language": "text/fhirpath", "expression": (
        "(%resource.repeat(item).where(linkId = 'swelling_where').answer.value.where(code = 'face' or code = 'legs')"
        ".exists()) and ((%resource.repeat(item).where(linkId = 'sex').answer.value.where(code = 'male').exists()) "
        "or (%resource.repeat(item).where(linkId = 'breathing_screen').answer.value.where(code = 'yes').exists()))")}
    assert fhirpath(AnswerIs("x", ("it's",))) .endswith("where(code = 'it\\'s').exists()")


def test_an_option_offered_only_sometimes_carries_sdc_answer_options_toggle(resource):
    image_where = items_by_id(resource)["image_where"]
    (toggle,) = [e for e in image_where["extension"] if e["url"] == OPTIONS_TOGGLE]
    option, expression = toggle["extension"]
    assert option["valueCoding"]["code"] == "prostate"
    assert expression["valueExpression"]["expression"] == (
        "%resource.repeat(item).where(linkId = 'sex').answer.value.where(code = 'male').exists()")


def test_lists_offer_none_of_these_as_an_exclusive_option(resource):
    last = items_by_id(resource)["general_signs"]["answerOption"][-1]
    assert last["valueCoding"]["code"] == NONE_OF_THESE
    assert last["extension"] == [{"url": "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive",
                                  "valueBoolean": True}]


def test_a_list_that_needs_a_tick_offers_no_none_of_these(resource):
    # After a yes to TB, 'none of these' at 'where' would undo the yes; 'I do not know where' is the way out.
    codes = [o["valueCoding"]["code"] for o in items_by_id(resource)["tb_where"]["answerOption"]]
    assert NONE_OF_THESE not in codes
    assert codes[-1] == "dont_know"


def _status(states: list[str], dates: list[str]) -> ReviewStatus:
    items = []
    for n, (state, day) in enumerate(zip(states, dates, strict=True)):
        item = Item(f"rule.{n}", "rule", "text", 1, ())
        record = Review(item.id, APPROVED, "Dr A", "gp", day, "0.1.0", item.fingerprint, number=n + 1)
        items.append(ItemStatus(item, state, (record,) if state == REVIEWED else (), (record,), ()))
    return ReviewStatus(tuple(items), (), {})


def test_status_is_draft_until_every_item_is_reviewed_then_active_with_the_last_approval_date():
    assert approval(_status([REVIEWED, NEVER], ["2026-11-01", "2026-11-02"])) == DRAFT
    assert approval(_status([REVIEWED, REVIEWED], ["2026-11-03", "2026-11-01"])) == Approval("active", "2026-11-03")


def test_an_approved_questionnaire_is_valid_and_carries_its_approval_date(real_kb):
    resource = questionnaire(real_kb, Approval("active", "2026-11-03"))
    valid(resource)
    assert (resource["status"], resource["approvalDate"]) == ("active", "2026-11-03")


def test_the_command_writes_it_the_same_bytes_every_time(cli, real_kb):
    first, second = cli("questions", "--format", "fhir"), cli("questions", "--format", "fhir")
    assert (first.code, first.err) == (0, "")
    assert first.out == second.out == to_json(questionnaire(real_kb)) + "\n"
    assert json.loads(first.out)["resourceType"] == "Questionnaire"


def test_a_knowledge_base_signed_off_in_full_gives_an_active_questionnaire(cli, tiny):
    """Through the real sign-off records (reviews.yaml), as `triage rules approve` writes them."""
    rules = Path(tiny.save())
    assert json.loads(cli("questions", "--rules", rules, "--format", "fhir").out)["status"] == "draft"
    kb = load_knowledge(rules)
    for reviewer, role in REVIEWERS:  # the tiny rules pass `rules check`: no findings stand in the way (faster)
        approve(kb, list(review_items(kb)), reviewer, role, findings=[])
    written = json.loads(cli("questions", "--rules", rules, "--format", "fhir").out)
    valid(written)
    assert (written["status"], written["approvalDate"]) == ("active", date.today().isoformat())
