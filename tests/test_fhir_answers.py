"""`triage run --answers response.json` (issue 17): a FHIR QuestionnaireResponse read as answers, with the checks
and messages of an answers file; each error is one line naming the file, the linkId and the field (exit 2)."""

from __future__ import annotations

import json

import pytest

from support.paths import EXAMPLES
from triage.answers import check_answers
from triage.errors import AnswersError
from triage.knowledge.yamlfile import parse_text
from triage.render.json_format import outcome_data
from triage.standards.fhir import canonical, questionnaire_response, system
from triage.standards.fhir_answers import answers_from_fhir, is_fhir

MAN = {"chest_pain": "no", "sex": "male", "urination_screen": "yes", "weak_stream": "yes",
       "general_signs": ["weakness"], "past_illnesses": []}


def response(kb, answers: dict) -> dict:
    return json.loads(json.dumps(questionnaire_response(kb, check_answers(kb, answers, "test"))))


def item(resource: dict, link_id: str) -> dict:
    return next(i for i in resource["item"] if i["linkId"] == link_id)


def errors(kb, resource: dict) -> list[str]:
    """The lines `triage run --answers r.json` prints for this response (the CLI tests below check that it does)."""
    with pytest.raises(AnswersError) as caught:
        answers_from_fhir(kb, json.loads(json.dumps(resource)), "r.json")
    return [f"error: {problem}" for problem in caught.value.problems]


@pytest.fixture(autouse=True)
def _here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def test_a_bad_response_is_one_line_per_problem_naming_file_link_id_and_field_exit_2(cli, tmp_path, real_kb):
    resource = response(real_kb, MAN)
    item(resource, "sex")["answer"][0]["valueCoding"]["code"] = "boy"
    (tmp_path / "r.json").write_text(json.dumps(resource), encoding="utf-8")
    result = cli("run", "--answers", "r.json", "--format", "fhir")
    assert (result.code, result.out) == (2, "")
    assert result.err.splitlines() == errors(real_kb, resource) == [
        "error: r.json, linkId 'sex', field 'item[1].answer[0].valueCoding.code': 'boy' is not an answer here; "
        "it takes male, female, other",
        "error: r.json, linkId 'weak_stream', field 'item[5].answer[0].valueCoding.code': would not have been "
        "asked, given the other answers; remove it"]


def test_a_response_reads_as_the_answers_it_was_written_from(real_kb):
    assert answers_from_fhir(real_kb, response(real_kb, MAN), "r.json") == check_answers(real_kb, MAN, "x")


def test_a_bundle_written_by_run_format_fhir_is_read_by_its_response(cli, tmp_path, real_kb, real_engine):
    (tmp_path / "a.json").write_text(json.dumps(MAN), encoding="utf-8")
    (tmp_path / "b.json").write_text(cli("run", "--answers", "a.json", "--format", "fhir").out, encoding="utf-8")
    again = cli("run", "--answers", "b.json", "--format", "json")
    assert again.code == 0, again.err
    assert json.loads(again.out) == outcome_data(real_engine.evaluate(check_answers(real_kb, MAN, "x")))


def test_run_gives_the_same_outcome_for_a_response_as_for_the_answers_file(cli, tmp_path, real_kb):
    past_tb = parse_text((EXAMPLES / "past-tb.yaml").read_text(encoding="utf-8"), "past-tb.yaml")
    (tmp_path / "r.json").write_text(json.dumps(response(real_kb, past_tb)), encoding="utf-8")
    assert cli("run", "--answers", "r.json").out == cli("run", "--answers", EXAMPLES / "past-tb.yaml").out


def test_explain_reads_a_response_too(cli, tmp_path, real_kb):
    (tmp_path / "r.json").write_text(json.dumps(response(real_kb, MAN)), encoding="utf-8")
    result = cli("explain", "--answers", "r.json")
    assert result.code == 0 and "weak_stream" in result.out


def test_only_a_mapping_with_a_resource_type_is_taken_for_fhir():
    assert is_fhir({"resourceType": "QuestionnaireResponse"})
    assert not is_fhir({"chest_pain": "no"}) and not is_fhir(["resourceType"])


def test_an_unknown_link_id(real_kb):
    resource = response(real_kb, MAN)
    item(resource, "sex")["linkId"] = "gender"
    assert errors(real_kb, resource) == [
        "error: r.json, linkId 'gender', field 'item[1].linkId': is not a question of this knowledge base "
        "(see 'triage questions')",
        # and without sex, the men's question would not have been asked: both problems at once
        "error: r.json, linkId 'weak_stream', field 'item[5].answer[0].valueCoding.code': would not have been "
        "asked, given the other answers; remove it"]


