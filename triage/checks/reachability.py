"""Can a rule ever fire? Expands a condition into the answer combinations that satisfy it and searches
the interview flow for a way to give those answers (some questions exclude each other: prostate
questions are only asked after `sex: male`, breast history only otherwise).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations
from typing import Any, assert_never

from triage.flow import is_asked, offered_values
from triage.logic import walk
from triage.model import (
    AllOf,
    Always,
    AnswerIncludes,
    AnswerIs,
    AnyOf,
    ConcernRaised,
    Condition,
    FindingReached,
    KnowledgeBase,
    OrganConcernsAtLeast,
    RaiseConcern,
    ReachFinding,
)

Atom = AnswerIs | AnswerIncludes
Conjunct = tuple[Atom, ...]


class Reachability:
    """Answers 'can this condition hold in some session the flow can produce?' for one knowledge base."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self._memo: dict[Any, list[Conjunct]] = {}

    def conjuncts(self, condition: Condition) -> Iterator[Conjunct]:
        """The answer combinations (each a conjunction of answer tests) that make `condition` hold."""
        match condition:
            case AnswerIs() | AnswerIncludes():
                yield (condition,)
            case Always():
                yield ()
            case ConcernRaised(section):
                yield from self._concluded(("concern", section))
            case FindingReached(finding):
                yield from self._concluded(("finding", finding))
            case OrganConcernsAtLeast(count):
                organs = [s.id for s in self.kb.sections if s.organ]
                for group in combinations(organs, count):
                    yield from self.conjuncts(AllOf(tuple(ConcernRaised(s) for s in group)))
            case AnyOf(items):
                for item in items:
                    yield from self.conjuncts(item)
            case AllOf(items):
                yield from self._product(list(items))
            case unknown:
                assert_never(unknown)

    def _product(self, items: list[Condition]) -> Iterator[Conjunct]:
        if not items:
            yield ()
            return
        for head in self.conjuncts(items[0]):
            for tail in self._product(items[1:]):
                yield head + tail

    def _concluded(self, key: tuple[str, str]) -> list[Conjunct]:
        if key not in self._memo:
            kind, ident = key
            rules = [r for r in self.kb.rules
                     if (kind == "concern" and isinstance(r.then, RaiseConcern) and r.then.section == ident)
                     or (kind == "finding" and isinstance(r.then, ReachFinding) and r.then.finding == ident)]
            self._memo[key] = []  # validation forbids cycles; this guards against looping anyway
            self._memo[key] = [c for r in rules for c in self.conjuncts(r.when)]
        return self._memo[key]

    def can_hold(self, condition: Condition, limit: int = 20000) -> bool:
        """True if some session can satisfy `condition` (gives up, answering True, after `limit` tries)."""
        for tried, conjunct in enumerate(self.conjuncts(condition)):
            if tried >= limit or self.satisfiable(conjunct):
                return True
        return False

    def satisfiable(self, conjunct: Conjunct) -> bool:
        required: dict[str, set[str]] = {}
        includes: dict[str, list[set[str]]] = {}
        for atom in conjunct:
            if isinstance(atom, AnswerIs):
                allowed = required.setdefault(atom.question, set(atom.values))
                allowed &= set(atom.values)
            else:
                includes.setdefault(atom.question, []).append(set(atom.options))
        if any(not allowed for allowed in required.values()):
            return False
        needed = self._flow_dependencies(set(required) | set(includes))
        return self._search(0, {}, required, includes, needed)

    def _flow_dependencies(self, questions: set[str]) -> set[str]:
        """Questions whose answers decide whether these questions (and their options) are asked."""
        found: set[str] = set()
        todo = list(questions)
        while todo:
            q = self.kb.question[todo.pop()]
            conditions: list[Condition | None] = [q.ask_when, *(o.ask_when for o in q.options)]
            for condition in (c for c in conditions if c is not None):
                for part in walk(condition):
                    if isinstance(part, AnswerIs | AnswerIncludes) and part.question not in found:
                        found.add(part.question)
                        todo.append(part.question)
        return found

    def _search(self, index: int, answers: dict[str, Any], required: dict[str, set[str]],
                includes: dict[str, list[set[str]]], needed: set[str]) -> bool:
        questions = self.kb.questions
        while index < len(questions):
            q = questions[index]
            index += 1
            wanted = q.id in required or q.id in includes
            if not wanted and q.id not in needed:
                continue
            if not is_asked(q, answers):
                if wanted:
                    return False
                continue
            offered = offered_values(q, answers)
            if q.kind.is_list:
                # Ticking more never stops an 'includes' test from holding, so tick all that are offered.
                choice = tuple(offered)
                if any(not (group & set(choice)) for group in includes.get(q.id, [])):
                    return False
                answers = {**answers, q.id: choice}
                continue
            values = [v for v in offered if v in required[q.id]] if q.id in required else list(offered)
            return any(self._search(index, {**answers, q.id: v}, required, includes, needed) for v in values)
        return True
