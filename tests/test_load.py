"""Loading a rules folder: the real one loads; a broken one is refused with every problem named at once.

Each message names the file (and line where known), the item and the field, so that a clinician can find
and fix it without reading code.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from triage.errors import KnowledgeBaseError
from triage.knowledge.load import builtin_rules_dir, load_knowledge
from triage.logic import questions_read
from triage.model import ConsiderWorkup, QuestionType, RaiseConcern, Refer

SECTIONS = ("general", "lungs", "kidneys", "liver", "prostate", "thyroid", "heart", "breast")
WORKUPS = ("xray", "ct_mri", "ultrasound", "calcium_blood", "hormones")

# --- the real knowledge base -----------------------------------------------------------------------------


def test_the_real_knowledge_base_loads_with_the_leaflet_sections_and_workups(real_kb):
    assert tuple(s.id for s in real_kb.sections) == SECTIONS
    assert set(real_kb.workup) == set(WORKUPS)
    assert [u.id for u in real_kb.urgency_levels] == ["emergency", "urgent", "soon", "routine"]
    assert real_kb.rules and real_kb.questions and real_kb.cases


def test_every_real_rule_has_an_id_a_statement_and_a_known_source(real_kb):
    for rule in real_kb.rules:
        assert rule.id and rule.statement.strip(), rule
        assert rule.source in real_kb.source, rule.id
        assert rule.file.startswith("rules/rules/") and rule.line, rule.id


def test_emergencies_come_only_from_safety_rules_on_the_five_red_flags(real_kb):
    red_flags = {q.id for q in real_kb.questions if q.red_flag}
    for rule in real_kb.rules:
        if isinstance(rule.then, Refer) and rule.then.urgency == "emergency":
            assert rule.source == "safety", rule.id
            assert questions_read(rule.when) <= red_flags, rule.id
    safety = [r for r in real_kb.rules if r.source == "safety"]
    assert safety and all(r.id.startswith("safety.") for r in safety)
    assert red_flags == {"chest_pain", "vomiting_blood", "blue_lips", "severe_breathlessness",
                         "almost_no_urine"}


def test_every_organ_section_has_a_concern_rule_and_a_referral_to_its_doctor(real_kb):
    for section in real_kb.sections:
        concluding = [r for r in real_kb.rules if r.then == RaiseConcern(section.id)]
        assert concluding, section.id
        refer = [r for r in real_kb.rules if isinstance(r.then, Refer) and r.then.to == section.doctor]
        assert refer, section.id


def test_every_workup_rule_gives_a_reason_a_person_can_read(real_kb):
    reasons = [r.then.reason for r in real_kb.rules if isinstance(r.then, ConsiderWorkup)]
    assert {r.then.workup for r in real_kb.rules if isinstance(r.then, ConsiderWorkup)} == set(WORKUPS)
    assert all(reason.endswith(".") and len(reason) > 20 for reason in reasons)


def test_prostate_questions_are_asked_only_of_men_and_breast_questions_of_everyone(real_kb):
    from triage.flow import is_asked

    for question in real_kb.questions:
        if question.topic == "prostate":
            assert not is_asked(question, {"sex": "female"}) and not is_asked(question, {"sex": "other"})
        if question.topic == "breast":
            assert all(is_asked(question, {"sex": sex}) for sex in ("male", "female", "other"))
    breast_place = next(o for o in real_kb.question["image_where"].options if o.id == "breast")
    assert breast_place.ask_when is None


def test_yes_and_no_in_the_rules_files_stay_answers_not_booleans(real_kb):
    rule = real_kb.rule["kidneys.breath_smell"]
    assert rule.when.values == ("yes", "not_sure")
    assert real_kb.question["tb_history"].type is QuestionType.YES_NO_UNSURE


def test_the_hash_changes_with_the_knowledge_but_not_with_the_golden_cases(tiny):
    first = tiny.load().hash
    tiny.write("cases/one.yaml", """
        title: A cough
        story: Someone coughs.
        answers: {cough: yes}
        expect: {urgency: soon, sections: [lungs], workups: [xray]}
        """)
    assert tiny.load().hash == first
    tiny.replace("rules/x.yaml", "Everyone may talk", "Anyone may talk")
    changed = tiny.load().hash
    assert changed != first and len(changed) == 64


def test_the_built_in_knowledge_base_is_found_without_naming_a_folder():
    assert (builtin_rules_dir() / "knowledge.yaml").is_file()
    assert load_knowledge(builtin_rules_dir()).version == load_knowledge().version


# --- one kind of mistake at a time -------------------------------------------------------------------------


def test_the_tiny_knowledge_base_used_by_these_tests_is_valid(tiny):
    kb = tiny.load()
    assert [q.id for q in kb.questions] == ["chest_pain", "sex", "cough", "cough_blood", "past"]


def test_a_yaml_syntax_error_names_the_file_and_line(tiny):
    tiny.replace("rules/x.yaml", "  source: leaflet\n  when: {question: cough, is: yes}",
                 "  source: leaflet\n   when: {question: cough, is: yes}")
    messages = tiny.messages()
    assert messages[0] == "kb/rules/x.yaml:22: not valid YAML or JSON: mapping values are not allowed here"


def test_a_syntax_error_in_questions_is_not_buried_under_the_rules_that_need_them(tiny):
    tiny.replace("questions.yaml", "type: yes_no_unsure\n\n- id: sex", "type: [yes_no_unsure\n\n- id: sex")
    # Every rule would otherwise report "unknown question ..." for ids the broken file defines.
    assert tiny.messages() == ["kb/questions.yaml:8: not valid YAML or JSON: expected ',' or ']', but got ':'"]


def test_a_field_written_twice_in_a_rule_is_an_error_not_a_silent_choice(tiny):
    tiny.replace("rules/x.yaml", "  when: {question: cough, is: yes}\n",
                 "  when: {question: cough, is: yes}\n  when: {always: true}\n")
    assert tiny.messages() == [
        "kb/rules/x.yaml:23: not valid YAML or JSON: 'when' is written twice in one mapping; keep one",
    ]


def test_a_duplicate_question_id_is_named(tiny):
    tiny.replace("questions.yaml", "- id: cough_blood", "- id: cough")
    messages = tiny.messages()
    assert ("kb/questions.yaml, question 'cough', field 'id': the id is used 2 times; ids must be unique"
            in messages)


def test_a_duplicate_rule_id_names_both_files(tiny):
    tiny.write("rules/y.yaml", """
        - id: referral.lungs
          statement: Said again in another file.
          source: leaflet
          when: {always: true}
          then: {advice: checkups}
        """)
    assert tiny.messages() == [
        "kb/rules/y.yaml:1, rule 'referral.lungs', field 'id': the id is also used in "
        "kb/rules/x.yaml; rule ids must be unique",
    ]


def test_a_rule_on_an_unknown_question_is_named(tiny):
    tiny.replace("rules/x.yaml", "{question: cough, is: yes}", "{question: coughing, is: yes}")
    assert tiny.messages() == [
        "kb/rules/x.yaml:19, rule 'lungs.cough', field 'when': unknown question 'coughing'"]


def test_a_rule_on_an_unknown_section_is_named_in_its_condition_and_in_its_conclusion(tiny):
    tiny.replace("rules/x.yaml", "when: {concern: lungs}", "when: {concern: lung}")
    tiny.replace("rules/x.yaml", "then: {concern: kidneys}", "then: {concern: heart}")
    assert tiny.messages() == [
        "kb/rules/x.yaml:31, rule 'kidneys.past_infection', field 'then.concern': unknown section 'heart'",
        "kb/rules/x.yaml:37, rule 'referral.lungs', field 'when': unknown section 'lung'",
    ]


def test_a_rule_naming_an_unknown_workup_lists_the_known_ones(tiny):
    tiny.replace("rules/x.yaml", "then: {workup: xray", "then: {workup: x_ray")
    assert tiny.messages() == [
        "kb/rules/x.yaml:55, rule 'workups.xray', field 'then.workup': unknown workup 'x_ray'; "
        "use one of xray, calcium_blood"]


def test_a_rule_on_an_unknown_finding_is_named_in_its_condition_and_in_its_conclusion(tiny):
    tiny.replace("rules/x.yaml", "when: {finding: suspected}", "when: {finding: seen}")
    tiny.replace("rules/x.yaml", "then: {finding: suspected}", "then: {finding: sighted}")
    assert tiny.messages() == [
        "kb/rules/x.yaml:49, rule 'suspected', field 'then.finding': unknown finding 'sighted'; "
        "findings are listed in findings.yaml",
        "kb/rules/x.yaml:55, rule 'workups.xray', field 'when': unknown finding 'seen'; "
        "findings are listed in findings.yaml",
    ]


def test_a_rule_giving_unknown_advice_is_named(tiny):
    tiny.replace("rules/x.yaml", "then: {advice: checkups}", "then: {advice: rest}")
    assert tiny.messages() == [
        "kb/rules/x.yaml:67, rule 'advice.checkups', field 'then.advice': unknown advice 'rest'; "
        "advice is listed in advice.yaml"]


def test_a_referral_to_an_unknown_doctor_or_urgency_is_named(tiny):
    tiny.replace("rules/x.yaml", "to: lung_doctor, urgency: soon", "to: pulmonologist, urgency: asap")
    assert tiny.messages() == [
        "kb/rules/x.yaml:37, rule 'referral.lungs', field 'then.referral.to': unknown doctor "
        "'pulmonologist'; use one of emergency_services, gp, lung_doctor, kidney_doctor",
        "kb/rules/x.yaml:37, rule 'referral.lungs', field 'then.referral.urgency': unknown urgency "
        "'asap'; use one of emergency, urgent, soon, routine",
    ]


def test_a_section_with_an_unknown_doctor_is_named(tiny):
    tiny.replace("sections.yaml", "doctor: lung_doctor", "doctor: lung_doc")
    assert tiny.messages() == [
        "kb/sections.yaml, section 'lungs', field 'doctor': unknown doctor 'lung_doc'; "
        "doctors are listed in knowledge.yaml"]


def test_a_rule_without_a_source_is_refused(tiny):
    tiny.replace("rules/x.yaml", "  source: leaflet\n  when: {question: cough, is: yes}",
                 "  when: {question: cough, is: yes}")
    assert tiny.messages() == ["kb/rules/x.yaml:19, rule 'lungs.cough', field 'source': is missing"]


def test_a_rule_with_an_unknown_source_lists_the_known_ones(tiny):
    tiny.replace("rules/x.yaml", "  source: leaflet\n  when: {question: cough, is: yes}",
                 "  source: leaflett\n  when: {question: cough, is: yes}")
    assert tiny.messages() == [
        "kb/rules/x.yaml:19, rule 'lungs.cough', field 'source': unknown source 'leaflett'; "
        "use one of leaflet, safety"]


def test_a_question_of_an_unknown_type_lists_the_types(tiny):
    tiny.replace("questions.yaml", "  type: yes_no\n", "  type: yesno\n")
    messages = tiny.messages()
    assert messages[0] == (
        "kb/questions.yaml:21, question 'cough_blood', field 'type': 'yesno' is not a question type; "
        "use one of yes_no, yes_no_unsure, single_choice, multiple_choice")


def test_options_on_a_yes_no_question_are_refused(tiny):
    tiny.replace("questions.yaml", "  type: yes_no\n",
                 "  type: yes_no\n  options:\n    - {id: a, label: A}\n")
    assert tiny.messages() == [
        "kb/questions.yaml:21, question 'cough_blood', field 'options': only choice questions have "
        "options; this one is yes_no"]


def test_a_choice_question_without_options_is_refused(tiny):
    tiny.replace("questions.yaml", "    - {id: male, label: Male}\n    - {id: female, label: Female}\n", "")
    tiny.replace("questions.yaml", "  type: single_choice\n  options:\n", "  type: single_choice\n")
    messages = tiny.messages()
    assert messages[0] == ("kb/questions.yaml:8, question 'sex', field 'options': a single_choice "
                           "question needs a list of options, each with an id and a label")


def test_choose_at_least_one_is_refused_on_a_question_that_is_not_multiple_choice(tiny):
    tiny.replace("questions.yaml", "  type: yes_no\n", "  type: yes_no\n  choose_at_least_one: true\n")
    assert tiny.messages() == [
        "kb/questions.yaml:21, question 'cough_blood', field 'choose_at_least_one': is only for multiple-choice "
        "questions; this one is yes_no, where one answer is always chosen"]


def test_a_list_needing_a_tick_whose_every_option_is_conditional_is_refused(tiny):
    # Someone who leaves out their sex would be shown no option at all and could not go on.
    tiny.replace("questions.yaml", "label: A kidney infection}",
                 "label: A kidney infection, ask_when: {question: sex, is: female}}")
    tiny.replace("questions.yaml", "  type: multiple_choice\n",
                 "  type: multiple_choice\n  choose_at_least_one: true\n")
    assert tiny.messages() == [
        "kb/questions.yaml, question 'past', field 'choose_at_least_one': every option is offered only on a "
        "condition, so a person could be shown none and could not go on; offer one option always, such as one "
        "for 'I am not sure'"]


def test_ask_when_on_a_later_question_is_refused_so_the_interview_cannot_go_round_in_circles(tiny):
    tiny.replace("questions.yaml", "text: Do you cough often?\n  type: yes_no_unsure",
                 "text: Do you cough often?\n  type: yes_no_unsure\n"
                 "  ask_when: {question: cough_blood, is: yes}")
    assert tiny.messages() == [
        "kb/questions.yaml, question 'cough', field 'ask_when': refers to a later question "
        "'cough_blood'; it may only use questions asked before this one"]


def test_ask_when_on_a_conclusion_is_refused(tiny):
    tiny.replace("questions.yaml", "ask_when: {question: cough, is: [yes, not_sure]}",
                 "ask_when: {concern: lungs}")
    assert tiny.messages() == [
        "kb/questions.yaml, question 'cough_blood', field 'ask_when': may only use question, all and any"]


def test_a_condition_value_that_is_not_an_answer_to_the_question_is_named(tiny):
    tiny.replace("rules/x.yaml", "{question: cough, is: yes}", "{question: cough, is: maybe}")
    assert tiny.messages() == [
        "kb/rules/x.yaml:19, rule 'lungs.cough', field 'when': 'maybe' is not an answer to 'cough'; "
        "it takes yes, no, not_sure"]


def test_includes_and_is_must_fit_the_question_type(tiny):
    tiny.replace("rules/x.yaml", "{question: cough, is: yes}", "{question: cough, includes: yes}")
    tiny.replace("rules/x.yaml", "{question: past, includes: kidney_infection}",
                 "{question: past, is: kidney_infection}")
    assert tiny.messages() == [
        "kb/rules/x.yaml:19, rule 'lungs.cough', field 'when': 'includes' is for multiple-choice "
        "questions; use 'is' for 'cough'",
        "kb/rules/x.yaml:31, rule 'kidneys.past_infection', field 'when': 'past' is multiple choice; "
        "use 'includes'",
    ]


def test_conclusions_that_depend_on_each_other_in_a_cycle_are_refused(tiny):
    # concern lungs -> finding suspected -> concern lungs
    tiny.append("rules/x.yaml", """
        - id: lungs.from_suspected
          statement: Deposits worth looking for relate to the lungs.
          source: leaflet
          when: {finding: suspected}
          then: {concern: lungs}
        """)
    assert tiny.messages() == [
        "kb/rules/x.yaml:49, rule 'suspected', field 'when': concern 'lungs' depends on itself through "
        "the rules suspected -> lungs.from_suspected; break the cycle"]


def test_a_knowledge_base_without_a_baseline_referral_rule_is_refused(tiny):
    tiny.replace("rules/x.yaml", "when: {always: true}\n  then: {referral",
                 "when: {question: cough, is: no}\n  then: {referral")
    assert tiny.messages() == [
        "kb/rules, field 'when': no rule gives a referral for every outcome; add one with "
        "when: {always: true} and then: {referral: {to: gp, urgency: routine}}"]


def test_an_unknown_field_is_named_with_the_known_ones(tiny):
    tiny.replace("rules/x.yaml", "  source: leaflet\n  when: {question: cough, is: yes}",
                 "  source: leaflet\n  sauce: leaflet\n  when: {question: cough, is: yes}")
    assert tiny.messages() == [
        "kb/rules/x.yaml:19, rule 'lungs.cough', field 'sauce': is not a known field here; "
        "known fields: cites, id, rationale, reference, source, statement, then, when"]


def test_a_rule_with_two_conclusions_is_refused(tiny):
    tiny.replace("rules/x.yaml", "then: {concern: lungs}", "then: {concern: lungs, advice: checkups}")
    assert tiny.messages() == [
        "kb/rules/x.yaml:19, rule 'lungs.cough', field 'then': must hold exactly one of "
        "concern, finding, workup, referral, advice"]


def test_a_workup_without_a_reason_is_refused(tiny):
    tiny.replace("rules/x.yaml",
                 "then: {workup: xray, reason: An X-ray is the usual way to look for deposits.}",
                 "then: {workup: xray}")
    assert tiny.messages() == [
        "kb/rules/x.yaml:55, rule 'workups.xray', field 'then.reason': a workup needs a reason: one "
        "plain sentence shown to the person"]


def test_an_unknown_coordinating_doctor_is_named(tiny):
    tiny.replace("knowledge.yaml", "several_doctors: gp", "several_doctors: coordinator")
    assert tiny.messages() == ["kb/knowledge.yaml, referral, field 'several_doctors': "
                               "unknown doctor 'coordinator'"]


def test_a_missing_file_is_named(tiny):
    tiny.write("advice.yaml", None)
    messages = tiny.messages()
    assert messages[0] == "kb/advice.yaml: cannot be read: No such file or directory"


def test_a_folder_that_is_not_a_knowledge_base_is_named(tmp_path):
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge(tmp_path)
    assert [str(p) for p in info.value.problems] == [
        f"{tmp_path}: is not a knowledge base folder (no knowledge.yaml in it)"]


def test_a_rules_folder_with_no_rule_files_is_named(tiny):
    tiny.write("rules/x.yaml", None)
    assert tiny.messages()[0] == "kb/rules: holds no rules (*.yaml files) at all"


def test_every_problem_is_reported_at_once_across_files(tiny):
    tiny.replace("knowledge.yaml", "several_doctors: gp", "several_doctors: coordinator")
    tiny.replace("questions.yaml", "text: Do you cough often?\n  type: yes_no_unsure",
                 "text: Do you cough often?\n  type: yes_no_unsure\n  colour: blue")
    tiny.replace("sections.yaml", "doctor: lung_doctor", "doctor: lung_doc")
    tiny.replace("rules/x.yaml", "source: safety", "source: safe")
    tiny.replace("rules/x.yaml", "then: {advice: checkups}", "then: {advice: rest}")
    problems = tiny.problems()
    assert {(p.place.file.removeprefix("kb/"), p.place.item, p.place.field) for p in problems} == {
        ("knowledge.yaml", "referral", "several_doctors"),
        ("questions.yaml", "question 'cough'", "colour"),
        ("sections.yaml", "section 'lungs'", "doctor"),
        ("rules/x.yaml", "rule 'safety.chest_pain_yes'", "source"),
        ("rules/x.yaml", "rule 'advice.checkups'", "then.advice"),
    }


def test_a_broken_golden_case_is_named_with_its_field(tiny):
    tiny.write("cases/cough.yaml", """
        title: A cough
        story: Someone coughs.
        answers: {cough: yes}
        expect: {urgency: asap, sections: [lung], workups: [xray]}
        """)
    assert tiny.messages() == [
        "kb/cases/cough.yaml, case 'cough', field 'expect.urgency': unknown urgency 'asap'",
        "kb/cases/cough.yaml, case 'cough', field 'expect.sections': unknown section 'lung'",
    ]


# --- through the command line -------------------------------------------------------------------------------


def _break(tiny):
    tiny.replace("questions.yaml", "- id: cough_blood", "- id: cough")
    tiny.replace("rules/x.yaml", "source: safety", "source: safe")
    return tiny.save()


def test_triage_questions_on_a_broken_folder_prints_one_error_line_per_problem_and_exits_2(tiny):
    _break(tiny)
    result = subprocess.run([sys.executable, "-m", "triage", "questions", "--rules", "kb"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines == [
        "error: kb/questions.yaml, question 'cough', field 'id': the id is used 2 times; ids must be unique",
        "error: kb/rules/x.yaml:7, rule 'safety.chest_pain_yes', field 'source': unknown source 'safe'; "
        "use one of leaflet, safety",
        "error: kb/rules/x.yaml:25, rule 'lungs.cough_blood', field 'when': unknown question 'cough_blood'",
    ]
    assert "Traceback" not in result.stderr


def test_every_command_refuses_a_broken_folder_the_same_way(tiny, cli, tmp_path):
    folder = _break(tiny)
    answers = tmp_path / "answers.yaml"
    answers.write_text("cough: no\n")
    expected = cli("questions", "--rules", folder).err
    assert expected.count("error: ") == 3
    for args in (["run", "--answers", answers, "--rules", folder],
                 ["run", "--answers", answers, "--format", "json", "--rules", folder],
                 ["questions", "--format", "json", "--rules", folder],
                 ["rules", "test", "--rules", folder]):
        result = cli(*args)
        assert (result.code, result.out, result.err) == (2, "", expected), args


def test_a_yaml_syntax_error_through_the_command_line_names_file_and_line(tiny, cli):
    tiny.replace("rules/x.yaml", "  source: leaflet\n  when: {question: cough, is: yes}",
                 "  source: leaflet\n   when: {question: cough, is: yes}")
    result = cli("questions", "--rules", tiny.save())
    assert result.code == 2
    assert result.err.splitlines()[0] == (
        "error: kb/rules/x.yaml:22: not valid YAML or JSON: mapping values are not allowed here")


def test_rules_given_before_the_command_is_not_silently_ignored(tiny, cli):
    folder = _break(tiny)
    result = cli("--rules", folder, "questions")
    assert result.code == 2
    assert result.err.startswith("error: ")
