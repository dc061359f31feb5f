"""Read a rules folder into the knowledge model. Problems are collected, never raised one at a time."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from triage.errors import KnowledgeBaseError, Place, Problem, YamlSyntaxError, shown
from triage.knowledge import validate
from triage.knowledge.conditions import read_condition
from triage.knowledge.fields import Reader
from triage.knowledge.paths import builtin_rules_dir
from triage.knowledge.yamlfile import parse_text
from triage.model import (
    SOURCE_KINDS,
    Advice,
    Condition,
    ConsiderWorkup,
    Doctor,
    Education,
    Expectation,
    Finding,
    GiveAdvice,
    GoldenCase,
    Grounds,
    KnowledgeBase,
    Option,
    Question,
    QuestionType,
    RaiseConcern,
    ReachFinding,
    Refer,
    Rule,
    Section,
    Source,
    Urgency,
    Workup,
)

T = TypeVar("T")

# The files whose content makes up the knowledge base's hash; cases and reviews are not knowledge.
KNOWLEDGE_FILES = ("knowledge.yaml", "questions.yaml", "sections.yaml", "workups.yaml", "findings.yaml",
                   "advice.yaml")
RULES_FOLDER = "rules"
CASES_FOLDER = "cases"


def load_knowledge(directory: str | Path | None = None) -> KnowledgeBase:
    """Load and validate a rules folder; raise KnowledgeBaseError listing every problem found."""
    folder = Path(directory) if directory is not None else builtin_rules_dir()
    label = str(directory) if directory is not None else "rules"
    problems: list[Problem] = []
    if not (folder / "knowledge.yaml").is_file():
        raise KnowledgeBaseError([_not_a_knowledge_base(folder, label)])
    files = _Files(folder, label, problems)
    kb = _build(files, problems)
    # Cross-file checks on a folder with an unreadable file would bury its one real error under every
    # id that file defines ("unknown question ..."), so they wait until every file can be read.
    if kb is not None and not files.unreadable:
        problems.extend(validate.knowledge_base(kb))
    if problems or kb is None:
        raise KnowledgeBaseError(problems)
    return kb


def _not_a_knowledge_base(folder: Path, label: str) -> Problem:
    """Why `folder` cannot be read as a knowledge base: it is not there, it is a file, or it lacks knowledge.yaml."""
    if not folder.exists():
        return Problem("no-such-file", Place(label), "no such folder")
    if not folder.is_dir():
        holder = f"give the folder that holds it: {folder.parent}" if folder.name == "knowledge.yaml" else \
            "give the folder that holds knowledge.yaml"
        return Problem("not-a-folder", Place(label), f"is a file, not a folder; {holder}")
    return Problem("not-a-folder", Place(label), "is not a knowledge base folder (no knowledge.yaml in it)")


class _Files:
    """Reads each file of the folder once, remembering the display name and the bytes (for the hash)."""

    def __init__(self, folder: Path, label: str, problems: list[Problem]):
        self.folder, self.label, self.problems = folder, label, problems
        self.digest = hashlib.sha256()
        self.unreadable: list[str] = []

    def name(self, relative: str) -> str:
        return f"{self.label}/{relative}"

    def read(self, relative: str, hashed: bool = True) -> Any:
        before = len(self.problems)
        content = self._parse(relative, hashed)
        if len(self.problems) > before:
            self.unreadable.append(relative)
        return content

    def _parse(self, relative: str, hashed: bool) -> Any:
        path = self.folder / relative
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.problems.append(Problem("unreadable", Place(self.name(relative)), f"cannot be read: {exc.strerror}"))
            return None
        if hashed:
            self.digest.update(relative.encode() + b"\0" + data + b"\0")
        try:
            content = parse_text(data.decode("utf-8"), self.name(relative))
            if content is None:  # an empty file (or only comments): say so, never fail without a message
                self.problems.append(Problem("empty-file", Place(self.name(relative)),
                                             "is empty (or holds only comments)"))
            return content
        except UnicodeDecodeError:
            self.problems.append(Problem("not-utf8", Place(self.name(relative)), "is not UTF-8 text"))
        except YamlSyntaxError as exc:
            self.problems.extend(exc.problems)
        return None

    def listing(self, relative: str) -> list[str]:
        folder = self.folder / relative
        if not folder.is_dir():
            return []
        return [f"{relative}/{p.name}" for p in sorted(folder.iterdir()) if p.suffix in (".yaml", ".yml")]


def _items(raw: Any, file: str, kind: str, problems: list[Problem], key: str | None = None) -> list[Reader]:
    """The items of a list (or of `raw[key]`), each as a Reader labelled `kind 'id'`."""
    if key is not None:
        raw = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(raw, list):
        where = f"'{key}'" if key else "the file"
        problems.append(Problem("wrong-shape", Place(file), f"{where} must be a list of {kind}s"))
        return []
    readers = []
    for index, item in enumerate(raw, start=1):
        ident = item.get("id") if isinstance(item, dict) else None
        label = f"{kind} '{ident}'" if isinstance(ident, str) else f"{kind} #{index}"
        reader = Reader(file, label, item, problems)
        if not isinstance(item, dict):
            reader.problem(None, f"must be a mapping with an id, not {shown(item)}", "wrong-shape")
            continue
        readers.append(reader)
    return readers


def _all(readers: list[Reader], build: Callable[[Reader], T | None]) -> list[T]:
    built = [build(r) for r in readers]
    return [b for b in built if b is not None]


def _build(files: _Files, problems: list[Problem]) -> KnowledgeBase | None:
    meta = files.read("knowledge.yaml")
    raw = {name: files.read(name) for name in KNOWLEDGE_FILES[1:]}
    rule_files = files.listing(RULES_FOLDER)
    if not rule_files:
        problems.append(Problem("no-rules", Place(files.name(RULES_FOLDER)), "holds no rules (*.yaml files) at all"))
    rule_raw = {name: files.read(name) for name in rule_files}
    case_raw = {name: files.read(name, hashed=False) for name in files.listing(CASES_FOLDER)}
    if not isinstance(meta, dict):
        if meta is not None:
            problems.append(Problem("wrong-shape", Place(files.name("knowledge.yaml")),
                                    "must be a mapping of name, version, ..."))
        return None
    kfile = files.name("knowledge.yaml")
    top = Reader(kfile, None, meta, problems)
    top.unknown_fields({"name", "version", "disclaimer", "about", "urgency_levels", "doctors", "referral",
                        "sources"})
    levels = _items(meta, kfile, "urgency level", problems, "urgency_levels")
    referral = meta.get("referral")
    several = Reader(kfile, "referral", referral, problems).ident("several_doctors")
    rules: list[Rule] = []
    for name, content in rule_raw.items():
        rules.extend(_all(_items(content, files.name(name), "rule", problems), _rule) if content is not None
                     else [])
    return KnowledgeBase(
        name=top.text("name") or "",
        version=str(meta.get("version", "")) or top.text("version") or "",
        hash=files.digest.hexdigest(),
        disclaimer=top.text("disclaimer") or "",
        about=top.text("about") or "",
        several_doctors=several or "",
        urgency_levels=tuple(_urgency(r, len(levels) - i) for i, r in enumerate(levels)),
        doctors=tuple(_all(_items(meta, kfile, "doctor", problems, "doctors"), _doctor)),
        sources=tuple(_all(_items(meta, kfile, "source", problems, "sources"), _source)),
        questions=tuple(_list(files, raw, "questions.yaml", "question", _question, problems)),
        sections=tuple(_list(files, raw, "sections.yaml", "section", _section, problems)),
        workups=tuple(_list(files, raw, "workups.yaml", "workup", _workup, problems)),
        findings=tuple(_list(files, raw, "findings.yaml", "finding", _finding, problems)),
        advice=tuple(_list(files, raw, "advice.yaml", "advice item", _advice, problems)),
        rules=tuple(rules),
        cases=tuple(c for name, content in case_raw.items()
                    if content is not None
                    and (c := _case(Reader(files.name(name), f"case '{Path(name).stem}'", content, problems),
                                    Path(name).stem)) is not None),
        directory=str(files.folder),
        label=files.label,
    )


def _list(files: _Files, raw: dict[str, Any], name: str, kind: str, build: Callable[[Reader], T | None],
          problems: list[Problem]) -> list[T]:
    if raw[name] is None:
        return []
    return _all(_items(raw[name], files.name(name), kind, problems), build)


def _urgency(r: Reader, rank: int) -> Urgency:
    r.unknown_fields({"id", "label", "timeframe", "advice"})
    return Urgency(r.ident("id") or "", r.text("label") or "", r.text("timeframe") or "",
                   r.text("advice") or "", rank)


def _doctor(r: Reader) -> Doctor:
    r.unknown_fields({"id", "name"})
    return Doctor(r.ident("id") or "", r.text("name") or "")


def _source(r: Reader) -> Source:
    r.unknown_fields({"id", "title", "kind"})
    ident = r.ident("id") or ""
    kind = r.raw.get("kind", ident if ident in SOURCE_KINDS else SOURCE_KINDS[0])
    if kind not in SOURCE_KINDS:
        r.problem("kind", f"{shown(kind)} is not a kind of source; use one of {', '.join(SOURCE_KINDS)}")
        kind = SOURCE_KINDS[0]
    return Source(ident, r.text("title") or "", kind)


def _cites(r: Reader) -> tuple[str, ...]:
    """The leaflet locators of `cites` (one or a list); their form is checked by `rules check`."""
    raw = r.raw.get("cites", [])
    raw = [raw] if isinstance(raw, str) else raw
    if not isinstance(raw, list) or not all(isinstance(c, str) and c for c in raw):
        r.problem("cites", f"must be a list of leaflet locators such as [lungs.2], not {shown(r.raw.get('cites'))}")
        return ()
    return tuple(raw)


def _grounds(r: Reader) -> Grounds:
    """What a text no rule owns rests on: `cites` and/or `rationale` (both optional here)."""
    return Grounds(_cites(r), r.text("rationale", required=False))


GROUNDS_FIELDS = {"cites", "rationale"}


def _workup(r: Reader) -> Workup:
    r.unknown_fields({"id", "name", "purpose"} | GROUNDS_FIELDS)
    return Workup(r.ident("id") or "", r.text("name") or "", r.text("purpose") or "", _grounds(r))


def _finding(r: Reader) -> Finding:
    r.unknown_fields({"id", "description"})
    return Finding(r.ident("id") or "", r.text("description") or "")


def _advice(r: Reader) -> Advice:
    r.unknown_fields({"id", "text"} | GROUNDS_FIELDS)
    return Advice(r.ident("id") or "", r.text("text") or "", _grounds(r))


def _section(r: Reader) -> Section:
    r.unknown_fields({"id", "title", "organ", "doctor", "education"} | GROUNDS_FIELDS)
    edu = Reader(r.file, r.item, r.raw.get("education"), r.problems)
    if not isinstance(r.raw.get("education"), dict):
        r.problem("education", "must be a mapping with what, causes, signs, examination and next", "wrong-shape")
    edu.unknown_fields({"what", "causes", "signs", "examination", "next"})
    education = Education(*(edu.text(f) or "" for f in ("what", "causes", "signs", "examination", "next")))
    return Section(r.ident("id") or "", r.text("title") or "", r.flag("organ", True), r.ident("doctor") or "",
                   education, _grounds(r))


def _question(r: Reader) -> Question | None:
    r.unknown_fields({"id", "topic", "text", "help", "type", "options", "ask_when", "red_flag", "emergency_sign",
                      "choose_at_least_one"})
    type_name = r.raw.get("type")
    try:
        qtype: QuestionType | None = QuestionType(str(type_name))
    except ValueError:
        r.problem("type", f"{shown(type_name)} is not a question type; use one of "
                          f"{', '.join(t.value for t in QuestionType)}")
        qtype = None
    options: list[Option] = []
    raw_options = r.raw.get("options")
    if qtype is not None and qtype.kind.takes_options:
        if not isinstance(raw_options, list) or not raw_options:
            r.problem("options", f"a {qtype} question needs a list of options, each with an id and a label")
        else:
            for index, raw in enumerate(raw_options, start=1):
                o = Reader(r.file, r.item, raw, r.problems)
                if not isinstance(raw, dict):
                    r.problem(f"options[{index}]", f"must be a mapping with id and label, not {shown(raw)}")
                    continue
                o.unknown_fields({"id", "label", "ask_when"})
                options.append(Option(o.ident("id") or "", o.text("label") or "",
                                      _maybe_condition(o, "ask_when")))
    elif raw_options is not None:
        r.problem("options", f"only choice questions have options; this one is {type_name}")
    ident, text = r.ident("id"), r.text("text")
    red_flag, sign = r.flag("red_flag"), _emergency_sign(r)
    at_least_one = r.flag("choose_at_least_one")
    if at_least_one and qtype is not None and not qtype.kind.is_list:
        r.problem("choose_at_least_one", f"is only for multiple-choice questions; this one is {qtype}, where one "
                                         "answer is always chosen")
    if qtype is None or ident is None or text is None:
        return None
    return Question(ident, r.ident("topic") or "", text, qtype, r.text("help", required=False), tuple(options),
                    _maybe_condition(r, "ask_when"), red_flag, sign, at_least_one and qtype.kind.is_list)


def _emergency_sign(r: Reader) -> str | None:
    """A red flag's sign in plain words, which the emergency notice lists; only red flags have one."""
    red_flag = r.raw.get("red_flag", False)
    if red_flag is True:
        return r.text("emergency_sign")  # required: "is missing; write a short text here"
    if red_flag is False and "emergency_sign" in r.raw:  # (a red_flag that is not true or false has its own error)
        r.problem("emergency_sign", "only red-flag questions (red_flag: true) have an emergency sign")
    return None


