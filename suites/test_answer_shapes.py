"""NFR67 and AC3, what the models say: every answer shape a real model writes, served by each tier.

Whether classification survives Gaming Mode depends on how the CPU tier's small model writes its
JSON, and that is not known until it runs. So each shape below is served in turn by each tier
(vLLM up; Gaming Mode -> Ollama; vLLM and Ollama down -> OpenAI), through LiteLLM into the real
Paperless-AI. Each shape gets a golden document of its own (the session's, ``Archive.golden``: filed
once, then made new again for each test as an owner has documents reprocessed), each with a line of
its own that the tier's fault is aimed at; per tier, one scan classifies them all. Each cell's
outcome, read from Paperless-ngx alone:

- stored correctly: exactly the golden classification;
- nothing written: Paperless-AI gave up on the document, and (checked) the next scan, with the
  tier answering its default shape again, stores it correctly;
- wrong write: anything else written. NFR67 allows none, in any cell.

The matrix goes to ``answer-shapes.json`` and onto the sign-off as "answer shapes that stop
classification", with what an owner can do about each.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import pytest

from fixtures.api import (
    AC3,
    DEFAULT_SHAPES,
    NFR67,
    SHAPES,
    Archive,
    Capability,
    Document,
    FaultKind,
    FaultSpec,
    RunFolder,
    Stack,
    load,
    require,
)

pytestmark = [*NFR67, pytest.mark.shapes]

# shape -> (how a tier is told to answer it, what it looks like)
CELLS: dict[str, tuple[FaultSpec, str]] = {
    **{name: (FaultSpec(FaultKind.SHAPE, shape=name), text) for name, (text, _) in SHAPES.items()},
    "think": (FaultSpec(FaultKind.THINK), "a <think> block, then the tier's JSON"),
    "unterminated": (FaultSpec(FaultKind.MALFORMED), "JSON cut off before its end"),
    "no_usage": (FaultSpec(FaultKind.NO_USAGE), "no usage (token counts) in the answer"),
    "cut_connection": (FaultSpec(FaultKind.RESET), "the connection closed halfway through the answer"),
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
    "cut_connection": "nothing on the model side (a network or tier failure): the next tier of the chain "
    "covers it, and after the last one the document waits for the next scan",
    "think": "nothing: LiteLLM moves the block to reasoning_content",
    "no_usage": "nothing: LiteLLM fills usage in",
}


@pytest.fixture(scope="module")
def seconds() -> dict[str, dict[str, float]]:
    """tier -> how long filing, the scan and the next scan took (s), for the report."""
    return {}


@pytest.fixture(scope="module")
def matrix(
    run_folder: RunFolder, seconds: dict[str, dict[str, float]]
) -> Iterator[dict[str, dict[str, dict[str, Any]]]]:
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
                "default_shapes": dict(DEFAULT_SHAPES),
                "seconds": seconds,
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


def _documents() -> list[Document]:
    """One golden document per cell: the corpus in order, then a second copy of its first ones."""
    corpus = load().documents
    return [corpus[i % len(corpus)] for i in range(len(CELLS))]


def _row(stack: Stack, archive: Archive, tier: str) -> tuple[dict[str, dict[str, Any]], dict[str, float]]:
    """Each shape answered by ``tier`` for its own document, one scan."""
    began = time.monotonic()
    filed = dict(zip(CELLS, archive.golden(_documents()), strict=True))
    timings = {"lend_s": round(time.monotonic() - began, 2)}  # filed on first use, else renewed
    control = stack.tier(tier)
    control.clear_journal()
    for shape, item in filed.items():  # each copy has a line of its own: the fault is aimed at it
        control.fault(dataclasses.replace(CELLS[shape][0], match=item.marker))
    timings["scan_s"] = round(archive.classify(), 2)
    control.clear_faults()
    journals = {t: stack.tier(t).journal() for t in stack.tier_names if stack.is_up(t)}
    failures = archive.failures(list(filed.values()))
    row: dict[str, dict[str, Any]] = {}
    for (shape, item), outcome in zip(filed.items(), archive.outcomes(list(filed.values())), strict=True):
        answered = [e for e in journals[tier] if e["digest"] == item.content_digest]
        written = archive.processed(item)
        row[shape] = {
            "answered_by_tier": len(answered),
            "fault_seen": sorted({str(e["fault"]) for e in answered}),
            "served_by": outcome.served_by,
            "paperless_ai_error": (failures.get(item.doc_id) or [None])[-1],
            "outcome": ("wrong write" if outcome.problems else "stored") if written else "nothing written",
            "problems": outcome.problems if written else [],
        }
    retry = [item for shape, item in filed.items() if row[shape]["outcome"] == "nothing written"]
    if retry:
        timings["next_scan_s"] = round(archive.classify(), 2)  # default shape again: now stored
        for item, outcome in zip(retry, archive.outcomes(retry), strict=True):
            shape = next(s for s, i in filed.items() if i is item)
            ok = archive.processed(item) and not outcome.problems
            row[shape]["next_scan"] = "stored" if ok else "not stored"
    return row, timings


@pytest.mark.parametrize(("down", "tier"), TIERS)
def test_no_answer_shape_served_by_a_tier_leads_to_a_wrong_write(
    stack: Stack,
    archive: Archive,
    matrix: dict[str, dict[str, dict[str, Any]]],
    seconds: dict[str, dict[str, float]],
    down: tuple[str, ...],
    tier: str,
) -> None:
    require(stack, Capability.FAULTS)
    require(stack, Capability.JOURNALS)
    if down:
        require(stack, Capability.DISRUPTION)
    with stack.down(*down):
        row, timings = _row(stack, archive, tier)
    matrix[tier] = row
    seconds[tier] = timings

    unexercised = [s for s, cell in row.items() if not cell["answered_by_tier"]]
    assert not unexercised, f"{tier} was never asked for the document in these cells: {unexercised}"
    wrong = {s: cell["problems"] for s, cell in row.items() if cell["outcome"] == "wrong write"}
    assert not wrong, f"answer shapes from {tier} that led to a wrong write in Paperless-ngx: {wrong}"
    lost = [s for s, cell in row.items() if cell.get("next_scan") == "not stored"]
    assert not lost, (
        f"after these shapes from {tier}, the next scan did not store the document either: {lost}"
    )
