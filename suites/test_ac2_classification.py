"""AC2: an uploaded document is classified by whichever tier is available and stored correctly.

Every golden document is in Paperless-ngx unclassified (uploaded on its first use in the session, then
made new again for each run as an owner has documents reprocessed: ``Archive.golden``), Paperless-AI
is triggered, and Paperless-ngx must then store exactly the expected title, correspondent, document
type, tags (plus the processed tag) and created date, written by exactly one PATCH per document
(counted in Paperless-ngx's audit history from the run's start). Three runs prove "whichever tier is
available": all tiers up (every document served by vLLM), Gaming Mode (all by Ollama, none by vLLM),
vLLM and Ollama down (all by OpenAI). Which tier served a document is read from the tiers' journals,
matched by the document's content. Per-document latency per tier goes to ``classification.json``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from fixtures.api import AC2, AC3, Archive, Capability, RunFolder, Stack, latency_summary, load, require

pytestmark = [*AC2]

RUNS = [
    pytest.param((), "vllm", id="all-tiers-up"),
    pytest.param(("vllm",), "ollama", id="gaming-mode", marks=AC3),
    pytest.param(("vllm", "ollama"), "openai", id="vllm-and-ollama-down", marks=AC3),
]


@pytest.fixture(scope="module")
def classification(run_folder: RunFolder) -> Iterator[dict[str, dict[str, object]]]:
    """Per run: tier, wall time, per-document latencies; written as classification.json."""
    runs: dict[str, dict[str, object]] = {}
    yield runs
    if runs:
        per_tier: dict[str, list[float]] = {}
        for run in runs.values():
            per_tier.setdefault(str(run["tier"]), []).extend(run["latencies_s"])  # type: ignore[arg-type]
        run_folder.write_json(
            "classification.json",
            {
                "what": "per-document classification latency (fetch, thumbnail, LLM via LiteLLM, "
                "write-back), from Paperless-ngx's audit history; consumption: upload task created to "
                "done, from its task (when the session uploaded the document)",
                "per_tier": {tier: latency_summary(values) for tier, values in per_tier.items()},
                "runs": runs,
            },
        )


@pytest.mark.parametrize(("down", "tier"), RUNS)
def test_every_golden_document_is_stored_as_classified_by_the_available_tier(
    stack: Stack,
    archive: Archive,
    classification: dict[str, dict[str, object]],
    down: tuple[str, ...],
    tier: str,
) -> None:
    if down:
        require(stack, Capability.DISRUPTION)
    corpus = load().documents
    started = time.monotonic()
    with stack.down(*down):
        filed = archive.golden(corpus)
        scan_s = archive.classify()
        archive.wait_processed(filed)
        outcomes = archive.outcomes(filed)
        came_back = [gone for gone in down if stack.is_up(gone)]
    wall_s = time.monotonic() - started

    classification[tier] = {
        "tier": tier,
        "down": list(down),
        "documents": len(filed),
        "wall_s": round(wall_s, 3),
        "scan_s": round(scan_s, 3),
        "latencies_s": [round(o.latency_s, 4) for o in outcomes if o.latency_s],
        "latency": latency_summary([o.latency_s for o in outcomes if o.latency_s]),
        "consumption": latency_summary(
            [archive.consumption_s[f.doc_id] for f in filed if f.doc_id in archive.consumption_s]
        ),
    }
    wrong = [f"{o.name}: {'; '.join(o.problems)}" for o in outcomes if o.problems]
    assert not wrong, f"{len(wrong)} of {len(outcomes)} documents stored wrongly:\n" + "\n".join(wrong)
    patches = {o.name: o.patches for o in outcomes if o.patches not in (1, None)}
    assert not patches, f"each document must be written by exactly one PATCH; PATCH counts: {patches}"
    if Capability.JOURNALS in stack.capabilities:
        elsewhere = {o.name: o.served_by for o in outcomes if o.served_by != [tier]}
        assert not elsewhere, (
            f"with {list(down) or 'no tier'} down every document must be classified by {tier} alone; "
            f"served by: {elsewhere}"
        )
    assert not came_back, f"{came_back} came back during the run: the run proves nothing about fallback"
