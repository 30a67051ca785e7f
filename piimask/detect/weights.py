"""A quantized BERT token-classifier ONNX graph as fp32 weights, and back to an fp32 graph.

The bundled Rampart model stores its 37 dense weights as 4-bit ``MatMulNBits``
blocks and its three embedding tables as int8 (``Gather`` + ``DequantizeLinear``).
:func:`read_weights` turns them into fp32 arrays named as Hugging Face's
``BertForTokenClassification`` names its parameters (dense weights ``[out, in]``);
:func:`fp32_model` writes a graph of the same structure with plain ``MatMul`` and
fp32 tables holding any weights of that shape (the base's own, or ones with an
adapter merged in or fully fine-tuned). The attention-mask handling of the base
graph is kept as it is, so padded batches behave exactly as in the base model.

Only numpy and the ``onnx`` protobuf library: no torch at run time.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnx
from onnx import helper, numpy_helper

Weights = dict[str, npt.NDArray[np.float32]]

_DEFAULT_ZERO_POINT = 8
_DENSE_NODE = re.compile(r"^/(?P<path>.+)/MatMul(?:_Q4)?$")
# fp32 graphs written by fp32_model hold dense weights transposed, as ``NAME.T``.
_TRANSPOSED = ".T"


class WeightsError(RuntimeError):
    """The graph is not a BERT token classifier this module can read or rebuild."""


def _attr(node: onnx.NodeProto, name: str) -> int:
    for a in node.attribute:
        if a.name == name:
            return int(helper.get_attribute_value(a))
    raise WeightsError(f"{node.name}: no attribute {name}")


def dequantize_matmul_nbits(
    packed: npt.NDArray[np.uint8],
    scales: npt.NDArray[np.float32],
    n: int,
    k: int,
    block_size: int,
    zero_points: npt.NDArray[np.uint8] | None = None,
) -> npt.NDArray[np.float32]:
    """The ``[N, K]`` fp32 weight of a 4-bit ``MatMulNBits`` (``Y = X @ W.T``)."""
    blocks = packed.reshape(n, -1, block_size // 2)
    low = blocks & 0x0F
    high = blocks >> 4
    # Two values per byte, the low nibble first.
    q = np.stack([low, high], axis=-1).reshape(n, -1, block_size).astype(np.float32)
    if zero_points is None:
        zp = np.full((n, q.shape[1], 1), _DEFAULT_ZERO_POINT, dtype=np.float32)
    else:
        zp_bytes = zero_points.reshape(n, -1)
        zp_all = np.stack([zp_bytes & 0x0F, zp_bytes >> 4], axis=-1).reshape(n, -1)
        zp = zp_all[:, : q.shape[1], None].astype(np.float32)
    w = (q - zp) * scales.reshape(n, -1)[:, :, None].astype(np.float32)
    return np.ascontiguousarray(w.reshape(n, -1)[:, :k], dtype=np.float32)


def _param_name(node_name: str) -> str:
    """``/bert/encoder/layer.0/attention/self/query/MatMul_Q4`` -> HF's ``...query.weight``."""
    match = _DENSE_NODE.match(node_name)
    if not match:
        raise WeightsError(f"unexpected MatMulNBits node name {node_name!r}")
    return match.group("path").replace("/", ".") + ".weight"


