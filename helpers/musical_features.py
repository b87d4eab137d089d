"""What the music is: tempo, key and timbre, per song, and a classifier that knows them.

Notebook 01 tells the moods apart in words (fast or slow, major or minor, short or long notes,
drums or none); this module measures those words with librosa, one song at a time:

- **rhythm**: how strong the onsets are over time (`librosa.onset.onset_strength`), the tempo
  and beats found in them (`librosa.beat.beat_track`), and how many notes start per second;
- **harmony**: the chroma (energy per pitch class, C to B) and the key it suggests, by
  correlation with Krumhansl and Kessler's key profiles (`estimate_key`): an estimate;
- **timbre**: brightness (spectral centroid), noisiness (zero-crossing rate), loudness (RMS, dB)
  and the shape of the spectrum (13 MFCCs), each as its mean and spread over the song.

`describe_song` turns a signal into those numbers (`FEATURE_NAMES`), from one short-time Fourier
transform; `describe_songs` does it for a folder, in parallel, cached on disk like the mel
features; `musical_dataset` gives one row per song, on the very songs (and so the very folds)
of a `helpers.Dataset`.

The classifier, fixed before any score was seen: standardise each number, then logistic
regression with C = 0.1, every genre weighed alike (`features_classifier`), the same classifier
as musicnn's embeddings get in notebook 11, so the two differ only in what describes a song.
Logistic regression, not gradient boosting: a few dozen songs per genre are few examples for a
model that learns thresholds feature by feature.

Taught in notebooks/13_musical_features.ipynb.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .evaluate import accuracies
from .labels import song_truth
from .load import AudioError, load_song
from .plumbing.atomic import write_array_atomically

PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")

# How strongly each pitch class belongs to a key, as listeners rated it (Krumhansl and Kessler
# 1982), for C major and C minor; the other keys are these, rotated.
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])

N_MFCC = 13
FEATURE_NAMES = (
    "tempo_bpm",            # beats per minute (librosa.beat.beat_track)
    "beat_strength",        # onset strength on the beats, over its mean: how clear the pulse is
    "onsets_per_second",    # how many notes and hits start per second
    "key_clarity",          # correlation of the chroma with the best-fitting key's profile
    "major_minus_minor",    # best major key's correlation minus best minor key's: > 0 sounds major
    "centroid_hz_mean", "centroid_hz_std",  # brightness: the spectrum's centre of mass
    "zcr_mean", "zcr_std",  # zero-crossing rate: noisy, hissy sounds cross zero often
    "rms_db_mean", "rms_db_std",  # loudness, and how much it moves
    *(f"mfcc{k:02d}_mean" for k in range(1, N_MFCC + 1)),
    *(f"mfcc{k:02d}_std" for k in range(1, N_MFCC + 1)),
)
"""The numbers `describe_song` gives a song, in order."""

CACHE_VERSION = 1
"""Bump when `describe_song` changes, so cached descriptions are not trusted."""


@dataclass(frozen=True)
class Key:
    """An estimated key: its tonic ("C" .. "B"), mode ("major" or "minor") and the correlation
    of the song's chroma with that key's profile (1 = a perfect fit)."""

    tonic: str
    mode: str
    correlation: float
    major_minus_minor: float

    def __str__(self) -> str:
        return f"{self.tonic} {self.mode}"


def estimate_key(chroma: np.ndarray) -> Key:
    """The key whose profile best matches the chroma (Krumhansl's key-finding: correlate the
    song's pitch-class energies with each of the 24 keys' profiles and keep the best).

    An estimate: a song that changes key, or stays on a few notes, fits several keys about as
    well; `correlation` says how well, and `major_minus_minor` how clearly major beats minor.

    Args:
        chroma: (12, frames) from `librosa.feature.chroma_stft`, or its mean over time (12,).
    """
    profile = chroma.mean(axis=1) if np.ndim(chroma) == 2 else np.asarray(chroma, dtype=float)
    if np.ptp(profile) == 0:
        return Key("C", "major", 0.0, 0.0)  # no pitch at all (silence, pure noise): no key
    major = np.array([np.corrcoef(profile, np.roll(MAJOR_PROFILE, k))[0, 1] for k in range(12)])
    minor = np.array([np.corrcoef(profile, np.roll(MINOR_PROFILE, k))[0, 1] for k in range(12)])
    best_major, best_minor = int(np.argmax(major)), int(np.argmax(minor))
    if major[best_major] >= minor[best_minor]:
        key = Key(PITCH_CLASSES[best_major], "major", float(major[best_major]), 0.0)
    else:
        key = Key(PITCH_CLASSES[best_minor], "minor", float(minor[best_minor]), 0.0)
    return replace(key, major_minus_minor=float(major[best_major] - minor[best_minor]))


def describe_song(signal: np.ndarray, sample_rate: int, n_fft: int = 2048, hop_length: int = 512) -> dict[str, float]:
    """The numbers of `FEATURE_NAMES` for one song, from one short-time Fourier transform.

    Taught in notebooks/13_musical_features.ipynb, where each step is done in plain librosa first.
    """
    import librosa

    magnitude = np.abs(librosa.stft(signal, n_fft=n_fft, hop_length=hop_length))
    power = magnitude ** 2
    log_mel = librosa.power_to_db(librosa.feature.melspectrogram(S=power, sr=sample_rate))
    seconds = len(signal) / sample_rate

    onset_envelope = librosa.onset.onset_strength(S=log_mel, sr=sample_rate, hop_length=hop_length)
    tempo, beats = librosa.beat.beat_track(onset_envelope=onset_envelope, sr=sample_rate, hop_length=hop_length)
    onsets = librosa.onset.onset_detect(onset_envelope=onset_envelope, sr=sample_rate, hop_length=hop_length)
    mean_strength = float(onset_envelope.mean())
    beat_strength = float(onset_envelope[beats].mean() / mean_strength) if len(beats) and mean_strength > 0 else 0.0

    key = estimate_key(librosa.feature.chroma_stft(S=power, sr=sample_rate, n_fft=n_fft, tuning=0.0))
    centroid = librosa.feature.spectral_centroid(S=magnitude, sr=sample_rate)[0]
    zcr = librosa.feature.zero_crossing_rate(signal, frame_length=n_fft, hop_length=hop_length)[0]
    rms_db = librosa.amplitude_to_db(librosa.feature.rms(S=magnitude, frame_length=n_fft)[0], ref=1.0, amin=1e-5)
    mfcc = librosa.feature.mfcc(S=log_mel, n_mfcc=N_MFCC)

    values = [float(np.atleast_1d(tempo)[0]), beat_strength, len(onsets) / seconds, key.correlation,
              key.major_minus_minor, centroid.mean(), centroid.std(), zcr.mean(), zcr.std(), rms_db.mean(),
              rms_db.std(), *mfcc.mean(axis=1), *mfcc.std(axis=1)]
    return dict(zip(FEATURE_NAMES, (float(v) for v in values)))


def cache_path(path: Path, settings) -> Path:
    """Where the description of the song at `path` is cached: a name that changes with the song
    (path, size, modification time), the settings and library versions that shape it, and
    `CACHE_VERSION` (as `helpers.dataset.cache_path` does for the mel features)."""
    from .dataset import feature_versions

    stat = Path(path).stat()
    identity = {"path": str(Path(path).resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                "version": CACHE_VERSION, "names": FEATURE_NAMES, "libraries": feature_versions(),
                "sample_rate": settings.sample_rate, "n_fft": settings.n_fft, "hop_length": settings.hop_length}
    key = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:32]
    return Path(settings.cache_dir) / "musical_features" / f"{key}.npy"


def _read_cache(file: Path) -> np.ndarray | None:
    if not file.exists():
        return None
    try:
        values = np.load(file, allow_pickle=False)
        if values.shape == (len(FEATURE_NAMES),) and values.dtype == np.float64 and np.all(np.isfinite(values)):
            return values
        problem = f"holds an array of shape {values.shape} and type {values.dtype}"
    except (ValueError, OSError, EOFError) as error:
        problem = f"cannot be read ({error})"
    print(f"cache file {file} {problem}: computing it again")
    file.unlink(missing_ok=True)
    return None


def _compute_and_cache(path: Path, settings) -> np.ndarray | str:
    try:
        signal = load_song(path, settings.sample_rate)
    except AudioError as error:
        return str(error).removeprefix(f"{path}: ")
    described = describe_song(signal, settings.sample_rate, settings.n_fft, settings.hop_length)
    values = np.array([described[name] for name in FEATURE_NAMES], dtype=np.float64)
    write_array_atomically(cache_path(path, settings), values)
    return values


def describe_songs(paths: list[Path], settings, n_jobs: int = -1, progress: bool = True) -> list[np.ndarray | str]:
    """`describe_song` for each file, from the cache where possible, the rest in parallel.

    Returns:
        Per file, its numbers (in the order of `FEATURE_NAMES`), or why it cannot be used.
    """
    from joblib import Parallel, delayed

    from .plumbing.progress import Progress

    with Progress(len(paths), "songs", unit="song", enabled=progress) as bar:
        results: list = []
        for path in paths:
            try:
                results.append(_read_cache(cache_path(path, settings)))
            except OSError as error:  # a file that is not there (or not readable): said, not raised
                results.append(f"cannot be read ({error.strerror})")
            bar.update(int(results[-1] is not None))
        todo = [i for i, r in enumerate(results) if r is None]
        if todo:
            # The first song in this thread: librosa's beat tracker is compiled by numba on first use,
            # and two threads compiling it at once make numba warn (a NumbaWarning on stderr with librosa 1.0).
            results[todo[0]] = _compute_and_cache(Path(paths[todo[0]]), settings)
            bar.update()
        if len(todo) > 1:  # the rest in threads: decoding and FFTs release the GIL, as in helpers/dataset.py
            jobs = Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")(
                delayed(_compute_and_cache)(Path(paths[i]), settings) for i in todo[1:])
            for i, result in zip(todo[1:], jobs):
                results[i] = result
                bar.update()
    return results


def musical_dataset(dataset, settings, progress: bool = True):
    """The songs of `dataset` described by their musical features: one row per song.

    The songs, genres and song indices are `dataset`'s, so folds dealt by song
    (`helpers.cross_validation_folds`) hold the very same test songs as every other model's.

    Returns:
        A `helpers.Dataset` whose X has shape (songs, len(FEATURE_NAMES)), y each song's genre and
        groups each song's index (0, 1, 2, ...).

    Raises:
        AudioError: a song of the dataset could not be described; the message names it.
    """
    results = describe_songs([song.path for song in dataset.songs], settings, progress=progress)
    for song, result in zip(dataset.songs, results):
        if isinstance(result, str):
            raise AudioError(f"{song.path}: {result}")
    songs, genres = song_truth(dataset.y, dataset.groups)
    return replace(dataset, X=np.stack(results), y=genres, groups=songs, computed=0)


def features_classifier(seed: int = 42):
    """An unfitted scikit-learn pipeline: standardise each number, then logistic regression (C=0.1,
    every genre weighed alike however many songs it has): the rule in this module's docstring."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(),
                         LogisticRegression(C=0.1, max_iter=5000, class_weight="balanced", random_state=seed))


