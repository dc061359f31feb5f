"""The review sheet a clinician signs off on paper: the result of `rules check`, every text a patient reads next
to the rules that show it, an urgency decision table, every question and rule per part of the leaflet (with
the golden cases and `any` branches that exercise it, and a picture of the network), a coverage matrix of
rules by cases, and a sign-off form. One self-contained HTML file (works offline, prints on A4 with a
running footer), or Markdown with the same content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

from triage.checks.cases import CaseResult
from triage.errors import Problem, Severity
from triage.knowledge.leaflet import Leaflet
from triage.knowledge.reading import Reading
from triage.knowledge.review_items import RULE
from triage.knowledge.reviews import (
    CHANGED,
    REJECTED_STATE,
    REVIEWED,
    REVOKED,
    REVOKED_STATE,
    SECOND,
    STATES,
    ItemStatus,
    Review,
    ReviewStatus,
)
from triage.knowledge.signatures import BAD, GOOD, UNSIGNED
from triage.logic import holds, questions_read, walk
from triage.model import (
    JUDGEMENT,
    AnyOf,
    ConcernRaised,
    ConsiderWorkup,
    FindingReached,
    GiveAdvice,
    KnowledgeBase,
    Question,
    RaiseConcern,
    ReachFinding,
    Refer,
    Rule,
)
from triage.render.describe import condition_sentence, describe, rule_sentence
from triage.render.network import lines, svg
from triage.render.sheet_format import (
    Block,
    Heading,
    Para,
    Picture,
    Pre,
    Section,
    Table,
    html_blocks,
    markdown_blocks,
)
from triage.texts import emergency_notice, ui

SAFETY = "safety"


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...]
    cases: tuple[CaseResult, ...]


@dataclass(frozen=True)
class Sheet:
    kb: KnowledgeBase
    groups: tuple[Group, ...]
    review: ReviewStatus  # every item's sign-off state (`triage rules status`)
    results: tuple[CaseResult, ...]
    fired: dict[str, tuple[str, ...]]  # rule id -> the golden cases in which it fired
    notes: tuple[Problem, ...]  # the result of `rules check`
    reading: Reading | None
    reading_problems: tuple[str, ...]
    day: str
    leaflet: Leaflet | None = None  # given with --leaflet: cited paragraphs are shown, and the leaflet's coverage


def build(kb: KnowledgeBase, review: ReviewStatus, results: list[CaseResult],
          notes: list[Problem] | None = None, reading: Reading | None = None,
          reading_problems: tuple[str, ...] = (), day: date | None = None, leaflet: Leaflet | None = None) -> Sheet:
    fired = {r.id: tuple(res.case.id for res in results if res.outcome
                         and any(s.rule.id == r.id for s in res.outcome.explanation)) for r in kb.rules}
    source_ids = {s.id for s in kb.sources}
    groups = []
    unplaced = tuple(q for q in kb.questions if q.topic not in source_ids)
    if unplaced:
        groups.append(Group("other", "Questions about the person", unplaced, (), ()))
    for source in kb.sources:
        rules = tuple(r for r in kb.rules if r.source == source.id)
        questions = tuple(q for q in kb.questions if q.topic == source.id)
        touched = {case for r in rules for case in fired[r.id]}
        cases = tuple(r for r in results if source.id in r.case.expect.sections or r.case.id in touched)
        if rules or questions:
            groups.append(Group(source.id, source.title, questions, rules, cases))
    return Sheet(kb, tuple(groups), review, tuple(results), fired, tuple(notes or ()), reading,
                 reading_problems, (day or date.today()).isoformat(), leaflet)


# --- the header and the check ------------------------------------------------------------------------------


# A CSS class per state (rows of the rule and text tables).
STATE_CSS = {REVIEWED: "status-reviewed", SECOND: "status-second", CHANGED: "status-changed",
             REJECTED_STATE: "status-rejected", REVOKED_STATE: "status-revoked"}


def _counts(statuses: list[ItemStatus]) -> str:
    return f"{len(statuses)}: " + ", ".join(
        f"{sum(s.state == state for s in statuses)} {state}" for state in STATES)


def _signatures(sheet: Sheet) -> str:
    marks = list(sheet.review.signatures.values())
    signed = len(marks) - marks.count(UNSIGNED)
    if not signed:
        return "Records are unsigned."
    if GOOD in marks or BAD in marks:
        return f"{signed} of {len(marks)} records signed: {marks.count(GOOD)} good, {marks.count(BAD)} bad."
    return (f"{signed} of {len(marks)} records signed; not checked here — run "
            "`triage rules status --verify --allowed-signers FILE`")


def _header(sheet: Sheet) -> list[Block]:
    kb, items = sheet.kb, sheet.review.items
    total = len(kb.rules)
    orphans = len(sheet.review.orphans)
    unexercised = [r.id for r in kb.rules if not sheet.fired[r.id]]
    errors = sum(n.severity is Severity.ERROR for n in sheet.notes)
    rows = (("version", kb.version), ("content hash", kb.hash), ("made on", sheet.day),
            ("check (triage rules check)", f"{errors} errors, {len(sheet.notes) - errors} warnings"),
            ("golden cases", f"{sum(r.passed for r in sheet.results)} of {len(sheet.results)} pass"),
            ("rules", _counts([s for s in items if s.item.kind == RULE])),
            ("texts no rule owns", _counts([s for s in items if s.item.kind != RULE])),
            ("sign-off records", _signatures(sheet)),
            ("orphaned records", f"{orphans}, for items renamed or removed since: listed below" if orphans
             else "none"),
            ("coverage", f"{total - len(unexercised)} of {total} rules are exercised by a golden case"
             + (f"; not exercised: {', '.join(unexercised)}" if unexercised else "")))
    return [Heading(1, f"Review sheet: {kb.name}"), Table(("", ""), rows, "facts"),
            Para("Rules marked SAFETY rest on widely accepted emergency practice, not on the leaflet, and give a "
                 "reference. Rules of clinical judgement (which doctor, how soon, combinations that raise urgency) "
                 "give a one-line rationale. Every other rule cites the leaflet paragraphs it rests on "
                 "(SECTION.N: section and paragraph number)"
                 + (f", shown beside it from {sheet.leaflet.name}. " if sheet.leaflet else
                    "; build the sheet with --leaflet FILE to see the paragraphs beside the rules. ")
                 + "Safety rules and the emergency signs count as reviewed only once two reviewers of different "
                 "names approved them.")]


def _check(sheet: Sheet) -> list[Block]:
    failing = [r for r in sheet.results if not r.passed]
    blocks: list[Block] = [Heading(2, "Check result (triage rules check)", "check")]
    if failing:
        blocks.append(Table(("failing golden case", "what differs"),
                            tuple((f"{r.case.id}: {r.case.title}", "\n".join(r.differences)) for r in failing),
                            row_css=("fail",) * len(failing)))
    else:
        blocks.append(Para(f"All {len(sheet.results)} golden cases pass."))
    # Failing cases first, then the other errors, then warnings.
    notes = sorted(sheet.notes, key=lambda n: (n.severity is not Severity.ERROR, n.code != "case-fails"))
    errors = [n for n in notes if n.severity is Severity.ERROR]
    warnings = [n for n in notes if n.severity is not Severity.ERROR]
    for title, found, css in (("Errors", errors, "fail"), ("Warnings", warnings, "")):
        if found:
            blocks.append(Table((f"{title} ({len(found)})",), tuple((n.as_finding(),) for n in found),
                                row_css=(css,) * len(found)))
        else:
            blocks.append(Para(f"{title}: none."))
    return blocks


def _orphans(sheet: Sheet) -> list[Block]:
    orphans = sheet.review.orphans
    if not orphans:
        return []
    return [Heading(2, "Orphaned sign-off records", "orphans"),
            Para("Records of items that no longer exist (renamed or removed since): they count for nothing. "
                 "Sign off the items as they are now."),
            Table(("record", "item", "decision"), tuple(
                (f"review #{r.number}", r.item, _record_words(r, sheet)) for r in orphans),
                  row_css=("fail",) * len(orphans))]


# --- sign-off states -------------------------------------------------------------------------------------


def _record_words(record: Review, sheet: Sheet) -> str:
    role = f", {record.role}" if record.role else ""
    comment = f": “{record.comment}”" if record.comment else ""
    signed = "" if sheet.review.signatures.get(record.number, UNSIGNED) == UNSIGNED else ", signed"
    return f"{record.decision} by {record.reviewer}{role}, {record.date}, version {record.version}{signed}{comment}"


def _state_words(sheet: Sheet, status: ItemStatus) -> str:
    """The state, then who decided: every standing record (both reviewers of a safety item)."""
    lines_ = [status.state, *(_record_words(r, sheet) for r in status.standing)]
    if status.state == SECOND:
        lines_.append("needs an approval by a second reviewer of another name")
    elif status.state == CHANGED:
        lines_.append("what changed: see “Changed since review” below")
    elif status.state == REVOKED_STATE:
        lines_ += [_record_words(r, sheet) for r in status.history if r.decision == REVOKED][-1:]
    return "\n".join(lines_)


def _changes(sheet: Sheet, statuses: list[ItemStatus]) -> list[Block]:
    changed = [s for s in statuses if s.state == CHANGED]
    if not changed:
        return []
    out: list[Block] = [Heading(3, "Changed since review")]
    for s in changed:
        out += [Para(f"{s.item.id}: what changed since it was reviewed"), Pre(s.diff, "diff")]
    return out


# --- what patients read ------------------------------------------------------------------------------------


def _rules_concluding(kb: KnowledgeBase, wanted: type, **fields: str) -> str:
    ids = [r.id for r in kb.rules if isinstance(r.then, wanted)
           and all(getattr(r.then, k) == v for k, v in fields.items())]
    return "\n".join(ids) if ids else "no rule (never shown)"


WITH_RULES = "with the rules that show it"


Row = tuple[str, str, str, str]


def _rule_text_rows(kb: KnowledgeBase) -> list[Row]:
    """The texts rules show: signed off with those rules."""
    rows: list[Row] = []
    for level in kb.urgency_levels:
        rows.append((f"urgency '{level.id}'", f"{level.label} ({level.timeframe}). {level.advice}",
                     _rules_concluding(kb, Refer, urgency=level.id), WITH_RULES))
    for doctor in kb.doctors:
        rows.append((f"doctor '{doctor.id}'", doctor.name, _rules_concluding(kb, Refer, to=doctor.id), WITH_RULES))
    for section in kb.sections:
        e = section.education
        text = "\n".join([section.title] + [f"{label}: {value}" for label, value in (
            (ui("result.what_it_is"), e.what), (ui("result.causes"), e.causes), (ui("result.signs"), e.signs),
            (ui("result.examination"), e.examination), (ui("result.next"), e.next))])
        rows.append((f"section '{section.id}'", text, _rules_concluding(kb, RaiseConcern, section=section.id),
                     WITH_RULES))
    for workup in kb.workups:
        rows.append((f"test '{workup.id}'", f"{workup.name}: {workup.purpose}",
                     _rules_concluding(kb, ConsiderWorkup, workup=workup.id), WITH_RULES))
        for rule in kb.rules:
            if isinstance(rule.then, ConsiderWorkup) and rule.then.workup == workup.id:
                rows.append((f"reason for test '{workup.id}'", rule.then.reason, rule.id, WITH_RULES))
    for advice in kb.advice:
        rows.append((f"advice '{advice.id}'", advice.text, _rules_concluding(kb, GiveAdvice, advice=advice.id),
                     WITH_RULES))
    return rows


def _patient_texts(sheet: Sheet) -> list[Block]:
    kb, by_id = sheet.kb, sheet.review.by_id
    shown: list[ItemStatus] = []  # the texts no rule owns, in the order they appear

    def own(ident: str) -> str:
        status = by_id.get(ident)
        if status is None:
            return ""
        shown.append(status)
        return f"{ident}: {_state_words(sheet, status)}"

    red_flags = ", ".join(q.id for q in kb.questions if q.red_flag) or "none"
    rows: list[Row] = [
        ("opening screen", kb.about, "before the first question (interview and kiosk)", own("text.about")),
        ("emergency notice", emergency_notice(kb.emergency_signs),
         f"opening screen, help and whenever the program fails; built from the red-flag questions: {red_flags}",
         own("text.emergency_signs")),
        ("disclaimer", kb.disclaimer, "with every outcome", own("text.disclaimer")),
    ]
    chosen = kb.doctor.get(kb.several_doctors)
    rows.append(("when several doctors are named", chosen.name if chosen else kb.several_doctors,
                 "the referral when rules at the highest urgency name several doctors", own("text.several_doctors")))
    rows += _rule_text_rows(kb)
    for q in kb.questions:
        if f"question.{q.id}" in by_id:
            rows.append((f"question '{q.id}'", q.text + (f"\nHelp: {q.help}" if q.help else ""),
                         "asked in the interview; no rule reads the answer", own(f"question.{q.id}")))
    header = ("what", "text", "shown by", "sign-off")
    blocks: list[Block] = [Heading(2, "What patients read", "texts"),
                           Para("Every text a person can see, next to the rules that show it. A text a rule shows "
                                "is signed off with that rule (see the rule tables, with the rule statements a "
                                "person sees under 'Why'); the texts no rule owns are signed off on their own, "
                                "and their state stands next to them."),
                           Table(header, tuple(rows), row_css=_css_of(rows, by_id))]
    blocks.append(Heading(3, "Reading pages (kiosk)"))
    if sheet.reading is None:
        blocks.append(Para("No reading pages: " + "; ".join(sheet.reading_problems)))
    else:
        pages = [(f"page '{p.id}'", "\n".join([p.title] + [f"{x.label}: {x.text}" if x.label else x.text
                                                          for x in p.paragraphs]),
                  f"kiosk reading, no rule; source: {kb.source[p.source].title if p.source in kb.source else p.source}",
                  own(f"reading.{p.id}"))
                 for p in sheet.reading.pages]
        pages.append(("closing of every page", sheet.reading.closing, "kiosk reading", own("text.reading_closing")))
        blocks.append(Table(header, tuple(pages), row_css=_css_of(pages, by_id)))
    return blocks + _other_texts(sheet, shown)


def _other_texts(sheet: Sheet, shown: list[ItemStatus]) -> list[Block]:
    """Texts no rule owns that the tables above have no place for (a newer kind): listed, so none goes unseen;
    then what changed in each changed text."""
    rest = [s for s in sheet.review.items if s.item.kind != RULE and s not in shown]
    blocks: list[Block] = []
    if rest:
        blocks += [Heading(3, "Other texts no rule owns"),
                   Table(("item", "sign-off"), tuple((s.item.id, _state_words(sheet, s)) for s in rest),
                         row_css=tuple(STATE_CSS.get(s.state, "status-never") for s in rest))]
    return blocks + _changes(sheet, shown + rest)


def _css_of(rows: list[Row], by_id: dict[str, ItemStatus]) -> tuple[str, ...]:
    """The state's class for a row with a text of its own (its last cell starts with the item id)."""
    out = []
    for row in rows:
        ident = row[3].split(":", 1)[0]
        out.append(STATE_CSS.get(by_id[ident].state, "status-never") if ident in by_id else "")
    return tuple(out)


