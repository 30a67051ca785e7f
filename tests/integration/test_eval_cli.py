"""``piimask eval`` with the real model on the two gold label schemes."""

import json
from pathlib import Path

from click.testing import CliRunner

from piimask.cli import main


def write_gold(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_real_text_labels_get_the_real_scheme_and_a_name_place_precision(tmp_path: Path) -> None:
    text = "Yesterday Jane Doe flew to Paris for Acme ."
    gold = write_gold(
        tmp_path / "gold.jsonl",
        [
            {
                "id": "r1",
                "text": text,
                "spans": [
                    {"start": 10, "end": 18, "label": "PERSON"},
                    {"start": 27, "end": 32, "label": "LOCATION"},
                    {"start": 37, "end": 41, "label": "ORG"},
                ],
            }
        ],
    )
    result = CliRunner().invoke(main, ["eval", str(gold), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["label_scheme"] == "real"
    assert 0.0 <= report["name_place_precision"] <= 1.0
    assert "ORG" not in report["per_type"]  # neutral, not scored

    table = CliRunner().invoke(main, ["eval", str(gold)])
    assert table.exit_code == 0, table.output
    assert "name/place precision" in table.output


def test_the_scheme_can_be_forced(tmp_path: Path) -> None:
    gold = write_gold(
        tmp_path / "gold.jsonl",
        [
            {
                "id": "r1",
                "text": "Ann lives here",
                "spans": [{"start": 0, "end": 3, "label": "PERSON"}],
            }
        ],
    )
    result = CliRunner().invoke(main, ["eval", str(gold), "--json", "--scheme", "synthetic"])
    assert result.exit_code == 0, result.output
    assert "name_place_precision" not in json.loads(result.output)


def test_a_malformed_gold_line_is_a_clear_error(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"text": "a", "spans": []}\n{"text": 5}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(gold)])
    assert result.exit_code == 1
    assert "line 2" in result.output
