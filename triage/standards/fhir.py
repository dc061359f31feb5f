"""The knowledge base as a FHIR R4 Questionnaire (SDC conventions), and an outcome as a FHIR Bundle: the
QuestionnaireResponse with the referral and the tests a doctor may consider as ServiceRequest proposals.

Pure: values in, JSON-ready dicts out, the same bytes for the same input (ids are name-based UUIDs, no clock
is read). Non-diagnostic as everything else: no Condition, no diagnosis code, no reasonCode; the leaflet
sections travel as text in the referral's notes. Choices and mapping tables: docs/fhir.md.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from triage.flow import next_question
from triage.knowledge.reviews import APPROVED, REVIEWED, ReviewStatus
from triage.model import KnowledgeBase, Option, Question, Urgency
from triage.outcome import AnswerValue, Outcome
from triage.standards.fhir_gating import gate, options_toggle
from triage.texts import emergency_notice, ui
from triage.vocabulary import NO, NOT_SURE, YES

# Where the canonical URLs live. The project has no published home yet: `.example` is reserved for exactly
# this (RFC 6761), so the URLs cannot point at somebody else's site. Changing it changes every canonical URL,
# and responses written before no longer match: change it once, when there is a real home.
BASE = "https://calcitriage.example/fhir"
SNOMED = "http://snomed.info/sct"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
OPTION_EXCLUSIVE = "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive"
# "None of these" for a multiple-choice question: FHIR has no answer for "nothing ticked" (an item without
# answers reads as not answered), so the Questionnaire offers it as an exclusive option. Its code has a '-',
# which no option id can have (ids are letters, digits, '_' and '.'), so it never meets a real option.
NONE_OF_THESE = "none-of-these"
# FHIR's request priorities, most urgent first; urgency levels map onto them by rank (docs/fhir.md).
PRIORITIES = ("stat", "asap", "urgent", "routine")
# linkIds of the display items: the emergency notice, and each question's help ('chest_pain-help'); a '-' keeps
# them apart from question ids.
NOTICE, HELP = "emergency-notice", "-help"
REFERRAL = {"system": SNOMED, "code": "3457005", "display": "Patient referral"}
SUBJECT = {"display": "The person who answered the questionnaire (not identified)"}


@dataclass(frozen=True)
class Approval:
    """The Questionnaire's status: draft until every item of the sign-off records is reviewed."""

    status: str  # "draft" or "active"
    date: str | None = None  # when the last item needed was approved (ISO date), for approvalDate


DRAFT = Approval("draft")


def approval(review: ReviewStatus) -> Approval:
    """Active, with the date of the latest approval that counts, once every item is reviewed; else draft."""
    if not review.items or any(s.state != REVIEWED for s in review.items):
        return DRAFT
    dates = [r.date for s in review.items for r in s.standing if r.decision == APPROVED]
    return Approval("active", max(dates) if dates else None)


# --- names ---------------------------------------------------------------------------------------------------


def slug(kb: KnowledgeBase) -> str:
    """The knowledge base's name as a URL part: 'calcitriage-knowledge-base-on-calcifications'."""
    return re.sub(r"[^a-z0-9]+", "-", kb.name.casefold()).strip("-") or "knowledge-base"


def questionnaire_url(kb: KnowledgeBase) -> str:
    return f"{BASE}/Questionnaire/{slug(kb)}"


def canonical(kb: KnowledgeBase) -> str:
    """The versioned canonical reference a QuestionnaireResponse gives: 'url|version'."""
    return f"{questionnaire_url(kb)}|{kb.version}"


def system(kb: KnowledgeBase, of: str = "answers") -> str:
    """The code system of this knowledge base's answers (code = option id, yes, no, not_sure), doctors,
    tests ('workups') or leaflet sections."""
    return f"{BASE}/CodeSystem/{slug(kb)}-{of}"


def _name(kb: KnowledgeBase) -> str:
    """Questionnaire.name must be machine-friendly (FHIR constraint que-0): 'CalcitriageKnowledgeBase...'."""
    return "".join(word.capitalize() for word in slug(kb).split("-") if word) or "KnowledgeBase"


# --- the Questionnaire ---------------------------------------------------------------------------------------


