"""The detection engine: texts in, non-overlapping PII spans out."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from piimask.detect.address import complete_addresses
from piimask.detect.boundaries import cut_at_boundaries
from piimask.detect.config import DetectorConfig
from piimask.detect.decode import LabelSpace, decode_spans
from piimask.detect.detectors import Priority, text_detectors
from piimask.detect.ensemble import combine
from piimask.detect.evidence import (
    ModelEvidence,
    drop_unknown_lowercase_places,
    require_model_support,
    trim_lowercase_edges,
    veto_by_entities,
)
from piimask.detect.keyvalue import find_fragments
from piimask.detect.labels import build_label_map
from piimask.detect.logins import load_login_lexicons
from piimask.detect.machine_text import (
    all_line_starts,
    apply_machine_context,
    free_text_values,
    machine_line_starts,
)
from piimask.detect.merge import (
    AllowList,
    add_where_free,
    merge_spans,
    remove_overlaps,
    union_same_type,
)
from piimask.detect.model import FloatArray, TokenClassifier
from piimask.detect.names import (
    complete_names,
    drop_lowercase_guesses,
    propagate_mentions,
    trim_possessives,
)
from piimask.detect.ner import NerDetector, NerFound
from piimask.detect.places import extend_with_region, is_place_name
from piimask.detect.thresholds import ScoreGate, load_thresholds
from piimask.detect.windows import (
    Window,
    line_start_flags,
    merge_window_probabilities,
    plan_windows,
)
from piimask.spans import Span

PatternFinder = Callable[[str], list[Span]]
_PROPAGATED_TYPES = frozenset({"PERSON"})


@dataclass(slots=True)
class _Job:
    text_index: int
    window: Window
    ids: list[int]


@dataclass(slots=True)
class DetectionStats:
    """Running totals, for metrics."""

    texts: int = 0
    tokens: int = 0
    windows: int = 0
    model_calls: int = 0
    padded_tokens: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, texts: int, tokens: int, windows: int, calls: int, padded: int) -> None:
        with self._lock:
            self.texts += texts
            self.tokens += tokens
            self.windows += windows
            self.model_calls += calls
            self.padded_tokens += padded


def _registry_finder(config: DetectorConfig) -> PatternFinder:
    """The recognizer registry the configuration asks for (names, custom ones, regions)."""
    from piimask.detect.patterns import RecognizerRegistry

    return RecognizerRegistry.build(
        config.recognizers,
        disabled=config.disabled_recognizers,
        custom=config.all_custom_recognizers(),
        phone_regions=config.phone_regions,
    ).find


class DetectionEngine:
    """Runs the token classifier over windows of many texts at once, then decodes and merges."""

    def __init__(
        self,
        classifier: TokenClassifier,
        config: DetectorConfig,
        pattern_finder: PatternFinder | None = None,
        ner: NerDetector | None = None,
    ) -> None:
        limit = classifier.info.max_positions - 2
        if config.window_tokens > limit:
            raise ValueError(
                f"window_tokens={config.window_tokens} exceeds the model's limit of {limit}"
            )
        self.classifier = classifier
        self.config = config
        self.label_map = build_label_map(list(classifier.info.labels), config.label_map)
        self.space = LabelSpace.build(classifier.info.labels, self.label_map)
        self.allow_list = AllowList(config.allow_exact, config.allow_regex)
        thresholds = load_thresholds(config.thresholds_file) if config.thresholds_file else None
        self.score_gate = ScoreGate.build(config.min_score, config.min_scores, thresholds)
        if pattern_finder is None and config.patterns:
            pattern_finder = _registry_finder(config)
        self.pattern_finder = pattern_finder if config.patterns else None
        self.detectors = text_detectors(config, self.pattern_finder)
        if ner is None and config.ner_enabled:
            ner = NerDetector.load(config.ner_model, config.ner_labels, score=config.ner_score)
        self.ner = ner if config.ner_enabled else None
        # The login-shape lexicons: read now, so a broken install stops start-up with its
        # message instead of dead-lettering the first record, and no record pays the second.
        load_login_lexicons()
        self.stats = DetectionStats()

    @classmethod
    def load(cls, config: DetectorConfig | None = None) -> DetectionEngine:
        config = config or DetectorConfig()
        classifier = TokenClassifier(
            config.model_dir,
            intra_op_threads=config.intra_op_threads,
            adapter=config.adapter_file(),
        )
        return cls(classifier, config)

    @property
    def model_name(self) -> str:
        """The ONNX model, and the second NER model where one runs (``rampart+ner:...``)."""
        if self.ner is None:
            return self.classifier.info.name
        return f"{self.classifier.info.name}+{self.ner.name}"

    @property
    def model_sha256(self) -> str:
        return self.classifier.info.sha256

    def detect(self, text: str) -> list[Span]:
        return self.detect_batch([text])[0]

    def detect_batch(self, texts: Sequence[str]) -> list[list[Span]]:
        """Spans for each text; the same as calling :meth:`detect` on each one alone."""
        if not texts:
            return []
        tokenizer = self.classifier.tokenizer
        encodings = tokenizer.encode_batch(list(texts), add_special_tokens=False)
        jobs: list[_Job] = []
        windows_per_text: list[list[Window]] = []
        for index, encoding in enumerate(encodings):
            ids = encoding.ids
            line_starts = None
            if len(ids) > self.config.window_tokens and self.config.line_aligned_windows:
                line_starts = line_start_flags(texts[index], encoding.offsets)
            windows = plan_windows(
                len(ids),
                self.config.window_tokens,
                self.config.window_overlap,
                encoding.word_ids,
                line_starts,
            )
            windows_per_text.append(windows)
            jobs.extend(_Job(index, w, ids[w[0] : w[1]]) for w in windows)

        probs = self._run_jobs(jobs)
        by_text: list[list[FloatArray]] = [[] for _ in texts]
        for job, p in zip(jobs, probs, strict=True):
            by_text[job.text_index].append(p)

        ner_found = (
            self.ner.detect_entities(texts)
            if self.ner is not None
            else [NerFound([], []) for _ in texts]
        )
        results: list[list[Span]] = []
        for text, encoding, windows, window_probs, ner in zip(
            texts, encodings, windows_per_text, by_text, ner_found, strict=True
        ):
            results.append(self._spans_for(text, encoding, windows, window_probs, ner))
        return results

    def _spans_for(
        self,
        text: str,
        encoding: object,
        windows: list[Window],
        window_probs: list[FloatArray],
        ner: NerFound,
    ) -> list[Span]:
        model_spans: list[Span] = []
        evidence = ModelEvidence.empty()
        # Which lines read as machine output by their shape, and the key=value fragments:
        # asked by the decoder's name prior and by the machine-text step, computed once.
        every_line = self.config.text_kind == "machine"
        shape_lines = all_line_starts(text) if every_line else machine_line_starts(text)
        fragments = find_fragments(text)
        if windows:
            ids: list[int] = encoding.ids  # type: ignore[attr-defined]
            merged = merge_window_probabilities(len(ids), windows, window_probs)
            offsets: list[tuple[int, int]] = encoding.offsets  # type: ignore[attr-defined]
            word_ids: list[int | None] = encoding.word_ids  # type: ignore[attr-defined]
            prior_on = self.config.capitalised_name_prior != 1.0
            machine_lines = shape_lines if prior_on else frozenset[int]()
            prose = free_text_values(text, fragments) if machine_lines else ()
            model_spans = decode_spans(
                text,
                merged,
                offsets,
                word_ids,
                self.space,
                self.config.aggregation,
                self.config.capitalised_name_prior,
                machine_lines,
                prose,
            )
            if len(windows) > 1:
                model_spans = self._regrow_cut_entities(
                    text,
                    model_spans,
                    windows,
                    window_probs,
                    offsets,
                    word_ids,
                    machine_lines,
                    prose,
                )
            if self.config.lone_ner_min_model_support and ner.spans:
                evidence = ModelEvidence.build(merged, offsets, self.space)
        ner_spans = ner.spans
        if self.config.trim_lowercase_edges:
            model_spans = trim_lowercase_edges(text, model_spans)
            ner_spans = trim_lowercase_edges(text, ner_spans)
        found: dict[Priority, list[list[Span]]] = {p: [] for p in Priority}
        found[Priority.VOTE] += [model_spans, ner_spans]
        for detector in self.detectors:
            found[detector.priority].append(detector.find(text))
        voted = self._weigh_evidence(
            text, combine(found[Priority.VOTE], self.config.detector_min_scores), ner, evidence
        )
        validated = [s for group in found[Priority.VALIDATED] for s in group]
        spans = merge_spans(text, self._above_min_score(voted), self._above_min_score(validated))
        for extra in found[Priority.WHERE_FREE]:
            spans = add_where_free(spans, extra)
        spans = extend_with_region(text, spans)
        spans = complete_names(text, complete_addresses(text, spans))
        spans = propagate_mentions(text, remove_overlaps(spans), _PROPAGATED_TYPES)
        spans = trim_possessives(text, remove_overlaps(complete_names(text, spans)))
        if self.config.cut_at_boundaries:
            spans = cut_at_boundaries(text, spans)
        spans = apply_machine_context(text, spans, shape_lines=shape_lines, fragments=fragments)
        if self.allow_list:
            spans = self.allow_list.filter(text, spans)
        return spans

    def _weigh_evidence(
        self, text: str, voted: list[Span], ner: NerFound, evidence: ModelEvidence
    ) -> list[Span]:
        """The evidence rules for spans one detector alone found (``detect.evidence``)."""
        config = self.config
        voted = veto_by_entities(voted, ner.others, config.ner_vetoes)
        voted = require_model_support(voted, evidence, config.lone_ner_min_model_support)
        voted = drop_unknown_lowercase_places(
            text, voted, config.lowercase_places_need_gazetteer, is_place_name
        )
        return drop_lowercase_guesses(text, voted, config.lowercase_names_need_support)

    def _regrow_cut_entities(
        self,
        text: str,
        spans: list[Span],
        windows: list[Window],
        window_probs: list[FloatArray],
        offsets: list[tuple[int, int]],
        word_ids: list[int | None],
        machine_lines: frozenset[int],
        prose: Sequence[tuple[int, int]],
    ) -> list[Span]:
        """Extend spans to what any single window saw of the same entity.

        Taking each token from its best-centred window can still cut an entity
        whose start lies outside the window that wins its tail (that window sees
        "black##wood@example.com" without "jonathan." and calls it O). Each window
        is decoded on its own too, and a same-type span that overlaps one of the
        merged spans extends it.
        """
        extensions: list[Span] = []
        for (start, end), probs in zip(windows, window_probs, strict=True):
            for candidate in decode_spans(
                text,
                probs,
                offsets[start:end],
                word_ids[start:end],
                self.space,
                self.config.aggregation,
                self.config.capitalised_name_prior,
                machine_lines,
                prose,
            ):
                if any(
                    s.entity_type == candidate.entity_type and s.overlaps(candidate) for s in spans
                ):
                    extensions.append(candidate)
        if not extensions:
            return spans
        return remove_overlaps(union_same_type([*spans, *extensions]))

    def _above_min_score(self, spans: list[Span]) -> list[Span]:
        # The one place scores meet their minimum (and a thresholds file's calibration).
        return self.score_gate.keep(spans)

    def _run_jobs(self, jobs: list[_Job]) -> list[FloatArray]:
        """Model probabilities per job, batched by similar length under a token budget."""
        order = sorted(range(len(jobs)), key=lambda i: len(jobs[i].ids))
        out: list[FloatArray | None] = [None] * len(jobs)
        budget = self.config.batch_token_budget
        max_rows = self.config.batch_max_rows
        batch: list[int] = []
        calls = padded = 0

        def flush() -> None:
            nonlocal calls, padded
            if not batch:
                return
            rows = [jobs[i].ids for i in batch]
            for i, p in zip(batch, self.classifier.probabilities(rows), strict=True):
                out[i] = p
            calls += 1
            padded += len(rows) * (max(len(r) for r in rows) + 2)
            batch.clear()

        for i in order:
            width = len(jobs[i].ids) + 2  # sorted ascending: this row is the widest so far
            if batch and ((len(batch) + 1) * width > budget or len(batch) >= max_rows):
                flush()
            batch.append(i)
        flush()
        self.stats.add(
            texts=len({j.text_index for j in jobs}),
            tokens=sum(len(j.ids) for j in jobs),
            windows=len(jobs),
            calls=calls,
            padded=padded,
        )
        return [p for p in out if p is not None]
