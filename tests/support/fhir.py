"""FHIR helpers for the tests: R4B validation (fhir.resources) and FHIR's own enableWhen rules, written from the
specification, to check our gating against without our flow's code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhir.resources.R4B.servicerequest import ServiceRequest

MODELS = {"Questionnaire": Questionnaire, "QuestionnaireResponse": QuestionnaireResponse, "Bundle": Bundle,
          "ServiceRequest": ServiceRequest}


def valid(resource: Mapping[str, Any]) -> None:
    """Raises (pydantic's ValidationError, naming the field) unless `resource` is valid R4B; a Bundle's entries
    are validated as their own resource types too."""
    MODELS[resource["resourceType"]].model_validate(dict(resource))
    for entry in resource.get("entry", []):
        valid(entry["resource"])


def enabled(item: Mapping[str, Any], codes: Mapping[str, list[str]]) -> bool:
    """Whether a Questionnaire item is enabled, by R4's enableWhen rules, given the codes answered so far
    (linkId -> the codes of its answers; a disabled item's answers are left out, as FHIR says)."""
    terms = item.get("enableWhen")
    if not terms:
        return True
    results = [_term(term, codes.get(term["question"], [])) for term in terms]
    assert len(results) == 1 or item.get("enableBehavior") in ("all", "any"), "enableBehavior is required"
    return any(results) if item.get("enableBehavior") == "any" else all(results)


def _term(term: Mapping[str, Any], answered: list[str]) -> bool:
    operator = term["operator"]
    if operator == "exists":
        return bool(answered) == term["answerBoolean"]
    code = term["answerCoding"]["code"]
    if operator == "=":  # "at least one answer has a value that is equal"
        return code in answered
    if operator == "!=":  # "no answer has a value that is equal"
        return code not in answered
    raise AssertionError(f"operator {operator} is not used by calcitriage")
