"""Transfer learning: what a network pretrained on about 200 000 songs (those of the Million Song
Dataset with Last.fm tags) hears in each song, and a small scikit-learn classifier on top of it.

A few dozen songs cannot teach a network from scratch what music sounds like; a network trained
on hundreds of thousands of songs has learned it already. Its activations for a 3-second patch
(its **embedding**) describe the patch in the terms it learned, and a plain classifier separates
the genres in those terms. The rule, the same for any collection (nothing here is tuned to one):

- the network: musicnn's MSD model (`helpers.pretrained.musicnn.DEFAULT_MODEL`), fed exactly its own input;
- the layer: its penultimate layer, 200 values per patch, the one its 50 tags are read from, and
  the one its authors' lab serves as musicnn's embedding (Essentia's `msd-musicnn-1` embeddings);
- per song, the mean and the spread (standard deviation) of each value over the song's patches,
  as the classical baseline summarises each mel band (helpers/baseline.py);
- the classifier: standardise each value, then logistic regression with C = 0.1 (strong
  regularisation: a few dozen songs are few examples), every genre weighed alike.

The classifier sees one row per song. `per="patch"`, classifying each patch and letting a song's
patches vote, is kept to compare. The rule above was fixed before any score was seen; both ways
were then measured (benchmarks/README.md, "Transfer learning", on the folds dealt per genre): per patch was
better on the demo (0.903 against 0.845) and worse on the open-music collection (0.799 against
0.842 by song, 0.632 against 0.675 holding out games), so the rule stands.

Taught in notebooks/11_transfer_learning.ipynb.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..plumbing.saved import load_classifier, save_classifier

from ..dataset import Dataset
from ..plumbing.errors import InputError
from ..evaluate import accuracies
from ..labels import song_truth

RULES = ("song", "patch")
"""How the classifier sees a song: one row of mean and spread over its patches ("song", the
series' rule), or one row per patch whose answers vote ("patch")."""


def embedding_dataset(dataset: Dataset, settings, model: str | None = None, layer: str | None = None,
                      progress: bool = True) -> Dataset:
    """The songs of `dataset`, as the pretrained network hears them: one row per 3-second patch.

    The songs, genres and song indices are `dataset`'s, so folds dealt by song
    (`helpers.split.cross_validation_folds`) hold the very same test songs as the CNNs' folds.

    Returns:
        A Dataset whose X has shape (patches, size): each patch's embedding (`helpers.pretrained.musicnn.embed_songs`,
        cached on disk); y and groups per patch.
    """
    from . import musicnn

    embeddings = musicnn.embed_songs([song.path for song in dataset.songs], model or musicnn.DEFAULT_MODEL,
                                     layer or musicnn.DEFAULT_LAYER, settings, progress=progress)
    too_short = [str(song.path) for song, e in zip(dataset.songs, embeddings) if len(e) == 0]
    if too_short:  # left out, they would shift every other song's fold: the comparison would not be paired
        raise InputError(f"{too_short[0]}: shorter than musicnn's 3-second patch ({len(too_short)} such song(s)); "
                         f"remove them, or use pieces of 3 s or more (segment_width), so that every model sees the same songs")
    songs, genres = song_truth(dataset.y, dataset.groups)
    genre_of = dict(zip(songs.tolist(), genres.tolist()))
    groups = np.concatenate([np.full(len(e), song) for song, e in enumerate(embeddings)]).astype(dataset.groups.dtype)
    y = np.array([genre_of[int(song)] for song in groups], dtype=dataset.y.dtype)
    return replace(dataset, X=np.concatenate(embeddings).astype(np.float32), y=y, groups=groups, computed=0)


def song_summaries(X: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per song, the mean and the standard deviation of each embedding value over its patches.

    Args:
        X: (patches, size) embeddings; groups: (patches,) the song of each patch.

    Returns:
        songs: the song indices, sorted, shape (n_songs,); summaries: shape (n_songs, 2 * size).
    """
    songs = np.unique(groups)
    return songs, np.stack([np.concatenate([X[groups == s].mean(axis=0), X[groups == s].std(axis=0)]) for s in songs])


def transfer_classifier(seed: int = 42):
    """An unfitted scikit-learn pipeline: standardise each value, then logistic regression (C=0.1,
    every genre weighed alike however many songs it has)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(),
                         LogisticRegression(C=0.1, max_iter=5000, class_weight="balanced", random_state=seed))


def _proba(classifier, X: np.ndarray, n_genres: int) -> np.ndarray:
    proba = np.zeros((len(X), n_genres))
    proba[:, classifier.classes_] = classifier.predict_proba(X)
    return proba


def fit_transfer(embedded: Dataset, index: np.ndarray, per: str = "song", seed: int = 42):
    """The classifier fitted on the patches `index` of `embedded` (their songs, by `per`)."""
    if per not in RULES:
        raise ValueError(f"per must be one of {RULES}, not {per!r}")
    X, y, groups = embedded.X[index], embedded.y[index], embedded.groups[index]
    if per == "song":
        songs, X = song_summaries(X, groups)
        y = song_truth(y, groups)[1]
    return transfer_classifier(seed).fit(X, y)


def predict_transfer(classifier, X: np.ndarray, groups: np.ndarray, n_genres: int, per: str = "song") -> np.ndarray:
    """Genre probabilities, shape (rows, n_genres): one row per song (per="song", songs sorted as
    `song_truth` sorts them) or per patch (per="patch")."""
    if per == "song":
        X = song_summaries(X, groups)[1]
    return _proba(classifier, X, n_genres)


def cross_validate_transfer(embedded: Dataset, splits, per: str = "song", seed: int = 42) -> list[dict]:
    """Fit the classifier on each split's training and validation songs (nothing is tuned, so it
    needs no validation set) and score it on the split's test songs.

    Taught in notebooks/11_transfer_learning.ipynb.

    Args:
        embedded: from `embedding_dataset`.
        splits: from `helpers.split.cross_validation_folds(embedded, ...)`: the CNNs' folds of songs.
        per: "song" (a song's mean and spread, one answer per song) or "patch" (each patch, then a vote).

    Returns:
        One dict per fold, like `helpers.train.cross_validate`'s: the scores of
        `helpers.evaluate.accuracies` ("pieces" are songs with per="song", patches with "patch"),
        "test" (the test rows: songs or patches) and "proba".
    """
    folds = []
    for split in splits:
        seen = np.concatenate([split.train, split.validation])
        classifier = fit_transfer(embedded, seen, per, seed)
        X, y, groups = embedded.X[split.test], embedded.y[split.test], embedded.groups[split.test]
        proba = predict_transfer(classifier, X, groups, len(embedded.genres), per)
        if per == "song":
            songs, truth = song_truth(y, groups)
            scores, test = accuracies(proba, truth, songs), songs
        else:
            scores, test = accuracies(proba, y, groups), split.test
        folds.append({**scores, "test": test.tolist(), "proba": proba.round(6).tolist()})
    return folds


def transfer_record(genres: list[str], trained_on: list[str], per: str = "song") -> dict:
    """What makes a saved transfer model: the network, its weights' wheel, the layer, the summary
    over time, the classifier, the genres and songs it was fitted on, and the library versions."""
    import sklearn

    from . import musicnn
    from ..plumbing.runs import library_versions

    return {"model": "musicnn", "network": musicnn.DEFAULT_MODEL, "layer": musicnn.DEFAULT_LAYER,
            "wheel_sha256": musicnn.WHEEL_SHA256, "per": per,
            "summary": "mean and standard deviation over 3-second patches" if per == "song" else "vote of the patches",
            "classifier": "StandardScaler, LogisticRegression(C=0.1, class_weight='balanced')",
            "genres": list(genres), "trained_on": list(trained_on),
            "versions": {**library_versions(), "scikit-learn": sklearn.__version__}}


def save_transfer(classifier, path, record: dict) -> None:
    """Write a fitted transfer classifier and its record to `path` (.json), whole or not at all
    (`helpers.plumbing.saved.save_classifier`: plain numbers, no pickle)."""
    save_classifier(classifier, path, record)


def load_transfer(path):
    """(classifier, record) from a file `save_transfer` wrote.

    Raises:
        ModelFileError: the file is missing, or holds no transfer model.
    """
    return load_classifier(path, transfer_classifier(), "musicnn")


def small_data_curve(dataset: Dataset, embedded: Dataset, folds, patch_folds, sizes=(2, 3, 5, 8), draws: int = 10,
                     seed: int = 42) -> dict:
    """Song accuracy against the number of training songs per genre: musicnn's embeddings with
    the classifier, and notebook 07's baseline, on the same folds and the same songs.

    For each size, `draws` times, each fold keeps that many of its training songs per genre
    (`helpers.split.fewer_training_songs`, draw k seeded by `seed + k`) and both models are
    scored on the fold's test songs; a draw's score is the mean over folds.

    Taught in notebooks/11_transfer_learning.ipynb.

    Returns:
        {size: {"musicnn": [score per draw], "baseline": [score per draw]}}.
    """
    from ..baseline import cross_validate_baseline
    from ..split import fewer_training_songs

    curve = {}
    for size in sizes:
        curve[size] = {"musicnn": [], "baseline": []}
        for k in range(draws):
            pieces = [fewer_training_songs(s, dataset.y, dataset.groups, size, seed + k) for s in folds]
            patches = [fewer_training_songs(s, embedded.y, embedded.groups, size, seed + k) for s in patch_folds]
            for name, cv in (("musicnn", cross_validate_transfer(embedded, patches, seed=seed)),
                             ("baseline", cross_validate_baseline(dataset, pieces, seed=seed))):
                curve[size][name].append(float(np.mean([fold["song_accuracy"] for fold in cv])))
    return curve
