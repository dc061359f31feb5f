"""Sources that can be checked (issue 13): every rule says what it rests on — leaflet paragraphs it cites, a
safety reference, or a rationale for the project's own judgement — and, given the leaflet, every paragraph it
cites must exist; the review sheet shows the cited paragraphs and which paragraphs no rule carries."""

from __future__ import annotations

import pytest

from support.html_sheet import read_sheet
from support.kb_copies import rules_copy
from support.paths import LEAFLET
from triage.knowledge.leaflet import parse, read_leaflet
from triage.knowledge.load import load_knowledge
from triage.knowledge.review_items import review_items

TB_RULE = "  source: lungs\n  cites: [lungs.1]\n"


@pytest.fixture(scope="module")
def leaflet():
    return read_leaflet(LEAFLET)


def test_the_leaflet_splits_into_the_sections_and_paragraphs_locators_name(leaflet):
    counts = {section: len(paragraphs) for section, paragraphs in leaflet.sections.items()}
    assert counts == {"intro": 4, "lungs": 3, "kidneys": 2, "liver": 2, "prostate": 2, "other_organs": 3,
                      "diagnosis": 1, "treatment": 6}
    assert leaflet.paragraph("lungs.2").startswith("Symptoms of pulmonary calcification include")
    assert leaflet.paragraph("other_organs.3").startswith("Calcifications in the mammary glands")
    assert leaflet.paragraph("diagnosis.1").startswith("Calcification is detected by x-ray.")
    assert leaflet.paragraph("treatment.6").startswith("If you have any suspicious symptoms")
    assert leaflet.paragraph("lungs.9") is None and leaflet.paragraph("spleen.1") is None
    assert leaflet.paragraph("lungs") is None


def test_a_paragraph_running_over_several_lines_is_one_paragraph():
    text = "Intro line one\ncontinues here.\n\nHeading\n\nFirst of the part.\n\n\nAfter a double blank.\n"
    assert parse(text).sections == {"intro": ("Intro line one continues here.",),
                                     "heading": ("First of the part.",), "diagnosis": ("After a double blank.",)}


def test_the_shipped_rules_pass_the_check_with_every_locator_resolved(cli, real_kb, leaflet):
    result = cli("rules", "check", "--leaflet", LEAFLET)
    assert result.code == 0, result.out
    assert f"leaflet: {LEAFLET} (23 paragraphs in 8 sections)" in result.out
    assert "Errors: none" in result.out
    assert "[text-unsourced]" not in result.out and "[source-unsaid]" not in result.out
    for rule in real_kb.rules:  # the check resolved these; say it once more in plain terms
        kind = real_kb.source[rule.source].kind
        assert {"leaflet": rule.cites, "safety": rule.reference, "judgement": rule.rationale}[kind], rule.id
        assert all(leaflet.paragraph(c) for c in rule.cites), rule.id


def test_referral_urgencies_and_strong_sign_combinations_are_judgement_and_the_calcium_trigger_is_the_leaflets(
        real_kb, leaflet):
    judged = {r.id for r in real_kb.rules if r.source == "judgement"}
    assert {r.id for r in real_kb.rules if r.id.startswith("referral.")} <= judged
    assert {"referral.kidneys_severe", "referral.liver_fluid", "referral.heart_severe"} <= judged
    assert "the leaflet gives no timeframe" in real_kb.rule["referral.kidneys_severe"].rationale
    # Issue 13: the calcium blood test follows the leaflet's own trigger (deposits found in several organs),
    # no longer the project's stand-in of concerns about two organs; so it cites the paragraph that says so.
    calcium = real_kb.rule["workups.calcium_several_organs"]
    assert calcium.id not in judged and real_kb.source[calcium.source].kind == "leaflet"
    assert calcium.cites == ("diagnosis.1",)
    assert "If calcifications are found in several organs" in leaflet.paragraph("diagnosis.1")


def test_a_locator_the_leaflet_does_not_have_fails_naming_file_line_rule_and_field(cli, tmp_path, real_kb):
    copy = rules_copy(tmp_path, {"rules/lungs.yaml": (TB_RULE, TB_RULE.replace("lungs.1", "lungs.9"))})
    line = real_kb.rule["lungs.tb_history"].line
    result = cli("rules", "check", "--rules", copy, "--leaflet", LEAFLET)
    assert result.code == 1
    assert "Errors (1):" in result.out.splitlines()
    assert (f"  error: [locator-unresolved] rule 'lungs.tb_history' ({copy}/rules/lungs.yaml:{line}), field 'cites': "
            f"'lungs.9' is not a paragraph of {LEAFLET}: section 'lungs' has 3 paragraphs") in result.out.splitlines()
    # without the leaflet, only the form is checked: lungs.9 is well formed
    assert cli("rules", "check", "--rules", copy).code == 0


