"""Clinician review through the real CLI: rules check, review sheet, sign-off, explain (issue 4)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from support.paths import EXAMPLES, REPO
from support.signoff import other_texts
from triage.knowledge.load import builtin_rules_dir


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    """A clinician's working copy of the built-in knowledge base."""
    target = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir(), target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- rules check ----------------------------------------------------------------------------------------


def test_the_shipped_knowledge_base_passes_the_check_without_warnings(cli):
    result = cli("rules", "check")
    assert result.code == 0, result.out
    assert "Errors: none" in result.out
    assert "Warnings: none" in result.out  # every patient text reads at school grade 9 or below


def test_a_hard_to_read_text_is_a_warning_listed_apart_from_the_errors(cli, rules_copy):
    edit(rules_copy / "rules" / "lungs.yaml", "Past TB in the lungs relates to the lungs section.",
         "Previous pulmonary tuberculosis, irrespective of microbiological confirmation or radiological "
         "documentation, necessitates consideration of the pulmonary section.")
    result = cli("rules", "check", "--rules", rules_copy)
    assert result.code == 0, result.out  # a warning does not fail the check
    errors, warnings = result.out.split("Warnings", 1)
    assert "Errors: none" in errors
    assert "warning: [hard-to-read] rule 'lungs.tb_history': statement: reading grade" in warnings


def test_a_misspelt_section_on_a_reading_page_is_one_error_naming_file_line_page_and_field(cli, rules_copy):
    edit(rules_copy / "reading.yaml", "section: lungs", "section: lungz")
    result = cli("rules", "check", "--rules", rules_copy)
    assert result.code == 1
    found = [line.strip() for line in result.out.splitlines() if "[reading-page]" in line]
    lines = (rules_copy / "reading.yaml").read_text(encoding="utf-8").splitlines()
    page = next(n for n, text in enumerate(lines, start=1) if text.strip() == "- id: lungs")
    assert found == [f"error: [reading-page] page 'lungs' ({rules_copy}/reading.yaml:{page}), field 'section': "
                     "'lungz' is not a section in sections.yaml; known: general, lungs, kidneys, liver, prostate, "
                     "thyroid, heart, breast"]


def test_a_rule_needing_a_prostate_answer_from_a_woman_can_never_fire(cli, rules_copy):
    # Breast questions are asked of everyone now (issue 13), so a prostate answer and a past breast illness
    # can come together; a prostate answer and the answer 'female' to the sex question never can.
    (rules_copy / "rules" / "odd.yaml").write_text(
        "- id: odd.never\n"
        "  statement: A rule that needs answers the interview never gives together.\n"
        "  source: prostate\n"
        "  cites: [prostate.2]\n"
        "  when:\n"
        "    all:\n"
        "      - {question: weak_stream, is: yes}\n"
        "      - {question: sex, is: female}\n"
        "  then: {concern: prostate}\n", encoding="utf-8")
    result = cli("rules", "check", "--rules", rules_copy)
    assert result.code == 1
    assert "error: [never-fires] rule 'odd.never'" in result.out
    assert "[case-fails]" not in result.out


def test_a_red_flag_rule_not_marked_safety_is_an_error(cli, rules_copy):
    edit(rules_copy / "rules" / "safety.yaml", "source: safety", "source: heart")
    result = cli("rules", "check", "--rules", rules_copy)
    assert result.code == 1
    assert "[red-flag-source]" in result.out
    assert "a red-flag rule must have source 'safety', not 'heart'" in result.out


def test_diagnostic_wording_in_a_patient_text_is_an_error(cli, rules_copy):
    edit(rules_copy / "advice.yaml", "text: ", "text: You have calcifications. ")
    result = cli("rules", "check", "--rules", rules_copy)
    assert result.code == 1
    assert "[diagnostic-wording]" in result.out and "'You have' reads as a diagnosis" in result.out


def test_unused_questions_and_unreached_items_are_warnings(cli, rules_copy):
    with (rules_copy / "questions.yaml").open("a", encoding="utf-8") as f:
        f.write("\n- id: never_read\n  topic: general\n  text: Is this question used?\n  type: yes_no\n")
    with (rules_copy / "workups.yaml").open("a", encoding="utf-8") as f:
        f.write("\n- id: biopsy\n  name: Biopsy\n  purpose: Not in the leaflet; no rule reaches it.\n")
    result = cli("rules", "check", "--rules", rules_copy)
    assert result.code == 0  # warnings do not fail the check
    assert "warning: [unused-question] question 'never_read'" in result.out
    assert "warning: [unreached] workup 'biopsy'" in result.out


