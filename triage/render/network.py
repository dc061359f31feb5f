"""A drawing of the rule network as inline SVG, made here so the review sheet needs no network and no graph
program. Answers (with the values a rule needs), 'always', small AND / OR junctions, then what the rules
conclude, left to right; a legend; and a text alternative (`lines`) that says the same in words."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import assert_never

from triage.model import (
    AllOf,
    Always,
    AnswerIncludes,
    AnswerIs,
    AnyOf,
    ConcernRaised,
    Condition,
    FindingReached,
    OrganConcernsAtLeast,
    Rule,
)
from triage.outcome import ConclusionKind, concluded_by

_CHAR_W, _NODE_H, _ROW, _GAP, _JUNCTION = 7.3, 22, 30, 56, 30
_MAX_LABEL = 60
_TOP = 10

_CONCLUSION_WORDS = {ConclusionKind.CONCERN: "concern", ConclusionKind.FINDING: "finding",
                     ConclusionKind.ORGAN_CONCERNS: "concerns in organs", ConclusionKind.WORKUP: "test",
                     ConclusionKind.REFERRAL: "referral", ConclusionKind.ADVICE: "advice"}
LEGEND = (("answer", "answer = the values a rule needs"), ("always", "holds whatever the answers"),
          ("and", "AND: all inputs must hold"), ("or", "OR: one input is enough"),
          ("concern", "concern (leaflet section) or finding"), ("workup", "test a doctor may consider"),
          ("referral", "referral and urgency"), ("advice", "advice shown"))


@dataclass(frozen=True)
class Node:
    """One box (or junction) of the drawing; `key` is unique within a drawing."""

    key: str
    kind: str  # answer, always, and, or, concern, finding, organ_concerns, workup, referral, advice
    label: str


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[tuple[str, str, str], ...]  # (from key, to key, rule id)


def atom_label(condition: Condition) -> str:
    """'blue_lips = yes|not_sure', 'past_illnesses includes tb', 'concern: lungs', 'always'."""
    match condition:
        case AnswerIs(question, values):
            return f"{question} = {'|'.join(values)}"
        case AnswerIncludes(question, options):
            return f"{question} includes {'|'.join(options)}"
        case ConcernRaised(section):
            return f"concern: {section}"
        case FindingReached(finding):
            return f"finding: {finding}"
        case OrganConcernsAtLeast(count):
            return f"concerns in organs: {count} or more"
        case Always():
            return "always"
        case AllOf() | AnyOf():
            raise ValueError("a combination has no label of its own")
        case unknown:
            assert_never(unknown)


def _atom_node(condition: Condition) -> Node:
    match condition:
        case AnswerIs() | AnswerIncludes():
            return Node("answer:" + atom_label(condition), "answer", atom_label(condition))
        case ConcernRaised(section):
            return Node(f"concern:{section}", "concern", atom_label(condition))
        case FindingReached(finding):
            return Node(f"finding:{finding}", "finding", atom_label(condition))
        case OrganConcernsAtLeast(count):
            return Node(f"organ_concerns:{count}", "organ_concerns", atom_label(condition))
        case Always():
            return Node("always", "always", "always")
        case AllOf() | AnyOf():
            raise ValueError("a combination is drawn as a junction")
        case unknown:
            assert_never(unknown)


def conclusion_label(rule: Rule) -> str:
    """'referral: nephrologist, urgent', 'test: ultrasound', 'concern: lungs'."""
    concluded = concluded_by(rule)
    words = _CONCLUSION_WORDS[concluded.kind]
    return f"{words}: {concluded.name}" + (f", {concluded.detail}" if concluded.detail else "")


def graph(rules: list[Rule]) -> Graph:
    """Every rule's inputs, its AND / OR junctions (one per combination of two or more) and its conclusion."""
    nodes: dict[str, Node] = {}
    edges: list[tuple[str, str, str]] = []

    def attach(condition: Condition, target: str, rule_id: str, path: str) -> None:
        if isinstance(condition, AllOf | AnyOf):
            if len(condition.items) == 1:
                attach(condition.items[0], target, rule_id, path)
                return
            kind = "and" if isinstance(condition, AllOf) else "or"
            node = Node(f"{rule_id}#{path}", kind, kind.upper())
            nodes.setdefault(node.key, node)
            for index, item in enumerate(condition.items):
                attach(item, node.key, rule_id, f"{path}.{index}")
        else:
            node = _atom_node(condition)
            nodes.setdefault(node.key, node)
        edges.append((node.key, target, rule_id))

    for rule in rules:
        concluded = concluded_by(rule)
        target = Node(str(concluded), concluded.kind.value, conclusion_label(rule))
        nodes.setdefault(target.key, target)
        attach(rule.when, target.key, rule.id, "0")
    return Graph(tuple(nodes.values()), tuple(dict.fromkeys(edges)))


def _compact(condition: Condition) -> str:
    if isinstance(condition, AllOf | AnyOf):
        joined = (" AND " if isinstance(condition, AllOf) else " OR ").join(
            _compact(c) if not isinstance(c, AllOf | AnyOf) or len(c.items) < 2 else f"({_compact(c)})"
            for c in condition.items)
        return joined
    return atom_label(condition)


def lines(rules: list[Rule]) -> list[str]:
    """The picture in words, one line per rule: 'referral.x: a = yes AND (b = yes OR c = yes) -> referral: ...'."""
    return [f"{rule.id}: {_compact(rule.when)} → {conclusion_label(rule)}" for rule in rules]


