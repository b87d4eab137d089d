"""Training on the demo collection: the pipeline really learns, and trained models survive a save."""

import numpy as np
import pytest

import helpers
from helpers.model import original_cnn
from helpers.plumbing.runs import run_spec
from helpers.plumbing.saved import ModelFileError, load_history, load_model, load_record, save_run
from helpers.train import fit, train_or_load


@pytest.fixture(scope="module")
def demo(demo_settings):
    settings = demo_settings
    dataset = helpers.build_dataset(settings, progress=False)
    split = helpers.split_by_song(dataset.y, dataset.groups, dataset.genres, seed=settings.seed,
                                  song_names=dataset.song_names)
    return settings, dataset, split


@pytest.fixture(scope="module")
def trained(demo):
    """Notebook 05's model, loaded from models/ where the notebook saved it (or trained here when this
    module runs alone). The tests that read it are `lessons`: CI runs them in the locked leg, after the
    notebooks trained it in full, so they cost a load rather than a training (conftest.py)."""
    settings, dataset, split = demo
    model, history = train_or_load(run_spec(original_cnn, settings), dataset, split, settings)
    return settings, model, history


@pytest.mark.lessons
def test_the_demo_is_learned(demo, trained):
    # How well it generalises to new songs (and that it errs) is a lesson, checked in test_lessons.py.
    _, dataset, split = demo
    _, model, history = trained
    assert len(history["val_accuracy"]) == 10
    assert history["loss"][-1] < 0.8 * history["loss"][0] and history["accuracy"][-1] > 0.7, history
    # It has learned its training songs (whether that carries over to new songs is the lesson of 06 and 07):
    train = split.train
    scores = helpers.accuracies(helpers.predict_proba(model, dataset.X[train]), dataset.y[train], dataset.groups[train])
    assert scores["song_accuracy"] > 0.8, scores


@pytest.mark.lessons
def test_validation_accuracy_weighs_songs_and_genres_like_the_loss(demo, trained):
    # The last epoch's val_accuracy is the validation pieces' accuracy weighed by piece_weights
    # (compile's weighted_metrics), so a long validation song does not count more than a short one.
    _, dataset, split = demo
    _, model, history = trained
    val = split.validation
    right = (helpers.predict_proba(model, dataset.X[val]).argmax(axis=1) == dataset.y[val])
    weights = helpers.labels.piece_weights(dataset.y[val], dataset.groups[val])
    weighted = float(np.sum(weights * right) / np.sum(weights))
    assert history["val_accuracy"][-1] == pytest.approx(weighted, abs=1e-4)
    assert abs(weighted - right.mean()) > 1e-3  # the demo's validation songs differ in length: the weights matter


def test_a_saved_model_reloads_with_identical_predictions(demo, tmp_path):
    # A model trained here, in memory, against the same model saved and loaded: not one load against another.
    settings, dataset, split = demo
    small = helpers.Split(split.train[::8], split.validation[::8], split.test)
    spec = run_spec(original_cnn, settings, epochs=1).with_seed(5)
    model = original_cnn(dataset.X.shape[1:], 2, seed=5)
    history = fit(model, dataset, small, spec)
    path = tmp_path / "trained.keras"
    save_run(model, history, path, {"genres": dataset.genres, "spec": {}})
    reloaded = load_model(path)
    np.testing.assert_array_equal(reloaded.predict(dataset.X[split.test], verbose=0), model.predict(dataset.X[split.test], verbose=0))
    assert load_history(path)[0] == history and load_record(path)["genres"] == dataset.genres


@pytest.mark.lessons
def test_train_or_load_reuses_a_matching_model(demo, trained, monkeypatch):
    from helpers import train

    _, dataset, split = demo
    settings, model, _ = trained
    monkeypatch.setattr(train, "fit", lambda *a, **k: pytest.fail("a matching model was trained again"))
    again, _ = train_or_load(run_spec(original_cnn, settings), dataset, split, settings)
    for a, b in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_a_missing_or_damaged_model_file_is_named(tmp_path):
    with pytest.raises(ModelFileError, match="nothing.keras: no saved model"):
        load_model(tmp_path / "nothing.keras")
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"PK\x03\x04 half a zip file")
    with pytest.raises(ModelFileError, match="broken.keras"):
        load_model(broken)


