"""Transfer learning (helpers/pretrained/transfer.py, notebook 11): summaries per song, the classifier on the
same folds as the other models, and a saved classifier that is plain numbers."""

import numpy as np
import pytest

import helpers
from helpers.plumbing.saved import classifier_from_state, classifier_state
from helpers.pretrained.transfer import (cross_validate_transfer, fit_transfer,
                                        predict_transfer, song_summaries, transfer_classifier)


def embedded_collection(n_songs=12, patches=5, size=6, seed=0) -> helpers.Dataset:
    """Two genres whose songs' embeddings differ in the mean of every value, and one song of genre 0
    that sounds like genre 1 (song 0): every model gets it wrong."""
    rng = np.random.default_rng(seed)
    X, y, groups, songs = [], [], [], []
    for song in range(n_songs):
        genre = song % 2
        centre = np.full(size, 1.0 if (genre == 1 or song == 0) else -1.0)
        X.append(centre + rng.standard_normal((patches, size)))
        y += [genre] * patches
        groups += [song] * patches
        songs.append(helpers.Song(helpers.PROJECT_ROOT / "tracks" / "ab"[genre] / f"song {song}.mp3", "ab"[genre]))
    return helpers.Dataset(np.concatenate(X).astype(np.float32), np.array(y), np.array(groups), ["a", "b"], songs)


def test_a_song_is_summarised_by_its_patches_mean_and_spread():
    X = np.array([[1.0, 2.0], [3.0, 2.0], [5.0, 0.0]], dtype=np.float32)
    songs, summaries = song_summaries(X, np.array([4, 4, 7]))
    assert songs.tolist() == [4, 7]
    np.testing.assert_allclose(summaries, [[2.0, 2.0, 1.0, 0.0], [5.0, 0.0, 0.0, 0.0]])


def test_the_classifier_is_scored_per_song_on_the_folds_of_songs():
    embedded = embedded_collection()
    splits = helpers.cross_validation_folds(embedded, folds=3, seed=1)
    folds = cross_validate_transfer(embedded, splits)
    tested = sorted(song for fold in folds for song in fold["test"])
    assert tested == list(range(12))  # every song tested once, as one row
    assert [fold["songs"] for fold in folds] == [fold["pieces"] for fold in folds] == [4, 4, 4]
    right = sum(round(fold["song_accuracy"] * fold["songs"]) for fold in folds)
    assert right == 11  # all but song 0, which sounds like the other genre
    by_patch = cross_validate_transfer(embedded, splits, per="patch")
    assert sum(fold["pieces"] for fold in by_patch) == 60 and sum(fold["songs"] for fold in by_patch) == 12


def test_the_folds_are_the_other_models_folds():
    """Dealt by song, the patches' folds hold the same test songs as folds of the series' pieces."""
    embedded = embedded_collection()
    pieces = helpers.Dataset(np.zeros((24, 1, 1, 1)), np.repeat(embedded.y[::5], 2), np.repeat(np.arange(12), 2),
                             embedded.genres, embedded.songs)
    for ours, theirs in zip(helpers.cross_validation_folds(embedded, 3, 42), helpers.cross_validation_folds(pieces, 3, 42)):
        assert set(embedded.groups[ours.test]) == set(pieces.groups[theirs.test])


def test_a_saved_classifier_is_plain_numbers_and_answers_the_same():
    import json

    embedded = embedded_collection()
    classifier = fit_transfer(embedded, np.arange(len(embedded.y)))
    state = json.loads(json.dumps(classifier_state(classifier)))
    again = classifier_from_state(state, transfer_classifier())
    np.testing.assert_allclose(predict_transfer(again, embedded.X, embedded.groups, 2),
                               predict_transfer(classifier, embedded.X, embedded.groups, 2), rtol=1e-6)  # float32 embeddings
    with pytest.raises(ValueError, match="per must be"):
        fit_transfer(embedded, np.arange(5), per="piece")


def test_every_genre_weighs_the_same_however_many_songs_it_has():
    """Ten songs of one genre and three of another, whose embeddings say nothing about the genre:
    weighed alike, the classifier's song-level probabilities of the rarer genre sit near one half
    (unweighted, they would sit near its 3-in-13 share and it would never be answered)."""
    rng = np.random.default_rng(3)
    genres = [0] * 10 + [1] * 3
    X = rng.standard_normal((13 * 4, 6)).astype(np.float32)
    embedded = helpers.Dataset(X, np.repeat(genres, 4), np.repeat(np.arange(13), 4), ["a", "b"], [])
    classifier = fit_transfer(embedded, np.arange(len(X)))
    rare = predict_transfer(classifier, X, embedded.groups, 2)[:, 1]
    assert 0.4 < rare.mean() < 0.6
    assert transfer_classifier()[-1].class_weight == "balanced"
