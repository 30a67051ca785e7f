"""A real worker whose detector kills the process on one marker (poison guard fault injection).

Run as ``python -m tests.integration.crashing_worker`` with the worker's PIIMASK_* settings.
Everything but the detector is the worker of ``piimask worker`` (real broker, real
delivery, real commits); the detector finds nothing, and ends the process at once, as a
crash in native code would, when a text holds ``MARKER``. No model is loaded, so restarts
take seconds.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence

from piimask.detect.config import DetectorConfig
from piimask.detect.thresholds import ScoreGate
from piimask.ops.logs import configure_logging
from piimask.ops.metrics import WorkerMetrics
from piimask.settings import Settings
from piimask.spans import Span
from piimask.stream.app import build_worker, serve

MARKER = "KILL-THE-WORKER"
CRASH_EXIT_CODE = 70


class CrashingDetector:
    model_name = "crashing-test-detector"
    model_sha256 = "0" * 64
    # The worker's repeated-text cache keys its entries by the detector's configuration.
    config = DetectorConfig()
    score_gate = ScoreGate(config.min_score, config.min_scores)

    def detect_batch(self, texts: Sequence[str]) -> list[list[Span]]:
        if any(MARKER in text for text in texts):
            os._exit(CRASH_EXIT_CODE)
        return [[] for _ in texts]


def main() -> int:
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    worker = build_worker(settings, engine=CrashingDetector(), metrics=WorkerMetrics())
    return asyncio.run(serve(worker))


if __name__ == "__main__":
    sys.exit(main())
