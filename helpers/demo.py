"""The demo collection: copyright-free songs synthesised with numpy, so the series runs out of the box.

When the tracks folder holds no songs, `ensure_songs` writes a deterministic collection there:
``silly_energy`` (fast, major, plucky leads, bouncy bass, claps and hi-hats) and ``dramatic``
(slow, minor, low swelling strings, timpani, long reverberant tails), and optionally ``calm``
(slow, sparse, soft piano-like notes, no percussion). Within a genre the tempo, key,
instruments, loudness and structure vary, and some songs borrow a section from the other
genre, so that a single 4.5-second piece can be ambiguous. Songs are written as 44.1 kHz
stereo MP3, so they take the same path through decoding, down-mixing and resampling as a
reader's downloads.

Taught in notebooks/01_listen_and_load.ipynb.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import soundfile as sf
from joblib import Parallel, delayed
from scipy import signal as sps

RATE = 44_100
"""Sample rate of the demo files (Hz), the rate of most downloaded music."""

DEMO_MARKER = ".demo_collection"
"""A file the synthesiser leaves in the tracks folder, so an interrupted run is completed, not mistaken for the reader's songs."""

GENRES = ("silly_energy", "dramatic", "calm")
"""The genres the synthesiser can write."""

_MAJOR = np.array([0, 2, 4, 5, 7, 9, 11])
_MINOR = np.array([0, 2, 3, 5, 7, 8, 10])
# Chord progressions as scale degrees (0 = tonic), four bars each.
_MAJOR_PROGRESSIONS = [(0, 4, 5, 3), (0, 3, 4, 3), (0, 5, 3, 4), (0, 3, 0, 4), (5, 3, 0, 4)]
_MINOR_PROGRESSIONS = [(0, 5, 2, 6), (0, 3, 4, 0), (0, 5, 3, 4), (0, 0, 5, 4), (0, 6, 5, 4)]


def _hz(midi: np.ndarray | float) -> np.ndarray:
    return 440.0 * 2.0 ** ((np.asarray(midi, dtype=float) - 69) / 12)


