"""What the labels say per song, and how much each piece counts: plain numpy, no TensorFlow.

A dataset holds one row per piece (`y`: its genre, `groups`: its song). Splitting, training
and scoring all need the same two facts about songs: each song's genre, and weights that make
every song and every genre count the same however many pieces they have.

Taught in notebooks/04_split.ipynb (songs and their genres) and notebooks/05_cnn.ipynb (weights).
"""

from __future__ import annotations

import numpy as np


def song_truth(y: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The song indices, sorted (as `helpers.song_predictions` returns them), and each song's genre.

    Args:
        y, groups: arrays of shape (pieces,): each piece's genre index and song index.

    Returns:
        songs: shape (n_songs,); genres: shape (n_songs,), the genre of each song.
    """
    songs = np.unique(groups)
    return songs, np.array([y[groups == s][0] for s in songs], dtype=int)


def piece_weights(y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """A training weight per piece, so that every song of a genre counts the same however long it
    is, and every genre the same however many songs and pieces it has: 1 / (pieces of the
    piece's song x songs of its genre), scaled to a mean of 1. A one-hour mix of 800 pieces then
    weighs as much as any three-minute song, and a genre with twice the pieces does not tilt the model.
    (scikit-learn's `compute_sample_weight("balanced", ...)` balances one labelling; these are two
    nested ones, pieces within songs and songs within genres: tests/test_fingerprint.py checks
    that they equal the product of the two.)

    Taught in notebooks/05_cnn.ipynb.

    Returns:
        float32 array of shape (pieces,).
    """
    songs, counts = np.unique(groups, return_counts=True)
    pieces_of_song = dict(zip(songs.tolist(), counts.tolist()))
    songs_of_genre = np.bincount(song_truth(y, groups)[1], minlength=int(y.max()) + 1)
    weights = np.array([1.0 / (pieces_of_song[int(g)] * songs_of_genre[int(label)]) for g, label in zip(groups, y)])
    return (weights * len(weights) / weights.sum()).astype(np.float32)
