"""Train a model on the training songs, watch the validation songs, and keep the result on disk.

What to train is said by a run specification (helpers/plumbing/runs.py): the builder, its options and
the training plan. `fit` trains one model; `train_or_load` and `cross_validate` train only what
is not saved yet under the same fingerprint (helpers/plumbing/saved.py keeps it).

Taught in notebooks/05_cnn.ipynb.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from .dataset import Dataset
from .labels import piece_weights
from .pipelines import batches, mixed_batches
from .plumbing.quiet_tensorflow import keras, tf
from .plumbing.runs import RunSpec, fingerprint, run_record
from .plumbing.saved import ModelFileError, add_fold, load_history, load_model, read_folds, readable_folds, save_run, saved_fingerprint
from .settings import Settings
from .split import Split


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


def fit(model: keras.Model, dataset: Dataset, split: Split, spec: RunSpec) -> dict[str, list[float]]:
    """Fit on the training pieces as `spec.plan` says, measuring the validation pieces after each epoch.

    A model with a Normalization layer (`improved_cnn`) first has it adapted to the training
    pieces only: the validation and test songs must not leak into its means and variances.

    Taught in notebooks/05_cnn.ipynb; early stopping and mixup in notebooks/09_improve.ipynb.

    The plan (`helpers.plumbing.runs.RunSpec.plan`):
        epochs: the number of epochs; with `patience`, the most there can be.
        patience: early stopping: from epoch `patience` on, stop once the validation loss has not
            improved for this many epochs, and keep the weights of the epoch where it was lowest.
            None: train all epochs.
        batch_size: pieces per batch.
        balance: weigh each piece by its song and genre (`helpers.labels.piece_weights`) in the
            loss and the accuracy, in training and validation; False: every piece counts the same.
        mixup: train on blends of two pieces and of their labels (`helpers.pipelines.mixed_batches`),
            the blend drawn from Beta(mixup, mixup); 0: no mixup.

    Returns:
        history: per metric ("accuracy", "loss", "val_accuracy", "val_loss"), one value per
            epoch; "seconds": each epoch's wall-clock time.
    """
    plan, seed = spec.plan, spec.seed
    make_deterministic(seed)
    X, y = dataset.X, dataset.y
    for layer in model.layers:
        if isinstance(layer, keras.layers.Normalization):
            layer.adapt(X[split.train])
    timer = _EpochTimer()
    callbacks = [timer]
    if plan["patience"] is not None:
        # The first `patience` epochs are not judged: while batch normalisation's statistics settle,
        # the validation loss jumps about, and an early low would stop training almost at once.
        # min_delta: on an easy collection the validation loss creeps towards 0 for ever; gains
        # under 0.001 do not count as improving.
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=plan["patience"], min_delta=1e-3,
                                                       start_from_epoch=plan["patience"], restore_best_weights=True))

    def weights(index):
        return piece_weights(y[index], dataset.groups[index]) if plan["balance"] else None

    batch_size = plan["batch_size"]
    validation = (X[split.validation], y[split.validation]) + ((weights(split.validation),) if plan["balance"] else ())
    if plan["mixup"]:
        train_weights = weights(split.train) if plan["balance"] else np.ones(len(split.train), dtype=np.float32)
        train = mixed_batches(X[split.train], y[split.train], train_weights, batch_size=batch_size, alpha=plan["mixup"],
                              seed=seed, soft_labels=len(dataset.genres) == 2)
    else:
        train = batches(X[split.train], y[split.train], weights(split.train), batch_size=batch_size, shuffle_seed=seed)
    result = model.fit(train, validation_data=batches(*validation, batch_size=batch_size), epochs=plan["epochs"],
                       verbose=0, callbacks=callbacks, shuffle=False)  # `train` shuffles itself, anew each epoch
    history = {name: [float(v) for v in values] for name, values in result.history.items()}
    return {**history, "seconds": timer.seconds}


def train_or_load(spec: RunSpec, dataset: Dataset, split: Split, settings: Settings, name: str | None = None):
    """The model `spec` makes, trained on exactly this data and split: loaded from `models_dir`
    when one is saved there with the same fingerprint (the same spec, data, split and library
    versions: `helpers.plumbing.runs.run_record`), otherwise built, trained with `fit` and saved.

    Taught in notebooks/06_history.ipynb.

    Args:
        spec: from `helpers.plumbing.runs.run_spec`, e.g. `run_spec(original_cnn, settings)`.
        name: the file name in `models_dir` (`<name>.keras`); by default the builder's name, the
            one `python -m helpers train` uses too, e.g. "original_cnn".

    Returns:
        (model, history)
    """
    path = Path(settings.models_dir) / f"{name or spec.builder}.keras"
    model = spec.build(dataset.X.shape[1:], len(dataset.genres))
    record = run_record(model, dataset, split, spec)
    if path.is_file() and path.with_suffix(".json").is_file() and saved_fingerprint(path) == fingerprint(record):
        try:
            return load_model(path), load_history(path)[0]
        except (ModelFileError, ValueError, KeyError) as error:
            print(f"the saved model could not be used ({error}): training again")
    history = fit(model, dataset, split, spec)
    save_run(model, history, path, record)
    return model, history


def _fold_specs(spec: RunSpec, splits: list[Split]) -> list[RunSpec]:
    """One spec per fold: fold k is seeded with spec.seed + k, so the folds' models differ."""
    return [spec.with_seed(spec.seed + k) for k in range(len(splits))]


