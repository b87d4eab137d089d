"""The series headless: ``python -m helpers demo|train|evaluate|predict``.

Each command calls the same helpers the notebooks teach; nothing here is written twice.
`train` and `evaluate` end with one line of JSON, for scripts and scheduled jobs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import (AudioError, CollectionError, accuracies, build_dataset, ensure_songs, load_settings, predict_proba,
               song_features, split_by_song)
from .split import cross_validation_by_song, cross_validation_over_pieces

MODELS = ("original", "improved")
"""The models the CLI can train: helpers.model.MODELS (notebooks 05 and 09)."""

EVALUATED = (*MODELS, "baseline")
"""What `evaluate` can cross-validate: the CNNs, and the classical baseline (helpers.baseline, notebook 07)."""

SPLITS = ("song", "piece")
"""How `evaluate` deals its folds: by song (honest), or the original tutorial's random split over pieces (leaks)."""


def _settings(options):
    overrides = {"tracks_dir": options.tracks} if getattr(options, "tracks", None) else {}
    if getattr(options, "epochs", None):  # the original's epochs; the improved model's most epochs
        overrides["epochs"] = overrides["max_epochs"] = options.epochs
    if getattr(options, "folds", None):
        overrides["folds"] = options.folds
    if getattr(options, "out", None):
        overrides["models_dir"] = options.out
    return load_settings(**overrides)


def _build(name: str):
    from .model import MODELS as builders  # TensorFlow: imported once the data is known to be usable

    return builders[name]


def _skipped(dataset) -> list[dict]:
    return [{"path": str(s.path), "reason": s.reason} for s in dataset.skipped]


def cmd_demo(options) -> dict:
    settings = _settings(options)
    Path(settings.tracks_dir).mkdir(parents=True, exist_ok=True)
    written = ensure_songs(settings)
    print(f"{len(written)} demo song(s) written to {settings.tracks_dir}")
    return {"written": [str(p) for p in written]}


def cmd_train(options) -> dict:
    settings = _settings(options)
    dataset = build_dataset(settings, progress=False)
    print(dataset.summary())
    split = split_by_song(dataset.y, dataset.groups, dataset.genres, seed=settings.seed)
    from .train import fit, run_fingerprint, save_run, training_plan  # TensorFlow, once the data is usable

    model = _build(options.model)(dataset.X.shape[1:], len(dataset.genres), seed=settings.seed)
    history = fit(model, dataset, split, seed=settings.seed, **training_plan(options.model, settings))
    path = Path(settings.models_dir) / f"{options.model}.keras"
    save_run(model, history, path, run_fingerprint(dataset, split, settings, options.model))
    (path.with_suffix(".genres.json")).write_text(json.dumps(dataset.genres))
    scores = accuracies(predict_proba(model, dataset.X[split.test]), dataset.y[split.test], dataset.groups[split.test])
    print(f"test songs: {scores['songs']}, song accuracy {scores['song_accuracy']:.3f}, "
          f"piece accuracy {scores['piece_accuracy']:.3f}; model saved to {path}")
    return {"genres": dataset.genres, "songs": len(dataset.songs), "pieces": int(len(dataset.y)),
            "piece_accuracy": scores["piece_accuracy"], "song_accuracy": scores["song_accuracy"],
            "model": str(path), "skipped": _skipped(dataset)}


