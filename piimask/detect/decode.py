"""Subword probabilities -> word labels -> valid BIO sequence -> character spans.

Probabilities are first collapsed from fine model labels to piimask entity
types (B-GIVEN_NAME + B-SURNAME -> B-PERSON), so a word the model splits
between two fine labels of one entity still counts as that entity. Words are
the tokenizer's pre-tokenized words, so a span always covers whole words.
Decoding is Viterbi over the allowed BIO transitions: ``I-X`` can only follow
``B-X`` or ``I-X``, so it never starts a span nor continues one of another type.

Before decoding, a capitalised word's PERSON emission can be weighed up against O
(``name_prior``): the model under-calls names it never saw ("Fuck Canelo", "Where's
Kishan ?": PERSON 0.4 against O 0.55), and capitalisation is the evidence it
weighs too little in short informal text. Only words whose best entity type is
already PERSON are weighed, and span scores keep the unweighed probabilities, so
the minimum score still judges what the model itself said. Machine output is not
weighed: a capitalised word there is a product or a class ("Java heap space").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from piimask.detect.config import Aggregation
from piimask.detect.labels import strip_bio
from piimask.detect.merge import union_same_type
from piimask.detect.model import FloatArray
from piimask.spans import Span

_EPS = 1e-9
_BEGIN_PREFIXES = {"B", "S", "U"}


@dataclass(frozen=True, slots=True)
class LabelSpace:
    """Entity types and the projection of model label columns onto B-/I- per type."""

    types: tuple[str, ...]
    o_column: int
    begin: FloatArray  # [model_labels, types]: 1 where a column is B-<type>
    inside: FloatArray  # [model_labels, types]: 1 where a column is I-<type>
    grouped_types: frozenset[str]  # types several fine labels map to (joined when adjacent)

    @classmethod
    def build(cls, labels: Sequence[str], label_map: Mapping[str, str]) -> LabelSpace:
        types = tuple(dict.fromkeys(label_map[strip_bio(lb)[1]] for lb in labels if lb != "O"))
        index = {t: i for i, t in enumerate(types)}
        begin = np.zeros((len(labels), len(types)), dtype=np.float32)
        inside = np.zeros((len(labels), len(types)), dtype=np.float32)
        fine_per_type: dict[str, set[str]] = {}
        for col, label in enumerate(labels):
            if label == "O":
                continue
            prefix, name = strip_bio(label)
            entity = label_map[name]
            fine_per_type.setdefault(entity, set()).add(name)
            target = begin if prefix in _BEGIN_PREFIXES else inside
            target[col, index[entity]] = 1.0
        grouped = frozenset(t for t, names in fine_per_type.items() if len(names) > 1)
        return cls(types, labels.index("O"), begin, inside, grouped)


def aggregate_words(
    probs: FloatArray,
    offsets: Sequence[tuple[int, int]],
    word_ids: Sequence[int | None],
    space: LabelSpace,
    aggregation: Aggregation,
) -> tuple[list[tuple[int, int]], FloatArray]:
    """Word character extents and per-word emission probabilities.

    Emissions have columns ``[O, B-t0, I-t0, B-t1, I-t1, ...]``. The entity
    type's mass comes from the aggregated subwords; the split between B and I
    comes from the word's first subword, which is the one that starts it.
    """
    begin = probs @ space.begin  # [tokens, types]
    inside = probs @ space.inside
    outside = probs[:, space.o_column]
    n_types = len(space.types)

    offset_array = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)
    words = np.asarray([-1 if w is None else w for w in word_ids], dtype=np.int64)
    valid = np.flatnonzero((words >= 0) & (offset_array[:, 1] > offset_array[:, 0]))
    if valid.size == 0:
        return [], np.zeros((0, 1 + 2 * n_types), dtype=np.float32)
    valid_words = words[valid]
    is_first = np.ones(valid.size, dtype=bool)
    is_first[1:] = valid_words[1:] != valid_words[:-1]
    group_starts = np.flatnonzero(is_first)  # positions in `valid`
    group_ends = np.append(group_starts[1:], valid.size)
    first_tokens = valid[group_starts]
    last_tokens = valid[group_ends - 1]

    type_mass = begin[valid] + inside[valid]  # [valid tokens, types]
    o_valid = outside[valid]
    if aggregation == "first":
        mass, o_mass = type_mass[group_starts], o_valid[group_starts]
    elif aggregation == "average":
        counts = (group_ends - group_starts).astype(np.float32)
        mass = np.add.reduceat(type_mass, group_starts, axis=0) / counts[:, None]
        o_mass = (np.add.reduceat(o_valid, group_starts) / counts).astype(np.float32)
    else:  # max: the most confident subword decides, as in HF pipelines
        confidence = np.maximum(type_mass.max(axis=1), o_valid)
        best = np.array(
            [
                s + int(confidence[s:e].argmax())
                for s, e in zip(group_starts, group_ends, strict=True)
            ]
        )
        mass, o_mass = type_mass[best], o_valid[best]
    b_share = begin[first_tokens] / (begin[first_tokens] + inside[first_tokens] + _EPS)
    emissions = np.zeros((group_starts.size, 1 + 2 * n_types), dtype=np.float32)
    emissions[:, 0] = o_mass
    emissions[:, 1::2] = mass * b_share
    emissions[:, 2::2] = mass * (1.0 - b_share)
    extents = list(
        zip(
            offset_array[first_tokens, 0].tolist(),
            offset_array[last_tokens, 1].tolist(),
            strict=True,
        )
    )
    return extents, emissions


PERSON = "PERSON"


def weigh_capitalised_names(
    text: str,
    extents: Sequence[tuple[int, int]],
    emissions: FloatArray,
    space: LabelSpace,
    prior: float,
    machine_lines: frozenset[int] = frozenset(),
    prose_spans: Sequence[tuple[int, int]] = (),
) -> FloatArray:
    """Emissions with PERSON times ``prior`` on capitalised words whose best type is PERSON.

    Words on the lines starting at ``machine_lines`` are left as they are, except inside
    ``prose_spans``: a message written for people within machine output (``msg="..."``).
    """
    if prior == 1.0 or PERSON not in space.types or not extents:
        return emissions
    k = space.types.index(PERSON)

    def prose(start: int, end: int) -> bool:
        if text.rfind("\n", 0, start) + 1 not in machine_lines:
            return True
        return any(lo <= start and end <= hi for lo, hi in prose_spans)

    capitalised = np.fromiter(
        (text[start : start + 1].isupper() and prose(start, end) for start, end in extents),
        dtype=bool,
        count=len(extents),
    )
    type_mass = emissions[:, 1::2] + emissions[:, 2::2]
    weighed = capitalised & (type_mass.argmax(axis=1) == k)
    if not weighed.any():
        return emissions
    out = emissions.copy()
    out[weighed, 2 * k + 1] *= prior
    out[weighed, 2 * k + 2] *= prior
    return out


def viterbi_bio(emissions: FloatArray) -> list[int]:
    """Most probable state per word under BIO constraints.

    States: 0 = O, 2k+1 = B-type k, 2k+2 = I-type k.
    """
    n_words, n_states = emissions.shape
    if n_words == 0:
        return []
    n_types = (n_states - 1) // 2
    log_e = np.log(emissions.astype(np.float64) + _EPS)
    allowed = np.ones((n_states, n_states), dtype=bool)  # allowed[prev, cur]
    for k in range(n_types):
        inside_state = 2 * k + 2
        allowed[:, inside_state] = False
        allowed[2 * k + 1, inside_state] = True
        allowed[inside_state, inside_state] = True
    transition = np.where(allowed, 0.0, -np.inf)
    start_ok = np.zeros(n_states)
    start_ok[2::2] = -np.inf

    score = start_ok + log_e[0]
    back = np.zeros((n_words, n_states), dtype=np.int64)
    for t in range(1, n_words):
        candidates = score[:, None] + transition
        back[t] = candidates.argmax(axis=0)
        score = candidates.max(axis=0) + log_e[t]
    path = [int(score.argmax())]
    for t in range(n_words - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    path.reverse()
    return path


def decode_spans(
    text: str,
    probs: FloatArray,
    offsets: Sequence[tuple[int, int]],
    word_ids: Sequence[int | None],
    space: LabelSpace,
    aggregation: Aggregation,
    name_prior: float = 1.0,
    machine_lines: frozenset[int] = frozenset(),
    prose_spans: Sequence[tuple[int, int]] = (),
) -> list[Span]:
    """Model spans of ``text`` (not yet thresholded or merged with patterns)."""
    extents, emissions = aggregate_words(probs, offsets, word_ids, space, aggregation)
    weighed = weigh_capitalised_names(
        text, extents, emissions, space, name_prior, machine_lines, prose_spans
    )
    path = viterbi_bio(weighed)
    spans: list[Span] = []
    current: list[int] = []  # word indexes of the open span
    current_type = -1

    def close() -> None:
        if current:
            k = current_type
            mass = emissions[current, 2 * k + 1] + emissions[current, 2 * k + 2]
            spans.append(
                Span(
                    extents[current[0]][0],
                    extents[current[-1]][1],
                    space.types[k],
                    float(mass.mean()),
                    "model",
                )
            )
            current.clear()

    for w, state in enumerate(path):
        if state == 0:
            close()
            continue
        k, is_inside = (state - 1) // 2, state % 2 == 0
        if not is_inside or k != current_type:
            close()
            current_type = k
        current.append(w)
    close()
    return join_adjacent(text, widen_to_word_edges(text, spans), space.grouped_types)


def widen_to_word_edges(text: str, spans: Sequence[Span]) -> list[Span]:
    """Extend spans over letters and digits they cut through, never leaving part of a word."""
    out: list[Span] = []
    for span in spans:
        start, end = span.start, span.end
        while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
            start -= 1
        while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
            end += 1
        out.append(Span(start, end, span.entity_type, span.score, span.detector))
    return union_same_type(out)


_WHITESPACE_ONLY = re.compile(r"\s*")
# A middle initial between two name parts: "Laerke P. Iversen".
_NAME_GAP = re.compile(r"\s*|\s+[A-Z]\.?\s+|\.\s+")
# Postal addresses are written across separators: "12 Crofts Road, Apt 5\nLeeds, LS1 4AP".
_ADDRESS_GAP = re.compile(r"[\s,]{0,4}")
_ADDRESS_TAIL_TYPES = frozenset({"STREET_ADDRESS", "LOCATION", "ZIP_CODE"})


def join_adjacent(text: str, spans: Sequence[Span], grouped_types: frozenset[str]) -> list[Span]:
    """Join neighbouring spans that are parts of one entity.

    Parts of a grouped type (given name + surname) separated only by
    whitespace become one span; a street address absorbs the city, state and
    ZIP that follow it, as one postal address.
    """
    out: list[Span] = []
    weights: list[int] = []
    for span in sorted(spans):
        if out:
            prev = out[-1]
            gap = text[prev.end : span.start]
            same_group = (
                span.entity_type == prev.entity_type
                and prev.entity_type in grouped_types
                and (_NAME_GAP if prev.entity_type == "PERSON" else _WHITESPACE_ONLY).fullmatch(gap)
                is not None
            )
            address_tail = (
                prev.entity_type == "STREET_ADDRESS"
                and span.entity_type in _ADDRESS_TAIL_TYPES
                and _ADDRESS_GAP.fullmatch(gap) is not None
            )
            if prev.end <= span.start and (same_group or address_tail):
                w0, w1 = weights[-1], len(span)
                score = (prev.score * w0 + span.score * w1) / max(w0 + w1, 1)
                out[-1] = Span(prev.start, span.end, prev.entity_type, score, prev.detector)
                weights[-1] = w0 + w1
                continue
        out.append(span)
        weights.append(len(span))
    return out
