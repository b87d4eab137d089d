"""Split the data into train, validation and test sets BY SONG.

Pieces of one song are near-duplicates: the same instruments, key, tempo and mix. Split
pieces at random and most test pieces have a sibling in the training set, so the test
accuracy measures memory, not generalisation. Here every song's pieces go to one set only.

Taught in notebooks/04_split.ipynb.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from .collection import CollectionError
from .plumbing.errors import InputError
from .labels import song_truth

MIN_SONGS_PER_GENRE = 3
"""One song each for training, validation and test: the fewest a genre can have."""


@dataclass(frozen=True)
class Split:
    """Indices of the pieces in each set (into X, y and groups), and the rule that chose them
    (e.g. "by song, seed 42"), which a trained model's record keeps (helpers/plumbing/runs.py)."""

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray
    rule: str = ""

    def items(self):
        return (("train", self.train), ("validation", self.validation), ("test", self.test))


def song_order(songs, seed: int, song_names: list[str] | None = None) -> list[int]:
    """`songs` (song indices) in a shuffled order that depends only on each song's own name and
    the seed: a hash of both. Adding or removing a song does not move the others relative to
    each other, so a reader who adds a song does not get a new test set for all the rest.

    Args:
        song_names: per song index, a name that identifies it (`Dataset.song_names`, e.g.
            "rock/My Song.mp3"); None: the song index itself.
    """
    def key(song: int) -> str:
        name = song_names[song] if song_names is not None else str(song)
        return hashlib.sha256(f"{seed}:{name}".encode()).hexdigest()

    return sorted((int(s) for s in songs), key=key)


def _songs_per_genre(y: np.ndarray, groups: np.ndarray) -> dict[int, list[int]]:
    """Each genre's song indices: one row per song, whatever its number of pieces."""
    songs, labels = song_truth(y, groups)
    return {int(label): songs[labels == label].tolist() for label in np.unique(labels)}


def split_by_song(y: np.ndarray, groups: np.ndarray, genres: list[str] | None = None, validation: float = 0.2,
                  test: float = 0.2, seed: int = 42, song_names: list[str] | None = None) -> Split:
    """Assign whole songs to train / validation / test, stratified by genre, with a fixed seed.

    For each genre its songs are put in a seeded order (`song_order`), then `round(test * n)`
    songs (at least one) go to test, `round(validation * n)` (at least one) to validation, and
    the rest, never fewer than one, to training. The same `seed` gives the same split, and with
    `song_names` a song keeps its set when other songs are added.

    Taught in notebooks/04_split.ipynb.

    Args:
        y: array of shape (pieces,): genre index of each piece.
        groups: array of shape (pieces,): song index of each piece.
        genres: genre names, used in error messages.
        validation, test: the fractions of each genre's songs for validation and test, each
            above 0, together below 1.
        song_names: per song index, the name that seeds its place (`Dataset.song_names`).

    Returns:
        A Split of piece indices; no song has pieces in two sets.

    Raises:
        CollectionError: a genre has fewer than MIN_SONGS_PER_GENRE songs.
        ValueError: the fractions are not above 0 and together below 1.
    """
    if not (0 < validation < 1 and 0 < test < 1 and validation + test < 1):
        raise ValueError(f"validation={validation} and test={test}: each must be above 0 and together below 1, so "
                         f"that training keeps some songs (the defaults are 0.2 and 0.2)")
    chosen = {"train": [], "validation": [], "test": []}
    for label, songs in _songs_per_genre(y, groups).items():
        name = genres[label] if genres else f"genre {label}"
        if len(songs) < MIN_SONGS_PER_GENRE:
            raise CollectionError(
                f"{name!r} has {len(songs)} usable song(s); a by-song split needs at least {MIN_SONGS_PER_GENRE} "
                f"per genre (one each for training, validation and test). Add songs to that folder, or remove it.")
        songs = song_order(songs, seed, song_names)
        n_test = max(1, round(test * len(songs)))
        n_val = max(1, round(validation * len(songs)))
        # Capped together: training keeps at least one song, taken from the larger of the two held-out sets.
        while n_test + n_val > len(songs) - 1:
            if n_test >= n_val:
                n_test -= 1
            else:
                n_val -= 1
        chosen["test"].extend(songs[:n_test])
        chosen["validation"].extend(songs[n_test:n_test + n_val])
        chosen["train"].extend(songs[n_test + n_val:])
    return Split(**{name: np.flatnonzero(np.isin(groups, songs)) for name, songs in chosen.items()},
                 rule=f"by song, validation {validation}, test {test}, seed {seed}")


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
    return Split(np.sort(order[n_test + n_val:]), np.sort(order[n_test:n_test + n_val]), np.sort(order[:n_test]),
                 rule=f"random over pieces, validation {validation}, test {test}, seed {seed}")


