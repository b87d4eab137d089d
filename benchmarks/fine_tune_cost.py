"""What fine-tuning the whole of musicnn would cost, against fine-tuning its back end (notebook 11, issue 32
item 2c): seconds per training step on the same batches, measured in one run.

    python benchmarks/fine_tune_cost.py [--tracks DIR] [--steps 10]

Two models with musicnn's trained weights and a new two-genre softmax layer, trained with the back end's
rule (Adam at 0.0001, batches of 32): the whole network, from its 3-s input patches (every layer
trainable), and the back end alone, from the cached max and mean of the mid end (`fine_tune.back_end`,
what notebook 11 fine-tunes). Each takes one warm-up step, then `--steps` timed steps on batches of 32
patches of the collection's songs; the script prints the seconds per step, their ratio, and what one
epoch over the collection's patches would take, then one JSON line (the run notebook 11 quotes is kept,
with its command, in results/fine_tune_cost.json). It measures cost only: the whole network's song
accuracy is not measured (at this cost, a five-fold run is hours on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=Path, help="a folder of genre folders (default: the demo in tracks/)")
    parser.add_argument("--steps", type=int, default=10)
    options = parser.parse_args()

    import warnings

    import keras
    import numpy as np

    warnings.filterwarnings("ignore", message="Gradients do not exist")  # musicnn's tag layer: not on the path trained

    import helpers
    from helpers.pretrained import fine_tune, musicnn

    settings = helpers.load_settings(**({"tracks_dir": options.tracks} if options.tracks else {}))
    helpers.ensure_songs(settings)
    dataset = helpers.build_dataset(settings, progress=False)
    pooled = fine_tune.pooled_dataset(dataset, settings, progress=False)
    rng = np.random.default_rng(settings.seed)
    songs = rng.permutation(dataset.songs)[:8]
    patches = np.concatenate([musicnn.song_patches(song.path) for song in songs])
    labels = rng.integers(0, 2, len(patches))

    network = musicnn.load_musicnn(cache_dir=settings.cache_dir)
    inputs = keras.Input(network.input_shape[1:])
    x = keras.layers.Dropout(fine_tune.DROPOUT)(network(inputs)["penultimate"])
    whole = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(x), name="musicnn_whole")
    back = fine_tune.back_end(2, settings.cache_dir)
    timings = {}
    for name, model, X in (("whole network", whole, patches), ("back end", back, pooled.X[:len(patches)])):
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=fine_tune.LEARNING_RATE),
                      loss="sparse_categorical_crossentropy")
        batch = lambda k: (X[(k * 32) % (len(X) - 32):][:32], labels[(k * 32) % (len(X) - 32):][:32])  # noqa: E731
        model.train_on_batch(*batch(0))  # warm-up: traces the step
        start = time.perf_counter()
        for k in range(1, options.steps + 1):
            model.train_on_batch(*batch(k))
        timings[name] = (time.perf_counter() - start) / options.steps
    epoch = len(pooled.X)
    for name, seconds in timings.items():
        print(f"{name:<14} {seconds:.3f} s per step of 32 patches; one epoch over the {epoch} patches of "
              f"{len(dataset.songs)} songs: {seconds * epoch / 32:.1f} s")
    print(f"ratio: the whole network costs {timings['whole network'] / timings['back end']:.0f}x the back end per step "
          f"(the back end's input, the mid end's outputs, is computed once and cached)")
    print(json.dumps({"songs": len(dataset.songs), "patches": epoch, "steps": options.steps,
                      "seconds_per_step": {name: round(seconds, 5) for name, seconds in timings.items()},
                      "ratio": round(timings["whole network"] / timings["back end"])}))


if __name__ == "__main__":
    main()
