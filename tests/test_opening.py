"""The opening screen's texts, read from knowledge.yaml, questions.yaml and reviews.yaml alone
(triage/knowledge/opening.py).

`read_opening` must give exactly what the full load would show, or None, so that the interview falls back
to loading and checking everything first: whenever a file cannot be read simply, a text is missing, or a
sign-off exists (only the rules' fingerprints can tell whether every rule is covered). Texts that read as a
diagnosis or hide letters are not shown early either (`may_show_early`, triage/checks/opening_texts.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.kb_copies import rules_copy
from support.signoff import sign_off
from triage.checks.opening_texts import CHECKED_OPENINGS, may_show_early, opening_fingerprint
from triage.checks.wording import diagnostic_phrases, hidden_characters
from triage.knowledge.load import load_knowledge
from triage.knowledge.opening import Opening, read_opening, unreviewed_notice
from triage.knowledge.paths import builtin_rules_dir
from triage.knowledge.reviews import review_notices
from triage.texts import emergency_notice


def signed_off(tmp_path: Path, *item_ids: str) -> Path:
    """A copy of the built-in rules in which two clinicians have signed these items off (all: none given)."""
    rules = rules_copy(tmp_path, {})
    sign_off(rules, item_ids or None)
    assert "lungs.tb_history" in (rules / "reviews.yaml").read_text(encoding="utf-8")
    return rules


def test_the_built_in_rules_give_the_same_texts_as_the_full_load(real_kb):
    opening = read_opening(builtin_rules_dir())

    assert opening == Opening(real_kb.about, emergency_notice(real_kb.emergency_signs), review_notices(real_kb))


def test_a_copy_of_the_rules_opens_with_what_the_tool_is_the_emergency_notice_and_the_review_notice(tmp_path):
    rules = rules_copy(tmp_path, {})
    kb = load_knowledge(rules)

    opening = read_opening(rules)

    assert opening is not None
    assert opening.about == kb.about
    assert opening.about.startswith("This questionnaire helps you prepare for a talk with a doctor")
    assert opening.emergency_notice == emergency_notice(kb.emergency_signs)
    assert opening.emergency_notice.startswith("Not for emergencies: if you feel pain or pressure in your chest")
    assert opening.notices == (unreviewed_notice(),) == review_notices(kb)
    assert unreviewed_notice().startswith("Please note: a clinician has not yet reviewed all of this content.")


def test_changed_opening_texts_are_read_as_written(tmp_path):
    rules = rules_copy(tmp_path, {"knowledge.yaml": ("It is not a diagnosis, and it does not replace a doctor.",
                                                     "It is not a diagnosis. Ask the desk for help.")})
    opening = read_opening(rules)

    assert opening is not None
    assert opening.about.endswith("It is not a diagnosis. Ask the desk for help.")
    assert opening.about == load_knowledge(rules).about


def test_no_reviews_file_means_nothing_is_reviewed_yet(tmp_path):
    rules = rules_copy(tmp_path, {})
    (rules / "reviews.yaml").unlink()

    opening = read_opening(rules)

    assert opening is not None
    assert opening.notices == (unreviewed_notice(),) == review_notices(load_knowledge(rules))


def test_an_empty_reviews_file_means_nothing_is_reviewed_yet(tmp_path):
    rules = rules_copy(tmp_path, {})
    (rules / "reviews.yaml").write_text("# no sign-offs yet\n", encoding="utf-8")

    opening = read_opening(rules)

    assert opening is not None
    assert opening.notices == (unreviewed_notice(),)


# --- None: only a full load can tell ----------------------------------------------------------------------


def test_a_folder_without_knowledge_yaml_gives_none(tmp_path):
    rules = rules_copy(tmp_path, {})
    (rules / "knowledge.yaml").unlink()
    assert read_opening(rules) is None


def test_a_folder_that_does_not_exist_gives_none(tmp_path):
    assert read_opening(tmp_path / "no-such-rules") is None


def test_a_yaml_syntax_error_in_knowledge_yaml_gives_none(tmp_path):
    rules = rules_copy(tmp_path, {"knowledge.yaml": ("version: 0.1.0", "version: [0.1.0")})
    assert read_opening(rules) is None


def test_knowledge_yaml_that_is_not_utf8_gives_none(tmp_path):
    rules = rules_copy(tmp_path, {})
    path = rules / "knowledge.yaml"
    path.write_bytes(path.read_bytes().replace(b"calcifications", b"calcifica\xe7\xf5es", 1))
    assert read_opening(rules) is None


def test_knowledge_yaml_that_is_not_a_mapping_gives_none(tmp_path):
    rules = rules_copy(tmp_path, {})
    (rules / "knowledge.yaml").write_text("- about\n- emergency_notice\n", encoding="utf-8")
    assert read_opening(rules) is None


@pytest.mark.parametrize("about", ['""', "'   '", "null", "[a, list]"], ids=["empty", "blank", "null", "a-list"])
def test_an_empty_or_wrong_about_text_gives_none(tmp_path, about: str):
    rules = rules_copy(tmp_path, {"knowledge.yaml": ("about: >-", f"about: {about}\nold_about: >-")})
    assert read_opening(rules) is None


def test_a_red_flag_without_its_emergency_sign_gives_none(tmp_path):
    rules = rules_copy(tmp_path, {"questions.yaml": ("  emergency_sign: you pass almost no urine\n", "")})
    assert read_opening(rules) is None


def test_a_yaml_syntax_error_in_questions_yaml_gives_none(tmp_path):
    rules = rules_copy(tmp_path, {})
    (rules / "questions.yaml").write_text("this: [is not valid\n", encoding="utf-8")
    assert read_opening(rules) is None


def test_a_reviews_file_with_one_sign_off_gives_none(tmp_path):
    rules = signed_off(tmp_path, "lungs.tb_history")
    assert read_opening(rules) is None


@pytest.mark.parametrize("text", ["- rule: lungs.tb_history\n", "just some words\n", "reviews: {}\n"],
                         ids=["a-list", "a-string", "reviews-not-a-list"])
def test_a_reviews_file_that_is_not_a_mapping_of_records_gives_none(tmp_path, text: str):
    rules = rules_copy(tmp_path, {})
    (rules / "reviews.yaml").write_text(text, encoding="utf-8")
    assert read_opening(rules) is None


def test_a_yaml_syntax_error_in_reviews_yaml_gives_none(tmp_path):
    rules = rules_copy(tmp_path, {"reviews.yaml": ("reviews: []", "reviews: [")})
    assert read_opening(rules) is None


@pytest.mark.parametrize("every_rule", [False, True], ids=["one-rule-signed-off", "every-rule-signed-off"])
def test_with_sign_offs_the_interview_loads_everything_first_and_shows_the_right_notice(tmp_path, cli,
                                                                                       every_rule: bool):
    """A reviews.yaml with records: `read_opening` steps aside, so the terminal interview takes the full
    path, where the rules' own fingerprints decide whether the 'not yet reviewed' notice is shown."""
    rules = signed_off(tmp_path) if every_rule else signed_off(tmp_path, "lungs.tb_history")
    assert read_opening(rules) is None

    result = cli("interview", "--rules", rules, "--plain", stdin="2\n")  # the full path, as in a terminal

    assert result.code == 0
    assert "It is not a diagnosis" in result.out
    shown = " ".join(unreviewed_notice().split()) in " ".join(result.out.split())
    assert shown is not every_rule


