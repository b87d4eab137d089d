"""A saved model is reused only when it is what would be trained now; cross-validation resumes."""

from functools import partial

import numpy as np
import pytest

import helpers
from helpers import train
from helpers.collection import Song
from helpers.quiet_tensorflow import keras


def tiny_model(input_shape, n_genres, seed=42, dropout=0.0, learning_rate=1e-2):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten(),
                              keras.layers.Dropout(dropout), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss="binary_crossentropy", metrics=["accuracy"])
    return model


@pytest.fixture
def tiny(tmp_path):
    """Two genres of six one- to three-piece 'songs' (empty files: only their names and sizes are read)."""
    rng = np.random.default_rng(0)
    songs, y, groups = [], [], []
    for index in range(12):
        genre = "ab"[index % 2]
        path = tmp_path / "tracks" / genre / f"song {index}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        songs.append(Song(path, genre))
        n = 1 + index % 3
        y += [index % 2] * n
        groups += [index] * n
    y, groups = np.array(y), np.array(groups)
    X = (rng.standard_normal((len(y), 4, 4, 1)) + y[:, None, None, None]).astype(np.float32)
    dataset = helpers.Dataset(X, y, groups, ["a", "b"], songs)
    settings = helpers.load_settings(tracks_dir=tmp_path / "tracks", cache_dir=tmp_path / "cache",
                                     models_dir=tmp_path / "models", epochs=1)
    return dataset, settings


@pytest.fixture
def fits(monkeypatch):
    calls = []
    real = train.fit

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(train, "fit", counting)
    return calls


def test_what_changes_the_model_retrains_and_nothing_else_does(tiny, fits):
    dataset, settings = tiny
    split = helpers.split_by_song(dataset.y, dataset.groups, seed=1)
    train.train_or_load(tiny_model, dataset, split, settings, name="m")
    train.train_or_load(tiny_model, dataset, split, settings, name="m")
    assert len(fits) == 1  # the same: loaded
    train.train_or_load(partial(tiny_model, dropout=0.5), dataset, split, settings, name="m")
    assert len(fits) == 2  # a dropout rate
    train.train_or_load(partial(tiny_model, dropout=0.5, learning_rate=0.1), dataset, split, settings, name="m")
    assert len(fits) == 3  # a learning rate
    train.train_or_load(partial(tiny_model, dropout=0.5, learning_rate=0.1), dataset, split,
                        settings.replace(seed=7), name="m")
    assert len(fits) == 4  # a seed
    train.train_or_load(partial(tiny_model, dropout=0.5, learning_rate=0.1), dataset, split,
                        settings.replace(seed=7), name="m", plan={**train.training_plan("m", settings), "batch_size": 4})
    assert len(fits) == 5 and fits[-1]["batch_size"] == 4  # the plan
    relabelled = helpers.Dataset(dataset.X, 1 - dataset.y, dataset.groups, dataset.genres, dataset.songs)
    train.train_or_load(tiny_model, relabelled, split, settings, name="m")
    assert len(fits) == 6  # the labels


def test_a_model_file_carries_genres_features_plan_and_versions(tiny):
    dataset, settings = tiny
    split = helpers.split_by_song(dataset.y, dataset.groups, seed=1)
    train.train_or_load(tiny_model, dataset, split, settings.replace(sample_rate=16000), name="m")
    record = train.load_record(settings.models_dir / "m.keras")
    assert record["genres"] == ["a", "b"] and record["features"]["sample_rate"] == 16000
    assert record["plan"] == train.training_plan("m", settings) and record["versions"]["keras"] == keras.__version__
    assert "librosa" in record["versions"] and "soundfile" in record["versions"]


def test_files_respect_the_umask(tiny):
    import os

    dataset, settings = tiny
    split = helpers.split_by_song(dataset.y, dataset.groups, seed=1)
    old = os.umask(0o027)
    try:
        train.train_or_load(tiny_model, dataset, split, settings, name="m")
    finally:
        os.umask(old)
    assert {p.stat().st_mode & 0o777 for p in settings.models_dir.iterdir()} == {0o640}


