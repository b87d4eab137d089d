"""Notebook 11's small-data curve with the improved CNN beside musicnn and the baseline: a recorded run
(training the CNN dozens of times costs CI too much).

    python benchmarks/small_data_cnn.py [--sizes 2 3 5 8] [--draws 3] [--work DIR] [--without-cnn]
    TRACKS_DIR=open_music python benchmarks/small_data_cnn.py --sizes 2 3 5 8 12 20 --draws 10 --without-cnn
    TRACKS_DIR=open_music python benchmarks/small_data_cnn.py --sizes 2 3 5 8 12 20 --draws 3

The second line is the real-music curve of musicnn and the baseline (notebook 10's collection, seconds); the
third adds the improved CNN on the first three of those draws (54 trainings: about 35 minutes on one core).

On the demo in tracks/ (or TRACKS_DIR) with the notebooks' settings and notebook 07's folds: for each
number of training songs per mood and each draw k, every fold keeps that many of its training songs per
mood (`helpers.split.fewer_training_songs`, seed `settings.seed + k`: the very songs notebook 11's curve
draws) and each model is scored on the fold's test songs. The improved CNN stops early on validation
songs, so one of the kept songs per mood becomes its validation song: it trains on one song per mood
fewer than the other two models (stated, not hidden). Its trainings are kept in DIR/models (default:
.cache/small_data_cnn/), never in models/. The last line is one JSON object; the run notebook 11 quotes is kept,
with its command and date, in results/small_data_curve.json, the real-music runs in
results/small_data_curve_real_music.json and results/small_data_curve_cnn_real_music.json
(tests/test_transfer_lessons.py reads all three).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def with_validation(split, y, groups, seed: int):
    """`split` with one of its training songs per genre moved to validation (seeded)."""
    import numpy as np

    from helpers.split import Split

    rng = np.random.default_rng(seed)
    held = [rng.permutation(np.unique(groups[split.train][y[split.train] == genre]))[0]
            for genre in np.unique(y[split.train])]
    is_held = np.isin(groups[split.train], held)
    return Split(split.train[~is_held], split.train[is_held], split.test,
                 rule=f"{split.rule}; one of them per genre held back for validation")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 3, 5, 8])
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--without-cnn", action="store_true", help="only musicnn and the baseline (seconds, not hours)")
    options = parser.parse_args()

    import numpy as np

    import helpers
    from helpers.model import improved_cnn
    from helpers.plumbing.runs import run_spec
    from helpers.pretrained.transfer import embedding_dataset, small_data_curve
    from helpers.split import fewer_training_songs
    from helpers.train import cross_validate

    settings = helpers.load_settings()
    work = options.work or Path(settings.cache_dir) / "small_data_cnn"
    cnn_settings = settings.replace(models_dir=work / "models")
    helpers.ensure_songs(settings)
    dataset = helpers.build_dataset(settings, progress=False)
    embedded = embedding_dataset(dataset, settings, progress=False)
    folds = helpers.cross_validation_folds(dataset, settings.folds, settings.seed)
    patch_folds = helpers.cross_validation_folds(embedded, settings.folds, settings.seed)
    start = time.perf_counter()
    curve = small_data_curve(dataset, embedded, folds, patch_folds, sizes=tuple(options.sizes), draws=options.draws,
                             seed=settings.seed)
    cheap_seconds = time.perf_counter() - start
    spec = run_spec(improved_cnn, settings)
    start = time.perf_counter()
    for size in options.sizes:
        curve[size]["improved"] = []
        for k in range(0 if options.without_cnn else options.draws):
            splits = [with_validation(fewer_training_songs(s, dataset.y, dataset.groups, size, settings.seed + k),
                                      dataset.y, dataset.groups, settings.seed + k) for s in folds]
            cv = cross_validate(spec, dataset, splits, cnn_settings, name=f"improved_cnn_{size}_songs_draw_{k}")
            curve[size]["improved"].append(float(np.mean([fold["song_accuracy"] for fold in cv])))
            print(f"{size} songs per mood, draw {k}: improved CNN {curve[size]['improved'][-1]:.3f}", flush=True)
    cnn_seconds = time.perf_counter() - start

    print(f"{'songs per mood':>14} {'musicnn + classifier':>21} {'baseline':>9} {'improved CNN':>13}   (mean of {options.draws} draws)")
    for size in options.sizes:
        cnn = f"{np.mean(curve[size]['improved']):>13.3f}" if curve[size]["improved"] else f"{'-':>13}"
        print(f"{size:>14} {np.mean(curve[size]['musicnn']):>21.3f} {np.mean(curve[size]['baseline']):>9.3f} {cnn}")
    print(json.dumps({"tracks": helpers.display_path(settings.tracks_dir), "songs": len(dataset.songs),
                      "sizes": options.sizes, "draws": options.draws, "seed": settings.seed,
                      "curve": {str(size): curve[size] for size in options.sizes},
                      "seconds": {"musicnn_and_baseline": round(cheap_seconds, 1), "improved_cnn": round(cnn_seconds, 1)}}))


if __name__ == "__main__":
    main()
