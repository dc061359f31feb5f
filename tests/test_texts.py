"""The interface catalogue (triage/texts/en.yaml) and the emergency notice built from the red flags (issue 11)."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from support.paths import REPO
from triage.errors import KnowledgeBaseError
from triage.frontends.kiosk.config import KioskConfig
from triage.frontends.kiosk.pages import safe_text, welcome_text
from triage.knowledge.opening import read_emergency_signs, read_opening
from triage.knowledge.paths import builtin_rules_dir
from triage.texts import catalogue, emergency_notice, placeholders, plain_list, ui

PACKAGE = REPO / "triage"


def used_keys() -> dict[str, list[str]]:
    """Every literal key passed to ui(...) in the package, with where it is used."""
    used: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "ui":
                first = node.args[0] if node.args else None
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), \
                    f"{path.relative_to(REPO)}:{node.lineno}: ui() takes a literal key, so that this test can check it"
                used.setdefault(first.value, []).append(f"{path.relative_to(REPO)}:{node.lineno}")
    return used


def test_every_key_used_in_the_package_is_in_the_catalogue():
    missing = {key: where for key, where in used_keys().items() if key not in catalogue()}
    assert missing == {}


def test_every_key_of_the_catalogue_is_used():
    used = used_keys()
    assert [key for key in catalogue() if key not in used] == []


def test_every_text_is_a_valid_format_string():
    for key, template in catalogue().items():
        assert ui(key, **{name: "x" for name in placeholders(template)}), key


def test_a_missing_key_fails_loudly_with_its_name():
    with pytest.raises(KeyError, match="interview.no_such_text"):
        ui("interview.no_such_text")


def test_a_missing_or_unused_value_fails_loudly_with_the_key_and_the_placeholder():
    with pytest.raises(KeyError, match=r"'interview.progress'.*missing \['at_most'\]"):
        ui("interview.progress", number=6)
    with pytest.raises(KeyError, match=r"'opening.start'.*not used \['number'\]"):
        ui("opening.start", number=6)


def test_values_are_filled_in():
    assert ui("interview.progress", number=6, at_most=9) == "Question 6 of at most 9"


def test_lists_read_as_plain_english():
    assert plain_list([]) == ""
    assert plain_list(["a"]) == "a"
    assert plain_list(["a", "b"]) == "a or b"
    assert plain_list(["a", "b", "c"]) == "a, b or c"


def test_importing_the_catalogue_reads_nothing_and_the_first_lookup_is_quick():
    """The opening screen is drawn before the rules load: the catalogue must cost a few ms at most."""
    code = ("import time, yaml; t = time.perf_counter(); import triage.texts as T; t1 = time.perf_counter(); "
            "assert T._catalogue.cache_info().currsize == 0; T.ui('opening.start'); t2 = time.perf_counter(); "
            "T.ui('opening.quit'); t3 = time.perf_counter(); print(t1 - t, t2 - t1, t3 - t2)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO).stdout
    _, first, later = (float(x) for x in out.split())
    assert first < 0.02 and later < 0.001  # measured: ~0.7 ms and ~5 µs; generous for slow machines


# --- the emergency notice: built from the red flags, the same everywhere ---------------------------------------


def test_every_red_flag_question_names_its_sign(real_kb):
    red_flags = [q for q in real_kb.questions if q.red_flag]
    assert [q.id for q in red_flags] == ["chest_pain", "vomiting_blood", "blue_lips", "severe_breathlessness",
                                         "almost_no_urine"]
    assert all(q.emergency_sign for q in red_flags)
    assert not any(q.emergency_sign for q in real_kb.questions if not q.red_flag)


def test_the_notice_reads_as_one_plain_sentence(real_kb):
    assert emergency_notice(real_kb.emergency_signs) == (
        "Not for emergencies: if you feel pain or pressure in your chest, you throw up blood, your lips turn blue, "
        "you can hardly breathe or you pass almost no urine, call the emergency number now.")


def test_every_red_flag_sign_is_in_the_notice_the_opening_screen_and_the_kiosk_screens(real_kb):
    config = KioskConfig(file="kiosk.toml", emergency_number="112", staff_code_hash="")
    opening = read_opening(builtin_rules_dir())
    assert opening is not None
    screens = {"notice": emergency_notice(real_kb.emergency_signs), "opening": opening.emergency_notice,
               "kiosk welcome": welcome_text(real_kb, config), "kiosk safe screen": safe_text(real_kb, config)}
    for question in (q for q in real_kb.questions if q.red_flag):
        for name, text in screens.items():
            assert question.emergency_sign in " ".join(text.split()), (question.id, name)
    assert "call 112 now" in " ".join(screens["kiosk safe screen"].split())


def test_a_new_red_flag_is_in_the_notice_at_once(tiny):
    tiny.append("questions.yaml", """
        - id: fainted
          topic: safety
          red_flag: true
          emergency_sign: you faint
          text: Did you faint today?
          type: yes_no
        """)
    kb = tiny.load()
    assert emergency_notice(kb.emergency_signs) == (
        "Not for emergencies: if you feel pain in your chest or you faint, call the emergency number now.")
    opening = read_opening(tiny.path)
    assert opening is not None and opening.emergency_notice == emergency_notice(kb.emergency_signs)


def test_without_red_flags_the_notice_still_reads_well(tiny):
    tiny.replace("questions.yaml", "  red_flag: true\n  emergency_sign: you feel pain in your chest\n", "")
    kb = tiny.load()
    config = KioskConfig(file="kiosk.toml", emergency_number="112", staff_code_hash="")
    assert kb.emergency_signs == ()
    assert emergency_notice(kb.emergency_signs) == ("Not for emergencies: in an emergency, call the emergency "
                                                    "number now.")
    assert "In an emergency, call 112 now." in safe_text(kb, config)
    opening = read_opening(tiny.path)
    assert opening is not None and opening.emergency_notice == emergency_notice(())


@pytest.mark.parametrize("change", [
    ("- id: cough\n", "- &cough\n  id: cough\n"),
    ("- id: sex\n  topic: about_you\n", "- id: sex\n  <<: {red_flag: true}\n  topic: about_you\n"),
    ("- id: sex\n", "questions:\n- id: sex\n"),
], ids=["anchor", "merge-key", "not-a-plain-list"])
def test_questions_that_only_a_full_parse_can_read_give_no_quick_opening(tiny, change):
    """The opening reads only the items that mention red_flag; anything that could hide one elsewhere makes it
    step aside, and the interview loads everything first."""
    tiny.replace("questions.yaml", *change).save()
    assert read_emergency_signs(tiny.path) is None


def test_a_red_flag_written_in_flow_style_is_read(tiny):
    tiny.append("questions.yaml", "- {id: fainted, topic: safety, red_flag: true, emergency_sign: you faint, "
                                  "text: Did you faint today?, type: yes_no}\n")
    kb = tiny.load()
    opening = read_opening(tiny.path)
    assert opening is not None and opening.emergency_notice == emergency_notice(kb.emergency_signs)
    assert kb.emergency_signs == ("you feel pain in your chest", "you faint")


def test_a_red_flag_without_a_sign_is_a_load_error_naming_file_question_and_field(tiny):
    tiny.replace("questions.yaml", "  emergency_sign: you feel pain in your chest\n", "")
    with pytest.raises(KnowledgeBaseError) as info:
        tiny.load()
    assert [str(p) for p in info.value.problems] == [
        f"{tiny.label}/questions.yaml:1, question 'chest_pain', field 'emergency_sign': is missing; "
        "write a short text here"]


def test_a_sign_on_a_question_that_is_not_a_red_flag_is_a_load_error(tiny):
    tiny.replace("questions.yaml", "- id: sex\n  topic: about_you\n",
                 "- id: sex\n  topic: about_you\n  emergency_sign: you are a person\n")
    with pytest.raises(KnowledgeBaseError) as info:
        tiny.load()
    assert [str(p) for p in info.value.problems] == [
        f"{tiny.label}/questions.yaml:8, question 'sex', field 'emergency_sign': only red-flag questions "
        "(red_flag: true) have an emergency sign"]


def test_no_second_copy_of_the_signs_anywhere(real_kb):
    """The notice is made from rules/questions.yaml only: no Python file, no catalogue and no other frame file
    lists the signs (neither today's nor the old hand-written ones)."""
    sources = [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.yaml"), REPO / "rules" / "knowledge.yaml"]
    phrases = [*real_kb.emergency_signs, "vomit blood", "blue lips", "cannot breathe"]
    for path in sources:
        text = " ".join(path.read_text(encoding="utf-8").split())
        assert [p for p in phrases if p in text] == [], path
