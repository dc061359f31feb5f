"""The review sheet a clinician signs off on paper (issue 12, part 4): every patient text next to the rules
that show them, the check result, branch coverage, the coverage matrix, the urgency table, the network
picture, the sign-off form; and the Markdown sheet carries the same content."""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest

from support.html_sheet import Page, read_sheet
from support.kb_copies import rules_copy
from support.signoff import other_texts
from triage.checks.cases import run_case
from triage.knowledge.reading import load_reading
from triage.texts import emergency_notice


@pytest.fixture(scope="module")
def sheet_html(tmp_path_factory) -> str:
    from triage.cli import main

    out = tmp_path_factory.mktemp("sheet") / "review.html"
    assert main(["rules", "review", "-o", str(out)]) == 0
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sheet(sheet_html: str) -> Page:
    return read_sheet(sheet_html)


def _row(page: Page, first_cell: str, cells: int | None = None) -> list[str]:
    found = [r for r in page.rows if r and r[0] == first_cell and (cells is None or len(r) == cells)]
    assert len(found) == 1, f"{first_cell!r}: {len(found)} rows"
    return found[0]


def test_every_text_a_patient_reads_stands_next_to_the_rules_that_show_it(sheet, real_kb):
    assert _row(sheet, "opening screen")[1] == real_kb.about
    assert _row(sheet, "disclaimer")[1:] == [real_kb.disclaimer, "with every outcome",
                                             "text.disclaimer: never reviewed"]
    notice = _row(sheet, "emergency notice")
    assert notice[1] == emergency_notice(real_kb.emergency_signs)
    assert "built from the red-flag questions: chest_pain, vomiting_blood, blue_lips" in notice[2]
    urgent = _row(sheet, "urgency 'urgent'")
    assert urgent[1] == "Urgent (within 24 hours). See a doctor within 24 hours. If you cannot get an " \
                        "appointment, go to an out-of-hours service."
    assert "referral.kidneys_severe" in urgent[2].split("\n") and "safety.chest_pain_not_sure" in urgent[2]
    lungs = _row(sheet, "section 'lungs'")
    assert lungs[1].startswith("Calcifications in the lungs\nWhat it is: ")
    assert real_kb.section["lungs"].education.next in lungs[1]
    assert "lungs.tb_history" in lungs[2].split("\n")
    for workup in real_kb.workups:
        assert _row(sheet, f"test '{workup.id}'")[1] == f"{workup.name}: {workup.purpose}"
    reasons = [r for r in sheet.rows if r and r[0] == "reason for test 'xray'"]
    assert [r[2] for r in reasons] == [r.id for r in real_kb.rules if getattr(r.then, "workup", None) == "xray"]
    for advice in real_kb.advice:
        row = _row(sheet, f"advice '{advice.id}'")
        assert row[1] == advice.text and row[2] != "no rule (never shown)"


def test_the_reading_pages_are_on_the_sheet(sheet, real_kb):
    reading = load_reading(real_kb)
    for page in reading.pages:
        row = _row(sheet, f"page '{page.id}'")
        assert row[1].split("\n")[0] == page.title
        for paragraph in page.paragraphs:
            assert paragraph.text in row[1]
    assert _row(sheet, "closing of every page")[1] == reading.closing


def _cases_firing(real_kb, real_engine, rule_id: str) -> list[tuple[str, dict]]:  # type: ignore[no-untyped-def]
    """(case id, answers) of the golden cases whose outcome the rule took part in, in case order."""
    fired = []
    for case in real_kb.cases:
        outcome = run_case(real_engine, case).outcome
        if outcome is not None and rule_id in {step.rule.id for step in outcome.explanation}:
            fired.append((case.id, dict(outcome.answers)))
    return fired


