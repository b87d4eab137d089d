"""The pieces as TensorFlow input pipelines: batches, shuffled anew each epoch, and mixup's blends.

Taught in notebooks/05_cnn.ipynb (batches) and notebooks/09_improve.ipynb (mixup).
"""

from __future__ import annotations

import numpy as np

from .plumbing.quiet_tensorflow import tf


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
