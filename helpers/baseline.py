"""A classical baseline: simple statistics of each mel band, and logistic regression.

Before trusting a CNN, ask what a plain model makes of the same pieces. Each piece becomes
two numbers per mel band, its mean and its spread over time (how loud the band is, and how
much it moves); a standard scaler and a logistic regression learn the genres from them, each
piece weighed as the CNNs weigh it (`helpers.labels.piece_weights`: every song and every genre
count the same), and a song's answer is the vote of its pieces, as for the CNNs. No
TensorFlow, trained in a second.

Taught in notebooks/07_evaluate.ipynb.
"""

from __future__ import annotations

import numpy as np

from .evaluate import accuracies
from .labels import piece_weights


def band_statistics(X: np.ndarray) -> np.ndarray:
    """Each mel band's mean and standard deviation over time, per piece.

    Args:
        X: log-mel spectrograms, shape (pieces, n_mels, frames) or (pieces, n_mels, frames, 1).

    Returns:
        features: float32 array of shape (pieces, 2 * n_mels): the means, then the spreads.
    """
    X = X[..., 0] if X.ndim == 4 else X
    return np.concatenate([X.mean(axis=2), X.std(axis=2)], axis=1).astype(np.float32)


def baseline_classifier(seed: int = 42):
    """An unfitted scikit-learn pipeline: standardise each feature, then logistic regression
    (C=0.1: fairly strong regularisation, since a few dozen songs give few independent examples)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000, random_state=seed))


def fit_baseline(features: np.ndarray, y: np.ndarray, groups: np.ndarray, seed: int = 42):
    """The baseline fitted on these pieces, each weighed by `piece_weights` as the CNNs are: a
    song with twice the pieces, or a genre with twice the songs, does not count twice.

    Args:
        features: from `band_statistics`; y, groups: each piece's genre and song.
    """
    return baseline_classifier(seed).fit(features, y, logisticregression__sample_weight=piece_weights(y, groups))


def cross_validate_baseline(dataset, splits, seed: int = 42) -> list[dict]:
    """Fit the baseline (`fit_baseline`) on each split's training and validation pieces (it needs
    no validation set: nothing is tuned) and score it on that split's test pieces and songs (vote).

    Taught in notebooks/07_evaluate.ipynb.

    Args:
        dataset: a `helpers.Dataset`.
        splits: from `helpers.cross_validation_by_song` (or over pieces, to see the leak).

    Returns:
        One dict per fold, like `helpers.train.cross_validate`'s: "piece_accuracy",
        "song_accuracy", "songs", "pieces", "test" and "proba".
    """
    features = band_statistics(dataset.X)
    folds = []
    for split in splits:
        seen = np.concatenate([split.train, split.validation])
        model = fit_baseline(features[seen], dataset.y[seen], dataset.groups[seen], seed)
        proba = np.zeros((len(split.test), len(dataset.genres)))
        proba[:, model.classes_] = model.predict_proba(features[split.test])
        scores = accuracies(proba, dataset.y[split.test], dataset.groups[split.test])
        folds.append({**scores, "test": split.test.tolist(), "proba": proba.round(6).tolist()})
    return folds
