"""The series headless: ``python -m helpers demo|train|evaluate|predict|fetch-open-music``.

Each command calls the same helpers the notebooks teach; nothing here is written twice.
`train` and `evaluate` end with one line of JSON, for scripts and scheduled jobs.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np

from . import accuracies, build_dataset, ensure_songs, load_settings, predict_proba, song_features, song_verdict, split_by_song
from .plumbing.errors import InputError
from .split import cross_validation_folds

MODELS = ("original", "improved", "musicnn", "features")
"""The models the CLI can train: helpers.model.MODELS (notebooks 05 and 09), each saved under its
builder's name as the notebooks save it (models/original_cnn.keras, models/improved_cnn.keras),
the pretrained musicnn's embeddings with a scikit-learn classifier (helpers/pretrained/transfer.py, notebook 11),
saved as models/musicnn.json, and each song's tempo, key and timbre with a scikit-learn classifier
(helpers/musical_features.py, notebook 13), saved as models/features.json."""

EVALUATED = (*MODELS, "musicnn-tuned", "baseline")
"""What `evaluate` can cross-validate: the models above, musicnn's back end fine-tuned
(helpers/pretrained/fine_tune.py, notebook 11), and the classical baseline (helpers.baseline, notebook 07)."""

SPLITS = ("song", "piece")
"""How `evaluate` deals its folds: by song (honest), or the original tutorial's random split over pieces (leaks)."""


def _settings(options):
    overrides = {"tracks_dir": options.tracks} if getattr(options, "tracks", None) else {}
    if getattr(options, "epochs", None):  # the original's epochs; the improved model's most epochs
        overrides["epochs"] = overrides["max_epochs"] = options.epochs
    if getattr(options, "folds", None):
        overrides["folds"] = options.folds
    if getattr(options, "seed", None) is not None:
        overrides["seed"] = options.seed
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


def _scores_line(scores: dict) -> str:
    """Each accuracy with its chance level (what always answering the commonest genre scores)."""
    return (f"song accuracy {scores['song_accuracy']:.3f} (chance {scores['song_chance']:.3f}), balanced "
            f"{scores['song_balanced_accuracy']:.3f} (chance {scores['balanced_chance']:.3f}), piece accuracy "
            f"{scores['piece_accuracy']:.3f} (chance {scores['piece_chance']:.3f})")


def cmd_train(options) -> dict:
    settings = _settings(options)
    dataset = build_dataset(settings, progress=False)
    print(dataset.summary())
    split = split_by_song(dataset.y, dataset.groups, dataset.genres, seed=settings.seed, song_names=dataset.song_names)
    if options.model == "musicnn":
        return _train_transfer(dataset, split, settings)
    if options.model == "features":
        return _train_features(dataset, split, settings)
    from .plumbing.runs import run_spec
    from .train import train_or_load  # TensorFlow, once the data is usable

    build = _build(options.model)
    model, _ = train_or_load(run_spec(build, settings), dataset, split, settings)  # the notebooks' model and file
    path = Path(settings.models_dir) / f"{build.__name__}.keras"
    scores = accuracies(predict_proba(model, dataset.X[split.test]), dataset.y[split.test], dataset.groups[split.test])
    print(f"test songs: {scores['songs']}, {_scores_line(scores)}; model saved to {path}")
    return {"genres": dataset.genres, "songs": len(dataset.songs), "pieces": int(len(dataset.y)),
            **{key: value for key, value in scores.items() if key not in ("songs", "pieces")},
            "test_songs": scores["songs"], "model": str(path), "skipped": _skipped(dataset)}


