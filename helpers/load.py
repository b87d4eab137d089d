"""Load a song as the model sees it: one channel, float32, at one sample rate.

Taught in notebooks/01_listen_and_load.ipynb.
"""

from __future__ import annotations

from pathlib import Path

import librosa
import numpy as np
import soundfile as sf


class AudioError(ValueError):
    """A file that cannot be used as a song; the message names the file and what is wrong."""


def load_song(path: Path, sample_rate: int = 22050) -> np.ndarray:
    """Decode an audio file, average its channels to mono and resample it to `sample_rate`.

    This is what ``librosa.load(path, sr=sample_rate)`` does, read through soundfile only:
    librosa 1.0 dropped its audioread fallback, and a file soundfile cannot decode deserves
    a clear message rather than a second attempt through another library.

    Taught in notebooks/01_listen_and_load.ipynb.

    Args:
        path: an MP3, WAV, OGG or FLAC file, of any sample rate and number of channels.
        sample_rate: the rate (Hz) of the returned signal.

    Returns:
        signal: float32 array of shape (samples,), values in [-1, 1].

    Raises:
        AudioError: the file is empty, not audio, truncated beyond use, silent, or holds NaN samples.
    """
    path = Path(path)
    try:
        if path.stat().st_size == 0:
            raise AudioError(f"{path}: the file is empty (0 bytes)")
        audio, rate = sf.read(path, dtype="float32", always_2d=True)
    except AudioError:
        raise
    except (sf.LibsndfileError, RuntimeError, OSError, ValueError) as error:
        raise AudioError(f"{path}: cannot be decoded as audio ({error})") from None
    if audio.size == 0:
        raise AudioError(f"{path}: decodes to no samples")
    signal = audio.mean(axis=1)
    if not np.all(np.isfinite(signal)):
        raise AudioError(f"{path}: holds {np.count_nonzero(~np.isfinite(signal))} NaN or infinite samples (a broken float file)")
    if not np.any(signal):
        raise AudioError(f"{path}: is completely silent")
    if rate != sample_rate:
        signal = librosa.resample(signal, orig_sr=rate, target_sr=sample_rate, res_type="soxr_hq")
    return np.clip(signal, -1.0, 1.0).astype(np.float32, copy=False)


def describe_audio_file(path: Path) -> dict:
    """What the file says about itself before decoding: sample rate, channels, duration, format.

    Taught in notebooks/01_listen_and_load.ipynb.
    """
    info = sf.info(path)
    return {"sample_rate": info.samplerate, "channels": info.channels,
            "seconds": round(info.duration, 2), "format": info.format}


def plot_waveform(signal: np.ndarray, sample_rate: int, title: str = "", ax=None, figsize=(8, 2.5)):
    """The waveform of a signal over time (seconds). Returns (fig, ax).

    Taught in notebooks/01_listen_and_load.ipynb.
    """
    import librosa.display
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    librosa.display.waveshow(signal, sr=sample_rate, ax=ax, axis="s")
    ax.set(title=title, xlabel="time (s)", ylabel="amplitude")
    return fig, ax
