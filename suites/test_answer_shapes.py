"""NFR67 and AC3, what the models say: every answer shape a real model writes, served by each tier.

Whether classification survives Gaming Mode depends on how the CPU tier's small model writes its
JSON, and that is not known until it runs. So each shape below is served in turn by each tier
(vLLM up; Gaming Mode -> Ollama; vLLM and Ollama down -> OpenAI), through LiteLLM into the real
Paperless-AI. One copy of a golden document per shape is filed once, each with a line of its own
that the tier's fault is aimed at; per tier, one scan classifies them all. Before the next tier's
scan, the copies are made new again as an owner would to have them reprocessed: Paperless-AI's own
``POST /api/reset-documents`` forgets them, and their classification in Paperless-ngx is put back
as consumption left it (filing them anew would cost a consumption each, 0.3-5 s with Paperless-ngx
2.18.4's recycled Celery child). Each cell's outcome, read from Paperless-ngx alone:

- stored correctly: exactly the golden classification;
- nothing written: Paperless-AI gave up on the document, and (checked) the next scan, with the
  tier answering its default shape again, stores it correctly;
- wrong write: anything else written. NFR67 allows none, in any cell.

The matrix goes to ``answer-shapes.json`` and onto the sign-off as "answer shapes that stop
classification", with what an owner can do about each.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from fixtures.archive import Archive, Filed
from fixtures.corpus import load
from fixtures.criteria import AC3, NFR67
from fixtures.doubles.tiers.answers import DEFAULT_SHAPES, SHAPES
from fixtures.plugin import require
from fixtures.report.run_folder import RunFolder
from fixtures.stack.base import Capability, Stack
from fixtures.stack.paperless_side import Pipeline

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
                "default_shapes": DEFAULT_SHAPES,
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


@dataclass
class Copies:
    """The copies of the matrix, one per shape, filed once for every tier (see the module's docstring)."""

    archive: Archive
    filed: dict[str, Filed]
    consumed: dict[int, dict[str, Any]]  # document id -> the document as consumption left it
    file_s: float
    used: bool = False

    def fresh(self) -> dict[str, Filed]:
        """The copies, unclassified: as filed the first time, then renewed (``Archive.renew``)."""
        if self.used:
            renewed = self.archive.renew(list(self.filed.values()), self.consumed)
            self.filed = dict(zip(self.filed, renewed, strict=True))
        self.used = True
        return self.filed


@pytest.fixture(scope="module")
def copies(live_stack: Stack, live_pipeline: Pipeline) -> Iterator[Copies]:
    require(live_stack, Capability.FAULTS)
    if live_pipeline.warmup_problem:
        pytest.fail(f"Paperless-AI cannot classify: {live_pipeline.warmup_problem}", pytrace=False)
    archive = Archive(live_stack, live_pipeline)
    try:
        began = time.monotonic()
        document = load().by_name("01-telekom-rechnung")
        filed = dict(zip(CELLS, archive.file([document] * len(CELLS), marked=True), strict=True))
        consumed = archive.as_consumed(list(filed.values()))
        yield Copies(archive, filed, consumed, round(time.monotonic() - began, 2))
    finally:
        archive.cleanup()


def _row(stack: Stack, copies: Copies, tier: str) -> tuple[dict[str, dict[str, Any]], dict[str, float]]:
    """Each shape answered by ``tier`` for its own copy, one scan."""
    archive = copies.archive
    began = time.monotonic()
    first = not copies.used
    filed = copies.fresh()
    timings = {
        "file_s" if first else "reset_s": copies.file_s if first else round(time.monotonic() - began, 2)
    }
    control = stack.tier(tier)
    control.clear_journal()
    for shape, item in filed.items():  # each copy has a line of its own: the fault is aimed at it
        spec = dict(CELLS[shape][0])
        control.fault(spec.pop("kind"), match=item.marker, **spec)
    timings["scan_s"] = round(archive.classify(), 2)
    control.clear_faults()
    journals = {t: stack.tier(t).journal() for t in stack.tier_names if stack.is_up(t)}
    failures = archive.pipeline.ai.failures()
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
    copies: Copies,
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
        row, timings = _row(stack, copies, tier)
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