# --- urgency decision table ------------------------------------------------------------------------------


def _leads_there(kb: KnowledgeBase, rule: Rule) -> str:
    text = condition_sentence(kb, rule.when)
    for part in walk(rule.when):
        if isinstance(part, ConcernRaised):
            by = [r.id for r in kb.rules if isinstance(r.then, RaiseConcern) and r.then.section == part.section]
            text += f"\n(“{kb.section[part.section].title}” relates to the answers through: {', '.join(by)})"
        elif isinstance(part, FindingReached):
            by = [r.id for r in kb.rules if isinstance(r.then, ReachFinding) and r.then.finding == part.finding]
            text += f"\n(the finding “{part.finding}” is reached through: {', '.join(by)})"
    return text


def _urgency_table(kb: KnowledgeBase) -> list[Block]:
    rows = []
    for level in kb.urgency_levels:
        reaching = [r for r in kb.rules if isinstance(r.then, Refer) and r.then.urgency == level.id]
        words = f"{level.label} ({level.timeframe})"
        rows += [(words, f"{r.id}\nto {kb.doctor[r.then.to].name}", _leads_there(kb, r))  # type: ignore[union-attr]
                 for r in reaching] or [(words, "none", "no rule reaches this urgency")]
    return [Heading(2, "Urgency decision table", "urgency"),
            Para("For each urgency, highest first, the rules that reach it and the answers that lead there. "
                 "The highest urgency any rule reaches is the outcome."),
            Table(("urgency", "rule and doctor", "the answers that lead there"), tuple(rows))]


