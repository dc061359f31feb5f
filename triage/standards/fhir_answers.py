"""Read a FHIR QuestionnaireResponse (JSON, or the first one in a Bundle) as answers.

The answers go through the very checks an answers file does (`answers.check_answers`): unknown questions,
values not offered, answers to questions that would not have been asked all give the same messages. Only
the place differs: it names the linkId and the field of the response, e.g.
`response.json, linkId 'sex', field 'item[5].answer[0].valueCoding.code': 'boy' is not an answer here; ...`
What only a response can get wrong (another questionnaire or version, a value that is not a valueCoding, a
code of another system) is checked here, in the same style.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from triage.answers import check_answers
from triage.errors import AnswersError, Place, Problem, shown
from triage.model import KnowledgeBase
from triage.outcome import AnswerValue
from triage.standards.fhir import HELP, NONE_OF_THESE, NOTICE, canonical, questionnaire_url, system

RESPONSE = "QuestionnaireResponse"


def is_fhir(raw: Any) -> bool:
    """Whether a parsed answers file is a FHIR resource (it names its resourceType) rather than a mapping of
    question ids: question ids are lower case by convention, and a question named resourceType would have to
    be answered with a mapping, which no question takes."""
    return isinstance(raw, Mapping) and isinstance(raw.get("resourceType"), str)


def answers_from_fhir(kb: KnowledgeBase, raw: Mapping[str, Any], file: str) -> dict[str, AnswerValue]:
    """The answers of a QuestionnaireResponse (or of the first one in a Bundle), checked like an answers
    file; AnswersError lists every problem at once, each naming the file, the linkId and the field."""
    response, path = _response(raw, file)
    problems = _questionnaire_problems(kb, response, file, path)
    items = response.get("item", [])
    if not isinstance(items, list):
        raise AnswersError([*problems, Problem("wrong-shape", Place(file, field=f"{path}item"),
                                               "must be a list of items")])
    values: dict[str, Any] = {}
    places: dict[str, Place] = {}
    first: dict[str, str] = {}  # linkId -> the item that answered it first
    for index, item in enumerate(items):
        read = _item(kb, item, file, f"{path}item[{index}]", problems)
        if read is None:
            continue
        link_id, value, place = read
        if link_id in values:
            problems.append(Problem("duplicate-id", replace(place, field=f"{path}item[{index}]"),
                                    f"is answered twice (also in {first[link_id]}); keep one"))
            continue
        values[link_id], places[link_id], first[link_id] = value, place, f"{path}item[{index}]"
    try:
        answers = check_answers(kb, values, file)
    except AnswersError as exc:  # every problem at once: the response's own, then those of its answers
        raise AnswersError(problems + [_placed(p, places) for p in exc.problems]) from exc
    if problems:
        raise AnswersError(problems)
    return answers


def _response(raw: Mapping[str, Any], file: str) -> tuple[Mapping[str, Any], str]:
    """The QuestionnaireResponse and the path to it ('' or 'entry[0].resource.')."""
    kind = raw.get("resourceType")
    if kind == RESPONSE:
        return raw, ""
    if kind == "Bundle":  # a Bundle written by `triage run --format fhir` holds the response first
        for index, entry in enumerate(raw.get("entry") or []):
            resource = entry.get("resource") if isinstance(entry, Mapping) else None
            if isinstance(resource, Mapping) and resource.get("resourceType") == RESPONSE:
                return resource, f"entry[{index}].resource."
        raise AnswersError([Problem("wrong-shape", Place(file, field="entry"),
                                    f"is a FHIR Bundle without a {RESPONSE}; nothing to evaluate")])
    raise AnswersError([Problem("wrong-shape", Place(file, field="resourceType"),
                                f"is a FHIR {shown(kind)}; give a {RESPONSE} (or a mapping of question ids)")])


def _questionnaire_problems(kb: KnowledgeBase, response: Mapping[str, Any], file: str, path: str) -> list[Problem]:
    """A response to another questionnaire, or to another version of this one, is refused: the same linkIds
    may mean other questions there."""
    place = Place(file, field=f"{path}questionnaire")
    named = response.get("questionnaire")
    if not isinstance(named, str) or not named:
        return [Problem("missing-field", place, f"is missing; it must name the questionnaire: {canonical(kb)}")]
    url, _, version = named.partition("|")
    if url != questionnaire_url(kb):
        return [Problem("unknown-id", place, f"{shown(named)} is another questionnaire; this knowledge base's is "
                                             f"{canonical(kb)} (see 'triage questions --format fhir')")]
    if version != kb.version:
        said = f"version {shown(version)}" if version else "no version"
        return [Problem("bad-value", place, f"names {said}; these rules are version {kb.version}, and answers to "
                                            f"another version may mean other things: {canonical(kb)}")]
    if response.get("status") == "entered-in-error":
        return [Problem("bad-value", Place(file, field=f"{path}status"), "is 'entered-in-error': the response was "
                                                                          "withdrawn; nothing to evaluate")]
    return []


def _item(kb: KnowledgeBase, item: Any, file: str, path: str,
          problems: list[Problem]) -> tuple[str, Any, Place] | None:
    """One item's linkId, its answer as an answers file writes it (a code, or a list of codes) and its place."""
    if not isinstance(item, Mapping) or not isinstance(item.get("linkId"), str):
        problems.append(Problem("wrong-shape", Place(file, field=path), "must be an item with a linkId"))
        return None
    link_id = item["linkId"]
    place = Place(file, item=f"linkId {shown(link_id)}", field=f"{path}.answer")
    if not _only_help(item.get("item"), link_id):
        problems.append(Problem("wrong-shape", replace(place, field=f"{path}.item"),
                                "holds nested items; this questionnaire's questions have none"))
        return None
    answers = item.get("answer") or []
    if not isinstance(answers, list):
        problems.append(Problem("wrong-shape", place, "must be a list of answers"))
        return None
    if not answers:
        # An item without an answer: not answered, as a question left out of an answers file. An unknown
        # linkId is still refused (a typo must not pass quietly); the Questionnaire's display items may appear.
        known = link_id in kb.question or link_id == NOTICE or link_id.removesuffix(HELP) in kb.question
        return None if known else (link_id, None, place)  # _placed names its linkId field
    codes = [_code(kb, answer, file, f"{path}.answer[{index}]", link_id, problems)
             for index, answer in enumerate(answers)]
    if any(code is None for code in codes):
        return None
    question = kb.question.get(link_id)
    if question is not None and question.kind.is_list:
        if codes == [NONE_OF_THESE]:
            return link_id, [], place
        if NONE_OF_THESE in codes:
            problems.append(Problem("bad-value", place, f"{NONE_OF_THESE!r} cannot stand beside other options"))
            return None
        return link_id, codes, place
    if len(codes) > 1:
        problems.append(Problem("bad-value", place, f"holds {len(codes)} answers; this question takes one"))
        return None
    code_place = replace(place, field=f"{path}.answer[0].valueCoding.code")
    return link_id, codes[0], code_place


