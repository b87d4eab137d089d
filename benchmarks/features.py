"""How fast is feature extraction? The helpers against the straightforward loop, on the same files.

    python benchmarks/features.py                  # 200 synthetic songs of 60 s (made once, then reused)
    python benchmarks/features.py --tracks DIR     # the same measurement on any folder of songs
    python benchmarks/features.py --songs 40       # a smaller synthetic collection

Each phase runs in its own process, so its peak memory (resident set size) is its own:
  baseline  what the original tutorial implies: librosa.load each song, then
            librosa.feature.melspectrogram per piece in a Python loop, one song after another;
  cold      helpers.build_dataset with an empty cache (songs in parallel, one batched call per song);
  warm      helpers.build_dataset again, everything from the cache;
  training  seconds per epoch (pieces per second) of the original and the improved CNN on these
            features (--no-training skips it; --training-only measures just this).
The last line printed is one JSON object with every number.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def make_collection(folder: Path, songs: int, seconds: float) -> None:
    """`songs` synthetic songs of `seconds` each, half silly_energy, half dramatic, as 44.1 kHz stereo MP3."""
    import soundfile as sf
    from joblib import Parallel, delayed

    from helpers.data.demo import RATE, synthesise_song

    def write(genre, index):
        path = folder / genre / f"{genre}_{index:03d}.mp3"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.partial")
            sf.write(tmp, synthesise_song(genre, 1234, index, seconds=seconds), RATE, format="MP3")
            os.replace(tmp, path)

    jobs = [(g, i) for i in range(songs // 2) for g in ("silly_energy", "dramatic")]
    Parallel(n_jobs=-1, prefer="threads")(delayed(write)(g, i) for g, i in jobs)  # as helpers/data/demo.py: no process start-up


def phase_baseline(tracks: Path) -> dict:
    import librosa
    import numpy as np

    from helpers import find_songs, load_settings

    settings = load_settings(tracks_dir=tracks)
    songs, _ = find_songs(tracks)
    audio_seconds, n = 0.0, 0
    start = time.perf_counter()
    for song in songs:
        y, sr = librosa.load(song.path, sr=settings.sample_rate)
        audio_seconds += len(y) / sr
        for k in range(len(y) // settings.segment_width):
            piece = y[k * settings.segment_width:(k + 1) * settings.segment_width]
            mel = librosa.feature.melspectrogram(y=piece, sr=sr, n_fft=settings.n_fft, hop_length=settings.hop_length,
                                                 n_mels=settings.n_mels)
            np.asarray(librosa.power_to_db(mel, ref=1.0))
            n += 1
    return {"seconds": time.perf_counter() - start, "audio_seconds": audio_seconds, "pieces": n}


def phase_dataset(tracks: Path, cache: Path) -> dict:
    from helpers import build_dataset, load_settings

    settings = load_settings(tracks_dir=tracks, cache_dir=cache)
    start = time.perf_counter()
    dataset = build_dataset(settings, progress=False)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "pieces": int(len(dataset.y)), "computed": dataset.computed, "songs": len(dataset.songs)}


def phase_training(tracks: Path, cache: Path, epochs: int = 2) -> dict:
    """Seconds per epoch of both models on the same training pieces, measured in turns
    (original, improved, original, improved) so that a busy moment of a shared machine
    does not land on one model only."""
    from helpers import build_dataset, load_settings, split_by_song
    from helpers.model import improved_cnn, original_cnn
    from helpers.plumbing.runs import run_spec
    from helpers.train import fit

    settings = load_settings(tracks_dir=tracks, cache_dir=cache)
    dataset = build_dataset(settings, progress=False)
    split = split_by_song(dataset.y, dataset.groups, dataset.genres)
    specs = {"original": run_spec(original_cnn, settings, patience=None),
             "improved": run_spec(improved_cnn, settings, patience=None)}  # every epoch, no early stop
    models = {name: spec.build(dataset.X.shape[1:], len(dataset.genres)) for name, spec in specs.items()}
    for name, model in models.items():
        fit(model, dataset, split, specs[name].with_plan(epochs=1))  # the first epoch includes tracing the graph: not timed
    seconds = {name: [] for name in models}
    for _ in range(2):
        for name, model in models.items():
            seconds[name] += fit(model, dataset, split, specs[name].with_plan(epochs=epochs))["seconds"]
    result = {"train_pieces": len(split.train)}
    for name, values in seconds.items():
        per_epoch = sum(values) / len(values)
        result[name] = {"seconds_per_epoch": per_epoch, "pieces_per_second": len(split.train) / per_epoch}
    return result


def peak_rss_mib() -> float:
    """This process's peak resident set size. Not getrusage's ru_maxrss: Linux keeps that across
    exec, so a phase started by a parent that had just synthesised the collection reported the parent's."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):  # not Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / (1024 if sys.platform == "darwin" else 1)