def test_each_rule_names_its_kind_of_source_and_the_cases_and_any_branches_that_cover_it(sheet, real_kb,
                                                                                         real_engine):
    kidneys = _row(sheet, "referral.kidneys_severe", cells=5)
    assert kidneys[2] == ("clinical judgement: Not from the leaflet: the project's clinical judgement (which doctor, "
                          "how soon, what raises urgency)\nrationale: swelling the leaflet ties to the kidneys, with "
                          "a changed breath smell or yellow skin, needs a kidney specialist within 24 hours (the "
                          "leaflet gives no timeframe)\ncites: kidneys.1")
    tb = _row(sheet, "lungs.tb_history", cells=5)
    assert tb[2] == "leaflet: Leaflet: calcifications in the lungs\ncites: lungs.1"  # no paragraph without --leaflet
    # Which golden cases fire the rule, and which of them hold each branch of its two `any`s, worked out here
    # from the cases' outcomes and answers (golden cases are being added; the sheet must follow them).
    fired = _cases_firing(real_kb, real_engine, "referral.kidneys_severe")
    assert "kidneys_strong_signs" in [case for case, _ in fired]
    branches = [("swelling_where includes 'face'", lambda a: "face" in a.get("swelling_where", ())),
                ("swollen_legs_look is 'usual_colour'", lambda a: a.get("swollen_legs_look") == "usual_colour"),
                ("breath_smell is 'yes'", lambda a: a.get("breath_smell") == "yes"),
                ("skin_yellow is 'yes'", lambda a: a.get("skin_yellow") == "yes")]
    expected = [f"fired in: {', '.join(case for case, _ in fired)}"]
    for words, holds in branches:
        covering = [case for case, answers in fired if holds(answers)]
        expected.append(f"branch “{words}”: {', '.join(covering) if covering else 'not exercised'}")
    assert kidneys[3] == "\n".join(expected)
    chest = _row(sheet, "safety.chest_pain_yes", cells=5)
    assert chest[2].startswith("safety practice: Not from the leaflet: widely accepted emergency red flags\n"
                               "reference: chest pain or pressure now is a widely accepted emergency sign")
    assert chest[1].startswith("SAFETY ")


def test_the_coverage_matrix_has_a_row_per_rule_and_a_column_per_case(sheet, real_kb):
    header = next(r for r in sheet.rows if r and r[0] == "rule")
    assert header == ["rule", *(f"C{i}" for i in range(1, len(real_kb.cases) + 1))]
    matrix = sheet.rows_after("Coverage: rules by golden cases")
    assert [r[0] for r in matrix[1:]] == [r.id for r in real_kb.rules]
    case_number = {case.id: i for i, case in enumerate(real_kb.cases, start=1)}
    chest = next(r for r in matrix if r[0] == "safety.chest_pain_yes")
    assert [i for i, cell in enumerate(chest) if cell == "●"] == [case_number["red_flag_chest_pain"]]
    assert f"C{case_number['all_no']} all_no" in sheet.all_text


def test_the_urgency_decision_table_gives_the_answers_for_each_urgency_highest_first(sheet, real_kb):
    table = sheet.rows_after("Urgency decision table")
    levels = list(dict.fromkeys(r[0] for r in table[1:]))
    assert levels == [f"{u.label} ({u.timeframe})" for u in real_kb.urgency_levels]
    emergency = [r for r in table if r[0] == "Emergency (now)"]
    assert [r[1].split("\n")[0] for r in emergency] == [r.id for r in real_kb.rules if r.id.endswith("_yes")]
    chest = emergency[0]
    assert chest[1] == "safety.chest_pain_yes\nto emergency services"
    assert chest[2].startswith(f"the answer to “{real_kb.question['chest_pain'].text}” [chest_pain] is 'yes'")
    lungs = next(r for r in table if r[1].startswith("referral.lungs\n"))
    through = lungs[2].split("\n")[1]
    assert through.startswith("(“Calcifications in the lungs” relates to the answers through: ")
    assert "lungs.tb_history, " in through


def test_the_safety_part_lists_the_red_flag_cases(sheet, real_kb):
    assert "Red-flag cases" in sheet.headings
    cases = [r[0].split(":")[0] for r in sheet.rows_after("Red-flag cases")[1:]]
    red_flag_cases = [c.id for c in real_kb.cases if c.id.startswith("red_flag")]
    assert set(red_flag_cases) <= set(cases)
    assert "all_no" not in cases


