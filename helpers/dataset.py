"""The arrays Keras needs, built from a tracks folder: X, y, the song of each piece, the genre names.

Each song is decoded once, cut into pieces and turned into log-mel spectrograms in one batched
call; songs are processed in parallel, and each song's features are cached on disk, keyed by
the song's identity (path, size, modification time) and the settings that shape features, so
a second notebook or a re-run costs next to nothing and a changed song is recomputed.

Taught in notebooks/04_split.ipynb.
"""

from __future__ import annotations

import hashlib
import json
import functools
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed

from .plumbing.atomic import write_array_atomically
from .collection import CollectionError, Skipped, Song, find_songs, genres_of
from .load import AudioError, load_song
from .segment import segment
from .settings import Settings
from .spectrogram import log_mel, n_frames

PIECES_PER_BATCH = 32
"""Pieces per batched spectrogram call: fast, while an hour-long song's short-time
transforms never all sit in memory at once (32 pieces take about 50 MB)."""

CACHE_VERSION = 2
"""Bump when the feature computation changes, so old cache files are not trusted."""


@dataclass
class Dataset:
    """Every piece of every usable song, ready for Keras.

    Attributes:
        X: float32 array of shape (pieces, n_mels, frames, 1): log-mel spectrograms in dB.
        y: int array of shape (pieces,): the genre index of each piece (into `genres`).
        groups: int array of shape (pieces,): the song index of each piece (into `songs`).
        genres: genre names, sorted; `genres[y[i]]` is the genre of piece i.
        songs: the songs used, in order; `songs[groups[i]]` is the song of piece i.
        skipped: files in the tracks folder that were not used, with the reason.
        computed: how many songs' features were computed now (the rest came from the cache).
    """

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    genres: list[str]
    songs: list[Song]
    skipped: list[Skipped] = field(default_factory=list)
    computed: int = 0

    @property
    def song_names(self) -> list[str]:
        """Per song index, "<genre>/<file name>": what seeds a song's place in a split
        (`split_by_song(..., song_names=dataset.song_names)`), the same wherever the folder is."""
        return [f"{song.genre}/{song.path.name}" for song in self.songs]

    def summary(self) -> str:
        """Songs and pieces per genre, and the files skipped, as a small table."""
        lines = [f"{'genre':<16}{'songs':>6}{'pieces':>8}{'skipped':>9}"]
        for index, genre in enumerate(self.genres):
            n_songs = len({g for g, label in zip(self.groups, self.y) if label == index})
            n_skipped = sum(s.path.parent.name == genre for s in self.skipped)
            lines.append(f"{genre:<16}{n_songs:>6}{int(np.sum(self.y == index)):>8}{n_skipped:>9}")
        lines.append(f"{'total':<16}{len(self.songs):>6}{len(self.y):>8}{len(self.skipped):>9}")
        lines.append(f"X {self.X.shape} {self.X.dtype}, y {self.y.shape}, groups {self.groups.shape}")
        if self.skipped:
            lines.append(f"{len(self.skipped)} file(s) skipped:")
            lines.extend(f"  {s}" for s in self.skipped)  # one line each: which file, and why
        return "\n".join(lines)


def song_features(path: Path, settings: Settings) -> np.ndarray:
    """Load one song, cut it into pieces and compute their log-mel spectrograms (no cache).

    Taught in notebooks/03_spectrograms.ipynb.

    Returns:
        float32 array of shape (n_pieces, n_mels, frames); n_pieces is 0 for a song shorter than one piece.
    """
    pieces = segment(load_song(path, settings.sample_rate), settings.segment_width)
    features = np.empty((len(pieces), settings.n_mels, n_frames(settings.segment_width, settings.hop_length)), np.float32)
    for start in range(0, len(pieces), PIECES_PER_BATCH):
        features[start:start + PIECES_PER_BATCH] = log_mel(pieces[start:start + PIECES_PER_BATCH], settings.sample_rate,
                                                           settings.n_mels, settings.n_fft, settings.hop_length)
    return features


@functools.cache
def feature_versions() -> dict[str, str]:
    """The versions of the libraries that turn a file into features: the decoder (soundfile and
    its libsndfile), the resampler (soxr) and librosa. A new version may decode or compute
    slightly differently, so each is part of the cache key and of a model's fingerprint."""
    import librosa
    import soundfile
    import soxr

    return {"soundfile": soundfile.__version__, "libsndfile": soundfile.__libsndfile_version__,
            "soxr": soxr.__version__, "librosa": librosa.__version__, "cache": str(CACHE_VERSION)}


def cache_path(path: Path, settings: Settings) -> Path:
    """Where the features of the song at `path` are cached: a name that changes whenever the
    song (path, size, modification time), a setting that shapes features, or the version of a
    library that computes them (`feature_versions`) changes."""
    stat = Path(path).stat()
    identity = {"path": str(Path(path).resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                "version": CACHE_VERSION, "libraries": feature_versions(), **settings.feature_key}
    key = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:32]
    return Path(settings.cache_dir) / "features" / f"{key}.npy"


