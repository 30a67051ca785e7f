"""Evidence rules for names and places that only one detector reported.

The ONNX model and the spaCy model agree on most real names and places; each alone also
reports words that are neither. These rules look at what the other detector said about the
same characters, beyond its decoded spans:

- **Vetoes by NER labels.** spaCy tells apart kinds of proper nouns the ONNX model lumps
  together: "Iraqi", "Norwegian" or "European" are NORP (nationalities, religious and
  political groups), not places. A name or place that only the ONNX model reported and that
  lies inside such an entity is dropped.
- **Sub-threshold model support.** spaCy's greedy NER gives no confidence, and it calls
  capitalised common words and titles persons ("Email", "Discipline", "Cautionary Tales").
  Where spaCy alone reports a span, the ONNX model's own probability for that type on those
  words (below its decoding threshold, but rarely near zero for a real name) decides.
- **Lower-case places must be place names.** In text that uses capitals elsewhere, a
  lower-case word that only the model calls a place is mostly a common noun ("helicopter",
  "the beach"); it is kept when the place gazetteer knows it ("punjab", "noida") or a
  locative word comes right before it ("a restaurant in sf").
- **Edges.** A name or place does not begin or end with a lower-case word in text that
  capitalises ("Narsaq bridge", "ms. Carla", "north of Miami"): such words are trimmed, and
  a lower-case word inside a person's name that is no name particle splits it ("Selma to
  Jason").

Every rule only ever applies to a span that a single detector found: a span two detectors
agree on (``model+ner:...``) is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from piimask.detect.decode import LabelSpace
from piimask.detect.ensemble import detector_family
from piimask.detect.model import FloatArray
from piimask.spans import Span

_LONE_FAMILIES = frozenset({"model", "ner"})
_EDGE_TYPES = frozenset({"PERSON", "LOCATION"})
# Lower-case words that belong inside names and place names ("Gulf of Mexico", "Ludwig van
# Beethoven", "Rio de Janeiro"); never at an edge.
_PARTICLES = frozenset(
    {
        "of",
        "the",
        "and",
        "on",
        "upon",
        "de",
        "del",
        "della",
        "der",
        "den",
        "des",
        "di",
        "da",
        "das",
        "do",
        "dos",
        "du",
        "la",
        "le",
        "les",
        "van",
        "von",
        "zu",
        "y",
        "e",
        "al",
        "el",
        "bin",
        "ibn",
        "ben",
        "bint",
        "sur",
        "am",
        "an",
        "im",
    }
)
_FUNCTION_WORDS = frozenset({"of", "the", "and", "on", "upon"})
# Lower-case nouns that end place names in running text ("Gaza strip", "Sand Hill park").
_PLACE_FEATURES = frozenset(
    {
        "strip",
        "park",
        "lake",
        "river",
        "valley",
        "hill",
        "hills",
        "mountain",
        "mountains",
        "island",
        "islands",
        "bay",
        "beach",
        "coast",
        "county",
        "city",
        "state",
        "province",
        "region",
        "district",
        "station",
        "airport",
        "square",
        "bridge",
        "canyon",
        "falls",
        "forest",
        "desert",
        "sea",
        "ocean",
        "peninsula",
    }
)
_WORD = re.compile(r"\S+")
# A locative word right before a lower-case place is evidence enough ("restaurant in sf",
# "go to orchard academy"), as it is for the gazetteer's Title-case names.
_CUE_BEFORE = re.compile(r"\b(?:in|at|from|to|near|into|visiting|visit|visited)\s+$")


def is_lone(span: Span) -> bool:
    """Found by exactly one detector: no ``+`` in its name, and a model or NER family."""
    return "+" not in span.detector and detector_family(span.detector) in _LONE_FAMILIES


@dataclass(frozen=True, slots=True)
class ModelEvidence:
    """The ONNX model's per-token probability of each entity type in one text."""

    starts: npt.NDArray[np.int64]
    ends: npt.NDArray[np.int64]
    mass: FloatArray  # [tokens, types]
    types: Mapping[str, int]

    @classmethod
    def build(
        cls, probs: FloatArray, offsets: Sequence[tuple[int, int]], space: LabelSpace
    ) -> ModelEvidence:
        bounds = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)
        mass = probs @ (space.begin + space.inside)
        return cls(bounds[:, 0], bounds[:, 1], mass, {t: i for i, t in enumerate(space.types)})

    @classmethod
    def empty(cls) -> ModelEvidence:
        none = np.zeros(0, dtype=np.int64)
        return cls(none, none, np.zeros((0, 0), dtype=np.float32), {})

    def support(self, span: Span) -> float:
        """The highest probability the model gave ``span``'s type on a token inside it."""
        column = self.types.get(span.entity_type)
        if column is None or self.mass.size == 0:
            return 0.0
        inside = (self.starts < span.end) & (self.ends > span.start) & (self.ends > self.starts)
        if not inside.any():
            return 0.0
        return float(self.mass[inside, column].max())


def veto_by_entities(
    spans: Sequence[Span],
    entities: Sequence[Span],
    vetoes: Mapping[str, Collection[str]],
) -> list[Span]:
    """Drop lone model spans of a vetoed type that lie inside an entity of a vetoing label.

    ``entities``: the NER model's entities of labels that map to no PII type (entity_type is
    the NER label, e.g. ``NORP``); ``vetoes``: NER label -> piimask types it vetoes.
    """
    if not vetoes or not entities:
        return list(spans)

    def vetoed(span: Span) -> bool:
        return any(
            span.entity_type in vetoes.get(e.entity_type, ())
            and e.start <= span.start
            and span.end <= e.end
            for e in entities
        )

    return [
        s
        for s in spans
        if not (is_lone(s) and detector_family(s.detector) == "model" and vetoed(s))
    ]


