"""Detection: texts in, PII spans out (model + validated patterns)."""

from piimask.detect.config import DetectorConfig
from piimask.detect.engine import DetectionEngine, DetectionStats

__all__ = ["DetectionEngine", "DetectionStats", "DetectorConfig"]
