"""A saved model is reused only when it is what would be trained now (its run specification, the
very arrays it was fed, the training code, the library versions); cross-validation resumes."""

import dataclasses
from functools import partial

import numpy as np
import pytest

import helpers
from helpers import model as models
from helpers import train
from helpers.plumbing import runs
from helpers.collection import Song
from helpers.labels import piece_weights
from helpers.pipelines import batches
from helpers.plumbing.quiet_tensorflow import keras
from helpers.plumbing.runs import RunSpec, run_record, run_spec
from helpers.plumbing.saved import load_record


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


PLAN = {"epochs": 1, "patience": None, "batch_size": 32, "balance": True, "mixup": 0.0}


@pytest.fixture(autouse=True)
def tiny_is_a_builder(monkeypatch):
    """tiny_model joins helpers.model.BUILDERS for these tests, as a reader's own builder would."""
    monkeypatch.setitem(models.BUILDERS, "tiny_model", tiny_model)


def spec(settings, options=None, **plan) -> RunSpec:
    return RunSpec(builder="tiny_model", plan={**PLAN, **plan}, features=settings.feature_key, seed=settings.seed,
                   options=options or {})


@pytest.fixture
def fits(monkeypatch):
    """The specs `fit` was called with, in order."""
    calls = []
    real = train.fit

    def counting(model, dataset, split, fit_spec):
        calls.append(fit_spec)
        return real(model, dataset, split, fit_spec)

    monkeypatch.setattr(train, "fit", counting)
    return calls


@pytest.mark.slow
def test_what_changes_the_model_retrains_and_nothing_else_does(tiny, fits, monkeypatch):
    dataset, settings = tiny
    split = helpers.split_by_song(dataset.y, dataset.groups, seed=1)
    train.train_or_load(spec(settings), dataset, split, settings, name="m")
    train.train_or_load(spec(settings), dataset, split, settings, name="m")
    assert len(fits) == 1  # the same: loaded
    train.train_or_load(spec(settings, {"dropout": 0.5}), dataset, split, settings, name="m")
    assert len(fits) == 2  # a dropout rate
    train.train_or_load(spec(settings, {"dropout": 0.5, "learning_rate": 0.1}), dataset, split, settings, name="m")
    assert len(fits) == 3  # a learning rate
    train.train_or_load(spec(settings, {"dropout": 0.5, "learning_rate": 0.1}).with_seed(7), dataset, split, settings,
                        name="m")
    assert len(fits) == 4  # a seed
    train.train_or_load(spec(settings, {"dropout": 0.5, "learning_rate": 0.1}, batch_size=4).with_seed(7), dataset,
                        split, settings, name="m")
    assert len(fits) == 5 and fits[-1].plan["batch_size"] == 4  # the plan
    relabelled = helpers.Dataset(dataset.X, 1 - dataset.y, dataset.groups, dataset.genres, dataset.songs)
    train.train_or_load(spec(settings), relabelled, split, settings, name="m")
    assert len(fits) == 6  # the labels


@pytest.mark.slow
def test_other_arrays_or_other_training_code_train_again(tiny, fits, monkeypatch):
    dataset, settings = tiny
    split = helpers.split_by_song(dataset.y, dataset.groups, seed=1)
    train.train_or_load(spec(settings), dataset, split, settings, name="m")
    # Other features for the very same songs (benchmarks/real_music_pcen.py swaps log-mel for PCEN):
    other_features = helpers.Dataset(dataset.X * 0.5, dataset.y, dataset.groups, dataset.genres, dataset.songs)
    train.train_or_load(spec(settings), other_features, split, settings, name="m")
    assert len(fits) == 2
    one_value = dataset.X.copy()
    one_value[0, 0, 0, 0] += 1e-3
    train.train_or_load(spec(settings), helpers.Dataset(one_value, dataset.y, dataset.groups, dataset.genres,
                                                        dataset.songs), split, settings, name="m")
    assert len(fits) == 3
    train.train_or_load(spec(settings), dataset, split, settings, name="m")
    assert len(fits) == 4  # back to the first arrays: the file holds the last model trained, so again
    train.train_or_load(spec(settings), dataset, split, settings, name="m")
    assert len(fits) == 4  # and now it is saved
    edited = dataclasses.replace(spec(settings), code="another version of fit")
    train.train_or_load(edited, dataset, split, settings, name="m")
    assert len(fits) == 5  # the training code changed