# --- per part of the leaflet ------------------------------------------------------------------------------


def _asked(question: Question) -> str:
    return "always" if question.ask_when is None else f"when {describe(question.ask_when)}"


def _rule_state(sheet: Sheet, rule: Rule) -> str:
    status = sheet.review.by_id.get(rule.id)
    return _state_words(sheet, status) if status else "never reviewed"


def _rule_css(sheet: Sheet, rule: Rule) -> str:
    status = sheet.review.by_id.get(rule.id)
    return STATE_CSS.get(status.state, "status-never") if status else "status-never"


def _organ_count(kb: KnowledgeBase, sections: tuple[str, ...]) -> int:
    return sum(1 for s in sections if kb.section[s].organ)


def branch_coverage(sheet: Sheet, rule: Rule) -> list[tuple[str, tuple[str, ...]]]:
    """For each alternative of each `any` in the rule: its words, and the cases where the rule fired and it held."""
    kb, out = sheet.kb, []
    results = [r for r in sheet.results if r.case.id in sheet.fired[rule.id] and r.outcome]
    for part in walk(rule.when):
        if not isinstance(part, AnyOf) or len(part.items) < 2:
            continue
        for item in part.items:
            cases = tuple(r.case.id for r in results if r.outcome and holds(
                item, dict(r.outcome.answers), set(r.outcome.section_ids), set(r.outcome.findings),
                _organ_count(kb, r.outcome.section_ids)))
            out.append((describe(item), cases))
    return out