def _fold_key(spec: RunSpec, dataset: Dataset, split: Split) -> tuple[keras.Model, dict]:
    model = spec.build(dataset.X.shape[1:], len(dataset.genres))
    return model, run_record(model, dataset, split, spec)


def cross_validate(spec: RunSpec, dataset: Dataset, splits: list[Split], settings: Settings, name: str | None = None,
                   progress: bool = False) -> list[dict]:
    """Train a fresh model on each split and score it on that split's test songs.

    Each fold's result is kept in `models_dir/<name>.cv.json` as soon as it is done, under its
    fingerprint and with its readable record, so an interrupted run resumes at the next fold,
    and notebook 09 compares its model with notebook 07's folds without training those again.

    Taught in notebooks/07_evaluate.ipynb.

    Args:
        spec: from `helpers.plumbing.runs.run_spec`; fold k trains from seed `spec.seed + k`.
        splits: e.g. from `helpers.split.cross_validation_by_song`.
        name: the file name in `models_dir`; by default the builder's name.

    Returns:
        One dict per fold: the scores of `helpers.evaluate.accuracies`, "epochs",
        "seconds_per_epoch", and "test" and "proba" (the test pieces and their probabilities).
    """
    from .evaluate import accuracies, predict_proba

    path = Path(settings.models_dir) / f"{name or spec.builder}.cv.json"
    saved = readable_folds(path)
    folds = []
    for k, (split, fold_spec) in enumerate(zip(splits, _fold_specs(spec, splits))):
        model, record = _fold_key(fold_spec, dataset, split)
        key = fingerprint(record)
        if key not in saved:
            history = fit(model, dataset, split, fold_spec)
            proba = predict_proba(model, dataset.X[split.test])
            scores = accuracies(proba, dataset.y[split.test], dataset.groups[split.test])
            saved = add_fold(path, key, {**scores, "epochs": len(history["loss"]),
                                         "seconds_per_epoch": sum(history["seconds"]) / len(history["seconds"]),
                                         "test": split.test.tolist(), "proba": proba.round(6).tolist(),
                                         "record": record})
            if progress:
                print(f"{name or spec.builder} fold {k + 1}/{len(splits)}: {scores['songs']} test songs, "
                      f"song accuracy {scores['song_accuracy']:.3f}")
        folds.append(saved[key])
    return folds


def saved_folds(spec: RunSpec, dataset: Dataset, splits: list[Split], settings: Settings,
                name: str | None = None) -> list[dict] | None:
    """The folds `cross_validate` kept for exactly this spec, data and splits, in the order of
    `splits`, without training anything; None when any of them is missing. The benchmarks read
    recorded runs with it: a fold is found by its fingerprint, never by its test pieces alone."""
    saved = read_folds(Path(settings.models_dir) / f"{name or spec.builder}.cv.json")
    keys = [fingerprint(_fold_key(fold_spec, dataset, split)[1])
            for split, fold_spec in zip(splits, _fold_specs(spec, splits))]
    return [saved[key] for key in keys] if all(key in saved for key in keys) else None