def test_a_failing_golden_case_fails_the_check(cli, rules_copy):
    edit(rules_copy / "cases" / "lungs_past_tb.yaml", "urgency: soon", "urgency: routine")
    result = cli("rules", "check", "--rules", rules_copy)
    assert result.code == 1
    assert "error: [case-fails] case 'lungs_past_tb'" in result.out
    assert "urgency expected routine, got soon" in result.out


def test_readability_lists_a_grade_per_text(cli):
    result = cli("rules", "check", "--readability")
    assert "Reading grade of every patient text" in result.out
    assert "section 'lungs': education.what" in result.out


# --- rules test -----------------------------------------------------------------------------------------


def test_rules_test_shows_the_difference_for_a_wrong_expectation(cli, rules_copy):
    # Issue 13: two organs alone no longer suggest the calcium test; deposits of unknown cause still do.
    edit(rules_copy / "cases" / "seen_cause_unknown.yaml", "workups: [calcium_blood,", "workups: [hormones,")
    result = cli("rules", "test", "--rules", rules_copy)
    assert result.code == 1
    assert "FAIL  seen_cause_unknown:" in result.out
    assert "workups expected but missing: hormones" in result.out
    assert "workups not expected but present: calcium_blood" in result.out


# --- review sheet ---------------------------------------------------------------------------------------


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append(tag)

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.text.append(data)


def test_the_review_sheet_is_one_html_file_with_every_rule(cli, real_kb, tmp_path):
    out = tmp_path / "review.html"
    result = cli("rules", "review", "-o", out)
    assert result.code == 0 and f"Wrote the review sheet to {out}" in result.out
    page = out.read_text(encoding="utf-8")
    parser = _Collector()
    parser.feed(page)
    parser.close()
    text = " ".join(parser.text)
    for rule in real_kb.rules:
        assert rule.id in text
    for question in real_kb.questions:
        assert question.text in page.replace("&#x27;", "'")
    assert "svg" in parser.tags and "style" in parser.tags
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert f"{len(real_kb.rules)} never reviewed" in text
    assert f"{len(real_kb.rules)} of {len(real_kb.rules)} rules are exercised" in text
    assert real_kb.hash in text
    assert "IF the answer to" in text and "THEN" in text
    assert "SAFETY" in text


def test_the_review_sheet_in_markdown(cli, real_kb):
    result = cli("rules", "review", "--format", "markdown")
    assert result.code == 0
    assert result.out.startswith("# Review sheet:")
    for rule in real_kb.rules:
        assert f"| {rule.id} |" in result.out
    assert "### Golden cases" in result.out and "### Rule network" in result.out


# --- sign-off -------------------------------------------------------------------------------------------


def test_the_knowledge_base_ships_with_no_sign_offs(cli, real_kb):
    result = cli("rules", "status")
    assert result.code == 0
    others = other_texts(real_kb)  # the 16 texts no rule owns, and each question no rule reads
    items = len(real_kb.rules) + others
    assert (f"{items} items ({len(real_kb.rules)} rules, {others} other texts): 0 reviewed, 0 needs a second "
            f"reviewer, 0 changed since review, 0 rejected, 0 sign-off revoked, {items} never reviewed") in result.out
    assert "Signatures: 0 records unsigned, 0 signed" in result.out


def test_approving_records_reviewer_role_date_and_a_changed_rule_shows_as_changed(cli, rules_copy):
    result = cli("rules", "approve", "lungs.tb_history", "referral.lungs", "--reviewer", "Dr A. Example",
                 "--role", "pulmonologist", "--rules", rules_copy)
    assert result.code == 0
    assert "approved lungs.tb_history by Dr A. Example (pulmonologist) on " in result.out
    assert "  lungs.tb_history is now: reviewed" in result.out
    saved = (rules_copy / "reviews.yaml").read_text(encoding="utf-8")
    assert "reviewer: Dr A. Example" in saved and "fingerprint: sha256:" in saved
    status = cli("rules", "status", "--rules", rules_copy).out
    assert any(line.startswith("lungs.tb_history") and "  reviewed  (approved by Dr A. Example, pulmonologist"
               in line for line in status.splitlines())
    # A clinician's edit to the rule's wording invalidates the sign-off.
    edit(rules_copy / "rules" / "lungs.yaml", "relates to the lungs section.", "relates to the lung section.")
    status = cli("rules", "status", "--rules", rules_copy).out
    assert any(line.startswith("lungs.tb_history") and "changed since review" in line for line in status.splitlines())
    assert any(line.startswith("referral.lungs") and "  reviewed" in line for line in status.splitlines())
    sheet = cli("rules", "review", "--format", "markdown", "--rules", rules_copy).out
    assert "| changed since review<br>approved by Dr A. Example, pulmonologist, " in sheet


