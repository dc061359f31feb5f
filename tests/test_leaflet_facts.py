"""rules/leaflet-facts.md, the fact-by-fact list of where the leaflet lives in the knowledge base (issue 13),
stays true: every question, option and rule it names exists, every locator is a leaflet paragraph, and every
paragraph of the leaflet carries at least one fact."""

from __future__ import annotations

import re

import pytest

from support.paths import LEAFLET
from triage.knowledge.leaflet import read_leaflet
from triage.knowledge.load import builtin_rules_dir

FACTS = builtin_rules_dir() / "leaflet-facts.md"


def _rows() -> list[dict[str, str]]:
    rows = []
    for line in FACTS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].isdigit():
            rows.append(dict(zip(("number", "leaflet", "fact", "questions", "rules", "how"), cells, strict=True)))
    return rows


ROWS = _rows()


def _ids(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def test_the_list_has_every_fact_numbered_in_order_with_a_place_or_a_reason():
    assert len(ROWS) >= 74
    assert [int(r["number"]) for r in ROWS] == list(range(1, len(ROWS) + 1))
    for row in ROWS:
        assert row["fact"] and row["how"], row["number"]
        assert row["questions"] or row["rules"] or row["how"].startswith(("text", "not asked")), row["number"]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"fact-{r['number']}")
def test_each_fact_names_questions_options_and_rules_that_exist(row, real_kb):
    for named in _ids(row["questions"]):
        question, _, option = named.partition(":")
        assert question in real_kb.question, f"fact {row['number']}: no question '{question}'"
        if option:
            offered = {o.id for o in real_kb.question[question].options}
            assert option in offered, f"fact {row['number']}: question '{question}' has no option '{option}'"
    for rule in _ids(row["rules"]):
        assert rule in real_kb.rule, f"fact {row['number']}: no rule '{rule}'"


def test_each_locator_is_a_leaflet_paragraph_and_each_paragraph_carries_a_fact():
    leaflet = read_leaflet(LEAFLET)
    cited = {c.strip() for row in ROWS for c in row["leaflet"].split(",")}
    assert {c for c in cited if leaflet.paragraph(c) is None} == set()
    assert set(leaflet.locators()) - cited == set()


def test_the_rules_a_fact_names_cite_its_paragraph_or_rest_on_judgement_or_safety(real_kb):
    """A row and the rule it names agree on the paragraph, so the list cannot drift from the cites."""
    drifted = []
    for row in ROWS:
        paragraphs = {c.strip() for c in row["leaflet"].split(",")}
        for rule_id in _ids(row["rules"]):
            rule = real_kb.rule[rule_id]
            if not paragraphs & set(rule.cites) and rule.source not in ("judgement", "safety"):
                drifted.append(f"fact {row['number']}: rule '{rule_id}' cites {list(rule.cites)}, "
                               f"not {sorted(paragraphs)}")
    assert drifted == []
