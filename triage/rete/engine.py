"""Compile the rules of a knowledge base into an experta engine and run it over a set of answers.

Every medical rule comes from the data; the only rule written here is the bookkeeping one that counts
organ concerns, so that data can say "concerns in two or more organs".
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from triage.errors import EngineError, Place, Problem
from triage.rete.compat import (
    AND,
    AS,
    MATCH,
    NOT,
    OR,
    Fact,
    FullRangeDepthStrategy,
    InitialFact,
    KnowledgeEngine,
    P,
)
from triage.rete.compat import Rule as ExpertaRule
# After experta_compat, which makes experta importable: the matcher internals that _FastMatcher builds on.
from experta.matchers import ReteMatcher
from experta.matchers.rete.mixins import NoMemory
from experta.matchers.rete.nodes import FeatureTesterNode
from experta.matchers.rete.token import Token
from triage.model import (
    AllOf,
    Always,
    AnswerIncludes,
    AnswerIs,
    AnyOf,
    Condition,
    ConcernRaised,
    ConsiderWorkup,
    FindingReached,
    GiveAdvice,
    KnowledgeBase,
    OrganConcernsAtLeast,
    RaiseConcern,
    ReachFinding,
    Refer,
    Rule,
)
from triage.outcome import AnswerValue, Firing, Outcome, build_outcome

# Each rule can fire once per combination of facts; with our rule counts this is far above any real run.
FIRING_LIMIT_PER_RULE = 20


class Answer(Fact):
    """question, value: one answer (one fact per chosen option of a multiple-choice question)."""


class Concern(Fact):
    """section, organ: the answers relate to this leaflet section."""


class Reached(Fact):
    """finding: an intermediate conclusion."""


class Consider(Fact):
    """workup: a test a doctor may consider."""


class Referred(Fact):
    """to, urgency: a referral some rule reached."""


class Advised(Fact):
    """advice: a piece of advice to show."""


class OrganConcernCount(Fact):
    """n: how many organ sections have a concern."""


class Counted(Fact):
    """section: this organ concern is already in OrganConcernCount."""


def compile_condition(condition: Condition) -> Any:
    """An experta conditional element equivalent to `condition`."""
    match condition:
        case AnswerIs(question, values) | AnswerIncludes(question, values):
            patterns = [Answer(question=question, value=v) for v in values]
            return patterns[0] if len(patterns) == 1 else OR(*patterns)
        case ConcernRaised(section):
            return Concern(section=section)
        case FindingReached(finding):
            return Reached(finding=finding)
        case OrganConcernsAtLeast(count):
            return OrganConcernCount(n=P(lambda n, k=count: n >= k))
        case AllOf(items):
            # AND(*items), never `a & b`: experta's `&` on two ANDs raises NameError (missing import).
            return AND(*(compile_condition(c) for c in items))
        case AnyOf(items):
            return OR(*(compile_condition(c) for c in items))
        case Always():
            return InitialFact()
    raise TypeError(f"cannot compile condition {condition!r}")


def _conclusion_fact(kb: KnowledgeBase, conclusion: Any) -> Fact:
    match conclusion:
        case RaiseConcern(section):
            return Concern(section=section, organ=kb.section[section].organ)
        case ReachFinding(finding):
            return Reached(finding=finding)
        case ConsiderWorkup(workup, _):
            return Consider(workup=workup)
        case Refer(to, urgency):
            return Referred(to=to, urgency=urgency)
        case GiveAdvice(advice):
            return Advised(advice=advice)
    raise TypeError(f"unknown conclusion {conclusion!r}")


def _conclude_shape(engine: TriageEngine, **_context: Any) -> None:
    """The signature shared by every rule's right-hand side (see _compile_rule)."""


_CONCLUDE_SIGNATURE = inspect.signature(_conclude_shape)


def _compile_rule(kb: KnowledgeBase, rule: Rule) -> ExpertaRule:
    fact = _conclusion_fact(kb, rule.then)

    # A new fact each time, made from the fields directly: what fact.copy() gives, at a third of its cost.
    kind, fields = type(fact), dict(fact)

    # One function object per rule: experta keeps rules in a set hashed on (conditions, function,
    # salience), so two rules sharing both would silently collapse into one.
    def conclude(engine: TriageEngine, **_context: Any) -> None:
        engine.declare(kind(**fields))

    conclude.__name__ = rule.id
    # experta reads the function's signature each time it copies the rule while building the network
    # (about ten times a rule); every `conclude` has the same one, so it is worked out once.
    conclude.__signature__ = _CONCLUDE_SIGNATURE  # type: ignore[attr-defined]
    return ExpertaRule(compile_condition(rule.when))(conclude)


class _FastMatcher(ReteMatcher):
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
            _alpha_walk(self.root_node, fact, {}, route)
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
                route: list[tuple[Any, dict[Any, Any], tuple[Any, ...]]]) -> None:
    """FeatureTesterNode._activate for every alpha child of `node`, recording the first non-alpha nodes.

    Each entry: the node's activate method, the bindings the token carries there (a binding of the whole
    fact is recorded by name and filled in with each new fact), in the order experta would reach them.
    """
    for child in node.children:
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
        _alpha_walk(tester, fact, reached, route)


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