def cross_validation_by_song(y: np.ndarray, groups: np.ndarray, genres: list[str] | None = None, folds: int = 4,
                             seed: int = 42, *, song_names: list[str]) -> list[Split]:
    """`folds` splits in which every song is a test song exactly once, stratified by genre;
    in each, one training song per genre is held out for validation. With a few dozen songs
    one test split is a coin toss; the mean and spread over folds are not.

    Songs, not pieces, are dealt out, and each genre on its own: its songs, in their seeded
    order (`song_order`, a hash of each song's name), are cut into `folds` runs of equal length
    (give or take one), and run b becomes the test songs of fold (b + genre index) mod `folds`
    (the turn spreads the longer runs over the folds). So every fold holds the same number of
    a genre's songs, give or take one, however long the songs are; and a song keeps its fold
    when songs are added: songs of other genres never move, and of its own genre at most one
    song per boundary between runs (`folds` - 1 in all).

    Taught in notebooks/07_evaluate.ipynb; how the folds are dealt, and why their training sets
    overlap, in notebooks/12_how_sure.ipynb.

    Args:
        song_names: per song index, the name that seeds its place (`Dataset.song_names`);
            required, since song indices change when songs are added.

    Raises:
        CollectionError: a genre has fewer than `folds` + 2 songs.
        InputError: `song_names` does not name every song.
    """
    if song_names is None or len(song_names) <= int(np.max(groups)):
        raise InputError(f"cross_validation_by_song needs a name for every song (song_names=dataset.song_names): "
                         f"got {'none' if song_names is None else len(song_names)} for {int(np.max(groups)) + 1} songs")
    by_genre = _songs_per_genre(y, groups)
    for label, songs in by_genre.items():
        if len(songs) < folds + 2:
            name = genres[label] if genres else f"genre {label}"
            raise CollectionError(f"{name!r} has {len(songs)} usable song(s); {folds}-fold cross-validation by song "
                                  f"needs at least {folds + 2} per genre. Add songs, or use fewer folds.")
    test_songs = [[] for _ in range(folds)]
    validation_songs = [[] for _ in range(folds)]
    for label, songs in by_genre.items():
        ordered = song_order(songs, seed, song_names)
        for run, mine in enumerate(np.array_split(ordered, folds)):
            test_songs[(run + label) % folds].extend(int(s) for s in mine)
        for k in range(folds):  # the first of the genre's other songs, in the seeded order
            validation_songs[k].append(next(s for s in ordered if s not in test_songs[k]))
    splits = []
    for k, (test, held) in enumerate(zip(test_songs, validation_songs)):
        in_test, in_validation = np.isin(groups, test), np.isin(groups, held)
        splits.append(Split(np.flatnonzero(~in_test & ~in_validation), np.flatnonzero(in_validation),
                            np.flatnonzero(in_test), rule=f"fold {k + 1} of {folds} by song, each genre on its own, seed {seed}"))
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
    for k, test in enumerate(np.array_split(order, folds)):
        rest = rng.permutation(np.setdiff1d(order, test))
        n_val = round(validation * len(rest))
        splits.append(Split(np.sort(rest[n_val:]), np.sort(rest[:n_val]), np.sort(test),
                            rule=f"fold {k + 1} of {folds} over pieces, validation {validation}, seed {seed}"))
    return splits


