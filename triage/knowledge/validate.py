"""Cross-checks over a whole knowledge base: every id a rule or question names must exist, and so on.

Returns every problem at once; load.py raises them together.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from triage.errors import Place, Problem
from triage.logic import walk
from triage.model import (
    AllOf,
    Always,
    AnswerIncludes,
    AnswerIs,
    AnyOf,
    ConcernRaised,
    Condition,
    ConsiderWorkup,
    FindingReached,
    GiveAdvice,
    KnowledgeBase,
    OrganConcernsAtLeast,
    Question,
    RaiseConcern,
    ReachFinding,
    Refer,
    Rule,
)


def knowledge_base(kb: KnowledgeBase) -> list[Problem]:
    problems: list[Problem] = []
    problems += _duplicates(kb)
    problems += _questions(kb)
    problems += _sections(kb)
    for rule in kb.rules:
        problems += _rule(kb, rule)
    problems += _cycles(kb)
    problems += _cases(kb)
    problems += _baseline(kb)
    if kb.several_doctors and kb.several_doctors not in kb.doctor:
        problems.append(Problem("unknown-id", Place(_file(kb, "knowledge.yaml"), None, "referral", "several_doctors"),
                                f"unknown doctor '{kb.several_doctors}'"))
    return problems


def _file(kb: KnowledgeBase, name: str) -> str:
    return f"{kb.label}/{name}"


def _duplicates(kb: KnowledgeBase) -> Iterable[Problem]:
    groups: list[tuple[str, str, Iterable[str]]] = [
        ("knowledge.yaml", "urgency level", (u.id for u in kb.urgency_levels)),
        ("knowledge.yaml", "doctor", (d.id for d in kb.doctors)),
        ("knowledge.yaml", "source", (s.id for s in kb.sources)),
        ("questions.yaml", "question", (q.id for q in kb.questions)),
        ("sections.yaml", "section", (s.id for s in kb.sections)),
        ("workups.yaml", "workup", (w.id for w in kb.workups)),
        ("findings.yaml", "finding", (f.id for f in kb.findings)),
        ("advice.yaml", "advice item", (a.id for a in kb.advice)),
    ]
    for file, kind, ids in groups:
        for ident, count in Counter(ids).items():
            if count > 1:
                yield Problem("duplicate-id", Place(_file(kb, file), None, f"{kind} '{ident}'", "id"),
                              f"the id is used {count} times; ids must be unique")
    seen: dict[str, Rule] = {}
    for rule in kb.rules:
        if rule.id in seen:
            yield Problem("duplicate-id", Place(rule.file, rule.line, f"rule '{rule.id}'", "id"),
                          f"the id is also used in {seen[rule.id].file}; rule ids must be unique")
        seen.setdefault(rule.id, rule)
    for q in kb.questions:
        for ident, count in Counter(o.id for o in q.options).items():
            if count > 1:
                yield Problem("duplicate-id", Place(_file(kb, "questions.yaml"), None, f"question '{q.id}'", "options"),
                              f"option '{ident}' is listed {count} times")


def _questions(kb: KnowledgeBase) -> Iterable[Problem]:
    file = _file(kb, "questions.yaml")
    earlier: dict[str, Question] = {}
    for q in kb.questions:
        item = f"question '{q.id}'"
        if q.choose_at_least_one and q.options and all(o.ask_when is not None for o in q.options):
            yield Problem("nothing-offered", Place(file, None, item, "choose_at_least_one"),
                          "every option is offered only on a condition, so a person could be shown none and could "
                          "not go on; offer one option always, such as one for 'I am not sure'")
        conditions = [("ask_when", q.ask_when)] + [(f"options.{o.id}.ask_when", o.ask_when) for o in q.options]
        for field, condition in conditions:
            if condition is None:
                continue
            for part in walk(condition):
                if not isinstance(part, AnswerIs | AnswerIncludes | AllOf | AnyOf):
                    yield Problem("ask-when-order", Place(file, None, item, field),
                                  "may only use question, all and any")
                elif isinstance(part, AnswerIs | AnswerIncludes) and part.question not in earlier:
                    where = "a later question" if part.question in kb.question else "an unknown question"
                    yield Problem("ask-when-order", Place(file, None, item, field),
                                  f"refers to {where} '{part.question}'; it may only use questions asked "
                                  "before this one")
                elif isinstance(part, AnswerIs | AnswerIncludes):
                    yield from _values(earlier[part.question], part, file, item, field)
        earlier[q.id] = q


def _values(q: Question, part: AnswerIs | AnswerIncludes, file: str, item: str, field: str,
            line: int | None = None) -> Iterable[Problem]:
    multiple = q.kind.is_list
    if isinstance(part, AnswerIncludes) and not multiple:
        yield Problem("wrong-test", Place(file, line, item, field),
                      f"'includes' is for multiple-choice questions; use 'is' for '{q.id}'")
    if isinstance(part, AnswerIs) and multiple:
        yield Problem("wrong-test", Place(file, line, item, field), f"'{q.id}' is multiple choice; use 'includes'")
    wanted = part.values if isinstance(part, AnswerIs) else part.options
    for value in wanted:
        if value not in q.values:
            yield Problem("not-an-answer", Place(file, line, item, field),
                          f"'{value}' is not an answer to '{q.id}'; it takes {', '.join(q.values)}")


def _sections(kb: KnowledgeBase) -> Iterable[Problem]:
    for s in kb.sections:
        if s.doctor and s.doctor not in kb.doctor:
            yield Problem("unknown-id", Place(_file(kb, "sections.yaml"), None, f"section '{s.id}'", "doctor"),
                          f"unknown doctor '{s.doctor}'; doctors are listed in knowledge.yaml")


def _rule(kb: KnowledgeBase, rule: Rule) -> Iterable[Problem]:
    item = f"rule '{rule.id}'"

    def problem(field: str, message: str) -> Problem:
        return Problem("unknown-id", Place(rule.file, rule.line, item, field), message)

    if rule.source not in kb.source:
        yield problem("source", f"unknown source '{rule.source}'; use one of {', '.join(kb.source)}")
    for part in walk(rule.when):
        yield from _condition_refs(kb, part, problem)
        if isinstance(part, AnswerIs | AnswerIncludes) and part.question in kb.question:
            yield from _values(kb.question[part.question], part, rule.file, item, "when", rule.line)
    yield from _conclusion_refs(kb, rule, problem)


def _condition_refs(kb: KnowledgeBase, part: Condition, problem) -> Iterable[Problem]:  # type: ignore[no-untyped-def]
    if isinstance(part, AnswerIs | AnswerIncludes) and part.question not in kb.question:
        yield problem("when", f"unknown question '{part.question}'")
    elif isinstance(part, ConcernRaised) and part.section not in kb.section:
        yield problem("when", f"unknown section '{part.section}'")
    elif isinstance(part, FindingReached) and part.finding not in {f.id for f in kb.findings}:
        yield problem("when", f"unknown finding '{part.finding}'; findings are listed in findings.yaml")


def _conclusion_refs(kb: KnowledgeBase, rule: Rule, problem) -> Iterable[Problem]:  # type: ignore[no-untyped-def]
    then = rule.then
    if isinstance(then, RaiseConcern) and then.section not in kb.section:
        yield problem("then.concern", f"unknown section '{then.section}'")
    elif isinstance(then, ReachFinding) and then.finding not in {f.id for f in kb.findings}:
        yield problem("then.finding", f"unknown finding '{then.finding}'; findings are listed in findings.yaml")
    elif isinstance(then, ConsiderWorkup) and then.workup not in kb.workup:
        yield problem("then.workup", f"unknown workup '{then.workup}'; use one of {', '.join(kb.workup)}")
    elif isinstance(then, GiveAdvice) and then.advice not in kb.advice_by_id:
        yield problem("then.advice", f"unknown advice '{then.advice}'; advice is listed in advice.yaml")
    elif isinstance(then, Refer):
        if then.to not in kb.doctor:
            yield problem("then.referral.to", f"unknown doctor '{then.to}'; use one of {', '.join(kb.doctor)}")
        if then.urgency not in kb.urgency:
            yield problem("then.referral.urgency",
                          f"unknown urgency '{then.urgency}'; use one of {', '.join(kb.urgency)}")


def _node(conclusion: object) -> str | None:
    if isinstance(conclusion, RaiseConcern):
        return f"concern '{conclusion.section}'"
    if isinstance(conclusion, ReachFinding):
        return f"finding '{conclusion.finding}'"
    return None


def _reads(kb: KnowledgeBase, condition: Condition) -> set[str]:
    nodes: set[str] = set()
    for part in walk(condition):
        if isinstance(part, ConcernRaised):
            nodes.add(f"concern '{part.section}'")
        elif isinstance(part, FindingReached):
            nodes.add(f"finding '{part.finding}'")
        elif isinstance(part, OrganConcernsAtLeast):
            nodes |= {f"concern '{s.id}'" for s in kb.sections if s.organ}
    return nodes


def _cycles(kb: KnowledgeBase) -> Iterable[Problem]:
    """Conclusions that (through other rules) depend on themselves: the chain would never be well-founded."""
    edges: dict[str, list[tuple[str, Rule]]] = {}
    for rule in kb.rules:
        target = _node(rule.then)
        if target is not None:
            for source in _reads(kb, rule.when):
                edges.setdefault(source, []).append((target, rule))
    reported: set[frozenset[str]] = set()
    for start in sorted(edges):
        stack: list[tuple[str, list[Rule]]] = [(start, [])]
        visited: set[str] = set()
        while stack:
            node, path = stack.pop()
            for target, rule in edges.get(node, []):
                if target == start:
                    cycle = path + [rule]
                    key = frozenset(r.id for r in cycle)
                    if key not in reported:
                        reported.add(key)
                        first = cycle[0]
                        yield Problem("cycle", Place(first.file, first.line, f"rule '{first.id}'", "when"),
                                      f"{start} depends on itself through the rules "
                                      f"{' -> '.join(r.id for r in cycle)}; break the cycle")
                elif target not in visited:
                    visited.add(target)
                    stack.append((target, path + [rule]))


def _cases(kb: KnowledgeBase) -> Iterable[Problem]:
    for case in kb.cases:
        item, expect = f"case '{case.id}'", case.expect
        if expect.urgency not in kb.urgency:
            yield Problem("unknown-id", Place(case.file, None, item, "expect.urgency"),
                          f"unknown urgency '{expect.urgency}'")
        for ident in sorted(expect.sections - set(kb.section)):
            yield Problem("unknown-id", Place(case.file, None, item, "expect.sections"), f"unknown section '{ident}'")
        for ident in sorted(expect.workups - set(kb.workup)):
            yield Problem("unknown-id", Place(case.file, None, item, "expect.workups"), f"unknown workup '{ident}'")
        for ident in sorted(expect.not_sections - set(kb.section)):
            yield Problem("unknown-id", Place(case.file, None, item, "expect.not_sections"),
                          f"unknown section '{ident}'")
        for ident in sorted(expect.not_workups - set(kb.workup)):
            yield Problem("unknown-id", Place(case.file, None, item, "expect.not_workups"), f"unknown workup '{ident}'")
        if expect.referral_to is not None and expect.referral_to not in kb.doctor:
            yield Problem("unknown-id", Place(case.file, None, item, "expect.referral_to"),
                          f"unknown doctor '{expect.referral_to}'")


def _baseline(kb: KnowledgeBase) -> Iterable[Problem]:
    """Every outcome must carry a referral, so one referral rule must hold whatever the answers."""
    if not any(isinstance(r.when, Always) and isinstance(r.then, Refer) for r in kb.rules):
        yield Problem("no-baseline-referral", Place(f"{kb.label}/rules", field="when"),
                      "no rule gives a referral for every outcome; add one with "
                      "when: {always: true} and then: {referral: {to: gp, urgency: routine}}")
