"""A drawing of the rule network (answers -> concerns and findings -> tests, referrals, advice) as
inline SVG, made here so the review sheet needs no network and no graph program."""

from __future__ import annotations

from html import escape
from typing import NamedTuple

from triage.logic import walk
from triage.model import (
    AnswerIncludes,
    AnswerIs,
    ConcernRaised,
    FindingReached,
    KnowledgeBase,
    OrganConcernsAtLeast,
    Rule,
)
from triage.outcome import concluded_by

_COLUMN_X = (10, 330, 650)
_NODE_W, _NODE_H, _GAP = 290, 22, 30


class Node(NamedTuple):
    """One box of the drawing: what kind of thing it is and its name; labelled 'kind:name'."""

    kind: str  # answer, concern, finding, organ_concerns, or a kind of conclusion
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


def _layer(node: Node) -> int:
    return 0 if node.kind == "answer" else 1 if node.kind in ("concern", "finding", "organ_concerns") else 2


def edges(kb: KnowledgeBase, rules: list[Rule]) -> list[tuple[Node, Node, str]]:
    """(from, to, rule id) for every input a rule reads and the conclusion it draws."""
    out = []
    for rule in rules:
        concluded = concluded_by(rule)
        target = Node(concluded.kind.value, ":".join(p for p in (concluded.name, concluded.detail) if p))
        for part in walk(rule.when):
            if isinstance(part, AnswerIs | AnswerIncludes):
                source = Node("answer", part.question)
            elif isinstance(part, ConcernRaised):
                source = Node("concern", part.section)
            elif isinstance(part, FindingReached):
                source = Node("finding", part.finding)
            elif isinstance(part, OrganConcernsAtLeast):
                source = Node("organ_concerns", f"{part.count}+")
            else:
                continue  # all/any are walked into; always reads nothing
            out.append((source, target, rule.id))
    return list(dict.fromkeys(out))


def svg(kb: KnowledgeBase, rules: list[Rule], title: str) -> str:
    links = edges(kb, rules)
    nodes: list[list[Node]] = [[], [], []]
    for source, target, _ in links:
        for node in (source, target):
            if node not in nodes[_layer(node)]:
                nodes[_layer(node)].append(node)
    for column in nodes:
        column.sort(key=str)
    place = {node: (_COLUMN_X[c], 30 + i * _GAP) for c, column in enumerate(nodes) for i, node in enumerate(column)}
    height = 40 + max((len(c) for c in nodes), default=1) * _GAP
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="960" height="{height}" role="img" '
             f'aria-label="{escape(title)}" viewBox="0 0 960 {height}">',
             f"<title>{escape(title)}</title>",
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
             'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
             '<text x="10" y="16" class="col">answers</text><text x="330" y="16" class="col">concerns and '
             'findings</text><text x="650" y="16" class="col">tests, referral, advice</text>']
    for source, target, rule_id in links:
        (x1, y1), (x2, y2) = place[source], place[target]
        if x1 == x2:  # a conclusion built on one in the same column: bend the line out to the right
            d = f"M{x1 + _NODE_W},{y1 + 11} C{x1 + _NODE_W + 30},{y1 + 11} {x2 + _NODE_W + 30},{y2 + 11} " \
                f"{x2 + _NODE_W},{y2 + 11}"
        else:
            d = f"M{x1 + _NODE_W},{y1 + 11} L{x2},{y2 + 11}"
        parts.append(f'<path d="{d}" class="edge" marker-end="url(#arrow)"><title>{escape(rule_id)}</title></path>')
    for node, (x, y) in place.items():
        label = str(node) if len(str(node)) <= 44 else str(node)[:43] + "…"
        parts.append(f'<g class="node {node.kind}"><rect x="{x}" y="{y}" width="{_NODE_W}" height="{_NODE_H}" rx="4"/>'
                     f'<text x="{x + 6}" y="{y + 15}">{escape(label)}</text></g>')
    parts.append("</svg>")
    return "\n".join(parts)