def _train_transfer(dataset, split, settings) -> dict:
    """`train --model musicnn`: the classifier on the embeddings of the training and validation songs."""
    import numpy as np

    from .labels import song_truth
    from .pretrained.transfer import embedding_dataset, fit_transfer, predict_transfer, save_transfer, transfer_record

    embedded = embedding_dataset(dataset, settings, progress=False)
    seen_songs = np.unique(dataset.groups[np.concatenate([split.train, split.validation])])
    test_songs = np.unique(dataset.groups[split.test])
    seen, test = np.flatnonzero(np.isin(embedded.groups, seen_songs)), np.flatnonzero(np.isin(embedded.groups, test_songs))
    classifier = fit_transfer(embedded, seen, seed=settings.seed)
    proba = predict_transfer(classifier, embedded.X[test], embedded.groups[test], len(dataset.genres))
    songs, truth = song_truth(embedded.y[test], embedded.groups[test])
    scores = accuracies(proba, truth, songs)
    path = Path(settings.models_dir) / "musicnn.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    save_transfer(classifier, path, transfer_record(dataset.genres, [dataset.song_names[s] for s in seen_songs]))
    print(f"test songs: {scores['songs']}, {_scores_line(scores)}; model saved to {path}")
    return {"genres": dataset.genres, "songs": len(dataset.songs), "pieces": int(len(embedded.y)),
            **{key: value for key, value in scores.items() if key not in ("songs", "pieces")},
            "test_songs": scores["songs"], "model": str(path), "skipped": _skipped(dataset)}


def _train_features(dataset, split, settings) -> dict:
    """`train --model features`: the classifier on the musical features of the training and validation songs."""
    from .musical_features import features_classifier, features_record, musical_dataset
    from .plumbing.saved import save_classifier

    described = musical_dataset(dataset, settings, progress=False)  # one row per song
    seen_songs = np.unique(dataset.groups[np.concatenate([split.train, split.validation])])
    test_songs = np.unique(dataset.groups[split.test])
    classifier = features_classifier(settings.seed).fit(described.X[seen_songs], described.y[seen_songs])
    proba = np.zeros((len(test_songs), len(dataset.genres)))
    proba[:, classifier.classes_] = classifier.predict_proba(described.X[test_songs])
    scores = accuracies(proba, described.y[test_songs], test_songs)
    path = Path(settings.models_dir) / "features.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    save_classifier(classifier, path, features_record(dataset.genres, [dataset.song_names[s] for s in seen_songs], settings))
    print(f"test songs: {scores['songs']}, {_scores_line(scores)}; model saved to {path}")
    return {"genres": dataset.genres, "songs": len(dataset.songs), "pieces": int(len(dataset.y)),
            **{key: value for key, value in scores.items() if key not in ("songs", "pieces")},
            "test_songs": scores["songs"], "model": str(path), "skipped": _skipped(dataset)}


ROW_MODELS = ("baseline", "features", "musicnn", "musicnn-tuned")
"""The models `evaluate` cross-validates without a Keras training loop of the series' CNNs."""


def _rows_and_validation(model: str, dataset, settings, split_by: str):
    """What `model` is cross-validated on and how: (its rows, a function (rows, splits) -> folds, its epochs).
    The baseline uses the pieces' spectrograms; musicnn one row per 3-s patch (its embedding), its fine-tuned
    back end one per patch of the frozen mid end's output, the features model one per song."""
    from functools import partial

    if model == "musicnn":
        from .pretrained.transfer import cross_validate_transfer, embedding_dataset

        return embedding_dataset(dataset, settings, progress=False), partial(cross_validate_transfer, seed=settings.seed), 0
    if model == "musicnn-tuned":
        from .pretrained.fine_tune import EPOCHS, cross_validate_fine_tuned, pooled_dataset

        return (pooled_dataset(dataset, settings, progress=False),
                partial(cross_validate_fine_tuned, seed=settings.seed, cache_dir=settings.cache_dir), EPOCHS)
    if model == "features":
        from .musical_features import cross_validate_features, musical_dataset

        if split_by == "piece":
            raise InputError("--model features describes whole songs, so it has no pieces to split: use --split song")
        return musical_dataset(dataset, settings, progress=False), partial(cross_validate_features, seed=settings.seed), 0
    if model == "baseline":
        from .baseline import cross_validate_baseline

        return dataset, partial(cross_validate_baseline, seed=settings.seed), 0
    raise ValueError(f"{model!r} is none of {', '.join(ROW_MODELS)}")


