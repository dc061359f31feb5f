"""`triage explain` for clinicians (issue 12, part 5): plain words, stage by stage, each rule once, the same
bytes every time, "why not emergency" kept, a warning when red flags were not answered; the developer trace
behind --facts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from support.paths import EXAMPLES, REPO

GOLDEN = REPO / "tests" / "golden" / "explain-past-tb.txt"
STAGES = ["ANSWERS", "CONCERNS: parts of the leaflet that relate to the answers", "FINDINGS",
          "TESTS A DOCTOR MAY CONSIDER", "REFERRAL", "ADVICE", "WHY NOT EMERGENCY"]


def test_explain_of_the_past_tb_example_is_exactly_the_golden_file(cli):
    """To accept a deliberate change:
    triage explain --answers examples/past-tb.yaml > tests/golden/explain-past-tb.txt"""
    result = cli("explain", "--answers", EXAMPLES / "past-tb.yaml")
    assert result.code == 0 and result.err == ""
    assert result.out == GOLDEN.read_text(encoding="utf-8")


def test_explain_speaks_in_question_wording_stage_by_stage_with_each_rule_once(cli, real_kb):
    out = cli("explain", "--answers", EXAMPLES / "past-tb.yaml").out
    lines = out.splitlines()
    assert [line for line in lines if line in STAGES] == STAGES  # every stage, in the order of the chain
    assert "FACTS DECLARED" not in out and "f-1" not in out and "Answer(question=" not in out
    flat = " ".join(line.strip() for line in lines if line.strip())
    assert f"“{real_kb.question['tb_history'].text}” → yes" in flat
    contact = next(o.label for o in real_kb.question["tb_where"].options if o.id == "contact_only")
    assert ("rule lungs.tb_history: Past TB in the lungs relates to the lungs section. So does living close to "
            f"someone with TB, or TB in a place not known. because the answers to "
            f"“{real_kb.question['tb_where'].text}” include '{contact}'") in flat
    fired = [line.split()[1].rstrip(":") for line in lines if line.startswith("    rule ")]
    assert len(fired) == len(set(fired)) == 12  # each rule once
    assert "  - “Calcifications in the lungs”" in lines and lines.count("  - “Calcifications in the lungs”") == 1
    assert "rule referral.lungs (decides the urgency): Answers that relate to the lungs section mean seeing" in flat
    assert "rule referral.baseline: Everyone can talk" in flat  # fired, but a lower urgency: does not decide


def test_explain_names_the_branch_of_an_any_that_held(cli, tmp_path, real_kb):
    case = next(c for c in real_kb.cases if c.id == "kidneys_strong_signs")
    assert case.answers["breath_smell"] == "yes" and case.answers["skin_yellow"] == "not_sure"
    path = tmp_path / "kidneys.json"
    path.write_text(json.dumps(case.answers), encoding="utf-8")
    flat = " ".join(line.strip() for line in cli("explain", "--answers", path).out.splitlines())
    because = flat.split("rule referral.kidneys_severe (decides the urgency):", 1)[1].split(" - ", 1)[0]
    swollen, smell = real_kb.question["swelling_where"].text, real_kb.question["breath_smell"].text
    look = real_kb.question["swollen_legs_look"]
    face = next(o.label for o in real_kb.question["swelling_where"].options if o.id == "face")
    usual = next(o.label for o in look.options if o.id == "usual_colour")
    # Both swelling branches held (face, and legs of their usual colour): both are named.
    assert (f"because (the answers to “{swollen}” include '{face}' AND the answer to “{look.text}” is "
            f"'{usual}') AND the answer to “{smell}” is 'yes'") in because
    assert real_kb.question["skin_yellow"].text not in because  # 'not sure' there: that branch did not hold


def test_a_red_flag_left_out_gives_a_warning_first_and_not_answered_under_why_not(cli, tmp_path, real_kb):
    text = (EXAMPLES / "past-tb.yaml").read_text(encoding="utf-8").replace("blue_lips: no\n", "")
    path = tmp_path / "no-blue-lips.yaml"
    path.write_text(text, encoding="utf-8")
    result = cli("explain", "--answers", path)
    assert result.code == 0
    question = real_kb.question["blue_lips"].text
    flat = " ".join(line.strip() for line in result.out.splitlines() if line.strip())
    assert result.out.startswith("WARNING: 1 emergency question(s) were not answered, so this outcome cannot")
    assert flat.startswith("WARNING: 1 emergency question(s) were not answered, so this outcome cannot rule out "
                           f"an emergency: “{question}” ANSWERS")
    assert f"“{question}” NOT ANSWERED; emergency needs the answer 'yes' (safety.blue_lips_yes)" in flat
    complete = cli("explain", "--answers", EXAMPLES / "past-tb.yaml").out
    assert "WARNING" not in complete and "NOT ANSWERED" not in complete


def test_facts_still_prints_the_developer_trace(cli):
    result = cli("explain", "--answers", EXAMPLES / "past-tb.yaml", "--facts")
    assert result.code == 0
    out = result.out
    assert out.startswith("FACTS DECLARED (in order)\n  f-0 InitialFact()\n")
    assert "  f-1 Answer(question=chest_pain, value=no)" in out
    assert "RULES FIRED (in order)" in out and "matched: f-" in out
    assert "  tb_history: asked, answered 'no'" not in out and "  blue_lips: asked, answered 'no' (safety." in out


def test_help_shows_facts_and_both_examples(cli):
    result = cli("explain", "--help")
    assert "--facts" in result.out
    assert "Example: triage explain --answers examples/past-tb.yaml" in result.out


def test_both_views_are_the_same_bytes_under_different_hash_seeds(tmp_path: Path):
    outputs: dict[tuple[str, ...], set[bytes]] = {(): set(), ("--facts",): set()}
    for seed in ("1", "2"):
        for extra in outputs:
            done = subprocess.run([sys.executable, "-m", "triage", "explain", "--answers",
                                   str(EXAMPLES / "past-tb.yaml"), *extra], capture_output=True, cwd=REPO,
                                  env={**os.environ, "PYTHONHASHSEED": seed}, timeout=120)
            assert done.returncode == 0, done.stderr
            outputs[extra].add(done.stdout)
    assert all(len(found) == 1 for found in outputs.values())