def test_changing_a_condition_from_all_to_any_changes_the_fingerprint(real_kb):
    from dataclasses import replace

    from triage.knowledge.review_items import review_items
    from triage.model import AllOf, AnyOf

    rule = next(r for r in real_kb.rules if isinstance(r.when, AllOf))
    flipped = replace(real_kb, rules=tuple(replace(r, when=AnyOf(r.when.items)) if r is rule else r
                                           for r in real_kb.rules))
    before, after = review_items(real_kb)[rule.id], review_items(flipped)[rule.id]
    assert before.fingerprint != after.fingerprint
    assert "  all of:" in before.text and "  any of:" in after.text


def test_approving_an_unknown_rule_is_refused(cli, rules_copy):
    result = cli("rules", "approve", "lungs.nope", "--reviewer", "X", "--role", "GP", "--rules", rules_copy)
    assert result.code == 2
    assert result.err.strip() == (f"error: {rules_copy}/reviews.yaml, item 'lungs.nope': there is no rule or "
                                  "text 'lungs.nope' (see `triage rules status`)")
    assert "reviewer" not in (rules_copy / "reviews.yaml").read_text(encoding="utf-8").split("reviews:")[1]


def _plain_interview(rules: Path | None) -> str:
    args = [sys.executable, "-m", "triage", "--plain"] + (["--rules", str(rules)] if rules else [])
    done = subprocess.run(args, input="2\n", capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_interview_says_when_content_is_not_yet_reviewed_and_stops_saying_it_once_all_is(cli, rules_copy, real_kb):
    from triage.knowledge.review_items import review_items

    notice = "has not yet reviewed all of this content"
    assert notice in _plain_interview(rules_copy)
    result = cli("rules", "approve", *[r.id for r in real_kb.rules], "--reviewer", "Dr B. Test", "--role", "GP",
                 "--rules", rules_copy)
    assert result.code == 0
    assert notice in _plain_interview(rules_copy)  # texts no rule owns, and safety rules' second reviewer, missing
    for reviewer in ("Dr B. Test", "Dr C. Second"):
        assert cli("rules", "approve", *review_items(real_kb), "--reviewer", reviewer, "--role", "GP",
                   "--rules", rules_copy).code == 0
    assert notice not in _plain_interview(rules_copy)
    # Rewording a red-flag question after sign-off brings the notice back.
    edit(rules_copy / "questions.yaml", "Are your lips or your face turning blue or grey right now?",
         "Have your lips ever been blue?")
    assert notice in _plain_interview(rules_copy)


# --- explain --------------------------------------------------------------------------------------------


def test_explain_with_facts_traces_facts_rules_and_why_not_emergency(cli, real_kb, tmp_path):
    # The past-TB example says where the TB was, as the interview asks now (issue 13): he lived with it as a
    # child, so the TB rule fires.
    answers = tmp_path / "past-tb.yaml"
    example = (EXAMPLES / "past-tb.yaml").read_text(encoding="utf-8")
    if "tb_where:" not in example:
        example = example.replace("tb_history: yes\n", "tb_history: yes\ntb_where: [contact_only]\n")
    answers.write_text(example, encoding="utf-8")
    result = cli("explain", "--answers", answers, "--facts")
    assert result.code == 0
    out = result.out
    facts, rules = out.index("FACTS DECLARED"), out.index("RULES FIRED")
    assert facts < rules < out.index("OUTCOME") < out.index("WHY NOT EMERGENCY")
    assert "Answer(question=tb_history, value=yes)" in out
    assert "lungs.tb_history: Past TB in the lungs" in out
    assert "matched: f-" in out and "THEN the lungs section relates to the answers" in out
    for question in (q for q in real_kb.questions if q.red_flag):
        assert f"  {question.id}: asked, answered 'no' (safety." in out


def test_explain_of_an_emergency_names_the_rule_that_reached_it(cli):
    for facts in ((), ("--facts",)):
        result = cli("explain", "--answers", EXAMPLES / "chest-pain.json", *facts)
        assert result.code == 0
        assert "WHY EMERGENCY: reached by safety.chest_pain_yes" in result.out


def test_explain_rejects_a_bad_answers_file_in_one_line(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("chest_pain: maybe\n", encoding="utf-8")
    result = cli("explain", "--answers", bad)
    assert result.code == 2
    assert result.err == (f"error: {bad}, question 'chest_pain': 'maybe' is not an answer here; it takes yes, no, "
                          "not_sure\n")