def _label(question: Question, value: str) -> str:
    if question.kind.takes_options:
        return next(o.label for o in question.options if o.id == value)
    labels = {YES: ui("answer.label_yes"), NO: ui("answer.label_no"), NOT_SURE: ui("answer.label_not_sure")}
    return labels[value]


def _none_label() -> str:
    said = ui("answer.said_none")
    return said[:1].upper() + said[1:]


def coding(kb: KnowledgeBase, question: Question, value: str) -> dict[str, str]:
    """The Coding of one answer value of `question`."""
    display = _none_label() if value == NONE_OF_THESE else _label(question, value)
    return {"system": system(kb), "code": value, "display": display}


def _item_control(code: str) -> dict[str, Any]:
    return {"url": ITEM_CONTROL, "valueCodeableConcept": {"coding": [{"system": ITEM_CONTROL_SYSTEM, "code": code}]}}


def _answer_option(kb: KnowledgeBase, question: Question, option: Option | str) -> dict[str, Any]:
    value = option if isinstance(option, str) else option.id
    return {"valueCoding": coding(kb, question, value)}


def question_item(kb: KnowledgeBase, question: Question) -> dict[str, Any]:
    """One question as a Questionnaire item: a choice item (repeating for multiple choice), its options as
    Codings, help as a display child marked 'help', and its gating."""
    item: dict[str, Any] = {"linkId": question.id, "text": question.text, "type": "choice"}
    extensions = [_item_control("check-box" if question.kind.is_list else "radio-button")]
    if question.kind.is_list:
        item["repeats"] = True
    options = [_answer_option(kb, question, v) for v in question.values]
    if question.kind.is_list and question.takes(()):  # not where at least one box must be ticked
        options.append({"valueCoding": coding(kb, question, NONE_OF_THESE),
                        "extension": [{"url": OPTION_EXCLUSIVE, "valueBoolean": True}]})
    for option in question.options:
        if option.ask_when is not None:
            extensions.append(options_toggle(coding(kb, question, option.id), option.ask_when))
    if question.ask_when is not None:
        gated = gate(kb, question.ask_when, system(kb)).fields()
        extensions += gated.pop("extension", [])
        item.update(gated)
    item["answerOption"] = options
    item["extension"] = extensions
    if question.help:
        item["item"] = [{"linkId": question.id + HELP, "type": "display", "text": question.help,
                         "extension": [_item_control("help")]}]
    return item


def questionnaire(kb: KnowledgeBase, status: Approval = DRAFT) -> dict[str, Any]:
    """The whole knowledge base's questions as one Questionnaire, in the order the interview asks them.

    Example: questionnaire(kb, approval(review_status(kb)))["item"][0]["linkId"]   # 'emergency-notice'
    """
    notice = {"linkId": NOTICE, "type": "display", "text": emergency_notice(kb.emergency_signs)}
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": slug(kb),
        "url": questionnaire_url(kb),
        "identifier": [{"system": f"{BASE}/knowledge-base-hash", "value": kb.hash}],
        "version": kb.version,
        "name": _name(kb),
        "title": kb.name,
        "status": status.status,
        "subjectType": ["Patient"],
        "description": f"{kb.about}\n\n{kb.disclaimer}",
    }
    if status.date is not None:
        resource["approvalDate"] = status.date
    resource["item"] = [notice, *(question_item(kb, q) for q in kb.questions)]
    return resource


# --- the QuestionnaireResponse and the outcome ---------------------------------------------------------------


def _uuid(kb: KnowledgeBase, outcome: Outcome, role: str) -> str:
    """A name-based UUID: the same answers to the same knowledge base give the same ids, on every machine."""
    answers = json.dumps([[q, list(v) if isinstance(v, tuple) else v] for q, v in outcome.answers])
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{canonical(kb)}|{kb.hash}|{answers}|{role}')}"


def response_item(kb: KnowledgeBase, question: Question, value: AnswerValue) -> dict[str, Any]:
    values = (value or (NONE_OF_THESE,)) if isinstance(value, tuple) else (value,)
    return {"linkId": question.id, "text": question.text,
            "answer": [{"valueCoding": coding(kb, question, v)} for v in values]}


def questionnaire_response(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> dict[str, Any]:
    """The answers (already checked: only questions that were asked) as a QuestionnaireResponse; completed
    when no question that would be asked is left, else in-progress."""
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": canonical(kb),
        "status": "in-progress" if next_question(kb, answers) is not None else "completed",
        "item": [response_item(kb, q, answers[q.id]) for q in kb.questions if q.id in answers],
    }