def test_an_unknown_link_id_without_an_answer_is_still_refused(real_kb):
    resource = response(real_kb, MAN)
    resource["item"].append({"linkId": "chest_pian"})
    resource["item"].append({"linkId": "chest_pain-help"})  # the Questionnaire's own display items may appear
    assert errors(real_kb, resource) == [
        "error: r.json, linkId 'chest_pian', field 'item[6].linkId': is not a question of this knowledge base "
        "(see 'triage questions')"]


def test_a_value_that_is_not_offered(real_kb):
    resource = response(real_kb, MAN)
    item(resource, "sex")["answer"][0]["valueCoding"]["code"] = "boy"
    assert errors(real_kb, resource)[0] == (
        "error: r.json, linkId 'sex', field 'item[1].answer[0].valueCoding.code': 'boy' is not an answer here; "
        "it takes male, female, other")


def test_an_option_offered_only_to_men_given_by_a_woman(real_kb):
    resource = response(real_kb, {"sex": "female", "past_illnesses": ["cancer_other"]})
    item(resource, "past_illnesses")["answer"][0]["valueCoding"]["code"] = "sti_or_prostatitis"
    (line,) = errors(real_kb, resource)
    assert line.startswith("error: r.json, linkId 'past_illnesses', field 'item[1].answer': 'sti_or_prostatitis' "
                           "is not an answer here; it takes a list of: ")


def test_an_answer_to_a_question_that_is_not_enabled(real_kb):
    resource = response(real_kb, MAN)
    item(resource, "sex")["answer"][0]["valueCoding"]["code"] = "female"
    assert errors(real_kb, resource) == [
        "error: r.json, linkId 'weak_stream', field 'item[5].answer[0].valueCoding.code': would not have been "
        "asked, given the other answers; remove it"]


def test_a_response_to_another_questionnaire(real_kb):
    resource = response(real_kb, MAN)
    resource["questionnaire"] = "http://example.org/Questionnaire/phq-9|1.0"
    assert errors(real_kb, resource) == [
        f"error: r.json, field 'questionnaire': 'http://example.org/Questionnaire/phq-9|1.0' is another "
        f"questionnaire; this knowledge base's is {canonical(real_kb)} (see 'triage questions --format fhir')"]


@pytest.mark.parametrize(("version", "said"), [("0.0.9", "version '0.0.9'"), ("", "no version")])
def test_a_response_to_another_version_or_none(real_kb, version, said):
    resource = response(real_kb, MAN)
    resource["questionnaire"] = canonical(real_kb).split("|")[0] + (f"|{version}" if version else "")
    assert errors(real_kb, resource) == [
        f"error: r.json, field 'questionnaire': names {said}; these rules are version {real_kb.version}, and "
        f"answers to another version may mean other things: {canonical(real_kb)}"]


def test_a_response_that_names_no_questionnaire(real_kb):
    resource = response(real_kb, MAN)
    del resource["questionnaire"]
    assert errors(real_kb, resource) == [
        f"error: r.json, field 'questionnaire': is missing; it must name the questionnaire: {canonical(real_kb)}"]


def test_a_value_that_is_not_a_coding(real_kb):
    resource = response(real_kb, MAN)
    item(resource, "chest_pain")["answer"] = [{"valueBoolean": False}]
    assert errors(real_kb, resource) == [
        "error: r.json, linkId 'chest_pain', field 'item[0].answer[0]': must be a valueCoding (every question "
        "here is a choice), not valueBoolean"]


def test_a_code_of_another_system(real_kb):
    resource = response(real_kb, MAN)
    item(resource, "chest_pain")["answer"][0]["valueCoding"]["system"] = "http://loinc.org"
    assert errors(real_kb, resource) == [
        "error: r.json, linkId 'chest_pain', field 'item[0].answer[0].valueCoding.system': 'http://loinc.org' is "
        f"not this questionnaire's code system; use {system(real_kb)}"]


def test_a_coding_without_a_code(real_kb):
    resource = response(real_kb, MAN)
    del item(resource, "chest_pain")["answer"][0]["valueCoding"]["code"]
    assert errors(real_kb, resource) == [
        "error: r.json, linkId 'chest_pain', field 'item[0].answer[0].valueCoding.code': is missing: the option "
        "id, e.g. 'yes'"]


