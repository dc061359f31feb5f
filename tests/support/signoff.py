"""Sign-offs for a test: approve items of a rules folder as real reviewers would, through the library."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from triage.checks.lint import check
from triage.knowledge.load import load_knowledge
from triage.knowledge.review_items import review_items
from triage.knowledge.reviews import approve
from triage.logic import questions_read
from triage.model import KnowledgeBase
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


# The texts no rule owns, each an item of its own: the opening, the disclaimer, the emergency signs, the
# several-doctors line, the closing of the reading pages and the 11 reading pages.
FIXED_TEXTS = 16


def questions_no_rule_reads(kb: KnowledgeBase) -> list[str]:
    """Questions that only decide what else is asked (e.g. a screening question whose follow-ups the rules
    read); each is an item of its own, `question.<id>`, since no rule's item shows its text."""
    read = set().union(*(questions_read(rule.when) for rule in kb.rules))
    return [q.id for q in kb.questions if q.id not in read]


def other_texts(kb: KnowledgeBase) -> int:
    """How many items are not rules: the fixed texts and the questions no rule reads."""
    return FIXED_TEXTS + len(questions_no_rule_reads(kb))