def test_cross_validation_saves_each_fold_and_resumes(tiny, fits, monkeypatch):
    dataset, settings = tiny
    splits = helpers.cross_validation_by_song(dataset.y, dataset.groups, folds=3, seed=1)
    real = train.predict_proba if hasattr(train, "predict_proba") else None
    import helpers.evaluate as evaluate

    calls = []
    original = evaluate.predict_proba

    def interrupted_at_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(evaluate, "predict_proba", interrupted_at_the_third)
    with pytest.raises(KeyboardInterrupt):
        train.cross_validate(tiny_model, dataset, splits, settings, "m")
    monkeypatch.setattr(evaluate, "predict_proba", original)
    assert len(fits) == 3
    folds = train.cross_validate(tiny_model, dataset, splits, settings, "m")
    assert len(fits) == 4 and len(folds) == 3  # only the third fold trained again
    assert train.cross_validate(tiny_model, dataset, splits, settings, "m") == folds and len(fits) == 4
    assert real is None


def test_every_song_of_a_genre_and_every_genre_weigh_the_same():
    # genre 0: one 800-piece mix and two 2-piece songs; genre 1: three 4-piece songs
    groups = np.repeat([0, 1, 2, 3, 4, 5], [800, 2, 2, 4, 4, 4])
    y = np.repeat([0, 0, 0, 1, 1, 1], [800, 2, 2, 4, 4, 4])
    weights = train.piece_weights(y, groups)
    per_song = [weights[groups == s].sum() for s in range(6)]
    np.testing.assert_allclose(per_song, per_song[0], rtol=1e-5)
    np.testing.assert_allclose(weights[y == 0].sum(), weights[y == 1].sum(), rtol=1e-5)
    assert weights.mean() == pytest.approx(1.0)


def test_fit_weighs_training_and_validation_pieces(tiny, monkeypatch):
    dataset, settings = tiny
    split = helpers.split_by_song(dataset.y, dataset.groups, seed=1)
    model = tiny_model(dataset.X.shape[1:], 2)
    seen = {}
    real = model.fit

    def spy(train_batches, **kwargs):
        seen.update(kwargs, train=train_batches)
        return real(train_batches, **kwargs)

    def weights_in(batches):  # (pieces, labels, weights) batches; pieces shuffled, so compare sorted
        parts = list(batches.unbatch().as_numpy_iterator())
        return len(parts[0]), np.sort([part[2] for part in parts]) if len(parts[0]) == 3 else None

    monkeypatch.setattr(model, "fit", spy)
    train.fit(model, dataset, split, epochs=1)
    assert weights_in(seen["train"])[0] == 3 and weights_in(seen["validation_data"])[0] == 3
    np.testing.assert_allclose(weights_in(seen["train"])[1],
                               np.sort(train.piece_weights(dataset.y[split.train], dataset.groups[split.train])))
    np.testing.assert_allclose(weights_in(seen["validation_data"])[1],
                               np.sort(train.piece_weights(dataset.y[split.validation], dataset.groups[split.validation])))
    train.fit(model, dataset, split, epochs=1, balance=False)
    assert weights_in(seen["train"])[0] == 2 and weights_in(seen["validation_data"])[0] == 2


def test_batches_are_shuffled_each_epoch_the_same_way_for_a_seed():
    X = np.arange(10, dtype=np.float32)[:, None]
    epochs = [np.concatenate(list(train.batches(X, shuffle_seed=3, batch_size=4).as_numpy_iterator()))[:, 0]
              for _ in range(2)]
    assert sorted(epochs[0]) == list(range(10)) and not np.array_equal(epochs[0], np.arange(10))
    again = np.concatenate(list(train.batches(X, shuffle_seed=3, batch_size=4).as_numpy_iterator()))[:, 0]
    np.testing.assert_array_equal(again, epochs[0])
    assert np.array_equal(np.concatenate(list(train.batches(X, batch_size=4).as_numpy_iterator()))[:, 0], np.arange(10))


def test_a_functional_model_built_twice_has_one_record(tiny):
    from helpers.model import improved_cnn

    dataset, settings = tiny
    split = helpers.split_by_song(dataset.y, dataset.groups, seed=1)
    plan = train.training_plan("improved_cnn", settings)
    records = [train.run_record(improved_cnn((32, 32, 1), 2), dataset, split, settings, plan) for _ in range(2)]
    assert records[0] == records[1]  # Keras numbers layers anew in each build; the architecture is the same
    other = train.run_record(improved_cnn((32, 32, 1), 2, dropout=0.2), dataset, split, settings, plan)
    assert other["model"] != records[0]["model"]