def test_read_opening_does_not_read_the_rule_files(tmp_path):
    """The opening comes from three small files: broken rules do not stop it (the full load reports them)."""
    rules = rules_copy(tmp_path, {})
    (rules / "sections.yaml").write_text("this: [is not valid\n", encoding="utf-8")
    for rule_file in (rules / "rules").glob("*.yaml"):
        rule_file.write_text("this: [is not valid\n", encoding="utf-8")

    opening = read_opening(rules)

    assert opening is not None
    assert opening.emergency_notice.startswith("Not for emergencies")



def test_the_shipped_opening_texts_are_known_to_pass_the_wording_checks(real_kb):
    opening = read_opening(builtin_rules_dir())
    fingerprint = opening_fingerprint(opening)
    for text in (opening.about, opening.emergency_notice):
        assert diagnostic_phrases(text) == [] and hidden_characters(text) == []
    assert fingerprint in CHECKED_OPENINGS, (
        f"the shipped opening texts changed; once `triage rules check` passes, write {fingerprint!r} in "
        "CHECKED_OPENINGS (triage/checks/opening_texts.py), or the opening screen comes 0.1 s later")


def test_changed_opening_texts_that_pass_the_checks_are_shown_early(tmp_path):
    rules = rules_copy(tmp_path, {"knowledge.yaml": ("It is not a diagnosis, and it does not replace a doctor.",
                                                     "It is not a diagnosis. Ask the desk for help.")})
    opening = read_opening(rules)
    assert opening_fingerprint(opening) not in CHECKED_OPENINGS
    assert may_show_early(opening)


@pytest.mark.parametrize(("name", "change"), [
    ("knowledge.yaml", ("  This questionnaire helps you", "  You have kidney stones. This questionnaire helps you")),
    ("knowledge.yaml", ("  This questionnaire helps you", "  Y\u043eu are fine. This questionnaire helps you")),
    ("questions.yaml", ("emergency_sign: you throw up blood", "emergency_sign: you have stomach cancer")),
])
def test_opening_texts_that_fail_the_wording_checks_are_not_shown_early(tmp_path, name, change):
    # The interview loads and checks everything first, and refuses before anything is shown
    # (tests/test_interview_startup_terminal.py).
    assert not may_show_early(read_opening(rules_copy(tmp_path, {name: change})))
