"""NFR67 and AC3, what the models say: every answer shape a real model writes, served by each tier.

Whether classification survives Gaming Mode depends on how the CPU tier's small model writes its
JSON, and that is not known until it runs. So each shape below is served in turn by each tier
(vLLM up; Gaming Mode -> Ollama; vLLM and Ollama down -> OpenAI), through LiteLLM into the real
Paperless-AI, for one golden document. Each cell's outcome, read from Paperless-ngx alone:

- stored correctly: exactly the golden classification;
- nothing written: Paperless-AI gave up on the document, and (checked) the next scan, with the
  tier answering its default shape again, stores it correctly;
- wrong write: anything else written. NFR67 allows none, in any cell.

The matrix goes to ``answer-shapes.json`` and onto the sign-off as "answer shapes that stop
classification", with what an owner can do about each.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fixtures.archive import Archive
from fixtures.corpus import load
from fixtures.criteria import AC3, NFR67
from fixtures.plugin import require
from fixtures.reports import RunFolder
from fixtures.stack.base import Capability, Stack
from fixtures.tiers.answers import DEFAULT_SHAPES, SHAPES

pytestmark = [*NFR67, pytest.mark.shapes]

# shape -> (how a tier is told to answer it, what it looks like)
CELLS: dict[str, tuple[dict[str, Any], str]] = {
    **{name: ({"kind": "shape", "shape": name}, text) for name, (text, _) in SHAPES.items()},
    "think": ({"kind": "think"}, "a <think> block, then the tier's JSON"),
    "unterminated": ({"kind": "malformed"}, "JSON cut off before its end"),
    "no_usage": ({"kind": "no_usage"}, "no usage (token counts) in the answer"),
    "cut_connection": ({"kind": "reset"}, "the connection closed halfway through the answer"),
}
TIERS = [
    pytest.param((), "vllm", id="vllm"),
    pytest.param(("vllm",), "ollama", id="ollama-gaming-mode", marks=AC3),
    pytest.param(("vllm", "ollama"), "openai", id="openai", marks=AC3),
]
WHAT_TO_DO = {
    "sentence_fence": "SYSTEM_PROMPT: answer with the JSON object only; Ollama: `format: json` "
    "(LiteLLM `response_format: {type: json_object}`); a Paperless-AI that extracts the {...} object",
    "prose": "as for sentence_fence",
    "trailing_sentence": "as for sentence_fence",
    "tags_string": "SYSTEM_PROMPT: `tags` is a JSON array of strings; a JSON schema (`response_format`)",
    "correspondent_null": "SYSTEM_PROMPT: always name a correspondent (e.g. `Unknown`): 3.0.9 refuses "
    "a null one",
    "empty": "a larger context or token budget for the model (Ollama `num_ctx`, RESPONSE_TOKENS)",
    "unterminated": "raise the model's output budget (RESPONSE_TOKENS, Ollama `num_predict`)",
    "cut_connection": "nothing on the model side: a network or tier failure; LiteLLM's fallback covers it",
    "think": "nothing: LiteLLM moves the block to reasoning_content",
    "no_usage": "nothing: LiteLLM fills usage in",
}


@pytest.fixture(scope="module")
def matrix(run_folder: RunFolder) -> Iterator[dict[str, dict[str, dict[str, Any]]]]:
    """tier -> shape -> cell, written as answer-shapes.json."""
    cells: dict[str, dict[str, dict[str, Any]]] = {}
    yield cells
    if cells:
        stopping = sorted(
            {shape for row in cells.values() for shape, cell in row.items() if cell["outcome"] != "stored"}
        )
        run_folder.write_json(
            "answer-shapes.json",
            {
                "version": 1,
                "default_shapes": DEFAULT_SHAPES,
                "shapes": {name: what for name, (_, what) in CELLS.items()},
                "matrix": cells,
                "stop_classification": [
                    {
                        "shape": shape,
                        "what": CELLS[shape][1],
                        "tiers": sorted(
                            t for t, row in cells.items() if row.get(shape, {}).get("outcome") != "stored"
                        ),
                        "owner_can": WHAT_TO_DO.get(shape, ""),
                    }
                    for shape in stopping
                ],
            },
        )


def _cell(stack: Stack, archive: Archive, tier: str, shape: str) -> dict[str, Any]:
    """One document answered by ``tier`` in ``shape``; what Paperless-ngx stores then."""
    spec, _ = CELLS[shape]
    document = load().by_name("01-telekom-rechnung")
    (item,) = archive.file([document])
    control = stack.tier(tier)
    control.clear_journal()
    params = {k: v for k, v in spec.items() if k != "kind"}
    control.fault(spec["kind"], **params)
    archive.classify()
    control.clear_faults()
    answered = [e for e in control.journal() if e["digest"] == item.content_digest]
    served = sorted(
        t
        for t in stack.tier_names
        if stack.is_up(t)
        and any(e["digest"] == item.content_digest and e["status"] == 200 for e in stack.tier(t).journal())
    )
    (outcome,) = archive.outcomes([item])
    written = archive.processed(item)
    cell: dict[str, Any] = {
        "answered_by_tier": len(answered),
        "fault_seen": sorted({str(e["fault"]) for e in answered}),
        "served_by": served,
        "paperless_ai_error": (archive.pipeline.ai.failures().get(item.doc_id) or [None])[-1],
    }
    if written:
        cell["outcome"] = "wrong write" if outcome.problems else "stored"
        cell["problems"] = outcome.problems
        return cell
    cell["outcome"] = "nothing written"
    archive.classify()  # the tier answers its default shape again: the document must now be stored
    (retried,) = archive.outcomes([item])
    cell["next_scan"] = "stored" if archive.processed(item) and not retried.problems else "not stored"
    return cell


@pytest.mark.parametrize(("down", "tier"), TIERS)
def test_no_answer_shape_served_by_a_tier_leads_to_a_wrong_write(
    stack: Stack,
    archive: Archive,
    matrix: dict[str, dict[str, dict[str, Any]]],
    down: tuple[str, ...],
    tier: str,
) -> None:
    require(stack, Capability.FAULTS)
    require(stack, Capability.JOURNALS)
    if down:
        require(stack, Capability.DISRUPTION)
    row: dict[str, dict[str, Any]] = {}
    matrix[tier] = row
    with stack.down(*down):
        for shape in CELLS:
            cell_archive = Archive(stack, archive.pipeline)  # one per cell: its document is deleted after
            try:
                row[shape] = _cell(stack, cell_archive, tier, shape)
            finally:
                cell_archive.cleanup()

    unexercised = [s for s, cell in row.items() if not cell["answered_by_tier"]]
    assert not unexercised, f"{tier} was never asked for the document in these cells: {unexercised}"
    wrong = {s: cell["problems"] for s, cell in row.items() if cell["outcome"] == "wrong write"}
    assert not wrong, f"answer shapes from {tier} that led to a wrong write in Paperless-ngx: {wrong}"
    lost = [s for s, cell in row.items() if cell.get("next_scan") == "not stored"]
    assert not lost, (
        f"after these shapes from {tier}, the next scan did not store the document either: {lost}"
    )
