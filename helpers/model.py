"""The CNN that tells genres apart from log-mel spectrograms.

Taught in notebooks/05_cnn.ipynb.
"""

from __future__ import annotations

from .plumbing.quiet_tensorflow import keras

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
        A compiled model (RMSprop; accuracy weighed by the same piece weights as the loss).
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
                  weighted_metrics=["accuracy"])  # weighed like the loss, by piece weights
    return model


@keras.saving.register_keras_serializable(package="helpers")
class SpecAugment(layers.Layer):
    """Training-time augmentation of a batch of spectrograms; does nothing at prediction time.

    Three changes a mood survives, so the model has to ignore them: a random circular shift along
    time, the same for the whole batch (where a piece starts in a song is arbitrary; this series'
    own addition), and, per piece, the two masks of SpecAugment (Park et al. 2019): one band of up
    to `freq_mask` mel bands and one stretch of up to `time_mask` frames set to 0.
    Placed after standardisation, 0 is the band's mean, so a masked band looks average, not silent.

    Taught in notebooks/09_improve.ipynb.
    """

    def __init__(self, max_shift: float = 0.5, freq_mask: int = 16, time_mask: int = 32, seed: int | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.max_shift, self.freq_mask, self.time_mask, self.seed = max_shift, freq_mask, time_mask, seed
        self.generator = keras.random.SeedGenerator(seed)

    def _band(self, n, width: int, length: int):
        """A boolean mask of shape (n, length): one random stretch of up to `width` positions per row."""
        ops = keras.ops
        size = keras.random.uniform((n, 1), 0, width, seed=self.generator)
        start = keras.random.uniform((n, 1), 0, 1, seed=self.generator) * (length - size)
        position = ops.cast(ops.arange(length), "float32")[None, :]
        return ops.logical_and(position >= start, position < start + size)

    def call(self, x, training=None):
        if not training:
            return x
        ops = keras.ops
        n, mels, frames = ops.shape(x)[0], x.shape[1], x.shape[2]
        shift = ops.cast(keras.random.uniform((), 0, self.max_shift * frames, seed=self.generator), "int32")
        x = ops.roll(x, shift, axis=2)
        masked = ops.logical_or(ops.reshape(self._band(n, self.freq_mask, mels), (-1, mels, 1, 1)),
                                ops.reshape(self._band(n, self.time_mask, frames), (-1, 1, frames, 1)))
        return ops.where(masked, ops.zeros_like(x), x)

    def get_config(self) -> dict:
        return {**super().get_config(), "max_shift": self.max_shift, "freq_mask": self.freq_mask,
                "time_mask": self.time_mask, "seed": self.seed}


def improved_cnn(input_shape: tuple[int, int, int], n_genres: int, seed: int = 42, *, standardise: bool = True,
                 augment: bool = True, batch_norm: bool = True, dropout: float = 0.3,
                 global_pooling: bool = True) -> keras.Model:
    """A better model than the original, built for real music and for a laptop CPU.

    Each keyword turns one change off, so notebook 09 can measure what each one buys:

    - standardise: each mel band is shifted and scaled by its mean and spread over the
      *training* pieces (a Normalization layer; `helpers.train.fit` adapts it to the training
      pieces only). Loud and quiet bands then weigh alike. Off: the original's dB rescaling.
    - augment: `SpecAugment` (time shift, frequency and time masks) while training.
    - batch_norm: batch normalisation after each convolution, which keeps training stable
      with Adam at 1e-3: ten times the 1e-4 of this series' `original_cnn`, and the same rate as
      the original tutorial's RMSprop (its default).
    - dropout: the fraction of the pooled features dropped while training (0: none).
    - global_pooling: the average of each of the last 128 feature maps feeds the output
      (about 100 thousand weights in all). Off: Flatten and Dense(64) as in the original, whose
      millions of weights can memorise a few dozen songs.

    Four convolution blocks (16, 32, 64, 128 filters), each followed by 2x2 max pooling; the
    first convolution also steps by 2. The costly layers see maps a quarter of the size they
    would without that first pooling: about twice as many pieces per second in training, for
    the same song accuracy within the spread over folds on real music (benchmarks/README.md, "Training speed").

    Taught in notebooks/09_improve.ipynb. Train it with `fit(..., patience=...)` (early stopping).
    """
    if n_genres < 2:
        raise ValueError(f"a classifier needs at least two genres, got {n_genres}")
    binary = n_genres == 2
    keras.utils.set_random_seed(seed)
    x = inputs = keras.Input(shape=input_shape)
    if standardise:
        x = layers.Normalization(axis=1, name="standardise")(x)  # axis 1: one mean and variance per mel band
    else:
        x = layers.Rescaling(1 / DB_SCALE, offset=1.0)(x)
    if augment:
        x = SpecAugment(seed=seed, name="augment")(x)
    for block, filters in enumerate((16, 32, 64, 128)):
        first = block == 0  # the first convolution steps 2 at a time: a quarter of the work at full size
        x = layers.Conv2D(filters, 3, strides=2 if first else 1, padding="same", use_bias=not batch_norm)(x)
        if batch_norm:
            x = layers.BatchNormalization(momentum=0.9)(x)  # 0.9: a few dozen songs give few batches per epoch
        x = layers.Activation("relu")(x)
        x = layers.MaxPooling2D(2)(x)
    if global_pooling:
        x = layers.GlobalAveragePooling2D()(x)
    else:
        x = layers.Dense(64, activation="relu")(layers.Flatten()(x))
    if dropout:
        x = layers.Dropout(dropout, seed=seed)(x)
    outputs = layers.Dense(1 if binary else n_genres, activation="sigmoid" if binary else "softmax")(x)
    model = keras.Model(inputs, outputs, name="improved_cnn")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  loss="binary_crossentropy" if binary else "sparse_categorical_crossentropy",
                  weighted_metrics=["accuracy"])  # weighed like the loss, by piece weights
    return model


BUILDERS = {"original_cnn": original_cnn, "improved_cnn": improved_cnn}
"""The builders of the series by their own names, as a run specification names them (helpers/plumbing/runs.py)."""

MODELS = {"original": original_cnn, "improved": improved_cnn}
"""The models by name, as `python -m helpers train --model NAME` knows them."""


def training_plan(builder: str, settings) -> dict:
    """How a builder's model is trained unless told otherwise (`helpers.train.fit`'s plan).

    The original model trains for `settings.epochs` (10), as in the original tutorial; the
    improved one for at most `settings.max_epochs`, with early stopping after `settings.patience`
    epochs without progress (notebook 09). Both: batches of 32, piece weights, no mixup.

    Args:
        builder: a name in `BUILDERS` (the builder's own name, never a file's or a run's).

    Raises:
        ValueError: a builder without a plan here: pass the plan yourself.
    """
    plans = {"original_cnn": {"epochs": settings.epochs, "patience": None},
             "improved_cnn": {"epochs": settings.max_epochs, "patience": settings.patience}}
    if builder not in plans:
        raise ValueError(f"no training plan for {builder!r}: known are {', '.join(plans)}")
    return {**plans[builder], "batch_size": 32, "balance": True, "mixup": 0.0}
