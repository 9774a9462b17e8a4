"""``Stack.flapping``: a tier flipped down and up at seeded intervals, restored whatever happens.

Run against a stack whose scaling is only recorded: (tier, replicas, thread) per call.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

import pytest

from fixtures.core.errors import ComponentError
from fixtures.core.timeouts import Timeouts
from fixtures.stack.base import Capability, Component, Stack
from fixtures.tier_control import TierControl

TIER = "vllm"
MIN_S, MAX_S = 0.005, 0.02  # short waits: a few flips within a fraction of a second


class RecordedStack(Stack):
    """Scaling recorded, nothing started; ``fail_at``: the scale call (1-based) that raises."""

    def __init__(self, capabilities: frozenset[Capability] = frozenset({Capability.DISRUPTION})) -> None:
        self.name = "recorded"
        self.capabilities = capabilities
        self.timeouts = Timeouts(startup=5.0)
        self.calls: list[tuple[str, int, str]] = []
        self.up = {TIER: True}
        self.fail_at: int | None = None

    def scale(self, tier: str, replicas: int) -> None:
        self.calls.append((tier, replicas, threading.current_thread().name))
        if len(self.calls) == self.fail_at:
            raise ComponentError(f"{tier} tier", "did not come up")
        self.up[tier] = bool(replicas)

    def is_up(self, tier: str) -> bool:
        return self.up[tier]

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def tier(self, name: str) -> TierControl:
        raise NotImplementedError

    def components(self) -> list[Component]:
        return []

    def diagnostics(self) -> dict[str, str]:
        return {}


def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the flapping never got there"
        time.sleep(0.001)


def flapping_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == f"{TIER} flapping"]


def test_each_flip_is_recorded_down_then_up_and_the_tier_ends_up() -> None:
    stack = RecordedStack()

    with stack.flapping(TIER, seed=1, min_s=MIN_S, max_s=MAX_S) as flips:
        until(lambda: len(flips) >= 5)

    recorded = list(flips)
    assert [f.up for f in recorded] == [i % 2 == 1 for i in range(len(recorded))]  # down, up, down...
    assert [f.at for f in recorded] == sorted(f.at for f in recorded)
    flapped = [(t, r) for t, r, thread in stack.calls if thread == f"{TIER} flapping"]
    assert flapped == [(TIER, int(f.up)) for f in recorded]
    assert stack.calls[-1] == (TIER, 1, "MainThread") and stack.up[TIER]
    assert not flapping_threads()


def test_the_tier_is_restored_when_the_block_raises() -> None:
    stack = RecordedStack()

    with (
        pytest.raises(RuntimeError, match="the test failed"),
        stack.flapping(TIER, seed=2, min_s=MIN_S, max_s=MAX_S) as flips,
    ):
        until(lambda: len(flips) >= 1 and not stack.up[TIER])
        raise RuntimeError("the test failed")

    assert stack.calls[-1] == (TIER, 1, "MainThread") and stack.up[TIER]
    assert not flapping_threads()
    calls = len(stack.calls)
    time.sleep(MAX_S * 3)
    assert len(stack.calls) == calls, "the tier kept flapping after the block"


def test_one_seed_gives_one_sequence_of_waits() -> None:
    def waits(seed: int) -> list[float]:
        with RecordedStack().flapping(TIER, seed=seed, min_s=MIN_S, max_s=MAX_S) as flips:
            until(lambda: len(flips) >= 6)
        return [f.wait_s for f in list(flips)[:6]]

    draws = random.Random(3)
    assert waits(3) == waits(3) == [round(draws.uniform(MIN_S, MAX_S), 3) for _ in range(6)]
    assert waits(4) != waits(3)


def test_a_scale_that_fails_on_the_thread_is_raised_when_the_block_ends_after_the_restore() -> None:
    stack = RecordedStack()
    stack.fail_at = 2  # the first scale back up

    with (
        pytest.raises(ComponentError, match="did not come up"),
        stack.flapping(TIER, seed=5, min_s=MIN_S, max_s=MAX_S) as flips,
    ):
        until(lambda: len(stack.calls) >= 2)
        time.sleep(MAX_S * 3)  # no flip after the failure
        assert len(flips) == 1 and len(stack.calls) == 2

    assert stack.calls[-1] == (TIER, 1, "MainThread") and stack.up[TIER]


def test_a_stack_that_cannot_take_a_tier_away_does_not_flap() -> None:
    stack = RecordedStack(capabilities=frozenset())

    with (
        pytest.raises(ValueError, match="cannot take vllm away"),
        stack.flapping(TIER, seed=1, min_s=MIN_S, max_s=MAX_S),
    ):
        pass

    assert stack.calls == []


@pytest.mark.parametrize(("min_s", "max_s"), [(0.0, 1.0), (2.0, 1.0), (-1.0, 1.0)])
def test_the_waits_must_be_positive_and_ordered(min_s: float, max_s: float) -> None:
    with (
        pytest.raises(ValueError, match="0 < min_s <= max_s"),
        RecordedStack().flapping(TIER, seed=1, min_s=min_s, max_s=max_s),
    ):
        pass
