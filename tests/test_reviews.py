"""Sign-off covers what patients read (issue 12, part 2): triage/knowledge/reviews.py and review_items.py,
through `triage rules approve / reject / revoke / status` as a clinician uses them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support.kb_copies import rules_copy
from support.signoff import REVIEWERS, other_texts, sign_off
from triage.knowledge.load import load_knowledge
from triage.knowledge.opening import unreviewed_notice
from triage.knowledge.review_items import review_items
from triage.knowledge.reviews import CHANGED, REVIEWED, review_notices, review_status

BLUE_LIPS_QUESTION = "Are your lips or your face turning blue or grey right now?"
BLUE_LIPS_RULES = {"lungs.blue_lips", "heart.blue_lips", "safety.blue_lips_yes", "safety.blue_lips_not_sure"}


@pytest.fixture(scope="module")
def signed_everything(tmp_path_factory) -> Path:
    """The built-in rules with every rule and text approved by two reviewers (made once per module)."""
    rules = rules_copy(tmp_path_factory.mktemp("signed"), {})
    sign_off(rules)
    return rules


@pytest.fixture
def signed(signed_everything: Path, tmp_path: Path) -> Path:
    """A copy of `signed_everything` this test may change."""
    return Path(shutil.copytree(signed_everything, tmp_path / "signed"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def states(result_out: str) -> dict[str, str]:
    """`rules status` lines as item -> state."""
    found = {}
    for line in result_out.splitlines():
        if line and not line.startswith(" ") and "  " in line:
            item, rest = line.split(None, 1)
            found[item] = rest.split("  (")[0].strip()
    return found


# --- the fingerprint covers what a person reads ---------------------------------------------------------


def test_with_every_rule_and_text_approved_by_two_reviewers_everything_is_reviewed(cli, signed):
    result = cli("rules", "status", "--rules", signed)
    assert result.code == 0
    kb = load_knowledge(signed)
    others = other_texts(kb)  # the 16 texts no rule owns, and each question no rule reads
    items = len(kb.rules) + others
    assert f"{items} items ({len(kb.rules)} rules, {others} other texts): {items} reviewed, 0 needs a second " \
           "reviewer, 0 changed since review, 0 rejected, 0 sign-off revoked, 0 never reviewed" in result.out
    assert review_notices(load_knowledge(signed)) == ()


def test_rewording_the_blue_lips_question_makes_the_rules_that_read_it_changed_since_review(cli, signed):
    edit(signed / "questions.yaml", BLUE_LIPS_QUESTION, "Have your lips ever been blue?")
    result = cli("rules", "status", "--rules", signed)
    changed = {item for item, state in states(result.out).items() if state == CHANGED}
    assert changed == BLUE_LIPS_RULES
    assert states(result.out)["lungs.tb_history"] == REVIEWED
    block = result.out.split("\nlungs.blue_lips ", 1)[1].split("\n", 6)[:6]
    assert block[1:] == ["    --- reviewed by Dr B. Jones on " + block[1].rsplit(" ", 1)[1],
                         "    +++ now",
                         "    @@ -11 +11 @@ question blue_lips:",
                         f"    -  text: {BLUE_LIPS_QUESTION}",
                         "    +  text: Have your lips ever been blue?"]
    # ... and the "not yet reviewed" notice is back for patients.
    assert review_notices(load_knowledge(signed)) == (unreviewed_notice(),)


def test_changing_the_urgent_timeframe_makes_every_rule_referring_at_urgent_changed_since_review(cli, signed):
    edit(signed / "knowledge.yaml", "timeframe: within 24 hours", "timeframe: within three months")
    kb = load_knowledge(signed)
    at_urgent = {r.id for r in kb.rules if getattr(r.then, "urgency", None) == "urgent"}
    assert len(at_urgent) >= 5
    report = review_status(kb)
    assert {s.item.id for s in report.items if s.state == CHANGED} == at_urgent
    diff = report.by_id["safety.chest_pain_not_sure"].diff
    assert diff[2:] == ("@@ -19 +19 @@ urgency urgent (level 2 of 4, highest first):",
                        "-  timeframe: within 24 hours", "+  timeframe: within three months")
    assert review_notices(kb) == (unreviewed_notice(),)
    assert "changed since review" in cli("rules", "status", "--rules", signed).out


def test_texts_no_rule_owns_are_items_of_their_own(cli, signed):
    edit(signed / "knowledge.yaml", "It is not a diagnosis, and it does not replace a doctor.",
         "It is not a diagnosis. Ask the desk for help.")
    edit(signed / "reading.yaml", "body. In the lungs, for example,", "body. In the lungs, say,")
    result = states(cli("rules", "status", "--rules", signed).out)
    assert {item for item, state in result.items() if state != REVIEWED} == {"text.about", "reading.how_found"}


def test_a_section_text_reaches_its_rules_and_the_reading_page_that_shows_it(real_kb, tmp_path):
    rules = rules_copy(tmp_path, {"sections.yaml": ("The spots themselves usually need no treatment.",
                                                    "The spots usually need no treatment.")})
    before, after = review_items(real_kb), review_items(load_knowledge(rules))
    moved = {i for i in before if before[i].fingerprint != after[i].fingerprint}
    lungs_concerns = {r.id for r in real_kb.rules if getattr(r.then, "section", None) == "lungs"}
    assert moved == lungs_concerns | {"reading.lungs"}


def test_the_item_text_holds_the_rules_yaml_its_questions_and_its_conclusion_texts(real_kb):
    text = review_items(real_kb)["safety.chest_pain_yes"].text
    assert text.splitlines()[:11] == [
        "rule safety.chest_pain_yes",
        f"knowledge base: {real_kb.name}, version {real_kb.version}",
        "statement: Pain or pressure in the chest now, or in the last hours, needs emergency help.",
        "source: safety (Not from the leaflet: widely accepted emergency red flags)",
        "cites: other_organs.2",
        "reference: chest pain or pressure now is a widely accepted emergency sign (call the emergency number)",
        "when:", "  answer to chest_pain is yes", "then:", "  referral to: emergency_services", "  urgency: emergency"]
    for part in ("question chest_pain:", "  red flag, emergency sign: you feel pain or pressure in your chest",
                 "urgency emergency (level 1 of 4, highest first):", "  timeframe: now",
                 "doctor emergency_services:", "  name: emergency services"):
        assert part in text.splitlines()


def test_a_new_version_of_the_knowledge_base_needs_a_new_sign_off(cli, signed):
    edit(signed / "knowledge.yaml", "version: 0.1.0", "version: 0.2.0")
    result = cli("rules", "status", "--rules", signed)
    kb = load_knowledge(signed)
    assert f"{len(kb.rules) + other_texts(kb)} changed since review" in result.out  # every item
    assert "    -knowledge base: calcitriage knowledge base on calcifications, version 0.1.0" in result.out
    assert "    +knowledge base: calcitriage knowledge base on calcifications, version 0.2.0" in result.out


# --- safety items need two reviewers --------------------------------------------------------------------


def test_a_safety_rule_counts_as_reviewed_only_with_two_reviewers_of_different_names(cli, tmp_path):
    rules = rules_copy(tmp_path, {})

    def approve(name: str) -> str:
        result = cli("rules", "approve", "safety.chest_pain_yes", "text.emergency_signs", "lungs.tb_history",
                     "--reviewer", name, "--role", "emergency physician", "--rules", rules)
        assert result.code == 0, result.err
        return result.out

    out = approve("Dr A. Smith")
    assert "  safety.chest_pain_yes is now: needs a second reviewer" in out
    assert "  text.emergency_signs is now: needs a second reviewer" in out
    assert "  lungs.tb_history is now: reviewed" in out
    assert "safety.chest_pain_yes is now: needs a second reviewer" in approve("dr a.  SMITH")  # the same person
    assert "safety.chest_pain_yes is now: reviewed" in approve("Dr B. Jones")
    assert states(cli("rules", "status", "--rules", rules).out)["text.emergency_signs"] == REVIEWED


# --- approve refuses items whose checks fail ------------------------------------------------------------


def test_approve_refuses_a_rule_whose_advice_text_reads_as_a_diagnosis(cli, tmp_path):
    rules = rules_copy(tmp_path, {"advice.yaml": ("Go to your planned check-ups,",
                                                  "You have kidney stones. Go to your planned check-ups,")})
    before = (rules / "reviews.yaml").read_text(encoding="utf-8")
    result = cli("rules", "approve", "advice.planned_checkups", "lungs.tb_history", "--reviewer", "Dr A. Smith",
                 "--role", "GP", "--rules", rules)
    assert result.code == 2
    assert result.err.splitlines() == [
        f"error: {rules}/reviews.yaml, item 'advice.planned_checkups': cannot be approved while `triage rules "
        "check` finds an error in it: error: [diagnostic-wording] advice 'planned_checkups': 'You have' reads "
        "as a diagnosis; say which leaflet section relates to the answers"]
    assert (rules / "reviews.yaml").read_text(encoding="utf-8") == before  # nothing recorded, not even the rest
    assert cli("rules", "approve", "lungs.tb_history", "--reviewer", "Dr A. Smith", "--role", "GP",
               "--rules", rules).code == 0


def test_a_failing_golden_case_blocks_approving_rules_but_not_the_opening_text(cli, tmp_path):
    rules = rules_copy(tmp_path, {"cases/lungs_past_tb.yaml": ("urgency: soon", "urgency: routine")})
    refused = cli("rules", "approve", "lungs.tb_history", "--reviewer", "Dr A. Smith", "--role", "GP",
                  "--rules", rules)
    assert refused.code == 2
    assert "item 'lungs.tb_history': cannot be approved while `triage rules check` finds an error in it: " \
           "error: [case-fails] case 'lungs_past_tb'" in refused.err
    assert cli("rules", "approve", "text.about", "--reviewer", "Dr A. Smith", "--role", "GP",
               "--rules", rules).code == 0


# --- reject and revoke ----------------------------------------------------------------------------------


def test_reject_is_recorded_with_its_comment_and_shown_by_status(cli, tmp_path):
    rules = rules_copy(tmp_path, {})
    rule = "kidneys.past_kidney_infection"
    cli("rules", "approve", rule, "--reviewer", "Dr A. Smith", "--role", "GP", "--rules", rules)
    result = cli("rules", "reject", rule, "--reviewer", "Dr B. Jones", "--role", "nephrologist",
                 "--comment", "Too vague about when to come back", "--rules", rules)
    assert result.code == 0, result.err
    assert result.out.splitlines()[1] == "  kidneys.past_kidney_infection is now: rejected"
    line = next(x for x in cli("rules", "status", "--rules", rules).out.splitlines()
                if x.startswith("kidneys.past_kidney_infection"))
    assert line.split(None, 1)[1].startswith("rejected  (approved by Dr A. Smith, GP, ")
    assert 'rejected by Dr B. Jones, nephrologist, ' in line and ', unsigned: "Too vague about when to come back")' \
        in line
    saved = (rules / "reviews.yaml").read_text(encoding="utf-8")
    assert "decision: rejected" in saved and "comment: Too vague about when to come back" in saved


def test_reject_needs_a_comment(cli, tmp_path):
    result = cli("rules", "reject", "lungs.tb_history", "--reviewer", "Dr B. Jones", "--role", "GP",
                 "--rules", rules_copy(tmp_path, {}))
    assert result.code == 2 and "the following arguments are required: --comment" in result.err


def test_revoke_withdraws_only_the_reviewers_own_sign_off(cli, tmp_path):
    rules = rules_copy(tmp_path, {})
    cli("rules", "approve", "lungs.tb_history", "--reviewer", "Dr A. Smith", "--role", "GP", "--rules", rules)
    refused = cli("rules", "revoke", "lungs.tb_history", "--reviewer", "Dr B. Jones", "--comment", "not mine",
                  "--rules", rules)
    assert refused.code == 2
    assert refused.err.strip() == (f"error: {rules}/reviews.yaml, item 'lungs.tb_history': Dr B. Jones has no "
                                   "approval or rejection of it to revoke")
    result = cli("rules", "revoke", "lungs.tb_history", "--reviewer", "Dr A. Smith",
                 "--comment", "signed the wrong rule", "--rules", rules)
    assert result.code == 0
    assert result.out.splitlines() == [
        f"revoked lungs.tb_history by Dr A. Smith on {result.out.split(' on ')[1].split()[0]}",
        "  lungs.tb_history is now: sign-off revoked",
        f"Recorded 1 decision(s) in {rules}/reviews.yaml"]
    assert states(cli("rules", "status", "--rules", rules).out)["lungs.tb_history"] == "sign-off revoked"


def test_approve_says_in_which_file_it_recorded_the_sign_off(cli, tmp_path):
    """Issue 14, item 12: after a plain install the built-in rules live inside the installed package, so
    the command names the file it wrote rather than leave a clinician to guess."""
    rules = rules_copy(tmp_path, {})
    result = cli("rules", "approve", "lungs.tb_history", "lungs.past_lung_cancer", "--reviewer", "Dr A. Smith",
                 "--role", "GP", "--rules", rules)
    assert result.code == 0
    assert result.out.splitlines()[-1] == f"Recorded 2 decision(s) in {rules}/reviews.yaml"
    assert "lungs.past_lung_cancer" in (rules / "reviews.yaml").read_text(encoding="utf-8")


# --- orphaned records -----------------------------------------------------------------------------------


def test_records_of_a_renamed_rule_are_reported_as_orphaned_not_a_crash(cli, tmp_path):
    rules = rules_copy(tmp_path, {})
    cli("rules", "approve", "lungs.tb_history", "--reviewer", "Dr A. Smith", "--role", "GP", "--rules", rules)
    edit(rules / "rules" / "lungs.yaml", "- id: lungs.tb_history", "- id: lungs.tuberculosis")
    result = cli("rules", "status", "--rules", rules)
    assert result.code == 0
    assert "\nOrphaned records (1), for items renamed or removed since:\n  review #1: lungs.tb_history, approved by " \
           "Dr A. Smith, GP, " in result.out
    assert states(result.out)["lungs.tuberculosis"] == "never reviewed"
    assert review_status(load_knowledge(rules)).orphans[0].item == "lungs.tb_history"
    # The interview still starts, with the notice.
    assert review_notices(load_knowledge(rules)) == (unreviewed_notice(),)


# --- the records themselves -----------------------------------------------------------------------------


def _one_record(cli, tmp_path: Path) -> Path:
    rules = rules_copy(tmp_path, {})
    assert cli("rules", "approve", "lungs.tb_history", "--reviewer", "Dr A. Smith", "--role", "pulmonologist",
               "--rules", rules).code == 0
    return rules


@pytest.mark.parametrize(("old", "new", "message"), [
    ("date: 20", "date: 2999-01-01\n  old_date: 20",
     "field 'date': 2999-01-01 is in the future"),
    ("date: 20", "date: 02/12/2026\n  old_date: 20",
     "field 'date': must be a real date written YYYY-MM-DD, not '02/12/2026'"),
    ("reviewer: Dr A. Smith", "reviewer: \"Dr A.\\nSmith\"",
     "field 'reviewer': must be a single line, not 'Dr A.\\nSmith'"),
    ("role: pulmonologist", "role: ''", "field 'role': must be a non-empty text, not ''"),
    ("  version: 0.1.0\n", "", "field 'version': is missing: the knowledge base version that was reviewed"),
], ids=["future-date", "not-a-date", "two-line-name", "empty-role", "no-version"])
def test_a_bad_record_is_an_error_naming_file_record_and_field(cli, tmp_path, old: str, new: str, message: str):
    rules = _one_record(cli, tmp_path)
    text = (rules / "reviews.yaml").read_text(encoding="utf-8")
    text = text.replace(old, new, 1)
    if "old_date" in text:  # keep the record's other fields, drop the original date
        text = "\n".join(x for x in text.splitlines() if "old_date" not in x) + "\n"
    (rules / "reviews.yaml").write_text(text, encoding="utf-8")
    result = cli("rules", "status", "--rules", rules)
    assert result.code == 2
    assert result.err.startswith(f"error: {rules}/reviews.yaml:")
    assert ", review #1 ('lungs.tb_history'), " + message in result.err


def test_a_reviewed_text_changed_by_hand_is_an_error(cli, tmp_path):
    rules = _one_record(cli, tmp_path)
    edit(rules / "reviews.yaml", "    statement: Past TB in the lungs", "    statement: Earlier TB in the lungs")
    result = cli("rules", "status", "--rules", rules)
    assert result.code == 2
    assert "does not match its fingerprint: the reviewed text was changed by hand" in result.err


def test_the_records_read_like_a_form(cli, tmp_path):
    rules = _one_record(cli, tmp_path)
    lines = (rules / "reviews.yaml").read_text(encoding="utf-8").split("reviews:\n", 1)[1].splitlines()
    assert lines[0] == "- item: lungs.tb_history"
    assert [x.split(":")[0] for x in lines[1:7]] == ["  decision", "  reviewer", "  role", "  date", "  version",
                                                     "  fingerprint"]
    assert lines[7] == "signed_texts:" and lines[9] == "    rule lungs.tb_history"


def test_the_sheet_gets_states_records_and_diffs_as_data(signed):
    edit(signed / "questions.yaml", BLUE_LIPS_QUESTION, "Have your lips ever been blue?")
    report = review_status(load_knowledge(signed))
    item = report.by_id["safety.blue_lips_yes"]
    assert item.state == CHANGED and item.item.reviewers_needed == 2
    assert [r.reviewer for r in item.standing] == [name for name, _ in REVIEWERS]
    assert item.diff[-1] == "+  text: Have your lips ever been blue?"
    assert set(report.signatures.values()) == {"unsigned"}


def test_a_broken_reviews_file_counts_as_nothing_reviewed_for_patients_and_is_an_error_for_status(cli, signed):
    edit(signed / "reviews.yaml", "role: pulmonologist", "role: ''")
    assert review_notices(load_knowledge(signed)) == (unreviewed_notice(),)
    result = cli("rules", "status", "--rules", signed)
    assert result.code == 2 and "field 'role': must be a non-empty text, not ''" in result.err
