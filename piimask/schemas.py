"""JSON Schemas of piimask's file and message formats, generated from the pydantic models.

Add a model: one entry in ``SCHEMAS`` (file name -> model), then run ``piimask schemas``.
A unit test fails while a file in ``schemas/`` is stale.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from piimask.audit.events import AuditEvent
from piimask.detect.thresholds import ThresholdsFile
from piimask.mask.policy import Policy
from piimask.stream.deadletter import DeadLetter

SCHEMAS: dict[str, type[BaseModel]] = {
    "audit-event.schema.json": AuditEvent,
    "dead-letter.schema.json": DeadLetter,
    "policy.schema.json": Policy,
    "thresholds.schema.json": ThresholdsFile,
}

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def render_schema(model: type[BaseModel]) -> str:
    """The schema file text: stable key order, trailing newline, so diffs stay small."""
    schema = model.model_json_schema(by_alias=True, mode="validation")
    schema = {"$schema": SCHEMA_DIALECT, **schema}
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def default_schema_dir() -> Path:
    """``schemas/`` of the source checkout this package runs from, else ``./schemas``."""
    repo = Path(__file__).resolve().parent.parent
    if (repo / "pyproject.toml").is_file():
        return repo / "schemas"
    return Path.cwd() / "schemas"


def stale_schemas(directory: Path) -> list[str]:
    """File names in ``directory`` that differ from the models, are missing, or are unknown."""
    problems: list[str] = []
    for name, model in sorted(SCHEMAS.items()):
        path = directory / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif path.read_text(encoding="utf-8") != render_schema(model):
            problems.append(f"{name}: out of date")
    if directory.is_dir():
        for path in sorted(directory.glob("*.schema.json")):
            if path.name not in SCHEMAS:
                problems.append(f"{path.name}: no model in piimask.schemas.SCHEMAS")
    return problems


def write_schemas(directory: Path) -> list[Path]:
    """Write every registered schema; returns the files whose content changed."""
    directory.mkdir(parents=True, exist_ok=True)
    changed: list[Path] = []
    for name, model in sorted(SCHEMAS.items()):
        path = directory / name
        text = render_schema(model)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
