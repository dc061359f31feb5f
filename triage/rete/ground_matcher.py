"""A matcher for ground rules: rules whose patterns compare fields with fixed values and bind nothing.

Every medical rule of a knowledge base is ground ("chest_pain is yes and the kidney section is raised"):
its patterns hold literal values and predicates, never variables, so matching needs no join tests. A
ground rule is satisfied by one fact per pattern of one of its AND branches, whatever else the facts say.
For those rules this matcher keeps, per branch and per pattern, the facts that match, and makes the
activations of new combinations as facts arrive, with no tokens, no join nodes and no conflict-set nodes.
Rules that bind variables or use NOT, TEST, EXISTS or FORALL go to FastMatcher (matcher.py), experta's own
RETE network; the rules compiled from a knowledge base (engine.py) have none since the organ count became
a plain pattern too.

What it finds is what experta's ReteMatcher finds, activation for activation: the rule's branches come
from experta's own `prepare_rule` (its disjunctive normal form), a fact matches a pattern when experta's
own checks of that pattern pass, each branch reports each combination of facts once (as each conflict-set
node does), and an activation whose fact is retracted is taken back (from the pending list if it was not
yet reported). tests/test_rete_matcher.py runs both on the real and on generated knowledge bases.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations, product
from typing import Any

from experta.abstract import Matcher
from experta.activation import Activation
from experta.conditionalelement import AND, OR
from experta.engine import KnowledgeEngine
from experta.fact import Fact
from experta.fieldconstraint import L, P
from experta.matchers.rete.check import FeatureCheck
from experta.matchers.rete.utils import generate_checks, prepare_rule
from experta.rule import Rule

from triage.rete.matcher import FastMatcher


class _Pattern:
    """One distinct pattern (fact type and experta's own one-fact checks), and the branch places that use it.

    Its literal field tests are answered by the index it is filed under (`GroundMatcher._by_literals`); only
    its other tests (predicates, nested fields) are run on a fact.
    """

    __slots__ = ("fact_type", "literals", "other_checks", "users")

    def __init__(self, fact_type: type, checks: tuple[FeatureCheck, ...]):
        self.fact_type = fact_type
        self.literals = frozenset((check.what, check.how.value) for check in checks if _indexable(check))
        self.other_checks = [check for check in checks if not _indexable(check)]
        self.users: list[tuple[_Branch, int]] = []  # (branch, position of this pattern in it)

    def passes_other_checks(self, fact: Fact) -> bool:
        return all(check(fact) for check in self.other_checks)


class _Branch:
    """One AND branch of one rule: its patterns in order. What it holds lives in the matcher (reset drops it)."""

    __slots__ = ("rule", "size")

    def __init__(self, rule: Rule, size: int):
        self.rule = rule
        self.size = size


def _indexable(check: FeatureCheck) -> bool:
    how = check.how
    if not isinstance(how, L) or not isinstance(check.what, str) or "__" in check.what:
        return False
    try:
        hash(how.value)
    except TypeError:
        return False
    return True


def _ground_pattern(element: Any) -> bool:
    """A plain pattern: a fact whose fields hold literals or predicates, none of them binding a name."""
    if not isinstance(element, Fact) or element.__bind__ is not None:
        return False
    for key, value in element.items():
        if isinstance(key, str) and key.startswith("__") and key.endswith("__"):
            return False
        if isinstance(value, (L, P)):
            if value.__bind__ is not None:
                return False
        elif not isinstance(value, (str, int, float, bool, type(None), tuple, frozenset)):
            return False
    return True


def ground_branches(prepared: Rule) -> list[list[Fact]] | None:
    """The AND branches of a rule prepared by experta's `prepare_rule`, as its RETE network wires them, each a
    list of patterns; None when a branch holds anything but plain patterns (that rule needs the network)."""
    elements = list(prepared)
    one_or = len(elements) == 1 and isinstance(elements[0], OR)
    alternatives = list(elements[0]) if one_or else [AND(*elements)]
    branches: list[list[Fact]] = []
    for alternative in alternatives:
        items = list(alternative) if isinstance(alternative, AND) else [alternative]
        if not items or not all(_ground_pattern(item) for item in items):
            return None
        branches.append(items)
    return branches


class _RulesOnly:
    """What experta's ReteMatcher reads of an engine: its rules (here only those the RETE network must match)."""

    def __init__(self, rules: list[Rule]):
        self._rules = rules

    def get_rules(self) -> list[Rule]:
        return self._rules


class GroundMatcher(Matcher):
    """experta's matcher interface (`changes`, `reset`) for an engine whose rules are mostly ground."""

    def __init__(self, engine: KnowledgeEngine):
        super().__init__(engine)
        self._branches: list[_Branch] = []
        # (fact type, the literal fields a pattern asks for) -> the distinct patterns asking exactly that; a fact
        # finds its patterns by looking up the subsets of its own fields, so it meets no test of other facts.
        self._by_literals: dict[tuple[type, frozenset[tuple[Any, Any]]], list[_Pattern]] = {}
        self._by_type: dict[type, list[_Pattern]] = {}
        distinct: dict[tuple[type, tuple[FeatureCheck, ...]], _Pattern] = {}
        others: list[Rule] = []
        for rule in engine.get_rules():
            # The prepared rule is what experta's conflict-set nodes put in their activations.
            prepared = prepare_rule(rule)
            branches = ground_branches(prepared)
            if branches is None:
                others.append(rule)
                continue
            for patterns in branches:
                branch = _Branch(prepared, len(patterns))
                self._branches.append(branch)
                for position, element in enumerate(patterns):
                    # experta interns its checks, so equal patterns give identical check tuples
                    checks = tuple(c for c in generate_checks(element) if isinstance(c, FeatureCheck))
                    key = (type(element), checks)
                    pattern = distinct.get(key)
                    if pattern is None:
                        pattern = distinct[key] = _Pattern(type(element), checks)
                        self._by_literals.setdefault((pattern.fact_type, pattern.literals), []).append(pattern)
                        self._by_type.setdefault(pattern.fact_type, []).append(pattern)
                    pattern.users.append((branch, position))
        self._network = FastMatcher(_RulesOnly(others)) if others else None  # type: ignore[arg-type]
        self._routes: dict[Any, list[tuple[_Branch, int]]] = {}
        self._added: list[Activation] = []
        self._removed: list[Activation] = []
        # What the branches of several patterns hold, kept here so that reset drops it at once: per branch, the
        # facts matching each pattern, and the combinations reported (one fact number per pattern) -> their
        # activation.
        self._memory: dict[_Branch, list[list[Fact]]] = {}
        self._combinations: dict[_Branch, dict[tuple[int, ...], Activation]] = {}

    def remember(self, facts: Iterable[Fact]) -> None:
        """Work out now which patterns each of these facts' contents matches."""
        facts = list(facts)
        for fact in facts:
            self._route(fact)
        if self._network is not None:
            self._network.remember(facts)

    def rules_matching_alone(self, fact: Fact) -> list[str]:
        """The names of the rules that a fact with this content satisfies on its own (a branch of one pattern)."""
        return [branch.rule.__name__ for branch, _ in self._route(fact) if branch.size == 1]

    def reset(self) -> None:
        self._memory, self._combinations = {}, {}
        self._added, self._removed = [], []
        if self._network is not None:
            self._network.reset()

    def changes(self, adding: Sequence[Fact] | None = None,
                deleting: Sequence[Fact] | None = None) -> tuple[list[Activation], list[Activation]]:
        if deleting:
            for fact in deleting:
                self._retract(fact)
            if adding:  # a fact declared and retracted since the last changes is not declared at all
                gone = {id(fact) for fact in deleting}
                adding = [fact for fact in adding if id(fact) not in gone]
        if adding:
            for fact in adding:
                self._declare(fact)
        added, removed = self._added, self._removed
        self._added, self._removed = [], []
        if self._network is not None:
            more, fewer = self._network.changes(adding, deleting)
            added.extend(more)
            removed.extend(fewer)
        return added, removed

    def _route(self, fact: Fact) -> list[tuple[_Branch, int]]:
        """The patterns (branch, position) this fact's content matches."""
        key = getattr(fact, "content_key", None)  # set by the engine on the facts it makes: content_key(fact)
        if key is None:
            try:
                key = content_key(fact)
            except TypeError:  # an unhashable value: work it out every time
                return [user for pattern in self._patterns_of(fact) for user in pattern.users]
        route = self._routes.get(key)
        if route is None:
            route = [user for pattern in self._patterns_of(fact) for user in pattern.users]
            if len(self._routes) > _MAX_ROUTES:
                self._routes.clear()
            self._routes[key] = route
        return route

    def _patterns_of(self, fact: Fact) -> list[_Pattern]:
        """The distinct patterns `fact` matches."""
        fields = [item for item in fact.items() if _plain_field(item[0])]
        candidates: list[_Pattern] = []
        if len(fields) <= _MOST_FIELDS_LOOKED_UP:
            for size in range(len(fields) + 1):
                for subset in combinations(fields, size):
                    try:
                        candidates.extend(self._by_literals.get((type(fact), frozenset(subset)), ()))
                    except TypeError:  # an unhashable value: no literal pattern can ask for it
                        continue
        else:  # too many subsets: try every pattern of the fact's type
            candidates = [p for p in self._by_type.get(type(fact), ())
                          if all(field in fact and _equal(fact[field], value) for field, value in p.literals)]
        return [pattern for pattern in candidates if pattern.passes_other_checks(fact)]

    def _declare(self, fact: Fact) -> None:
        for branch, position in self._route(fact):
            if branch.size == 1:
                # Most branches: one answer, one concern or one finding. A fact is declared once, so its
                # combination is new, and nothing need be kept: a retraction makes the same activation again.
                self._added.append(_activation(branch.rule, (fact,)))
                continue
            combinations = self._combinations.get(branch)
            if combinations is None:
                combinations = self._combinations[branch] = {}
            memory = self._memory.get(branch)
            if memory is None:
                memory = self._memory[branch] = [[] for _ in range(branch.size)]
            memory[position].append(fact)
            others = [memory[i] if i != position else [fact] for i in range(branch.size)]
            if not all(others):
                continue
            for combination in product(*others):
                numbers = tuple(f["__factid__"] for f in combination)
                if numbers in combinations:  # as a conflict-set node's memory: each combination once
                    continue
                activation = combinations[numbers] = _activation(branch.rule, combination)
                self._added.append(activation)

    def _retract(self, fact: Fact) -> None:
        number = fact["__factid__"]
        for branch, position in self._route(fact):
            if branch.size == 1:  # nothing kept (see _declare): the same activation, made again
                self._take_back(_activation(branch.rule, (fact,)))
                continue
            memory = self._memory.get(branch)
            if memory is not None:
                held = memory[position]
                for index, other in enumerate(held):
                    if other["__factid__"] == number:
                        del held[index]
                        break
            combinations = self._combinations.get(branch, {})
            for numbers in [numbers for numbers in combinations if numbers[position] == number]:
                self._take_back(combinations.pop(numbers))

    def _take_back(self, activation: Activation) -> None:
        """An activation whose fact went: dropped if not yet reported, else reported as removed (the strategy
        takes an equal activation off the agenda, if it has not fired yet)."""
        for index, pending in enumerate(self._added):
            if pending.rule is activation.rule and pending.facts == activation.facts:
                del self._added[index]
                return
        self._removed.append(activation)


def _activation(rule: Rule, facts: tuple[Fact, ...]) -> Activation:
    """experta's Activation(rule, facts) with its facts kept as a tuple. experta makes a set of them, which
    hashes each fact (a frozenset of all its fields, number included); everything reading an activation only
    iterates its facts, so the tuple needs only the same facts once each (one fact can match two patterns)."""
    if len(facts) > 1:
        facts = tuple({id(fact): fact for fact in facts}.values())
    activation = Activation.__new__(Activation)
    activation.rule, activation.facts, activation.key, activation.context = rule, facts, None, {}
    return activation


def content_key(fact: Fact) -> frozenset[Any]:
    """What identifies a fact's content: its type and its fields but the fact number (experta's fact identity)."""
    return frozenset([type(fact), *(item for item in fact.items() if item[0] != "__factid__")])


def _plain_field(field: Any) -> bool:
    return isinstance(field, str) and "__" not in field


def _equal(actual: Any, expected: Any) -> bool:
    return bool(expected == actual)  # the comparison of experta's literal check


_MOST_FIELDS_LOOKED_UP = 6  # 64 lookups; our facts have at most three fields
_MAX_ROUTES = 100_000  # distinct fact contents remembered; a knowledge base allows a few hundred
