"""Fine-tuning adapters: small weight changes merged into a base model when it loads.

An adapter is one ``.npz`` file written by ``piimask model train``:

- ``__meta__``: JSON (format, the base ONNX file's sha256, the label list, the rank);
- ``a:NAME`` ``[r, in]`` and ``b:NAME`` ``[out, r]``: a low-rank (LoRA) change of the dense
  weight ``NAME``, merged as ``W + b @ a`` (the LoRA scale is already folded into ``b``);
- ``set:NAME``: a tensor that replaces the base's (biases, layer norms, the classifier).

Merging is numpy only; the merged weights then run as a plain fp32 onnxruntime session
(:mod:`piimask.detect.weights`), so an adapted model costs what the base costs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np
import numpy.typing as npt

from piimask.detect.weights import Weights

ADAPTER_FORMAT = "piimask-adapter/1"


class AdapterError(RuntimeError):
    """The adapter file is unreadable or does not fit the base model."""


def bundled_adapter_path() -> Path:
    return Path(str(files("piimask") / "data" / "model" / "adapter.npz"))


@dataclass(frozen=True, slots=True)
class Adapter:
    meta: dict[str, object]
    low_rank: dict[str, tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]]
    replaced: dict[str, npt.NDArray[np.float32]]
    sha256: str

    @classmethod
    def load(cls, path: Path) -> Adapter:
        if not path.is_file():
            raise AdapterError(f"adapter file {path} does not exist")
        raw = path.read_bytes()
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: np.asarray(data[k]) for k in data.files}
        except (OSError, ValueError) as exc:
            raise AdapterError(f"{path}: not a readable .npz adapter ({exc})") from exc
        if "__meta__" not in arrays:
            raise AdapterError(f"{path}: no __meta__ entry: not a piimask adapter")
        meta = json.loads(str(arrays.pop("__meta__")))
        if meta.get("format") != ADAPTER_FORMAT:
            raise AdapterError(f"{path}: format {meta.get('format')!r}, want {ADAPTER_FORMAT}")
        low_rank: dict[str, tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]] = {}
        replaced: dict[str, npt.NDArray[np.float32]] = {}
        for key, value in arrays.items():
            kind, _, name = key.partition(":")
            if kind == "a":
                low_rank[name] = (value.astype(np.float32), arrays[f"b:{name}"].astype(np.float32))
            elif kind == "set":
                replaced[name] = value.astype(np.float32)
            elif kind != "b":
                raise AdapterError(f"{path}: unknown entry {key!r}")
        return cls(meta, low_rank, replaced, hashlib.sha256(raw).hexdigest())

    def merge(self, base: Weights, base_sha256: str, labels: tuple[str, ...]) -> Weights:
        """The base weights with this adapter's changes; checks it was made for this base."""
        want = self.meta.get("base_sha256")
        if want != base_sha256:
            raise AdapterError(
                f"adapter was trained on base {str(want)[:12]}..., the model is "
                f"{base_sha256[:12]}...: train it again for this base"
            )
        if list(labels) != self.meta.get("labels"):
            raise AdapterError("adapter labels differ from the model's id2label")
        merged = dict(base)
        for name, (a, b) in self.low_rank.items():
            if name not in base or base[name].shape != (b.shape[0], a.shape[1]):
                raise AdapterError(f"adapter entry {name} does not fit the base model")
            merged[name] = (base[name] + b @ a).astype(np.float32)
        for name, value in self.replaced.items():
            if name not in base or base[name].shape != value.shape:
                raise AdapterError(f"adapter entry {name} does not fit the base model")
            merged[name] = value
        return merged


def save_adapter(
    path: Path,
    meta: dict[str, object],
    low_rank: dict[str, tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]],
    replaced: dict[str, npt.NDArray[np.float32]],
) -> None:
    arrays: dict[str, npt.NDArray[np.generic]] = {
        "__meta__": np.array(json.dumps({**meta, "format": ADAPTER_FORMAT}))
    }
    for name, (a, b) in low_rank.items():
        arrays[f"a:{name}"] = a.astype(np.float32)
        arrays[f"b:{name}"] = b.astype(np.float32)
    for name, value in replaced.items():
        arrays[f"set:{name}"] = value.astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]