def test_a_golden_case_row_shows_what_it_forbids_and_whom_it_expects_beside_what_the_rules_gave(sheet, real_kb):
    # kidney_tb: past TB of the kidney only must not show the lungs section; the clinician reads that here.
    rows = [r for r in sheet.rows_after("Golden cases") if r and r[0].startswith("kidney_tb: ")]
    assert rows and all(r == rows[0] for r in rows)  # the same row under each part of the leaflet it touches
    _, expected, actual, verdict = rows[0]
    assert expected.splitlines() == ["soon, to nephrologist", "sections: kidneys; never lungs",
                                     "tests: ct_mri, ultrasound, xray"]
    assert actual.splitlines()[0] == "soon, to nephrologist"
    assert verdict == "pass"
    without = [r for r in sheet.rows_after("Golden cases") if r and r[0].startswith("general_signs_only: ")]
    assert without and all("never" not in r[1] for r in without)  # a case that forbids nothing says nothing


def test_the_header_gives_the_check_result_signatures_and_ends_with_a_sign_off_form(sheet, real_kb):
    assert _row(sheet, "check (triage rules check)")[1].startswith("0 errors, ")
    assert _row(sheet, "sign-off records") == ["sign-off records", "Records are unsigned."]
    assert f"All {len(real_kb.cases)} golden cases pass." in sheet.all_text
    assert sheet.headings[-1] == "Sign-off"
    form = sheet.rows_after("Sign-off")
    assert form[0] == ["part", "name", "role", "date", "signature"]
    parts = [r[0] for r in form[1:]]
    assert parts[:2] == ["What patients read (texts and reading pages)", "Urgency decision table"]
    assert "Not from the leaflet: widely accepted emergency red flags" in parts
    assert all(r[1:] == ["", "", "", ""] for r in form[1:])


def test_failing_golden_cases_come_first_in_the_check_result(cli, tmp_path):
    copy = rules_copy(tmp_path, {"cases/lungs_past_tb.yaml": ("urgency: soon", "urgency: routine"),
                                 "advice.yaml": ("text: ", "text: You have calcifications. ")})
    out = tmp_path / "review.html"
    assert cli("rules", "review", "--rules", copy, "-o", out).code == 0
    page = read_sheet(out.read_text(encoding="utf-8"))
    check = page.rows_after("Check result (triage rules check)")
    assert check[0] == ["failing golden case", "what differs"]
    assert check[1] == ["lungs_past_tb: Past TB, no symptoms now", "urgency expected routine, got soon"]
    errors = [r[0] for r in check if r[0].startswith("error:")]
    assert errors[0].startswith("error: [case-fails] case 'lungs_past_tb'")
    assert any("[diagnostic-wording]" in e for e in errors[1:])
    assert _row(page, "check (triage rules check)")[1].startswith(f"{len(errors)} errors, ")


# --- the network picture ----------------------------------------------------------------------------------


def _kidney_picture(page: Page) -> str:
    """The network of the part holding referral.kidneys_severe (clinical judgement: it sets how soon)."""
    return next(s for s in page.svgs if "Rule network: Not from the leaflet: the project" in s)


def test_the_network_shows_and_or_answer_values_always_rules_and_a_legend(sheet):
    kidneys = _kidney_picture(sheet)
    assert 'width="100%"' in kidneys and re.search(r'viewBox="0 0 \d+ \d+"', kidneys)
    assert "height=" not in kidneys.split(">", 1)[0]  # no fixed size: it fits any width
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", kidneys)
    assert "swelling_where includes face" in labels and "swollen_legs_look = usual_colour" in labels
    assert "breath_smell = yes" in labels
    assert labels.count("AND") >= 2 and labels.count("OR") >= 2  # the junctions, and the legend
    assert "referral: nephrologist, urgent" in labels
    for words in ("AND: all inputs must hold", "OR: one input is enough", "holds whatever the answers"):
        assert words in labels
    referral = next(s for s in sheet.svgs if "Rule network: Not from the leaflet: the project" in s)
    assert re.search(r'class="node always"><rect[^>]*/><text[^>]*>always</text>', referral)


