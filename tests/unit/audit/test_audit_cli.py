from __future__ import annotations

import json
from pathlib import Path

import pytest
from audit_helpers import as_lines
from click.testing import CliRunner, Result

from piimask.audit import AuditChain
from piimask.audit.synthetic import synthetic_events, synthetic_values
from piimask.cli import main
from piimask.keys import KeyRing

VALUES = synthetic_values(20)


@pytest.fixture
def key_file(tmp_path: Path, keyring: KeyRing) -> Path:
    path = tmp_path / "keys.json"
    path.write_text(keyring.to_json())
    return path


@pytest.fixture
def trail(tmp_path: Path, keyring: KeyRing, chain: AuditChain) -> Path:
    events = list(synthetic_events(keyring, chain, records=200, partitions=2, values=VALUES))
    path = tmp_path / "trail.jsonl"
    path.write_text("\n".join(as_lines(events)) + "\n")
    return path


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    base = {"PIIMASK_KEYS": "", "PIIMASK_KEY_FILE": ""}
    return CliRunner().invoke(main, ["audit", *args], env={**base, **(env or {})})


def test_verify_file_passes_on_an_intact_trail(trail: Path, key_file: Path) -> None:
    result = run("verify", "--file", str(trail), "--key-file", str(key_file))
    assert result.exit_code == 0, result.output
    assert "OK: 200 events in 2 chain(s)" in result.output
    assert "orders:1" in result.output


def test_verify_file_fails_and_names_the_deleted_events_successor(
    trail: Path, key_file: Path, tmp_path: Path
) -> None:
    lines = trail.read_text().splitlines()
    copy = tmp_path / "copy.jsonl"
    copy.write_text("\n".join(lines[:10] + lines[11:]) + "\n")
    result = run("verify", "--file", str(copy), "--key-file", str(key_file))
    assert result.exit_code == 1
    successor = json.loads(lines[12])["event_id"]  # next event of the same partition
    assert f"ERROR broken_link | line 12 | source orders:0:6 | event {successor}" in result.output
    assert "FAILED" in result.output


def test_verify_json_output_and_keys_from_the_environment(trail: Path, keyring: KeyRing) -> None:
    result = run(
        "verify", "--file", str(trail), "--format", "json", env={"PIIMASK_KEYS": keyring.to_json()}
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert (document["ok"], document["entries"], document["errors"]) == (True, 200, 0)


def test_verify_without_keys_says_how_to_configure_them(trail: Path) -> None:
    result = run("verify", "--file", str(trail))
    assert result.exit_code == 1
    assert "PIIMASK_KEYS" in result.output


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_report_file_in_each_format(trail: Path, fmt: str) -> None:
    result = run("report", "--file", str(trail), "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        report = json.loads(result.output)
        assert report["records"] == 200
        assert sum(report["outcomes"].values()) == 200
    elif fmt == "csv":
        assert result.output.splitlines()[0] == "section,name,metric,value"
        assert "totals,records,count,200" in result.output
    else:
        assert "records 200  events 200" in result.output


def test_report_defaults_to_json_when_not_on_a_terminal(trail: Path) -> None:
    assert json.loads(run("report", "--file", str(trail)).output)["records"] == 200


def test_report_rejects_a_bad_time(trail: Path) -> None:
    result = run("report", "--file", str(trail), "--since", "yesterday")
    assert result.exit_code == 2
    assert "not an ISO 8601 time" in result.output


def test_report_time_range(trail: Path) -> None:
    # synthetic events are 10 ms apart from 2025-01-01T00:00:00Z
    result = run(
        "report",
        "--file",
        str(trail),
        "--since",
        "2025-01-01T00:00:01",
        "--until",
        "2025-01-01T00:00:01.5+00:00",
    )
    assert json.loads(result.output)["events"] == 50


def test_find_value_lists_records_and_never_prints_the_value(
    trail: Path, key_file: Path, keyring: KeyRing
) -> None:
    value = VALUES[3]
    result = run(
        "find",
        "--file",
        str(trail),
        "--key-file",
        str(key_file),
        "--value",
        value,
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    expected = set()
    fp = keyring.fingerprint(value)
    for line in trail.read_text().splitlines():
        event = json.loads(line)
        if any(f["fingerprint"] == fp for f in event["findings"]):
            expected.add(
                f"{event['source_topic']}:{event['source_partition']}:{event['source_offset']}"
            )
    assert expected
    assert set(found["records"]) == expected
    assert value not in result.output
    table = run(
        "find",
        "--file",
        str(trail),
        "--key-file",
        str(key_file),
        "--value",
        value,
        "--format",
        "table",
    )
    assert value not in table.output
    assert f"{len(expected)} record(s)" in table.output


def test_find_values_from_stdin(trail: Path, key_file: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "audit",
            "find",
            "--file",
            str(trail),
            "--key-file",
            str(key_file),
            "--value-file",
            "-",
            "--format",
            "json",
        ],
        input=f"{VALUES[1]}\n{VALUES[2].upper()}\n",
    )
    assert result.exit_code == 0, result.output
    assert {m["value_index"] for m in json.loads(result.output)["matches"]} == {1, 2}


def test_find_source_lists_one_records_findings(trail: Path) -> None:
    result = run("find", "--file", str(trail), "--source", "orders:1:0", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["records"] == ["orders:1:0"]


def test_find_needs_exactly_one_question(trail: Path) -> None:
    assert run("find", "--file", str(trail)).exit_code == 2
    both = run("find", "--file", str(trail), "--value", "x", "--source", "orders:0:0")
    assert both.exit_code == 2


def test_index_file_then_report_and_verify_from_the_db(
    trail: Path, key_file: Path, tmp_path: Path
) -> None:
    db = tmp_path / "audit.sqlite"
    result = run("index", "--db", str(db), "--file", str(trail))
    assert result.exit_code == 0, result.output
    assert "indexed 200 event(s), 0 rejected" in result.output
    assert json.loads(run("report", "--db", str(db)).output)["records"] == 200
    verified = run("verify", "--db", str(db), "--key-file", str(key_file))
    assert verified.exit_code == 0, verified.output


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    result = run("report", "--db", str(tmp_path / "nope.sqlite"))
    assert result.exit_code == 1
    assert "no audit index at" in result.output