def _read_cache(file: Path, settings: Settings) -> np.ndarray | None:
    """The cached features, or None when there are none; a damaged file is reported and removed."""
    if not file.exists():
        return None
    expected = (settings.n_mels, n_frames(settings.segment_width, settings.hop_length))
    try:
        # No pickles: a cache file cannot run code. Memory-mapped: the features are read from
        # disk only when the dataset is stacked, so memory never holds them twice.
        features = np.load(file, mmap_mode="r", allow_pickle=False)
        if features.dtype == np.float32 and features.ndim == 3 and features.shape[1:] == expected:
            return features
        problem = f"holds an array of shape {features.shape} and type {features.dtype}"
    except (ValueError, OSError, EOFError) as error:
        problem = f"cannot be read ({error})"
    print(f"cache file {file} {problem}: computing it again")
    file.unlink(missing_ok=True)
    return None


def _compute_and_cache(song: Song, settings: Settings) -> np.ndarray | str:
    """Features of one song, written to the cache; on a bad file, the reason instead."""
    try:
        features = song_features(song.path, settings)
    except AudioError as error:
        return str(error).removeprefix(f"{song.path}: ")
    write_array_atomically(cache_path(song.path, settings), features)
    return features


def song_features_cached(songs: list[Song], settings: Settings, n_jobs: int = -1,
                         progress: bool = True) -> tuple[list[np.ndarray | str], int]:
    """Features of each song, from the cache where possible, the rest computed in parallel.

    A progress count (`helpers.plumbing.progress`: a line of text in notebooks, tqdm's bar in terminals)
    counts every song, cached or computed, so it looks the same whatever the cache holds.

    Returns:
        results: per song, its features (n_pieces, n_mels, frames) or the reason it cannot be used.
        computed: how many songs were computed now.
    """
    from .plumbing.progress import Progress

    with Progress(len(songs), "songs", unit="song", enabled=progress) as bar:
        results: list[np.ndarray | str | None] = []
        for song in songs:
            results.append(_read_cache(cache_path(song.path, settings), settings))
            bar.update(int(results[-1] is not None))
        todo = [i for i, r in enumerate(results) if r is None]
        if todo:
            # Threads: decoding, resampling and FFTs release the GIL, and threads start instantly.
            jobs = Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")(
                delayed(_compute_and_cache)(songs[i], settings) for i in todo)
            for i, result in zip(todo, jobs):
                # Once cached, keep only the memory-mapped file, not the array the worker made.
                results[i] = result if isinstance(result, str) else _read_cache(cache_path(songs[i].path, settings), settings)
                bar.update()
    return results, len(todo)


def build_dataset(settings: Settings, n_jobs: int = -1, progress: bool = True) -> Dataset:
    """Find the songs, compute or load their features, and stack them into the arrays Keras needs.
    It never writes songs: for the demo collection, call `helpers.ensure_songs(settings)` first.

    Taught in notebooks/04_split.ipynb.

    Raises:
        CollectionError: the folder cannot make a dataset (no songs, a single genre, ...);
            the message names the folder and what is missing.
    """
    songs, skipped = find_songs(settings.tracks_dir)
    results, computed = song_features_cached(songs, settings, n_jobs=n_jobs, progress=progress)
    used, features = [], []
    min_seconds = settings.segment_width / settings.sample_rate
    for song, result in zip(songs, results):  # (features are memory maps: cheap to hold)
        if isinstance(result, str):
            skipped.append(Skipped(song.path, result))
        elif len(result) == 0:
            skipped.append(Skipped(song.path, f"shorter than one piece ({min_seconds:.1f} s at {settings.sample_rate} Hz)"))
        else:
            used.append(song)
            features.append(result)
    del results  # from here on `features` holds the only reference to each memory map
    genres = genres_of(used)
    if len(genres) < 2:
        found = f"only the genre {genres[0]!r}" if genres else "no usable songs"
        hint = "" if genres or skipped else (" (an empty folder gets the demo collection from helpers.ensure_songs("
                                             "settings) or `python -m helpers demo`)")
        raise CollectionError(f"the tracks folder {settings.tracks_dir} holds {found}: the series needs at least "
                              f"two genre folders with songs in them ({len(skipped)} file(s) skipped){hint}"
                              + "".join(f"\n  {s}" for s in skipped))
    y = np.concatenate([np.full(len(f), genres.index(s.genre)) for s, f in zip(used, features)])
    groups = np.concatenate([np.full(len(f), i) for i, f in enumerate(features)])
    X = np.empty((len(y), *features[0].shape[1:], 1), np.float32)
    start = 0
    for k in range(len(features)):  # song by song, letting go of each memory map once copied
        X[start:start + len(features[k]), ..., 0] = features[k]
        start += len(features[k])
        features[k] = None
    return Dataset(X, y, groups, genres, used, skipped, computed)


def songs_per_genre(dataset: Dataset) -> dict[str, int]:
    """How many songs of each genre the dataset uses."""
    counts = Counter(song.genre for song in dataset.songs)
    return {genre: counts[genre] for genre in dataset.genres}