def read_weights(model: onnx.ModelProto) -> Weights:
    """Every trainable tensor of the graph, dequantized to fp32, under HF parameter names."""
    inits = {i.name: i for i in model.graph.initializer}
    weights: Weights = {}
    for node in model.graph.node:
        if node.op_type == "MatMulNBits":
            n, k, bits, block = (_attr(node, a) for a in ("N", "K", "bits", "block_size"))
            if bits != 4:
                raise WeightsError(f"{node.name}: {bits}-bit weights are not supported")
            packed = numpy_helper.to_array(inits[node.input[1]])
            scales = numpy_helper.to_array(inits[node.input[2]])
            zps = None
            if len(node.input) > 3 and node.input[3]:
                zps = numpy_helper.to_array(inits[node.input[3]])
            if len(node.input) > 5 and node.input[5]:
                raise WeightsError(f"{node.name}: a fused bias is not supported")
            weights[_param_name(node.name)] = dequantize_matmul_nbits(
                packed, scales, n, k, block, zps
            )
        elif node.op_type == "DequantizeLinear":
            gather_out = node.input[0]
            gather = next(g for g in model.graph.node if gather_out in g.output)
            table = gather.input[0]
            if not table.endswith("_quantized"):
                raise WeightsError(f"unexpected embedding table {table!r}")
            q = numpy_helper.to_array(inits[table]).astype(np.float32)
            scale = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
            zero = numpy_helper.to_array(inits[node.input[2]]).astype(np.float32)
            weights[table.removesuffix("_quantized")] = ((q - zero) * scale).astype(np.float32)
        elif node.op_type == "MatMul" and node.input[1] in inits:
            name = _param_name(node.name)
            if node.input[1] != name + _TRANSPOSED:
                raise WeightsError(f"{node.name}: unexpected fp32 weight {node.input[1]!r}")
            weights[name] = np.ascontiguousarray(numpy_helper.to_array(inits[node.input[1]]).T)
    for name, init in inits.items():
        if name.startswith(("bert.", "classifier.")) and not name.endswith(
            ("_quantized", "_scale", "_zero_point", _TRANSPOSED)
        ):
            weights[name] = numpy_helper.to_array(init).astype(np.float32)
    if "classifier.weight" not in weights:
        raise WeightsError("no classifier weight found: not a BERT token classifier")
    return weights


def load_weights(path: Path) -> tuple[onnx.ModelProto, Weights]:
    model = onnx.load(str(path))
    return model, read_weights(model)


def fp32_model(base: onnx.ModelProto, weights: Weights) -> onnx.ModelProto:
    """The base graph with plain fp32 ``MatMul`` and embedding tables holding ``weights``."""
    model = copy.deepcopy(base)
    graph = model.graph
    used = set()
    new_nodes: list[onnx.NodeProto] = []
    new_inits: list[onnx.TensorProto] = []
    dq_by_input = {n.input[0]: n for n in graph.node if n.op_type == "DequantizeLinear"}
    dropped: set[str] = set()
    for node in graph.node:
        if node.op_type == "MatMulNBits":
            name = _param_name(node.name)
            transposed = name + _TRANSPOSED
            new_inits.append(
                numpy_helper.from_array(np.ascontiguousarray(weights[name].T), transposed)
            )
            used.add(name)
            dropped.update(node.input[1:])
            new_nodes.append(
                helper.make_node(
                    "MatMul", [node.input[0], transposed], list(node.output), name=node.name
                )
            )
        elif node.op_type == "Gather" and node.input[0].endswith("_quantized"):
            table = node.input[0].removesuffix("_quantized")
            dq = dq_by_input[node.output[0]]
            dropped.update([node.input[0], *dq.input[1:]])
            new_inits.append(numpy_helper.from_array(weights[table], table))
            used.add(table)
            new_nodes.append(
                helper.make_node("Gather", [table, node.input[1]], list(dq.output), name=node.name)
            )
        elif node.op_type == "DequantizeLinear" and node.input[0] in dq_by_input:
            continue
        elif node.op_type == "MatMul" and node.input[1].endswith(_TRANSPOSED):
            name = node.input[1].removesuffix(_TRANSPOSED)
            dropped.add(node.input[1])
            new_inits.append(
                numpy_helper.from_array(np.ascontiguousarray(weights[name].T), node.input[1])
            )
            used.add(name)
            new_nodes.append(node)
        else:
            new_nodes.append(node)
    kept: list[onnx.TensorProto] = []
    for init in graph.initializer:
        if init.name in dropped:
            continue
        if init.name in weights:
            kept.append(numpy_helper.from_array(weights[init.name], init.name))
            used.add(init.name)
        else:
            kept.append(init)
    missing = set(weights) - used
    if missing:
        raise WeightsError(f"weights not in the graph: {sorted(missing)[:5]}")
    del graph.node[:]
    graph.node.extend(new_nodes)
    del graph.initializer[:]
    graph.initializer.extend(kept + new_inits)
    return model
