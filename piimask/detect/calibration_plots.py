"""PNG charts of a calibration: a reliability diagram and recall against threshold.

matplotlib is an optional extra (``pip install 'piimask[plots]'``); it is imported only
here, when a chart is drawn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType

from piimask.detect.calibration import ReliabilityBin

# Types drawn one curve each; the rest would only crowd the legend.
MAX_CURVES = 10


class PlotsUnavailable(RuntimeError):
    """matplotlib is not installed."""


def _pyplot() -> ModuleType:
    try:
        import matplotlib
    except ModuleNotFoundError:
        raise PlotsUnavailable(
            "the charts need matplotlib: pip install 'piimask[plots]' (or pass --no-plots)"
        ) from None
    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    return plt


def ensure_available() -> None:
    """:class:`PlotsUnavailable` unless matplotlib can be imported."""
    _pyplot()


def reliability_diagram(
    curves: Mapping[str, Sequence[ReliabilityBin]], path: Path, title: str
) -> None:
    """Share of correct spans against mean score per bin, one line per curve."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 5.6), dpi=100)
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfectly calibrated")
    for name, bins in curves.items():
        if bins:
            xs = [b.mean_score for b in bins]
            ys = [b.share_correct for b in bins]
            sizes = [min(200.0, 10.0 + b.spans) for b in bins]
            ax.plot(xs, ys, marker="o", markersize=3, label=name)
            ax.scatter(xs, ys, s=sizes, alpha=0.25)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("span score (bin mean)")
    ax.set_ylabel("share of spans that are PII")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)


def recall_curves(
    curves: Mapping[str, Sequence[tuple[float, float]]],
    chosen: Mapping[str, float],
    target: float,
    path: Path,
    title: str,
) -> None:
    """Recall per entity type against its threshold; a marker at each chosen threshold."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.2, 5.6), dpi=100)
    ranked = sorted(curves.items(), key=lambda kv: -len(kv[1]))[:MAX_CURVES]
    for name, points in sorted(ranked):
        if not points:
            continue
        line = ax.plot([p[0] for p in points], [p[1] for p in points], label=name)[0]
        if name in chosen:
            t = chosen[name]
            at = min(points, key=lambda p: abs(p[0] - t))
            ax.plot([t], [at[1]], marker="o", color=line.get_color())
    ax.axhline(target, linestyle="--", color="grey", linewidth=1, label=f"target {target:g}")
    lowest = min([target] + [p[1] for _, points in ranked for p in points])
    ax.set_xlim(0, 1)
    ax.set_ylim(max(0.0, lowest - 0.05), 1.01)  # the interesting part is near the top
    ax.set_xlabel("minimum score of the entity type")
    ax.set_ylabel("character recall (calibration half)")
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize="small", ncol=2)
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
