import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from piimask.detect.windows import line_start_flags, merge_window_probabilities, plan_windows


@given(
    n=st.integers(0, 3000),
    window=st.integers(4, 512),
    overlap_fraction=st.floats(0, 0.49),
)
def test_windows_cover_every_token_and_respect_the_size(
    n: int, window: int, overlap_fraction: float
) -> None:
    overlap = min(int(window * overlap_fraction), (window - 1) // 2)
    windows = plan_windows(n, window, overlap)
    covered = np.zeros(n, dtype=bool)
    for start, end in windows:
        assert 0 <= start < end <= n
        assert end - start <= window
        covered[start:end] = True
    assert covered.all()
    for (s0, e0), (s1, _) in itertools.pairwise(windows):
        assert s1 > s0
        assert e0 - s1 >= overlap


@given(
    words=st.lists(st.integers(1, 6), min_size=1, max_size=400),
    window=st.integers(8, 128),
)
def test_windows_start_on_a_word_boundary_when_they_can(words: list[int], window: int) -> None:
    word_ids = [w for w, length in enumerate(words) for _ in range(length)]
    overlap = window // 4
    windows = plan_windows(len(word_ids), window, overlap, word_ids)
    covered = np.zeros(len(word_ids), dtype=bool)
    for start, end in windows:
        covered[start:end] = True
        assert end - start <= window
    assert covered.all()


def test_text_that_fits_one_window_gets_one_window() -> None:
    assert plan_windows(100, 256, 64) == [(0, 100)]


@pytest.mark.parametrize(("window", "overlap"), [(0, 0), (10, 5), (10, 7)])
def test_bad_window_settings_are_rejected(window: int, overlap: int) -> None:
    with pytest.raises(ValueError, match=r"window|overlap"):
        plan_windows(50, window, overlap)


def test_each_token_takes_the_window_where_it_sits_farthest_from_a_cut() -> None:
    n = 10
    windows = plan_windows(n, 6, 2)
    assert windows == [(0, 6), (4, 10)]
    probs = [np.full((e - s, 2), float(i), dtype=np.float32) for i, (s, e) in enumerate(windows)]
    merged = merge_window_probabilities(n, windows, probs)
    # token 4 is 1 from window 0's cut and 0 from window 1's: window 0 wins; token 5 the other way
    assert merged[:5, 0].tolist() == [0, 0, 0, 0, 0]
    assert merged[5:, 0].tolist() == [1, 1, 1, 1, 1]


def test_a_single_window_passes_probabilities_through_unchanged() -> None:
    probs = np.random.default_rng(1).random((7, 3)).astype(np.float32)
    assert np.array_equal(merge_window_probabilities(7, [(0, 7)], [probs]), probs)


@given(
    flags=st.lists(st.booleans(), min_size=1, max_size=600),
    window=st.integers(8, 96),
)
def test_line_aligned_windows_still_cover_every_token_with_the_overlap(
    flags: list[bool], window: int
) -> None:
    overlap = window // 4
    windows = plan_windows(len(flags), window, overlap, None, flags)
    covered = np.zeros(len(flags), dtype=bool)
    for start, end in windows:
        assert end - start <= window
        covered[start:end] = True
    assert covered.all()
    for (s0, e0), (s1, _) in itertools.pairwise(windows):
        assert s0 < s1
        assert e0 - s1 >= overlap


def test_windows_end_and_start_at_line_breaks_when_in_reach() -> None:
    # five lines of 6 tokens
    flags = [i % 6 == 0 for i in range(30)]
    windows = plan_windows(30, 16, 4, None, flags)
    assert windows == [(0, 12), (6, 18), (12, 24), (18, 30)]


def test_line_start_flags_mark_tokens_after_a_newline() -> None:
    text = "ab cd\nef"
    assert line_start_flags(text, [(0, 2), (3, 5), (6, 8)]) == [False, False, True]
