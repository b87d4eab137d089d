"""helpers/pretrained/fine_tune.py: musicnn's back end starts as musicnn's own, reads what the
embedding cache already holds, and learns two genres a child could tell apart."""

from pathlib import Path

import numpy as np
import pytest

import helpers
from helpers.pretrained import fine_tune, musicnn

REFERENCE = Path(__file__).parent / "data" / "musicnn_reference.npz"


def test_the_back_end_starts_as_musicnns_own(real_cache):
    """Before any training, the back end up to its penultimate layer gives musicnn's own penultimate
    values (the committed reference, from musicnn's TensorFlow 1 graph) from the mid end's max and
    mean, interleaved as `pooled_dataset` lays them out; and the new output layer has one unit per genre."""
    from helpers.plumbing.quiet_tensorflow import keras

    reference = np.load(REFERENCE)
    pooled = np.empty((len(reference["MSD_musicnn/max_pool"]), 1506), dtype=np.float32)
    pooled[:, 0::2], pooled[:, 1::2] = reference["MSD_musicnn/max_pool"], reference["MSD_musicnn/mean_pool"]
    model = fine_tune.back_end(3, real_cache)
    penultimate = keras.Model(model.input, model.get_layer("penultimate").output)
    np.testing.assert_allclose(penultimate.predict(pooled, verbose=0), reference["MSD_musicnn/penultimate"],
                               rtol=1e-4, atol=1e-4)
    swapped = pooled.reshape(-1, 753, 2)[..., ::-1].reshape(-1, 1506)  # max and mean the other way round
    assert not np.allclose(penultimate.predict(swapped, verbose=0), reference["MSD_musicnn/penultimate"], atol=1e-2)
    assert model.output_shape == (None, 3)


def test_fine_tuning_reads_the_cache_and_learns_low_from_high(real_cache, small_collection, monkeypatch):
    """On the small collection (low tones against high tones, 8 songs of 10 s): the mid end's outputs
    are read from the cache the penultimate embeddings filled (the network runs once, not again),
    and the fine-tuned back end gets every test song right on two folds of songs."""
    settings = helpers.load_settings(tracks_dir=small_collection, cache_dir=real_cache,
                                     models_dir=small_collection.parent / "models")
    dataset = helpers.build_dataset(settings, progress=False)
    musicnn.embed_songs([song.path for song in dataset.songs], settings=settings, progress=False)  # as notebook 11
    monkeypatch.setattr(musicnn, "predict_patches", lambda *a, **k: pytest.fail("the network ran again"))
    pooled = fine_tune.pooled_dataset(dataset, settings, progress=False)
    assert pooled.X.shape[1] == 1506 and len(set(pooled.groups.tolist())) == 8
    folds = helpers.cross_validation_folds(pooled, 2, settings.seed)
    results = fine_tune.cross_validate_fine_tuned(pooled, folds, seed=settings.seed, cache_dir=real_cache)
    assert [fold["song_accuracy"] for fold in results] == [1.0, 1.0], results
    again = fine_tune.cross_validate_fine_tuned(pooled, folds, seed=settings.seed, cache_dir=real_cache)
    assert [fold["proba"] for fold in again] == [fold["proba"] for fold in results]  # seeded: the same answers


def test_evaluate_offers_the_fine_tuned_back_end(real_cache, small_collection, tmp_path):
    """`python -m helpers evaluate --model musicnn-tuned`: the same folds of songs, one JSON line, every
    test song right on the low and high tones (the converted weights copied from the series' cache)."""
    import json
    import os
    import subprocess
    import sys

    cache = tmp_path / "cache"
    (cache / "pretrained").mkdir(parents=True)
    weights = musicnn.weights_path("MSD_musicnn", real_cache)
    (cache / "pretrained" / weights.name).write_bytes(weights.read_bytes())
    env = {**os.environ, "CACHE_DIR": str(cache), "MODELS_DIR": str(tmp_path / "models")}
    run = subprocess.run([sys.executable, "-m", "helpers", "evaluate", "--model", "musicnn-tuned", "--tracks",
                          str(small_collection), "--folds", "2"], capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["test_songs_per_fold"] == [4, 4] and result["song_accuracy_per_fold"] == [1.0, 1.0], result
    assert result["epochs_per_fold"] == [fine_tune.EPOCHS] * 2
