"""Do ensembles or a song's mean probability beat the best single model on real music? No training:
this combines the per-piece probabilities that `python -m helpers evaluate` kept for each fold.

    python -m helpers fetch-open-music --tracks open_music
    python -m helpers evaluate --tracks open_music --model improved --folds 5       # and --folds 3 --group source
    python -m helpers evaluate --tracks open_music --model original --folds 5       # and --folds 3 --group source
    python benchmarks/real_music_ensembles.py --tracks open_music

(With CACHE_DIR and MODELS_DIR set as they were for `evaluate`.) For folds by song (5) and by source
(3) it prints each model's and each ensemble's mean song accuracy and its folds: the pieces'
probabilities averaged over the models, then a song decided by its pieces' vote or by their mean
probability. The classical baseline is refitted here (it takes seconds). Issue 11 asked what
ensembling and a song's mean (a longer context per decision) buy; README.md, "Real music", has the answer.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import helpers  # noqa: E402
from helpers.__main__ import _cross_validation_splits  # noqa: E402  (evaluate's folds, exactly)

COMBINATIONS = (("baseline",), ("improved_cnn",), ("original_cnn",), ("improved_cnn", "baseline"),
                ("improved_cnn", "original_cnn"), ("improved_cnn", "original_cnn", "baseline"))


def recorded_folds(settings, name: str, splits) -> list[dict] | None:
    """The folds `evaluate` kept in MODELS_DIR/<name>.cv.json, in the order of `splits`; None when
    that file holds no run on these folds. (benchmarks/real_music_pcen.py uses it too.)"""
    path = Path(settings.models_dir) / f"{name}.cv.json"
    kept = {tuple(fold["test"]): fold for fold in json.loads(path.read_text())["folds"].values()} if path.is_file() else {}
    if not all(tuple(split.test.tolist()) in kept for split in splits):
        return None
    return [kept[tuple(split.test.tolist())] for split in splits]


def fold_by_fold(accuracy: list[float], recorded: list[dict]) -> str:
    """`accuracy` (one per fold) against a recorded run's song accuracies on the same folds, in words:
    each fold's difference, their mean and the paired test's verdict (`helpers.compare_folds`).
    (The other real_music_*.py scripts use it.)"""
    comparison = helpers.compare_folds(accuracy, [fold["song_accuracy"] for fold in recorded])
    return (f"fold by fold: {', '.join(f'{d:+.3f}' for d in comparison['per_fold'])}; "
            f"mean {comparison['difference']:+.3f}, p = {comparison['p']:.2f}: {comparison['verdict']}")


def ensemble_song_accuracies(dataset, splits, runs: list[list[dict]], rule: str) -> list[float]:
    """Per fold, the song accuracy of the pieces' probabilities averaged over `runs` (each a list of
    folds in the order of `splits`), a song decided by `rule`: its pieces' "vote" or their "mean".
    (benchmarks/real_music_seeds.py uses it too.)"""
    accuracy = []
    for k, split in enumerate(splits):
        proba = np.mean([np.asarray(run[k]["proba"]) for run in runs], axis=0)
        groups = dataset.groups[split.test]
        truth = helpers.song_truth(dataset.y[split.test], groups)[1]
        accuracy.append(float(np.mean(helpers.song_predictions(proba, groups, rule)[1] == truth)))
    return accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=Path, required=True)
    options = parser.parse_args()
    settings = helpers.load_settings(tracks_dir=options.tracks)
    dataset = helpers.build_dataset(settings, progress=False)
    for group, folds in (("song", 5), ("source", 3)):
        splits = _cross_validation_splits(dataset, settings.replace(folds=folds), group)
        runs = {name: recorded_folds(settings, name, splits) for name in ("improved_cnn", "original_cnn")}
        for name, folds_kept in runs.items():
            if folds_kept is None:
                sys.exit(f"{Path(settings.models_dir) / f'{name}.cv.json'} holds no run on these folds: "
                         f"run `python -m helpers evaluate` for it first (see above)")
        runs["baseline"] = helpers.cross_validate_baseline(dataset, splits, seed=settings.seed)
        print(f"folds by {group} ({folds}): mean song accuracy, then each fold's")
        for combination in COMBINATIONS:
            for rule in ("vote", "mean"):
                accuracy = ensemble_song_accuracies(dataset, splits, [runs[name] for name in combination], rule)
                print(f"  {' + '.join(combination):<38} {rule:<5} {np.mean(accuracy):.3f}  "
                      f"({', '.join(f'{a:.3f}' for a in accuracy)})")


if __name__ == "__main__":
    main()
