"""Split the data into train, validation and test sets BY SONG.

Pieces of one song are near-duplicates: the same instruments, key, tempo and mix. Split
pieces at random and most test pieces have a sibling in the training set, so the test
accuracy measures memory, not generalisation. Here every song's pieces go to one set only.

Taught in notebooks/04_split.ipynb.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .collection import CollectionError
from .evaluate import song_truth

MIN_SONGS_PER_GENRE = 3
"""One song each for training, validation and test: the fewest a genre can have."""


@dataclass(frozen=True)
class Split:
    """Indices of the pieces in each set (into X, y and groups)."""

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray

    def items(self):
        return (("train", self.train), ("validation", self.validation), ("test", self.test))


def split_by_song(y: np.ndarray, groups: np.ndarray, genres: list[str] | None = None, validation: float = 0.2,
                  test: float = 0.2, seed: int = 42) -> Split:
    """Assign whole songs to train / validation / test, stratified by genre, with a fixed seed.

    For each genre its songs are shuffled, then `round(test * n)` songs (at least one) go to
    test, `round(validation * n)` (at least one) to validation, and the rest (at least one)
    to training. The same `seed` gives the same split.

    Taught in notebooks/04_split.ipynb.

    Args:
        y: array of shape (pieces,): genre index of each piece.
        groups: array of shape (pieces,): song index of each piece.
        genres: genre names, used in error messages.

    Returns:
        A Split of piece indices; no song has pieces in two sets.

    Raises:
        CollectionError: a genre has fewer than MIN_SONGS_PER_GENRE songs.
    """
    rng = np.random.default_rng(seed)
    song_genre = {int(g): int(label) for g, label in zip(groups, y)}
    chosen = {"train": [], "validation": [], "test": []}
    for label in sorted(set(song_genre.values())):
        songs = np.array(sorted(s for s, g in song_genre.items() if g == label))
        name = genres[label] if genres else f"genre {label}"
        if len(songs) < MIN_SONGS_PER_GENRE:
            raise CollectionError(
                f"{name!r} has {len(songs)} usable song(s); a by-song split needs at least {MIN_SONGS_PER_GENRE} "
                f"per genre (one each for training, validation and test). Add songs to that folder, or remove it.")
        rng.shuffle(songs)
        n_test = max(1, round(test * len(songs)))
        n_val = max(1, round(validation * len(songs)))
        n_test, n_val = min(n_test, len(songs) - 2), min(n_val, len(songs) - 2)
        chosen["test"].extend(songs[:n_test])
        chosen["validation"].extend(songs[n_test:n_test + n_val])
        chosen["train"].extend(songs[n_test + n_val:])
    return Split(**{name: np.flatnonzero(np.isin(groups, songs)) for name, songs in chosen.items()})


def split_table(split: Split, y: np.ndarray, groups: np.ndarray, genres: list[str]) -> str:
    """Songs and pieces per genre in each set, as a small text table.

    Taught in notebooks/04_split.ipynb.
    """
    header = f"{'':<12}" + "".join(f"{g[:14]:>16}" for g in genres) + f"{'total':>16}"
    lines = [header, f"{'':<12}" + "".join(f"{'songs/pieces':>16}" for _ in range(len(genres) + 1))]
    for name, index in split.items():
        cells = []
        for label in range(len(genres)):
            mine = index[y[index] == label]
            cells.append(f"{len(np.unique(groups[mine]))}/{len(mine)}")
        cells.append(f"{len(np.unique(groups[index]))}/{len(index)}")
        lines.append(f"{name:<12}" + "".join(f"{c:>16}" for c in cells))
    return "\n".join(lines)


def random_split_over_pieces(n_pieces: int, validation: float = 0.2, test: float = 0.2, seed: int = 42) -> Split:
    """The original tutorial's split: pieces shuffled at random, ignoring which song they come from.

    Kept to show why it leaks (notebooks/04_split.ipynb); never use it to report accuracy.
    """
    order = np.random.default_rng(seed).permutation(n_pieces)
    n_test, n_val = round(test * n_pieces), round(validation * n_pieces)
    return Split(np.sort(order[n_test + n_val:]), np.sort(order[n_test:n_test + n_val]), np.sort(order[:n_test]))


def cross_validation_by_song(y: np.ndarray, groups: np.ndarray, genres: list[str] | None = None, folds: int = 4,
                             seed: int = 42) -> list[Split]:
    """`folds` splits in which every song is a test song exactly once, stratified by genre
    (scikit-learn's StratifiedGroupKFold); in each, one training song per genre is held out
    for validation. With a few dozen songs one test split is a coin toss; the mean and
    spread over folds are not.

    Raises:
        CollectionError: a genre has fewer than `folds` + 2 songs.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    song_genre = {int(g): int(label) for g, label in zip(groups, y)}
    for label in set(song_genre.values()):
        n = sum(1 for g in song_genre.values() if g == label)
        if n < folds + 2:
            name = genres[label] if genres else f"genre {label}"
            raise CollectionError(f"{name!r} has {n} usable song(s); {folds}-fold cross-validation by song needs at "
                                  f"least {folds + 2} per genre. Add songs, or use fewer folds.")
    rng = np.random.default_rng(seed)
    splits = []
    folder = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for rest, test in folder.split(np.zeros(len(y)), y, groups):
        rest_songs = np.unique(groups[rest])
        validation_songs = [rng.choice([s for s in rest_songs if song_genre[int(s)] == label])
                            for label in sorted(set(song_genre.values()))]
        in_validation = np.isin(groups, validation_songs)
        splits.append(Split(np.sort(rest[~in_validation[rest]]), np.flatnonzero(in_validation), np.sort(test)))
    return splits


def cross_validation_over_pieces(n_pieces: int, folds: int = 3, validation: float = 0.2, seed: int = 42) -> list[Split]:
    """The original tutorial's random split over pieces, cross-validated: the pieces are shuffled
    and dealt into `folds` folds, ignoring which song they come from; each fold is the test set
    once, and `validation` of the other pieces, at random, the validation set.

    Kept to measure the leak (`python -m helpers evaluate --split piece`); never use it to
    report accuracy.
    """
    rng = np.random.default_rng(seed)
    order = rng.permutation(n_pieces)
    splits = []
    for test in np.array_split(order, folds):
        rest = rng.permutation(np.setdiff1d(order, test))
        n_val = round(validation * len(rest))
        splits.append(Split(np.sort(rest[n_val:]), np.sort(rest[:n_val]), np.sort(test)))
    return splits


def labels_that_mean_nothing(y: np.ndarray, groups: np.ndarray, seed: int = 42) -> np.ndarray:
    """Genre labels dealt out to whole songs at random: each song keeps one label for all its
    pieces and each genre keeps its number of songs (give or take one), but the labels no
    longer say anything about the music: within each true genre the labels are dealt evenly, so
    a label cannot even hint at the true genre, whatever the seed. A model that scores above
    chance on them has recognised songs, not genres. The control of the leakage experiment in
    notebooks/07_evaluate.ipynb.
    """
    songs, labels = song_truth(y, groups)
    n_labels = int(labels.max()) + 1
    rng = np.random.default_rng(seed)
    dealt, turn = {}, 0
    for label in range(n_labels):
        mine = rng.permutation(songs[labels == label])
        for song in mine:  # round the labels in turn, carrying on from the previous genre's last one
            dealt[int(song)] = turn % n_labels
            turn += 1
    return np.array([dealt[int(g)] for g in groups], dtype=y.dtype)
