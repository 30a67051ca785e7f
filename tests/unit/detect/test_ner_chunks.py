"""Long texts reach the NER model as overlapping chunks: bounded, complete, cut at spaces."""

import itertools

from hypothesis import given
from hypothesis import strategies as st

from piimask.detect.ner import plan_chunks


def test_a_short_text_is_one_chunk() -> None:
    assert [(c.start, c.end) for c in plan_chunks("Jane Doe", 100, 10)] == [(0, 8)]


def test_cuts_fall_after_whitespace() -> None:
    text = "word " * 100
    chunks = plan_chunks(text, 60, 20)
    assert all(text[c.end - 1].isspace() for c in chunks[:-1])


@given(
    st.text(alphabet=st.sampled_from("ab \n"), min_size=0, max_size=600),
    st.integers(min_value=20, max_value=120),
)
def test_chunks_cover_the_whole_text_within_the_size_limit(text: str, size: int) -> None:
    chunks = plan_chunks(text, size, size // 4)
    assert chunks[0].start == 0
    assert chunks[-1].end == len(text)
    for a, b in itertools.pairwise(chunks):
        assert b.start <= a.end, "no gap between chunks"
        assert b.start > a.start, "progress"
    assert all(c.end - c.start <= size for c in chunks)
