"""The detection engine with the real quantized model (no broker needed)."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piimask.cli import main
from piimask.detect import DetectionEngine, DetectorConfig
from piimask.detect.model import ModelLoadError, TokenClassifier

SAMPLES = [
    "Hi, I am Alex Rivera and I live at 12 Crofts Road, Leeds.",
    "Email alex.rivera@gmail.com or call (555) 123-4567.",
    "My card 4111 1111 1111 1111 was declined, SSN 219-09-9999.",
    "",
    "Nothing to see here.",
    "Transfer to IBAN GB82 WEST 1234 5698 7654 32 from 10.0.0.12 please",
]


@pytest.fixture(scope="module")
def classifier() -> TokenClassifier:
    return TokenClassifier()


@pytest.fixture(scope="module")
def engine(classifier: TokenClassifier) -> DetectionEngine:
    return DetectionEngine(classifier, DetectorConfig())


def keyed(spans: list) -> list[tuple[int, int, str, str]]:
    return [(s.start, s.end, s.entity_type, s.detector) for s in spans]


def test_batched_results_equal_one_message_at_a_time(engine: DetectionEngine) -> None:
    batched = engine.detect_batch(SAMPLES)
    for text, spans in zip(SAMPLES, batched, strict=True):
        alone = engine.detect(text)
        assert keyed(spans) == keyed(alone)
        assert [s.score for s in spans] == pytest.approx([s.score for s in alone], abs=1e-4)


def test_structured_identifiers_and_names_are_found(engine: DetectionEngine) -> None:
    found = {
        (SAMPLES[i][s.start : s.end], s.entity_type)
        for i, spans in enumerate(engine.detect_batch(SAMPLES))
        for s in spans
    }
    assert ("Alex Rivera", "PERSON") in found
    assert ("alex.rivera@gmail.com", "EMAIL_ADDRESS") in found
    assert ("4111 1111 1111 1111", "CREDIT_CARD") in found
    assert ("GB82 WEST 1234 5698 7654 32", "IBAN_CODE") in found
    assert ("10.0.0.12", "IP_ADDRESS") in found


def test_a_huge_message_is_scanned_to_its_end(engine: DetectionEngine) -> None:
    filler = "The weather was fine and the meeting went well. " * 2100
    text = filler + "Contact Maria Lopez at maria.lopez@example.org today."
    assert len(text) > 100_000
    spans = engine.detect(text)
    tail = {text[s.start : s.end] for s in spans if s.start > len(filler) - 1}
    assert "maria.lopez@example.org" in tail
    assert any("Maria" in value for value in tail)


@pytest.mark.parametrize("shift", range(8))
def test_entities_across_window_edges_come_out_as_in_one_window(
    classifier: TokenClassifier, shift: int
) -> None:
    filler = "We talked about the weather. "
    text = (
        filler * 3
        + "x " * shift
        + "Please send the parcel to Alexandra Rivera at 4521 Blackwood Avenue, Springfield. "
        + filler * 3
    )
    windowed = DetectionEngine(classifier, DetectorConfig(window_tokens=32, window_overlap=8))
    whole = DetectionEngine(classifier, DetectorConfig(window_tokens=128, window_overlap=8))
    assert len(classifier.tokenizer.encode(text, add_special_tokens=False).ids) > 32
    values = [(text[s.start : s.end], s.entity_type) for s in windowed.detect(text)]
    assert values == [(text[s.start : s.end], s.entity_type) for s in whole.detect(text)]
    assert ("Alexandra Rivera", "PERSON") in values
    assert ("4521 Blackwood Avenue, Springfield", "STREET_ADDRESS") in values


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(
        st.sampled_from(
            [
                "Alex",
                "Rivera",
                "lives",
                "at",
                "12",
                "Main",
                "St",
                "in",
                "Paris",
                "call",
                "555-123-4567",
                "ok",
                ".",
            ]
        ),
        min_size=1,
        max_size=60,
    )
)
def test_a_text_that_fits_one_window_gives_the_same_spans_windowed_or_not(
    classifier: TokenClassifier, words: list[str]
) -> None:
    text = " ".join(words)
    small = DetectionEngine(classifier, DetectorConfig(window_tokens=128, window_overlap=32))
    large = DetectionEngine(classifier, DetectorConfig(window_tokens=510, window_overlap=64))
    spans = small.detect(text)
    assert keyed(spans) == keyed(large.detect(text))
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)


def test_a_model_directory_without_config_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match=r"config\.json"):
        TokenClassifier(tmp_path)


def test_detect_command_reports_bad_lines_and_goes_on(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        b'{"id": 1, "text": "Mail me at ann.lee@example.com"}\n'
        b"not json\n"
        b'{"id": 3}\n'
        b"\xff\xfe\n"
        b'{"id": 5, "text": "no pii"}\n'
    )
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["detect", str(source), "-o", str(out)])
    assert result.exit_code == 1
    for number in (2, 3, 4):
        assert f"line {number}" in result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == [1, 5]
    assert lines[0]["spans"][0]["entity_type"] == "EMAIL_ADDRESS"
    assert "ann.lee" not in result.output


def test_detect_command_stops_at_the_first_bad_line_when_strict(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "a"}\n[1]\n{"id": 3, "text": "b"}\n')
    result = CliRunner().invoke(main, ["detect", str(source), "--strict"])
    assert result.exit_code == 2
    assert "line 2" in result.output


def test_eval_command_prints_a_json_report(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps(
            {
                "id": "a",
                "text": "Write to bob.stone@example.com now",
                "spans": [{"start": 9, "end": 30, "label": "EMAIL_ADDRESS"}],
            }
        )
        + "\n"
    )
    result = CliRunner().invoke(main, ["eval", str(gold), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["char_recall"] == 1.0
    assert report["per_type"]["EMAIL_ADDRESS"]["f1"] == 1.0