def test_the_network_has_a_text_alternative_in_a_desc_and_visible_under_it(sheet_html, sheet):
    kidneys = _kidney_picture(sheet)
    line = ("referral.kidneys_severe: (swelling_where includes face OR swollen_legs_look = usual_colour) AND "
            "(breath_smell = yes OR skin_yellow = yes) → referral: nephrologist, urgent")
    desc = unescape(re.search(r"<desc>(.*?)</desc>", kidneys, re.S).group(1))  # type: ignore[union-attr]
    assert line in desc.split("\n")
    assert line in sheet.all_text  # the visible list under the picture


def test_flipping_all_to_any_in_a_rule_changes_the_network_picture(cli, tmp_path):
    """Issue 12: "Flipping `all` to `any` in `referral.kidneys_severe` ... the network picture does not change"."""
    rule = "  when:\n    all:\n      - any:\n          - {question: swelling_where, includes: face}"
    copy = rules_copy(tmp_path, {"rules/referral.yaml": (rule, rule.replace("all:", "any:"))})
    before, after = tmp_path / "before.html", tmp_path / "after.html"
    assert cli("rules", "review", "-o", before).code == 0
    assert cli("rules", "review", "--rules", copy, "-o", after).code == 0
    old = _kidney_picture(read_sheet(before.read_text(encoding="utf-8")))
    new = _kidney_picture(read_sheet(after.read_text(encoding="utf-8")))
    assert old != new
    swelling = "(swelling_where includes face OR swollen_legs_look = usual_colour)"
    assert f"{swelling} AND (breath_smell = yes OR skin_yellow = yes)" in old
    assert f"{swelling} OR (breath_smell = yes OR skin_yellow = yes)" in new


# --- the same content in Markdown ---------------------------------------------------------------------------


def _ids_and_texts(text: str, real_kb) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    reading = load_reading(real_kb)
    texts = [real_kb.about, real_kb.disclaimer, emergency_notice(real_kb.emergency_signs), reading.closing,
             *(q.text for q in real_kb.questions), *(r.statement for r in real_kb.rules),
             *(u.advice for u in real_kb.urgency_levels), *(a.text for a in real_kb.advice),
             *(w.purpose for w in real_kb.workups), *(getattr(r.then, "reason", "") for r in real_kb.rules),
             *(getattr(s.education, f) for s in real_kb.sections
               for f in ("what", "causes", "signs", "examination", "next")),
             *(p.text for page in reading.pages for p in page.paragraphs)]
    return {"rules": {r.id for r in real_kb.rules if r.id in text},
            "cases": {c.id for c in real_kb.cases if c.id in text},
            "texts": {t for t in texts if t and t in text}}


def test_the_markdown_sheet_carries_the_same_rules_texts_and_cases_as_the_html(cli, sheet, real_kb):
    markdown = cli("rules", "review", "--format", "markdown").out
    html_found = _ids_and_texts(sheet.all_text, real_kb)
    markdown_found = _ids_and_texts(markdown.replace("\\|", "|").replace("<br>", "\n"), real_kb)
    assert html_found == markdown_found
    assert len(html_found["rules"]) == len(real_kb.rules) and len(html_found["cases"]) == len(real_kb.cases)
    assert markdown.startswith(f"# Review sheet: {real_kb.name}\n")
    assert "| sign-off records | Records are unsigned. |" in markdown


def test_a_knowledge_base_without_reading_pages_still_gets_a_sheet(cli, tmp_path):
    copy = rules_copy(tmp_path, {})
    Path(copy / "reading.yaml").unlink()
    result = cli("rules", "review", "--format", "markdown", "--rules", copy)
    assert result.code == 0
    assert "No reading pages: " in result.out and "reading.yaml: cannot be read" in result.out


# --- the sign-off state of every rule and text (issue 12, part 2, on the sheet) ------------------------------

