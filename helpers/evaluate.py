"""How good is the model: accuracy per piece and per song.

A song's answer combines the answers for its pieces: the majority vote of the pieces'
genres, or the genre with the highest mean probability.

Taught in notebooks/06_history.ipynb.
"""

from __future__ import annotations

import numpy as np


def predict_proba(model, X: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """Genre probabilities per piece, shape (pieces, n_genres), whatever the output layer.

    A two-genre model has one sigmoid unit p (the second genre); it becomes [1 - p, p].
    """
    p = np.asarray(model.predict(X, batch_size=batch_size, verbose=0), dtype=np.float64)
    return np.column_stack([1 - p[:, 0], p[:, 0]]) if p.shape[1] == 1 else p


def song_predictions(proba: np.ndarray, groups: np.ndarray, method: str = "vote") -> tuple[np.ndarray, np.ndarray]:
    """One answer per song from the answers for its pieces.

    Args:
        proba: array of shape (pieces, n_genres).
        groups: array of shape (pieces,): the song of each piece.
        method: "vote" (the genre most of its pieces get; ties go to the higher mean
            probability) or "mean" (the genre with the highest mean probability).

    Returns:
        songs: the song indices, sorted, shape (n_songs,).
        predicted: the genre index predicted for each, shape (n_songs,).
    """
    if method not in ("vote", "mean"):
        raise ValueError(f"method must be 'vote' or 'mean', not {method!r}")
    songs = np.unique(groups)
    predicted = np.empty(len(songs), dtype=int)
    for k, song in enumerate(songs):
        mine = proba[groups == song]
        mean = mine.mean(axis=0)
        if method == "vote":
            votes = np.bincount(mine.argmax(axis=1), minlength=proba.shape[1]).astype(float)
            predicted[k] = int(np.argmax(votes + mean * 1e-3))  # mean < 1, so it only breaks ties
        else:
            predicted[k] = int(np.argmax(mean))
    return songs, predicted


def accuracies(proba: np.ndarray, y: np.ndarray, groups: np.ndarray, method: str = "vote") -> dict[str, float]:
    """Accuracy per piece and per song (see `song_predictions`)."""
    songs, predicted = song_predictions(proba, groups, method)
    truth = np.array([y[groups == s][0] for s in songs])
    return {"piece_accuracy": float(np.mean(proba.argmax(axis=1) == y)),
            "song_accuracy": float(np.mean(predicted == truth)), "songs": int(len(songs)), "pieces": int(len(y))}