def _coverage_words(sheet: Sheet, rule: Rule) -> str:
    cases = sheet.fired[rule.id]
    lines_ = [("fired in: " + ", ".join(cases)) if cases else "NOT EXERCISED by any golden case"]
    for words, covered in branch_coverage(sheet, rule):
        lines_.append(f"branch “{words}”: {', '.join(covered) if covered else 'not exercised'}")
    return "\n".join(lines_)


_KIND_WORDS = {SAFETY: "safety practice", JUDGEMENT: "clinical judgement"}


def _source_words(sheet: Sheet, rule: Rule) -> str:
    """The kind and title of the rule's source, what it says it rests on, and (with the leaflet) the cited
    paragraphs themselves."""
    source = sheet.kb.source[rule.source]
    lines_ = [f"{_KIND_WORDS.get(source.kind, 'leaflet')}: {source.title}"]
    if rule.reference:
        lines_.append(f"reference: {rule.reference}")
    if rule.rationale:
        lines_.append(f"rationale: {rule.rationale}")
    if rule.cites:
        lines_.append("cites: " + ", ".join(rule.cites))
    if sheet.leaflet is not None:
        for locator in rule.cites:
            paragraph = sheet.leaflet.paragraph(locator)
            lines_.append(f"{locator}: “{paragraph}”" if paragraph else f"{locator}: NOT IN THE LEAFLET")
    return "\n".join(lines_)


