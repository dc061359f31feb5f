"""Reading the review sheet's HTML back as a person sees it: its text, its table rows, its pictures."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Page:
    text: list[str] = field(default_factory=list)  # every piece of text outside <style>, in order
    rows: list[list[str]] = field(default_factory=list)  # every table row, cells as text (<br> as a newline)
    headings: list[str] = field(default_factory=list)  # h1-h3 texts, in order
    svgs: list[str] = field(default_factory=list)  # each <svg>...</svg> as written

    @property
    def all_text(self) -> str:
        return " ".join(self.text)

    def rows_after(self, heading: str) -> list[list[str]]:
        """The table rows between the heading with this text and the next heading."""
        return [row for row, under in zip(self.rows, self._row_headings, strict=True) if under == heading]

    _row_headings: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._skip = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._heading: list[str] | None = None

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag in ("style", "svg"):
            self._skip += 1
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")
        elif tag in ("h1", "h2", "h3"):
            self._heading = []

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag in ("style", "svg"):
            self._skip -= 1
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.page.rows.append(self._row)
            self.page._row_headings.append(self.page.headings[-1] if self.page.headings else "")
            self._row = None
        elif tag in ("h1", "h2", "h3") and self._heading is not None:
            self.page.headings.append("".join(self._heading))
            self._heading = None

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self._skip:
            return
        self.page.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._heading is not None:
            self._heading.append(data)


def read_sheet(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    page = reader.page
    start = 0
    while (begin := html.find("<svg", start)) != -1:
        end = html.index("</svg>", begin) + len("</svg>")
        page.svgs.append(html[begin:end])
        start = end
    return page
