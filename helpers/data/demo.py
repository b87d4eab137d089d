"""The demo collection: copyright-free songs synthesised with numpy, so the series runs out of the box.

When the tracks folder holds no songs, `ensure_songs` (below) writes a deterministic collection there,
made to behave like real music in the ways the lessons depend on:

- every song has a strong identity of its own (its artist's instruments, its own mix and
  brightness, reverb, noise floor, tempo and key), so pieces of one song resemble each other far
  more than pieces of two songs of a genre: a model can recognise songs, and a random split over
  pieces leaks;
- a few "artists" (sound palettes) are shared by several songs, some across genres;
- the genres differ statistically, not absolutely: ``silly_energy`` is *likely* fast, major,
  dense, staccato and drummed, ``dramatic`` *likely* slow, minor, legato, with swells and
  timpani, ``calm`` *likely* slow, sparse, soft and without percussion; each song follows its
  genre in each trait only with a probability of its own, so some songs are borderline;
- songs have sections (a quiet intro, a breakdown, a build), so one piece can be ambiguous and
  a vote over a song's pieces matters;
- loudness is drawn from the same range in every genre, so it gives nothing away.

Songs are written as 44.1 kHz stereo MP3, so they take the same path through decoding,
down-mixing and resampling as a reader's downloads.

Taught in notebooks/01_listen_and_load.ipynb.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import soundfile as sf
from joblib import Parallel, delayed
from scipy import fft as sp_fft
from scipy import signal as sps

from ..plumbing.atomic import replace_durably
from ..collection import DEMO_MARKER, CollectionError, display_path, is_demo_collection, is_ignored
from ..settings import Settings

RATE = 44_100
"""Sample rate of the demo files (Hz), the rate of most downloaded music."""

GENRES = ("silly_energy", "dramatic", "calm")
"""The genres the synthesiser can write."""

ARTISTS = 6
"""Sound palettes (instruments and drum kit) shared by several songs, as an artist's are."""

GENRE_FIDELITY = (0.6, 0.92)
"""Each song follows its genre in each trait (tempo, mode, density, articulation, percussion, dynamics)
with a probability drawn from this range, else it takes another genre's: genres overlap, some songs are borderline."""

EQ_DB = 9.0
"""The spread (dB) of each song's own equaliser curve: how strongly a song's mix sets it apart from all others."""

# What each genre is *likely* to be, trait by trait: (silly_energy, dramatic, calm).
_TEMPO = ((120, 165), (60, 100), (55, 85))        # beats per minute
_MAJOR_MODE = (True, False, True)                 # major or minor
_NOTES_PER_BEAT = ((2, 4), (0.5, 1), (0.5, 1))    # melody density
_NOTE_LENGTH = ((0.25, 0.5), (1.0, 1.8), (1.5, 3.0))  # of the gap to the next note: staccato .. legato
_DRUMS = ("backbeat", "timpani", "none")           # percussion style
_SWELL = ((0.0, 0.2), (0.5, 0.9), (0.1, 0.4))      # how much held chords rise and fall within a bar
_BRIGHTNESS = ((1.2, 2.0), (0.35, 0.7), (0.5, 0.9))  # times the artist's usual brightness
_REGISTER = (12, -12, 0)                           # octave shift of the song's key

_MAJOR = np.array([0, 2, 4, 5, 7, 9, 11])
_MINOR = np.array([0, 2, 3, 5, 7, 8, 10])
_PROGRESSIONS = [(0, 4, 5, 3), (0, 3, 4, 3), (0, 5, 3, 4), (0, 3, 0, 4), (5, 3, 0, 4), (0, 5, 2, 6), (0, 6, 5, 4)]
_TABLE = 2048  # samples in one cycle of a wavetable


def _hz(midi) -> np.ndarray:
    return 440.0 * 2.0 ** ((np.asarray(midi, dtype=float) - 69) / 12)


def _time(seconds: float) -> np.ndarray:
    return np.arange(max(1, int(seconds * RATE)), dtype=np.float32) / RATE


def _place(track: np.ndarray, sound: np.ndarray, start: int) -> None:
    """Add `sound` into `track` from sample `start`, cut at the track's end."""
    if start >= len(track):
        return
    n = min(len(sound), len(track) - start)
    track[start:start + n] += sound[:n]


