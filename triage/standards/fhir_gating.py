"""A question's `ask_when` as FHIR gating: `enableWhen` with `enableBehavior` where that says it exactly,
else an SDC `enableWhenExpression` in FHIRPath (docs/fhir.md, "Gating").

FHIR's enableWhen is one flat list joined by a single `all` or `any`. Two shapes fit it exactly:
- an OR of single tests: `any` (an answer that is one of several values, or several of those joined by any);
- an AND of single tests: `all`. An answer that must be one of several values becomes "answered, and not
  any of the other values" (`exists` plus `!=`), which is the same thing because an answer can only be one
  of the question's values: `urination_screen is [yes, not_sure]` is `exists` and `!= no`.
Anything else (an `any` nested inside an `all` that the rewrite above cannot flatten, or an `includes` of
several options inside an `all`) gets the condition as FHIRPath in `enableWhenExpression` instead: SDC lets
an item carry one or the other, never both. The built-in questions need only enableWhen; the tests say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, assert_never

from triage.model import (
    AllOf,
    Always,
    AnswerIncludes,
    AnswerIs,
    AnyOf,
    ConcernRaised,
    Condition,
    FindingReached,
    KnowledgeBase,
    OrganConcernsAtLeast,
)

SDC = "http://hl7.org/fhir/uv/sdc/StructureDefinition"
ENABLE_WHEN_EXPRESSION = f"{SDC}/sdc-questionnaire-enableWhenExpression"
OPTIONS_TOGGLE = f"{SDC}/sdc-questionnaire-answerOptionsToggleExpression"


@dataclass(frozen=True)
class Gate:
    """How one condition is written on an item: enableWhen terms with their behaviour, or an expression."""

    enable_when: tuple[dict[str, Any], ...] = ()
    behavior: str | None = None  # "all" or "any" with two terms or more
    expression: str | None = None  # FHIRPath, when enableWhen cannot say the condition exactly

    def fields(self) -> dict[str, Any]:
        """The item's fields that carry this gate."""
        if self.expression is not None:
            return {"extension": [expression_extension(ENABLE_WHEN_EXPRESSION, self.expression)]}
        out: dict[str, Any] = {"enableWhen": list(self.enable_when)}
        if self.behavior is not None:
            out["enableBehavior"] = self.behavior
        return out


def gate(kb: KnowledgeBase, condition: Condition, system: str) -> Gate:
    """The gate for `condition` (answers coded in `system`): enableWhen when exact, else FHIRPath."""
    terms = _as_any(condition, system)
    if terms is not None and len(terms) == 1:
        return Gate(tuple(terms))
    if terms is not None:
        return Gate(tuple(terms), "any")
    terms = _as_all(kb, condition, system)
    if terms is not None:
        return Gate(tuple(terms), "all" if len(terms) > 1 else None)
    return Gate(expression=fhirpath(condition))


def _equals(question: str, code: str, system: str) -> dict[str, Any]:
    return {"question": question, "operator": "=", "answerCoding": {"system": system, "code": code}}


def _as_any(condition: Condition, system: str) -> list[dict[str, Any]] | None:
    """Terms of which any one makes `condition` hold, or None when it is not such an OR."""
    match condition:
        case AnswerIs(question, values) | AnswerIncludes(question, values):
            return [_equals(question, v, system) for v in values]
        case AnyOf(items):
            return _joined([_as_any(item, system) for item in items])
        case AllOf(items):  # an all of one item is that item
            return _as_any(items[0], system) if len(items) == 1 else None
        case Always() | ConcernRaised() | FindingReached() | OrganConcernsAtLeast():
            return None
        case unknown:
            assert_never(unknown)


def _as_all(kb: KnowledgeBase, condition: Condition, system: str) -> list[dict[str, Any]] | None:
    """Terms that must all hold for `condition` to hold, or None when it is not such an AND."""
    match condition:
        case AnswerIs(question, (value,)) | AnswerIncludes(question, (value,)):
            return [_equals(question, value, system)]
        case AnswerIs(question, values):
            others = [v for v in kb.question[question].values if v not in values]
            return [{"question": question, "operator": "exists", "answerBoolean": True},
                    *({"question": question, "operator": "!=", "answerCoding": {"system": system, "code": v}}
                      for v in others)]
        case AnswerIncludes():  # one of several options ticked: an OR that an AND of terms cannot say
            return None
        case AllOf(items):
            return _joined([_as_all(kb, item, system) for item in items])
        case AnyOf(items):  # an any of one item is that item
            return _as_all(kb, items[0], system) if len(items) == 1 else None
        case Always() | ConcernRaised() | FindingReached() | OrganConcernsAtLeast():
            return None
        case unknown:
            assert_never(unknown)


def _joined(parts: list[list[dict[str, Any]] | None]) -> list[dict[str, Any]] | None:
    """The terms of every part in one list; None when one part cannot be said as terms."""
    if any(part is None for part in parts):
        return None
    return [term for part in parts for term in part or []]


def fhirpath(condition: Condition) -> str:
    """`condition` as a FHIRPath expression over the QuestionnaireResponse being filled in (%resource)."""
    match condition:
        case AnswerIs(question, values) | AnswerIncludes(question, values):
            codes = " or ".join(f"code = {_literal(v)}" for v in values)
            return f"%resource.repeat(item).where(linkId = {_literal(question)}).answer.value.where({codes}).exists()"
        case AllOf(items):
            return " and ".join(f"({fhirpath(item)})" for item in items)
        case AnyOf(items):
            return " or ".join(f"({fhirpath(item)})" for item in items)
        case Always():
            return "true"
        case ConcernRaised() | FindingReached() | OrganConcernsAtLeast():
            # validate.py keeps conclusions out of ask_when: a question is asked on answers alone.
            raise ValueError(f"an ask_when cannot rest on a conclusion: {condition}")
        case unknown:
            assert_never(unknown)


def _literal(text: str) -> str:
    """A FHIRPath string literal (ids are letters, digits, '_' and '.', but be safe)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def expression_extension(url: str, expression: str) -> dict[str, Any]:
    return {"url": url, "valueExpression": {"language": "text/fhirpath", "expression": expression}}


def options_toggle(coding: dict[str, Any], condition: Condition) -> dict[str, Any]:
    """SDC's answerOptionsToggleExpression: `coding` is offered only while `condition` holds (the prostate
    option only for men). A renderer that does not know it shows the option always; the response reader
    still refuses it where the interview would not offer it."""
    return {"url": OPTIONS_TOGGLE, "extension": [
        {"url": "option", "valueCoding": coding},
        {"url": "expression", "valueExpression": {"language": "text/fhirpath", "expression": fhirpath(condition)}},
    ]}
