"""`triage rules diff OLD NEW` (issue 12, section 3): what a release changes, as a clinical safety officer reads it.

The real rules against edited copies (support.kb_copies.rules_copy), through the command line; small
knowledge bases (TinyKB) where a change must be made to the model itself (a question's type, a new question).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from support.kb_copies import TinyKB, case_count, rules_copy
from triage.answers import check_answers, read_answers_file
from triage.cli import main
from triage.knowledge.load import builtin_rules_dir, load_knowledge
from triage.rete.engine import CompiledRules

# The quoted case of issue 12: `all` flipped to `any` in referral.kidneys_severe (since issue 13: its swelling
# `any` AND its breath-or-skin `any`); and the blue-lips question reworded. Both in one copy, so that the
# answer space (~15 s) is compared once per format.
KIDNEYS_ALL = "  when:\n    all:\n      - any:\n          - {question: swelling_where, includes: face}"
BLUE_LIPS = "Are your lips or your face turning blue or grey right now?"
EDITS = {"rules/referral.yaml": (KIDNEYS_ALL, KIDNEYS_ALL.replace("all:", "any:")),
         "questions.yaml": (BLUE_LIPS, "Have your lips ever been blue?")}


@pytest.fixture(scope="module")
def edited(tmp_path_factory) -> dict[str, str]:
    """The report on the real rules against the edited copy, in both formats (written with -o)."""
    folder = tmp_path_factory.mktemp("diff")
    new = rules_copy(folder, EDITS)
    out = {"new": str(new)}
    for fmt in ("text", "markdown"):
        target = folder / f"report.{fmt}"
        assert main(["rules", "diff", str(builtin_rules_dir()), str(new), "--format", fmt, "-o", str(target)]) == 0
        out[fmt] = target.read_text(encoding="utf-8")
    return out


def test_flipping_all_to_any_shows_the_rule_changed_with_its_if_then_before_and_after(edited):
    lines = edited["text"].splitlines()
    at = lines.index(next(line for line in lines if line.startswith("changed: referral.kidneys_severe")))
    assert re.fullmatch(r"changed: referral\.kidneys_severe \(source: judgement; .*/rules/referral\.yaml:\d+\)",
                        lines[at])
    swollen = ("IF (the answers to “Lately, has your face or have your legs become swollen? Choose all that "
               "apply.” [swelling_where] include 'My face' OR the answer to “How do your swollen legs look and "
               "feel?” [swollen_legs_look] is 'Their usual colour, and not cold to the touch')")
    assert lines[at + 1].startswith(f"  before: {swollen} AND (the answer to “Does your breath smell unusual")
    assert lines[at + 2].startswith(f"  after : {swollen} OR (the answer to “Does your breath smell unusual")
    assert lines[at + 2].endswith("THEN refer to a kidney specialist (nephrologist), urgency urgent (within 24 hours).")
    assert "Rules: 1 changed, 0 added, 0 removed;" in edited["text"]


def test_flipping_all_to_any_lists_the_outcome_classes_whose_urgency_changed_with_an_example(edited, tmp_path):
    text = edited["text"]
    compared = re.search(r"^Compared ([\d,]+) outcome classes: every outcome class of the whole answer space over "
                         r"the questions of both versions .*; ([\d,]+) changed\.$", text, re.M)
    assert compared and int(compared[1].replace(",", "")) > 10_000 and int(compared[2].replace(",", "")) > 0
    group = re.search(r"^urgency soon -> urgent: ([\d,]+) classes; e\.g\. \{(.*)\}$", text, re.M)
    assert group, text
    # The example really gives 'soon' before and 'urgent' after, through the engine (not the independent
    # evaluator the report used) on each folder. It is written as the report shows it, a YAML flow mapping (a
    # list answer such as [face] included), and read back as `triage run` reads an answers file. Not through
    # `triage run --rules COPY` itself: the flip changes golden cases of the copy (swollen legs of their usual
    # colour alone become urgent), so it rightly refuses to start on the copy.
    example = tmp_path / "example.yaml"
    example.write_text("{" + group[2] + "}\n", encoding="utf-8")
    urgency = {}
    for name, folder in (("old", str(builtin_rules_dir())), ("new", edited["new"])):
        kb = load_knowledge(folder)
        answers = check_answers(kb, read_answers_file(str(example))[1], str(example))
        urgency[name] = CompiledRules(kb).evaluate(answers).referral.urgency.id
    assert urgency == {"old": "soon", "new": "urgent"}


def test_a_reworded_question_shows_under_texts_changed_with_a_word_diff(edited):
    assert ("question 'blue_lips', text\n"
            f"  before: {BLUE_LIPS}\n"
            "  after:  Have your lips ever been blue?\n"
            "  change: [-Are-] {+Have+} your lips [-or your face turning blue or grey right now?-] "
            "{+ever been blue?+}\n") in edited["text"]
    assert "texts: 1 changed;" in edited["text"]


def test_the_markdown_report_has_headings_and_well_formed_tables(edited):
    md = edited["markdown"]
    assert md.startswith("# Changes from OLD to NEW\n")
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings == ["## Rules", "## Texts", "## Golden cases", "## Outcomes of the whole answer space"]
    assert ("| change | rule | where | before | after |\n|---|---|---|---|---|\n"
            "| changed | `referral.kidneys_severe` |") in md
    assert ("| question 'blue_lips' | text | " + BLUE_LIPS + " | Have your lips ever been blue? | ~~Are~~ **Have** "
            "your lips") in md
    assert re.search(r"^\| urgency soon -> urgent \| [\d,]+ \| `\{.*swelling_where: \[face\].*\}` \|$", md, re.M)
    # Every table row has as many cells as its header (pipes inside cells are escaped).
    for block in re.findall(r"(?:^\|.*\|\n)+", md, re.M):
        widths = {len(re.split(r"(?<!\\)\|", row)) for row in block.splitlines()}
        assert len(widths) == 1, block


def test_identical_folders_report_no_changes(cli, tmp_path):
    copy = rules_copy(tmp_path, {})
    result = cli("rules", "diff", builtin_rules_dir(), copy)
    assert result.code == 0 and result.err == ""
    assert "\nNo changes: the rules, the texts, the golden cases' results and the outcomes of the answer space are " \
           "the same.\n" in result.out
    assert "Not compared: both versions have the same content hash (questions, rules and their texts), so every " \
           "outcome is the same; 0 outcome classes compared." in result.out
    assert f"golden cases: 0 of {case_count()} with a different result;" in result.out


def test_unreadable_folders_end_with_one_line_per_problem_and_exit_2(cli, tmp_path):
    result = cli("rules", "diff", tmp_path / "nowhere", tmp_path / "elsewhere")
    assert result.code == 2 and result.out == ""
    assert result.err.splitlines() == [
        f"error: {tmp_path / 'nowhere'}: no such folder",
        f"error: {tmp_path / 'elsewhere'}: no such folder"]


# --- small knowledge bases ---------------------------------------------------------------------------------

LUNG_CASE = """
    title: A frequent cough
    story: Someone who coughs often.
    answers: {chest_pain: no, cough: yes}
    expect: {urgency: soon, referral_to: lung_doctor, sections: [lungs], workups: [xray]}
    """


def two_versions(tmp_path: Path) -> tuple[TinyKB, TinyKB]:
    return (TinyKB(tmp_path / "old").write("cases/cough.yaml", LUNG_CASE),
            TinyKB(tmp_path / "new").write("cases/cough.yaml", LUNG_CASE))


def diff(cli, old: TinyKB, new: TinyKB, *more: str):  # type: ignore[no-untyped-def]
    old.save(), new.save()
    return cli("rules", "diff", old.path, new.path, *more)


def test_a_lowered_urgency_is_marked_and_the_golden_case_that_changed_is_listed(cli, tmp_path):
    old, new = two_versions(tmp_path)
    new.replace("rules/x.yaml", "then: {referral: {to: lung_doctor, urgency: soon}}",
                "then: {referral: {to: lung_doctor, urgency: routine}}")
    result = diff(cli, old, new)
    assert result.code == 0
    lines = result.out.splitlines()
    assert "cough (OLD and NEW): A frequent cough" in lines
    assert "  OLD: soon, to lung_doctor; sections: lungs; workups: xray; passes its expectation" in lines
    assert "  NEW: routine, to gp (also lung_doctor); sections: lungs; workups: xray; FAILS its expectation" in lines
    assert "urgency soon -> routine (LOWER): 1 class; e.g. {cough: yes}" in lines
    assert "referral to lung_doctor -> gp: 1 class; e.g. {cough: yes}" in lines
    assert "golden cases: 1 of 1 with a different result;" in result.out
    assert "Rules: 1 changed, 0 added, 0 removed; texts: 0 changed;" in result.out


def test_a_question_only_one_version_has_is_dropped_from_the_answers_of_the_other(cli, tmp_path):
    old, new = two_versions(tmp_path)
    new.append("questions.yaml", """
        - id: kidney_pain
          topic: kidneys
          text: Do you have pain in your side?
          type: yes_no
        """).append("rules/x.yaml", """
        - id: kidneys.pain
          statement: Pain in the side relates to the kidneys section.
          source: leaflet
          when: {question: kidney_pain, is: yes}
          then: {concern: kidneys}
        """)
    result = diff(cli, old, new)
    assert result.code == 0
    assert "Rules: 0 changed, 1 added, 0 removed;" in result.out
    assert "added: kidneys.pain (source: leaflet; " in result.out
    assert ("  after : IF the answer to “Do you have pain in your side?” [kidney_pain] is 'yes' THEN the section "
            "“Deposits in the kidneys” relates to the answers.") in result.out
    assert "question 'kidney_pain', text (added)\n  after:  Do you have pain in your side?\n" in result.out
    assert ("Questions only in OLD: none; only in NEW: kidney_pain. Each answer set was evaluated on each version "
            "with the answers that version does not have dropped.") in result.out
    assert "section added: kidneys: 12 classes; e.g. {kidney_pain: yes}" in result.out
    assert "urgency routine -> soon: 1 class; e.g. {kidney_pain: yes}" in result.out


def test_when_a_question_changes_its_type_a_seeded_sample_is_compared_and_the_report_says_so(cli, tmp_path):
    old, new = two_versions(tmp_path)
    new.replace("questions.yaml", "text: Do you cough often?\n  type: yes_no_unsure",
                "text: Do you cough often?\n  type: yes_no")
    new.replace("questions.yaml", "ask_when: {question: cough, is: [yes, not_sure]}",
                "ask_when: {question: cough, is: yes}")
    result = diff(cli, old, new)
    assert result.code == 0
    assert re.search(r"^NOT exhaustive: the block enumeration cannot be used \(question 'cough' changed its type "
                     r"\(yes_no_unsure -> yes_no\)\), so a seeded sample of generated sessions was compared instead: "
                     r"[\d,]+ distinct answer sets", result.out, re.M)
    assert "question 'cough', type\n  before: yes_no_unsure\n  after:  yes_no\n\n" in result.out
    assert "(sampled)." in result.out
    assert "question 'cough_blood': before when cough is 'yes' or 'not_sure'; after when cough is 'yes'" in result.out
    # 'Not sure' about the cough, then blood: the follow-up is no longer asked.
    assert re.search(r"^urgency urgent -> routine \(LOWER\): [\d,]+ answer sets; e\.g\. \{.*cough: not_sure, "
                     r"cough_blood: yes.*\}$", result.out, re.M)
    assert diff(cli, old, new).out == result.out  # seeded: the same report every time
