"""Do more pieces per song (a hop of half a piece) help the improved CNN on real music?

    python -m helpers evaluate --tracks open_music --model improved --folds 5   # the run to compare with
    python benchmarks/real_music_more_pieces.py --tracks open_music

(With CACHE_DIR and MODELS_DIR set as they were for `evaluate`.) Between every two neighbouring pieces
of a song, one more piece is made from the second half of the first one's frames and the first half of
the next one's: what a hop of half a piece would cut, close to but not exactly its spectrogram (a
piece's edge frames were computed with padding). The pieces nearly double; they stay with their song,
so the folds are `evaluate`'s 5 folds by song, the same songs in each. Notebook 09's improved CNN is
cross-validated on them (saved as improved_cnn_more_pieces) and scored twice: on all of a test song's
pieces, and on its usual pieces only; each is compared fold by fold with the recorded run. About
25 minutes on 2 cores. Issue 11 asked what more pieces per song buy; benchmarks/README.md, "Real music", answers.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import helpers  # noqa: E402
import helpers.plumbing.results  # noqa: E402
from helpers.split import cross_validation_folds  # noqa: E402  (evaluate's folds, exactly)


def with_pieces_in_between(dataset):
    """The dataset with a piece between every two neighbouring pieces of a song, appended after the
    usual ones (so rows below len(dataset.y) are the usual pieces)."""
    X = np.asarray(dataset.X)
    half = X.shape[2] // 2
    extra, y, groups = [], [], []
    for song in np.unique(dataset.groups):
        rows = np.flatnonzero(dataset.groups == song)  # a song's pieces, in time order
        for a, b in zip(rows[:-1], rows[1:]):
            extra.append(np.concatenate([X[a][:, half:], X[b][:, :X.shape[2] - half]], axis=1))
            y.append(dataset.y[a])
            groups.append(song)
    return dataclasses.replace(dataset, X=np.concatenate([X, np.stack(extra)]), y=np.concatenate([dataset.y, y]),
                               groups=np.concatenate([dataset.groups, groups]))


def song_accuracy(proba, y, groups) -> float:
    truth = helpers.song_truth(y, groups)[1]
    return float(np.mean(helpers.song_predictions(proba, groups)[1] == truth))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=Path, required=True)
    options = parser.parse_args()
    from helpers.model import improved_cnn
    from helpers.plumbing.runs import run_spec
    from helpers.train import cross_validate, saved_folds

    settings = helpers.load_settings(tracks_dir=options.tracks, folds=5)
    dataset = helpers.build_dataset(settings, progress=False)
    usual_splits = cross_validation_folds(dataset, settings.folds, settings.seed, group="song")
    more = with_pieces_in_between(dataset)
    splits = cross_validation_folds(more, settings.folds, settings.seed, group="song")
    for usual, split in zip(usual_splits, splits):  # the same songs in each fold, only more pieces of them
        assert set(dataset.groups[usual.test]) == set(more.groups[split.test])
    print(f"{len(dataset.y)} pieces, {len(more.y)} with the pieces in between")
    folds = cross_validate(run_spec(improved_cnn, settings), more, splits, settings, name="improved_cnn_more_pieces",
                           progress=True)
    scores = {"all pieces": [], "the usual pieces": []}
    for fold in folds:
        test, proba = np.asarray(fold["test"]), np.asarray(fold["proba"])
        scores["all pieces"].append(song_accuracy(proba, more.y[test], more.groups[test]))
        usual = test < len(dataset.y)
        scores["the usual pieces"].append(song_accuracy(proba[usual], more.y[test[usual]], more.groups[test[usual]]))
    recorded = saved_folds(run_spec(improved_cnn, settings), dataset, usual_splits, settings)
    for label, accuracy in scores.items():
        line = f"improved CNN, trained on twice the pieces, scored on {label}: song accuracy {np.mean(accuracy):.3f} " \
               f"({', '.join(f'{a:.3f}' for a in accuracy)})"
        if recorded is not None:
            line += f"; minus the usual pieces' run, {helpers.plumbing.results.fold_by_fold(accuracy, recorded)}"
        print(line)
    if recorded is None:
        print(f"{Path(settings.models_dir) / 'improved_cnn.cv.json'} holds no run on these folds: run the "
              f"`evaluate` command above to compare")


if __name__ == "__main__":
    main()
