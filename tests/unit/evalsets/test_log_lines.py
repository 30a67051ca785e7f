"""The generated log-line development set: deterministic, labelled, many formats."""

from __future__ import annotations

from collections import Counter

from piimask.evalsets.log_lines import (
    AFTER_R4,
    DEV_SEED,
    FRESH,
    HELD_OUT_SEED,
    PII_LABELS,
    LogLine,
    generate,
    read_log_lines,
    score_log_lines,
)
from piimask.spans import Span

LINES = generate(600)


def test_one_seed_gives_the_same_lines_and_another_seed_other_lines() -> None:
    assert generate(50) == generate(50, seed=DEV_SEED)
    assert {line.text for line in generate(50, seed=HELD_OUT_SEED)}.isdisjoint(
        line.text for line in generate(50)
    )


def test_lines_come_in_many_formats() -> None:
    formats = Counter(line.format for line in LINES)
    assert len(formats) >= 12
    assert min(formats.values()) >= 10


def test_about_half_the_lines_carry_one_labelled_pii_value() -> None:
    with_pii = [line for line in LINES if line.spans]
    assert 0.4 < len(with_pii) / len(LINES) < 0.6
    assert all(len(line.spans) == 1 for line in with_pii)
    assert {label for line in with_pii for _, _, label in line.spans} == set(PII_LABELS)


def test_gold_spans_point_at_values_not_at_whitespace() -> None:
    for line in LINES:
        for start, end, _ in line.spans:
            value = line.text[start:end]
            assert value == value.strip()
            assert value
        assert "\n" not in line.text


def test_records_have_the_gold_file_shape() -> None:
    line = next(line for line in LINES if line.spans)
    record = line.to_record(7)
    assert record["id"] == "log-00007"
    assert record["text"] == line.text
    assert record["spans"] == [{"start": s, "end": e, "label": t} for s, e, t in line.spans]


def test_scoring_counts_changed_lines_and_masked_pii() -> None:
    free = LogLine("ts=2026-11-03T14:07:12Z order=48213", (), "logfmt")
    pii = LogLine("login failed for jane@example.com", ((17, 33, "EMAIL_ADDRESS"),), "logfmt")
    kept = [Span(3, 23, "EVENT_TIME", 0.9, "pattern:DATE_TIME")]
    wrong = [Span(30, 35, "ZIP_CODE", 0.9, "model")]
    report = score_log_lines(
        [free, free, pii], [kept, wrong, [Span(17, 33, "EMAIL_ADDRESS")]], {"EVENT_TIME"}
    )
    assert report["pii_free_lines"] == 2
    assert report["pii_free_changed"] == 1
    assert report["changed_by_type"] == {"ZIP_CODE": 1}
    assert report["kept_by_type"] == {"EVENT_TIME": 1}
    assert report["masked_by_label"] == {"EMAIL_ADDRESS": 1}
    assert report["pii_masked_rate"] == 1.0
    missed = score_log_lines([pii], [[Span(17, 20, "EMAIL_ADDRESS")]])
    assert missed["pii_masked_rate"] == 0.0


HAND = read_log_lines()
HAND_LABELS = {*PII_LABELS, "USERNAME"}


def test_the_hand_written_set_holds_many_formats_about_half_of_its_lines_with_pii() -> None:
    formats = Counter(line.format for line in HAND)
    assert len(HAND) >= 150
    assert len(formats) >= 15
    assert 0.35 < sum(bool(line.spans) for line in HAND) / len(HAND) < 0.65


def test_the_hand_written_gold_spans_are_labelled_values_that_do_not_overlap() -> None:
    for line in HAND:
        ends = 0
        for start, end, label in sorted(line.spans):
            value = line.text[start:end]
            assert label in HAND_LABELS
            assert value
            assert value == value.strip()
            assert start >= ends  # sorted spans do not overlap
            ends = end


def test_the_hand_written_splits_split_every_format_and_together_make_the_whole() -> None:
    tune, holdout = read_log_lines(split="tune"), read_log_lines(split="holdout")
    final = read_log_lines(split="final")
    assert len(tune) + len(holdout) + len(final) == len(HAND)
    assert sum(not line.spans for line in final) >= 20
    assert sum(bool(line.spans) for line in final) >= 20
    assert {line.text for line in tune}.isdisjoint(line.text for line in holdout)
    assert {line.format for line in tune} == {line.format for line in holdout}
    for half in (tune, holdout):
        assert sum(not line.spans for line in half) >= 50
        assert sum(bool(line.spans) for line in half) >= 50


def test_the_fresh_hand_written_set_has_two_halves_of_new_formats_a_quarter_with_pii() -> None:
    fresh, final = read_log_lines(FRESH, "fresh"), read_log_lines(FRESH, "fresh_final")
    assert len(fresh) + len(final) == len(read_log_lines(FRESH)) >= 80
    assert {line.text for line in fresh}.isdisjoint(line.text for line in final)
    for half in (fresh, final):
        share = sum(bool(line.spans) for line in half) / len(half)
        assert 0.15 < share < 0.35
    assert len({line.format for line in fresh + final}) >= 15
    for line in fresh + final:
        for start, end, label in line.spans:
            assert label in HAND_LABELS
            assert line.text[start:end] == line.text[start:end].strip() != ""


def test_the_lines_written_after_round_four_are_labelled_like_the_others_half_with_pii() -> None:
    lines = read_log_lines(AFTER_R4, "after_r4")
    assert len(lines) == len(read_log_lines(AFTER_R4)) >= 20
    assert len({line.format for line in lines}) >= 15
    assert 0.3 < sum(bool(line.spans) for line in lines) / len(lines) < 0.7
    for line in lines:
        for start, end, label in line.spans:
            assert label in HAND_LABELS
            assert line.text[start:end] == line.text[start:end].strip() != ""
