"""The matcher of our networks: experta's RETE matcher, made faster without changing what it finds.

tests/test_rete_matcher.py checks it against experta's own matcher on the real knowledge base and on
generated ones: the same rules fire on the same facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from experta.engine import KnowledgeEngine
from experta.fact import Fact
from experta.fieldconstraint import L
from experta.matchers import ReteMatcher
from experta.matchers.rete.check import FeatureCheck, TypeCheck
from experta.matchers.rete.mixins import NoMemory
from experta.matchers.rete.nodes import FeatureTesterNode
from experta.matchers.rete.token import Token


class FastMatcher(ReteMatcher):
    """experta's RETE matcher with two shortcuts that leave its results and their order unchanged.

    1. New activations are collected only from conflict-set nodes that were activated since they were
       last asked, in the network's order. experta asks all of them (about 130 here) after every declare
       and every firing, allocating two sets per node each time; a node that was not activated has
       nothing new and adds nothing to the lists, so the lists come out the same.
    2. The path of a fact through the alpha network (the one-fact tests at the top of the network) is
       worked out once per fact content and remembered. Those tests read only the fact's own fields, so
       a fact with the same content takes the same path to the same join and rule nodes, with the same
       bindings; experta walks it again for every fact, copying the token at every test node (most of a
       declare's cost). The remembered nodes are activated in the order the walk reaches them.
    Both rely on the network not changing after it is built, which experta never does.
    """

    def __init__(self, engine: KnowledgeEngine):
        super().__init__(engine)
        self._csns = self._get_conflict_set_nodes()
        self._touched: set[int] = set()  # positions in _csns of the nodes activated since last asked
        for position, csn in enumerate(self._csns):
            csn._activate = _noting(csn._activate, self._touched, position)
        self._memory_nodes = _nodes_with_memory(self.root_node)
        self._routes: dict[Any, list[tuple[Any, dict[Any, Any], tuple[Any, ...]]]] = {}
        self._indexes: dict[int, _ChildIndex] = {}  # per alpha node (by id; the network never changes)

    def changes(self, adding=None, deleting=None):  # type: ignore[no-untyped-def]
        if deleting:
            for fact in deleting:
                self._send(fact, Token.TagType.INVALID)
        if adding:
            for fact in adding:
                self._send(fact, Token.TagType.VALID)
        added: list[Any] = []
        removed: list[Any] = []
        if self._touched:
            touched = sorted(self._touched)
            self._touched.clear()
            for position in touched:
                new, gone = self._csns[position].get_activations()
                added.extend(new)
                removed.extend(gone)
        return added, removed

    def remember(self, facts: list[Fact]) -> None:
        """Work out the alpha paths of these facts' contents now."""
        for fact in facts:
            self._route(fact)

    def _route(self, fact: Fact) -> list[tuple[Any, dict[Any, Any], tuple[Any, ...]]] | None:
        """The remembered alpha path of this fact's content (worked out if new); None if it cannot be."""
        try:
            key = (type(fact), frozenset(item for item in fact.items() if item[0] != "__factid__"))
            route = self._routes.get(key)
        except TypeError:  # an unhashable value
            return None
        if route is None:
            route = []
            _alpha_walk(self.root_node, fact, {}, route, self._indexes)
            if len(self._routes) > _MAX_ROUTES:
                self._routes.clear()
            self._routes[key] = route
        return route

    def _send(self, fact: Fact, tag: Any) -> None:
        """What BusNode.add/remove do, along the remembered alpha path of this fact's content."""
        route = self._route(fact)
        if route is None:  # walk the network as experta does
            (self.root_node.add if tag is Token.TagType.VALID else self.root_node.remove)(fact)
            return
        for activate, context, captures in route:
            if captures:
                context = dict(context)
                for name in captures:
                    context[name] = fact
            # The node's own activate copies the token it gets; this one is new and used once.
            activate(Token(tag, fact, context))

    def reset(self) -> None:
        # The same as resetting from the root down (which visits shared nodes once per parent): every node's
        # own memory is wiped; nodes without memory have nothing to wipe.
        for node in self._memory_nodes:
            node._reset()


def _noting(activate: Any, touched: set[int], position: int) -> Any:
    """A conflict-set node's own _activate, which also notes that the node has something to report."""

    def noted(token: Any) -> None:
        activate(token)
        touched.add(position)

    return noted


_MAX_ROUTES = 100_000  # distinct fact contents remembered; a knowledge base allows a few hundred


def _alpha_walk(node: Any, fact: Fact, context: dict[Any, Any],
                route: list[tuple[Any, dict[Any, Any], tuple[Any, ...]]],
                indexes: dict[int, _ChildIndex] | None = None) -> None:
    """FeatureTesterNode._activate for every alpha child of `node`, recording the first non-alpha nodes.

    Each entry: the node's activate method, the bindings the token carries there (a binding of the whole
    fact is recorded by name and filled in with each new fact), in the order experta would reach them.
    Children are found through an index of their tests (`_ChildIndex`), so a fact costs the tests on its
    own path, not one test for every question and section the knowledge base has: that keeps building
    the network linear in the number of rules.
    """
    if indexes is None:
        indexes = {}
    index = indexes.get(id(node))
    if index is None:
        index = indexes[id(node)] = _ChildIndex(node)
    for child in index.candidates(fact):
        tester = child.node
        if type(tester) is not FeatureTesterNode or child.callback != tester.activate:
            captures = tuple(name for name, value in context.items() if value is fact)
            route.append((child.callback, {k: v for k, v in context.items() if k not in captures}, captures))
            continue
        match = tester.matcher(fact)
        if not match:
            continue
        reached = dict(context)
        if isinstance(match, Mapping):
            if not _compatible(match, reached):
                continue
            reached.update(match)
        _alpha_walk(tester, fact, reached, route, indexes)


class _ChildIndex:
    """A node's children, looked up by what their one-fact test asks for.

    experta's alpha tests are mostly "the fact is of type T" and "field f equals the literal v". Those are
    indexed (type -> children, f -> v -> children); every other child (predicates, bindings, the join and
    rule nodes below) is a candidate for every fact. `candidates` gives the children whose test can pass,
    in the children's own order, so the walk reaches them in the order experta would: a candidate is still
    tested with its own test, the index only skips tests that must fail.
    """

    def __init__(self, node: Any):
        self.children = list(node.children)
        self.by_type: dict[type, list[int]] = {}
        self.by_field: dict[str, dict[Any, list[int]]] = {}
        self.always: list[int] = []
        for position, child in enumerate(self.children):
            # Only a one-fact test reached through its own activate is skipped when it cannot pass; anything
            # else below the node (a join, a rule) is on every fact's path.
            alpha = type(child.node) is FeatureTesterNode and child.callback == child.node.activate
            test: Any = child.node.matcher if alpha else None
            if isinstance(test, TypeCheck):
                self.by_type.setdefault(test.fact_type, []).append(position)
            elif _plain_literal(test):
                self.by_field.setdefault(test.what, {}).setdefault(test.how.value, []).append(position)
            else:
                self.always.append(position)

    def candidates(self, fact: Fact) -> list[Any]:
        positions = list(self.always)
        positions.extend(self.by_type.get(type(fact), ()))
        for field, by_value in self.by_field.items():
            if field not in fact:
                continue
            try:
                positions.extend(by_value.get(fact[field], ()))
            except TypeError:  # an unhashable value: test every child of this field, as experta would
                positions.extend(p for found in by_value.values() for p in found)
        positions.sort()
        return [self.children[p] for p in positions]


def _plain_literal(test: Any) -> bool:
    """A test of one top-level field against a literal, binding nothing: answered by a dictionary lookup."""
    if not isinstance(test, FeatureCheck) or not isinstance(test.how, L) or test.how.__bind__ is not None:
        return False
    what = test.what
    # experta reads a "a__b" field as a path into nested values, and "__x__" fields specially.
    if not isinstance(what, str) or "__" in what:
        return False
    try:
        hash(test.how.value)
    except TypeError:
        return False
    return True


def _compatible(match: Mapping[Any, Any], context: Mapping[Any, Any]) -> bool:
    """The binding test of FeatureTesterNode._activate (experta 1.9.4), unchanged."""
    for key, value in match.items():
        if isinstance(key, tuple):  # negated condition
            if key[1] in context and context[key[1]] == value:
                return False
        else:
            if context.get(key, value) != value:
                return False
            if (False, key) in context and context[(False, key)] == value:
                return False
    return True


def _nodes_with_memory(root: Any) -> list[Any]:
    """Every node below `root` whose `_reset` does something, each once, in a fixed order."""
    seen: set[int] = set()
    found: list[Any] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if not isinstance(node, NoMemory):
            found.append(node)
        stack.extend(child.node for child in node.children)
    return found