def _possible_facts(kb: KnowledgeBase) -> list[Fact]:
    """Every fact an evaluation of `kb` can declare: each answer value, each conclusion, the counters."""
    organs = [section.id for section in kb.sections if section.organ]
    return [
        InitialFact(),
        *(Answer(question=q.id, value=value) for q in kb.questions for value in q.values),
        *(_conclusion_fact(kb, rule.then) for rule in kb.rules),
        *(OrganConcernCount(n=n) for n in range(len(organs) + 1)),
        *(Counted(section=section) for section in organs),
    ]


class TriageEngine(KnowledgeEngine):
    """A forward-chaining engine built once from a knowledge base, then reset for every evaluation."""

    __strategy__ = FullRangeDepthStrategy
    __matcher__ = _FastMatcher

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self._rules = [_compile_rule(kb, rule) for rule in kb.rules]
        self._rules.append(self._count_organ_concern())
        self.firing_limit = FIRING_LIMIT_PER_RULE * len(self._rules) + 100
        self.firings: list[tuple[str, tuple[Fact, ...]]] = []
        super().__init__()
        # Worked out now for every fact the knowledge base allows, so that what the matcher remembers
        # says nothing about anybody's answers (and the first sessions are as fast as the others).
        self.matcher.remember(_possible_facts(kb))

    def get_rules(self) -> list[ExpertaRule]:
        # experta finds rules by inspecting class attributes; ours are built from data instead.
        return self._rules

    def get_deffacts(self) -> list[Any]:
        # experta looks for these with inspect.getmembers() on every reset (about a third of a reset's
        # cost); they are fixed for the class (only InitialFact), so they are looked up once.
        try:
            return self._deffacts
        except AttributeError:
            self._deffacts: list[Any] = super().get_deffacts()
            return self._deffacts

    @staticmethod
    def _count_organ_concern() -> ExpertaRule:
        def count_organ_concern(engine: TriageEngine, section: str, counter: Fact, n: int) -> None:
            engine.declare(Counted(section=section))
            engine.modify(counter, n=n + 1)

        return ExpertaRule(
            Concern(section=MATCH.section, organ=True),
            NOT(Counted(section=MATCH.section)),
            AS.counter << OrganConcernCount(n=MATCH.n),
        )(count_organ_concern)

    def start(self, answers: Mapping[str, AnswerValue]) -> None:
        """Forget everything and take a new set of answers (without running the rules yet)."""
        self.reset()
        # experta caches agenda keys in a process-wide lru_cache that holds activations, and with them the
        # previous person's facts; a kiosk must keep nothing of one person for the next.
        FullRangeDepthStrategy.get_key.cache_clear()
        self.firings = []
        # One declare for all the facts: the same facts with the same ids as one declare each, and the
        # same agenda (activations are ordered by salience and fact ids, and those with equal keys appear
        # together in either case), but the matcher is asked for new activations once instead of per fact.
        self.declare(OrganConcernCount(n=0), *(Answer(question=question, value=single)
                                               for question, value in answers.items()
                                               for single in _values(value)))

    def add_answer(self, question: str, value: AnswerValue) -> None:
        facts = [Answer(question=question, value=single) for single in _values(value)]
        if facts:  # nothing ticked: no fact, as before
            self.declare(*facts)

    def run(self, steps: float = float("inf")) -> None:
        """Fire activations until none is left, recording each; stop with an error past the limit."""
        limit = min(steps, self.firing_limit)
        fired = 0
        self.running = True
        while self.running:
            added, removed = self.get_activations()
            self.strategy.update_agenda(self.agenda, added, removed)
            activation = self.agenda.get_next()
            if activation is None:
                break
            if fired >= limit:
                self.running = False
                raise EngineError([Problem("did-not-settle", Place("engine"), f"the rules did not settle after {fired} "
                                           "firings; check the knowledge base for rules that feed each other")])
            fired += 1
            name = activation.rule.__name__
            if name != "count_organ_concern":
                self.firings.append((name, tuple(activation.facts)))
            activation.rule(self, **{k: v for k, v in activation.context.items() if not k.startswith("__")})
        self.running = False

    def outcome(self, answers: Mapping[str, AnswerValue]) -> Outcome:
        firings = [Firing(rule_id, _answers_in(facts), _conclusions_in(facts)) for rule_id, facts in self.firings]
        return build_outcome(self.kb, answers, firings)

    def evaluate(self, answers: Mapping[str, AnswerValue]) -> Outcome:
        self.start(answers)
        self.run()
        return self.outcome(answers)


def _values(value: AnswerValue) -> tuple[str, ...]:
    """One fact per chosen option of a multiple-choice answer; one for any other answer."""
    return value if isinstance(value, tuple) else (value,)


def _answers_in(facts: tuple[Fact, ...]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((f["question"], f["value"]) for f in facts if isinstance(f, Answer)))


def _conclusions_in(facts: tuple[Fact, ...]) -> tuple[str, ...]:
    used = []
    for f in facts:
        if isinstance(f, Concern):
            used.append(f"concern:{f['section']}")
        elif isinstance(f, Reached):
            used.append(f"finding:{f['finding']}")
        elif isinstance(f, OrganConcernCount):
            used.append(f"organ_concerns:{f['n']}")
    return tuple(sorted(used))


def evaluate(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> Outcome:
    """Evaluate one set of (already checked) answers; builds an engine, so reuse TriageEngine for many."""
    return TriageEngine(kb).evaluate(answers)