def labels_that_mean_nothing(y: np.ndarray, groups: np.ndarray, seed: int = 42) -> np.ndarray:
    """Genre labels drawn at random for whole songs: each song keeps one label for all its
    pieces, drawn on its own, with the chance of each label its genre's share of the songs,
    whatever the song's true genre. So the labels say nothing about the music, and an honest
    test can only score around chance; a model that scores above it has recognised songs, not
    genres. Each draw is scattered (one draw may give a label to more dramatic songs than
    another); average several seeds. A draw that leaves a label with fewer than
    MIN_SONGS_PER_GENRE songs, too few to split by song, is drawn again. The control
    in notebooks/12_how_sure.ipynb (the leak itself: 07_evaluate).
    """
    songs, labels = song_truth(y, groups)
    n_labels = int(labels.max()) + 1
    share = np.bincount(labels, minlength=n_labels) / len(songs)
    if len(songs) < MIN_SONGS_PER_GENRE * n_labels:
        raise CollectionError(f"{len(songs)} songs cannot give each of {n_labels} labels {MIN_SONGS_PER_GENRE} songs")
    rng = np.random.default_rng(seed)
    while True:
        drawn = rng.choice(n_labels, size=len(songs), p=share)
        if np.bincount(drawn, minlength=n_labels).min() >= MIN_SONGS_PER_GENRE:
            break
    label_of_song = dict(zip(songs.tolist(), drawn.tolist()))
    return np.array([label_of_song[int(g)] for g in groups], dtype=y.dtype)


def cross_validation_by_source(y: np.ndarray, groups: np.ndarray, sources: list[str], genres: list[str] | None = None,
                               folds: int = 3, seed: int = 42, song_names: list[str] | None = None) -> list[Split]:
    """`folds` splits in which whole sources (games, artists) are held out: every source is a
    test source exactly once, and no source has songs on both sides of a split. Each genre's
    sources are dealt to the folds in turn (stratified: with as many sources per genre as folds,
    each fold tests one source of every genre). The accuracy then says whether a model learned
    the genre or the production of the sources it was trained on (the "artist effect").

    Validation (for early stopping only) is one song per genre taken from the fold's training
    sources: the test sources stay unseen.

    Taught in notebooks/10_real_music.ipynb.

    Args:
        groups: array of shape (pieces,): the song (or near-duplicate family, see
            `helpers.sources.family_groups`) of each piece.
        sources: per song index (per value of `groups`), its source (`helpers.sources.song_source`).
        song_names: per song index, the name that seeds its place (`Dataset.song_names`).

    Raises:
        CollectionError: a genre has fewer than `folds` sources, or a fold would keep no
            training or validation song of a genre.
    """
    by_genre = _songs_per_genre(y, groups)
    fold_of_source: dict[str, int] = {}
    dealt = 0
    for label, songs in by_genre.items():
        mine = sorted({sources[s] for s in songs})
        name = genres[label] if genres else f"genre {label}"
        if len(mine) < folds:
            raise CollectionError(f"{name!r} has {len(mine)} source(s) ({', '.join(mine)}); holding out whole sources "
                                  f"in {folds} folds needs at least {folds} per genre. Use fewer folds (at least 2), "
                                  f"or cross-validate by song.")
        for source in (mine[i] for i in song_order(range(len(mine)), seed, mine)):  # hashed on the source's name
            if source not in fold_of_source:
                fold_of_source[source] = dealt % folds
                dealt += 1
    splits = []
    for k in range(folds):
        test_songs, validation_songs = [], []
        for label, songs in by_genre.items():
            test_songs += [s for s in songs if fold_of_source[sources[s]] == k]
            training = song_order([s for s in songs if fold_of_source[sources[s]] != k], seed, song_names)
            if len(training) < 2:
                name = genres[label] if genres else f"genre {label}"
                raise CollectionError(f"{name!r}: fold {k + 1} keeps {len(training)} song(s) of its training sources; "
                                      f"it needs one to train on and one to validate. Use fewer folds.")
            validation_songs.append(training[0])
        in_test, in_validation = np.isin(groups, test_songs), np.isin(groups, validation_songs)
        splits.append(Split(np.flatnonzero(~in_test & ~in_validation), np.flatnonzero(in_validation),
                            np.flatnonzero(in_test), rule=f"fold {k + 1} of {folds} by source, seed {seed}"))
    return splits


