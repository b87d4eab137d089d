"""Train a model on the training songs, watch the validation songs, and keep the result on disk.

Taught in notebooks/05_cnn.ipynb.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import zipfile
from pathlib import Path

import numpy as np

from . import model as _model  # noqa: F401  registers SpecAugment, so load_model can read improved models
from .atomic import temporary_beside
from .dataset import Dataset, cache_path, feature_versions
from .evaluate import song_truth
from .quiet_tensorflow import keras, tf
from .settings import Settings
from .split import Split


class ModelFileError(ValueError):
    """A saved model that is missing, damaged or does not fit; the message names the file."""


RECORD_IN_MODEL = "helpers_record.json"
"""The file inside a saved .keras archive that holds its `run_record` (see `save_run`)."""


def make_deterministic(seed: int) -> None:
    """Seed Python, numpy and TensorFlow, and make TensorFlow's ops deterministic:
    the same seed and data give the same trained weights on the same machine."""
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


class _EpochTimer(keras.callbacks.Callback):
    """Records each epoch's wall-clock seconds (training and validation)."""

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


def piece_weights(y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """A training weight per piece, so that every song of a genre counts the same however long it
    is, and every genre the same however many songs and pieces it has: 1 / (pieces of the
    piece's song x songs of its genre), scaled to a mean of 1. A one-hour mix of 800 pieces then
    weighs as much as any three-minute song, and a genre with twice the pieces does not tilt the model.

    Taught in notebooks/05_cnn.ipynb.

    Returns:
        float32 array of shape (pieces,).
    """
    songs, counts = np.unique(groups, return_counts=True)
    pieces_of_song = dict(zip(songs.tolist(), counts.tolist()))
    songs_of_genre = np.bincount(song_truth(y, groups)[1], minlength=int(y.max()) + 1)
    weights = np.array([1.0 / (pieces_of_song[int(g)] * songs_of_genre[int(label)]) for g, label in zip(groups, y)])
    return (weights * len(weights) / weights.sum()).astype(np.float32)


def fit(model: keras.Model, dataset: Dataset, split: Split, epochs: int = 10, batch_size: int = 32,
        seed: int = 42, patience: int | None = None, balance: bool = True, mixup: float = 0.0) -> dict[str, list[float]]:
    """Fit on the training pieces, measuring the validation pieces after each epoch.

    A model with a Normalization layer (`improved_cnn`) first has it adapted to the training
    pieces only: the validation and test songs must not leak into its means and variances.

    Taught in notebooks/05_cnn.ipynb; `patience` in notebooks/09_improve.ipynb.

    Args:
        epochs: the number of epochs; with `patience`, the most there can be.
        patience: early stopping: from epoch `patience` on, stop once the validation loss has not
            improved for this many epochs, and keep the weights of the epoch where it was lowest.
            None: train all epochs.
        balance: weigh each piece by its song and genre (`piece_weights`) in the loss, in
            training and validation; False: every piece counts the same.
        mixup: train on blends of two pieces and of their labels (`mixed_batches`), the blend
            drawn from Beta(mixup, mixup); 0: no mixup. Taught in notebooks/09_improve.ipynb.

    Returns:
        history: per metric ("accuracy", "loss", "val_accuracy", "val_loss"), one value per
            epoch; "seconds": each epoch's wall-clock time.
    """
    make_deterministic(seed)
    X, y = dataset.X, dataset.y
    for layer in model.layers:
        if isinstance(layer, keras.layers.Normalization):
            layer.adapt(X[split.train])
    timer = _EpochTimer()
    callbacks = [timer]
    if patience is not None:
        # The first `patience` epochs are not judged: while batch normalisation's statistics settle,
        # the validation loss jumps about, and an early low would stop training almost at once.
        # min_delta: on an easy collection the validation loss creeps towards 0 for ever; gains
        # under 0.001 do not count as improving.
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, min_delta=1e-3,
                                                       start_from_epoch=patience, restore_best_weights=True))

    def weights(index):
        return piece_weights(y[index], dataset.groups[index]) if balance else None

    validation = (X[split.validation], y[split.validation]) + ((weights(split.validation),) if balance else ())
    if mixup:
        train_weights = weights(split.train) if balance else np.ones(len(split.train), dtype=np.float32)
        train = mixed_batches(X[split.train], y[split.train], train_weights, batch_size=batch_size, alpha=mixup, seed=seed,
                              soft_labels=len(dataset.genres) == 2)
    else:
        train = batches(X[split.train], y[split.train], weights(split.train), batch_size=batch_size, shuffle_seed=seed)
    result = model.fit(train, validation_data=batches(*validation, batch_size=batch_size), epochs=epochs, verbose=0,
                       callbacks=callbacks, shuffle=False)  # `train` shuffles itself, anew each epoch
    history = {name: [float(v) for v in values] for name, values in result.history.items()}
    return {**history, "seconds": timer.seconds}