def _chord(root: int, scale: np.ndarray, degree: int, notes: int = 3) -> list[int]:
    """MIDI numbers of the triad (or seventh) built on `degree` of the scale."""
    steps = [degree + 2 * k for k in range(notes)]
    return [root + 12 * (s // 7) + int(scale[s % 7]) for s in steps]


def _place(track: np.ndarray, sound: np.ndarray, start: int) -> None:
    """Add `sound` into `track` from sample `start`, cut at the track's end."""
    if start >= len(track):
        return
    n = min(len(sound), len(track) - start)
    track[start:start + n] += sound[:n]


def _time(seconds: float) -> np.ndarray:
    return np.arange(int(seconds * RATE)) / RATE


def _pluck(freq: float, seconds: float, bright: float, rng) -> np.ndarray:
    """A short bright note: a pulse wave with a fast exponential decay (staccato)."""
    t = _time(seconds)
    duty = rng.uniform(0.2, 0.5)
    pulse = np.where((freq * t) % 1.0 < duty, 1.0, -1.0)
    soft = np.sin(2 * np.pi * freq * t)
    env = np.exp(-t / (seconds * 0.35)) * np.minimum(1, t * 400)
    return (bright * pulse + (1 - bright) * soft) * env


def _saw(freq: float, t: np.ndarray) -> np.ndarray:
    phase = (np.float32(freq) * t.astype(np.float32)) % np.float32(1.0)  # float32: twice as fast, precise enough
    return 2.0 * phase - 1.0


def _noise_hit(seconds: float, decay: float, low: float, high: float, rng) -> np.ndarray:
    """Filtered white noise with an exponential decay: hi-hats, claps, the attack of a drum."""
    noise = rng.standard_normal(int(seconds * RATE))
    sos = sps.butter(2, [low, min(high, RATE / 2 - 100)], btype="band", fs=RATE, output="sos")
    return sps.sosfilt(sos, noise) * np.exp(-_time(seconds) / decay)


def _drum(start_hz: float, end_hz: float, seconds: float, decay: float) -> np.ndarray:
    """A pitched drum: a sine whose pitch falls (a kick when short and low, a timpani when long)."""
    t = _time(seconds)
    freq = end_hz + (start_hz - end_hz) * np.exp(-t * 25)
    phase = 2 * np.pi * np.cumsum(freq) / RATE
    return (np.sin(phase) + 0.3 * np.sin(1.5 * phase)) * np.exp(-t / decay)


def _reverb(track: np.ndarray, tail: float, wet: float, rng) -> np.ndarray:
    """Stereo reverb: convolve with two decaying noise bursts (one per ear), mix with the dry sound."""
    ir_t = _time(tail * 1.5)
    out = np.empty((len(track), 2))
    for ch in range(2):
        ir = rng.standard_normal(len(ir_t)) * np.exp(-ir_t / (tail / 6.9))  # -60 dB after `tail` s
        ir /= np.sqrt(np.sum(ir ** 2))
        out[:, ch] = (1 - wet) * track + wet * sps.fftconvolve(track, ir)[: len(track)]
    return out


def _lowpass(x: np.ndarray, cutoff: float) -> np.ndarray:
    return sps.sosfilt(sps.butter(2, cutoff, fs=RATE, output="sos"), x)


def _silly_energy(rng, seconds: float) -> np.ndarray:
    bpm = rng.uniform(120, 170)
    beat = 60 / bpm
    root = int(rng.integers(60, 72))
    progression = _MAJOR_PROGRESSIONS[rng.integers(len(_MAJOR_PROGRESSIONS))]
    n = int(seconds * RATE)
    lead, bass, drums = np.zeros(n), np.zeros(n), np.zeros(n)
    bright = rng.uniform(0.4, 1.0)
    lead_step = beat / rng.choice([2, 4])  # eighth or sixteenth notes
    hats_per_beat = int(rng.choice([2, 4]))
    four_on_floor = rng.random() < 0.6
    breakdown_bar = int(rng.integers(4, 12)) if rng.random() < 0.4 else -1  # a quiet, drumless stretch
    melody = int(rng.integers(0, 7))
    kick, clap = _drum(160, 50, 0.25, 0.07), _noise_hit(0.18, 0.04, 900, 4000, rng)
    hats = [0.25 * _noise_hit(0.05, 0.012, 6000, 16000, rng) for _ in range(4)]  # a few, reused: cheaper
    for bar in range(int(seconds / (4 * beat)) + 1):
        t_bar = bar * 4 * beat
        chord = _chord(root, _MAJOR, progression[bar % 4])
        quiet = breakdown_bar <= bar < breakdown_bar + 4
        for k in range(int(round(4 * beat / lead_step))):  # the lead: a bouncy walk over the scale
            if rng.random() < 0.2:
                continue
            melody = int(np.clip(melody + rng.choice([-2, -1, 1, 2, 3]), 0, 11))
            pitch = root + 12 * (melody // 7) + int(_MAJOR[melody % 7])
            _place(lead, _pluck(_hz(pitch), lead_step * 0.9, bright, rng), int((t_bar + k * lead_step) * RATE))
        for k in range(8):  # the bass: root and octave alternating on eighths, short and bouncy
            pitch = chord[0] - 24 + (12 if k % 2 else 0)
            _place(bass, _pluck(_hz(pitch), beat * 0.4, 0.6, rng), int((t_bar + k * beat / 2) * RATE))
        if quiet:
            continue
        for b in range(4):
            t_beat = t_bar + b * beat
            if four_on_floor or b in (0, 2):
                _place(drums, kick, int(t_beat * RATE))
            if b in (1, 3):
                _place(drums, 0.6 * clap, int(t_beat * RATE))
            for h in range(hats_per_beat):
                _place(drums, hats[(b + h) % 4], int((t_beat + h * beat / hats_per_beat) * RATE))
    mix = 0.35 * lead + 0.35 * bass + 0.5 * drums
    return _reverb(mix, tail=rng.uniform(0.2, 0.6), wet=0.15, rng=rng)


def _dramatic(rng, seconds: float) -> np.ndarray:
    bpm = rng.uniform(50, 90)
    bar_len = 4 * 60 / bpm
    root = int(rng.integers(36, 48))
    progression = _MINOR_PROGRESSIONS[rng.integers(len(_MINOR_PROGRESSIONS))]
    n = int(seconds * RATE)
    strings, hits = np.zeros(n), np.zeros(n)
    detune = rng.uniform(0.002, 0.008)
    swell = rng.uniform(0.3, 0.9)
    ostinato_bar = int(rng.integers(2, 6)) if rng.random() < 0.35 else -1  # a tense, faster stretch
    for bar in range(int(seconds / bar_len) + 1):
        t0 = bar * bar_len
        chord = _chord(root, _MINOR, progression[bar % 4], notes=3 + int(rng.random() < 0.3))
        t = _time(bar_len * 1.3)  # held notes overlap into the next bar
        # A swell: a slow rise and fall of loudness across the bar.
        env = np.minimum(1, t / rng.uniform(0.3, 1.2)) * (1 - swell + swell * np.sin(np.pi * np.minimum(t / bar_len, 1)) ** 2)
        env *= np.exp(-np.maximum(0, t - bar_len) * 6)
        sound = sum(_saw(_hz(p) * (1 + d), t) for p in chord + [chord[0] - 12] for d in (-detune, 0, detune))
        _place(strings, env * sound, int(t0 * RATE))
        if bar % 4 == 0 or rng.random() < 0.3:
            _place(hits, _drum(_hz(root - 12) * 1.6, _hz(root - 12), 3.0, 0.7), int(t0 * RATE))
            _place(hits, 0.3 * _noise_hit(0.3, 0.05, 80, 1500, rng), int(t0 * RATE))
        if ostinato_bar <= bar < ostinato_bar + 2:  # staccato low strings on eighths
            for k in range(8):
                _place(strings, 2.0 * _pluck(_hz(chord[0] - 12), bar_len / 10, 0.3, rng), int((t0 + k * bar_len / 8) * RATE))
    strings = _lowpass(strings, rng.uniform(600, 1800))
    mix = 0.08 * strings + 0.5 * hits
    return _reverb(mix, tail=rng.uniform(2.0, 4.0), wet=0.45, rng=rng)


def _calm(rng, seconds: float) -> np.ndarray:
    bpm = rng.uniform(55, 80)
    beat = 60 / bpm
    root = int(rng.integers(55, 67))
    scale = _MAJOR
    n = int(seconds * RATE)
    piano = np.zeros(n)
    t_note = 0.0
    while t_note < seconds:
        pitch = root + int(scale[rng.integers(7)]) + 12 * int(rng.integers(-1, 2))
        t = _time(rng.uniform(1.5, 3.0))
        f = _hz(pitch)
        tone = np.sin(2 * np.pi * f * t) + 0.3 * np.sin(4 * np.pi * f * t) + 0.1 * np.sin(6 * np.pi * f * t)
        _place(piano, rng.uniform(0.3, 0.8) * tone * np.exp(-t / 0.8) * np.minimum(1, t * 200), int(t_note * RATE))
        t_note += beat * rng.choice([1, 2, 2, 3, 4])
    return _reverb(0.4 * piano, tail=rng.uniform(1.0, 2.0), wet=0.3, rng=rng)


_SYNTHS = {"silly_energy": _silly_energy, "dramatic": _dramatic, "calm": _calm}


def synthesise_song(genre: str, seed: int, index: int, seconds: float | None = None) -> np.ndarray:
    """One demo song, the same for the same (`genre`, `seed`, `index`, `seconds`).

    `seconds` fixes the length (benchmarks use 60 s); by default it is drawn from 30 to 50 s.

    Taught in notebooks/01_listen_and_load.ipynb.

    Returns:
        audio: float32 array of shape (samples, 2) at `RATE` Hz, peaks below 1.
    """
    if genre not in _SYNTHS:
        raise ValueError(f"the demo synthesiser knows the genres {', '.join(GENRES)}, not {genre!r}")
    rng = np.random.default_rng([seed, GENRES.index(genre), index])
    drawn = float(rng.uniform(30, 50))
    seconds = drawn if seconds is None else float(seconds)
    audio = _SYNTHS[genre](rng, seconds)
    pan = rng.uniform(-0.3, 0.3)  # a slightly different stereo balance per song
    audio *= np.array([1 - pan, 1 + pan])
    loudness_db = rng.uniform(-18, -3)  # songs are mastered at different loudness
    audio *= 10 ** (loudness_db / 20) / (np.max(np.abs(audio)) + 1e-9)
    fade = np.minimum(1, np.minimum(np.arange(len(audio)), np.arange(len(audio))[::-1]) / (0.05 * RATE))
    return (audio * fade[:, None]).astype(np.float32)


def demo_song_paths(tracks_dir: Path, genres=("silly_energy", "dramatic"), songs_per_genre: int = 12) -> list[Path]:
    """Where the demo songs go: ``tracks_dir/<genre>/<genre>_NN.mp3``."""
    return [Path(tracks_dir) / g / f"{g}_{i + 1:02d}.mp3" for g in genres for i in range(songs_per_genre)]


def _write_song(path: Path, seed: int) -> None:
    index = int(path.stem.rsplit("_", 1)[1]) - 1
    audio = synthesise_song(path.parent.name, seed, index)
    tmp = path.with_name(f".{path.name}.partial")
    sf.write(tmp, audio, RATE, format="MP3")
    os.replace(tmp, path)  # atomic: a song is either whole or absent


def _marker_text(seed: int) -> str:
    return f"This folder holds the synthesised demo collection of the series (helpers/demo.py).\nseed {seed}\n"


def write_demo_collection(tracks_dir: Path, genres=("silly_energy", "dramatic"), songs_per_genre: int = 12,
                          seed: int = 42, n_jobs: int = -1, reuse: Path | None = None) -> list[Path]:
    """Write the demo songs that are missing; never touch a file that already exists.

    Songs are synthesised and MP3-encoded in parallel (`n_jobs` threads, -1 for all cores).
    Each file is written under a temporary name and then renamed, so an interrupted run
    leaves no half-written song behind.

    Args:
        reuse: another demo collection made with the same seed (notebook 09 makes a three-genre
            collection beside the two-genre one): its songs are the very same files, so they are
            copied from there instead of synthesised again.

    Returns:
        The paths written by this call (empty when all were there already).
    """
    tracks_dir = Path(tracks_dir)
    tracks_dir.mkdir(parents=True, exist_ok=True)
    marker = tracks_dir / DEMO_MARKER
    if not marker.exists():
        marker.write_text(_marker_text(seed))
    missing = [p for p in demo_song_paths(tracks_dir, genres, songs_per_genre) if not p.exists()]
    for path in missing:
        path.parent.mkdir(parents=True, exist_ok=True)
    same_songs = reuse is not None and (Path(reuse) / DEMO_MARKER).is_file() \
        and (Path(reuse) / DEMO_MARKER).read_text() == _marker_text(seed)
    to_make = []
    for path in missing:
        original = Path(reuse) / path.parent.name / path.name if same_songs else None
        if original is not None and original.is_file():
            tmp = path.with_name(f".{path.name}.partial")
            shutil.copyfile(original, tmp)
            os.replace(tmp, path)
        else:
            to_make.append(path)
    Parallel(n_jobs=n_jobs, prefer="threads")(delayed(_write_song)(path, seed) for path in to_make)
    return missing
