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
    splits = helpers.cross_validation_by_song(dataset.y, dataset.groups, dataset.genres, folds=2)
    folds = helpers.cross_validate_baseline(dataset, splits)
    assert len(folds) == 2
    for fold, split in zip(folds, splits):
        assert fold["test"] == split.test.tolist() and np.array(fold["proba"]).shape == (len(split.test), 2)
        assert fold["song_accuracy"] == 1.0  # low tones and high tones: the band means tell them apart