def _case_row(result: CaseResult) -> tuple[str, str, str, str]:
    expect = result.case.expect
    # What a case forbids is as much the clinician's expectation as what it asks for.
    expected = [expect.urgency + (f", to {expect.referral_to}" if expect.referral_to else ""),
                f"sections: {', '.join(sorted(expect.sections)) or 'none'}" +
                (f"; never {', '.join(sorted(expect.not_sections))}" if expect.not_sections else ""),
                f"tests: {', '.join(sorted(expect.workups)) or 'none'}" +
                (f"; never {', '.join(sorted(expect.not_workups))}" if expect.not_workups else "")]
    if result.outcome is None:
        actual = "could not run: " + "; ".join(result.differences)
    else:
        o = result.outcome
        actual = f"{o.referral.urgency.id}, to {o.referral.to.id}\n" \
                 f"sections: {', '.join(sorted(o.section_ids)) or 'none'}\n" \
                 f"tests: {', '.join(sorted(o.workup_ids)) or 'none'}"
    verdict = "pass" if result.passed else "FAIL: " + "; ".join(result.differences)
    return f"{result.case.id}: {result.case.title}\n{result.case.story}", "\n".join(expected), actual, verdict


def _group(sheet: Sheet, group: Group) -> list[Block]:
    kb = sheet.kb
    blocks: list[Block] = [Heading(2, group.title, group.id)]
    if group.questions:
        rows: list[tuple[str, ...]] = []
        for q in group.questions:
            options = "; ".join(f"{o.id}: {o.label}" + (f" (offered when {describe(o.ask_when)})" if o.ask_when
                                                        else "") for o in q.options)
            rows.append((q.id + (" RED FLAG" if q.red_flag else ""),
                         q.text + (f"\nHelp: {q.help}" if q.help else ""),
                         q.type.value + (" (at least one ticked)" if q.choose_at_least_one else "") +
                         (f": {options}" if options else ""), _asked(q)))
        blocks += [Heading(3, "Questions"), Table(("id", "wording", "type and options", "asked"), tuple(rows))]
    if group.rules:
        rows = [(r.id, ("SAFETY " if r.source == SAFETY else "") + f"{r.statement}\n{rule_sentence(kb, r)}",
                 _source_words(sheet, r), _coverage_words(sheet, r), _rule_state(sheet, r)) for r in group.rules]
        css = tuple(("safety " if r.source == SAFETY else "") + _rule_css(sheet, r) for r in group.rules)
        blocks += [Heading(3, "Rules"),
                   Table(("id", "rule", "source", "golden cases (and `any` branches)", "review status"),
                         tuple(rows), row_css=css),
                   *_changes(sheet, [sheet.review.by_id[r.id] for r in group.rules if r.id in sheet.review.by_id]),
                   Heading(3, "Rule network"),
                   Picture(svg(list(group.rules), f"Rule network: {group.title}"), tuple(lines(list(group.rules))))]
    if group.cases:
        title = "Red-flag cases" if group.id == SAFETY else "Golden cases"
        blocks += [Heading(3, title), Table(("case", "expected", "actual", "result"),
                                            tuple(_case_row(r) for r in group.cases),
                                            row_css=tuple("" if r.passed else "fail" for r in group.cases))]
    return [Section(tuple(blocks), "group safety" if group.id == SAFETY else "group")]


