"""How fast helpers.pretrained.musicnn embeds songs: seconds of audio per second of wall time (the realtime
factor), decoding and musicnn's input included, on one thread and on every core, measured in one run.

    python -m helpers demo --tracks /tmp/demo_tracks     # the demo collection, about 2 minutes
    python benchmarks/musicnn_speed.py /tmp/demo_tracks

Five settings, each in its own process (TensorFlow fixes its thread count when it starts), one after
the other (the last two processes at once) on the same songs, each embedding every song without the embedding cache (a fresh
temporary cache, the converted weights taken from the series' cache):

    one thread      TF_NUM_INTRAOP_THREADS=1, one song at a time (embed_songs(workers=1))
    default, 1 song TensorFlow's default threads (one per core), one song at a time: the series before
                    issue 32 (one song's small patches do not keep two cores busy)
    default         TensorFlow's default threads, one song per core at once (embed_songs's default)
    1 thread, 2 songs  TF_NUM_INTRAOP_THREADS=1, two songs at once (as CI's newest leg runs)
    2 processes     two independent one-thread processes at once, each embedding every song: what
                    the two cores allow at all, with nothing shared

It prints each realtime factor and each one's ratio to one thread: issue 32's target is 1.6 or
more on 2 cores. For the first setting it also prints where the time goes in a pass done step by
step: decoding (load_song at 16 kHz), musicnn's input (mel spectrogram), the network.
Measured numbers: benchmarks/README.md, "Transfer learning".
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(tracks: Path, workers: int, steps: bool) -> float:
    """Embed every song of `tracks` once (after one warm-up song); print and return the realtime factor."""
    sys.path.insert(0, str(ROOT))
    import soundfile as sf

    from helpers.load import load_song
    from helpers.pretrained.musicnn import SAMPLE_RATE, embed_songs, load_musicnn, musicnn_input, patches, predict_patches
    from helpers.settings import load_settings

    songs = sorted(p for p in tracks.rglob("*") if p.suffix.lower() in (".mp3", ".wav", ".ogg", ".flac"))
    seconds = sum(sf.info(p).duration for p in songs)
    settings = load_settings()
    model = load_musicnn(cache_dir=settings.cache_dir)  # converts the weights once, outside the timing
    predict_patches(model, patches(musicnn_input(load_song(songs[0], sample_rate=SAMPLE_RATE))))  # warm-up
    with tempfile.TemporaryDirectory() as cache:
        os.makedirs(Path(cache) / "pretrained")
        for name in ("MSD_musicnn-musicnn-0.1.0.weights.h5",):
            os.symlink(Path(settings.cache_dir) / "pretrained" / name, Path(cache) / "pretrained" / name)
        start = time.perf_counter()
        embed_songs(songs, settings=settings.replace(cache_dir=Path(cache)), progress=False, workers=workers)
        wall = time.perf_counter() - start
    threads = os.environ.get("TF_NUM_INTRAOP_THREADS", "TensorFlow's default")
    line = (f"threads {threads} ({os.cpu_count()} cores), {workers} song(s) at once: {len(songs)} songs, "
            f"{seconds:.0f} s of audio in {wall:.1f} s: {seconds / wall:.0f}x realtime")
    if steps:
        spent = {"decode": 0.0, "mel": 0.0, "network": 0.0}
        for song in songs:
            t0 = time.perf_counter()
            signal = load_song(song, sample_rate=SAMPLE_RATE)
            t1 = time.perf_counter()
            batch = patches(musicnn_input(signal))
            t2 = time.perf_counter()
            predict_patches(model, batch)
            t3 = time.perf_counter()
            spent["decode"] += t1 - t0
            spent["mel"] += t2 - t1
            spent["network"] += t3 - t2
        line += "; step by step: " + ", ".join(f"{name} {value:.1f} s ({seconds / value:.0f}x)"
                                                for name, value in spent.items())
    print(line, flush=True)
    return seconds / wall


SETTINGS = (("one thread", "1", 1), ("default, 1 song", "", 1), ("default", "", 0), ("1 thread, 2 songs", "1", 2))
"""(label, TF_NUM_INTRAOP_THREADS or "" for TensorFlow's default, workers or 0 for one per core)."""


def _measure_in(threads: str, workers: int, tracks: Path, steps: bool = False) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if key not in ("TF_NUM_INTRAOP_THREADS", "OMP_NUM_THREADS")}
    if threads:
        env.update(TF_NUM_INTRAOP_THREADS=threads, OMP_NUM_THREADS=threads)
    return subprocess.Popen([sys.executable, __file__, str(tracks), "--workers", str(workers)] + (["--steps"] if steps else []),
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def _result(process: subprocess.Popen) -> tuple[str, float]:
    out, _ = process.communicate()
    if process.returncode:
        raise SystemExit(f"a measurement failed (exit {process.returncode})")
    lines = out.splitlines()
    return lines[-2], float(lines[-1].split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tracks", type=Path, help="a folder of songs, e.g. /tmp/demo_tracks")
    parser.add_argument("--workers", type=int, help="measure in this process with this many songs at once")
    parser.add_argument("--steps", action="store_true", help="also time the steps one by one")
    args = parser.parse_args()
    if args.workers is not None:
        print(f"RESULT {measure(args.tracks, args.workers or os.cpu_count(), args.steps)}")
        return
    factors = {}
    for label, threads, workers in SETTINGS:
        line, factors[label] = _result(_measure_in(threads, workers, args.tracks, steps=label == "one thread"))
        print(f"{label:<18} {line}", flush=True)
    # What two cores can give at all: two independent one-thread processes, each embedding every song, at once.
    both = [_measure_in("1", 1, args.tracks) for _ in range(2)]
    ceiling = sum(_result(process)[1] for process in both)
    print(f"{'2 processes':<18} two one-thread processes at once, each every song: {ceiling:.0f}x realtime together")
    one = factors["one thread"]
    print("ratios over one thread: " + ", ".join(f"{label} {factors[label] / one:.2f}" for label in factors if label != "one thread")
          + f"; two independent processes {ceiling / one:.2f} (what these two cores allow)")


if __name__ == "__main__":
    main()
