"""Results measured on a real collection, kept in a committed JSON file with the command that made each.

`python -m helpers evaluate ... --record results/real_music.json` appends its run to the file;
notebooks/10_real_music.ipynb reads the file and prints `results_table`, so every number about
real music in the series comes with the command that reproduces it.

Taught in notebooks/10_real_music.ipynb.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from .atomic import locked, write_text_atomically
from .errors import InputError
from ..settings import PROJECT_ROOT

REAL_MUSIC_RESULTS = PROJECT_ROOT / "results" / "real_music.json"
"""The committed results of `python -m helpers evaluate` on the open-music collection (folds dealt by seed 42)."""

REAL_MUSIC_SEEDS = PROJECT_ROOT / "results" / "real_music_seeds.json"
"""The same runs on folds dealt by seeds 1 and 2 (`evaluate --seed`), for means over three dealings."""


class ResultsFileError(InputError):
    """A results file that is damaged or holds something else; the message names it."""


def read_results(path: Path = REAL_MUSIC_RESULTS) -> list[dict]:
    """The runs recorded in `path`: each {"command", "date", "result"}; [] when there is no file yet.

    Raises:
        ResultsFileError: the file is there but damaged: never read as empty, which would let
            the next `record_result` write over every run it holds.
    """
    path = Path(path)
    try:
        runs = json.loads(path.read_text())["runs"]
        if not isinstance(runs, list):
            raise TypeError(f"'runs' is a {type(runs).__name__}")
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ResultsFileError(f"{path}: damaged, or not a file of recorded results ({type(error).__name__}: "
                               f"{error}); mend it (git restore {path.name}, if it is committed) or record elsewhere") from None
    return runs


def record_result(path: Path, command: str, result: dict) -> None:
    """Append one run (the command line and the JSON that `evaluate` printed) to `path`; a run of
    the very same command is replaced where it stands, so the runs keep their numbers. Written
    whole or not at all."""
    path = Path(path)
    run = {"command": command, "date": time.strftime("%Y-%m-%d"), "result": result}
    with locked(path):  # two runs recording at once both keep their run
        runs = read_results(path)
        same = [k for k, earlier in enumerate(runs) if earlier["command"] == command]
        if same:
            runs[same[0]] = run
        else:
            runs.append(run)
        write_text_atomically(path, json.dumps({"runs": runs}, indent=1) + "\n")


def _held_out(result: dict) -> str:
    """What each fold of a run held out: pieces (the leaky random split), songs, or sources."""
    return "pieces" if result.get("split") == "piece" else result.get("group", "song") + "s"


def results_table(path: Path = REAL_MUSIC_RESULTS) -> str:
    """One line per recorded run: model, how the folds held songs out, songs, folds, the song
    accuracy (mean, lowest and highest fold) beside its chance (always answering the genre most
    common among each fold's test songs), the balanced accuracy beside its chance; then each
    run's command.

    Taught in notebooks/10_real_music.ipynb.
    """
    runs = read_results(path)
    if not runs:
        return (f"No results measured yet: {Path(path).name} does not exist. Fetch the collection and run, e.g.,\n"
                f"  python -m helpers evaluate --tracks open_music --group source --record results/real_music.json")
    lines = [f"{'run':<4}{'model':<14}{'held out':<10}{'songs':>6}{'folds':>6}{'song acc.':>10}{'range':>14}"
             f"{'chance':>8}{'balanced':>10}{'chance':>8}"]
    for number, run in enumerate(runs, 1):
        result = run["result"]
        folds = result["song_accuracy_per_fold"]
        lines.append(f"{number:<4}{result.get('model', '?'):<14}{_held_out(result):<10}"
                     f"{result['songs']:>6}{len(folds):>6}{result['song_accuracy']:>10.3f}"
                     f"{f'{min(folds):.3f}-{max(folds):.3f}':>14}{result['song_chance']:>8.3f}"
                     f"{result['song_balanced_accuracy']:>10.3f}"
                     f"{result['balanced_chance']:>8.3f}")
    lines.append("")
    lines.extend(f"run {number}: {run['command']}  ({run['date']}{_took(run['result'])})"
                 for number, run in enumerate(runs, 1))
    return "\n".join(lines)


def _took(result: dict) -> str:
    """", 118 s": the run's wall time, where it was recorded (runs since issue 32)."""
    return f", {result['seconds']:.0f} s" if "seconds" in result else ""


def seeds_table(*paths: Path) -> str:
    """Each model's mean song accuracy over the runs of `paths` that differ only in the seed that
    dealt their folds (`evaluate --seed`): one line per model and what it held out, each seed's
    score (balanced accuracy in brackets) and their mean. One dealing of about a hundred songs
    into folds moves a score by a few hundredths; a mean over dealings moves less.

    Taught in notebooks/10_real_music.ipynb.
    """
    grouped: dict[tuple[str, str], dict[int, dict]] = {}
    for path in paths:
        for run in read_results(path):
            result = run["result"]
            if result.get("split") == "piece":
                continue
            grouped.setdefault((result["model"], _held_out(result)), {})[result.get("seed", 42)] = result
    seeds = sorted({seed for runs in grouped.values() for seed in runs}, key=lambda seed: (seed != 42, seed))
    lines = [f"{'model':<14}{'held out':<10}" + "".join(f"{f'seed {seed}':>16}" for seed in seeds) + f"{'mean':>16}"]
    for (model, held_out), runs in grouped.items():
        if set(runs) != set(seeds):
            continue  # measured on one dealing only: no mean to give
        cells = [f"{runs[s]['song_accuracy']:.3f} ({runs[s]['song_balanced_accuracy']:.3f})" for s in seeds]
        mean = sum(runs[s]["song_accuracy"] for s in seeds) / len(seeds)
        balanced = sum(runs[s]["song_balanced_accuracy"] for s in seeds) / len(seeds)
        lines.append(f"{model:<14}{held_out:<10}" + "".join(f"{cell:>16}" for cell in cells) + f"{f'{mean:.3f} ({balanced:.3f})':>16}")
    return "\n".join(lines)


def _run_of(model: str, held_out: str, path: Path) -> dict:
    """The result of the one recorded run of `model` that held out `held_out` (its seed's, when
    `path` holds one dealing per model); anything but one is an error naming the file."""
    found = [run["result"] for run in read_results(path)
             if run["result"].get("model") == model and _held_out(run["result"]) == held_out]
    if len(found) != 1:
        raise ValueError(f"{Path(path).name}: {len(found)} runs of model {model!r} holding out {held_out}, need one")
    return found[0]


def compare_runs(a: str, b: str, path: Path = REAL_MUSIC_RESULTS, held_out: str = "songs") -> dict:
    """Model `a` against model `b` on the recorded runs that held out `held_out` ("songs", "pieces"
    or "sources"): `helpers.compare_folds` on their song accuracies, fold by fold. Runs of one
    collection with the same number of folds share their folds (the same seed deals them), so
    the comparison is paired.

    Taught in notebooks/12_how_sure.ipynb.
    """
    from ..evaluate import compare_folds

    run_a, run_b = _run_of(a, held_out, path), _run_of(b, held_out, path)
    if run_a["test_songs_per_fold"] != run_b["test_songs_per_fold"] or run_a["songs"] != run_b["songs"]:
        raise ValueError(f"{Path(path).name}: the runs of {a!r} and {b!r} were not made on the same folds")
    return compare_folds(run_a["song_accuracy_per_fold"], run_b["song_accuracy_per_fold"])


def recorded_folds(model: str, held_out: str = "songs", path: Path = REAL_MUSIC_RESULTS) -> list[dict]:
    """The folds of the one recorded run of `model` that held out `held_out`, as
    `helpers.train.cross_validate` gives folds: per fold, "song_accuracy" and "songs" (its test
    songs), ready for `helpers.say_comparison`.

    Used in notebooks/10_real_music.ipynb and 11_transfer_learning.
    """
    run = _run_of(model, held_out, path)
    return [{"song_accuracy": accuracy, "songs": songs}
            for accuracy, songs in zip(run["song_accuracy_per_fold"], run["test_songs_per_fold"])]


def fold_by_fold(accuracy: list[float], recorded: list[dict]) -> str:
    """`accuracy` (one per fold) against a recorded run's folds (`helpers.train.saved_folds`) on the
    same folds, in words: each fold's difference, their mean and `helpers.compare_folds`' verdict.

    Used by the real-music scripts in benchmarks/.
    """
    from ..evaluate import compare_folds

    comparison = compare_folds(accuracy, [fold["song_accuracy"] for fold in recorded])
    return (f"fold by fold: {', '.join(f'{d:+.3f}' for d in comparison['per_fold'])}; "
            f"mean {comparison['difference']:+.3f}, p = {comparison['p']:.2f}: {comparison['verdict']}")
