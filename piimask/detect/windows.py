"""Overlapping token windows over long texts, and merging their predictions.

A text longer than the model's window is cut into windows that overlap. Each
token gets its prediction from the window in which it sits farthest from a cut
edge (the start and end of the text are not cut edges: the model sees the real
context there), so an entity that crosses a window edge is decoded with full
context on both sides and comes out whole. Nothing is ever truncated.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from piimask.detect.model import FloatArray

Window = tuple[int, int]


def plan_windows(
    n_tokens: int,
    window: int,
    overlap: int,
    word_ids: Sequence[int | None] | None = None,
    line_starts: Sequence[bool] | None = None,
) -> list[Window]:
    """Half-open ``[start, end)`` token windows covering ``range(n_tokens)``.

    Consecutive windows share at least ``overlap`` tokens and never more than
    half a window. Where ``line_starts`` marks tokens that begin a line, a
    window ends at a line end and the next starts at a line start when one lies
    in reach: the model was trained on whole sentences and labels best when a
    window holds whole lines. Otherwise a window start is moved back to the
    first subword of its word, so no window opens on a ``##`` continuation.
    """
    if window < 1:
        raise ValueError("window must be positive")
    if not 0 <= overlap * 2 < window:
        raise ValueError("overlap must be less than half the window")
    if n_tokens <= 0:
        return []
    windows: list[Window] = []
    start = 0
    while True:
        end = min(start + window, n_tokens)
        if end < n_tokens and line_starts is not None:
            for b in range(end, start + window // 2, -1):
                if line_starts[b]:
                    end = b
                    break
        windows.append((start, end))
        if end == n_tokens:
            return windows
        floor = max(start + 1, end - window // 2 + 1)
        next_start = end - overlap
        if line_starts is not None:
            for b in range(next_start, floor - 1, -1):
                if line_starts[b]:
                    next_start = b
                    break
        if word_ids is not None:
            while next_start > floor and word_ids[next_start] == word_ids[next_start - 1]:
                next_start -= 1
        start = next_start


def line_start_flags(text: str, offsets: Sequence[tuple[int, int]]) -> list[bool]:
    """For each token, whether a line break lies between it and the previous token."""
    flags: list[bool] = []
    previous_end = 0
    for start, end in offsets:
        flags.append("\n" in text[previous_end:start])
        previous_end = max(previous_end, end)
    return flags


def merge_window_probabilities(
    n_tokens: int, windows: Sequence[Window], probs: Sequence[FloatArray]
) -> FloatArray:
    """One ``[n_tokens, labels]`` array: each token takes its best-centred window's row."""
    if len(windows) != len(probs):
        raise ValueError("one probability array per window is required")
    if not windows:
        return np.zeros((0, 0), dtype=np.float32)
    n_labels = probs[0].shape[1]
    merged = np.zeros((n_tokens, n_labels), dtype=np.float32)
    best = np.full(n_tokens, -1.0)
    for (start, end), window_probs in zip(windows, probs, strict=True):
        positions = np.arange(start, end)
        left = positions - start if start > 0 else np.full(end - start, np.inf)
        right = end - 1 - positions if end < n_tokens else np.full(end - start, np.inf)
        margin = np.minimum(left, right)
        better = margin > best[start:end]
        merged[start:end][better] = window_probs[better]
        best[start:end] = np.where(better, margin, best[start:end])
    if (best < 0).any():
        raise ValueError("windows do not cover every token")
    return merged