def _only_help(nested: Any, link_id: str) -> bool:
    """Whether an item's nested items are none, or only its own help text without an answer (a renderer may
    copy the Questionnaire's display child into the response)."""
    return not nested or (isinstance(nested, list) and all(
        isinstance(n, Mapping) and n.get("linkId") == link_id + HELP and not n.get("answer") for n in nested))


def _code(kb: KnowledgeBase, answer: Any, file: str, path: str, link_id: str,
          problems: list[Problem]) -> str | None:
    place = Place(file, item=f"linkId {shown(link_id)}", field=path)
    value = answer.get("valueCoding") if isinstance(answer, Mapping) else None
    if not isinstance(value, Mapping):
        given = [k for k in answer if k.startswith("value")] if isinstance(answer, Mapping) else []
        problems.append(Problem("bad-value", place, "must be a valueCoding (every question here is a choice)"
                                + (f", not {given[0]}" if given else "")))
        return None
    code, coded_in = value.get("code"), value.get("system")
    if coded_in is not None and coded_in != system(kb):
        problems.append(Problem("bad-value", replace(place, field=f"{path}.valueCoding.system"),
                                f"{shown(coded_in)} is not this questionnaire's code system; use {system(kb)}"))
        return None
    if not isinstance(code, str) or not code:
        problems.append(Problem("missing-field", replace(place, field=f"{path}.valueCoding.code"),
                                "is missing: the option id, e.g. 'yes'"))
        return None
    return code


def _placed(problem: Problem, places: Mapping[str, Place]) -> Problem:
    """A problem check_answers found, placed at the linkId and field of the response it is about."""
    for link_id, place in places.items():
        if problem.place.item in (f"question '{link_id}'", f"question {shown(link_id)}"):
            if problem.code == "unknown-id":  # the linkId itself is wrong, not its answer
                return replace(problem, place=replace(place, field=f"{(place.field or '').split('.answer')[0]}.linkId"))
            return replace(problem, place=place)
    return problem