def batches(X: np.ndarray, y: np.ndarray | None = None, weights: np.ndarray | None = None, batch_size: int = 32,
            shuffle_seed: int | None = None) -> tf.data.Dataset:
    """The pieces (with their labels and weights, when given) as a tf.data pipeline of batches,
    shuffled anew each epoch when `shuffle_seed` is given, and prefetched: the next batch is
    ready while the model works on this one.

    Built from slices, a shuffle and batches, with no `map` step: Keras' own pipeline for numpy
    arrays maps in parallel, and under op determinism (`make_deterministic`) TensorFlow 2.2x then
    logs a harmless "NodeDef mentions attribute use_unbounded_threadpool" error in every notebook.

    Taught in notebooks/05_cnn.ipynb.
    """
    parts = tuple(part for part in (X, y, weights) if part is not None)
    data = tf.data.Dataset.from_tensor_slices(parts if len(parts) > 1 else parts[0])
    if shuffle_seed is not None:
        data = data.shuffle(len(X), seed=shuffle_seed, reshuffle_each_iteration=True)
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def mixed_batches(X: np.ndarray, y: np.ndarray, weights: np.ndarray, batch_size: int = 32, alpha: float = 0.2,
                  seed: int = 42, soft_labels: bool = False) -> tf.data.Dataset:
    """Mixup (Zhang et al. 2018): batches of blends `lam * a + (1 - lam) * b` of two pieces of
    the same shuffled batch, trained towards the same blend of their labels.

    A blend of labels is a soft label. Two genres (`soft_labels`, binary crossentropy) take it
    as it is: one row per blend, its label the weighted blend of the two labels, its weight
    `lam * w_a + (1 - lam) * w_b`. Sparse categorical crossentropy (three genres or more)
    cannot take a soft label; but cross-entropy is linear in the label, so there each blend
    appears twice in its batch, once with a's label weighted `lam` and once with b's weighted
    `1 - lam`: the same loss (half as large, as it is averaged over twice the rows), at twice
    the cost. `lam` is drawn per piece from Beta(alpha, alpha): small alphas keep most blends
    close to one of the two pieces.

    Taught in notebooks/09_improve.ipynb.

    Returns:
        A tf.data pipeline of (x, y, weights) batches of `batch_size` rows (soft labels) or
        twice that, new blends and a new order every epoch, the same for the same seed.
    """
    rng = np.random.default_rng(seed)
    X, weights = np.asarray(X), np.asarray(weights, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32) if soft_labels else np.asarray(y)  # soft labels are fractions

    def epoch():
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            a = order[start:start + batch_size]
            b = rng.permutation(a)  # each piece's partner, from the same batch
            lam = rng.beta(alpha, alpha, size=len(a)).astype(np.float32)
            blend = lam[:, None, None, None] * X[a] + (1 - lam[:, None, None, None]) * X[b]
            weight_a, weight_b = lam * weights[a], (1 - lam) * weights[b]
            if soft_labels:  # one row per blend: its label between 0 and 1
                weight = weight_a + weight_b
                yield blend, (weight_a * y[a] + weight_b * y[b]) / weight, weight
            else:  # two rows per blend, one for each piece's label
                yield np.concatenate([blend, blend]), np.concatenate([y[a], y[b]]), np.concatenate([weight_a, weight_b])

    signature = (tf.TensorSpec((None, *X.shape[1:]), tf.float32), tf.TensorSpec((None,), tf.as_dtype(y.dtype)),
                 tf.TensorSpec((None,), tf.float32))
    n_batches = -(-len(X) // batch_size)  # told to tf.data, so Keras knows an epoch's length from the start
    data = tf.data.Dataset.from_generator(epoch, output_signature=signature)
    return data.apply(tf.data.experimental.assert_cardinality(n_batches)).prefetch(tf.data.AUTOTUNE)


def training_plan(model_name: str, settings: Settings) -> dict:
    """How a model of the series is trained by default: `fit`'s `epochs`, `patience`,
    `batch_size` and `balance`.

    The original model trains for `settings.epochs`, as in the original tutorial; the improved
    one for at most `settings.max_epochs`, with early stopping (notebook 09).
    """
    plan = {"batch_size": 32, "balance": True}
    if model_name.startswith("improved"):
        return {"epochs": settings.max_epochs, "patience": settings.patience, **plan}
    return {"epochs": settings.epochs, "patience": None, **plan}


def _canonical(config):
    """A model's configuration (or compile configuration) with the names of its layers and
    optimiser replaced by their order of appearance: Keras numbers them per session (conv2d,
    conv2d_1, ...), so the same model built twice has other names but the same architecture."""
    names: dict[str, str] = {}

    def collect(value):
        if isinstance(value, dict):
            if isinstance(value.get("name"), str):
                names.setdefault(value["name"], f"#{len(names)}")
            for item in value.values():
                collect(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                collect(item)

    def rename(value):
        if isinstance(value, dict):
            return {key: rename(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):  # Keras keeps some lists as tuples (keras_history)
            return [rename(item) for item in value]
        return names.get(value, value) if isinstance(value, str) else value

    collect(config)
    return rename(config)


def _hash(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def run_record(model: keras.Model, dataset: Dataset, split: Split, settings: Settings, plan: dict,
               seed: int | None = None) -> dict:
    """Everything a trained model depends on and everything needed to use it: the genres, the
    feature settings, the plan `fit` used, the seed, the library versions, the model's
    architecture and compile settings (optimiser, learning rate, loss), and hashes of the data
    (songs, labels and their cached features' keys) and of the split.

    Saved with the model (`save_run`); `python -m helpers predict` reads its genres and feature
    settings from there. Its hash (`fingerprint`) decides whether a saved model can be reused.

    Taught in notebooks/05_cnn.ipynb.
    """
    data = {"songs": [cache_path(s.path, settings).name for s in dataset.songs], "names": dataset.song_names,
            "y": hashlib.sha256(np.ascontiguousarray(dataset.y).tobytes()).hexdigest(),
            "groups": hashlib.sha256(np.ascontiguousarray(dataset.groups).tobytes()).hexdigest()}
    return {"genres": list(dataset.genres), "features": settings.feature_key, "plan": dict(plan),
            "seed": settings.seed if seed is None else seed,
            "versions": {"keras": keras.__version__, "tensorflow": tf.__version__, "numpy": np.__version__,
                         **feature_versions()},
            "model": _hash(_canonical(model.get_config())), "compile": _hash(_canonical(model.get_compile_config())),
            "data": _hash(data), "split": _hash({name: index.tolist() for name, index in split.items()})}


def fingerprint(record: dict) -> str:
    """A short hash of a `run_record`: equal only when everything the model depends on is."""
    return _hash(record)


def save_run(model: keras.Model, history: dict, path: Path, record: dict | None = None) -> None:
    """Save the model (`path`, a .keras file) with its `run_record` inside it, and its history
    and record beside it (`path` with .json), atomically: written under temporary names and
    renamed, so an interrupted save never replaces a good model, and a model file always
    carries the genres and feature settings it was trained with."""
    path = Path(path)
    record = record or {}
    sidecar = {"fingerprint": fingerprint(record) if record else "", "record": record}
    tmp_model, tmp_json = temporary_beside(path, ".keras"), temporary_beside(path, ".json")
    try:
        model.save(tmp_model)
        with zipfile.ZipFile(tmp_model, "a") as archive:  # Keras ignores files it does not know
            archive.writestr(RECORD_IN_MODEL, json.dumps(sidecar))
        tmp_json.write_text(json.dumps({**sidecar, "history": history}, indent=1))
        os.replace(tmp_model, path)
        os.replace(tmp_json, path.with_suffix(".json"))
    finally:
        tmp_model.unlink(missing_ok=True)
        tmp_json.unlink(missing_ok=True)


def load_record(path: Path) -> dict:
    """The `run_record` saved inside a model file by `save_run`.

    Raises:
        ModelFileError: the file holds none (saved by other code, or before the series recorded it).
    """
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            record = json.loads(archive.read(RECORD_IN_MODEL))["record"]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        record = None
    if not record:
        raise ModelFileError(f"{path}: holds no record of its genres and feature settings; train it again with "
                             f"`python -m helpers train` or notebooks/06_history.ipynb")
    return record


def load_model(path: Path) -> keras.Model:
    """Load a saved .keras model, with a clear message when it is missing or damaged.

    Taught in notebooks/06_history.ipynb.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no saved model there (train one in notebooks/05_cnn.ipynb)")
    if not zipfile.is_zipfile(path):
        raise ModelFileError(f"{path}: not a .keras model file (damaged, or a different format)")
    try:
        return keras.saving.load_model(path)
    except Exception as error:  # Keras raises many kinds; the reader needs the file and the cause
        raise ModelFileError(f"{path}: cannot be loaded as a Keras model ({type(error).__name__}: {error})") from None


def load_history(path: Path) -> tuple[dict, str]:
    """The history and fingerprint saved beside a model by `save_run`."""
    saved = json.loads(Path(path).with_suffix(".json").read_text())
    return saved["history"], saved["fingerprint"]


def _saved_fingerprint(path: Path) -> str:
    """The fingerprint inside a model file, when it agrees with the one beside it; else ""."""
    try:
        with zipfile.ZipFile(path) as archive:
            inside = json.loads(archive.read(RECORD_IN_MODEL))["fingerprint"]
        return inside if inside == load_history(path)[1] else ""
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return ""


def train_or_load(build, dataset: Dataset, split: Split, settings: Settings, name: str = "original_cnn",
                  plan: dict | None = None):
    """The model trained on exactly this data, split and settings: loaded from `models_dir`
    when one is saved there whose `run_record` matches (the same architecture, compile
    settings, plan, data, split, seed, feature settings and library versions), otherwise
    trained with `build(input_shape, n_genres, seed=...)` and saved.

    Taught in notebooks/06_history.ipynb.

    Args:
        name: the file name in `models_dir` (`<name>.keras`); `python -m helpers train
            --model original` uses the same one, "original_cnn".
        plan: `fit`'s keyword arguments; by default `training_plan(name, settings)`.

    Returns:
        (model, history)
    """
    path = Path(settings.models_dir) / f"{name}.keras"
    plan = plan or training_plan(name, settings)
    model = build(dataset.X.shape[1:], len(dataset.genres), seed=settings.seed)
    record = run_record(model, dataset, split, settings, plan)
    if path.is_file() and path.with_suffix(".json").is_file() and _saved_fingerprint(path) == fingerprint(record):
        try:
            return load_model(path), load_history(path)[0]
        except (ModelFileError, ValueError, KeyError) as error:
            print(f"the saved model could not be used ({error}): training again")
    history = fit(model, dataset, split, seed=settings.seed, **plan)
    save_run(model, history, path, record)
    return model, history


def cross_validate(build, dataset: Dataset, splits: list[Split], settings: Settings, name: str,
                   progress: bool = False, plan: dict | None = None) -> list[dict]:
    """Train a fresh model on each split and score it on that split's test songs.

    Each fold's result is kept in `models_dir/<name>.cv.json` as soon as it is done, keyed by
    its `run_record`, so an interrupted run resumes at the next fold, and notebook 09 compares
    its model with notebook 07's folds without training those again.

    Taught in notebooks/07_evaluate.ipynb.

    Args:
        build: builds a compiled model, `build(input_shape, n_genres, seed=...)`.
        splits: from `helpers.split.cross_validation_by_song`.
        name: the model's name; names starting with "improved" train with early stopping
            (`training_plan`).
        plan: `fit`'s keyword arguments; by default `training_plan(name, settings)`.

    Returns:
        One dict per fold: the scores of `helpers.evaluate.accuracies`, "epochs",
        "seconds_per_epoch", and "test" and "proba" (the test pieces and their probabilities).
    """
    from .evaluate import accuracies, predict_proba

    path = Path(settings.models_dir) / f"{name}.cv.json"
    plan = plan or training_plan(name, settings)
    try:
        saved = json.loads(path.read_text())["folds"]
        if not isinstance(saved, dict):
            saved = {}  # written before folds were saved one by one
    except (OSError, ValueError, KeyError):
        saved = {}  # nothing saved yet
    folds = []
    for k, split in enumerate(splits):
        model = build(dataset.X.shape[1:], len(dataset.genres), seed=settings.seed + k)
        key = fingerprint(run_record(model, dataset, split, settings, plan, seed=settings.seed + k))
        if key not in saved:
            history = fit(model, dataset, split, seed=settings.seed + k, **plan)
            proba = predict_proba(model, dataset.X[split.test])
            scores = accuracies(proba, dataset.y[split.test], dataset.groups[split.test])
            saved[key] = {**scores, "epochs": len(history["loss"]),
                          "seconds_per_epoch": sum(history["seconds"]) / len(history["seconds"]),
                          "test": split.test.tolist(), "proba": proba.round(6).tolist()}
            tmp = temporary_beside(path, ".json")
            try:
                tmp.write_text(json.dumps({"folds": saved}))
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
            if progress:
                print(f"{name} fold {k + 1}/{len(splits)}: {scores['songs']} test songs, "
                      f"song accuracy {scores['song_accuracy']:.3f}")
        folds.append(saved[key])
    return folds
