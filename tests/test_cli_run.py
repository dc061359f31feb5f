"""`triage run` and `triage questions`: what a person and a program read, and the stable JSON shape."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from support.paths import EXAMPLES

PAST_TB = EXAMPLES / "past-tb.yaml"
CHEST_PAIN = EXAMPLES / "chest-pain.json"

OUTCOME_KEYS = {"schema", "version", "hash", "referral", "sections", "workups", "workup_reasons", "advice",
                "findings", "explanation", "answers", "disclaimer", "unanswered_red_flags"}
REFERRAL_KEYS = {"to", "to_name", "urgency", "urgency_label", "timeframe", "advice", "also", "rules"}
STEP_KEYS = {"rule", "statement", "source", "conclusion", "answers", "conclusions_used"}
QUESTION_KEYS = {"id", "topic", "text", "help", "type", "values", "options", "red_flag", "asked_when"}


def run_json(cli, *args) -> dict:
    result = cli("run", *args, "--format", "json")
    assert result.code == 0, result.err
    assert result.err == ""
    return json.loads(result.out)


# --- text for people ----------------------------------------------------------------------------------------


def test_run_on_the_past_tb_example_prints_the_referral_first_then_sections_tests_and_why(cli, real_kb):
    result = cli("run", "--answers", PAST_TB)
    assert (result.code, result.err) == (0, "")
    lines = result.out.splitlines()
    assert lines[:4] == [
        "WHAT TO DO: SOON (within two weeks)",
        "===================================",
        "Make an appointment with a doctor for the next two weeks.",
        "Whom to see: a general practitioner (family doctor).",
    ]
    assert lines[4] == "They may also send you to: a lung specialist (pulmonologist)."
    headings = [line for line, underline in zip(lines, lines[1:], strict=False)
                if underline and set(underline) == {"="} and len(underline) == len(line)]
    assert headings == ["WHAT TO DO: SOON (within two weeks)", "LEAFLET SECTIONS THAT RELATE TO YOUR ANSWERS",
                        "TESTS A DOCTOR MAY CONSIDER", "GOOD TO KNOW", "WHY AM I SEEING THIS?"]
    assert "* Calcifications in the lungs" in lines
    assert "    Rule lungs.tb_history; source: Leaflet: calcifications in the lungs." in lines
    assert f"Knowledge base {real_kb.version} ({real_kb.hash[:12]})" in lines
    assert result.out.rstrip("\n").split("\n\n")[-1].startswith("This is not a diagnosis")


def test_run_on_the_chest_pain_example_says_call_the_emergency_number_now(cli):
    result = cli("run", "--answers", CHEST_PAIN)
    assert result.code == 0
    assert result.out.splitlines()[:4] == [
        "WHAT TO DO: EMERGENCY (now)",
        "===========================",
        "Call the emergency number now. Or go to a hospital emergency room at once.",
        "Whom to see: emergency services.",
    ]


def test_an_outcome_with_no_section_says_so_in_words(cli, tmp_path):
    path = tmp_path / "all-no.yaml"
    path.write_text("chest_pain: no\nvomiting_blood: no\nblue_lips: no\nsevere_breathlessness: no\n"
                    "almost_no_urine: no\n")
    result = cli("run", "--answers", path)
    assert result.code == 0
    assert result.out.startswith("WHAT TO DO: ROUTINE (at a planned visit)\n")
    assert "None of your answers point to a particular section of the leaflet." in result.out
    assert "TESTS A DOCTOR MAY CONSIDER" not in result.out


def test_the_installed_console_script_runs_the_example():
    script = Path(sys.executable).parent / "triage"
    result = subprocess.run([str(script), "run", "--answers", str(PAST_TB)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("WHAT TO DO: SOON (within two weeks)\n")


# --- JSON for programs --------------------------------------------------------------------------------------


def test_the_json_outcome_has_the_documented_stable_shape(cli, real_kb):
    data = run_json(cli, "--answers", PAST_TB)
    assert set(data) == OUTCOME_KEYS
    assert set(data["referral"]) == REFERRAL_KEYS
    assert data["schema"] == 1
    assert (data["version"], data["hash"]) == (real_kb.version, real_kb.hash)
    assert len(data["hash"]) == 64 and int(data["hash"], 16) >= 0
    for step in data["explanation"]:
        assert set(step) == STEP_KEYS
        assert all(set(a) == {"question", "answer"} for a in step["answers"])


def test_the_json_outcome_of_the_past_tb_example(cli):
    data = run_json(cli, "--answers", PAST_TB)
    assert {k: data["referral"][k] for k in ("to", "urgency", "also")} == {
        "to": "gp", "urgency": "soon", "also": ["pulmonologist"]}
    assert data["sections"] == ["general", "lungs"]
    assert data["workups"] == ["xray", "ct_mri"]
    assert data["findings"] == ["calcification_suspected"]
    [tb] = [step for step in data["explanation"] if step["rule"] == "lungs.tb_history"]
    assert tb == {
        "rule": "lungs.tb_history",
        "statement": "Past TB in the lungs relates to the lungs section. So does living close to someone with TB, "
                     "or TB in a place not known.",
        "source": "lungs",
        "conclusion": "concern:lungs",
        "answers": [{"question": "tb_where", "answer": "contact_only"}],
        "conclusions_used": [],
    }
    assert data["answers"]["general_signs"] == ["weakness"]
    assert data["answers"]["tb_history"] == "yes"


def test_the_json_outcome_of_the_chest_pain_example_is_an_emergency(cli):
    data = run_json(cli, "--answers", CHEST_PAIN)
    assert (data["referral"]["to"], data["referral"]["urgency"]) == ("emergency_services", "emergency")
    assert data["referral"]["rules"] == ["safety.chest_pain_yes"]


def test_the_json_outcome_can_be_read_back_as_an_answers_file_with_the_same_result(cli, tmp_path):
    first = cli("run", "--answers", PAST_TB, "--format", "json").out
    saved = tmp_path / "saved.json"
    saved.write_text(first)
    assert cli("run", "--answers", saved, "--format", "json").out == first


def test_the_json_outcome_comes_from_a_tiny_knowledge_base_with_its_own_version_and_hash(cli, tiny, tmp_path):
    kb = tiny.load()
    answers = tmp_path / "answers.yaml"
    answers.write_text("cough: yes\npast: [kidney_infection]\n")
    data = run_json(cli, "--answers", answers, "--rules", tiny.save())
    assert (data["version"], data["hash"]) == ("9.9.9", kb.hash)
    assert data["referral"] == {
        "to": "gp", "to_name": "a family doctor", "urgency": "soon", "urgency_label": "Soon",
        "timeframe": "within two weeks", "advice": "See a doctor within two weeks.",
        "also": ["lung_doctor", "kidney_doctor"], "rules": ["referral.lungs", "referral.kidneys"],
    }
    assert (data["sections"], data["workups"]) == (["lungs", "kidneys"], ["xray", "calcium_blood"])
    assert data["workup_reasons"] == {"xray": ["An X-ray is the usual way to look for deposits."],
                                      "calcium_blood": ["Your answers relate to more than one organ."]}
    assert data["disclaimer"] == "This is not a diagnosis and does not replace a doctor."


# --- triage questions ---------------------------------------------------------------------------------------


def test_python_dash_m_triage_lists_the_questions():
    result = subprocess.run([sys.executable, "-m", "triage", "questions"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("chest_pain  [yes_no_unsure, red flag]\n")


def test_questions_as_json_list_every_question_with_its_type_options_and_when_it_is_asked(cli, real_kb):
    result = cli("questions", "--format", "json")
    assert result.code == 0
    data = json.loads(result.out)
    assert (data["version"], data["hash"]) == (real_kb.version, real_kb.hash)
    assert [q["id"] for q in data["questions"]] == [q.id for q in real_kb.questions]
    for question in data["questions"]:
        assert set(question) == QUESTION_KEYS
        assert question["text"] == real_kb.question[question["id"]].text
    by_id = {q["id"]: q for q in data["questions"]}
    assert by_id["chest_pain"]["asked_when"] == "always"
    assert by_id["chest_pain"]["red_flag"] is True
    assert by_id["fast_shallow_breathing"]["asked_when"] == "breathing_screen is 'yes' or 'not_sure'"
    assert by_id["weak_stream"]["asked_when"] == "sex is 'male' and urination_screen is 'yes' or 'not_sure'"
    assert by_id["sex"]["type"] == "single_choice"
    assert [o["id"] for o in by_id["sex"]["options"]] == ["male", "female", "other"]
    [prostate] = [o for o in by_id["image_where"]["options"] if o["id"] == "prostate"]
    assert prostate == {"id": "prostate", "label": "In the prostate", "asked_when": "sex is 'male'"}
    assert by_id["tb_history"]["values"] == ["yes", "no", "not_sure"]


def test_questions_as_text_show_each_question_its_type_options_and_when_asked(cli, tiny):
    result = cli("questions", "--rules", tiny.save())
    assert result.code == 0
    assert result.out.split("\n\n")[3] == (
        "cough_blood  [yes_no]\n"
        "    Is there blood when you cough?\n"
        "    Asked: when cough is 'yes' or 'not_sure'")
    assert result.out.split("\n\n")[4] == (
        "past  [multiple_choice]\n"
        "    Were you ever treated for any of these?\n"
        "    - kidney_infection: A kidney infection\n"
        "    - prostatitis: An inflamed prostate (offered when sex is 'male')\n"
        "    Asked: always\n")


# --- help ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("command", "example"), [
    (["run"], "Example: triage run --answers examples/past-tb.yaml --format json"),
    (["questions"], "Example: triage questions --format json"),
    (["rules", "test"], "Example: triage rules test --rules ./my-rules"),
])
def test_each_command_explains_itself_with_an_example(cli, command, example):
    result = cli(*command, "--help")
    assert result.code == 0
    assert example in result.out
    assert "--rules DIR" in result.out


def test_a_wrong_format_is_a_usage_error_with_exit_2(cli):
    result = cli("run", "--answers", PAST_TB, "--format", "xml")
    assert result.code == 2
    assert "invalid choice: 'xml'" in result.err