def test_the_training_code_version_follows_the_code_not_its_docstrings(tmp_path, monkeypatch):
    for name in runs.TRAINING_CODE:
        (tmp_path / name).write_text('"""A module."""\nX = 1\n"""What X is."""\n\ndef f():\n    """Doc."""\n    return X\n')
    monkeypatch.setattr(runs, "__file__", str(tmp_path / "plumbing" / "runs.py"))  # helpers/plumbing/runs.py

    def version():
        runs.training_code_version.cache_clear()
        return runs.training_code_version()

    try:
        first = version()
        (tmp_path / "train.py").write_text('"""Reworded."""\nX = 1  # a comment\n\ndef f():\n    """Other words."""\n    return X\n')
        assert version() == first
        (tmp_path / "train.py").write_text('"""A module."""\nX = 2\n\ndef f():\n    return X\n')
        assert version() != first
    finally:
        runs.training_code_version.cache_clear()


def test_the_plan_comes_from_the_builder_never_from_a_name(tiny):
    from helpers.model import improved_cnn, original_cnn

    _, settings = tiny
    assert run_spec(improved_cnn, settings).plan["patience"] == settings.patience  # early stopping
    assert run_spec(original_cnn, settings).plan["patience"] is None
    assert run_spec(original_cnn, settings).plan["epochs"] == settings.epochs
    ablation = run_spec(partial(improved_cnn, batch_norm=False), settings, mixup=0.2)
    assert ablation.builder == "improved_cnn" and ablation.options == {"batch_norm": False}
    assert ablation.plan["patience"] == settings.patience and ablation.plan["mixup"] == 0.2
    with pytest.raises(ValueError, match="not a builder of helpers.model.BUILDERS"):
        run_spec(lambda shape, n, seed=0: None, settings)
    assert RunSpec.from_dict(ablation.as_dict()) == ablation  # written down and read back


def test_a_model_file_carries_genres_features_plan_and_versions(tiny):
    dataset, settings = tiny
    split = helpers.split_by_song(dataset.y, dataset.groups, seed=1)
    other = settings.replace(sample_rate=16000)
    train.train_or_load(spec(other, batch_size=4), dataset, split, settings, name="m")
    record = load_record(settings.models_dir / "m.keras")
    assert record["genres"] == ["a", "b"] and record["spec"]["features"]["sample_rate"] == 16000
    assert record["spec"]["plan"] == {**PLAN, "batch_size": 4} and record["versions"]["keras"] == keras.__version__
    assert "librosa" in record["versions"] and "soundfile" in record["versions"]
    assert record["split"]["rule"].startswith("by song") and record["spec"]["code"] == runs.training_code_version()


def test_files_respect_the_umask(tiny):
    import os

    dataset, settings = tiny
    split = helpers.split_by_song(dataset.y, dataset.groups, seed=1)
    old = os.umask(0o027)
    try:
        train.train_or_load(spec(settings), dataset, split, settings, name="m")
    finally:
        os.umask(old)
    assert {p.stat().st_mode & 0o777 for p in settings.models_dir.iterdir()} == {0o640}


@pytest.mark.slow
def test_cross_validation_saves_each_fold_and_resumes(tiny, fits, monkeypatch):
    import helpers.evaluate as evaluate

    dataset, settings = tiny
    splits = helpers.cross_validation_by_song(dataset.y, dataset.groups, folds=3, seed=1, song_names=dataset.song_names)
    calls = []
    original = evaluate.predict_proba

    def interrupted_at_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(evaluate, "predict_proba", interrupted_at_the_third)
    with pytest.raises(KeyboardInterrupt):
        train.cross_validate(spec(settings), dataset, splits, settings, "m")
    monkeypatch.setattr(evaluate, "predict_proba", original)
    assert len(fits) == 3
    assert train.saved_folds(spec(settings), dataset, splits, settings, "m") is None  # the third is missing
    folds = train.cross_validate(spec(settings), dataset, splits, settings, "m")
    assert len(fits) == 4 and len(folds) == 3  # only the third fold trained again
    assert train.cross_validate(spec(settings), dataset, splits, settings, "m") == folds and len(fits) == 4
    assert [fold["record"]["spec"]["seed"] for fold in folds] == [settings.seed + k for k in range(3)]
    assert train.saved_folds(spec(settings), dataset, splits, settings, "m") == folds
    # The same test pieces, made by something else, are not these folds (they were picked by test pieces once):
    assert train.saved_folds(spec(settings, mixup=0.2), dataset, splits, settings, "m") is None
    other = helpers.Dataset(dataset.X * 2, dataset.y, dataset.groups, dataset.genres, dataset.songs)
    assert train.saved_folds(spec(settings), other, splits, settings, "m") is None


