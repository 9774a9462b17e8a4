"""NFR67 for a document longer than vLLM's context: degraded, never stored wrongly, in every mode.

The owner's vLLM runs with ``--max-model-len 8192``; a household archive holds documents longer than
that (a utility statement of ~48,000 characters). Paperless-AI 3.0.9 cuts a document only at its
``TOKEN_LIMIT`` (128,000 by default), so the whole text reaches LiteLLM; vLLM refuses it with its
400 ("maximum context length"). What happens next is the configuration's: LiteLLM may fall back,
Ollama may truncate silently (the mock records whether the prompt exceeded its context), or nothing
is written. This suite does not prescribe which: it proves that whatever is written is the right
classification, and reports per mode what happened (``long-document.json``: which tier answered
what, whether anything was written).
"""

from __future__ import annotations

import pytest

from fixtures.api import NFR67, Archive, Capability, Stack, load, normalize, require

pytestmark = [*NFR67]

MODES = [
    pytest.param((), id="all-tiers-up"),
    pytest.param(("vllm",), id="gaming-mode"),
    pytest.param(("vllm", "ollama"), id="vllm-and-ollama-down"),
]


@pytest.mark.parametrize("down", MODES)
def test_a_document_longer_than_vllms_context_is_never_stored_wrongly(
    stack: Stack, archive: Archive, findings: dict[str, list[dict[str, object]]], down: tuple[str, ...]
) -> None:
    if down:
        require(stack, Capability.DISRUPTION)
    document = load().long[0]
    with stack.down(*down):
        archive.clear_journals()
        filed = archive.golden([document])
        archive.classify()
        written = archive.processed(filed[0])
        outcome = archive.outcomes(filed)[0]
        asked = _asked(archive, filed[0].document.text)

    findings.setdefault("long-document", []).append(
        {
            "document": document.name,
            "characters": len(document.text),
            "down": list(down),
            "written": written,
            "stored": {"title": outcome.stored.title, "tags": sorted(outcome.stored.tags)}
            if written
            else None,
            "tiers_asked": asked,
            "paperless_ai_failures": archive.failures(filed).get(filed[0].doc_id, []),
        }
    )
    if written:
        assert not outcome.problems, (
            f"{document.name} ({len(document.text)} characters) was written, wrongly, with "
            f"{list(down) or 'no tier'} down: {'; '.join(outcome.problems)}; tiers asked: {asked}"
        )


def _asked(archive: Archive, text: str) -> dict[str, list[object]]:
    """Per tier, each completion that carried this document (whole or cut at its end): its status, and
    where the tier has a context window (Ollama's num_ctx), whether the prompt was over it: a real
    Ollama then classifies from a cut prompt, which no mock can show the effect of."""
    key = normalize(text)
    found: dict[str, list[object]] = {}
    for tier, entries in archive.journals().items():
        for entry in entries:
            excerpt = normalize(str(entry.get("excerpt") or ""))
            if excerpt and key.startswith(excerpt[:200]):
                extra, status = entry.get("extra") or {}, entry.get("status")
                if extra.get("over_context"):
                    tokens, window = extra.get("prompt_tokens_estimate"), extra.get("num_ctx")
                    status = f"{status} (~{tokens} tokens, over num_ctx {window})"
                found.setdefault(tier, []).append(status)
    return found