def test_a_rule_without_cites_and_a_judgement_without_rationale_fail_the_check(cli, tmp_path, real_kb):
    judgement = "  source: judgement\n  rationale: swelling the leaflet ties to the kidneys, with a changed breath"
    copy = rules_copy(tmp_path, {"rules/lungs.yaml": (TB_RULE, "  source: lungs\n"),
                                 "rules/referral.yaml": (judgement, "  source: judgement\n  #")})
    result = cli("rules", "check", "--rules", copy)
    assert result.code == 1
    tb, severe = real_kb.rule["lungs.tb_history"], real_kb.rule["referral.kidneys_severe"]
    assert (f"  error: [source-unsaid] rule 'lungs.tb_history' ({copy}/rules/lungs.yaml:{tb.line}), field 'cites': "
            "is missing: a rule with source 'lungs' (leaflet) must give the leaflet paragraph(s) it rests on, "
            "e.g. cites: [lungs.2]") in result.out.splitlines()
    assert (f"  error: [source-unsaid] rule 'referral.kidneys_severe' ({copy}/rules/referral.yaml:{severe.line}), "
            "field 'rationale': is missing: a rule with source 'judgement' (judgement) must give in one line why "
            "the project chose it, e.g. rationale: the leaflet gives no timeframe") in result.out.splitlines()


def test_a_locator_of_the_wrong_form_fails_even_without_the_leaflet(tiny):
    from triage.checks.lint import check

    tiny.replace("rules/x.yaml", "  then: {concern: lungs}\n  cites: [intro.1]",
                 "  then: {concern: lungs}\n  cites: [lungs-2]")
    found = [p.as_finding() for p in check(tiny.load()) if p.code == "bad-locator"]
    assert found == ["error: [bad-locator] rule 'lungs.cough' (kb/rules/x.yaml:19), field 'cites': 'lungs-2' is not "
                     "a leaflet locator; write SECTION.N, e.g. lungs.2"]


def test_a_text_no_rule_owns_without_cites_is_a_warning_that_does_not_fail_the_check(cli, tmp_path):
    copy = rules_copy(tmp_path, {"workups.yaml": ("  cites: [diagnosis.1]\n  name: X-ray", "  name: X-ray")})
    result = cli("rules", "check", "--rules", copy, "--leaflet", LEAFLET)
    assert result.code == 0
    assert (f"  warning: [text-unsourced] workup 'xray' ({copy}/workups.yaml), field 'cites': says nothing of what "
            "it rests on: add cites: [SECTION.N] (the leaflet paragraphs), or rationale: ... for the project's own "
            "choice") in result.out.splitlines()


def test_a_leaflet_that_cannot_be_read_is_named(cli, tmp_path):
    result = cli("rules", "check", "--leaflet", tmp_path / "missing.txt")
    assert result.code == 2
    assert f"{tmp_path}/missing.txt: does not exist (the leaflet given with --leaflet)" in result.err


def test_a_changed_citation_needs_a_new_sign_off(tmp_path, real_kb):
    copy = rules_copy(tmp_path, {"rules/lungs.yaml": (TB_RULE, TB_RULE.replace("lungs.1", "lungs.3"))})
    before, after = review_items(real_kb), review_items(load_knowledge(copy))
    assert "cites: lungs.1" in before["lungs.tb_history"].text.splitlines()
    assert before["lungs.tb_history"].fingerprint != after["lungs.tb_history"].fingerprint


@pytest.fixture(scope="module")
def sheet_with_leaflet(tmp_path_factory):
    from triage.cli import main

    folder = tmp_path_factory.mktemp("leaflet-sheet")
    html, md = folder / "review.html", folder / "review.md"
    assert main(["rules", "review", "--leaflet", str(LEAFLET), "-o", str(html)]) == 0
    assert main(["rules", "review", "--leaflet", str(LEAFLET), "--format", "markdown", "-o", str(md)]) == 0
    return read_sheet(html.read_text(encoding="utf-8")), md.read_text(encoding="utf-8")


def test_the_sheet_shows_the_cited_paragraph_beside_each_rule(sheet_with_leaflet, leaflet):
    page, markdown = sheet_with_leaflet
    row = next(r for r in page.rows if r and r[0] == "lungs.tb_history" and len(r) == 5)
    assert row[2] == ("leaflet: Leaflet: calcifications in the lungs\ncites: lungs.1\n"
                      f"lungs.1: “{leaflet.paragraph('lungs.1')}”")
    assert f"lungs.1: “{leaflet.paragraph('lungs.1')}”" in markdown


def test_the_sheet_lists_per_paragraph_the_rules_and_questions_that_carry_it(sheet_with_leaflet, leaflet, real_kb):
    page, markdown = sheet_with_leaflet
    assert "Leaflet coverage" in page.headings and "## Leaflet coverage" in markdown
    table = page.rows_after("Leaflet coverage")
    assert table[0] == ["paragraph", "leaflet text", "rules citing it", "questions they read", "texts citing it"]
    assert [r[0] for r in table[1:]] == leaflet.locators()
    lungs1 = next(r for r in table if r[0] == "lungs.1")
    assert lungs1[1] == leaflet.paragraph("lungs.1")
    assert lungs1[2].split("\n") == [r.id for r in real_kb.rules if "lungs.1" in r.cites]
    assert "tb_where" in lungs1[3].split(", ") and lungs1[4] == "section 'lungs'"
    intro1 = next(r for r in table if r[0] == "intro.1")
    assert intro1[2:] == ["NO RULE CITES IT", "none", "section 'general'"]
    # intro.3 (earlier illnesses where deposits form) is cited now: past cancer elsewhere, TB elsewhere.
    assert "cited by no rule: intro.1, intro.2, treatment.3" in page.all_text
