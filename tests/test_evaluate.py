import numpy as np
import pytest

from helpers import accuracies, song_predictions

# Three songs: song 0 has three pieces, song 1 two, song 2 three.
PROBA = np.array([[0.9, 0.1], [0.4, 0.6], [0.8, 0.2],   # song 0: votes 2-1 for genre 0
                  [0.45, 0.55], [0.9, 0.1],             # song 1: a 1-1 tie; mean says genre 0
                  [0.4, 0.6], [0.45, 0.55], [0.0, 1.0]])  # song 2: genre 1 everywhere
GROUPS = np.array([0, 0, 0, 1, 1, 2, 2, 2])


def test_majority_vote_with_ties_broken_by_the_mean():
    songs, predicted = song_predictions(PROBA, GROUPS, "vote")
    assert songs.tolist() == [0, 1, 2] and predicted.tolist() == [0, 0, 1]


def test_vote_and_mean_can_disagree():
    proba = np.array([[0.45, 0.55], [0.45, 0.55], [1.0, 0.0]])
    assert song_predictions(proba, np.zeros(3, int), "vote")[1].tolist() == [1]
    assert song_predictions(proba, np.zeros(3, int), "mean")[1].tolist() == [0]


def test_accuracies_per_piece_and_per_song():
    y = np.array([0, 0, 0, 1, 1, 1, 1, 1])
    scores = accuracies(PROBA, y, GROUPS)
    assert scores["piece_accuracy"] == pytest.approx(6 / 8)
    assert scores["song_accuracy"] == pytest.approx(2 / 3)
    assert scores["songs"] == 3 and scores["pieces"] == 8


def test_unknown_method():
    with pytest.raises(ValueError, match="median"):
        song_predictions(PROBA, GROUPS, "median")