def test_every_song_of_a_genre_and_every_genre_weigh_the_same():
    # genre 0: one 800-piece mix and two 2-piece songs; genre 1: three 4-piece songs
    groups = np.repeat([0, 1, 2, 3, 4, 5], [800, 2, 2, 4, 4, 4])
    y = np.repeat([0, 0, 0, 1, 1, 1], [800, 2, 2, 4, 4, 4])
    weights = piece_weights(y, groups)
    per_song = [weights[groups == s].sum() for s in range(6)]
    np.testing.assert_allclose(per_song, per_song[0], rtol=1e-5)
    np.testing.assert_allclose(weights[y == 0].sum(), weights[y == 1].sum(), rtol=1e-5)
    assert weights.mean() == pytest.approx(1.0)
    # scikit-learn's compute_sample_weight("balanced") balances one labelling; the piece weights are
    # two nested ones: pieces within their song, then songs within their genre.
    from sklearn.utils.class_weight import compute_sample_weight

    songs, genre_of_song = helpers.song_truth(y, groups)
    per_song_of_genre = dict(zip(songs, compute_sample_weight("balanced", genre_of_song)))
    nested = compute_sample_weight("balanced", groups) * np.array([per_song_of_genre[g] for g in groups])
    np.testing.assert_allclose(weights, nested / nested.mean(), rtol=1e-5)


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
    train.fit(model, dataset, split, spec(settings))
    assert weights_in(seen["train"])[0] == 3 and weights_in(seen["validation_data"])[0] == 3
    np.testing.assert_allclose(weights_in(seen["train"])[1],
                               np.sort(piece_weights(dataset.y[split.train], dataset.groups[split.train])))
    np.testing.assert_allclose(weights_in(seen["validation_data"])[1],
                               np.sort(piece_weights(dataset.y[split.validation], dataset.groups[split.validation])))
    train.fit(model, dataset, split, spec(settings, balance=False))
    assert weights_in(seen["train"])[0] == 2 and weights_in(seen["validation_data"])[0] == 2


def test_batches_are_shuffled_anew_each_epoch_the_same_way_for_a_seed():
    X = np.arange(40, dtype=np.float32)[:, None]

    def epoch(data):  # one pass over the pipeline, as Keras makes once per epoch
        return np.concatenate(list(data.as_numpy_iterator()))[:, 0]

    data = batches(X, shuffle_seed=3, batch_size=4)
    first, second = epoch(data), epoch(data)
    assert sorted(first) == list(range(40)) and sorted(second) == list(range(40))
    assert not np.array_equal(first, np.arange(40)) and not np.array_equal(first, second)  # a new order each epoch
    again = batches(X, shuffle_seed=3, batch_size=4)
    np.testing.assert_array_equal(epoch(again), first)  # the same seed: the same orders
    np.testing.assert_array_equal(epoch(again), second)
    np.testing.assert_array_equal(epoch(batches(X, batch_size=4)), np.arange(40))  # no seed: in order


def test_a_functional_model_built_twice_has_one_record(tiny):
    from helpers.model import improved_cnn

    dataset, settings = tiny
    split = helpers.split_by_song(dataset.y, dataset.groups, seed=1)
    the_spec = run_spec(improved_cnn, settings)
    records = [run_record(improved_cnn((32, 32, 1), 2), dataset, split, the_spec) for _ in range(2)]
    assert records[0] == records[1]  # Keras numbers layers anew in each build; the architecture is the same
    other = run_record(improved_cnn((32, 32, 1), 2, dropout=0.2), dataset, split, the_spec)
    assert other["model"] != records[0]["model"]


def test_a_dtype_policy_is_part_of_the_architecture(tiny):
    dataset, settings = tiny
    split = helpers.split_by_song(dataset.y, dataset.groups, seed=1)

    def dense(dtype):
        return keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, dtype=dtype)])

    assert run_record(dense("float32"), dataset, split, spec(settings))["model"] != \
        run_record(dense("mixed_float16"), dataset, split, spec(settings))["model"]


def test_what_json_cannot_say_is_refused_not_turned_into_text():
    with pytest.raises(TypeError, match="cannot fingerprint"):
        runs.fingerprint({"array": np.zeros(2000)})
    assert runs.fingerprint({"a": np.float32(0.5)}) == runs.fingerprint({"a": 0.5})
