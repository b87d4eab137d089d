"""Cut a song into equal pieces, the unit the model classifies.

Taught in notebooks/02_segment.ipynb.
"""

from __future__ import annotations

import numpy as np


def segment(signal: np.ndarray, width: int = 100_000) -> np.ndarray:
    """Cut a signal into equal, non-overlapping pieces; the tail shorter than `width` is dropped.

    Taught in notebooks/02_segment.ipynb.

    Args:
        signal: array of shape (samples,).
        width: samples per piece.

    Returns:
        pieces: array of shape (n_pieces, width), a view of `signal` (no copy);
        n_pieces is 0 for a signal shorter than `width`.
    """
    if width <= 0:
        raise ValueError(f"width must be positive, got {width}")
    n_pieces = len(signal) // width
    return signal[: n_pieces * width].reshape(n_pieces, width)


def count_pieces(n_samples: int, width: int = 100_000) -> int:
    """How many pieces `segment` cuts from a signal of `n_samples` samples."""
    return n_samples // width


def plot_pieces(signal: np.ndarray, sample_rate: int, width: int = 100_000, title: str = "", ax=None, figsize=(10, 2.5)):
    """A waveform with the piece boundaries drawn, and the dropped tail shaded. Returns (fig, ax).

    Taught in notebooks/02_segment.ipynb.
    """
    from .load import plot_waveform

    fig, ax = plot_waveform(signal, sample_rate, title=title, ax=ax, figsize=figsize)
    n = count_pieces(len(signal), width)
    for k in range(n + 1):
        ax.axvline(k * width / sample_rate, color="crimson", linewidth=1)
    ax.axvspan(n * width / sample_rate, len(signal) / sample_rate, color="grey", alpha=0.3, label="dropped tail")
    ax.legend(loc="upper right")
    return fig, ax
