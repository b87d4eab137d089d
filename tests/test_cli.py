"""python -m helpers: the pipeline headless, called as a reader's script would call it."""

import json
import os
import subprocess
import sys

import pytest

from conftest import write_tone


def cli(*args, cache):
    # The cache and models folders are the test's own, never the checkout's.
    env = {**os.environ, "CACHE_DIR": str(cache), "MODELS_DIR": str(cache.parent / "models")}
    return subprocess.run([sys.executable, "-m", "helpers", *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=600)


def test_help_documents_every_command():
    out = subprocess.run([sys.executable, "-m", "helpers", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for command in ("demo", "train", "evaluate", "predict"):
        assert command in out.stdout


def test_train_then_predict(small_collection, tmp_path):
    models = tmp_path / "saved here"
    run = cli("train", "--tracks", small_collection, "--model", "improved", "--epochs", 3, "--out", models,
              cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["genres"] == ["high", "low"] and result["songs"] == 8 and result["pieces"] == 16
    assert 0 <= result["song_accuracy"] <= 1 and 0 <= result["piece_accuracy"] <= 1 and result["skipped"] == []
    model = models / "improved.keras"
    assert model.is_file() and json.loads((models / "improved.genres.json").read_text()) == ["high", "low"]

    song = write_tone(tmp_path / "new song.wav", freq=120)
    run = cli("predict", model, song, cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"{song}: ") and ("low" in run.stdout or "high" in run.stdout)


def test_evaluate_reports_each_fold(small_collection, tmp_path):
    (small_collection / "low" / "cover.jpg").write_bytes(b"\xff\xd8")
    run = cli("evaluate", "--tracks", small_collection, "--folds", 2, "--epochs", 1, cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert len(result["song_accuracy_per_fold"]) == 2 == len(result["piece_accuracy_per_fold"])
    assert result["song_accuracy"] == pytest.approx(sum(result["song_accuracy_per_fold"]) / 2)
    assert [s["reason"][:19] for s in result["skipped"]] == ["not an audio file ("]
    assert result["epochs_per_fold"] == [1, 1] and result["seconds_per_epoch"] > 0
    assert (tmp_path / "models" / "original.cv.json").is_file()


def test_failures_exit_non_zero_with_one_line(tmp_path):
    run = cli("train", "--tracks", tmp_path / "nowhere", cache=tmp_path / "cache")
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1 and "nowhere does not exist" in run.stderr
    run = cli("predict", tmp_path / "missing.keras", tmp_path / "song.wav", cache=tmp_path / "cache")
    assert run.returncode == 1 and "missing.keras: no saved model" in run.stderr and run.stderr.count("\n") == 1


def test_evaluate_the_baseline_and_the_random_split_over_pieces(small_collection, tmp_path):
    run = cli("evaluate", "--tracks", small_collection, "--folds", 2, "--model", "baseline", cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["model"] == "baseline" and result["split"] == "song" and len(result["song_accuracy_per_fold"]) == 2
    run = cli("evaluate", "--tracks", small_collection, "--folds", 2, "--epochs", 1, "--split", "piece",
              cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["split"] == "piece" and result["epochs_per_fold"] == [1, 1]
    assert (tmp_path / "models" / "original_split_over_pieces.cv.json").is_file()