def _leaflet_coverage(sheet: Sheet) -> list[Block]:
    """Per paragraph of the leaflet: the rules that cite it (with the questions they read) and the texts no rule
    owns that cite it; paragraphs nothing cites are said to be so."""
    kb, leaflet = sheet.kb, sheet.leaflet
    if leaflet is None:
        return []
    texts = [*((f"section '{s.id}'", s.grounds.cites) for s in kb.sections),
             *((f"workup '{w.id}'", w.grounds.cites) for w in kb.workups),
             *((f"advice '{a.id}'", a.grounds.cites) for a in kb.advice)]
    if sheet.reading is not None:
        texts += [(f"reading page '{p.id}'", p.cites) for p in sheet.reading.pages]
    rows, css, uncited, no_rule = [], [], [], []
    for locator in leaflet.locators():
        rules = [r for r in kb.rules if locator in r.cites]
        read = sorted(set().union(*(questions_read(r.when) for r in rules))) if rules else []
        cited_by = [name for name, cites in texts if locator in cites]
        paragraph = leaflet.paragraph(locator) or ""
        if not rules:
            no_rule.append(locator)
            if not cited_by:
                uncited.append(locator)
        rows.append((locator, paragraph, "\n".join(r.id for r in rules) or "NO RULE CITES IT",
                     ", ".join(read) or "none", "\n".join(cited_by) or "none"))
        css.append("" if rules else "fail")
    summary = (f"{len(rows) - len(no_rule)} of {len(rows)} paragraphs are cited by a rule"
               + (f"; cited by no rule: {', '.join(no_rule)}" if no_rule else "")
               + (f"; cited by nothing at all: {', '.join(uncited)}." if uncited else "."))
    return [Heading(2, "Leaflet coverage", "leaflet"),
            Para(f"Every paragraph of {leaflet.name}, with the rules that cite it, the questions those rules read, "
                 f"and the texts no rule owns that cite it. {summary}"),
            Table(("paragraph", "leaflet text", "rules citing it", "questions they read", "texts citing it"),
                  tuple(rows), row_css=tuple(css))]