def run_phase(name: str, *args: str) -> dict:
    """Run one phase in a fresh Python process; its own peak RSS comes back with its numbers."""
    out = subprocess.run([sys.executable, __file__, "--phase", name, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tracks", type=Path, help="a folder of genre folders of songs (default: a synthetic collection)")
    parser.add_argument("--songs", type=int, default=200, help="songs in the synthetic collection (default 200)")
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds per synthetic song (default 60)")
    parser.add_argument("--no-training", action="store_true", help="skip the training measurement")
    parser.add_argument("--training-only", action="store_true", help="measure only the two models' training speed")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.phase:
        result = {"baseline": phase_baseline, "dataset": phase_dataset, "training": phase_training}[options.phase](
            *map(Path, options.args))
        result["peak_rss_mib"] = peak_rss_mib()
        print(json.dumps(result))
        return

    tracks = options.tracks
    if tracks is None:
        tracks = HERE / "data" / f"synthetic_{options.songs}x{options.seconds:g}s"
        start = time.perf_counter()
        make_collection(tracks, options.songs, options.seconds)
        print(f"collection: {tracks} (ready in {time.perf_counter() - start:.0f} s)")
    cache = Path(tempfile.mkdtemp(prefix="features-benchmark-"))
    if options.training_only:
        try:
            training = run_phase("training", str(tracks), str(cache))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        ratio = training["original"]["seconds_per_epoch"] / training["improved"]["seconds_per_epoch"]
        for name in ("original", "improved"):
            print(f"{name} CNN: {training[name]['seconds_per_epoch']:.1f} s per epoch, "
                  f"{training[name]['pieces_per_second']:.0f} pieces/s")
        print(json.dumps({**training, "improved_vs_original_per_epoch": round(ratio, 2)}))
        return
    try:
        baseline = run_phase("baseline", str(tracks))
        cold = run_phase("dataset", str(tracks), str(cache))
        warm = run_phase("dataset", str(tracks), str(cache))
        training = None if options.no_training else run_phase("training", str(tracks), str(cache))
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    audio = baseline["audio_seconds"]
    result = {
        "cores": os.cpu_count(), "songs": cold["songs"], "pieces": cold["pieces"], "audio_seconds": round(audio, 1),
        "baseline_seconds": round(baseline["seconds"], 2), "cold_seconds": round(cold["seconds"], 2),
        "warm_seconds": round(warm["seconds"], 3),
        "baseline_x_realtime": round(audio / baseline["seconds"], 1), "cold_x_realtime": round(audio / cold["seconds"], 1),
        "warm_x_realtime": round(audio / warm["seconds"], 1),
        "cold_vs_baseline": round(baseline["seconds"] / cold["seconds"], 2), "warm_vs_cold": round(cold["seconds"] / warm["seconds"], 1),
        "peak_rss_mib": round(max(baseline["peak_rss_mib"], cold["peak_rss_mib"], warm["peak_rss_mib"]), 0),
        "peak_rss_mib_by_phase": {"baseline": round(baseline["peak_rss_mib"]), "cold": round(cold["peak_rss_mib"]),
                                  "warm": round(warm["peak_rss_mib"])},
    }
    if training:
        for name in ("original", "improved"):
            result[f"{name}_cnn_seconds_per_epoch"] = round(training[name]["seconds_per_epoch"], 2)
            result[f"{name}_cnn_pieces_per_second"] = round(training[name]["pieces_per_second"], 1)
        result["improved_vs_original_per_epoch"] = round(
            training["original"]["seconds_per_epoch"] / training["improved"]["seconds_per_epoch"], 2)
    print(f"{result['songs']} songs, {audio / 3600:.2f} h of audio, {result['pieces']} pieces, {result['cores']} cores")
    print(f"{'':<10}{'seconds':>10}{'x realtime':>12}{'peak MiB':>10}")
    for name, phase in (("baseline", baseline), ("cold", cold), ("warm", warm)):
        print(f"{name:<10}{phase['seconds']:>10.2f}{audio / phase['seconds']:>12.1f}{phase['peak_rss_mib']:>10.0f}")
    print(f"cold vs baseline: {result['cold_vs_baseline']}x faster; warm vs cold: {result['warm_vs_cold']}x faster")
    if training:
        for name in ("original", "improved"):
            print(f"{name} CNN: {training[name]['seconds_per_epoch']:.1f} s per epoch, "
                  f"{training[name]['pieces_per_second']:.0f} pieces/s")
        print(f"the improved CNN trains {result['improved_vs_original_per_epoch']}x faster per epoch")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
