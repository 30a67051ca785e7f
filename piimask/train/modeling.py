"""A BERT token classifier in torch with Hugging Face's parameter names, and LoRA layers.

Written out rather than taken from transformers: the network is small, the parameter
names match :func:`piimask.detect.weights.read_weights`, and the attention mask is an
explicit additive one (the ONNX side keeps the base graph's own mask handling, so no
traced mask construction can differ between padded and unpadded batches).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import torch
from torch import nn
from torch.nn import functional as F

from piimask.detect.weights import Weights

DENSE_SUFFIXES = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


@dataclass(frozen=True, slots=True)
class BertShape:
    vocab: int
    hidden: int
    layers: int
    heads: int
    intermediate: int
    positions: int
    labels: int

    @classmethod
    def from_weights(cls, weights: Weights, heads: int) -> BertShape:
        layers = 0
        while f"bert.encoder.layer.{layers}.attention.self.query.weight" in weights:
            layers += 1
        return cls(
            vocab=weights["bert.embeddings.word_embeddings.weight"].shape[0],
            hidden=weights["bert.embeddings.word_embeddings.weight"].shape[1],
            layers=layers,
            heads=heads,
            intermediate=weights["bert.encoder.layer.0.intermediate.dense.weight"].shape[0],
            positions=weights["bert.embeddings.position_embeddings.weight"].shape[0],
            labels=weights["classifier.weight"].shape[0],
        )


class LoRALinear(nn.Module):
    """``x @ (W + scale * B @ A).T + b`` with ``W`` frozen; B starts at zero."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float, dropout: float) -> None:
        super().__init__()
        self.weight = base.weight
        self.bias = base.bias
        self.weight.requires_grad_(False)
        self.rank = rank
        self.scale = alpha / rank
        self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.linear(x, self.weight, self.bias)
        low_rank: torch.Tensor = self.dropout(x) @ self.lora_a.T @ self.lora_b.T
        return out + low_rank * self.scale

    def factors(self) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        a = self.lora_a.detach().cpu().numpy().astype(np.float32)
        b = (self.lora_b.detach().cpu() * self.scale).numpy().astype(np.float32)
        return a, b


class _SelfAttention(nn.Module):
    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.query: nn.Module = nn.Linear(hidden, hidden)
        self.key: nn.Module = nn.Linear(hidden, hidden)
        self.value: nn.Module = nn.Linear(hidden, hidden)


class _Dense(nn.Module):
    """A dense layer, with the residual layer norm where HF's BERT has one."""

    def __init__(self, n_in: int, n_out: int, norm: bool) -> None:
        super().__init__()
        self.dense: nn.Module = nn.Linear(n_in, n_out)
        if norm:
            self.LayerNorm = nn.LayerNorm(n_out, eps=1e-12)


class _Attention(nn.Module):
    def __init__(self, shape: BertShape, dropout: float) -> None:
        super().__init__()
        self.heads = shape.heads
        self.self = _SelfAttention(shape.hidden)
        self.output = _Dense(shape.hidden, shape.hidden, norm=True)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, additive_mask: torch.Tensor) -> torch.Tensor:
        b, t, h = x.shape
        d = h // self.heads

        def split(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, self.heads, d).transpose(1, 2)

        q = split(self.self.query(x))
        k = split(self.self.key(x))
        v = split(self.self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + additive_mask
        probs = self.dropout(scores.softmax(-1))
        context = (probs @ v).transpose(1, 2).reshape(b, t, h)
        out = self.dropout(self.output.dense(context))
        normed: torch.Tensor = self.output.LayerNorm(out + x)
        return normed


class _Layer(nn.Module):
    def __init__(self, shape: BertShape, dropout: float) -> None:
        super().__init__()
        self.attention = _Attention(shape, dropout)
        self.intermediate = _Dense(shape.hidden, shape.intermediate, norm=False)
        self.output = _Dense(shape.intermediate, shape.hidden, norm=True)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, additive_mask: torch.Tensor) -> torch.Tensor:
        x = self.attention(x, additive_mask)
        inner = F.gelu(self.intermediate.dense(x))
        out: torch.Tensor = self.output.LayerNorm(self.dropout(self.output.dense(inner)) + x)
        return out


class _Embeddings(nn.Module):
    def __init__(self, shape: BertShape) -> None:
        super().__init__()
        self.word_embeddings = nn.Embedding(shape.vocab, shape.hidden)
        self.position_embeddings = nn.Embedding(shape.positions, shape.hidden)
        self.token_type_embeddings = nn.Embedding(2, shape.hidden)
        self.LayerNorm = nn.LayerNorm(shape.hidden, eps=1e-12)


class _Encoder(nn.Module):
    def __init__(self, shape: BertShape, dropout: float) -> None:
        super().__init__()
        self.layer = nn.ModuleList(_Layer(shape, dropout) for _ in range(shape.layers))


class _Bert(nn.Module):
    def __init__(self, shape: BertShape, dropout: float) -> None:
        super().__init__()
        self.embeddings = _Embeddings(shape)
        self.encoder = _Encoder(shape, dropout)


class BertTokenClassifier(nn.Module):
    def __init__(self, shape: BertShape, dropout: float = 0.1) -> None:
        super().__init__()
        self.shape = shape
        self.bert = _Bert(shape, dropout)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(shape.hidden, shape.labels)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        emb = self.bert.embeddings
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        x = (
            emb.word_embeddings(input_ids)
            + emb.position_embeddings(positions)[None]
            + emb.token_type_embeddings.weight[0]
        )
        x = self.dropout(emb.LayerNorm(x))
        # The explicit additive mask: 0 where a key may be attended, a large negative where not.
        additive = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        for layer in self.bert.encoder.layer:
            x = layer(x, additive)
        logits: torch.Tensor = self.classifier(self.dropout(x))
        return logits

    @classmethod
    def from_weights(cls, weights: Weights, heads: int = 12) -> BertTokenClassifier:
        model = cls(BertShape.from_weights(weights, heads))
        state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in weights.items()}
        model.load_state_dict(state, strict=True)
        return model

    def add_lora(self, rank: int, alpha: float, dropout: float = 0.0) -> list[str]:
        """Wrap every dense encoder layer in LoRA; returns the wrapped parameter names."""
        names = []
        for i, layer in enumerate(self.bert.encoder.layer):
            for suffix in DENSE_SUFFIXES:
                parent: nn.Module = layer
                *path, leaf = suffix.split(".")
                for part in path:
                    parent = getattr(parent, part)
                base = getattr(parent, leaf)
                assert isinstance(base, nn.Linear)
                setattr(parent, leaf, LoRALinear(base, rank, alpha, dropout))
                names.append(f"bert.encoder.layer.{i}.{suffix}.weight")
        return names

    def lora_modules(self) -> dict[str, LoRALinear]:
        return {
            f"{name}.weight": m for name, m in self.named_modules() if isinstance(m, LoRALinear)
        }

    def merged_weights(self) -> Weights:
        """fp32 numpy weights under HF names, LoRA changes merged in."""
        out: Weights = {}
        lora = self.lora_modules()
        for name, tensor in self.state_dict().items():
            if ".lora_" in name:
                continue
            out[name] = tensor.detach().cpu().numpy().astype(np.float32)
        for name, module in lora.items():
            a, b = module.factors()
            out[name] = (out[name] + b @ a).astype(np.float32)
        return out
