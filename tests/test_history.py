"""Note times rise exactly when content changes, and never depend on the clock."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from builder.history import EPOCH, NoteFacts, Stamp, stamp

digests = st.dictionaries(st.sampled_from("abcdefgh"), st.sampled_from(["d1", "d2", "d3"]), max_size=8)


@given(digests, digests)
def test_times_change_exactly_when_digests_do(first: dict[str, str], second: dict[str, str]) -> None:
    before = stamp({}, facts(first), "1")
    after = stamp(before, facts(second), "2")
    for key, digest in second.items():
        if key in before and before[key].digest == digest:
            assert after[key] == before[key]
        else:
            assert after[key].time > max((s.time for s in before.values()), default=EPOCH - 1)
            assert after[key].changed == "2"
    for key in set(first) - set(second):
        assert after[key].removed == "2" and after[key].time > before[key].time
    assert stamp(after, facts(second), "2") == after
    assert set(before) <= set(after)


def facts(digests: dict[str, str]) -> dict[str, NoteFacts]:
    return {key: NoteFacts(digest, "basic", "apis", f"question {key}") for key, digest in digests.items()}


def test_first_recording_starts_at_the_epoch() -> None:
    assert stamp({}, facts({"a": "x"}), "1") == {"a": Stamp("x", EPOCH, "1", "1", "", "basic", "apis", "question a")}
