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
                     title: str = "", ax=None, figsize=(6, 3), colorbar: bool = True, vmin: float | None = None,
                     vmax: float | None = None):
    """A spectrogram in dB with time and frequency axes and a colour bar. Returns (fig, ax).

    `y_axis` is "mel" for a mel spectrogram, "log" or "linear" for a linear-frequency one.
    `vmin` and `vmax` fix the dB range of the colours, so that two plots' colours compare;
    by default each plot stretches its colours over its own range.

    Taught in notebooks/03_spectrograms.ipynb.
    """
    import librosa.display
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    image = librosa.display.specshow(spectrogram, sr=sample_rate, hop_length=hop_length, x_axis="s", y_axis=y_axis, ax=ax,
                                     cmap="magma", vmin=vmin, vmax=vmax)
    ax.set(title=title, xlabel="time (s)", ylabel="frequency (Hz)")
    if colorbar:
        fig.colorbar(image, ax=ax, format="%+.0f dB")
    return fig, ax


def average_spectrum(signal: np.ndarray, sample_rate: int, n_fft: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """The power of each frequency averaged over a whole signal, in dB: where a song has content.

    Taught in notebooks/03_spectrograms.ipynb ("What the encoder left out").

    Returns:
        frequencies: (1 + n_fft // 2,) in Hz, from 0 to sample_rate / 2.
        level: (1 + n_fft // 2,) the mean power of each frequency bin, in dB (re 1.0).
    """
    power = np.abs(librosa.stft(np.asarray(signal, dtype=np.float32), n_fft=n_fft, hop_length=n_fft)) ** 2
    level = librosa.power_to_db(power.mean(axis=1), ref=1.0, amin=1e-12, top_db=None)
    return librosa.fft_frequencies(sr=sample_rate, n_fft=n_fft), level


def encoder_cutoff(frequencies: np.ndarray, level: np.ndarray, above: float = 4000.0, width: float = 500.0) -> float:
    """Where an average spectrum falls off a cliff: the middle of the `width`-Hz stretch above
    `above` Hz over which the level drops most. A lossy encoder (MP3, AAC, Vorbis at low
    bitrates) discards everything above a cutoff it picks from the bitrate, and the content it
    leaves ends there abruptly; music's own treble fades gradually.

    Taught in notebooks/03_spectrograms.ipynb ("What the encoder left out").
    """
    step = frequencies[1] - frequencies[0]
    k = max(1, int(round(width / step)))
    drop = level[:-k] - level[k:]
    drop[frequencies[:-k] < above] = -np.inf
    return float(frequencies[int(np.argmax(drop))] + width / 2)
