"""How fast helpers.pretrained.musicnn embeds songs: seconds of audio per second of wall time (the realtime
factor), decoding included, with TensorFlow's default threads (all cores) and with one thread.

    python -m helpers demo --tracks /tmp/demo_tracks     # the demo collection, about 2 minutes
    python benchmarks/musicnn_speed.py /tmp/demo_tracks

Each run embeds every song without the embedding cache (a fresh temporary cache, the converted
weights taken from the series' cache), then prints the realtime factor and where the time went
in one pass over the songs done step by step: decoding (load_song at 16 kHz), musicnn's input
(mel spectrogram), the network. The thread count is fixed when TensorFlow starts, so each
setting runs in its own process.

Measured 2026-12-06 on the 32 demo songs (2440 s of audio), 2-core x86 with AVX-512, while
another job kept the machine at a load average of 6-7 (so the 2-thread figure is not a fair
2-core measurement: with the second core taken, 2 threads ran slower than 1):

    one thread:          60x realtime (decode 517x, mel 1279x, network 80x)
    TensorFlow default:  49x realtime (decode 288x, mel 542x, network 68x)

The target of 150x on 2 cores is not met. The network is the cost, and it is compute-bound:
1.4 G multiply-adds per patch (the timbral filters 7x38 and 7x67 over 59 and 30 frequency
positions take 1.1 G of them), which oneDNN runs at about 75 GFLOP/s on one core (38 ms per
3-second patch). 150x is 50 patches a second, 140 GFLOP/s for the network alone: beyond two
cores in float32. Batch sizes of 16 to 128 make no difference; XLA (jit_compile) is 2.5x
slower. Lower precision (bfloat16) would be faster but no longer musicnn's numbers.
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


def measure(tracks: Path) -> None:
    """Embed every song of `tracks` once (after one warm-up song) and print the timings."""
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
        embed_songs(songs, settings=settings.replace(cache_dir=Path(cache)), progress=False)
        wall = time.perf_counter() - start
    steps = {"decode": 0.0, "mel": 0.0, "network": 0.0}
    for song in songs:
        t0 = time.perf_counter()
        signal = load_song(song, sample_rate=SAMPLE_RATE)
        t1 = time.perf_counter()
        batch = patches(musicnn_input(signal))
        t2 = time.perf_counter()
        predict_patches(model, batch)
        t3 = time.perf_counter()
        steps["decode"] += t1 - t0
        steps["mel"] += t2 - t1
        steps["network"] += t3 - t2
    threads = os.environ.get("TF_NUM_INTRAOP_THREADS", "TensorFlow's default")
    print(f"threads {threads} ({os.cpu_count()} cores): {len(songs)} songs, {seconds:.0f} s of audio in {wall:.1f} s: "
          f"{seconds / wall:.0f}x realtime; step by step: " +
          ", ".join(f"{name} {value:.1f} s ({seconds / value:.0f}x)" for name, value in steps.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tracks", type=Path, help="a folder of songs, e.g. /tmp/demo_tracks")
    parser.add_argument("--threads", help="measure with this TF_NUM_INTRAOP_THREADS only (in this process)")
    args = parser.parse_args()
    if args.threads is not None:
        measure(args.tracks)
        return
    for threads in ("", "1"):  # "": TensorFlow's default, one thread per core
        env = {key: value for key, value in os.environ.items() if key not in ("TF_NUM_INTRAOP_THREADS", "OMP_NUM_THREADS")}
        if threads:
            env.update(TF_NUM_INTRAOP_THREADS=threads, OMP_NUM_THREADS=threads)
        subprocess.run([sys.executable, __file__, str(args.tracks), "--threads", threads or "default"], env=env, check=True)


if __name__ == "__main__":
    main()
