"""Fine-tuning the token classifier (``pip install piimask[train]``: needs torch).

The run-time detection code never imports this package: a trained model or adapter is
used through :mod:`piimask.detect` with onnxruntime alone.
"""

from __future__ import annotations


class TrainingUnavailableError(RuntimeError):
    """torch (the ``train`` extra) is not installed."""


def require_torch() -> None:
    try:
        import torch  # noqa: F401
    except ModuleNotFoundError as exc:
        raise TrainingUnavailableError(
            "model training needs the train extra: pip install 'piimask[train]'"
        ) from exc
