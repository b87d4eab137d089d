"""From pieces of sound to log-mel spectrograms, the pictures the CNN looks at.

Taught in notebooks/03_spectrograms.ipynb.
"""

from __future__ import annotations

import librosa
import numpy as np


def log_mel(pieces: np.ndarray, sample_rate: int = 22050, n_mels: int = 128, n_fft: int = 2048,
            hop_length: int = 512) -> np.ndarray:
    """Log-mel spectrograms of a batch of pieces, in decibels, computed in one call.

    Power is measured against a fixed reference (1.0), not each piece's loudest frame, so a
    quiet piece stays quiet; values below -100 dB are floored there.

    Taught in notebooks/03_spectrograms.ipynb.

    Args:
        pieces: array of shape (n_pieces, width), or (width,) for one piece.

    Returns:
        spectrograms: float32 array of shape (n_pieces, n_mels, frames) (or (n_mels, frames)),
        frames = 1 + width // hop_length.
    """
    power = librosa.feature.melspectrogram(y=np.asarray(pieces, dtype=np.float32), sr=sample_rate, n_fft=n_fft,
                                           hop_length=hop_length, n_mels=n_mels)
    return librosa.power_to_db(power, ref=1.0, amin=1e-10, top_db=None).astype(np.float32)


def n_frames(width: int, hop_length: int = 512) -> int:
    """Frames in the spectrogram of a piece of `width` samples (librosa centres its windows)."""
    return 1 + width // hop_length


def plot_spectrogram(spectrogram: np.ndarray, sample_rate: int = 22050, hop_length: int = 512, y_axis: str = "mel",
                     title: str = "", ax=None, figsize=(6, 3), colorbar: bool = True):
    """A spectrogram in dB with time and frequency axes and a colour bar. Returns (fig, ax).

    `y_axis` is "mel" for a mel spectrogram, "log" or "linear" for a linear-frequency one.

    Taught in notebooks/03_spectrograms.ipynb.
    """
    import librosa.display
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    image = librosa.display.specshow(spectrogram, sr=sample_rate, hop_length=hop_length, x_axis="s", y_axis=y_axis, ax=ax,
                                     cmap="magma")
    ax.set(title=title, xlabel="time (s)", ylabel="frequency (Hz)")
    if colorbar:
        fig.colorbar(image, ax=ax, format="%+.0f dB")
    return fig, ax
