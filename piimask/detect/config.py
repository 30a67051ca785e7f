"""Detection settings: which model, how it is windowed and decoded, which patterns run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from piimask.custom_recognizers import CustomRecognizerSpec, load_custom_recognizers

if TYPE_CHECKING:
    from piimask.settings import Settings

Aggregation = Literal["first", "average", "max"]
ModelVariant = Literal["adapted", "base"]


class DetectorConfig(BaseModel):
    """How the detection engine runs. Defaults are the measured best on the dev sets."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model_dir: Path | None = Field(
        default=None, description="Model directory; default: the bundled Rampart model."
    )
    model_variant: ModelVariant = Field(
        default="base",
        description="adapted: the bundled model with piimask's fine-tuned adapter merged in "
        "at load; base: the bundled Rampart model as shipped (used when model_dir is set).",
    )
    adapter_path: Path | None = Field(
        default=None,
        description="An adapter .npz from `piimask model train`, merged into the model at load "
        "(overrides model_variant).",
    )
    label_map: dict[str, str] | None = Field(
        default=None,
        description="Model label (without B-/I-) -> piimask entity type; "
        "default: the built-in map for the model's labels.",
    )
    # Measured on the long dev set: 40 tokens with 12 overlap keeps recall within a point
    # of short texts; 256 lost 5 points and 510 lost 8 (README, Detection).
    window_tokens: int = Field(default=40, ge=16, le=510)
    window_overlap: int = Field(default=12, ge=0)
    line_aligned_windows: bool = Field(
        default=True, description="End and start windows at line breaks where one is in reach."
    )
    aggregation: Aggregation = "average"
    batch_token_budget: int = Field(default=8192, ge=512)
    # Fewer rows per call keep each call's rows close in length, so padding stays small.
    batch_max_rows: int = Field(default=32, ge=1)
    intra_op_threads: int = Field(default=0, ge=0)
    min_score: float = Field(default=0.35, ge=0.0, le=1.0)
    min_scores: dict[str, float] = Field(
        default_factory=dict, description="Per-entity-type minimum span score."
    )
    patterns: bool = Field(default=True, description="Run the validated pattern recognizers.")
    recognizers: tuple[str, ...] | None = Field(
        default=None,
        description="Built-in pattern recognizers that run, by name (EMAIL_ADDRESS, "
        "DRIVER_LICENSE, ...); default: all of them.",
    )
    disabled_recognizers: frozenset[str] = Field(
        default_factory=frozenset, description="Built-in pattern recognizers that do not run."
    )
    custom_recognizers: tuple[CustomRecognizerSpec, ...] = Field(
        default=(),
        description="Regex recognizers declared in configuration (name, entity_type, "
        "pattern, validator, context, score); they run after the built-in ones.",
    )
    custom_recognizers_file: Path | None = Field(
        default=None,
        description="YAML file of custom regex recognizers (`recognizers: [...]`), read at "
        "start-up; added after custom_recognizers.",
    )
    phone_regions: tuple[str, ...] | None = Field(
        default=None,
        description="ISO 3166 regions whose national phone formats are parsed "
        "(default US); +-prefixed numbers parse anywhere.",
    )
    ner_enabled: bool = Field(
        default=True,
        description="Run the second NER model (spaCy) next to the ONNX model; a configured "
        "model that is not installed stops start-up.",
    )
    ner_model: str = Field(
        default="en_core_web_sm", description="spaCy package of the second NER model."
    )
    ner_labels: dict[str, str] | None = Field(
        default=None,
        description="spaCy label -> piimask entity type; default PERSON -> PERSON, "
        "GPE/LOC/FAC -> LOCATION (ORG, NORP, DATE, ... off).",
    )
    ner_score: float = Field(
        default=0.7, ge=0.0, le=1.0, description="Score of a span the NER model alone found."
    )
    places: bool = Field(
        default=True,
        description="Report cities, regions and US states from the gazetteer (with context).",
    )
    detector_min_scores: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Detector (model, ner, gazetteer) -> entity type -> minimum score of a span "
        "that detector alone found (no other detector agrees).",
    )
    # spaCy's lone lower-case PERSON spans are nearly all nouns ("yuck", "fml"); the ONNX
    # model's are half real names written in lower case ("kishan"), so it is not listed
    # (measured on the real dev sets: README, Detection).
    lowercase_names_need_support: frozenset[str] = Field(
        default=frozenset({"ner"}),
        description="Detector families (model, ner) whose PERSON spans written in lower case, "
        "in text that uses capitals, are dropped unless another detector agrees.",
    )
    allow_exact: frozenset[str] = Field(default_factory=frozenset)
    allow_regex: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _overlap_fits_window(self) -> DetectorConfig:
        if self.window_overlap * 2 >= self.window_tokens:
            raise ValueError(
                f"window_overlap ({self.window_overlap}) must be less than half of "
                f"window_tokens ({self.window_tokens})"
            )
        return self

    def adapter_file(self) -> Path | None:
        """The adapter merged into the model at load, if any."""
        if self.adapter_path is not None:
            return self.adapter_path
        if self.model_variant == "adapted" and self.model_dir is None:
            from piimask.detect.adapter import bundled_adapter_path

            return bundled_adapter_path()
        return None

    def all_custom_recognizers(self) -> tuple[CustomRecognizerSpec, ...]:
        """The declared custom recognizers, then those of ``custom_recognizers_file``.

        Raises ``RecognizerConfigError`` when the file cannot be read or is invalid."""
        if self.custom_recognizers_file is None:
            return self.custom_recognizers
        return self.custom_recognizers + load_custom_recognizers(self.custom_recognizers_file)

    @classmethod
    def from_settings(cls, settings: Settings) -> DetectorConfig:
        """Each field from the setting of the same name (a test checks that every field has one)."""
        fields = type(settings).model_fields
        return cls(**{name: getattr(settings, name) for name in cls.model_fields if name in fields})