# The question lungs.tb_history reads (issue 13: where the TB was; tb_history itself only opens it).
TB_WHERE_QUESTION = "Where in the body was the tuberculosis? Choose all that apply."
TB_WHERE_REWORDED = "Where in your body was the TB? Choose all that apply."


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def signed_off(tmp_path_factory) -> Path:
    """A rules copy where Dr A. Smith approved lungs.tb_history, a safety rule, text.about and a rule that was
    renamed since; both reviewers approved safety.blue_lips_yes; then the TB-where question was reworded."""
    from support.signoff import REVIEWERS, sign_off

    rules = rules_copy(tmp_path_factory.mktemp("signed"), {})
    sign_off(rules, ["lungs.tb_history", "safety.chest_pain_yes", "text.about", "lungs.past_pneumonia_or_abscess"],
             reviewers=REVIEWERS[:1])
    sign_off(rules, ["safety.blue_lips_yes"])
    _edit(rules / "questions.yaml", TB_WHERE_QUESTION, TB_WHERE_REWORDED)
    _edit(rules / "rules/lungs.yaml", "id: lungs.past_pneumonia_or_abscess", "id: lungs.old_pneumonia")
    return rules


@pytest.fixture(scope="module")
def signed_sheets(signed_off: Path, tmp_path_factory) -> tuple[Page, str]:
    from triage.cli import main

    folder = tmp_path_factory.mktemp("signed-sheet")
    html_file, markdown_file = folder / "review.html", folder / "review.md"
    assert main(["rules", "review", "--rules", str(signed_off), "-o", str(html_file)]) == 0
    assert main(["rules", "review", "--rules", str(signed_off), "--format", "markdown", "-o",
                 str(markdown_file)]) == 0
    return read_sheet(html_file.read_text(encoding="utf-8")), markdown_file.read_text(encoding="utf-8")


def _state_cell(page: Page, rule: str) -> list[str]:
    return _row(page, rule, cells=5)[4].split("\n")


def test_a_rule_whose_question_was_reworded_after_approval_shows_what_changed(signed_sheets):
    page, markdown = signed_sheets
    state = _state_cell(page, "lungs.tb_history")
    assert state[0] == "changed since review"
    assert state[1].startswith("approved by Dr A. Smith, pulmonologist, ") and state[1].endswith(", version 0.1.0")
    assert state[2] == "what changed: see “Changed since review” below"
    diff = ["-  text: " + TB_WHERE_QUESTION, "+  text: " + TB_WHERE_REWORDED]
    html_text = page.all_text
    assert "lungs.tb_history: what changed since it was reviewed" in html_text
    assert "\n".join(diff) in html_text  # in a <pre>, line by line
    fenced = markdown.split("lungs.tb_history: what changed since it was reviewed\n\n```diff\n", 1)[1]
    block = fenced.split("\n```\n", 1)[0].split("\n")
    assert block[0].startswith("--- reviewed by Dr A. Smith on ") and block[1] == "+++ now"
    assert block[2].startswith("@@ ") and block[3:] == diff


def test_a_safety_rule_with_one_approval_needs_a_second_reviewer_and_with_two_names_both(signed_sheets):
    page, _ = signed_sheets
    one = _state_cell(page, "safety.chest_pain_yes")
    assert one[0] == "needs a second reviewer"
    assert one[1].startswith("approved by Dr A. Smith, pulmonologist, ")
    assert one[2] == "needs an approval by a second reviewer of another name"
    both = _state_cell(page, "safety.blue_lips_yes")
    assert both[0] == "reviewed"
    assert [line.split(",")[0] for line in both[1:]] == ["approved by Dr A. Smith", "approved by Dr B. Jones"]
    assert _state_cell(page, "lungs.blue_lips") == ["never reviewed"]