def cmd_evaluate(options) -> dict:
    started = time.perf_counter()
    settings = _settings(options)
    dataset = build_dataset(settings, progress=False)
    print(dataset.summary())
    split_by, group = options.split, options.group
    # split "piece" is the original tutorial's split: it leaks, kept to measure by how much. Dealt on the
    # pieces first, so a split the collection cannot make stops here, before any embedding is computed.
    splits = cross_validation_folds(dataset, settings.folds, settings.seed, split=split_by, group=group)
    if options.model in ROW_MODELS:  # trained in seconds, on rows of their own: no training loop, no epochs
        rows, validate, epochs = _rows_and_validation(options.model, dataset, settings, split_by)
        if rows is not dataset:
            splits = cross_validation_folds(rows, settings.folds, settings.seed, split=split_by, group=group)
        folds = [{**fold, "epochs": epochs, "seconds_per_epoch": 0.0} for fold in validate(rows, splits)]
        dataset = rows
    else:
        from .plumbing.runs import run_spec
        from .train import cross_validate

        build = _build(options.model)
        name = build.__name__ if split_by == "song" else f"{build.__name__}_split_over_pieces"
        folds = cross_validate(run_spec(build, settings), dataset, splits, settings, name, progress=True)
    pieces = [fold["piece_accuracy"] for fold in folds]
    songs = [fold["song_accuracy"] for fold in folds]
    balanced = [fold["song_balanced_accuracy"] for fold in folds]
    seconds = sum(fold["seconds_per_epoch"] for fold in folds) / len(folds)
    chance = {key: sum(fold[key] for fold in folds) / len(folds) for key in ("song_chance", "balanced_chance",
                                                                             "piece_chance")}
    held_out = "whole sources" if group == "source" else f"{split_by}s"
    print(f"{options.model}, folds of {held_out}: song accuracy {sum(songs) / len(songs):.3f} (chance {chance['song_chance']:.3f}; folds: "
          f"{', '.join(f'{a:.3f}' for a in songs)}), balanced {sum(balanced) / len(balanced):.3f} "
          f"(chance {chance['balanced_chance']:.3f}), {seconds:.1f} s per epoch")
    return {"genres": dataset.genres, "songs": len(dataset.songs), "pieces": int(len(dataset.y)),
            "model": options.model, "split": split_by, "group": group,
            "piece_accuracy": sum(pieces) / len(pieces), "song_accuracy": sum(songs) / len(songs),
            "song_balanced_accuracy": sum(balanced) / len(balanced), **chance,
            "piece_accuracy_per_fold": pieces, "song_accuracy_per_fold": songs,
            "test_songs_per_fold": [fold["songs"] for fold in folds],
            "epochs_per_fold": [fold["epochs"] for fold in folds], "seconds_per_epoch": seconds,
            "seed": settings.seed, "seconds": round(time.perf_counter() - started, 1), "skipped": _skipped(dataset)}


def cmd_fetch_open_music(options) -> dict:
    from .data.open_music import DEFAULT_FOLDER, fetch_open_music

    tracks = options.tracks or DEFAULT_FOLDER
    fetched = fetch_open_music(tracks, options.cache)
    print(fetched.summary())
    for line in fetched.dropped:
        print(f"  not kept: {line}")
    print(f"the open-music collection is in {tracks} (licences in {Path(tracks) / 'LICENSES'}); evaluate it with "
          f"python -m helpers evaluate --tracks {tracks} --group source")
    return {"songs": fetched.songs, "seconds": fetched.seconds, "dropped": fetched.dropped}


def _saved_kind(path: Path) -> str:
    """"musicnn" or "features" for a .json model file (its record says), "keras" otherwise."""
    if Path(path).suffix != ".json":
        return "keras"
    try:
        return json.loads(Path(path).read_text())["record"]["model"]
    except (OSError, ValueError, KeyError, TypeError):
        return "musicnn"  # load_transfer names the file and what is wrong with it