def cross_validate_features(described, splits, seed: int = 42) -> list[dict]:
    """Fit `features_classifier` on each split's training and validation songs (nothing is tuned)
    and score it on its test songs.

    Taught in notebooks/13_musical_features.ipynb.

    Args:
        described: from `musical_dataset`.
        splits: from `helpers.cross_validation_folds(described, ...)`, the other models' folds of songs.

    Returns:
        One dict per fold, like `helpers.train.cross_validate`'s: the scores of
        `helpers.evaluate.accuracies` (each song is one row, so its "pieces" are songs),
        "test" (the test songs) and "proba".
    """
    folds = []
    for split in splits:
        seen = np.concatenate([split.train, split.validation])
        model = features_classifier(seed).fit(described.X[seen], described.y[seen])
        proba = np.zeros((len(split.test), len(described.genres)))
        proba[:, model.classes_] = model.predict_proba(described.X[split.test])
        scores = accuracies(proba, described.y[split.test], described.groups[split.test])
        folds.append({**scores, "test": described.groups[split.test].tolist(), "proba": proba.round(6).tolist()})
    return folds


def separation(values: np.ndarray, y: np.ndarray) -> float:
    """How well one number separates the genres on its own: the area under the ROC curve of the
    number as a score for one genre against another (the chance that a song of one genre, picked at
    random, has a higher value than one of the other), folded so that 0.5 means not at all and 1.0
    means every song of one genre lies above every song of the other, either way round. With more
    than two genres, the mean over every pair of genres.

    With 16 songs per genre, a number unrelated to the genres scores 0.58 on average, 0.70 or more
    one time in twenty (simulated in notebooks/13_musical_features.ipynb's text).

    Taught in notebooks/13_musical_features.ipynb.
    """
    from sklearn.metrics import roc_auc_score

    genres = np.unique(y)
    folded = []
    for k, a in enumerate(genres):
        for b in genres[k + 1:]:
            pair = (y == a) | (y == b)
            auc = roc_auc_score(y[pair] == b, values[pair])
            folded.append(max(auc, 1 - auc))
    return float(np.mean(folded))


def features_record(genres: list[str], trained_on: list[str], settings) -> dict:
    """What makes a saved features model (`python -m helpers train --model features`): the numbers
    it reads, the settings they were computed with, the classifier, the genres and songs it was
    fitted on, and the library versions."""
    import sklearn

    from .dataset import feature_versions

    return {"model": "features", "features": list(FEATURE_NAMES), "cache_version": CACHE_VERSION,
            "feature_settings": {"sample_rate": settings.sample_rate, "n_fft": settings.n_fft,
                                 "hop_length": settings.hop_length},
            "classifier": "StandardScaler, LogisticRegression(C=0.1, class_weight='balanced')",
            "genres": list(genres), "trained_on": list(trained_on),
            "versions": {**feature_versions(), "scikit-learn": sklearn.__version__}}