def _wavetable(rng, harmonics: int, slope: float, odd_only: bool) -> np.ndarray:
    """One cycle of an instrument's waveform: harmonics whose loudness falls by `slope` (a timbre)."""
    k = np.arange(1, harmonics + 1)
    amps = k ** -slope * rng.uniform(0.5, 1.5, harmonics) * (k % 2 == 1 if odd_only else 1)
    phase = np.arange(_TABLE) / _TABLE
    wave = sum(a * np.sin(2 * np.pi * n * phase) for n, a in zip(k, amps))
    return (wave / np.max(np.abs(wave))).astype(np.float32)


def _note(table: np.ndarray, freq: float, seconds: float, attack: float, decay: float) -> np.ndarray:
    """A note of a wavetable instrument: a quick or slow attack, then an exponential decay."""
    t = _time(seconds)
    index = (np.float32(freq * _TABLE) * t).astype(np.int64) % _TABLE
    env = np.minimum(1, t / attack) * np.exp(-t / decay)
    return table[index] * env


def _noise_hit(rng, seconds: float, decay: float, low: float, high: float) -> np.ndarray:
    """Filtered white noise with an exponential decay: hi-hats, snares, claps."""
    sos = sps.butter(2, [low, min(high, RATE / 2 - 100)], btype="band", fs=RATE, output="sos")
    return (sps.sosfilt(sos, rng.standard_normal(int(seconds * RATE))) * np.exp(-_time(seconds) / decay)).astype(np.float32)


def _drum(start_hz: float, end_hz: float, seconds: float, decay: float) -> np.ndarray:
    """A pitched drum: a sine whose pitch falls (a kick when short and low, a timpani when long)."""
    t = _time(seconds)
    freq = end_hz + (start_hz - end_hz) * np.exp(-t * 25)
    return (np.sin(2 * np.pi * np.cumsum(freq) / RATE) * np.exp(-t / decay)).astype(np.float32)


def _artist(seed: int, number: int) -> dict:
    """An artist's palette: the timbres of its lead, chords and bass, its drum kit, its studio's
    brightness. Several songs share it, some of them in other genres (the same seed, the same artists)."""
    rng = np.random.default_rng([seed, 1000, number])
    table = lambda: _wavetable(rng, int(rng.integers(3, 12)), rng.uniform(0.6, 2.0), rng.random() < 0.4)  # noqa: E731
    return {"lead": table(), "chords": table(), "bass": table(), "lead_octave": int(rng.integers(-1, 2)),
            "kick_hz": rng.uniform(45, 80), "snare_band": sorted(rng.uniform(600, 5000, 2)),
            "hat_band": (rng.uniform(5000, 8000), rng.uniform(10000, 16000)), "cutoff": rng.uniform(2000, 9000)}


def _traits(genre: int, rng) -> dict:
    """The song's musical traits: each one from its own genre with probability `fidelity`, else from
    another genre (so genres overlap and some songs are borderline)."""
    fidelity = rng.uniform(*GENRE_FIDELITY)
    others = [g for g in range(len(GENRES)) if g != genre]
    pick = lambda: genre if rng.random() < fidelity else int(rng.choice(others))  # noqa: E731
    return {"bpm": rng.uniform(*_TEMPO[pick()]), "major": _MAJOR_MODE[pick()],
            "notes_per_beat": float(rng.choice(_NOTES_PER_BEAT[pick()])), "note_length": rng.uniform(*_NOTE_LENGTH[pick()]),
            "drums": _DRUMS[pick()], "swell": rng.uniform(*_SWELL[pick()]),
            "brightness": rng.uniform(*_BRIGHTNESS[pick()]), "register": _REGISTER[pick()]}


def _sections(bars: int, rng) -> list[str]:
    """The song's form, bar by bar: a quiet intro, the main part, a drumless breakdown, a build, the main part again."""
    intro, breakdown, build = int(rng.integers(1, 4)), int(rng.integers(2, 5)), int(rng.integers(1, 3))
    at = int(rng.integers(intro + 2, max(intro + 3, bars - breakdown - build)))
    form = ["intro"] * intro + ["main"] * bars
    form[at:at + breakdown + build] = ["breakdown"] * breakdown + ["build"] * build
    return form[:bars]


