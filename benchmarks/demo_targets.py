"""Do the demo's lessons hold beyond one seed? The demo's targets, measured on demos of other seeds.

    python benchmarks/demo_targets.py --seeds 42 1 2 3          # the demo as the series makes it
    python benchmarks/demo_targets.py --seeds 1 --songs-per-genre 12   # a smaller (cheaper) demo

tests/test_lessons.py checks the lessons on the default demo (seed 42) only; a demo whose lessons
hold there by luck would pass it. This measures, for each seed, on a demo of its own (synthesised
into a temporary folder) and with the notebooks' settings and folds (3 folds by song):
  original   the original CNN's mean song accuracy, folds by song     target: errs (at most 0.85), folds differ
  leak       its piece accuracy on the random split over pieces,
             minus the same split by song (notebook 07)               target at least +0.10
  gap        notebook 06's model, last epoch: training minus
             validation accuracy                                      target at least +0.10
  baseline   the classical baseline's mean song accuracy (07)         shown beside the CNNs
  improved   the improved CNN's mean song accuracy (09)               target at least the original's
  control    a nearest neighbour on labels that mean nothing, split
             by song, mean piece accuracy over 30 draws (07)          target 0.5 +- 0.1 (chance)
One line per seed, then one JSON line with every number. About 10 minutes per seed on 2 cores;
change the demo in helpers/data/demo.py (or --songs-per-genre) and run this before committing it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import helpers  # noqa: E402
from helpers.split import cross_validation_over_pieces  # noqa: E402


def mean_of(cv: list[dict], key: str) -> float:
    return float(np.mean([fold[key] for fold in cv]))


def control(dataset, settings, draws: int = 30) -> float:
    """Notebook 07's control: a nearest neighbour on labels that mean nothing, split by song,
    its piece accuracy averaged over `draws` draws of the labels."""
    from sklearn.neighbors import KNeighborsClassifier

    profile = dataset.X[..., 0].mean(axis=2)
    scores = []
    for draw in range(draws):
        meaningless = helpers.labels_that_mean_nothing(dataset.y, dataset.groups, seed=settings.seed + draw)
        split = helpers.split_by_song(meaningless, dataset.groups, dataset.genres, seed=settings.seed,
                                      song_names=dataset.song_names)
        seen = np.concatenate([split.train, split.validation])
        memory = KNeighborsClassifier(n_neighbors=1).fit(profile[seen], meaningless[seen])
        scores.append(np.mean(memory.predict(profile[split.test]) == meaningless[split.test]))
    return float(np.mean(scores))


def measure(seed: int, songs_per_genre: int | None, folder: Path) -> dict:
    from helpers.model import improved_cnn, original_cnn
    from helpers.plumbing.runs import run_spec
    from helpers.train import cross_validate, train_or_load

    start = time.perf_counter()
    overrides = {"demo_songs_per_genre": songs_per_genre} if songs_per_genre else {}
    (folder / "tracks").mkdir(parents=True)
    settings = helpers.load_settings(tracks_dir=folder / "tracks", cache_dir=folder / "cache",
                                     models_dir=folder / "models", seed=seed, **overrides)
    helpers.ensure_songs(settings)
    dataset = helpers.build_dataset(settings, progress=False)
    folds = helpers.cross_validation_by_song(dataset.y, dataset.groups, dataset.genres, folds=settings.folds,
                                             seed=seed, song_names=dataset.song_names)
    original = cross_validate(run_spec(original_cnn, settings), dataset, folds, settings, name="original_cnn")
    over_pieces = cross_validation_over_pieces(len(dataset.y), folds=settings.folds, seed=seed)
    leaky = cross_validate(run_spec(original_cnn, settings), dataset, over_pieces, settings,
                           name="original_cnn_split_over_pieces")
    split = helpers.split_by_song(dataset.y, dataset.groups, dataset.genres, seed=seed, song_names=dataset.song_names)
    _, history = train_or_load(run_spec(original_cnn, settings), dataset, split, settings)
    baseline = helpers.cross_validate_baseline(dataset, folds, seed=seed)
    baseline_leaky = helpers.cross_validate_baseline(dataset, over_pieces, seed=seed)
    improved = cross_validate(run_spec(improved_cnn, settings), dataset, folds, settings, name="improved_cnn")
    song_folds = [fold["song_accuracy"] for fold in original]
    result = {
        "seed": seed, "songs_per_genre": settings.demo_songs_per_genre, "songs": len(dataset.songs),
        "pieces": len(dataset.y),
        "original": mean_of(original, "song_accuracy"), "original_folds": song_folds,
        "original_piece": mean_of(original, "piece_accuracy"),
        "leak": mean_of(leaky, "piece_accuracy") - mean_of(original, "piece_accuracy"),
        "gap": float(history["accuracy"][-1] - history["val_accuracy"][-1]),
        "baseline": mean_of(baseline, "song_accuracy"), "baseline_piece": mean_of(baseline, "piece_accuracy"),
        "baseline_leaky_piece": mean_of(baseline_leaky, "piece_accuracy"),
        "improved": mean_of(improved, "song_accuracy"), "improved_piece": mean_of(improved, "piece_accuracy"),
        "improved_vs_original": helpers.compare_cross_validations(improved, original, dataset.y, dataset.groups)["verdict"],
        "control": control(dataset, settings),
    }
    result["holds"] = {
        "original errs": result["original"] <= 0.85 and float(np.std(song_folds)) > 0,
        "leak >= 0.10": result["leak"] >= 0.10,
        "gap >= 0.10": result["gap"] >= 0.10,
        "improved >= original": result["improved"] >= result["original"],
        "control at chance": abs(result["control"] - 0.5) <= 0.1,
    }
    result["seconds"] = round(time.perf_counter() - start, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 1, 2, 3])
    parser.add_argument("--songs-per-genre", type=int, help="demo songs per genre (default: the series' setting)")
    options = parser.parse_args()

    results = []
    print(f"{'seed':>4} {'songs':>5} {'pieces':>6} {'original':>8} {'leak':>6} {'gap':>6} {'baseline':>8} "
          f"{'improved':>8} {'control':>7} {'seconds':>7}  targets")
    for seed in options.seeds:
        with tempfile.TemporaryDirectory(prefix=f"demo-seed-{seed}-") as folder:
            r = measure(seed, options.songs_per_genre, Path(folder))
        results.append(r)
        missed = [name for name, ok in r["holds"].items() if not ok]
        print(f"{r['seed']:>4} {r['songs']:>5} {r['pieces']:>6} {r['original']:>8.3f} {r['leak']:>+6.3f} "
              f"{r['gap']:>+6.3f} {r['baseline']:>8.3f} {r['improved']:>8.3f} {r['control']:>7.3f} {r['seconds']:>7.0f}  "
              f"{'all hold' if not missed else 'MISSED: ' + ', '.join(missed)}", flush=True)
    print(json.dumps({"runs": results}))


if __name__ == "__main__":
    main()
