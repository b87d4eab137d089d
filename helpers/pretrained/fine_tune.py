"""Fine-tuning musicnn's back end: its own dense layers, trained a little further on your genres.

A pretrained network can be reused three ways (notebooks/11_transfer_learning.ipynb):

(a) **frozen features**: its activations, fixed, feed a small classifier of your own
    (`helpers.pretrained.transfer`: the penultimate layer and a logistic regression);
(b) **fine-tuning the back end** (this module): keep musicnn's front and mid end frozen, start from
    its back end's trained weights (a batch normalisation, a dense layer of 200 units, another
    batch normalisation), put a new output layer for your genres on top, and train the back end
    and the new layer together on your songs. The frozen part's output, the maximum and the mean
    over time of the mid end (753 values each per 3-second patch, `LAYERS`), is computed once and
    cached, so training takes seconds;
(c) **fine-tuning the whole network**, convolutions included: every training step runs the whole
    network on raw spectrograms, hundreds of times the cost of (b). Not done in the series.

The rule, fixed before any score of it was seen, and the same for any collection: Adam with a
learning rate of 0.0001 (a tenth of its usual default, so the pretrained weights move a little,
not far), 20 epochs over the training and validation songs' patches (nothing is tuned, so no
validation set is needed, as in (a)), batches of 32, dropout of 0.5 before the new layer, a song's
answer from its patches by the series' rule (`helpers.SONG_RULE`). Two other settings were tried
afterwards on the demo and are reported, not chosen (benchmarks/README.md, "Transfer learning").

Taught in notebooks/11_transfer_learning.ipynb.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..dataset import Dataset
from ..evaluate import accuracies, predict_proba
from ..pipelines import batches
from ..plumbing.quiet_tensorflow import keras
from ..train import make_deterministic
from . import musicnn
from .transfer import embedding_dataset

LEARNING_RATE = 1e-4
EPOCHS = 20
BATCH_SIZE = 32
DROPOUT = 0.5
BACK_END = ("pooled_norm", "dense_200", "penultimate")
"""musicnn's back-end layers, by their names in `helpers.pretrained.musicnn.build_musicnn`."""


def pooled_dataset(dataset: Dataset, settings, progress: bool = True) -> Dataset:
    """The songs of `dataset` as musicnn's back end receives them: one row per 3-second patch of
    1506 values, the mid end's maximum and mean over time, interleaved as musicnn's own Flatten
    of (753, 2) lays them out. Songs, genres and song indices are `dataset`'s (as `embedding_dataset`)."""
    highest = embedding_dataset(dataset, settings, layer="max_pool", progress=progress)
    mean = embedding_dataset(dataset, settings, layer="mean_pool", progress=False)
    X = np.empty((len(highest.X), 2 * highest.X.shape[1]), dtype=np.float32)
    X[:, 0::2], X[:, 1::2] = highest.X, mean.X
    return replace(highest, X=X)


def back_end(n_genres: int, cache_dir=None) -> keras.Model:
    """musicnn's back end with its trained weights, and a new output layer for `n_genres` genres.

    From a (batch, 1506) array of `pooled_dataset` rows to (batch, n_genres) probabilities;
    `keras.Model(model.input, model.get_layer("penultimate").output)` reproduces musicnn's
    penultimate layer (tests/test_fine_tune.py)."""
    network = musicnn.load_musicnn(cache_dir=cache_dir)
    layers = keras.layers
    pooled = keras.Input((2 * musicnn.LAYERS["max_pool"],), name="pooled")
    x = musicnn._batch_norm("pooled_norm")(pooled)  # musicnn's own layers, as build_musicnn makes them
    x = layers.Dense(200, activation="relu", name="dense_200")(x)
    x = musicnn._batch_norm("penultimate")(x)
    x = layers.Dropout(DROPOUT)(x)
    genres = layers.Dense(n_genres, activation="softmax", name="genres")(x)
    model = keras.Model(pooled, genres, name="musicnn_back_end")
    for name in BACK_END:
        model.get_layer(name).set_weights(network.get_layer(name).get_weights())
    return model


def fine_tune(pooled: Dataset, index: np.ndarray, seed: int = 42, cache_dir=None) -> keras.Model:
    """The back end, fine-tuned on the patches `index` of `pooled` by the module's rule."""
    make_deterministic(seed)
    model = back_end(len(pooled.genres), cache_dir)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    # tf.data batches, as helpers.train.fit feeds the CNNs: Keras' own pipeline for numpy arrays logs a
    # harmless TensorFlow error under op determinism (helpers/pipelines.py says why)
    model.fit(batches(pooled.X[index], pooled.y[index], batch_size=BATCH_SIZE, shuffle_seed=seed), epochs=EPOCHS,
              verbose=0, shuffle=False)  # the batches shuffle themselves, anew each epoch
    return model


def cross_validate_fine_tuned(pooled: Dataset, splits, seed: int = 42, cache_dir=None) -> list[dict]:
    """Fine-tune on each split's training and validation songs, score on its test songs.

    Args:
        pooled: from `pooled_dataset`.
        splits: from `helpers.split.cross_validation_folds(pooled, ...)`: the CNNs' folds of songs.

    Returns:
        One dict per fold, like `helpers.train.cross_validate`'s: the scores of
        `helpers.evaluate.accuracies` (its "pieces" are patches), "test" (the test patches) and "proba".
    """
    folds = []
    for split in splits:
        model = fine_tune(pooled, np.concatenate([split.train, split.validation]), seed, cache_dir)
        proba = predict_proba(model, pooled.X[split.test])
        scores = accuracies(proba, pooled.y[split.test], pooled.groups[split.test])
        folds.append({**scores, "test": split.test.tolist(), "proba": proba.round(6).tolist()})
    return folds