def test_an_interrupted_save_keeps_the_old_model(tmp_path):
    from helpers.plumbing.quiet_tensorflow import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])  # any model: the save is what is tested
    history = {"loss": [0.7, 0.5]}
    path = tmp_path / "keep.keras"
    save_run(model, history, path, {"genres": ["first"], "spec": {}})
    before = path.read_bytes()

    class Exploding:
        def save(self, target):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        save_run(Exploding(), history, path, {"genres": ["second"], "spec": {}})
    assert path.read_bytes() == before and load_record(path) == {"genres": ["first"], "spec": {}}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.json", "keep.keras"]


@pytest.mark.slow
def test_training_is_deterministic(demo):
    settings, dataset, split = demo
    small = helpers.Split(split.train[::4], split.validation[::4], split.test)
    weights = []
    for _ in range(2):
        model = original_cnn(dataset.X.shape[1:], 2, seed=3)
        fit(model, dataset, small, run_spec(original_cnn, settings, epochs=1).with_seed(3))
        weights.append(model.get_weights())
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)


def test_more_than_two_genres_get_a_softmax():
    model = original_cnn((128, 196, 1), 5)
    assert model.output_shape == (None, 5)
    assert model.loss == "sparse_categorical_crossentropy"
    with pytest.raises(ValueError, match="two genres"):
        original_cnn((128, 196, 1), 1)


def test_mixup_batches_blend_two_pieces_and_split_the_weight_between_their_labels():
    from helpers.pipelines import mixed_batches

    rng = np.random.default_rng(0)
    X = rng.standard_normal((10, 4, 3, 1)).astype(np.float32)
    y = np.arange(10) % 3  # three genres: sparse labels stay integers
    w = rng.uniform(0.5, 2.0, 10).astype(np.float32)
    data = mixed_batches(X, y, w, batch_size=4, alpha=0.4, seed=1)
    first, second = [[tuple(t.numpy() for t in b) for b in data] for _ in range(2)]
    again = [tuple(t.numpy() for t in b) for b in mixed_batches(X, y, w, batch_size=4, alpha=0.4, seed=1)]
    assert [len(b[0]) for b in first] == [8, 8, 4]  # each blend twice: once per label
    for x, labels, weights in first:
        half = len(x) // 2
        assert np.array_equal(x[:half], x[half:]) and labels.dtype == y.dtype
        for k in range(half):
            # the blend lies between its two pieces, and the weights are lam * w_a and (1 - lam) * w_b
            candidates = [(i, j) for i in np.flatnonzero(y == labels[k]) for j in np.flatnonzero(y == labels[half + k])]
            lam_found = False
            for i, j in candidates:
                lam = weights[k] / w[i]
                if 0 <= lam <= 1 and np.isclose(weights[half + k], (1 - lam) * w[j], atol=1e-5) \
                        and np.allclose(x[k], lam * X[i] + (1 - lam) * X[j], atol=1e-5):
                    lam_found = True
            assert lam_found

    assert all(np.array_equal(a[0], b[0]) for a, b in zip(first, again))  # the same seed: the same blends
    assert not all(np.array_equal(a[0], b[0]) for a, b in zip(first, second))  # a new epoch: new blends


def test_mixup_for_two_genres_blends_the_labels_in_one_row_with_the_same_loss():
    """Two genres: one row per blend with a soft label, where three or more need two rows; the
    weighted binary cross-entropy is the same, for any prediction, as the two rows' sum."""
    from helpers.pipelines import mixed_batches

    rng = np.random.default_rng(0)
    X = rng.standard_normal((10, 4, 3, 1)).astype(np.float32)
    y = np.arange(10) % 2
    w = rng.uniform(0.5, 2.0, 10).astype(np.float32)
    soft = [tuple(t.numpy() for t in b) for b in mixed_batches(X, y, w, batch_size=4, alpha=0.4, seed=1, soft_labels=True)]
    hard = [tuple(t.numpy() for t in b) for b in mixed_batches(X, y, w, batch_size=4, alpha=0.4, seed=1)]
    assert [len(b[0]) for b in soft] == [4, 4, 2]
    assert any(0.01 < label < 0.99 for b in soft for label in b[1])  # some labels are blends

    def bce(label, p):
        return -(label * np.log(p) + (1 - label) * np.log(1 - p))

    for (x, labels, weights), (x2, labels2, weights2) in zip(soft, hard):
        half = len(x2) // 2
        assert np.array_equal(x, x2[:half])  # the same blends
        assert np.all((labels >= 0) & (labels <= 1)) and np.allclose(weights, weights2[:half] + weights2[half:])
        for p in (0.1, 0.5, 0.8):
            assert np.allclose(weights * bce(labels, p),
                               weights2[:half] * bce(labels2[:half], p) + weights2[half:] * bce(labels2[half:], p), atol=1e-5)
