"""A small document (headings, paragraphs, tables, charts) written as one self-contained HTML
file (charts embedded) or as Markdown with the charts as PNG files beside it."""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #bbb; padding: 0.25rem 0.6rem; text-align: left; }
td.n { text-align: right; } th { background: #eee; }
figure { margin: 1rem 0; } img { max-width: 100%; } figcaption { font-size: 0.9rem; }
"""


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Chart:
    filename: str
    caption: str
    png: bytes


Block = Heading | Paragraph | Table | Chart


def _numeric(cell: str) -> bool:
    return bool(cell) and (cell[0].isdigit() or cell == "—")


def to_html(title: str, language: str, blocks: list[Block]) -> str:
    """One HTML file with everything in it, the charts as data URIs."""
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{html.escape(language)}"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for block in blocks:
        if isinstance(block, Heading):
            out.append(f"<h{block.level}>{html.escape(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            out.append(f"<p>{html.escape(block.text)}</p>")
        elif isinstance(block, Table):
            head = "".join(f"<th>{html.escape(cell)}</th>" for cell in block.header)
            rows = "".join(
                "<tr>"
                + "".join(
                    f'<td class="n">{html.escape(c)}</td>'
                    if _numeric(c)
                    else f"<td>{html.escape(c)}</td>"
                    for c in row
                )
                + "</tr>"
                for row in block.rows
            )
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        else:
            data = base64.b64encode(block.png).decode("ascii")
            caption = html.escape(block.caption)
            out.append(
                f'<figure><img src="data:image/png;base64,{data}" alt="{caption}">'
                f"<figcaption>{caption}</figcaption></figure>"
            )
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    """Text safe in a Markdown table cell or paragraph."""
    escaped = text.replace("\\", "\\\\").replace("|", "\\|")
    for mark in ("*", "_", "`", "[", "]", "<", ">", "#"):
        escaped = escaped.replace(mark, "\\" + mark)
    return escaped.replace("\n", " ")


def to_markdown(title: str, blocks: list[Block]) -> str:
    """Markdown that refers to each chart by its file name (the PNGs are written beside it)."""
    out = [f"# {_md(title)}", ""]
    for block in blocks:
        if isinstance(block, Heading):
            out += ["#" * block.level + " " + _md(block.text), ""]
        elif isinstance(block, Paragraph):
            out += [_md(block.text), ""]
        elif isinstance(block, Table):
            out.append("| " + " | ".join(_md(c) for c in block.header) + " |")
            out.append(
                "|" + "|".join("---:" if _numeric(c) else "---" for c in _first(block)) + "|"
            )
            out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in block.rows]
            out.append("")
        else:
            out += [f"![{_md(block.caption)}]({block.filename})", ""]
    return "\n".join(out)


def _first(table: Table) -> list[str]:
    """The first row, which decides each column's alignment (the header if there is none)."""
    return table.rows[0] if table.rows else table.header