def cmd_evaluate(options) -> dict:
    settings = _settings(options)
    dataset = build_dataset(settings, progress=False)
    print(dataset.summary())
    split_by = getattr(options, "split", "song")
    if split_by == "piece":  # the original tutorial's split: it leaks, kept to measure by how much
        splits = cross_validation_over_pieces(len(dataset.y), settings.folds, seed=settings.seed)
    else:
        splits = cross_validation_by_song(dataset.y, dataset.groups, dataset.genres, settings.folds, settings.seed)
    if options.model == "baseline":
        from .baseline import cross_validate_baseline

        folds = [{**fold, "epochs": 0, "seconds_per_epoch": 0.0}
                 for fold in cross_validate_baseline(dataset, splits, seed=settings.seed)]
    else:
        from .train import cross_validate

        name = options.model if split_by == "song" else f"{options.model}_split_over_pieces"
        folds = cross_validate(_build(options.model), dataset, splits, settings, name, progress=True)
    pieces = [fold["piece_accuracy"] for fold in folds]
    songs = [fold["song_accuracy"] for fold in folds]
    seconds = sum(fold["seconds_per_epoch"] for fold in folds) / len(folds)
    print(f"{options.model}, split by {split_by}: song accuracy {sum(songs) / len(songs):.3f} (folds: "
          f"{', '.join(f'{a:.3f}' for a in songs)}), piece accuracy {sum(pieces) / len(pieces):.3f}, "
          f"{seconds:.1f} s per epoch")
    return {"genres": dataset.genres, "songs": len(dataset.songs), "pieces": int(len(dataset.y)),
            "model": options.model, "split": split_by,
            "piece_accuracy": sum(pieces) / len(pieces), "song_accuracy": sum(songs) / len(songs),
            "piece_accuracy_per_fold": pieces, "song_accuracy_per_fold": songs,
            "epochs_per_fold": [fold["epochs"] for fold in folds], "seconds_per_epoch": seconds,
            "skipped": _skipped(dataset)}


def cmd_predict(options) -> dict:
    from .train import load_model

    settings = load_settings()
    model = load_model(options.model)
    genres_file = Path(options.model).with_suffix(".genres.json")
    if not genres_file.is_file():
        raise CollectionError(f"{genres_file}: missing; it is written beside the model by `python -m helpers train`")
    genres = json.loads(genres_file.read_text())
    results = []
    for file in options.files:
        features = song_features(Path(file), settings)
        if len(features) == 0:
            raise AudioError(f"{file}: shorter than one piece ({settings.segment_width / settings.sample_rate:.1f} s)")
        mean = predict_proba(model, features[..., None]).mean(axis=0)
        best = int(mean.argmax())
        print(f"{file}: {genres[best]} ({mean[best]:.0%})")
        results.append({"file": str(file), "genre": genres[best], "confidence": float(mean[best])})
    return {"predictions": results}


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m helpers", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = main.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="write the synthesised demo collection into an empty folder")
    demo.add_argument("--tracks", type=Path, help="the folder (default: TRACKS_DIR or tracks/)")
    train = commands.add_parser("train", help="build the dataset, split by song, train, test, save the model")
    evaluate = commands.add_parser("evaluate", help="cross-validate by song: mean and spread over folds")
    for command, choices in ((train, MODELS), (evaluate, EVALUATED)):
        command.add_argument("--tracks", type=Path, help="folder of genre folders (default: TRACKS_DIR or tracks/)")
        command.add_argument("--model", choices=choices, default="original",
                             help="original (the tutorial's CNN, notebook 05) or improved (notebook 09)"
                             + (", or baseline (per-mel-band statistics and logistic regression, notebook 07)"
                                if command is evaluate else "") + "; default: original")
        command.add_argument("--epochs", type=int, help="training epochs of the original model, the most epochs of "
                             "the improved one, which stops early (default: EPOCHS or 10; MAX_EPOCHS or 20)")
    train.add_argument("--out", type=Path, help="where to save the model (default: MODELS_DIR or models/)")
    evaluate.add_argument("--folds", type=int, help="folds of songs (default: FOLDS or 3)")
    evaluate.add_argument("--split", choices=SPLITS, default="song",
                          help="song: folds of whole songs (honest); piece: the original tutorial's random split "
                          "over pieces, whose folds share songs and leak (default: song)")
    predict = commands.add_parser("predict", help="the genre of each audio file, from a model saved by `train`")
    predict.add_argument("model", type=Path, help="a .keras file saved by `python -m helpers train`")
    predict.add_argument("files", nargs="+", type=Path, help="audio files")
    return main


def main(argv: list[str] | None = None) -> int:
    options = parser().parse_args(argv)
    command = {"demo": cmd_demo, "train": cmd_train, "evaluate": cmd_evaluate, "predict": cmd_predict}[options.command]
    try:
        result = command(options)
    except (CollectionError, AudioError, ValueError) as error:
        print(f"error: {str(error).splitlines()[0]}", file=sys.stderr)  # one line; the details are in the notebooks
        return 1
    if options.command in ("train", "evaluate"):
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
