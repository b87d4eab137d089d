"""How good is the model: accuracy per piece and per song.

A song's answer combines the answers for its pieces: the majority vote of the pieces'
genres, or the genre with the highest mean probability.

Taught in notebooks/06_history.ipynb; confusion matrices in 07_evaluate, a song's timeline
and a reliability diagram in 08_predict; how sure a comparison is in 12_how_sure.
"""

from __future__ import annotations

import warnings

import numpy as np

from .labels import song_truth

SONG_RULE = "vote"
"""How the series turns a song's pieces into one answer, everywhere (notebooks 06-09 and
`python -m helpers predict`): the majority vote of its pieces. Notebook 07 compares it with
the mean probability ("mean"). The mean probability of the voted genre is reported beside the
verdict; it says how much the pieces agree, and is not a calibrated confidence (notebook 08)."""


def predict_proba(model, X: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """Genre probabilities per piece, shape (pieces, n_genres), whatever the output layer.

    A two-genre model has one sigmoid unit p (the second genre); it becomes [1 - p, p].
    """
    from .pipelines import batches  # TensorFlow: a model exists, so it is imported already

    p = np.asarray(model.predict(batches(X, batch_size=batch_size), verbose=0), dtype=np.float64)
    return np.column_stack([1 - p[:, 0], p[:, 0]]) if p.shape[1] == 1 else p


def song_predictions(proba: np.ndarray, groups: np.ndarray, method: str = SONG_RULE) -> tuple[np.ndarray, np.ndarray]:
    """One answer per song from the answers for its pieces.

    Args:
        proba: array of shape (pieces, n_genres).
        groups: array of shape (pieces,): the song of each piece.
        method: "vote" (the genre most of its pieces get; ties go to the higher mean
            probability) or "mean" (the genre with the highest mean probability).

    Returns:
        songs: the song indices, sorted, shape (n_songs,).
        predicted: the genre index predicted for each, shape (n_songs,).
    """
    if method not in ("vote", "mean"):
        raise ValueError(f"method must be 'vote' or 'mean', not {method!r}")
    songs = np.unique(groups)
    predicted = np.empty(len(songs), dtype=int)
    for k, song in enumerate(songs):
        mine = proba[groups == song]
        mean = mine.mean(axis=0)
        if method == "vote":
            votes = np.bincount(mine.argmax(axis=1), minlength=proba.shape[1]).astype(float)
            predicted[k] = int(np.argmax(votes + mean * 1e-3))  # mean < 1, so it only breaks ties
        else:
            predicted[k] = int(np.argmax(mean))
    return songs, predicted


def song_verdict(proba: np.ndarray) -> tuple[int, int, float]:
    """The verdict on one song by `SONG_RULE`, from its pieces' probabilities (pieces, n_genres).

    Taught in notebooks/08_predict.ipynb; `python -m helpers predict` prints the same.

    Returns:
        (genre index, how many pieces voted for it, its mean probability over the pieces: not a
        calibrated confidence, see notebook 08)
    """
    _, (verdict,) = song_predictions(proba, np.zeros(len(proba), dtype=int), SONG_RULE)
    return int(verdict), int(np.sum(proba.argmax(axis=1) == verdict)), float(proba[:, verdict].mean())


def accuracies(proba: np.ndarray, y: np.ndarray, groups: np.ndarray, method: str = SONG_RULE) -> dict[str, float]:
    """Accuracy per piece and per song (see `song_predictions`), the song-level balanced accuracy
    (the mean of each genre's share of songs recognised), and the chance level of each: what
    always answering the commonest genre scores (for balanced accuracy, 1 / genres).

    Taught in notebooks/06_history.ipynb.
    """
    from sklearn.metrics import balanced_accuracy_score

    def chance(labels):  # the score of a model that always answers the commonest genre
        return float(np.bincount(labels).max() / len(labels))

    songs, predicted = song_predictions(proba, groups, method)
    truth = song_truth(y, groups)[1]
    with warnings.catch_warnings():  # a genre answered but absent from these songs: scored over the present ones
        warnings.filterwarnings("ignore", "y_pred contains classes not in y_true", UserWarning)
        balanced = balanced_accuracy_score(truth, predicted)
    return {"piece_accuracy": float(np.mean(proba.argmax(axis=1) == y)),
            "song_accuracy": float(np.mean(predicted == truth)),
            "song_balanced_accuracy": float(balanced),
            "piece_chance": chance(y),
            "song_chance": chance(truth),
            "balanced_chance": 1 / proba.shape[1],
            "songs": int(len(songs)), "pieces": int(len(y))}


def accuracy_interval(correct: int, total: int, confidence: float = 0.95) -> tuple[float, float]:
    """The range of true accuracies that `correct` right answers out of `total` leave plausible.

    The exact (Clopper-Pearson) binomial interval: with 24 songs of 24 right the true accuracy
    could still be 0.86; with 4 of 4, 0.40. It treats the songs as independent draws, so it is,
    if anything, too narrow for songs that share an artist or a game.

    Taught in notebooks/12_how_sure.ipynb.

    Returns:
        (low, high), both in [0, 1].
    """
    from scipy.stats import binomtest

    if total <= 0 or not 0 <= correct <= total:
        raise ValueError(f"need 0 <= correct <= total and total > 0, got {correct} of {total}")
    interval = binomtest(int(correct), int(total)).proportion_ci(confidence_level=confidence, method="exact")
    return float(interval.low), float(interval.high)


def compare_folds(a: list[float], b: list[float], test_train_ratio: float | None = None, level: float = 0.05) -> dict:
    """Is `a` better than `b`? Two models' scores on the *same* cross-validation folds, compared
    fold by fold with the corrected resampled t-test (Nadeau and Bengio 2003).

    The folds are paired (the same test songs), so what matters is the spread of the per-fold
    differences. But folds are not independent draws: any two of them share most of their
    training songs, so their differences agree more than independent ones would, and a plain
    paired t-test calls too many differences real (Dietterich 1998; Bouckaert and Frank 2004).
    The correction widens the variance of the mean difference from var/k to
    var * (1/k + n_test/n_train). A difference is "larger than the noise" when p is below `level`;
    otherwise it is "not shown": the folds cannot tell, which never means the two are equal.
    When every fold differs by exactly the same amount there is no spread to judge the noise
    by: p is NaN and the verdict "not shown".

    Taught in notebooks/12_how_sure.ipynb.

    Args:
        a, b: one score per fold, in the same fold order.
        test_train_ratio: test songs over training songs in a fold; by default 1 / (k - 1), as in
            k-fold cross-validation, where each fold tests 1/k of the songs and trains on the rest.

    Returns:
        "difference" (mean of a - b), "per_fold" (a - b per fold), "p" (two-sided) and "verdict".
    """
    from scipy.stats import t as student_t

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or len(a) < 2:
        raise ValueError(f"need two or more paired folds, got {len(a)} and {len(b)}")
    k, per_fold = len(a), a - b
    ratio = 1 / (k - 1) if test_train_ratio is None else test_train_ratio
    variance = per_fold.var(ddof=1) * (1 / k + ratio)
    if np.isclose(variance, 0):
        p = 1.0 if np.allclose(per_fold, 0) else float("nan")
    else:
        p = float(2 * student_t.sf(abs(per_fold.mean()) / np.sqrt(variance), df=k - 1))
    return {"difference": float(per_fold.mean()), "per_fold": per_fold, "p": p,
            "verdict": "larger than the noise" if p < level else "not shown"}


def songs_right(folds: list[dict], y: np.ndarray, groups: np.ndarray, rule: str = SONG_RULE) -> tuple[np.ndarray, np.ndarray]:
    """Every song the cross-validation `folds` tested (each once), and whether its verdict was right.

    Args:
        folds: results as `helpers.train.cross_validate` returns them: per fold, "test" (rows of
            `y` and `groups`) and "proba" (one row of probabilities per test row).
        y, groups: each row's genre and song (pieces; or songs, with groups = their own index).

    Returns:
        songs (sorted), right: bool array, one per song.
    """
    test = np.concatenate([np.asarray(fold["test"], dtype=int) for fold in folds])
    proba = np.concatenate([np.asarray(fold["proba"], dtype=float) for fold in folds])
    songs, verdicts = song_predictions(proba, groups[test], rule)
    return songs, verdicts == song_truth(y[test], groups[test])[1]


def compare_songs(right_a: np.ndarray, right_b: np.ndarray, level: float = 0.05) -> dict:
    """Is `a` better than `b`, song by song? The songs only one model got right decide it.

    Cross-validation tests every song once per model, so two models' verdicts pair up song by
    song. Songs both got right, or both wrong, say nothing about which is better; of the others
    ("discordant"), an equal pair of models would win each by a coin toss. The exact McNemar
    test (a two-sided binomial test on the discordant songs, McNemar 1947; Dietterich 1998) asks
    how likely a split this lopsided is by luck. It counts songs, so it judges what
    `compare_folds` cannot: that test sees only how steady the per-fold differences are, so one
    song won in each of three folds is "larger than the noise" there when the folds differ in
    size, and has no spread at all (p NaN) when they do not; here three songs won and none lost
    give p = 0.25, not shown. It treats songs as independent and does not see how much the
    models would change with other training songs, so the series calls a difference shown only
    when `compare_folds` says so too.

    Taught in notebooks/12_how_sure.ipynb.

    Args:
        right_a, right_b: per song, in the same order, whether each model got it right
            (`songs_right`).

    Returns:
        "only_a", "only_b" (songs only that model got right), "p" (two-sided; 1.0 when no song
        is discordant) and "verdict" ("larger than the noise" when p < `level`, else "not shown").
    """
    from scipy.stats import binomtest

    right_a, right_b = np.asarray(right_a, dtype=bool), np.asarray(right_b, dtype=bool)
    if right_a.shape != right_b.shape:
        raise ValueError(f"need the same songs for both models, got {len(right_a)} and {len(right_b)}")
    only_a, only_b = int(np.sum(right_a & ~right_b)), int(np.sum(~right_a & right_b))
    p = 1.0 if only_a + only_b == 0 else float(binomtest(only_a, only_a + only_b, 0.5).pvalue)
    return {"only_a": only_a, "only_b": only_b, "p": p, "verdict": "larger than the noise" if p < level else "not shown"}


def compare_cross_validations(a: list[dict], b: list[dict], y: np.ndarray, groups: np.ndarray,
                              level: float = 0.05) -> dict:
    """Model `a` against model `b`, cross-validated on the same folds, both ways: fold by fold
    (`compare_folds` on the song accuracies) and song by song (`compare_songs`). The verdict is
    "larger than the noise" only when both tests say so; otherwise "not shown".

    Taught in notebooks/12_how_sure.ipynb.

    Args:
        a, b: results as `helpers.train.cross_validate` returns them, on the same folds.
        y, groups: the dataset's genre and song per row (`dataset.y`, `dataset.groups`).

    Returns:
        `compare_folds`' "difference", "per_fold" and "p"; "songs": `compare_songs`' result; "verdict".
    """
    folds = compare_folds([fold["song_accuracy"] for fold in a], [fold["song_accuracy"] for fold in b], level=level)
    songs_a, right_a = songs_right(a, y, groups)
    songs_b, right_b = songs_right(b, y, groups)
    if not np.array_equal(songs_a, songs_b):
        raise ValueError("the two cross-validations did not test the same songs")
    songs = compare_songs(right_a, right_b, level)
    shown = folds["verdict"] == songs["verdict"] == "larger than the noise"
    return {**folds, "songs": songs, "verdict": "larger than the noise" if shown else "not shown"}


def say_comparison(a: list, b: list, names: tuple[str, str], songs_per_fold: list[int] | None = None) -> str:
    """Two models on the same folds, in one plain line: in how many folds `a` is ahead of `b`,
    and by how many songs in each. How sure that is, it does not say: notebook 12 does.

    For example "improved vs original: ahead in 3 of 3 folds, by 3, 3 and 3 songs; how sure:
    notebook 12", or "musicnn vs improved: ahead in 1 of 3 folds, level in 2 (songs per fold
    +1, 0, 0); how sure: notebook 12".

    Used in notebooks/07_evaluate.ipynb, 09_improve, 10_real_music and 11_transfer_learning.

    Args:
        a, b: per fold, in the same fold order, either results as `helpers.train.cross_validate`
            returns them (each with "song_accuracy" and "songs") or song accuracies.
        names: what to call `a` and `b`.
        songs_per_fold: test songs per fold, needed only when `a` and `b` are accuracies.
    """
    if len(a) != len(b) or len(a) == 0:
        raise ValueError(f"need the same folds for both models, got {len(a)} and {len(b)}")
    if isinstance(a[0], dict):
        songs_per_fold = [fold["songs"] for fold in a]
        a, b = [fold["song_accuracy"] for fold in a], [fold["song_accuracy"] for fold in b]
    if songs_per_fold is None or len(songs_per_fold) != len(a):
        raise ValueError("need the number of test songs of every fold")
    songs = [int(round((x - y) * n)) for x, y, n in zip(a, b, songs_per_fold)]  # songs more right
    ahead, level, behind = sum(d > 0 for d in songs), sum(d == 0 for d in songs), sum(d < 0 for d in songs)
    said = f"{names[0]} vs {names[1]}: ahead in {ahead} of {len(songs)} folds"
    if ahead == len(songs):
        counts = ", ".join(str(d) for d in songs[:-1]) + " and " * (len(songs) > 1) + str(songs[-1])
        said += f", by {counts} song{'' if songs == [1] else 's'}"
    else:
        said += "".join(f", {word} in {n}" for word, n in (("level", level), ("behind", behind)) if n)
        said += f" (songs per fold {', '.join(f'{d:+d}' if d else '0' for d in songs)})"
    return said + "; how sure: notebook 12"


def least_certain_songs(proba: np.ndarray, y: np.ndarray, groups: np.ndarray, n: int = 3) -> list[dict]:
    """The `n` songs whose pieces gave their true genre the lowest mean probability: the
    mistakes first, then the closest calls.

    Taught in notebooks/07_evaluate.ipynb ("Listen to the mistakes").

    Args:
        proba: (pieces, n_genres), `predict_proba`'s answer for the pieces.
        y, groups: (pieces,), each piece's true genre and song.

    Returns:
        One dict per song: "song" (its id in `groups`), "genre" (true), "verdict" (by
        `SONG_RULE`), "p_true" (mean probability of the true genre over its pieces) and
        "pieces" (the positions of its pieces in `proba`, in order).
    """
    songs, truth = song_truth(y, groups)
    _, verdicts = song_predictions(proba, groups)
    found = []
    for song, genre, verdict in zip(songs, truth, verdicts):
        pieces = np.flatnonzero(groups == song)
        found.append({"song": int(song), "genre": int(genre), "verdict": int(verdict),
                      "p_true": float(proba[pieces, genre].mean()), "pieces": pieces})
    return sorted(found, key=lambda s: (s["verdict"] == s["genre"], s["p_true"]))[:n]


def plot_confusion(truth: np.ndarray, predicted: np.ndarray, genres: list[str], ax=None, title: str = ""):
    """A confusion matrix with genre names on both axes: row = the true genre, column = the
    model's answer, each cell the count. The diagonal holds the right answers.

    Taught in notebooks/07_evaluate.ipynb.
    """
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    if ax is None:
        _, ax = plt.subplots(figsize=(1.2 * len(genres) + 2, 1.2 * len(genres) + 1.5))
    # scikit-learn's own plot, as you will meet it elsewhere; only the genre names and the labels are ours
    ConfusionMatrixDisplay.from_predictions(truth, predicted, labels=list(range(len(genres))), display_labels=genres,
                                            ax=ax, cmap="Blues", colorbar=False, xticks_rotation=30)
    ax.set_xlabel("predicted genre")
    ax.set_ylabel("true genre")
    ax.set_title(title)
    return ax


def plot_timeline(proba: np.ndarray, genres: list[str], seconds_per_piece: float, ax=None, title: str = ""):
    """Each genre's probability along a song, one step per piece.

    Taught in notebooks/08_predict.ipynb.

    Args:
        proba: (pieces, n_genres), from `predict_proba` on one song's pieces, in order.
        seconds_per_piece: the length of a piece, `segment_width / sample_rate`.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 3))
    edges = np.arange(len(proba) + 1) * seconds_per_piece
    for k, genre in enumerate(genres):
        ax.stairs(proba[:, k], edges, label=genre, linewidth=2)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(0, edges[-1])
    ax.set_xlabel("time in the song (s)")
    ax.set_ylabel("probability")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.set_title(title)
    return ax


def reliability(proba: np.ndarray, y: np.ndarray, bins: int = 5) -> list[dict]:
    """How often the model is right when it is this sure: its pieces grouped by the probability
    of the genre it answers (its *confidence*), each group's mean confidence beside its accuracy.
    A calibrated model is right in 80 % of the pieces it answers with 0.8; an over-confident one less.

    Taught in notebooks/08_predict.ipynb.

    Args:
        proba: (pieces, n_genres), e.g. every fold's test pieces of a cross-validation.
        y: (pieces,), the true genre indices.
        bins: equal-width groups of confidence, from 1 / n_genres (a guess) to 1 (certain).

    Returns:
        One dict per non-empty group, from least to most sure: "low" and "high" (its edges),
        "pieces", "confidence" (mean) and "accuracy" (the share answered right).
    """
    proba, y = np.asarray(proba), np.asarray(y)
    confidence = proba.max(axis=1)
    right = proba.argmax(axis=1) == y
    edges = np.linspace(1 / proba.shape[1], 1, bins + 1)
    which = np.clip(np.searchsorted(edges, confidence, side="right") - 1, 0, bins - 1)
    return [{"low": float(edges[k]), "high": float(edges[k + 1]), "pieces": int((which == k).sum()),
             "confidence": float(confidence[which == k].mean()), "accuracy": float(right[which == k].mean())}
            for k in range(bins) if (which == k).any()]


def plot_reliability(proba: np.ndarray, y: np.ndarray, bins: int = 5, ax=None, title: str = ""):
    """A reliability diagram: for each group of `reliability`, the share answered right (bars)
    against the mean confidence (the diagonal is a calibrated model; bars below it, over-confidence).
    Each bar is labelled with its number of pieces. Returns (fig, ax).

    Taught in notebooks/08_predict.ipynb.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4))
    groups = reliability(proba, y, bins)
    low = 1 / np.asarray(proba).shape[1]
    for group in groups:
        width = group["high"] - group["low"]
        ax.bar(group["low"], group["accuracy"], width=width, align="edge", color="tab:blue", edgecolor="white")
        ax.plot(group["confidence"], group["accuracy"], "o", color="tab:orange")
        ax.text(group["low"] + width / 2, group["accuracy"] + 0.02, str(group["pieces"]), ha="center", fontsize=8)
    ax.plot([low, 1], [low, 1], "k--", label="calibrated")
    ax.plot([], [], "o", color="tab:orange", label="mean confidence of the group")
    ax.set_xlim(low, 1)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("confidence (probability of the answered genre)")
    ax.set_ylabel("share of pieces answered right")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(title)
    return ax.figure, ax