def _maybe_condition(r: Reader, field: str) -> Condition | None:
    raw = r.raw.get(field)
    return None if raw is None else read_condition(raw, r, field)


CONCLUSION_KEYS = ("concern", "finding", "workup", "referral", "advice")


def _rule(r: Reader) -> Rule | None:
    r.unknown_fields({"id", "statement", "source", "cites", "reference", "rationale", "when", "then"})
    ident, statement = r.ident("id"), r.text("statement")
    source = r.ident("source")
    when = read_condition(r.raw.get("when"), r, "when") if "when" in r.raw else None
    if "when" not in r.raw:
        r.problem("when", "is missing; write the condition, or {always: true}", "missing-field")
    then = _conclusion(r)
    cites, reference, rationale = _cites(r), r.text("reference", required=False), r.text("rationale", required=False)
    if None in (ident, statement, source, when, then):
        return None
    return Rule(ident, statement, source, when, then, r.file, r.line,  # type: ignore[arg-type]
                cites, reference, rationale)


def _conclusion(r: Reader) -> RaiseConcern | ReachFinding | ConsiderWorkup | Refer | GiveAdvice | None:
    raw = r.raw.get("then")
    kinds = [k for k in CONCLUSION_KEYS if isinstance(raw, dict) and k in raw]
    if len(kinds) != 1 or not isinstance(raw, dict):
        r.problem("then", f"must hold exactly one of {', '.join(CONCLUSION_KEYS)}")
        return None
    kind = kinds[0]
    allowed = {kind, "reason"} if kind == "workup" else {kind}
    extra = set(raw) - allowed
    if extra:
        r.problem("then", f"unexpected key(s) {sorted(extra)} beside '{kind}'", "unknown-field")
    value = raw[kind]
    if kind == "referral":
        ref = Reader(r.file, r.item, value, r.problems)
        if not isinstance(value, dict):
            r.problem("then.referral", "must be a mapping {to: DOCTOR, urgency: LEVEL}", "wrong-shape")
            return None
        ref.unknown_fields({"to", "urgency"})
        to, urgency = ref.ident("to"), ref.ident("urgency")
        return Refer(to, urgency) if to and urgency else None
    if not isinstance(value, str) or not value:
        r.problem(f"then.{kind}", f"must name one id, not {shown(value)}")
        return None
    if kind == "workup":
        reason = raw.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            r.problem("then.reason", "a workup needs a reason: one plain sentence shown to the person", "missing-field")
            return None
        return ConsiderWorkup(value, reason.strip())
    if kind == "concern":
        return RaiseConcern(value)
    return ReachFinding(value) if kind == "finding" else GiveAdvice(value)