def _song(genre: str, rng, artist: dict, seconds: float) -> tuple[np.ndarray, float]:
    """A mono mix of the song (chords, bass, melody and drums, bar by bar through its sections) and its brightness."""
    traits = _traits(GENRES.index(genre), rng)
    beat = 60 / traits["bpm"]
    scale = _MAJOR if traits["major"] else _MINOR
    root = int(rng.integers(45, 57)) + traits["register"]  # the song's key
    progression = _PROGRESSIONS[rng.integers(len(_PROGRESSIONS))]
    n = int(seconds * RATE)
    chords, bass, lead, drums = (np.zeros(n, np.float32) for _ in range(4))
    step = beat / traits["notes_per_beat"]
    length = step * traits["note_length"]
    kick = _drum(traits["bpm"] * 1.5 + 60, artist["kick_hz"], 0.3, 0.08)
    snare = 0.6 * _noise_hit(rng, 0.2, 0.05, *artist["snare_band"])
    hat = 0.25 * _noise_hit(rng, 0.06, 0.015, *artist["hat_band"])
    timpani = _drum(_hz(root - 12) * 1.5, _hz(root - 12), 2.0, 0.6)
    melody = int(rng.integers(0, 7))
    form = _sections(int(seconds / (4 * beat)) + 1, rng)
    for bar, section in enumerate(form):
        t_bar = bar * 4 * beat
        degree = progression[bar % 4]
        chord = [root + 12 + 12 * ((degree + 2 * k) // 7) + int(scale[(degree + 2 * k) % 7]) for k in range(3)]
        level = 0.35 if section == "intro" else 1.0
        # Held chords, swelling within the bar (dramatic) or steady (the others).
        t = _time(4 * beat * 1.2)
        swell = 1 - traits["swell"] + traits["swell"] * np.sin(np.pi * np.minimum(t / (4 * beat), 1)) ** 2
        for pitch in chord:
            _place(chords, level * 0.5 * swell * _note(artist["chords"], _hz(pitch), 4 * beat * 1.2, 0.05 + traits["swell"], 4 * beat),
                   int(t_bar * RATE))
        if section != "intro":  # the bass: the chord's root on each beat
            for b in range(4):
                _place(bass, _note(artist["bass"], _hz(chord[0] - 12), min(length * 2, beat), 0.01, beat / 2), int((t_bar + b * beat) * RATE))
        if section in ("main", "build"):  # the melody: a walk over the scale
            for k in range(int(round(4 * beat / step))):
                if rng.random() < 0.15:
                    continue
                melody = int(np.clip(melody + rng.choice([-2, -1, 1, 2]), 0, 13))
                pitch = root + 24 + 12 * artist["lead_octave"] + 12 * (melody // 7) + int(scale[melody % 7])
                _place(lead, _note(artist["lead"], _hz(pitch), length * 1.5, 0.005, length / 2), int((t_bar + k * step) * RATE))
        if section in ("intro", "breakdown"):
            continue
        for b in range(4):
            at = int((t_bar + b * beat) * RATE)
            if traits["drums"] == "backbeat":
                _place(drums, kick, at)
                if b % 2:
                    _place(drums, snare, at)
                for h in range(4 if section == "build" else 2):
                    _place(drums, hat, at + int(h * beat / (4 if section == "build" else 2) * RATE))
            elif traits["drums"] == "timpani" and (b == 0 and (bar % 2 == 0 or section == "build")):
                _place(drums, timpani, at)
    mix = 0.35 * chords + 0.4 * bass + rng.uniform(0.2, 0.45) * lead + rng.uniform(0.5, 0.8) * drums
    return mix.astype(np.float64), traits["brightness"]


def _produce(mix: np.ndarray, brightness: float, artist: dict, rng) -> np.ndarray:
    """The song's own studio: brightness (a low-pass), a resonance, a noise floor and a reverb, all drawn
    per song, so every piece of the song carries its fingerprint. Returns stereo (samples, 2)."""
    # The song's equaliser, applied in one FFT: its brightness (a low-pass) and a smooth curve of boosts and
    # cuts of its own (a room, microphones, mastering): every piece of the song carries it, no other song does.
    size = sp_fft.next_fast_len(len(mix), real=True)  # a length the FFT is fast for
    spectrum = sp_fft.rfft(mix, size)
    freqs = sp_fft.rfftfreq(size, 1 / RATE)
    cutoff = artist["cutoff"] * brightness * rng.uniform(0.8, 1.25)
    curve_db = np.interp(np.log(freqs + 20), np.log(np.geomspace(40, 16000, 10)), rng.normal(0, EQ_DB, 10))
    mix = sp_fft.irfft(spectrum * 10 ** (curve_db / 20) / np.sqrt(1 + (freqs / cutoff) ** 4), size)[: len(mix)]
    level = np.sqrt(np.mean(mix ** 2)) + 1e-9
    band = sorted(rng.uniform(100, 12000, 2))  # the noise floor: hiss or hum of the song's own colour
    noise = sps.sosfilt(sps.butter(1, [band[0], band[1] + 200], btype="band", fs=RATE, output="sos"),
                        rng.standard_normal(len(mix)))
    mix += level * 10 ** (rng.uniform(-45, -25) / 20) * noise / (np.sqrt(np.mean(noise ** 2)) + 1e-9)
    t = np.arange(len(mix)) / RATE  # the song's signature: a held tone of its own pitch (an organ, a hum, a pad)
    for freq in _hz(rng.uniform(55, 105, int(rng.integers(1, 3)))):
        mix += level * 10 ** (rng.uniform(-16, -8) / 20) * np.sqrt(2) * np.sin(2 * np.pi * freq * t + 3 * np.sin(2 * np.pi * 5 * t) / 5)
    tail, wet = rng.uniform(0.2, 3.0), rng.uniform(0.05, 0.5)  # dry small room .. wet hall, in every genre
    ir_t = _time(tail)
    out = np.empty((len(mix), 2))
    for ch in range(2):
        ir = rng.standard_normal(len(ir_t)) * np.exp(-ir_t / (tail / 6.9))  # -60 dB after `tail` s
        out[:, ch] = (1 - wet) * mix + wet * sps.fftconvolve(mix, ir / np.sqrt(np.sum(ir ** 2)))[: len(mix)]
    return out


def synthesise_song(genre: str, seed: int, index: int, seconds: float | None = None) -> np.ndarray:
    """One demo song, the same for the same (`genre`, `seed`, `index`, `seconds`).

    `seconds` fixes the length (benchmarks use 60 s); by default it is drawn from 60 to 90 s.

    Taught in notebooks/01_listen_and_load.ipynb.

    Returns:
        audio: float32 array of shape (samples, 2) at `RATE` Hz, peaks below 1.
    """
    if genre not in GENRES:
        raise ValueError(f"the demo synthesiser knows the genres {', '.join(GENRES)}, not {genre!r}")
    rng = np.random.default_rng([seed, GENRES.index(genre), index])
    drawn = float(rng.uniform(60, 90))  # long enough for a dozen pieces or more: a song a model can learn to recognise
    seconds = drawn if seconds is None else float(seconds)
    artist = _artist(seed, int(rng.integers(ARTISTS)))  # any artist in any genre
    audio = _produce(*_song(genre, rng, artist, seconds), artist, rng)
    pan = rng.uniform(-0.3, 0.3)  # a slightly different stereo balance per song
    audio *= np.array([1 - pan, 1 + pan])
    loudness_db = rng.uniform(-24, -14)  # loudness (RMS) from the same range in every genre
    audio *= 10 ** (loudness_db / 20) / (np.sqrt(np.mean(audio ** 2)) + 1e-9)
    audio /= max(1.0, np.max(np.abs(audio)) / 0.98)  # never clip
    fade = np.minimum(1, np.minimum(np.arange(len(audio)), np.arange(len(audio))[::-1]) / (0.05 * RATE))
    return (audio * fade[:, None]).astype(np.float32)


def demo_traits(path: Path, seed: int) -> dict:
    """What the synthesiser chose for the demo song at `path` (``<genre>/<genre>_NN.mp3``): its tempo
    ("bpm"), mode ("major": True or False), notes per beat, drums and the rest, drawn exactly as
    `synthesise_song` draws them. The truth that notebook 13's estimates of tempo and mode are checked against.
    """
    path = Path(path)
    genre, index = GENRES.index(path.parent.name), int(path.stem.rsplit("_", 1)[1]) - 1
    rng = np.random.default_rng([seed, genre, index])
    rng.uniform(60, 90), rng.integers(ARTISTS)  # the song's length and artist, drawn first in synthesise_song
    return _traits(genre, rng)


def demo_song_paths(tracks_dir: Path, genres=("silly_energy", "dramatic"), songs_per_genre: int = 16) -> list[Path]:
    """Where the demo songs go: ``tracks_dir/<genre>/<genre>_NN.mp3``."""
    return [Path(tracks_dir) / g / f"{g}_{i + 1:02d}.mp3" for g in genres for i in range(songs_per_genre)]


def _write_song(path: Path, seed: int) -> None:
    index = int(path.stem.rsplit("_", 1)[1]) - 1
    audio = synthesise_song(path.parent.name, seed, index)
    tmp = path.with_name(f".{path.name}.partial")
    sf.write(tmp, audio, RATE, format="MP3")
    replace_durably(tmp, path)  # atomic: a song is either whole or absent


DEMO_VERSION = 3
"""Bumped whenever the synthesiser changes its songs: a collection made by another version is not reused."""


def _marker_text(seed: int) -> str:
    return (f"This folder holds the synthesised demo collection of the series (helpers/data/demo.py).\nseed {seed}\n"
            f"version {DEMO_VERSION}\n")


def made_by_this_synthesiser(tracks_dir: Path, seed: int) -> bool:
    """True when the demo collection in `tracks_dir` was written by this version of the synthesiser
    with this seed (its marker file says so): its songs are the ones the committed notebooks show."""
    marker = Path(tracks_dir) / DEMO_MARKER
    return marker.is_file() and marker.read_text() == _marker_text(seed)


def write_demo_collection(tracks_dir: Path, genres=("silly_energy", "dramatic"), songs_per_genre: int = 16,
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
    same_songs = reuse is not None and made_by_this_synthesiser(reuse, seed)
    to_make = []
    for path in missing:
        original = Path(reuse) / path.parent.name / path.name if same_songs else None
        if original is not None and original.is_file():
            tmp = path.with_name(f".{path.name}.partial")
            shutil.copyfile(original, tmp)
            replace_durably(tmp, path)
        else:
            to_make.append(path)
    Parallel(n_jobs=n_jobs, prefer="threads")(delayed(_write_song)(path, seed) for path in to_make)
    return missing


def _holds_only_the_demo(tracks_dir: Path, settings: Settings) -> bool:
    """True when every entry of `tracks_dir` (hidden files and a README aside) is a demo genre
    folder holding nothing but demo songs: nothing of the reader's is there."""
    demo_names = {p.name for p in demo_song_paths(tracks_dir, settings.demo_genres, settings.demo_songs_per_genre)}
    for entry in tracks_dir.iterdir():
        if is_ignored(entry) or entry.name.lower().startswith("readme"):
            continue
        if not entry.is_dir() or entry.name not in settings.demo_genres:
            return False
        if any(not is_ignored(song) and song.name not in demo_names for song in entry.iterdir()):
            return False
    return True


def ensure_songs(settings: Settings) -> list[Path]:
    """Make sure there is something to listen to: synthesise the demo collection when `tracks_dir`
    is empty (hidden files and a README aside). An explicit step: every notebook calls it in
    plain sight, and `python -m helpers demo` does it from a terminal; building a dataset never does.

    A folder that holds anything of the reader's is never written to, even if it holds no
    usable songs: building the dataset then says what is missing. A demo collection that was
    interrupted (the marker file is there, some songs are not) is completed, but only while the
    folder holds nothing but the demo's genres and songs: once a reader's genre or song sits
    beside them, deleting demo songs deletes them for good. A demo collection written by another
    version of the synthesiser, or with another seed, is written again (its files are the
    synthesiser's, not the reader's), so a reader sees the songs the committed notebooks show.

    Taught in notebooks/01_listen_and_load.ipynb.

    Returns:
        The demo files written now (empty when the folder already had its songs).

    Raises:
        CollectionError: `tracks_dir` does not exist (a mistyped TRACKS_DIR gets a message, not a demo).
    """
    tracks_dir = Path(settings.tracks_dir)
    if not tracks_dir.is_dir():
        raise CollectionError(f"the tracks folder {tracks_dir} does not exist: create it (left empty, it gets the demo "
                              f"collection) or point TRACKS_DIR at the folder that holds your genre folders")
    if is_demo_collection(tracks_dir):
        if not _holds_only_the_demo(tracks_dir, settings):
            return []  # the reader's songs or genres sit beside the demo now: never write among them
        demo = demo_song_paths(tracks_dir, settings.demo_genres, settings.demo_songs_per_genre)
        if not made_by_this_synthesiser(tracks_dir, settings.seed):
            print(f"{display_path(tracks_dir)} holds a demo collection made by another version of the synthesiser "
                  f"(or with another seed): writing this version's songs in its place")
            for path in demo:  # the demo's own files only: _holds_only_the_demo checked that nothing else is there
                path.unlink(missing_ok=True)
            (tracks_dir / DEMO_MARKER).unlink()
        elif all(p.exists() for p in demo):
            return []
    elif any(not is_ignored(p) and not p.name.lower().startswith("readme") for p in tracks_dir.iterdir()):
        return []  # the reader's folder (even one that cannot make a dataset): never write into it
    return write_demo_collection(tracks_dir, settings.demo_genres, settings.demo_songs_per_genre, settings.seed)
