"""The CNN that tells genres apart from log-mel spectrograms.

Taught in notebooks/05_cnn.ipynb.
"""

from __future__ import annotations

from .quiet_tensorflow import keras

layers = keras.layers

DB_SCALE = 50.0
"""Spectrograms are in dB, roughly -100 to +30; dividing by this (and adding 1) brings them near [-1, 1]."""


def original_cnn(input_shape: tuple[int, int, int], n_genres: int, seed: int = 42) -> keras.Model:
    """The original tutorial's model: three 3x3 convolutions with two max-poolings between them,
    Flatten, a Dense layer of 64, and an output layer sized by the number of genres.

    Two genres get one sigmoid unit (the probability of the second genre) and binary
    crossentropy; more get a softmax over the genres and sparse categorical crossentropy.
    One addition to the original: a Rescaling layer brings decibels near [-1, 1], so the
    first layer does not start with inputs around -100.

    Taught in notebooks/05_cnn.ipynb.

    Args:
        input_shape: (n_mels, frames, 1).
        n_genres: 2 or more.
        seed: seeds the initial weights, so the same seed builds the same model.

    Returns:
        A compiled model (RMSprop, accuracy).
    """
    if n_genres < 2:
        raise ValueError(f"a classifier needs at least two genres, got {n_genres}")
    binary = n_genres == 2
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Rescaling(1 / DB_SCALE, offset=1.0),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dense(1 if binary else n_genres, activation="sigmoid" if binary else "softmax"),
    ], name="original_cnn")
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-4),
                  loss="binary_crossentropy" if binary else "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model