def priority(kb: KnowledgeBase, urgency: Urgency) -> str:
    """FHIR priority by rank: the top urgency is stat, the next asap, then urgent; the lowest (and any
    below the fourth) routine. For the built-in levels: emergency, urgent, soon, routine."""
    levels = kb.urgency_levels  # highest first
    if urgency == levels[-1]:
        return PRIORITIES[-1]
    return PRIORITIES[min(levels.index(urgency), len(PRIORITIES) - 1)]


def _notes(outcome: Outcome) -> list[dict[str, str]]:
    """What the referral rests on, in Markdown notes: a clinician reads them, a program uses the ids."""
    referral = outcome.referral
    notes = [f"**{referral.urgency.label}** ({referral.urgency.timeframe}): {referral.urgency.advice}"]
    if referral.also:
        notes.append("Also named at this urgency: " + "; ".join(d.name for d in referral.also))
    if outcome.unanswered_red_flags:
        notes.append("Emergency questions left unanswered (not taken into account): "
                     + ", ".join(outcome.unanswered_red_flags))
    if outcome.sections:
        notes.append("Leaflet sections that relate to the answers:\n"
                     + "\n".join(f"- {s.title} (`{s.id}`)" for s in outcome.sections))
    if outcome.advice:
        notes.append("Advice shown:\n" + "\n".join(f"- {a.text} (`{a.id}`)" for a in outcome.advice))
    notes.append("Why (rules that fired):\n" + "\n".join(
        f"- `{step.rule.id}`: {step.rule.statement}" for step in outcome.explanation))
    notes.append(outcome.disclaimer)
    return [{"text": text} for text in notes]


def referral_request(kb: KnowledgeBase, outcome: Outcome, response_ref: str) -> dict[str, Any]:
    """The referral as a ServiceRequest proposal: whom (performerType) and how soon (priority)."""
    to = outcome.referral.to
    return {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "proposal",
        "priority": priority(kb, outcome.referral.urgency),
        "code": {"coding": [REFERRAL], "text": REFERRAL["display"]},
        "subject": SUBJECT,
        "performerType": {"coding": [{"system": system(kb, "doctors"), "code": to.id, "display": to.name}],
                          "text": to.name},
        "supportingInfo": [{"reference": response_ref}],
        "note": _notes(outcome),
        "patientInstruction": outcome.referral.urgency.advice,
    }


def workup_requests(kb: KnowledgeBase, outcome: Outcome, response_ref: str) -> list[dict[str, Any]]:
    """Each test a doctor may consider, as a ServiceRequest proposal with the reasons in its notes."""
    return [{
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "proposal",
        "code": {"coding": [{"system": system(kb, "workups"), "code": w.workup.id, "display": w.workup.name}],
                 "text": w.workup.name},
        "subject": SUBJECT,
        "supportingInfo": [{"reference": response_ref}],
        "note": [{"text": w.workup.purpose}, *({"text": reason} for reason in w.reasons)],
    } for w in outcome.workups]


def outcome_bundle(kb: KnowledgeBase, outcome: Outcome) -> dict[str, Any]:
    """The outcome as a Bundle (type collection): the QuestionnaireResponse of the answers evaluated, the
    referral, and one proposal per test a doctor may consider, each pointing at the response.

    Example: outcome_bundle(kb, evaluate(kb, {"chest_pain": "yes"}))["entry"][1]["resource"]["priority"]  # 'stat'
    """
    answers = dict(outcome.answers)
    response_ref = _uuid(kb, outcome, "response")
    resources = [(response_ref, questionnaire_response(kb, answers)),
                 (_uuid(kb, outcome, "referral"), referral_request(kb, outcome, response_ref))]
    resources += [(_uuid(kb, outcome, f"workup:{r['code']['coding'][0]['code']}"), r)
                  for r in workup_requests(kb, outcome, response_ref)]
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"fullUrl": url, "resource": resource} for url, resource in resources]}


def to_json(resource: Mapping[str, Any], compact: bool = False) -> str:
    """A resource as JSON text: indented for a file, one line for batch output."""
    if compact:
        return json.dumps(resource, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(resource, indent=2, ensure_ascii=False)