def cmd_predict(options) -> dict:
    kind = _saved_kind(options.model)
    if kind == "features":  # saved by `train --model features`
        from .musical_features import describe_songs, features_classifier
        from .plumbing.saved import load_classifier

        classifier, record = load_classifier(options.model, features_classifier(), "features")
        genres = record["genres"]
        settings = load_settings().replace(**record["feature_settings"])

        def answer(file: Path) -> dict:
            (described,) = describe_songs([file], settings, progress=False)
            if isinstance(described, str):
                raise InputError(f"{file}: {described}")
            proba = np.zeros(len(genres))
            proba[classifier.classes_] = classifier.predict_proba(described[None])[0]
            verdict = int(np.argmax(proba))
            print(f"{file}: {genres[verdict]} (probability {proba[verdict]:.0%}, from its tempo, key and timbre)")
            return {"file": str(file), "genre": genres[verdict], "probability": float(proba[verdict])}
    elif kind != "keras":  # saved by `train --model musicnn`
        from .pretrained.transfer import load_transfer, predict_transfer

        classifier, record = load_transfer(options.model)
        genres, settings = record["genres"], load_settings()

        def answer(file: Path) -> dict:
            from .pretrained.musicnn import embed_songs

            (patches,) = embed_songs([file], record["network"], record["layer"], settings, progress=False)
            if len(patches) == 0:
                raise InputError(f"{file}: shorter than one 3-second patch")
            proba = predict_transfer(classifier, patches, np.zeros(len(patches), dtype=int), len(genres))[0]
            verdict = int(np.argmax(proba))
            print(f"{file}: {genres[verdict]} (probability {proba[verdict]:.0%}, from {len(patches)} patches of 3 s)")
            return {"file": str(file), "genre": genres[verdict], "patches": len(patches), "probability": float(proba[verdict])}
    else:
        from .plumbing.saved import load_model, load_record

        model = load_model(options.model)
        record = load_record(options.model)  # the model's own genres and feature settings, not today's
        settings = load_settings().replace(**record["spec"]["features"])
        genres = record["genres"]

        def answer(file: Path) -> dict:
            features = song_features(Path(file), settings)
            if len(features) == 0:
                raise InputError(f"{file}: shorter than one piece ({settings.segment_width / settings.sample_rate:.1f} s)")
            verdict, votes, mean = song_verdict(predict_proba(model, features[..., None]))  # notebook 08's rule
            print(f"{file}: {genres[verdict]} ({votes} of {len(features)} pieces, mean probability {mean:.0%})")
            return {"file": str(file), "genre": genres[verdict], "votes": votes, "pieces": len(features),
                    "mean_probability": mean}

    results, failed = [], []
    for file in options.files:  # a file that cannot be used is named, and the others still get their answer
        try:
            results.append(answer(Path(file)))
        except InputError as error:
            print(f"{file}: skipped, {str(error).splitlines()[0]}", file=sys.stderr)
            failed.append({"file": str(file), "reason": str(error).splitlines()[0]})
    if not results:
        raise InputError(f"none of the {len(options.files)} file(s) could be used: {failed[0]['reason']}")
    return {"predictions": results, "skipped": failed}


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m helpers", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    traceback_help = "on a bad folder, file or setting, show the full traceback instead of one line"
    main.add_argument("--traceback", action="store_true", help=traceback_help)
    anywhere = argparse.ArgumentParser(add_help=False)  # --traceback after the command works too
    anywhere.add_argument("--traceback", action="store_true", default=argparse.SUPPRESS, help=traceback_help)
    commands = main.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", parents=[anywhere], help="write the synthesised demo collection into an empty folder")
    demo.add_argument("--tracks", type=Path, help="the folder (default: TRACKS_DIR or tracks/)")
    train = commands.add_parser("train", parents=[anywhere], help="build the dataset, split by song, train, test, save the model")
    evaluate = commands.add_parser("evaluate", parents=[anywhere], help="cross-validate by song: mean and spread over folds")
    for command, choices in ((train, MODELS), (evaluate, EVALUATED)):
        command.add_argument("--tracks", type=Path, help="folder of genre folders (default: TRACKS_DIR or tracks/)")
        command.add_argument("--model", choices=choices, default="original",
                             help="original (the tutorial's CNN, notebook 05), improved (notebook 09), musicnn "
                             "(a pretrained network's embeddings and a small classifier, notebook 11), features "
                             "(each song's tempo, key and timbre and a small classifier, notebook 13)"
                             + (", or baseline (per-mel-band statistics and logistic regression, notebook 07)"
                                if command is evaluate else "")
                             + (", musicnn-tuned (musicnn's back end fine-tuned, notebook 11)" if command is evaluate else "")
                             + "; default: original")
        command.add_argument("--epochs", type=int, help="training epochs of the original model, the most epochs of "
                             "the improved one, which stops early (default: EPOCHS or 10; MAX_EPOCHS or 20)")
    train.add_argument("--out", type=Path, help="where to save the model (default: MODELS_DIR or models/)")
    evaluate.add_argument("--folds", type=int, help="folds of songs (default: FOLDS or 3)")
    evaluate.add_argument("--seed", type=int, help="deals the folds and starts the models' weights (default: SEED or 42)")
    evaluate.add_argument("--split", choices=SPLITS, default="song",
                          help="song: folds of whole songs (honest); piece: the original tutorial's random split "
                          "over pieces, whose folds share songs and leak (default: song)")
    evaluate.add_argument("--group", choices=("song", "source"), default="song",
                          help="what each fold holds out: song (default; a tune and its near-duplicate variants count "
                          "as one song) or source: whole games or artists, from file names `<source>__<title>` or "
                          "`<artist> - <title>` (helpers/sources.py), to find the artist effect")
    evaluate.add_argument("--record", type=Path, help="also append this run (its command and JSON) to a results file, "
                          "e.g. results/real_music.json, which notebook 10 reads")
    fetch = commands.add_parser("fetch-open-music", parents=[anywhere], help="build the openly licensed two-genre collection of real "
                                "game soundtracks from Debian packages (needs apt-get and dpkg-deb: Debian, Ubuntu, "
                                "Colab; downloads about 1.5 GB once)")
    fetch.add_argument("--tracks", type=Path, help="the folder to write it to, empty or new (default: open_music/)")
    fetch.add_argument("--cache", type=Path, help="where the downloaded packages are kept and reused "
                       "(default: .cache/debs/)")
    predict = commands.add_parser("predict", parents=[anywhere], help="the genre of each audio file (majority vote of its pieces), "
                                  "from a model saved by `train` or a notebook")
    predict.add_argument("model", type=Path, help="a model saved by `python -m helpers train` or by notebooks 06-09, "
                         "e.g. models/original_cnn.keras, models/musicnn.json or models/features.json")
    predict.add_argument("files", nargs="+", type=Path, help="audio files")
    return main


def main(argv: list[str] | None = None) -> int:
    options = parser().parse_args(argv)
    command = {"demo": cmd_demo, "train": cmd_train, "evaluate": cmd_evaluate, "predict": cmd_predict,
               "fetch-open-music": cmd_fetch_open_music}[options.command]
    try:
        result = command(options)
    except InputError as error:  # a bad folder, file, setting or model; anything else (a bug, in Keras or here) keeps its traceback
        if options.traceback:
            raise
        print(f"error: {str(error).splitlines()[0]}", file=sys.stderr)  # one line; the details are in the notebooks
        return 1
    if options.command in ("train", "evaluate"):
        print(json.dumps(result))
    if getattr(options, "record", None):
        from .plumbing.results import record_result

        record_result(options.record, shlex.join(["python", "-m", "helpers", *(sys.argv[1:] if argv is None else argv)]),
                      result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