def cross_validation_folds(dataset, folds: int = 3, seed: int = 42, split: str = "song", group: str = "song") -> list[Split]:
    """The folds `python -m helpers evaluate` deals, and every benchmark with it: by song
    (notebook 07), holding out whole sources (notebook 10), or the original tutorial's random
    split over pieces (`split="piece"`, which leaks; kept to measure by how much).

    By song or by source, a tune and its near-duplicate variants (helpers/sources.py) are dealt
    out as one song; a collection without variants gets exactly notebook 07's folds.

    Args:
        dataset: a `helpers.Dataset`.
        split: "song" (folds of whole songs or sources) or "piece".
        group: with split="song", what each fold holds out: "song" or "source".

    Raises:
        InputError: a split or group it does not know, or split="piece" with group="source"
            (pieces are dealt at random, whatever their source).
    """
    from .sources import family_groups, source_of_songs

    if split not in ("song", "piece") or group not in ("song", "source"):
        raise InputError(f"split must be 'song' or 'piece' and group 'song' or 'source', not {split!r} and {group!r}")
    if split == "piece":
        if group != "song":
            raise InputError("a split over pieces deals pieces at random, whatever their source: it cannot hold out "
                             "whole sources (use split='song' with group='source')")
        return cross_validation_over_pieces(len(dataset.y), folds, seed=seed)
    groups, names, sources = family_groups(dataset.groups, dataset.song_names)
    if len(names) == len(dataset.songs):  # no variants: the songs themselves, as notebook 07 deals them
        groups, names, sources = dataset.groups, dataset.song_names, source_of_songs(dataset.song_names)
    if group == "source":
        return cross_validation_by_source(dataset.y, groups, sources, dataset.genres, folds, seed, song_names=names)
    return cross_validation_by_song(dataset.y, groups, dataset.genres, folds, seed, song_names=names)


def fewer_training_songs(split: Split, y: np.ndarray, groups: np.ndarray, per_genre: int | None,
                         seed: int = 42) -> Split:
    """`split` trained on only `per_genre` songs of each genre: drawn (seeded) from its training
    and validation songs, which become the training set (no validation: for models that tune
    nothing); the test songs stay. `per_genre=None` keeps them all. The draw depends only on the
    songs and the seed, so the pieces of a dataset and the patches of its embeddings lose the same
    songs. For the small-data curve of notebooks/11_transfer_learning.ipynb.
    """
    seen = np.concatenate([split.train, split.validation])
    rng = np.random.default_rng(seed)
    kept = []
    for genre in np.unique(y[seen]):
        songs = np.unique(groups[seen][y[seen] == genre])
        if per_genre is not None and per_genre > len(songs):
            raise ValueError(f"{per_genre} songs per genre asked, genre {genre} has {len(songs)} to train on")
        kept += list(rng.permutation(songs)[:per_genre])
    train = np.sort(seen[np.isin(groups[seen], kept)])
    return Split(train, np.array([], dtype=int), split.test,
                 rule=f"{split.rule}; training: {per_genre or 'all'} songs per genre, seed {seed}")