def test_a_text_no_rule_owns_stands_with_its_state_next_to_the_text(signed_sheets, real_kb):
    page, _ = signed_sheets
    opening = _row(page, "opening screen")
    assert opening[1] == real_kb.about
    assert opening[3].split("\n")[0] == "text.about: reviewed"
    assert opening[3].split("\n")[1].startswith("approved by Dr A. Smith, pulmonologist, ")
    assert _row(page, "emergency notice")[3] == "text.emergency_signs: never reviewed"
    assert _row(page, "page 'what_they_are'")[3] == "reading.what_they_are: never reviewed"
    assert _row(page, "section 'lungs'")[3] == "with the rules that show it"


def test_the_header_counts_rules_and_texts_by_state_and_lists_orphaned_records(signed_sheets, real_kb):
    page, markdown = signed_sheets
    rules = len(real_kb.rules)
    assert _row(page, "rules")[1] == (f"{rules}: 1 reviewed, 1 needs a second reviewer, 1 changed since review, "
                                      f"0 rejected, 0 sign-off revoked, {rules - 3} never reviewed")
    others = other_texts(real_kb)  # the 16 texts no rule owns, and each question no rule reads
    assert _row(page, "texts no rule owns")[1] == (f"{others}: 1 reviewed, 0 needs a second reviewer, 0 changed "
                                                   f"since review, 0 rejected, 0 sign-off revoked, {others - 1} never "
                                                   "reviewed")
    assert _row(page, "orphaned records")[1] == "1, for items renamed or removed since: listed below"
    orphans = page.rows_after("Orphaned sign-off records")
    assert orphans[0] == ["record", "item", "decision"]
    assert orphans[1][:2] == ["review #4", "lungs.past_pneumonia_or_abscess"]
    assert orphans[1][2].startswith("approved by Dr A. Smith, pulmonologist, ")
    assert "| review #4 | lungs.past_pneumonia_or_abscess | approved by Dr A. Smith, pulmonologist, " in markdown
    assert _row(page, "sign-off records")[1] == "Records are unsigned."


def test_the_state_classes_colour_the_rows(signed_off, cli):
    html_text = cli("rules", "review", "--rules", signed_off).out
    for rule, css in (("lungs.tb_history", "status-changed"), ("safety.chest_pain_yes", "safety status-second"),
                      ("safety.blue_lips_yes", "safety status-reviewed"), ("lungs.blue_lips", "status-never")):
        assert f"<tr class='{css}'><td>{rule}</td>" in html_text
    assert "<tr class='status-reviewed'><td>opening screen</td>" in html_text
    assert "<pre class='diff'>--- reviewed by Dr A. Smith on " in html_text


def test_the_markdown_sheet_carries_the_same_sign_off_states_as_the_html(signed_sheets):
    page, markdown = signed_sheets
    flat = markdown.replace("\\|", "|").replace("<br>", "\n")
    for row in page.rows:
        if len(row) == 5 and row[0] != "id" or row and row[0] in ("opening screen", "rules", "texts no rule owns"):
            assert row[-1] in flat, row[0]


def test_a_signed_record_is_counted_in_the_header_but_not_checked_there(cli, tmp_path):
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen (openssh-client) is not installed; .ci/run installs it")
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", str(key)], check=True)
    rules = rules_copy(tmp_path, {})
    for item, signing in (("lungs.tb_history", ("--sign-with", key)), ("text.about", ())):
        assert cli("rules", "approve", item, "--reviewer", "Dr A. Smith", "--role", "pulmonologist",
                   *signing, "--rules", rules).code == 0
    out = tmp_path / "review.html"
    assert cli("rules", "review", "--rules", rules, "-o", out).code == 0
    page = read_sheet(out.read_text(encoding="utf-8"))
    assert _row(page, "sign-off records")[1] == ("1 of 2 records signed; not checked here — run "
                                                 "`triage rules status --verify --allowed-signers FILE`")
    assert _state_cell(page, "lungs.tb_history")[1].endswith(", version 0.1.0, signed")
    markdown = cli("rules", "review", "--rules", rules, "--format", "markdown").out
    assert ("| sign-off records | 1 of 2 records signed; not checked here — run "
            "`triage rules status --verify --allowed-signers FILE` |") in markdown
