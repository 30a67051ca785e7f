"""Quantized variants of a token-classifier model with onnxruntime's quantizers (no torch).

- ``int8``: static, per-channel int8 weights with uint8 activations calibrated on real
  windows of a calibration file (QDQ format). Only the dense layers are quantized: the
  attention products (activation x activation) stay fp32.
- ``q4``: 4-bit block-wise weights (``MatMulNBits``, block 32), as the bundled model.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import onnx

from piimask.detect.model import TokenClassifier
from piimask.detect.windows import plan_windows

Method = Literal["int8", "q4"]
_COPIED = (
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
)


def calibration_batches(
    classifier: TokenClassifier, texts: Sequence[str], window: int = 40, rows: int = 16
) -> Iterator[dict[str, np.ndarray]]:
    windows: list[list[int]] = []
    for text in texts:
        ids = classifier.tokenizer.encode(text, add_special_tokens=False).ids
        windows.extend(ids[s:e] for s, e in plan_windows(len(ids), window, window // 4))
    for i in range(0, len(windows), rows):
        chunk = windows[i : i + rows]
        width = max(len(w) for w in chunk) + 2
        ids_arr = np.full((len(chunk), width), classifier.pad_id, dtype=np.int64)
        mask = np.zeros_like(ids_arr)
        for j, w in enumerate(chunk):
            ids_arr[j, 0] = classifier.cls_id
            ids_arr[j, 1 : len(w) + 1] = w
            ids_arr[j, len(w) + 1] = classifier.sep_id
            mask[j, : len(w) + 2] = 1
        yield {
            "input_ids": ids_arr,
            "attention_mask": mask,
            "token_type_ids": np.zeros_like(ids_arr),
        }


def quantize_model(
    source: onnx.ModelProto,
    model_dir: Path,
    out: Path,
    method: Method,
    calibration_texts: Sequence[str],
) -> Path:
    """Write ``out`` as a model directory (tokenizer, config, quantized .onnx); return the file."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    out.mkdir(parents=True, exist_ok=True)
    (out / "onnx").mkdir(exist_ok=True)
    for name in _COPIED:
        if (model_dir / name).is_file():
            shutil.copyfile(model_dir / name, out / name)
    if method == "q4":
        quantizer = MatMulNBitsQuantizer(source, block_size=32, is_symmetric=True)
        quantizer.process()
        target = out / "onnx" / "model_q4.onnx"
        onnx.save(quantizer.model.model, str(target))
        return target

    classifier = TokenClassifier(model_dir)
    batches = list(calibration_batches(classifier, calibration_texts))

    class Reader(CalibrationDataReader):  # type: ignore[misc]
        def __init__(self) -> None:
            self.items = iter(batches)

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self.items, None)

    weights = {i.name for i in source.graph.initializer}
    # Activation x activation products (attention scores and context) stay fp32.
    excluded = [
        n.name
        for n in source.graph.node
        if n.op_type == "MatMul" and not any(i in weights for i in n.input)
    ]
    target = out / "onnx" / "model_int8.onnx"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "source.onnx"
        onnx.save(source, str(src))
        quantize_static(
            str(src),
            str(target),
            Reader(),
            quant_format=QuantFormat.QDQ,
            op_types_to_quantize=["MatMul"],
            nodes_to_exclude=excluded,
            per_channel=True,
            weight_type=QuantType.QInt8,
            activation_type=QuantType.QUInt8,
        )
    return target
