"""Notebook 13's lessons on demos of other seeds: do they hold beyond seed 42's digits?

    python benchmarks/musical_seeds.py --seeds 42 1 2 3 [--work DIR]

For each seed, the demo collection is synthesised into DIR/demo_seed<N> (default: .cache/musical_seeds/,
reused when there), and the script measures what notebook 13 teaches, with the notebook's recipes:
the best-separating number and the separation of onsets per second, loudness (RMS level) and mode;
how often the tempo is right or doubled and the mode right (against the synthesiser's own tempo and
mode, helpers.data.demo.demo_traits); and the features model against notebook 07's baseline on the
same folds. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def measure(seed: int, work: Path) -> dict:
    import librosa
    import numpy as np

    import helpers
    from helpers.data.demo import demo_traits

    settings = helpers.load_settings(tracks_dir=work / f"demo_seed{seed}", cache_dir=work / "cache", seed=seed)
    Path(settings.tracks_dir).mkdir(parents=True, exist_ok=True)
    helpers.ensure_songs(settings)
    dataset = helpers.build_dataset(settings, progress=False)
    described = helpers.musical_dataset(dataset, settings, progress=False)
    separation = {name: helpers.separation(described.X[:, i], described.y) for i, name in enumerate(helpers.FEATURE_NAMES)}
    truth = [demo_traits(song.path, seed) for song in dataset.songs]
    tempo_right = tempo_doubled = 0
    for song, traits in zip(dataset.songs, truth):
        y = librosa.load(song.path, sr=settings.sample_rate)[0]
        tempo, _ = librosa.beat.beat_track(onset_envelope=librosa.onset.onset_strength(y=y, sr=settings.sample_rate),
                                           sr=settings.sample_rate)
        ratio = float(np.atleast_1d(tempo)[0]) / traits["bpm"]
        tempo_right += abs(ratio - 1) < 0.04
        tempo_doubled += abs(ratio / 2 - 1) < 0.04
    major_minus_minor = described.X[:, helpers.FEATURE_NAMES.index("major_minus_minor")]
    is_major = np.array([traits["major"] for traits in truth])
    folds = helpers.cross_validation_folds(dataset, settings.folds, seed)
    song_folds = helpers.cross_validation_folds(described, settings.folds, seed)
    features = np.mean([f["song_accuracy"] for f in helpers.cross_validate_features(described, song_folds, seed=seed)])
    baseline = np.mean([f["song_accuracy"] for f in helpers.cross_validate_baseline(dataset, folds, seed=seed)])
    best = max(separation, key=separation.get)
    return {"songs": len(dataset.songs), "best": best, "best_separation": round(separation[best], 3),
            "onsets_per_second": round(separation["onsets_per_second"], 3), "rms_db_mean": round(separation["rms_db_mean"], 3),
            "major_minus_minor": round(separation["major_minus_minor"], 3), "tempo_right": int(tempo_right),
            "tempo_doubled": int(tempo_doubled), "mode_right": int(np.sum((major_minus_minor > 0) == is_major)),
            "minor_songs": int(np.sum(~is_major)), "features": round(float(features), 3), "baseline": round(float(baseline), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 1, 2, 3])
    parser.add_argument("--work", type=Path, default=HERE.parent / ".cache" / "musical_seeds")
    options = parser.parse_args()
    results = {}
    for seed in options.seeds:
        results[seed] = measure(seed, options.work)
        print(seed, results[seed], flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
