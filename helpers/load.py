"""Load a song as the model sees it: one channel, float32, at one sample rate.

Taught in notebooks/01_listen_and_load.ipynb.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from .plumbing.errors import InputError


class AudioError(InputError):
    """A file that cannot be used as a song; the message names the file and what is wrong."""


def load_song(path: Path, sample_rate: int = 22050) -> np.ndarray:
    """Decode an audio file, average its channels to mono and resample it to `sample_rate`.

    This is what ``librosa.load(path, sr=sample_rate)`` does (with the same resampler, soxr
    "HQ"), read through soundfile only. Which fallback applies to whom: librosa 0.11, which the
    series' lock file pins, still retries a file soundfile cannot decode through audioread;
    librosa 1.0 (on Colab) no longer does. Here a file soundfile cannot decode gets a clear
    message naming it, rather than a second attempt through another library, the same with
    either librosa. The file is read in blocks, so memory holds one mono copy of the song.

    Taught in notebooks/01_listen_and_load.ipynb.

    Args:
        path: an MP3, WAV, OGG or FLAC file, of any sample rate and number of channels.
        sample_rate: the rate (Hz) of the returned signal.

    Returns:
        signal: float32 array of shape (samples,), values in [-1, 1]; exact zeros at the start
        and end (digital silence, as in a truncated MP3) are trimmed.

    Raises:
        AudioError: the file is empty, not audio, truncated beyond use, silent, or holds NaN samples.
    """
    path = Path(path)
    try:
        if path.stat().st_size == 0:
            raise AudioError(f"{path}: the file is empty (0 bytes)")
        signal = _decode_mono(path, sample_rate)
    except AudioError:
        raise
    except (sf.LibsndfileError, RuntimeError, OSError, ValueError) as error:
        raise AudioError(f"{path}: cannot be decoded as audio ({error})") from None
    if signal.size == 0:
        raise AudioError(f"{path}: decodes to no samples")
    if not np.all(np.isfinite(signal)):
        raise AudioError(f"{path}: holds {np.count_nonzero(~np.isfinite(signal))} NaN or infinite samples (a broken float file)")
    sounding = signal != 0
    if not sounding.any():
        raise AudioError(f"{path}: is completely silent")
    # Trim digital silence at both ends: an MP3 cut short (an interrupted download) decodes to
    # its announced length, padded with zeros, and pieces of nothing would teach nothing.
    # (np.trim_zeros does the same, but through np.argwhere: 8 bytes of index per sounding sample,
    # 635 MB for an hour at 22 050 Hz; this mask takes 1 byte per sample. tests/test_messy_folders.py.)
    start, end = int(np.argmax(sounding)), len(signal) - int(np.argmax(sounding[::-1]))
    del sounding
    return np.clip(signal[start:end], -1.0, 1.0, out=signal[start:end])


def _decode_mono(path: Path, sample_rate: int, block_seconds: float = 30.0) -> np.ndarray:
    """Decode, down-mix and resample block by block into one preallocated array, so an
    hour-long song never sits in memory at its original rate and channel count, nor twice."""
    with sf.SoundFile(path) as file:
        rate = file.samplerate
        stream = None if rate == sample_rate else soxr.ResampleStream(rate, sample_rate, 1, dtype="float32", quality="HQ")
        out = np.empty(int(np.ceil(max(file.frames, 0) * sample_rate / rate)) + 4096, np.float32)
        n = 0
        # file.read, not file.blocks: blocks() can hand back stale buffer contents when a
        # truncated MP3 ends before its header says it does.
        while len(block := file.read(int(block_seconds * rate), dtype="float32", always_2d=True)):
            mono = block @ np.full(block.shape[1], 1 / block.shape[1], np.float32)  # the channels' mean, 5x faster than .mean(axis=1)
            for chunk in ([mono] if stream is None else [stream.resample_chunk(mono)]):
                if n + len(chunk) > len(out):  # the header under-announced the length (it happens with MP3)
                    out = np.concatenate([out[:n], np.empty(max(len(chunk), len(out) // 4), np.float32)])
                out[n:n + len(chunk)] = chunk
                n += len(chunk)
        if stream is not None:
            tail = stream.resample_chunk(np.zeros(0, np.float32), last=True)
            out = np.concatenate([out[:n], tail]) if n + len(tail) > len(out) else out
            out[n:n + len(tail)] = tail
            n += len(tail)
    return out[:n]


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
