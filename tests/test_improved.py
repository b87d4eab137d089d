"""The improved model (notebook 09): each of its changes does what it claims."""

import numpy as np
import pytest

import helpers
from helpers.model import SpecAugment, improved_cnn, original_cnn
from helpers.split import Split
from helpers.plumbing.runs import RunSpec, run_spec
from helpers.plumbing.saved import load_model, save_run
from helpers.train import cross_validate, fit


def tiny_dataset(n_songs=12, pieces=4, shape=(32, 40), seed=0) -> helpers.Dataset:
    """Two genres told apart by which half of the mel bands is loud, with loudness varying per song."""
    rng = np.random.default_rng(seed)
    X, y, groups = [], [], []
    for song in range(n_songs):
        label = song % 2
        gain = rng.uniform(-30, 0)
        for _ in range(pieces):
            piece = rng.normal(-60, 3, shape) + gain
            piece[label * shape[0] // 2:(label + 1) * shape[0] // 2] += 25
            X.append(piece)
            y.append(label)
            groups.append(song)
    return helpers.Dataset(X=np.array(X, dtype=np.float32)[..., None], y=np.array(y), groups=np.array(groups),
                           genres=["high", "low"], songs=[], skipped=[], computed=0)


def plan(seed: int, **changes) -> RunSpec:
    """How `fit` trains here: the improved model's plan, with `changes`."""
    return RunSpec(builder="improved_cnn", plan={"epochs": 1, "patience": None, "batch_size": 32, "balance": True,
                                                  "mixup": 0.0, **changes}, features={}, seed=seed)


def song_split(dataset):
    test = np.isin(dataset.groups, [0, 1, 2, 3])
    validation = np.isin(dataset.groups, [4, 5])
    return Split(np.flatnonzero(~test & ~validation), np.flatnonzero(validation), np.flatnonzero(test))


@pytest.mark.slow
def test_standardisation_is_fitted_on_the_training_pieces_only():
    dataset = tiny_dataset()
    split = song_split(dataset)
    dataset.X[split.test] += 40  # if test pieces leaked into the means, they would move
    model = improved_cnn(dataset.X.shape[1:], 2, seed=1)
    fit(model, dataset, split, plan(42))
    layer = model.get_layer("standardise")
    expected = dataset.X[split.train].mean(axis=(0, 2, 3))
    np.testing.assert_allclose(np.ravel(layer.mean), expected, rtol=1e-4)


def test_spec_augment_changes_training_batches_only():
    x = np.random.default_rng(0).normal(size=(8, 32, 40, 1)).astype("float32")
    layer = SpecAugment(max_shift=0.5, freq_mask=8, time_mask=10, seed=3)
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)
    augmented = np.asarray(layer(x, training=True))
    assert augmented.shape == x.shape and not np.array_equal(augmented, x)
    zeros = (augmented == 0).mean(axis=(2, 3))  # masked mel bands are entirely 0 in their piece
    assert (zeros == 1).any(axis=1).sum() >= 4
    # Without masks, a shift only moves frames along time: each piece keeps its values.
    shifted = np.asarray(SpecAugment(max_shift=0.5, freq_mask=0, time_mask=0, seed=3)(x, training=True))
    np.testing.assert_allclose(np.sort(shifted.ravel()), np.sort(x.ravel()))


@pytest.mark.slow
def test_the_improved_model_is_smaller_and_learns_where_loudness_varies():
    dataset = tiny_dataset()
    split = song_split(dataset)
    real_shape = (128, 196, 1)  # the series' spectrograms: the original's Flatten/Dense holds 99 % of its weights
    assert improved_cnn(real_shape, 2).count_params() < original_cnn(real_shape, 2).count_params() / 20
    model = improved_cnn(dataset.X.shape[1:], 2, seed=1)
    history = fit(model, dataset, split, plan(1, epochs=25, patience=4))
    assert len(history["seconds"]) == len(history["loss"]) <= 25
    scores = helpers.accuracies(helpers.predict_proba(model, dataset.X[split.test]), dataset.y[split.test],
                                dataset.groups[split.test])
    assert scores["song_accuracy"] == 1.0, scores


@pytest.mark.slow
def test_early_stopping_stops_and_keeps_the_best_epoch():
    dataset = tiny_dataset()
    split = song_split(dataset)
    model = improved_cnn(dataset.X.shape[1:], 2, seed=2)
    history = fit(model, dataset, split, plan(2, epochs=200, patience=2))
    assert len(history["loss"]) < 200
    best, best_epoch = np.inf, 0
    for epoch, loss in enumerate(history["val_loss"]):
        if epoch >= 2 and loss < best - 1e-3:  # epochs before `patience` are not judged; smaller gains do not count
            best, best_epoch = loss, epoch
    assert len(history["val_loss"]) == best_epoch + 1 + 2  # stopped `patience` epochs after the last gain
    loss = model.evaluate(dataset.X[split.validation], dataset.y[split.validation], verbose=0)[0]
    assert loss == pytest.approx(best, rel=1e-3)  # the weights of that epoch were restored


@pytest.mark.slow
def test_an_improved_model_reloads_with_identical_predictions(tmp_path):
    dataset = tiny_dataset()
    split = song_split(dataset)
    model = improved_cnn(dataset.X.shape[1:], 2, seed=1)
    history = fit(model, dataset, split, plan(1, epochs=2))
    save_run(model, history, tmp_path / "improved.keras")  # a fresh process reloads one in test_cli.py
    reloaded = load_model(tmp_path / "improved.keras")
    np.testing.assert_array_equal(reloaded.predict(dataset.X, verbose=0), model.predict(dataset.X, verbose=0))


def test_three_genres_need_no_code_change():
    model = improved_cnn((32, 40, 1), 3)
    assert model.output_shape == (None, 3) and model.loss == "sparse_categorical_crossentropy"
    with pytest.raises(ValueError, match="at least two genres"):
        improved_cnn((32, 40, 1), 1)


@pytest.mark.slow
def test_cross_validation_results_are_kept_and_reused(tmp_path, monkeypatch):
    from helpers import train

    dataset = tiny_dataset(n_songs=10)
    settings = helpers.load_settings(models_dir=tmp_path, epochs=1)
    splits = helpers.split.cross_validation_by_song(dataset.y, dataset.groups, dataset.genres, folds=2,
                                                    song_names=[f"song {s}" for s in range(10)])
    seeds = []

    def counting_fit(model, dataset, split, spec):
        seeds.append(spec.seed)
        return fit(model, dataset, split, spec)

    monkeypatch.setattr(train, "fit", counting_fit)
    folds = cross_validate(run_spec(original_cnn, settings), dataset, splits, settings, "original")
    assert seeds == [settings.seed, settings.seed + 1] and len(folds) == 2
    assert sorted(i for fold in folds for i in fold["test"]) == list(range(len(dataset.y)))  # each piece tested once
    assert all(np.asarray(fold["proba"]).shape == (len(fold["test"]), 2) for fold in folds)
    assert cross_validate(run_spec(original_cnn, settings), dataset, splits, settings, "original") == folds
    assert len(seeds) == 2  # both folds were kept: nothing trained again