def _matrix(sheet: Sheet) -> list[Block]:
    kb = sheet.kb
    numbers = {r.case.id: f"C{i}" for i, r in enumerate(sheet.results, start=1)}
    rows = tuple((r.id, *("●" if case in sheet.fired[r.id] else "" for case in numbers)) for r in kb.rules)
    # The legend follows the table, so the heading and the table start on the same page.
    return [Heading(2, "Coverage: rules by golden cases", "coverage"),
            Table(("rule", *numbers.values()), rows, "matrix"),
            Para("A dot: the rule fires in that golden case. Cases: "
                 + "; ".join(f"{n} {case}" for case, n in numbers.items()) + ".")]


def _sign_off(sheet: Sheet) -> list[Block]:
    parts = ["What patients read (texts and reading pages)", "Urgency decision table",
             *(g.title for g in sheet.groups)]
    return [Section((Heading(2, "Sign-off", "sign-off"),
                     Para(f"I have reviewed the parts named below of {sheet.kb.name}, version {sheet.kb.version}, "
                          f"content hash {sheet.kb.hash}, as printed on this sheet."),
                     Table(("part", "name", "role", "date", "signature"), tuple((p, "", "", "", "") for p in parts),
                           "form")), "sign-off")]


def blocks(sheet: Sheet) -> list[Block]:
    out = [*_header(sheet), *_check(sheet), *_orphans(sheet), *_patient_texts(sheet), *_urgency_table(sheet.kb)]
    for group in sheet.groups:
        out += _group(sheet, group)
    return out + _leaflet_coverage(sheet) + _matrix(sheet) + _sign_off(sheet)


