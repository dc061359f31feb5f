"""Read rules/reading.yaml: the kiosk's pages for people who only want to read about calcifications.

Kept apart from load.py so the core knowledge base (and its hash) stays as it is. Pages may reuse the
education texts of sections.yaml and the test descriptions of workups.yaml, so a clinician reviews each
text once. Every problem is collected and raised together, in the same style as load.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage.errors import KnowledgeBaseError, Place, Problem, shown
from triage.knowledge.fields import Reader
from triage.knowledge.yamlfile import parse_text
from triage.model import KnowledgeBase, Section

READING_FILE = "reading.yaml"
_PAGE_FIELDS = {"id", "title", "source", "section", "text", "workups", "cites", "rationale"}
_EDUCATION_LABELS = (("what", "What it is"), ("causes", "Usual causes"), ("signs", "Signs"),
                     ("examination", "How it is examined"), ("next", "What happens next"))


@dataclass(frozen=True)
class Paragraph:
    label: str | None  # shown in front of the text ("Signs: ..."), or None
    text: str


@dataclass(frozen=True)
class ReadingPage:
    id: str
    title: str
    source: str  # a source id from knowledge.yaml: which part of the leaflet the page rests on
    paragraphs: tuple[Paragraph, ...]
    section: str | None = None  # the section whose education texts it shows (they carry that section's cites)
    cites: tuple[str, ...] = ()  # leaflet locators its own texts rest on
    rationale: str | None = None  # or why the project says it
    line: int | None = None


@dataclass(frozen=True)
class Reading:
    closing: str  # ends every page: talk to a doctor
    pages: tuple[ReadingPage, ...]

    @property
    def page(self) -> dict[str, ReadingPage]:
        return {p.id: p for p in self.pages}


def load_reading(kb: KnowledgeBase, path: str | Path | None = None) -> Reading:
    """Read the reading pages of `kb`'s folder (or `path`); raise KnowledgeBaseError listing every problem
    (or YamlSyntaxError, if the file is not YAML)."""
    file_path = Path(path) if path is not None else Path(kb.directory) / READING_FILE
    name = str(path) if path is not None else f"{kb.label}/{READING_FILE}"
    problems: list[Problem] = []
    raw = _read(file_path, name, problems)
    reading = _build(kb, raw, name, problems) if raw is not None else None
    if problems or reading is None:
        raise KnowledgeBaseError(problems)
    return reading


def _read(path: Path, name: str, problems: list[Problem]) -> Any:
    try:
        raw = parse_text(path.read_text(encoding="utf-8"), name)
    except OSError as exc:
        problems.append(Problem("unreadable", Place(name),
                                f"cannot be read: {exc.strerror}; the kiosk needs its reading pages"))
        return None
    except UnicodeDecodeError:
        problems.append(Problem("not-utf8", Place(name), "is not UTF-8 text"))
        return None
    if not isinstance(raw, dict):
        problems.append(Problem("wrong-shape", Place(name), "must be a mapping with 'closing' and 'pages'"))
        return None
    return raw


def _build(kb: KnowledgeBase, raw: dict[str, Any], name: str, problems: list[Problem]) -> Reading | None:
    top = Reader(name, None, raw, problems)
    top.unknown_fields({"closing", "pages"})
    closing = top.text("closing") or ""
    items = raw.get("pages")
    if not isinstance(items, list) or not items:
        top.problem("pages", "must be a list of pages, each with an id", "wrong-shape")
        return None
    pages: list[ReadingPage] = []
    seen: set[str] = set()
    for index, item in enumerate(items, start=1):
        ident = item.get("id") if isinstance(item, dict) else None
        r = Reader(name, f"page '{ident}'" if isinstance(ident, str) else f"page #{index}", item, problems)
        if not isinstance(item, dict):
            r.problem(None, f"must be a mapping with an id, not {shown(item)}", "wrong-shape")
            continue
        page = _page(kb, r)
        if page is None:
            continue
        if page.id in seen:
            r.problem("id", f"'{page.id}' is used by an earlier page; give each page its own id", "duplicate-id")
        seen.add(page.id)
        pages.append(page)
    return Reading(closing, tuple(pages))


def _page(kb: KnowledgeBase, r: Reader) -> ReadingPage | None:
    r.unknown_fields(_PAGE_FIELDS)
    ident = r.ident("id")
    source = r.ident("source")
    if source is not None and source not in kb.source:
        r.problem("source", f"'{source}' is not a source in knowledge.yaml; known: {', '.join(kb.source)}",
                  "unknown-id")
    paragraphs: list[Paragraph] = []
    section = _section(kb, r)
    if section is not None:
        paragraphs += [Paragraph(label, getattr(section.education, f)) for f, label in _EDUCATION_LABELS]
        paragraphs.append(Paragraph("Doctor for this", f"{kb.doctor[section.doctor].name}."))
    paragraphs += _texts(r)
    paragraphs += _workups(kb, r)
    # A page naming a section that is not there has that one error, not a missing title and text besides.
    named_section = "section" in r.raw
    title = r.text("title", required=not named_section) or (section.title if section is not None else "")
    if not paragraphs and not named_section:
        r.problem(None, "has nothing to show; give it a 'section', a 'text' or 'workups'", "missing-field")
    if ident is None or not paragraphs:
        return None
    cites = r.raw.get("cites", [])
    if not isinstance(cites, list) or not all(isinstance(c, str) for c in cites):
        r.problem("cites", f"must be a list of leaflet locators such as [lungs.2], not {shown(cites)}")
        cites = []
    return ReadingPage(ident, title, source or "", tuple(paragraphs), section.id if section else None,
                       tuple(cites), r.text("rationale", required=False), r.line)


def _texts(r: Reader) -> list[Paragraph]:
    """`text`: one paragraph, or a list of paragraphs."""
    raw = r.raw.get("text")
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    if not items or not all(isinstance(t, str) and t.strip() for t in items):
        r.problem("text", f"must be a text or a list of texts (one per paragraph), not {shown(raw)}")
        return []
    return [Paragraph(None, " ".join(t.split())) for t in items]


def _section(kb: KnowledgeBase, r: Reader) -> Section | None:
    if "section" not in r.raw:
        return None
    ident = r.ident("section")
    if ident is None:
        return None
    if ident not in kb.section:
        r.problem("section", f"'{ident}' is not a section in sections.yaml; known: {', '.join(kb.section)}",
                  "unknown-id")
        return None
    return kb.section[ident]


def _workups(kb: KnowledgeBase, r: Reader) -> list[Paragraph]:
    raw = r.raw.get("workups")
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(w, str) for w in raw):
        r.problem("workups", f"must be a list of workup ids from workups.yaml, not {shown(raw)}")
        return []
    unknown = [w for w in raw if w not in kb.workup]
    if unknown:
        r.problem("workups", f"{', '.join(unknown)} not in workups.yaml; known: {', '.join(kb.workup)}",
                  "unknown-id")
    return [Paragraph(kb.workup[w].name, kb.workup[w].purpose) for w in raw if w in kb.workup]
