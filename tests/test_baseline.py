import numpy as np

import helpers


def test_band_statistics_are_each_bands_mean_then_spread():
    X = np.zeros((2, 3, 4, 1), np.float32)
    X[0, 1] = [[0], [2], [0], [2]]  # piece 0, band 1: mean 1, spread 1
    features = helpers.band_statistics(X)
    assert features.shape == (2, 6)
    assert features[0].tolist() == [0, 1, 0, 0, 1, 0] and not features[1].any()


def test_the_baseline_scores_each_fold_like_the_cnns(tmp_settings):
    dataset = helpers.build_dataset(tmp_settings, progress=False)
    splits = helpers.cross_validation_by_song(dataset.y, dataset.groups, dataset.genres, folds=2,
                                              song_names=dataset.song_names)
    folds = helpers.cross_validate_baseline(dataset, splits)
    assert len(folds) == 2
    for fold, split in zip(folds, splits):
        assert fold["test"] == split.test.tolist() and np.array(fold["proba"]).shape == (len(split.test), 2)
        assert fold["song_accuracy"] == 1.0  # low tones and high tones: the band means tell them apart


def test_the_baseline_weighs_songs_and_genres_like_the_cnns():
    # Features that say nothing about the genre, and a genre with three times the songs and pieces.
    # Weighed by piece_weights (every genre counts the same), the baseline answers about 0.5
    # for either; unweighted, it leans towards the bigger genre, as the CNNs no longer do.
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(24), 10)
    y = (np.arange(24) >= 18).astype(int).repeat(10)  # 18 songs of genre 0, 6 of genre 1
    features = rng.normal(size=(240, 6))
    weighted = helpers.baseline.fit_baseline(features, y, groups).predict_proba(features)[:, 1].mean()
    plain = helpers.baseline.baseline_classifier().fit(features, y).predict_proba(features)[:, 1].mean()
    assert abs(weighted - 0.5) < 0.05 and plain < 0.3, (weighted, plain)
