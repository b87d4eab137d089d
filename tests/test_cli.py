"""python -m helpers: the pipeline headless, called as a reader's script would call it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import helpers
from conftest import write_tone


def cli(*args, cache, **env):
    # The cache and models folders are the test's own, never the checkout's.
    env = {**os.environ, "CACHE_DIR": str(cache), "MODELS_DIR": str(cache.parent / "models"), **env}
    return subprocess.run([sys.executable, "-m", "helpers", *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=600)


def readme_synopsis() -> dict[str, set[str]]:
    """Each command of README.md's terminal synopsis, with the options and model names it shows."""
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = readme.split("## The same pipeline from a terminal", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    shown, command = {}, None
    for line in block.splitlines():
        line = line.split("#", 1)[0]
        start = re.match(r"python -m helpers ([a-z-]+)", line)
        if start:
            command = start.group(1)
        if command:
            shown.setdefault(command, set()).update(re.findall(r"--[a-z]+|(?<=[|{ ])[a-z][a-z-]*(?=[|\]}])", line))
    return shown


def test_help_documents_every_command_and_option_the_readme_shows():
    shown = readme_synopsis()
    assert {"demo", "train", "evaluate", "predict", "fetch-open-music"} <= set(shown)
    assert {"original", "improved", "baseline", "musicnn", "musicnn-tuned"} <= shown["evaluate"]
    for command, words in shown.items():
        out = subprocess.run([sys.executable, "-m", "helpers", command, "--help"], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        missing = [word for word in words if word not in out.stdout]
        assert not missing, f"README shows {missing} for `{command}`, which its --help does not know"


@pytest.mark.slow
def test_train_then_predict_with_the_models_own_settings(small_collection, tmp_path, monkeypatch):
    from helpers import train
    from helpers.model import improved_cnn
    from helpers.plumbing.runs import run_spec
    from helpers.plumbing.saved import load_record

    models = tmp_path / "saved here"
    run = cli("train", "--tracks", small_collection, "--model", "improved", "--epochs", 3, "--out", models,
              cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["genres"] == ["high", "low"] and result["songs"] == 8 and result["pieces"] == 16
    assert result["test_songs"] == 2 and result["skipped"] == []  # one test song per genre
    assert result["song_chance"] == 0.5 == result["balanced_chance"]
    assert "(chance 0.500)" in run.stdout
    model = models / "improved_cnn.keras"  # the notebooks' name: one model, one file
    assert model.is_file() and load_record(model)["genres"] == ["high", "low"]

    # A notebook asking for the same model on the same data gets the CLI's, without training.
    settings = helpers.load_settings(tracks_dir=small_collection, cache_dir=tmp_path / "cache", models_dir=models,
                                     epochs=3, max_epochs=3)
    dataset = helpers.build_dataset(settings, progress=False)
    split = helpers.split_by_song(dataset.y, dataset.groups, dataset.genres, seed=settings.seed,
                                  song_names=dataset.song_names)
    monkeypatch.setattr(train, "fit", lambda *a, **k: pytest.fail("trained again"))
    loaded, _ = train.train_or_load(run_spec(improved_cnn, settings), dataset, split, settings)
    # The scores the command printed are the saved model's on the test songs:
    scores = helpers.accuracies(helpers.predict_proba(loaded, dataset.X[split.test]), dataset.y[split.test],
                                dataset.groups[split.test])
    assert {key: result[key] for key in ("song_accuracy", "piece_accuracy", "song_balanced_accuracy")} == \
        {key: scores[key] for key in ("song_accuracy", "piece_accuracy", "song_balanced_accuracy")}

    song = write_tone(tmp_path / "new song.wav", freq=120)
    verdict, votes, confidence = helpers.song_verdict(
        helpers.predict_proba(loaded, helpers.song_features(song, settings)[..., None]))
    expected = f"{song}: {dataset.genres[verdict]} ({votes} of 2 pieces, mean probability {confidence:.0%})"
    run = cli("predict", model, song, cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == expected
    # Today's settings say 16000 Hz (1 piece of this song); the model was trained at 22050 Hz (2 pieces).
    run = cli("predict", model, song, cache=tmp_path / "cache", SAMPLE_RATE="16000")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == expected
    # A file too short for one piece is named, and the files after it still get their answer:
    short = write_tone(tmp_path / "short.wav", seconds=1.0, freq=120)
    run = cli("predict", model, short, song, cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == expected and f"{short}: skipped" in run.stderr and "shorter than one piece" in run.stderr


@pytest.mark.slow
def test_evaluate_reports_each_fold(small_collection, tmp_path):
    (small_collection / "low" / "cover.jpg").write_bytes(b"\xff\xd8")
    run = cli("evaluate", "--tracks", small_collection, "--folds", 2, "--epochs", 1, cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert len(result["song_accuracy_per_fold"]) == 2 == len(result["piece_accuracy_per_fold"])
    assert result["test_songs_per_fold"] == [4, 4]  # 2 songs of each genre in each fold
    assert result["song_accuracy"] == pytest.approx(sum(result["song_accuracy_per_fold"]) / 2)
    assert [s["reason"][:19] for s in result["skipped"]] == ["not an audio file ("]
    assert result["epochs_per_fold"] == [1, 1] and result["song_chance"] == 0.5
    # Each fold's score is the one kept for that fold, with the record of what made it:
    kept = list(json.loads((tmp_path / "models" / "original_cnn.cv.json").read_text())["folds"].values())
    assert [fold["song_accuracy"] for fold in kept] == result["song_accuracy_per_fold"]
    assert [fold["record"]["spec"]["builder"] for fold in kept] == ["original_cnn"] * 2
    assert [fold["record"]["split"]["rule"][:6] for fold in kept] == ["fold 1", "fold 2"]


@pytest.mark.slow
def test_failures_exit_non_zero_with_one_line(tmp_path):
    run = cli("train", "--tracks", tmp_path / "nowhere", cache=tmp_path / "cache")
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1 and "nowhere does not exist" in run.stderr
    run = cli("predict", tmp_path / "missing.keras", tmp_path / "song.wav", cache=tmp_path / "cache")
    assert run.returncode == 1 and "missing.keras: no saved model" in run.stderr and run.stderr.count("\n") == 1
    run = cli("train", "--tracks", tmp_path, cache=tmp_path / "cache", EPOCHS="ten")
    assert run.returncode == 1 and run.stderr == "error: environment variable EPOCHS='ten' is not a valid int\n"


def test_only_the_readers_errors_are_shortened(monkeypatch, capsys):
    from helpers import __main__ as cli_module

    def bug(options):
        raise ValueError("a bug in Keras or in helpers")

    def bad_folder(options):
        raise helpers.CollectionError("the tracks folder x does not exist")

    monkeypatch.setattr(cli_module, "cmd_train", bug)
    with pytest.raises(ValueError, match="a bug"):
        cli_module.main(["train"])
    monkeypatch.setattr(cli_module, "cmd_train", bad_folder)
    assert cli_module.main(["train"]) == 1 and capsys.readouterr().err == "error: the tracks folder x does not exist\n"
    with pytest.raises(helpers.CollectionError):
        cli_module.main(["--traceback", "train"])
    with pytest.raises(helpers.CollectionError):
        cli_module.main(["train", "--traceback"])  # after the command too


@pytest.mark.slow
def test_a_split_over_pieces_cannot_hold_out_sources(small_collection, tmp_path):
    run = cli("evaluate", "--tracks", small_collection, "--split", "piece", "--group", "source", cache=tmp_path / "cache")
    assert run.returncode == 1 and "cannot hold out whole sources" in run.stderr and run.stderr.count("\n") == 1



@pytest.mark.slow
def test_evaluate_the_baseline_and_the_random_split_over_pieces(small_collection, tmp_path):
    run = cli("evaluate", "--tracks", small_collection, "--folds", 2, "--model", "baseline", cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["model"] == "baseline" and result["split"] == "song" and len(result["song_accuracy_per_fold"]) == 2
    assert result["seed"] == 42 and result["seconds"] > 0
    run = cli("evaluate", "--tracks", small_collection, "--folds", 2, "--model", "baseline", "--seed", 7, "--record",
              tmp_path / "runs.json", cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    (recorded,) = json.loads((tmp_path / "runs.json").read_text())["runs"]
    assert "--seed 7" in recorded["command"] and recorded["result"]["seed"] == 7  # another dealing, named in its command
    run = cli("evaluate", "--tracks", small_collection, "--folds", 2, "--epochs", 1, "--split", "piece",
              cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["split"] == "piece" and result["epochs_per_fold"] == [1, 1]
    assert (tmp_path / "models" / "original_cnn_split_over_pieces.cv.json").is_file()


def test_predict_refuses_a_model_file_that_would_run_code(tmp_path):
    """A .keras file with a Lambda layer carries Python code; Keras's safe mode refuses it, and
    `predict` says so in one line instead of loading it (or printing a traceback)."""
    script = tmp_path / "craft.py"
    script.write_text("import sys, keras\n"
                      "model = keras.Sequential([keras.Input((4,)), keras.layers.Lambda(lambda x: x * 2), keras.layers.Dense(1)])\n"
                      "model.save(sys.argv[1])\n")
    crafted = tmp_path / "gift.keras"
    subprocess.run([sys.executable, str(script), str(crafted)], check=True, capture_output=True)
    song = write_tone(tmp_path / "song.wav", freq=220)
    run = cli("predict", crafted, song, cache=tmp_path / "cache")
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [f"error: {crafted}: refused, it holds Python code that would run when "
                                               f"loaded (a Lambda layer or the like); the series saves no such model, "
                                               f"so load it only from a source you trust, with "
                                               f"keras.saving.load_model(..., safe_mode=False)"]
