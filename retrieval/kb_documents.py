"""Knowledge-base documents: Markdown with YAML front matter, chunked by ``##`` heading.

A chunk's citation is ``<document id>#<heading slug>`` (``cash-flow#late-payers``): it stays the same as long
as the document id and the heading do. Long sections are split at paragraphs into ``…-part-2``, ``…-part-3``.
Operator files (text, HTML, PDF) are first converted to this Markdown form (:mod:`retrieval.kb_convert`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML ships no type information

MAX_CHUNK_CHARS = 1200  # MiniLM reads ~256 word pieces; longer text is silently truncated
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*#*\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Chunk:
    citation: str
    document_id: str
    title: str
    section: str
    text: str

    @property
    def hash(self) -> str:
        return hashlib.sha256(f"{self.title}\n{self.section}\n{self.text}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    body: str
    meta: dict[str, Any] = field(default_factory=dict)

    def chunks(self) -> list[Chunk]:
        return chunk_markdown(self.id, self.title, self.body)


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "section"


def parse_markdown(text: str, fallback_id: str) -> Document:
    """Markdown with optional front matter (``id``, ``title``, ``topics``, ``updated``, ``version``)."""
    meta: dict[str, Any] = {}
    body = text
    found = FRONT_MATTER.match(text)
    if found:
        loaded = yaml.safe_load(found.group(1))
        meta = loaded if isinstance(loaded, dict) else {}
        body = text[found.end() :]
    title = str(meta.get("title") or _first_heading(body) or fallback_id)
    return Document(id=slugify(str(meta.get("id") or fallback_id)), title=title, body=body, meta=meta)


def load_document(path: Path) -> Document:
    return parse_markdown(path.read_text(encoding="utf-8"), path.stem)


def _first_heading(body: str) -> str | None:
    found = HEADING.search(body)
    return found.group(2) if found else None


def chunk_markdown(document_id: str, title: str, body: str) -> list[Chunk]:
    """One chunk per ``##`` section (``###`` stay inside); the text before the first one is ``#overview``."""
    sections: list[tuple[str, list[str]]] = [("Overview", [])]
    for line in body.splitlines():
        heading = re.match(r"^##\s+(.+?)\s*#*\s*$", line)
        if heading:
            sections.append((heading.group(1).strip(), []))
        elif not re.match(r"^#\s+", line):
            sections[-1][1].append(line)
    chunks: list[Chunk] = []
    used: set[str] = set()
    for name, lines in sections:
        text = "\n".join(lines).strip()
        if not text:
            continue
        anchor = _unique(slugify(name), used)
        for part, piece in enumerate(_split(text), start=1):
            suffix = anchor if part == 1 else _unique(f"{anchor}-part-{part}", used)
            chunks.append(Chunk(f"{document_id}#{suffix}", document_id, title, name, piece))
    return chunks


def _unique(anchor: str, used: set[str]) -> str:
    candidate, n = anchor, 1
    while candidate in used:
        n += 1
        candidate = f"{anchor}-{n}"
    used.add(candidate)
    return candidate


def _split(text: str) -> list[str]:
    if len(text) <= MAX_CHUNK_CHARS:
        return [text]
    pieces: list[str] = []
    current = ""
    for paragraph in re.split(r"\n\s*\n", text):
        if current and len(current) + len(paragraph) + 2 > MAX_CHUNK_CHARS:
            pieces.append(current)
            current = ""
        current = f"{current}\n\n{paragraph}" if current else paragraph
        while len(current) > 2 * MAX_CHUNK_CHARS:  # one huge paragraph: cut at a sentence end
            cut = current.rfind(". ", 0, MAX_CHUNK_CHARS) + 1 or MAX_CHUNK_CHARS
            pieces.append(current[:cut].strip())
            current = current[cut:].strip()
    if current:
        pieces.append(current)
    return pieces


def to_markdown(document_id: str, title: str, sections: list[tuple[str, str]], **meta: Any) -> str:
    """Write a converted document in the playbook form, so one loader reads everything."""
    front = yaml.safe_dump({"id": document_id, "title": title, **meta}, sort_keys=False, allow_unicode=True)
    parts = [f"---\n{front}---\n", f"# {title}\n"]
    for heading, text in sections:
        parts.append(f"## {heading}\n\n{text.strip()}\n")
    return "\n".join(parts)
