"""Train a model on the training songs, watch the validation songs, and keep the result on disk.

Taught in notebooks/05_cnn.ipynb.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path

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


def fit(model: keras.Model, dataset: Dataset, split: Split, epochs: int = 10, batch_size: int = 32,
        seed: int = 42) -> dict[str, list[float]]:
    """Fit on the training pieces, measuring the validation pieces after each epoch.

    Taught in notebooks/05_cnn.ipynb.

    Returns:
        history: per metric ("accuracy", "loss", "val_accuracy", "val_loss"), one value per epoch.
    """
    make_deterministic(seed)
    X, y = dataset.X, dataset.y
    result = model.fit(X[split.train], y[split.train], validation_data=(X[split.validation], y[split.validation]),
                       epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0)
    return {name: [float(v) for v in values] for name, values in result.history.items()}


def run_fingerprint(dataset: Dataset, split: Split, settings: Settings, model_name: str) -> str:
    """A short hash of everything a trained model depends on: the songs (and their cached
    features), the split, the settings and the model's name."""
    parts = {"songs": [cache_path(s.path, settings).name for s in dataset.songs],
             "train": split.train.tolist(), "validation": split.validation.tolist(),
             "epochs": settings.epochs, "seed": settings.seed, "model": model_name}
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


def train_or_load(build, dataset: Dataset, split: Split, settings: Settings, name: str = "original_cnn"):
    """The model trained on exactly this data, split and settings: loaded from `models_dir`
    when it is there, otherwise trained with `build(input_shape, n_genres, seed=...)` and saved.

    Taught in notebooks/06_history.ipynb.

    Returns:
        (model, history)
    """
    path = Path(settings.models_dir) / f"{name}.keras"
    fingerprint = run_fingerprint(dataset, split, settings, name)
    if path.is_file() and path.with_suffix(".json").is_file():
        try:
            history, saved_fingerprint = load_history(path)
            if saved_fingerprint == fingerprint:
                return load_model(path), history
        except (ModelFileError, ValueError, KeyError) as error:
            print(f"the saved model could not be used ({error}): training again")
    model = build(dataset.X.shape[1:], len(dataset.genres), seed=settings.seed)
    history = fit(model, dataset, split, settings.epochs, seed=settings.seed)
    save_run(model, history, path, fingerprint)
    return model, history
