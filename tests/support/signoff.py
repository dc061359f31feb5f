"""Sign-offs for a test: approve items of a rules folder as real reviewers would, through the library."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from triage.checks.lint import check
from triage.knowledge.load import load_knowledge
from triage.knowledge.review_items import review_items
from triage.knowledge.reviews import approve
from triage.rete.engine import compile_rules

# Two reviewers of different names: safety items need both.
REVIEWERS = (("Dr A. Smith", "pulmonologist"), ("Dr B. Jones", "emergency physician"))


def sign_off(rules: Path, item_ids: Sequence[str] | None = None,
             reviewers: Sequence[tuple[str, str]] = REVIEWERS) -> list[str]:
    """Approve these items (default: every rule and text) in `rules` by each of `reviewers`; the ids."""
    kb = load_knowledge(rules)
    ids = list(review_items(kb)) if item_ids is None else list(item_ids)
    findings = check(kb, compile_rules(kb))
    for reviewer, role in reviewers:
        approve(kb, ids, reviewer, role, findings=findings)
    return ids
