"""The knowledge base the assistant cites: the shipped playbooks plus the operator's own documents.

Documents live as Markdown files (playbooks in the package, operator documents converted into
``<home>/kb``); the vector collection ``l8-<tenant>-kb`` is a cache of their chunks, kept in step by content
hash, so it can always be rebuilt from the files.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from network.errors import InvalidInput, NotFound
from retrieval.embedder import Embedder, Vectors
from retrieval.index import ErasableIndex, VectorRecord, collection_name
from retrieval.kb_convert import SUPPORTED, convert
from retrieval.kb_documents import Chunk, Document, load_document
from retrieval.profiles_index import content_hash

logger = logging.getLogger(__name__)
_NOT_A_TOPIC = re.compile(r"^(how your network|worked example|licence|format|adding your own|overview)", re.I)
_TOPIC_PART = re.compile(r",? part (?:one|two|\d+)\b.*$| \(part \d+\)$", re.I)


@dataclass(frozen=True)
class Hit:
    citation: str
    title: str
    section: str
    text: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def packaged_playbooks() -> Path:
    return Path(str(resources.files("retrieval") / "kb" / "playbooks"))


class KnowledgeBase:
    def __init__(
        self,
        index: ErasableIndex,
        embedder: Embedder,
        library: Path,
        *,
        playbooks: Path | None = None,
        tenant: str = "default",
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.library = library
        self.playbooks = playbooks if playbooks is not None else packaged_playbooks()
        self.collection = collection_name(tenant, "kb")
        self._synced = False

    def documents(self) -> list[Document]:
        """Playbooks first; an operator document with the same id replaces the playbook.

        Only files with an ``id`` in their front matter are documents (a folder's README is not).
        """
        found: dict[str, Document] = {}
        for folder in (self.playbooks, self.library):
            if folder.is_dir():
                for path in sorted(folder.glob("*.md")):
                    document = load_document(path)
                    if document.meta.get("id"):
                        found[document.id] = document
        return list(found.values())

    def chunks(self) -> list[Chunk]:
        return [chunk for document in self.documents() for chunk in document.chunks()]

    def topics(self) -> list[str]:
        return topics(self.chunks())

    def sync(self) -> int:
        """Index new or changed chunks, drop vanished ones; returns how many chunks were embedded."""
        chunks = {chunk.citation: chunk for chunk in self.chunks()}
        known = self.index.hashes(self.collection, list(chunks))
        model = self.embedder.name
        fresh = [c for citation, c in chunks.items() if known.get(citation) != content_hash(model, c.hash)]
        if fresh:
            vectors = self.embedder.embed([f"{c.title}. {c.section}. {c.text}" for c in fresh])
            records = [_record(c, vectors[i], content_hash(model, c.hash)) for i, c in enumerate(fresh)]
            self.index.upsert(self.collection, records)
        stale = set(self.index.ids(self.collection)) - set(chunks)
        for citation in stale:
            self.index.remove(self.collection, {"citation": citation})
        self._synced = True
        logger.info("knowledge base: %d chunks, %d embedded, %d dropped", len(chunks), len(fresh), len(stale))
        return len(fresh)

    def ingest(self, path: Path) -> list[str]:
        """Add an operator's file, or every supported file under a folder; returns the document ids."""
        if not path.exists():
            raise NotFound(f"no such file or folder: {path}")
        files = (
            sorted(p for p in path.rglob("*") if p.suffix.lower() in SUPPORTED) if path.is_dir() else [path]
        )
        if not files:
            raise InvalidInput(f"no Markdown, text, HTML or PDF files in {path}")
        self.library.mkdir(parents=True, exist_ok=True)
        ids = []
        for file in files:
            document_id, markdown = convert(file)
            (self.library / f"{document_id}.md").write_text(markdown, encoding="utf-8")
            ids.append(document_id)
        self.sync()
        return ids

    def search(self, query: str, k: int = 5) -> list[Hit]:
        if not query.strip():
            return []
        if not self._synced:
            self.sync()
        vector = self.embedder.embed([query])[0]
        return [
            Hit(
                citation=hit.id,
                title=str(hit.metadata.get("title", "")),
                section=str(hit.metadata.get("section", "")),
                text=hit.document,
                score=round(hit.score, 4),
            )
            for hit in self.index.query(self.collection, vector, k)
        ]


def topics(chunks: Iterable[Chunk]) -> list[str]:
    """The section headings that name a business topic ("Safety stock and reorder points"), each once:
    what a question for the playbooks sounds like. Not those that would sound like other requests ("How
    your network can help with hiring" is a request for an introduction) or name no topic."""
    found = (_TOPIC_PART.sub("", chunk.section).strip() for chunk in chunks)
    return sorted({heading for heading in found if heading and not _NOT_A_TOPIC.match(heading)})


def playbook_topics() -> list[str]:
    """:func:`topics` of the packaged playbooks alone (no index needed)."""
    folder = packaged_playbooks()
    documents = (load_document(path) for path in sorted(folder.glob("*.md")))
    return topics(chunk for document in documents if document.meta.get("id") for chunk in document.chunks())


def _record(chunk: Chunk, vector: Vectors, digest: str) -> VectorRecord:
    return VectorRecord(
        id=chunk.citation,
        vector=vector,
        document=chunk.text,
        metadata={
            "citation": chunk.citation,
            "source": chunk.document_id,
            "title": chunk.title,
            "section": chunk.section,
            "hash": digest,
        },
    )