def _layers(g: Graph) -> list[list[Node]]:
    """Columns by longest path from the inputs; within a column, ordered by where their inputs are."""
    incoming: dict[str, list[str]] = {n.key: [] for n in g.nodes}
    for source, target, _ in g.edges:
        incoming[target].append(source)
    layer = dict.fromkeys(incoming, 0)
    for _ in range(len(g.nodes)):  # relax; a knowledge base's chains are acyclic, so this settles
        changed = False
        for key, sources in incoming.items():
            want = max((layer[s] + 1 for s in sources), default=0)
            if want > layer[key] and want < len(g.nodes):
                layer[key], changed = want, True
        if not changed:
            break
    columns: list[list[Node]] = [[] for _ in range(max(layer.values(), default=0) + 1)]
    for node in g.nodes:
        columns[layer[node.key]].append(node)
    row: dict[str, int] = {n.key: i for i, n in enumerate(columns[0])}
    for column in columns[1:]:
        def weight(node: Node) -> float:
            placed = [row[s] for s in incoming[node.key] if s in row]
            return sum(placed) / len(placed) if placed else 0.0
        column.sort(key=weight)  # stable: ties keep the order of the rules
        row.update({n.key: i for i, n in enumerate(column)})
    return columns


def _width(node: Node) -> float:
    if node.kind in ("and", "or"):
        return _JUNCTION
    return 12 + _CHAR_W * len(_short(node.label))


def _short(label: str) -> str:
    return label if len(label) <= _MAX_LABEL else label[:_MAX_LABEL - 1] + "…"


def _legend(top: float) -> tuple[list[str], float, float]:
    parts, per_row, item_w = [], 3, 300
    for index, (kind, words) in enumerate(LEGEND):
        x, y = 10 + (index % per_row) * item_w, top + (index // per_row) * 24
        if kind in ("and", "or"):
            parts.append(f'<g class="node {kind}"><circle cx="{x + 11}" cy="{y + 9}" r="11"/>'
                         f'<text x="{x + 11}" y="{y + 12}" text-anchor="middle" class="j">{kind.upper()}</text></g>')
        else:
            parts.append(f'<g class="node {kind}"><rect x="{x}" y="{y}" width="22" height="16" rx="3"/></g>')
        parts.append(f'<text x="{x + 28}" y="{y + 13}" class="legend">{escape(words)}</text>')
    rows = -(-len(LEGEND) // per_row)
    return parts, 10 + per_row * item_w, top + rows * 24


def svg(rules: list[Rule], title: str) -> str:
    """The picture: scales to any width (a viewBox, width 100%), with a title, a description and a legend."""
    g = graph(rules)
    columns = _layers(g)
    place: dict[str, tuple[float, float, float]] = {}  # key -> x, y, width
    x = 10.0
    for column in columns:
        widest = max((_width(n) for n in column), default=0.0)
        for index, node in enumerate(column):
            place[node.key] = (x, _TOP + index * _ROW, _width(node))
        x += widest + _GAP
    content_h = _TOP + max((len(c) for c in columns), default=1) * _ROW
    legend, legend_w, bottom = _legend(content_h + 16)
    width, height = max(x - _GAP + 10, legend_w), bottom + 8
    text_alternative = "\n".join(lines(rules))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="network" width="100%" role="img" '
             f'viewBox="0 0 {width:.0f} {height:.0f}" preserveAspectRatio="xMinYMin meet" '
             f'aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>", f"<desc>{escape(text_alternative)}</desc>",
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
             'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>']
    for source, target, rule_id in g.edges:
        x1, y1, w1 = place[source]
        x2, y2, _ = place[target]
        ax, ay, bx, by = x1 + w1, y1 + _NODE_H / 2, x2, y2 + _NODE_H / 2
        if bx <= ax:  # drawn back into the same column: bend out to the right
            d = f"M{ax:.0f},{ay:.0f} C{ax + 40:.0f},{ay:.0f} {bx + w1 + 40:.0f},{by:.0f} {bx + w1:.0f},{by:.0f}"
        else:
            mid = (ax + bx) / 2
            d = f"M{ax:.0f},{ay:.0f} C{mid:.0f},{ay:.0f} {mid:.0f},{by:.0f} {bx:.0f},{by:.0f}"
        parts.append(f'<path d="{d}" class="edge" marker-end="url(#arrow)"><title>{escape(rule_id)}</title></path>')
    for node in g.nodes:
        nx, ny, nw = place[node.key]
        if node.kind in ("and", "or"):
            parts.append(f'<g class="node {node.kind}"><circle cx="{nx + nw / 2:.0f}" cy="{ny + _NODE_H / 2:.0f}" '
                         f'r="{nw / 2 - 1:.0f}"/><text x="{nx + nw / 2:.0f}" y="{ny + 15:.0f}" text-anchor="middle" '
                         f'class="j">{node.label}</text></g>')
        else:
            parts.append(f'<g class="node {node.kind}"><rect x="{nx:.0f}" y="{ny:.0f}" width="{nw:.0f}" '
                         f'height="{_NODE_H}" rx="4"/><text x="{nx + 6:.0f}" y="{ny + 15:.0f}">'
                         f"{escape(_short(node.label))}</text></g>")
    parts += legend
    parts.append("</svg>")
    return "\n".join(parts)