# --- the two formats ---------------------------------------------------------------------------------------


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_CSS = """
body{font-family:system-ui,Segoe UI,Arial,sans-serif;max-width:1000px;margin:1em auto;padding:0 1em;color:#111}
h1{font-size:1.6em}h2{border-bottom:2px solid #333;margin-top:1.6em}h3{margin-top:1.2em}
table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border:1px solid #999;padding:3px 5px;
vertical-align:top;text-align:left;font-size:.9em}th{background:#eee}thead{display:table-header-group}
table.facts th:empty{display:none}table.facts td:first-child{font-weight:bold;width:14em}
table.matrix td,table.matrix th{padding:1px 2px;text-align:center;font-size:.75em}
table.matrix td:first-child{text-align:left;font-family:monospace}
table.form td{height:2.4em}table.form td:first-child{width:30%}
tr.safety{background:#fff1e6}tr.fail{background:#fde2e2}.mono{font-family:monospace;font-size:.9em}
tr.status-changed td:last-child,tr.status-rejected td:last-child{color:#a00;font-weight:bold}
tr.status-reviewed td:last-child{color:#064}
tr.status-second td:last-child,tr.status-revoked td:last-child{color:#8a5200}
pre.diff{font-size:.8em;background:#f6f6f6;border:1px solid #ccc;padding:4px;white-space:pre-wrap;break-inside:avoid}
figure.picture{margin:.5em 0}figcaption{font-size:.85em}figcaption ul{margin:.2em 0;padding-left:1.2em}
svg.network{width:100%;height:auto;display:block}
svg .node rect{fill:#f4f4f4;stroke:#444}svg .concern rect,svg .finding rect,svg .organ_concerns rect{fill:#e8f0ff}
svg .always rect{fill:#fff;stroke-dasharray:4 2}svg .referral rect{fill:#fff1e6}svg .workup rect{fill:#eaf7ea}
svg .advice rect{fill:#f7f3e0}svg .and circle{fill:#333}svg .or circle{fill:#fff;stroke:#333;stroke-width:2}
svg text{font:12px monospace}svg text.j{font:bold 9px sans-serif}svg .and text.j{fill:#fff}
svg text.legend{font:12px sans-serif}svg .edge{stroke:#555;fill:none}
@media print{
  body{max-width:none;margin:0;padding:0;font-size:9.5pt}
  h2{break-after:avoid;margin-top:1.2em}h3{break-after:avoid}
  tr,figure.picture,svg{break-inside:avoid}
  section.sign-off{break-before:page}
  a{color:inherit;text-decoration:none}
}
"""


def _page_css(sheet: Sheet) -> str:
    """A4 pages with a running footer (CSS paged media; Chromium draws these margin boxes since version 131)."""
    footer = f"{sheet.kb.name} {sheet.kb.version} · hash {sheet.kb.hash}"
    return ("@page{size:A4;margin:14mm 12mm 16mm 12mm;"
            f"@bottom-left{{content:{_css_string(footer)};font:7pt sans-serif;color:#444}}"
            '@bottom-right{content:"page " counter(page) " of " counter(pages);font:8pt sans-serif;color:#444}}')


def html(sheet: Sheet) -> str:
    orphans = ["<a href='#orphans'>Orphaned sign-off records</a>"] if sheet.review.orphans else []
    contents = ["<a href='#check'>Check result</a>", *orphans, "<a href='#texts'>What patients read</a>",
                "<a href='#urgency'>Urgency decision table</a>",
                *(f"<a href='#{escape(g.id)}'>{escape(g.title)}</a>" for g in sheet.groups),
                *(["<a href='#leaflet'>Leaflet coverage</a>"] if sheet.leaflet else []),
                "<a href='#coverage'>Coverage</a>", "<a href='#sign-off'>Sign-off</a>"]
    head = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>Review sheet: {escape(sheet.kb.name)}</title><style>{_CSS}{_page_css(sheet)}</style></head><body>")
    parts = blocks(sheet)
    nav = "<nav><p>Contents: " + ", ".join(contents) + "</p></nav>"
    top = len(_header(sheet))
    return "\n".join([head, *html_blocks(parts[:top]), nav, *html_blocks(parts[top:]), "</body></html>"]) + "\n"


def markdown(sheet: Sheet) -> str:
    return "\n".join(markdown_blocks(blocks(sheet))).lstrip("\n") + "\n"
