"""Typed fault specs (``FaultKind``, ``FaultSpec``): only what a tier takes can be made, and what
``TierControl.fault`` sends is the JSON the control surface always took."""

from __future__ import annotations

import dataclasses
import json

import httpx
import pytest
from starlette.testclient import TestClient

from fixtures.doubles.tiers.app import build_app
from fixtures.doubles.tiers.faults import KINDS, FaultKind, FaultSpec, FaultSpecError
from fixtures.tier_control import TierControl

# One spec of each kind, as small as the kind allows
EACH_KIND = {
    FaultKind.HANG: FaultSpec(FaultKind.HANG),
    FaultKind.ERROR: FaultSpec(FaultKind.ERROR, status=503),
    FaultKind.SLOW: FaultSpec(FaultKind.SLOW, delay_s=0.1),
    FaultKind.SLOW_BODY: FaultSpec(FaultKind.SLOW_BODY, delay_s=0.1),
    FaultKind.MALFORMED: FaultSpec(FaultKind.MALFORMED),
    FaultKind.RESET: FaultSpec(FaultKind.RESET),
    FaultKind.CUT: FaultSpec(FaultKind.CUT, after_bytes=10),
    FaultKind.THINK: FaultSpec(FaultKind.THINK),
    FaultKind.SHAPE: FaultSpec(FaultKind.SHAPE, shape="prose"),
    FaultKind.NO_USAGE: FaultSpec(FaultKind.NO_USAGE),
    FaultKind.COLD_START: FaultSpec(FaultKind.COLD_START, delay_s=0.1),
}


def test_the_kinds_are_the_ones_the_tier_takes() -> None:
    assert tuple(FaultKind) == KINDS and set(EACH_KIND) == set(FaultKind)


def control_of(flavour: str) -> tuple[TierControl, TestClient]:
    """A harness handle on an in-process tier of ``flavour``, and the tier's own test client."""
    tier = TestClient(build_app(flavour))

    def forward(request: httpx.Request) -> httpx.Response:
        answer = tier.request(request.method, request.url.path, content=request.content)
        return httpx.Response(answer.status_code, content=answer.content, headers=answer.headers)

    return TierControl(flavour, "http://tier", httpx.Client(transport=httpx.MockTransport(forward))), tier


@pytest.mark.parametrize("kind", list(FaultKind), ids=str)
def test_every_kind_is_armed_on_a_tier(kind: FaultKind) -> None:
    flavour = "ollama" if kind is FaultKind.COLD_START else "vllm"
    control, _ = control_of(flavour)

    armed = control.fault(EACH_KIND[kind])

    assert armed["kind"] == kind.value


def test_an_unknown_kind_cannot_be_made() -> None:
    with pytest.raises(FaultSpecError, match=r"kind must be one of \['hang', 'error'.*got 'hung'"):
        FaultKind("hung")
    with pytest.raises(FaultSpecError, match="kind must be a FaultKind"):
        FaultSpec("hang")  # type: ignore[arg-type]  # a plain string: no longer a kind


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        (lambda: FaultSpec(FaultKind.ERROR, status=299), "status must be one of"),
        (lambda: FaultSpec(FaultKind.SHAPE, shape="sonnet"), "shape must be one of"),
        (lambda: FaultSpec(FaultKind.SHAPE), "shape must be one of"),
        (lambda: FaultSpec(FaultKind.CUT), "after_bytes must be a non-negative integer"),
        (lambda: FaultSpec(FaultKind.ERROR, seed=3), "seed needs a rate"),
        (lambda: FaultSpec(FaultKind.ERROR, rate=1.5), "rate must be a number"),
        (lambda: FaultSpec(FaultKind.COLD_START, delay_s=1.0, rate=0.5), "rate does not apply to cold_start"),
        (lambda: FaultSpec(FaultKind.HANG, count=0), "count must be a positive integer"),
        (lambda: FaultSpec(FaultKind.HANG, status=503), r"status does not apply to hang \(only to error\)"),
        (lambda: FaultSpec(FaultKind.ERROR, shape="prose"), "shape does not apply to error"),
        (lambda: dataclasses.replace(FaultSpec(FaultKind.THINK), match=""), "match must be a non-empty"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_spec_the_tier_would_refuse_fails_when_made(spec: object, error: str) -> None:
    with pytest.raises(FaultSpecError, match=error):
        spec()  # type: ignore[operator]


def _sent(spec: FaultSpec) -> tuple[str, str, object]:
    """(method, path, JSON body) of the request ``TierControl.fault`` makes for ``spec``."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"fault": {"kind": json.loads(request.content)["kind"]}})

    control = TierControl("ollama", "http://tier", httpx.Client(transport=httpx.MockTransport(answer)))
    control.fault(spec)
    (request,) = seen
    return request.method, request.url.path, json.loads(request.content)


def test_the_json_sent_is_what_the_string_kinds_sent() -> None:
    # Before: fault("error", status=500, rate=0.25, seed=7) sent {"kind": kind, "count": count, **params}
    assert _sent(FaultSpec(FaultKind.ERROR, status=500, rate=0.25, seed=7)) == (
        "POST",
        "/__mock/faults",
        {"kind": "error", "count": None, "status": 500, "rate": 0.25, "seed": 7},
    )
    # Before: fault("shape", 1, match="doc-7", shape="prose")
    assert _sent(FaultSpec(FaultKind.SHAPE, count=1, shape="prose", match="doc-7"))[2] == {
        "kind": "shape",
        "count": 1,
        "match": "doc-7",
        "shape": "prose",
    }
    assert _sent(FaultSpec(FaultKind.HANG))[2] == {"kind": "hang", "count": None}


def test_an_armed_spec_does_what_its_string_twin_did() -> None:
    control, tier = control_of("vllm")
    control.fault(FaultSpec(FaultKind.ERROR, count=1, status=429))
    body = {"model": "Qwen/Qwen2.5-7B-Instruct-AWQ", "messages": [{"role": "user", "content": "Invoice 7"}]}

    first, second = (tier.post("/v1/chat/completions", json=body) for _ in range(2))

    assert (first.status_code, second.status_code) == (429, 200)
    assert [e["fault"] for e in control.journal()] == ["error", None]