def require_model_support(
    spans: Sequence[Span], evidence: ModelEvidence, min_support: Mapping[str, float]
) -> list[Span]:
    """Drop lone NER spans whose type the ONNX model gives less than ``min_support`` there."""
    if not min_support:
        return list(spans)
    return [
        s
        for s in spans
        if not (
            is_lone(s)
            and detector_family(s.detector) == "ner"
            and s.entity_type in min_support
            and evidence.support(s) < min_support[s.entity_type]
        )
    ]


def _has_capital(word: str) -> bool:
    return any(ch.isupper() for ch in word)


def _is_lower_word(word: str) -> bool:
    return any(ch.isalpha() for ch in word) and not _has_capital(word)


def drop_unknown_lowercase_places(
    text: str,
    spans: Sequence[Span],
    families: Collection[str],
    known: Callable[[str], bool],
) -> list[Span]:
    """Drop lone lower-case LOCATION spans of these families that are no ``known`` place
    and follow no locative word ("in", "to", "from", ...).

    ``known``: whether a value is a listed place name (``places.is_place_name``). Text
    written all in lower case is left alone: there, case says nothing.
    """
    if not families or text.islower():
        return list(spans)
    out: list[Span] = []
    for span in spans:
        value = text[span.start : span.end]
        if (
            span.entity_type == "LOCATION"
            and is_lone(span)
            and detector_family(span.detector) in families
            and not _has_capital(value)
            and not known(value)
            and not _CUE_BEFORE.search(text, max(0, span.start - 12), span.start)
        ):
            continue
        out.append(span)
    return out


def trim_lowercase_edges(text: str, spans: Sequence[Span]) -> list[Span]:
    """Trim lower-case edge words off lone names and places; split names at lower-case words.

    Only in text that uses capitals, and only for spans holding a capitalised word.
    """
    if text.islower():
        return list(spans)
    out: list[Span] = []
    for span in spans:
        if span.entity_type not in _EDGE_TYPES or not is_lone(span):
            out.append(span)
            continue
        words = [
            (m.start() + span.start, m.end() + span.start)
            for m in _WORD.finditer(text[span.start : span.end])
        ]
        if not any(_has_capital(text[a:b]) for a, b in words):
            out.append(span)
            continue
        out.extend(_pieces(text, span, words))
    return out


def _pieces(text: str, span: Span, words: list[tuple[int, int]]) -> list[Span]:
    groups: list[list[tuple[int, int]]] = [[]]
    for a, b in words:
        if _splits(text[a:b], span.entity_type):
            groups.append([])
        else:
            groups[-1].append((a, b))
    pieces: list[Span] = []
    for group in groups:
        while group and _trimmable_lead(text, group, span.entity_type):
            group = group[1:]
        while group and _trimmable(text[group[-1][0] : group[-1][1]], span.entity_type):
            group = group[:-1]
        if group:
            pieces.append(
                Span(group[0][0], group[-1][1], span.entity_type, span.score, span.detector)
            )
    return pieces


def core_word(word: str) -> str:
    """``word`` without the punctuation around it ("Kimura," -> "Kimura")."""
    return word.strip(".,;:!?'’\"()")


def _splits(word: str, entity_type: str) -> bool:
    """A function word inside a person's name ends it: "Selma to Jason" is two names."""
    core = core_word(word)
    return entity_type == "PERSON" and core in stop_words() and core not in _PARTICLES


def _trimmable_lead(text: str, group: list[tuple[int, int]], entity_type: str) -> bool:
    """Whether a span's first word goes: as at any edge, or a lower-case word before a name.

    A name may end in lower case in a tweet ("Donald trump") but does not start with a
    lower-case word other than a particle before a capitalised one: "starring Kimura",
    "songwriter Lisa Beich" hold a role noun the model took in."""
    word = text[group[0][0] : group[0][1]]
    if _trimmable(word, entity_type):
        return True
    core = core_word(word)
    return (
        entity_type == "PERSON"
        and len(group) > 1
        and _is_lower_word(word)
        and len(core) > 1
        and core not in _PARTICLES
        and _has_capital(text[group[1][0] : group[1][1]])
        and "\n" not in text[group[0][1] : group[1][0]]  # the next word starts a new line
        and not _name_before(text, group[0][0])
    )


_WORD_BEFORE = re.compile(r"(\S+)[ \t]+$")


def _name_before(text: str, start: int) -> bool:
    """Whether a capitalised word other than a function word stands just before ``start``:
    then a lower-case word inside a name begins the span ("Don muthafuckin Cheadle")."""
    m = _WORD_BEFORE.search(text, max(0, start - 40), start)
    if m is None:
        return False
    word = core_word(m.group(1))
    return word[:1].isupper() and word.lower() not in stop_words()


def _trimmable(word: str, entity_type: str) -> bool:
    """Whether a lower-case word at a span's edge is no part of the name or place.

    A person's name keeps lower-case given names and surnames ("Donald trump" in a tweet):
    only function words and abbreviations ("ms.") go. A place loses any lower-case word at
    its edge ("north of Miami", "Narsaq by helicopter") except feature nouns that end many
    place names ("Gaza strip") and name particles other than English function words.
    """
    core = core_word(word)
    if not _is_lower_word(word) or len(core) <= 1:
        return False
    if entity_type == "PERSON":
        return core in stop_words() or (word.endswith(".") and len(core) <= 4)
    if core in _PLACE_FEATURES:
        return False
    return core not in _PARTICLES or core in _FUNCTION_WORDS


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's English stop words, read once."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)
