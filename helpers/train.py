"""Train a model on the training songs, watch the validation songs, and keep the result on disk.

Taught in notebooks/05_cnn.ipynb.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import zipfile
from pathlib import Path

from . import model as _model  # noqa: F401  registers SpecAugment, so load_model can read improved models
from .dataset import Dataset, cache_path
from .quiet_tensorflow import keras, tf
from .settings import Settings
from .split import Split


class ModelFileError(ValueError):
    """A saved model that is missing, damaged or does not fit; the message names the file."""


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


def fit(model: keras.Model, dataset: Dataset, split: Split, epochs: int = 10, batch_size: int = 32,
        seed: int = 42, patience: int | None = None) -> dict[str, list[float]]:
    """Fit on the training pieces, measuring the validation pieces after each epoch.

    A model with a Normalization layer (`improved_cnn`) first has it adapted to the training
    pieces only: the validation and test songs must not leak into its means and variances.

    Taught in notebooks/05_cnn.ipynb; `patience` in notebooks/09_improve.ipynb.

    Args:
        epochs: the number of epochs; with `patience`, the most there can be.
        patience: early stopping: from epoch `patience` on, stop once the validation loss has not
            improved for this many epochs, and keep the weights of the epoch where it was lowest.
            None: train all epochs.

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
    result = model.fit(X[split.train], y[split.train], validation_data=(X[split.validation], y[split.validation]),
                       epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0, callbacks=callbacks)
    history = {name: [float(v) for v in values] for name, values in result.history.items()}
    return {**history, "seconds": timer.seconds}


def training_plan(model_name: str, settings: Settings) -> dict:
    """How a model of the series is trained by default: `fit`'s `epochs` and `patience`.

    The original model trains for `settings.epochs`, as in the original tutorial; the improved
    one for at most `settings.max_epochs`, with early stopping (notebook 09).
    """
    if model_name.startswith("improved"):
        return {"epochs": settings.max_epochs, "patience": settings.patience}
    return {"epochs": settings.epochs, "patience": None}


def run_fingerprint(dataset: Dataset, split: Split, settings: Settings, model_name: str,
                    plan: dict | None = None) -> str:
    """A short hash of everything a trained model depends on: the songs (and their cached
    features), the split, the seed, how it is trained (`plan`, by default `training_plan`)
    and the model's name."""
    parts = {"songs": [cache_path(s.path, settings).name for s in dataset.songs],
             "train": split.train.tolist(), "validation": split.validation.tolist(),
             "plan": plan or training_plan(model_name, settings), "seed": settings.seed, "model": model_name}
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


def _atomic_target(path: Path, suffix: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=suffix)
    os.close(fd)
    return Path(tmp)


def save_run(model: keras.Model, history: dict, path: Path, fingerprint: str = "") -> None:
    """Save the model (`path`, a .keras file) and its history (`path` with .json), atomically:
    written under temporary names and renamed, so an interrupted save never replaces a good model."""
    path = Path(path)
    tmp_model, tmp_json = _atomic_target(path, ".keras"), _atomic_target(path, ".json")
    try:
        model.save(tmp_model)
        tmp_json.write_text(json.dumps({"fingerprint": fingerprint, "history": history}, indent=1))
        os.replace(tmp_model, path)
        os.replace(tmp_json, path.with_suffix(".json"))
    finally:
        tmp_model.unlink(missing_ok=True)
        tmp_json.unlink(missing_ok=True)


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


def train_or_load(build, dataset: Dataset, split: Split, settings: Settings, name: str = "original_cnn",
                  plan: dict | None = None):
    """The model trained on exactly this data, split and settings: loaded from `models_dir`
    when it is there, otherwise trained with `build(input_shape, n_genres, seed=...)` and saved.

    Taught in notebooks/06_history.ipynb.

    Args:
        plan: `fit`'s `epochs` and `patience`; by default `training_plan(name, settings)`.

    Returns:
        (model, history)
    """
    path = Path(settings.models_dir) / f"{name}.keras"
    plan = plan or training_plan(name, settings)
    fingerprint = run_fingerprint(dataset, split, settings, name, plan)
    if path.is_file() and path.with_suffix(".json").is_file():
        try:
            history, saved_fingerprint = load_history(path)
            if saved_fingerprint == fingerprint:
                return load_model(path), history
        except (ModelFileError, ValueError, KeyError) as error:
            print(f"the saved model could not be used ({error}): training again")
    model = build(dataset.X.shape[1:], len(dataset.genres), seed=settings.seed)
    history = fit(model, dataset, split, seed=settings.seed, **plan)
    save_run(model, history, path, fingerprint)
    return model, history


def cross_validate(build, dataset: Dataset, splits: list[Split], settings: Settings, name: str,
                   progress: bool = False) -> list[dict]:
    """Train a fresh model on each split and score it on that split's test songs.

    The results are kept in `models_dir/<name>.cv.json`, keyed like `train_or_load`, so
    notebook 09 compares its model with notebook 07's folds without training those again.

    Taught in notebooks/07_evaluate.ipynb.

    Args:
        build: builds a compiled model, `build(input_shape, n_genres, seed=...)`.
        splits: from `helpers.split.cross_validation_by_song`.
        name: the model's name; names starting with "improved" train with early stopping
            (`training_plan`).

    Returns:
        One dict per fold: "piece_accuracy", "song_accuracy", "songs", "pieces", "epochs",
        "seconds_per_epoch", and "test" and "proba" (the test pieces and their probabilities).
    """
    from .evaluate import accuracies, predict_proba

    path = Path(settings.models_dir) / f"{name}.cv.json"
    fingerprint = hashlib.sha256("".join(run_fingerprint(dataset, s, settings, name) + ",".join(map(str, s.test))
                                         for s in splits).encode()).hexdigest()[:16]
    try:
        saved = json.loads(path.read_text())
        if saved["fingerprint"] == fingerprint:
            return saved["folds"]
    except (OSError, ValueError, KeyError):
        pass  # nothing saved yet, or for other data: compute
    folds = []
    for k, split in enumerate(splits):
        model = build(dataset.X.shape[1:], len(dataset.genres), seed=settings.seed + k)
        history = fit(model, dataset, split, seed=settings.seed + k, **training_plan(name, settings))
        proba = predict_proba(model, dataset.X[split.test])
        scores = accuracies(proba, dataset.y[split.test], dataset.groups[split.test])
        folds.append({**scores, "epochs": len(history["loss"]),
                      "seconds_per_epoch": sum(history["seconds"]) / len(history["seconds"]),
                      "test": split.test.tolist(), "proba": proba.round(6).tolist()})
        if progress:
            print(f"{name} fold {k + 1}/{len(splits)}: {scores['songs']} test songs, "
                  f"song accuracy {scores['song_accuracy']:.3f}")
    tmp = _atomic_target(path, ".json")
    try:
        tmp.write_text(json.dumps({"fingerprint": fingerprint, "folds": folds}))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return folds
