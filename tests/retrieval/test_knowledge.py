"""The knowledge base: playbooks chunked by heading with stable citations; operator files of four kinds."""

from pathlib import Path

import pytest

from network.errors import InvalidInput
from retrieval.embedder import FakeEmbedder
from retrieval.index import ChromaIndex
from retrieval.kb_documents import MAX_CHUNK_CHARS, chunk_markdown, parse_markdown
from retrieval.knowledge import KnowledgeBase, packaged_playbooks

PLAYBOOK = """---
id: cash-flow
title: "Cash flow basics"
topics: [cash flow, late payers]
updated: "2026-11-01"
version: 1
---

# Cash flow basics

Why cash matters more than profit for a small firm.

## Late payers

Chase invoices on day one after the due date; offer card payment links; stop work at 60 days overdue.

## Forecasting

Keep a 13-week cash-flow forecast and update it every Monday.
"""


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with Helvetica text (enough for pypdf's text extraction)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    playbooks = tmp_path / "playbooks"
    playbooks.mkdir()
    (playbooks / "cash-flow.md").write_text(PLAYBOOK)
    (playbooks / "README.md").write_text("# About this folder\n\nNot a playbook.\n")
    return KnowledgeBase(
        ChromaIndex(path=tmp_path / "chroma"), FakeEmbedder(), tmp_path / "library", playbooks=playbooks
    )


def test_chunks_by_heading_with_stable_citations() -> None:
    document = parse_markdown(PLAYBOOK, "fallback")
    assert document.id == "cash-flow" and document.title == "Cash flow basics"
    assert document.meta["topics"] == ["cash flow", "late payers"]
    citations = [c.citation for c in document.chunks()]
    assert citations == ["cash-flow#overview", "cash-flow#late-payers", "cash-flow#forecasting"]
    assert citations == [c.citation for c in parse_markdown(PLAYBOOK, "x").chunks()]


def test_long_sections_split_at_paragraphs_and_repeated_headings_stay_unique() -> None:
    paragraph = "A sentence about pricing. " * 30
    body = "## Pricing\n\n" + "\n\n".join([paragraph] * 4) + "\n\n## Pricing\n\nAgain."
    chunks = chunk_markdown("p", "Pricing", body)
    expected = ["p#pricing", "p#pricing-part-2", "p#pricing-part-3", "p#pricing-part-4", "p#pricing-2"]
    assert [c.citation for c in chunks] == expected
    assert len({c.citation for c in chunks}) == len(chunks)
    assert all(len(c.text) <= 2 * MAX_CHUNK_CHARS for c in chunks)


def test_search_cites_the_right_section_and_readme_is_not_a_document(kb: KnowledgeBase) -> None:
    hits = kb.search("customers paying invoices late, overdue accounts", k=2)
    assert hits[0].citation == "cash-flow#late-payers"
    assert hits[0].title == "Cash flow basics" and hits[0].section == "Late payers"
    assert "Chase invoices" in hits[0].text
    assert all(not h.citation.startswith("readme") for h in kb.search("about this folder", k=5))


def test_sync_is_idempotent_and_drops_vanished_sections(kb: KnowledgeBase) -> None:
    assert kb.sync() == 3
    assert kb.sync() == 0
    (kb.playbooks / "cash-flow.md").write_text(PLAYBOOK.replace("## Forecasting", "## Planning ahead"))
    assert kb.sync() == 1
    assert sorted(kb.index.ids(kb.collection)) == [
        "cash-flow#late-payers",
        "cash-flow#overview",
        "cash-flow#planning-ahead",
    ]


def test_ingest_markdown_text_html_and_pdf(kb: KnowledgeBase, tmp_path: Path) -> None:
    docs = tmp_path / "operator"
    docs.mkdir()
    (docs / "grants.md").write_text("# Local grants\n\n## Green grant\n\nUp to 5,000 for heat pumps.\n")
    (docs / "hours.txt").write_text("Opening hours\n\nOur shops open at 9 on weekdays.\n")
    (docs / "export.html").write_text(
        "<html><head><title>Export help</title><style>p{color:red}</style></head><body>"
        "<h2>Customs forms</h2><p>File the CN22 form for parcels under 270 pounds.</p>"
        "<script>alert('x')</script></body></html>"
    )
    (docs / "tariff.pdf").write_bytes(minimal_pdf("Broadband tariff for small offices costs 30 a month"))
    (docs / "ignored.bin").write_bytes(b"\x00\x01")
    ids = kb.ingest(docs)
    assert sorted(ids) == ["export", "grants", "hours", "tariff"]
    assert kb.search("heat pump grant", k=1)[0].citation == "grants#green-grant"
    assert kb.search("CN22 customs form for parcels", k=1)[0].citation == "export#customs-forms"
    assert kb.search("broadband tariff small offices", k=1)[0].citation == "tariff#page-1"
    assert kb.search("shop opening hours weekdays", k=1)[0].citation == "hours#part-1"
    html = (kb.library / "export.md").read_text()
    assert "alert" not in html and "color:red" not in html and "title: Export help" in html


def test_ingest_refuses_unknown_types_and_missing_paths(kb: KnowledgeBase, tmp_path: Path) -> None:
    from network.errors import NotFound

    (tmp_path / "x.docx").write_bytes(b"PK")
    with pytest.raises(InvalidInput):
        kb.ingest(tmp_path / "x.docx")
    with pytest.raises(NotFound):
        kb.ingest(tmp_path / "missing.md")


def test_the_shipped_playbooks_are_well_formed() -> None:
    kb = KnowledgeBase(ChromaIndex(path=Path("/nonexistent")), FakeEmbedder(), Path("/nonexistent"))
    documents = kb.documents()
    assert len(documents) >= 10 and packaged_playbooks().is_dir()
    citations = [c.citation for c in kb.chunks()]
    assert len(citations) == len(set(citations))
    for document in documents:
        assert {"id", "title", "topics", "updated", "version"} <= set(document.meta), document.id
        assert len(document.chunks()) >= 5, document.id
