"""Answers files: what `triage run --answers FILE` accepts, and the one-line errors for what it does not.

Every mistake gives one line naming the file and the question id, exit code 2, and no traceback.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from triage.answers import check_answers, read_answers_file
from triage.errors import AnswersError

# --- spellings a person may use ---------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "meant"), [
    ("yes", "yes"), ("no", "no"), ("true", "yes"), ("false", "no"), ("True", "yes"), ("'yes'", "yes"),
    ("not_sure", "not_sure"), ("not sure", "not_sure"), ("'not sure'", "not_sure"), ("Not sure", "not_sure"),
    ("unsure", "not_sure"), ("not-sure", "not_sure"),
])
def test_yes_no_and_not_sure_may_be_written_in_the_usual_ways(tiny, tmp_path, written, meant):
    kb = tiny.load()
    path = tmp_path / "answers.yaml"
    path.write_text(f"chest_pain: {written}\ncough: {written}\n")
    name, raw = read_answers_file(str(path))
    assert check_answers(kb, raw, name) == {"chest_pain": meant, "cough": meant}


def test_a_json_answers_file_is_read_like_yaml(tiny, tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"chest_pain": "no", "sex": "male", "past": ["prostatitis"], "cough": True}))
    name, raw = read_answers_file(str(path))
    assert check_answers(tiny.load(), raw, name) == {
        "chest_pain": "no", "sex": "male", "cough": "yes", "past": ("prostatitis",)}


def test_an_empty_list_means_none_of_these(tiny):
    assert check_answers(tiny.load(), {"past": []}, "a.yaml") == {"past": ()}


def test_answers_come_back_in_question_order_whatever_order_they_were_written_in(tiny):
    answers = check_answers(tiny.load(), {"cough_blood": "no", "cough": "yes", "chest_pain": "no"}, "a.yaml")
    assert list(answers) == ["chest_pain", "cough", "cough_blood"]


def test_a_file_saved_by_the_interview_holds_its_answers_beside_the_outcome(tiny):
    saved = {"answers": {"cough": "yes"}, "outcome": {"referral": {"to": "lung_doctor"}}}
    assert check_answers(tiny.load(), saved, "saved.json") == {"cough": "yes"}


def test_a_question_answered_both_beside_and_under_answers_is_refused_not_half_read(tiny):
    # The answer beside 'answers' would otherwise be left out without a word: here a "yes" to chest pain.
    mixed = {"answers": {"chest_pain": "no", "cough": "yes"}, "chest_pain": "yes"}
    assert problems(tiny.load(), mixed, "saved.json") == [
        "saved.json, question 'chest_pain': is answered outside 'answers' as well as the answers under it; write "
        "every answer under 'answers', or none there"]


def test_dash_reads_the_answers_from_standard_input(tiny):
    name, raw = read_answers_file("-", stdin=io.StringIO("cough: yes\n"))
    assert name == "<stdin>"
    assert check_answers(tiny.load(), raw, name) == {"cough": "yes"}



def test_each_knowledge_base_reads_answers_with_its_own_labels(tiny, real_kb):
    """Spellings are worked out once per knowledge base and kept: a changed copy, loaded after the first
    knowledge base was used, must read its own labels, and the first must go on reading its own."""
    first = tiny.load()
    assert check_answers(first, {"sex": " male "}, "a.yaml") == {"sex": "male"}
    second = tiny.replace("questions.yaml", "{id: female, label: Female}", "{id: female, label: A woman}").load()
    assert check_answers(second, {"sex": "a  WOMAN"}, "a.yaml") == {"sex": "female"}
    assert problems(first, {"sex": "A woman"}) == [
        "answers.yaml, question 'sex': 'A woman' is not an answer here; it takes male, female"]
    assert check_answers(first, {"sex": "Female"}, "a.yaml") == {"sex": "female"}
    assert check_answers(real_kb, {"chest_pain": "Not sure"}, "a.yaml") == {"chest_pain": "not_sure"}

# --- mistakes, one line each --------------------------------------------------------------------------------


def problems(kb, raw, file="answers.yaml") -> list[str]:
    with pytest.raises(AnswersError) as info:
        check_answers(kb, raw, file)
    return [str(p) for p in info.value.problems]


def test_an_unknown_question_is_named(tiny):
    assert problems(tiny.load(), {"colour": "blue"}) == [
        "answers.yaml, question 'colour': is not a question of this knowledge base (see 'triage questions')"]


def test_a_list_for_a_yes_no_question_is_refused(tiny):
    assert problems(tiny.load(), {"cough": ["yes"]}) == [
        "answers.yaml, question 'cough': must be one of yes, no, not_sure, not ['yes']"]


def test_a_single_word_for_a_multiple_choice_question_is_refused(tiny):
    assert problems(tiny.load(), {"past": "kidney_infection"}) == [
        "answers.yaml, question 'past': must be a list of option ids (multiple choice), "
        "not 'kidney_infection'"]


def test_a_value_that_is_not_an_answer_lists_the_answers(tiny):
    assert problems(tiny.load(), {"cough": "maybe", "sex": "woman", "cough_blood": "not_sure"}) == [
        "answers.yaml, question 'sex': 'woman' is not an answer here; it takes male, female",
        "answers.yaml, question 'cough': 'maybe' is not an answer here; it takes yes, no, not_sure",
        "answers.yaml, question 'cough_blood': would not have been asked, given the other answers; remove it",
    ]


def test_not_sure_is_refused_on_a_plain_yes_no_question(tiny):
    assert problems(tiny.load(), {"cough": "yes", "cough_blood": "not sure"}) == [
        "answers.yaml, question 'cough_blood': 'not_sure' is not an answer here; it takes yes, no"]


def test_an_option_not_offered_to_this_person_is_refused(tiny):
    assert problems(tiny.load(), {"sex": "female", "past": ["prostatitis"]}) == [
        "answers.yaml, question 'past': 'prostatitis' is not an answer here; it takes a list of: "
        "kidney_infection (or [] for none)"]


def test_the_prostate_is_not_offered_as_a_place_on_an_image_to_a_woman(real_kb):
    assert problems(real_kb, {"sex": "female", "image_seen": "yes", "image_where": ["prostate"]}) == [
        "answers.yaml, question 'image_where': 'prostate' is not an answer here; it takes a list of at least one "
        "of: lungs, kidneys, liver, thyroid, heart, breast, elsewhere_or_unsure"]


@pytest.mark.parametrize(("opened_by", "question"), [("tb_history", "tb_where"), ("image_seen", "image_where")])
def test_nothing_ticked_is_refused_where_a_tick_is_needed_so_a_yes_cannot_be_undone(real_kb, opened_by, question):
    # After a yes to TB, [] at 'where' would leave no rule to fire: no lungs section for a past TB.
    [message] = problems(real_kb, {"sex": "female", opened_by: "yes", question: []})
    assert message.startswith(f"answers.yaml, question '{question}': has nothing ticked, and this question needs "
                              "at least one option; write a list of at least one of: ")
    assert message.endswith(", or leave the question out")
    # One tick, or leaving the question out, is fine; and [] still means 'none of these' on other lists.
    last = real_kb.question[question].values[-1]  # not sure where
    assert check_answers(real_kb, {opened_by: "yes", question: [last]}, "a.yaml") == {opened_by: "yes",
                                                                                     question: (last,)}
    assert check_answers(real_kb, {opened_by: "yes"}, "a.yaml") == {opened_by: "yes"}
    assert check_answers(real_kb, {"past_illnesses": []}, "a.yaml") == {"past_illnesses": ()}


def test_a_follow_up_without_its_screening_yes_would_not_have_been_asked(tiny, real_kb):
    assert problems(tiny.load(), {"cough": "no", "cough_blood": "yes"}) == [
        "answers.yaml, question 'cough_blood': would not have been asked, given the other answers; remove it"]
    assert problems(tiny.load(), {"cough_blood": "yes"}) == [
        "answers.yaml, question 'cough_blood': would not have been asked, given the other answers; remove it"]
    assert problems(real_kb, {"sex": "female", "weak_stream": "yes"}) == [
        "answers.yaml, question 'weak_stream': would not have been asked, given the other answers; remove it"]


def test_an_option_listed_twice_is_refused(tiny):
    assert problems(tiny.load(), {"past": ["kidney_infection", "kidney_infection"]}) == [
        "answers.yaml, question 'past': lists an option more than once"]


def test_a_file_that_is_not_a_mapping_is_refused(tiny):
    assert problems(tiny.load(), ["cough", "yes"]) == [
        "answers.yaml: must be a mapping of question ids to answers, e.g. {chest_pain: no, sex: male}"]


def test_every_wrong_answer_is_listed_at_once(tiny):
    assert len(problems(tiny.load(), {"colour": "blue", "cough": ["yes"], "past": "x", "sex": "woman"})) == 4


# --- reading the file ---------------------------------------------------------------------------------------


def read_problem(path) -> str:
    with pytest.raises(AnswersError) as info:
        read_answers_file(str(path))
    [problem] = info.value.problems
    return str(problem)


def test_a_missing_file_is_named(tmp_path):
    assert read_problem(tmp_path / "nope.yaml") == f"{tmp_path}/nope.yaml: no such file"


def test_a_yaml_syntax_error_names_the_file_and_line(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text("chest_pain: no\ncough: yes\nsex: [male\n")
    assert read_problem(path) == (f"{path}:4: not valid YAML or JSON: expected ',' or ']', but got "
                                  "'<stream end>'")


def test_a_json_syntax_error_names_the_file_and_line(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text('{\n  "chest_pain": "no",\n  "cough": "yes"\n  "sex": "male"\n}\n')
    assert read_problem(path) == f"{path}:4: not valid YAML or JSON: expected ',' or '}}', but got '<scalar>'"


def test_an_answer_written_twice_is_refused_rather_than_one_of_them_silently_chosen(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text("chest_pain: yes\ncough: no\nchest_pain: no\n")
    assert read_problem(path) == (f"{path}:3: not valid YAML or JSON: 'chest_pain' is written twice in one "
                                  "mapping; keep one")


# --- through the command line -------------------------------------------------------------------------------


BAD_ANSWERS = {
    "unknown_question": ("colour: blue\n", "question 'colour': is not a question of this knowledge base "
                                           "(see 'triage questions')"),
    "list_for_yes_no": ("cough: [yes]\n", "question 'cough': must be one of yes, no, not_sure, not ['yes']"),
    "string_for_multiple_choice": ("past: kidney_infection\n",
                                   "question 'past': must be a list of option ids (multiple choice), "
                                   "not 'kidney_infection'"),
    "not_among_options": ("sex: woman\n",
                          "question 'sex': 'woman' is not an answer here; it takes male, female"),
    "option_not_offered": ("sex: female\npast: [prostatitis]\n",
                           "question 'past': 'prostatitis' is not an answer here; it takes a list of: "
                           "kidney_infection (or [] for none)"),
    "not_asked": ("cough: no\ncough_blood: yes\n",
                  "question 'cough_blood': would not have been asked, given the other answers; remove it"),
}


@pytest.mark.parametrize("kind", BAD_ANSWERS)
def test_a_bad_answers_file_gives_one_line_naming_file_and_question_and_exit_2(tiny, cli, tmp_path, kind):
    content, message = BAD_ANSWERS[kind]
    path = tmp_path / f"{kind}.yaml"
    path.write_text(content)
    result = cli("run", "--answers", path, "--rules", tiny.save())
    assert result.code == 2
    assert result.out == ""
    assert result.err == f"error: {path}, {message}\n"


def test_a_syntax_error_in_the_answers_file_gives_one_line_and_exit_2(tiny, cli, tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text("cough: yes\nsex: [male\n")
    result = cli("run", "--answers", path, "--rules", tiny.save())
    assert (result.code, result.out) == (2, "")
    assert result.err == (f"error: {path}:3: not valid YAML or JSON: expected ',' or ']', "
                          "but got '<stream end>'\n")


def test_a_missing_answers_file_gives_one_line_and_exit_2(cli, tmp_path):
    result = cli("run", "--answers", tmp_path / "nope.yaml")
    assert (result.code, result.out, result.err) == (2, "", f"error: {tmp_path}/nope.yaml: no such file\n")


def test_dash_reads_answers_from_standard_input_on_the_command_line(cli):
    result = cli("run", "--answers", "-", "--format", "json", stdin='{"chest_pain": "yes"}')
    assert result.code == 0, result.err
    assert json.loads(result.out)["referral"]["urgency"] == "emergency"


def test_a_bad_answer_on_standard_input_is_named_as_stdin(cli):
    result = cli("run", "--answers", "-", stdin="chest_pain: maybe\n")
    assert (result.code, result.out) == (2, "")
    assert result.err == ("error: <stdin>, question 'chest_pain': 'maybe' is not an answer here; "
                          "it takes yes, no, not_sure\n")


def test_the_real_command_prints_no_traceback_for_a_bad_answers_file(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text("chest_pain: [yes]\nsex: robot\nweak_stream: yes\n")
    result = subprocess.run([sys.executable, "-m", "triage", "run", "--answers", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: {path}, question 'chest_pain': must be one of yes, no, not_sure, not ['yes']",
        f"error: {path}, question 'sex': 'robot' is not an answer here; it takes male, female, other",
        f"error: {path}, question 'weak_stream': would not have been asked, given the other answers; "
        "remove it",
    ]
    assert "Traceback" not in result.stderr


def test_the_example_in_the_message_names_questions_of_the_rules_in_use(tiny):
    # Rules in which sex and cough are asked only after a "no" to chest pain: the first other question asked of
    # everyone is the list of past illnesses, and the example shows it as an answers file takes it (a list).
    for question in ("sex", "cough"):
        tiny.replace("questions.yaml", f"- id: {question}\n",
                     f"- id: {question}\n  ask_when: {{question: chest_pain, is: no}}\n")
    assert problems(tiny.load(), "no") == [
        "answers.yaml: must be a mapping of question ids to answers, e.g. {chest_pain: no, past: [kidney_infection]}"]
