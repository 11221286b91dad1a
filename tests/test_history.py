"""Note times rise exactly when content changes, and never depend on the clock."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from builder.history import EPOCH, Stamp, stamp

digests = st.dictionaries(st.sampled_from("abcdefgh"), st.sampled_from(["d1", "d2", "d3"]), max_size=8)


@given(digests, digests)
def test_times_change_exactly_when_digests_do(first: dict[str, str], second: dict[str, str]) -> None:
    before = stamp({}, first)
    after = stamp(before, second)
    for key, digest in second.items():
        if key in before and before[key].digest == digest:
            assert after[key] == before[key]
        else:
            assert after[key].time > max((s.time for s in before.values()), default=EPOCH - 1)
    assert stamp(after, second) == after
    assert set(before) <= set(after)


def test_first_recording_starts_at_the_epoch() -> None:
    assert stamp({}, {"a": "x"}) == {"a": Stamp("x", EPOCH)}
