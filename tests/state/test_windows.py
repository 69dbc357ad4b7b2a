"""The in-process sliding windows: the counting of `limits`' sliding window counter, checked
against the whole history of what was taken; limits taken together or not at all; a wait after
which the request fits and before which it does not; keys forgotten once stale, and at most
`max_keys` of them."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.state.windows import Limit, SlidingWindows


class Clock:
    def __init__(self, now: float = 6_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def windows(clock: Clock, max_keys: int = 1_000) -> SlidingWindows:
    return SlidingWindows(seconds=60.0, clock=clock, max_keys=max_keys)


def test_a_limit_fills_then_refuses_without_taking() -> None:
    clock = Clock()
    counter = windows(clock)
    assert [counter.take([Limit("a", 5, 1)]) for _ in range(5)] == [0.0] * 5
    assert counter.take([Limit("a", 5, 1)]) > 0
    assert counter.take([Limit("b", 5, 5)]) == 0.0  # each key on its own


def test_limits_are_taken_together_or_not_at_all() -> None:
    clock = Clock()
    counter = windows(clock)
    both = [Limit("requests", 10, 1), Limit("cost", 100, 60)]
    assert counter.take(both) == 0.0
    assert counter.take(both) > 0  # the cost has no room for a second 60
    # The refused request spent none of the request count: nine more small ones fit.
    small = [Limit("requests", 10, 1), Limit("cost", 100, 1)]
    assert [counter.take(small) for _ in range(9)] == [0.0] * 9
    assert counter.take(small) > 0


def test_the_last_window_weighs_as_much_as_it_still_overlaps() -> None:
    clock = Clock(6_000.0)  # the start of window 100
    counter = windows(clock)
    for _ in range(10):
        assert counter.take([Limit("a", 10, 1)]) == 0.0
    clock.now = 6_075.0  # a quarter into the next window: the last one's 10 weigh 7.5, held 8
    taken = [counter.take([Limit("a", 10, 1)]) == 0.0 for _ in range(4)]
    assert taken == [True, True, False, False]  # 8 + 1 + 1 = 10; 8 + 2 + 1 = 11


def test_a_new_window_gives_nothing_extra_at_its_start() -> None:
    clock = Clock(6_059.5)  # half a second before window 101
    counter = windows(clock)
    assert [counter.take([Limit("a", 3, 1)]) for _ in range(3)] == [0.0] * 3
    clock.now = 6_060.5  # just after: the last window's 3 still count 3, not 2
    assert counter.take([Limit("a", 3, 1)]) > 0


def test_the_wait_is_when_the_request_first_fits() -> None:
    clock = Clock(6_000.0)
    counter = windows(clock)
    for _ in range(10):
        counter.take([Limit("a", 10, 1)])
    clock.now = 6_030.0
    wait = counter.take([Limit("a", 10, 1)])
    # The full window slides out from 6,060: one unit has gone once a tenth of it has.
    assert math.isclose(wait, 30.0 + 6.0)
    clock.now = 6_030.0 + wait - 0.01
    assert counter.take([Limit("a", 10, 1)]) > 0
    clock.now = 6_030.0 + wait + 0.001
    assert counter.take([Limit("a", 10, 1)]) == 0.0


def test_stale_keys_are_forgotten_and_the_number_kept_is_bounded() -> None:
    clock = Clock(6_000.0)
    counter = windows(clock, max_keys=50)
    for number in range(40):
        counter.take([Limit(f"client-{number}", 5, 1)])
    assert len(counter) == 40
    clock.now = 6_060.0  # the next window: the last one still counts
    counter.take([Limit("client-0", 5, 1)])
    assert len(counter) == 40
    clock.now = 6_120.0  # two windows on: only client-0, hit in the last window, is kept
    counter.take([Limit("late", 5, 1)])
    assert len(counter) == 2
    for number in range(100):
        counter.take([Limit(f"crowd-{number}", 5, 1)])
    assert len(counter) == 50  # the least recently hit were forgotten first


hits = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=50, allow_nan=False),  # seconds since the last hit
        st.sampled_from(["a", "b", "c"]),
        st.integers(min_value=1, max_value=6),
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(hits)
def test_every_answer_agrees_with_the_whole_history(steps: list[tuple[float, str, int]]) -> None:
    clock = Clock(6_000.0)
    counter = windows(clock, max_keys=10)
    taken: list[tuple[float, str, int]] = []
    for advance, key, cost in steps:
        clock.now += advance
        number = int(clock.now / 60.0)
        overlap = 1.0 - (clock.now / 60.0 - number)
        current = sum(c for t, k, c in taken if k == key and int(t / 60.0) == number)
        previous = sum(c for t, k, c in taken if k == key and int(t / 60.0) == number - 1)
        fits = math.ceil(previous * overlap) + current + cost <= 10
        wait = counter.take([Limit(key, 10, cost)])
        assert (wait == 0.0) == fits
        if fits:
            taken.append((clock.now, key, cost))
