"""Detection settings: which model, how it is windowed and decoded, which patterns run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ConfigDict, model_validator

from piimask.custom_recognizers import CustomRecognizerSpec, load_custom_recognizers
from piimask.detection_settings import Aggregation, DetectionSettings, ModelVariant

if TYPE_CHECKING:
    from piimask.settings import Settings

__all__ = ["Aggregation", "DetectorConfig", "ModelVariant"]


class DetectorConfig(DetectionSettings):
    """How the detection engine runs. Defaults are the measured best on the dev sets."""

    model_config = ConfigDict(extra="forbid", frozen=True)

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
