"""Turn an operator's file (Markdown, text, HTML, PDF) into knowledge-base Markdown.

HTML is read with the standard library's ``html.parser`` (headings ``h1``–``h3`` become sections, scripts and
styles are dropped); PDF with ``pypdf`` (one section per page); plain text by paragraphs.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from pypdf import PdfReader

from network.errors import InvalidInput
from retrieval.kb_documents import parse_markdown, slugify, to_markdown

SUPPORTED = {".md", ".markdown", ".txt", ".text", ".html", ".htm", ".pdf"}
TEXT_SECTION_CHARS = 1000


def convert(path: Path) -> tuple[str, str]:
    """``(document id, markdown)`` for one file."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InvalidInput(f"unsupported document type {suffix or '(none)'}: use Markdown, text, HTML or PDF")
    fallback = slugify(path.stem)
    if suffix in {".md", ".markdown"}:
        text = path.read_text(encoding="utf-8", errors="replace")
        document = parse_markdown(text, fallback)
        if document.meta.get("id"):
            return document.id, text
        sections = [("Overview", document.body)]
        return fallback, to_markdown(fallback, document.title, sections, source=path.name)
    if suffix in {".html", ".htm"}:
        title, sections = html_sections(path.read_text(encoding="utf-8", errors="replace"))
    elif suffix == ".pdf":
        title, sections = pdf_sections(path)
    else:
        title, sections = text_sections(path.read_text(encoding="utf-8", errors="replace"))
    if not any(text.strip() for _, text in sections):
        raise InvalidInput(f"no text found in {path.name}")
    return fallback, to_markdown(fallback, title or path.stem, sections, source=path.name)


def text_sections(text: str) -> tuple[str, list[tuple[str, str]]]:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    title = paragraphs[0].splitlines()[0][:120] if paragraphs else ""
    sections: list[tuple[str, str]] = []
    current: list[str] = []
    for paragraph in paragraphs:
        current.append(paragraph)
        if sum(len(p) for p in current) >= TEXT_SECTION_CHARS:
            sections.append((f"Part {len(sections) + 1}", "\n\n".join(current)))
            current = []
    if current:
        sections.append((f"Part {len(sections) + 1}", "\n\n".join(current)))
    return title, sections


def pdf_sections(path: Path) -> tuple[str, list[tuple[str, str]]]:
    reader = PdfReader(str(path))
    title = str((reader.metadata.title if reader.metadata else None) or "")
    sections = [
        (f"Page {number}", (page.extract_text() or "").strip())
        for number, page in enumerate(reader.pages, start=1)
    ]
    return title, [(heading, text) for heading, text in sections if text]


class _HtmlText(HTMLParser):
    HEADINGS: ClassVar[frozenset[str]] = frozenset({"h1", "h2", "h3"})
    SKIP: ClassVar[frozenset[str]] = frozenset({"script", "style", "noscript", "template", "svg"})
    BLOCKS: ClassVar[frozenset[str]] = frozenset(
        {"p", "div", "li", "br", "tr", "section", "article", "ul", "ol", "table", "h4", "h5", "h6"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.sections: list[tuple[str, list[str]]] = [("Overview", [])]
        self._skip = 0
        self._heading: list[str] | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in self.HEADINGS:
            self._heading = []
        elif tag in self.BLOCKS:
            self.sections[-1][1].append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        elif tag == "title":
            self._in_title = False
        elif tag in self.HEADINGS and self._heading is not None:
            heading = " ".join("".join(self._heading).split())
            self._heading = None
            if heading:
                self.title = self.title or heading
                self.sections.append((heading, []))
        elif tag in self.BLOCKS:
            self.sections[-1][1].append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self.title = " ".join(f"{self.title} {data}".split())
        elif self._heading is not None:
            self._heading.append(data)
        else:
            self.sections[-1][1].append(data)


def html_sections(html: str) -> tuple[str, list[tuple[str, str]]]:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    sections = []
    for heading, pieces in parser.sections:
        lines = [" ".join(line.split()) for line in "".join(pieces).splitlines()]
        text = "\n\n".join(line for line in lines if line)
        if text:
            sections.append((heading, text))
    return parser.title, sections
