"""The JSON Schemas in schemas/ match the pydantic models they are generated from."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from piimask.cli import main
from piimask.schemas import SCHEMAS, default_schema_dir, render_schema, stale_schemas

REPO = Path(__file__).resolve().parents[2]


def test_schema_files_are_up_to_date() -> None:
    assert default_schema_dir() == REPO / "schemas"
    problems = stale_schemas(REPO / "schemas")
    assert problems == [], "run `piimask schemas` to regenerate: " + "; ".join(problems)


def test_policy_schema_is_registered_and_valid_json() -> None:
    assert "policy.schema.json" in SCHEMAS
    schema = json.loads(render_schema(SCHEMAS["policy.schema.json"]))
    assert schema["title"] == "piimask mask policy"
    assert "json" in schema["properties"]  # the alias users write, not the attribute name


def test_schemas_check_fails_on_stale_files_and_write_fixes_them(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["schemas", "--dir", str(tmp_path), "--check"])
    assert result.exit_code == 1
    assert "policy.schema.json: missing" in result.stderr
    assert runner.invoke(main, ["schemas", "--dir", str(tmp_path)]).exit_code == 0
    assert runner.invoke(main, ["schemas", "--dir", str(tmp_path), "--check"]).exit_code == 0
    (tmp_path / "policy.schema.json").write_text("{}\n")
    (tmp_path / "orphan.schema.json").write_text("{}\n")
    result = runner.invoke(main, ["schemas", "--dir", str(tmp_path), "--check"])
    assert result.exit_code == 1
    assert "policy.schema.json: out of date" in result.stderr
    assert "orphan.schema.json: no model" in result.stderr