def _case(r: Reader, ident: str) -> GoldenCase | None:
    if not isinstance(r.raw, dict) or not r.raw:
        r.problem(None, "must be a mapping with title, story, answers and expect", "wrong-shape")
        return None
    r.unknown_fields({"title", "story", "answers", "expect"})
    answers = r.raw.get("answers")
    if not isinstance(answers, dict):
        r.problem("answers", "must be a mapping of question ids to answers", "wrong-shape")
        answers = {}
    expect = Reader(r.file, r.item, r.raw.get("expect"), r.problems)
    expect.unknown_fields({"urgency", "referral_to", "sections", "workups", "not_sections", "not_workups"})
    sets = {}
    for field in ("sections", "workups", "not_sections", "not_workups"):
        value = expect.raw.get(field, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            expect.problem(f"expect.{field}", "must be a list of ids (write [] for none)")
            value = []
        sets[field] = frozenset(value)
    for field in ("sections", "workups"):
        if both := sets[field] & sets[f"not_{field}"]:
            expect.problem(f"expect.not_{field}", f"also listed in expect.{field}: {', '.join(sorted(both))}")
    urgency = expect.ident("urgency")
    referral_to = expect.raw.get("referral_to")
    title, story = r.text("title"), r.text("story")
    if urgency is None or title is None or story is None:
        return None
    return GoldenCase(ident, r.file, title, story, dict(answers),
                      Expectation(urgency, sets["sections"], sets["workups"],
                                  referral_to if isinstance(referral_to, str) else None,
                                  sets["not_sections"], sets["not_workups"]))
