"""The golden corpus is what the issue asks for, and its PDFs carry exactly their source text."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from fixtures.core.errors import ManifestError
from fixtures.corpus import GOLDEN, load
from fixtures.corpus.pdf import text_pdf
from fixtures.doubles.tiers import answers


def test_the_corpus_has_twelve_documents_in_english_and_german_with_three_pdfs() -> None:
    documents = load().documents

    assert len(documents) >= 12
    assert {d.expected.language for d in documents} >= {"en", "de"}
    assert sum(d.upload.suffix == ".pdf" for d in documents) >= 3
    assert len({d.key for d in documents}) == len(documents), "two documents share a text"


def test_every_committed_pdf_is_rebuilt_byte_for_byte_and_extracts_to_its_document() -> None:
    corpus = load()
    for document in (d for d in corpus.documents if d.upload.suffix == ".pdf"):
        assert document.upload.read_bytes() == text_pdf(document.text), (
            f"{document.upload} is stale: rebuild it"
        )
        pages = PdfReader(io.BytesIO(document.upload.read_bytes())).pages
        assert corpus.match("\n".join(page.extract_text() or "" for page in pages)) == document


def test_each_tier_answers_a_golden_document_with_its_expected_classification() -> None:
    document = load().by_name("09-mietvertrag")
    prompt = "Return JSON with correspondent and document_type."

    vllm = answers.reply("vllm", prompt, document.text)
    ollama = answers.reply("ollama", prompt, document.text)

    assert vllm.startswith("{") and '"Hausverwaltung Sommer & Partner"' in vllm
    assert ollama.startswith("```json\n{") and ollama.endswith("\n```") and '"Vertrag"' in ollama


def test_a_document_with_a_line_added_or_cut_at_the_end_is_still_matched() -> None:
    corpus = load()
    document = corpus.documents[0]

    assert corpus.match(document.text + "\nScanned 2026-11-26") == document
    assert corpus.match(document.text[:300]) == document
    assert corpus.match("An unrelated letter.") is None


def test_a_golden_entry_without_an_expected_field_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "golden.yaml"
    broken.write_text(GOLDEN.read_text().replace("      correspondent: Telekom Deutschland GmbH\n", "", 1))

    with pytest.raises(ManifestError, match=r"documents\[0\]\.expected\.correspondent"):
        load.__wrapped__(broken)
