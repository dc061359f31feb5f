"""The review sheet's building blocks (headings, paragraphs, tables, pictures, a sign-off form) and their two
renderings, HTML and Markdown. The sheet is built once as blocks, so both formats carry the same content."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import assert_never


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str = ""


@dataclass(frozen=True)
class Para:
    text: str
    css: str = ""


@dataclass(frozen=True)
class Items:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Pre:
    """Lines kept as written (a diff): <pre> in HTML, a fenced block in Markdown."""

    lines: tuple[str, ...]
    css: str = ""


@dataclass(frozen=True)
class Table:
    """Cells are plain text; a newline in a cell is a line break. `row_css` gives a class per row (or '')."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    css: str = ""
    row_css: tuple[str, ...] = ()


@dataclass(frozen=True)
class Picture:
    """An inline SVG (HTML only) and the same in words, shown under it in HTML and alone in Markdown."""

    svg: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    """A run of blocks kept together in print where it fits (a part of the sheet, e.g. one leaflet section)."""

    blocks: tuple[Block, ...]
    css: str = ""


Block = Heading | Para | Items | Pre | Table | Picture | Section


def _cell(text: str) -> str:
    return escape(text).replace("\n", "<br>")


def html_blocks(blocks: tuple[Block, ...] | list[Block]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        match block:
            case Heading(level, text, anchor):
                attribute = f" id='{escape(anchor)}'" if anchor else ""
                out.append(f"<h{level}{attribute}>{escape(text)}</h{level}>")
            case Para(text, css):
                out.append(f"<p{_class(css)}>{_cell(text)}</p>")
            case Items(items):
                out.append("<ul>" + "".join(f"<li>{_cell(i)}</li>" for i in items) + "</ul>")
            case Pre(text_lines, css):
                out.append(f"<pre{_class(css)}>" + escape("\n".join(text_lines)) + "</pre>")
            case Table(header, rows, css, row_css):
                out.append(f"<table{_class(css)}><thead><tr>" + "".join(f"<th>{_cell(h)}</th>" for h in header)
                           + "</tr></thead><tbody>")
                for index, row in enumerate(rows):
                    css_row = row_css[index] if index < len(row_css) else ""
                    out.append(f"<tr{_class(css_row)}>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>")
                out.append("</tbody></table>")
            case Picture(svg, words):
                listed = "".join(f"<li class='mono'>{escape(w)}</li>" for w in words)
                out.append(f"<figure class='picture'>{svg}<figcaption>In words (one line per rule):<ul>{listed}"
                           "</ul></figcaption></figure>")
            case Section(inner, css):
                out.append(f"<section{_class(css)}>")
                out += html_blocks(inner)
                out.append("</section>")
            case unknown:
                assert_never(unknown)
    return out


def _class(css: str) -> str:
    return f" class='{escape(css)}'" if css else ""


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def markdown_blocks(blocks: tuple[Block, ...] | list[Block]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        match block:
            case Heading(level, text, _):
                out += ["", "#" * level + " " + text]
            case Para(text, _):
                out += ["", text.replace("\n", "  \n")]
            case Items(items):
                out += [""] + [f"- {i}".replace("\n", " ") for i in items]
            case Pre(text_lines, _):
                fence = "```"
                while any(fence in line for line in text_lines):
                    fence += "`"
                out += ["", fence + "diff", *text_lines, fence]
            case Table(header, rows, _, _):
                out += ["", "| " + " | ".join(_md(h) or " " for h in header) + " |",
                        "|" + "---|" * len(header)]
                out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
            case Picture(_, words):
                out += ["", "In words (one line per rule):", ""] + [f"- `{w}`" for w in words]
            case Section(inner, _):
                out += markdown_blocks(inner)
            case unknown:
                assert_never(unknown)
    return out