def test_two_answers_to_a_single_choice(real_kb):
    resource = response(real_kb, MAN)
    item(resource, "sex")["answer"].append({"valueCoding": {"code": "female"}})
    assert errors(real_kb, resource) == [
        "error: r.json, linkId 'sex', field 'item[1].answer': holds 2 answers; this question takes one",
        "error: r.json, linkId 'weak_stream', field 'item[5].answer[0].valueCoding.code': would not have been "
        "asked, given the other answers; remove it"]


def test_none_of_these_beside_another_option(real_kb):
    resource = response(real_kb, MAN)
    item(resource, "general_signs")["answer"].append({"valueCoding": {"code": "none-of-these"}})
    assert errors(real_kb, resource) == [
        "error: r.json, linkId 'general_signs', field 'item[2].answer': 'none-of-these' cannot stand beside "
        "other options"]


def test_none_of_these_alone_is_the_empty_list(real_kb):
    resource = response(real_kb, MAN)
    assert item(resource, "past_illnesses")["answer"] == [{"valueCoding": {
        "system": system(real_kb), "code": "none-of-these", "display": "None of these"}}]
    assert answers_from_fhir(real_kb, resource, "r.json")["past_illnesses"] == ()


def test_none_of_these_is_refused_where_a_tick_is_needed(real_kb):
    resource = response(real_kb, {**MAN, "tb_history": "yes", "tb_where": ["lungs"]})
    item(resource, "tb_where")["answer"] = [{"valueCoding": {"code": "none-of-these"}}]
    [message] = errors(real_kb, resource)
    assert message.startswith("error: r.json, linkId 'tb_where', field 'item[4].answer': has nothing ticked, and "
                              "this question needs at least one option; write a list of at least one of: lungs, ")


def test_a_question_answered_in_two_items(real_kb):
    resource = response(real_kb, MAN)
    resource["item"].append(dict(item(resource, "chest_pain")))
    assert errors(real_kb, resource) == [
        "error: r.json, linkId 'chest_pain', field 'item[6]': is answered twice (also in item[0]); keep one"]


def test_nested_items(real_kb):
    resource = response(real_kb, MAN)
    item(resource, "chest_pain")["item"] = [{"linkId": "x", "answer": [{"valueString": "y"}]}]
    assert errors(real_kb, resource) == [
        "error: r.json, linkId 'chest_pain', field 'item[0].item': holds nested items; this questionnaire's "
        "questions have none"]


def test_a_help_text_copied_into_the_response_is_fine(real_kb):
    resource = response(real_kb, MAN)
    item(resource, "sex")["item"] = [{"linkId": "sex-help", "text": "We ask this only because ..."}]
    assert answers_from_fhir(real_kb, resource, "r.json") == check_answers(real_kb, MAN, "x")


def test_a_withdrawn_response(real_kb):
    resource = response(real_kb, MAN)
    resource["status"] = "entered-in-error"
    assert errors(real_kb, resource) == [
        "error: r.json, field 'status': is 'entered-in-error': the response was withdrawn; nothing to evaluate"]


def test_another_kind_of_resource(real_kb):
    assert errors(real_kb, {"resourceType": "Patient", "id": "p1"}) == [
        "error: r.json, field 'resourceType': is a FHIR 'Patient'; give a QuestionnaireResponse (or a mapping of "
        "question ids)"]


def test_a_bundle_without_a_response(real_kb):
    assert errors(real_kb, {"resourceType": "Bundle", "type": "collection", "entry": []}) == [
        "error: r.json, field 'entry': is a FHIR Bundle without a QuestionnaireResponse; nothing to evaluate"]


def test_items_that_are_not_a_list(real_kb):
    resource = response(real_kb, MAN)
    resource["item"] = {"linkId": "sex"}
    assert errors(real_kb, resource) == ["error: r.json, field 'item': must be a list of items"]


def test_every_problem_at_once(real_kb):
    resource = response(real_kb, MAN)
    item(resource, "sex")["answer"][0]["valueCoding"]["code"] = "boy"
    item(resource, "chest_pain")["answer"] = [{"valueString": "no"}]
    with pytest.raises(AnswersError) as caught:
        answers_from_fhir(real_kb, resource, "r.json")
    assert [p.place.item for p in caught.value.problems] == ["linkId 'chest_pain'", "linkId 'sex'",
                                                              "linkId 'weak_stream'"]
