"""Training on the demo collection: the pipeline really learns, and trained models survive a save."""

import numpy as np
import pytest

import helpers
from helpers.model import original_cnn
from helpers.train import ModelFileError, fit, load_history, load_model, load_record, save_run, train_or_load


@pytest.fixture(scope="module")
def demo(demo_tracks):
    settings = helpers.load_settings(tracks_dir=demo_tracks)
    dataset = helpers.build_dataset(settings, progress=False)
    split = helpers.split_by_song(dataset.y, dataset.groups, dataset.genres, seed=settings.seed)
    return settings, dataset, split


@pytest.fixture(scope="module")
def trained(demo, tmp_path_factory):
    settings, dataset, split = demo
    settings = settings.replace(models_dir=tmp_path_factory.mktemp("models"))
    model, history = train_or_load(original_cnn, dataset, split, settings)
    return settings, model, history


def test_the_demo_is_learned(demo, trained):
    # How well it generalises to new songs (and that it errs) is a lesson, checked in test_lessons.py.
    _, dataset, split = demo
    _, model, history = trained
    assert len(history["val_accuracy"]) == 10
    assert history["loss"][-1] < 0.8 * history["loss"][0] and history["accuracy"][-1] > 0.7, history
    scores = helpers.accuracies(helpers.predict_proba(model, dataset.X[split.test]), dataset.y[split.test],
                                dataset.groups[split.test])
    assert scores["songs"] >= 4


def test_a_saved_model_reloads_with_identical_predictions(demo, trained):
    _, dataset, split = demo
    settings, model, history = trained
    path = settings.models_dir / "original_cnn.keras"
    reloaded = load_model(path)
    np.testing.assert_array_equal(reloaded.predict(dataset.X[split.test], verbose=0), model.predict(dataset.X[split.test], verbose=0))
    assert load_history(path)[0] == history


def test_train_or_load_reuses_a_matching_model(demo, trained):
    _, dataset, split = demo
    settings, model, _ = trained
    again, _ = train_or_load(original_cnn, dataset, split, settings)
    for a, b in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_a_missing_or_damaged_model_file_is_named(tmp_path):
    with pytest.raises(ModelFileError, match="nothing.keras: no saved model"):
        load_model(tmp_path / "nothing.keras")
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"PK\x03\x04 half a zip file")
    with pytest.raises(ModelFileError, match="broken.keras"):
        load_model(broken)


def test_an_interrupted_save_keeps_the_old_model(demo, trained, tmp_path):
    settings, model, history = trained
    path = tmp_path / "keep.keras"
    save_run(model, history, path, {"genres": ["first"]})
    before = path.read_bytes()

    class Exploding:
        def save(self, target):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        save_run(Exploding(), history, path, {"genres": ["second"]})
    assert path.read_bytes() == before and load_record(path) == {"genres": ["first"]}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.json", "keep.keras"]


def test_training_is_deterministic(demo):
    _, dataset, split = demo
    small = helpers.Split(split.train[::4], split.validation[::4], split.test)
    weights = []
    for _ in range(2):
        model = original_cnn(dataset.X.shape[1:], 2, seed=3)
        fit(model, dataset, small, epochs=1, seed=3)
        weights.append(model.get_weights())
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)


def test_more_than_two_genres_get_a_softmax():
    model = original_cnn((128, 196, 1), 5)
    assert model.output_shape == (None, 5)
    assert model.loss == "sparse_categorical_crossentropy"
    with pytest.raises(ValueError, match="two genres"):
        original_cnn((128, 196, 1), 1)
