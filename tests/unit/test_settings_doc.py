from __future__ import annotations

from pathlib import Path

import pytest

from piimask.settings import Settings
from piimask.settings_doc import BEGIN, END, REGENERATE, main, replace_block, settings_table

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "settings.md"


def test_the_settings_page_table_is_up_to_date() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert replace_block(text) == text, (
        f"settings table is stale: run {REGENERATE} docs/reference/settings.md"
    )


def test_table_has_one_row_per_settings_field_with_its_env_var() -> None:
    table = settings_table()
    for name in Settings.model_fields:
        assert f"| `PIIMASK_{name.upper()}` |" in table
    assert len(table.splitlines()) == len(Settings.model_fields) + 2


@pytest.mark.parametrize(
    ("env", "type_cell", "default_cell"),
    [
        ("PIIMASK_METRICS_PORT", "int", "`9464`"),
        ("PIIMASK_LOG_FORMAT", "`json` \\| `text`", "`json`"),
        ("PIIMASK_SASL_PASSWORD", "secret (optional)", ""),
        ("PIIMASK_POLICY_FILE", "path (optional)", ""),
    ],
)
def test_rows_show_type_and_default(env: str, type_cell: str, default_cell: str) -> None:
    row = next(r for r in settings_table().splitlines() if r.startswith(f"| `{env}` |"))
    cells = [c.strip() for c in row.strip("|").split(" | ")]
    assert cells[1] == type_cell
    assert cells[2] == default_cell


def test_write_replaces_only_the_block_and_check_detects_staleness(tmp_path: Path) -> None:
    doc = tmp_path / "README.md"
    doc.write_text(f"# Title\n\n{BEGIN}\nold table\n{END}\n\nafter\n")
    assert main(["--check", str(doc)]) == 1
    assert main(["--write", str(doc)]) == 0
    text = doc.read_text()
    assert text.startswith("# Title\n\n")
    assert text.endswith("\n\nafter\n")
    assert "old table" not in text
    assert main(["--check", str(doc)]) == 0


def test_missing_markers_are_reported() -> None:
    with pytest.raises(ValueError, match="markers not found"):
        replace_block("no table here")
