"""musicnn's own TensorFlow 1 code on a few patches: the reference that proves helpers/pretrained/musicnn.py
(its Keras 3 rebuild) equal to the original. Writes tests/data/musicnn_reference.npz, which
tests/test_musicnn.py checks.

musicnn 0.1.0 pins numpy<1.17, so it runs in a throwaway virtual environment, installed without
its dependencies, never in the series' one:

    python3 -m venv /work/venv-musicnn-orig
    /work/venv-musicnn-orig/bin/pip install "tensorflow==2.21.*" "tf-keras==2.21.*" librosa
    /work/venv-musicnn-orig/bin/pip install --no-deps musicnn==0.1.0
    TF_USE_LEGACY_KERAS=1 /work/venv-musicnn-orig/bin/python benchmarks/musicnn_reference.py

(TF_USE_LEGACY_KERAS=1, which the script also sets itself, makes tf.compat.v1.layers, which
musicnn's models.py uses, run on tf-keras.) musicnn's code runs unchanged under TensorFlow 2.21
and numpy 2: no shims are needed. What runs is musicnn's own: its input (extractor.batch_data:
librosa.load at 16 kHz, librosa's mel spectrogram, float16, log10(1 + 10000 S), patches of 187
frames), its graph (models.define_model) and its checkpoint, restored by tf.compat.v1's Saver,
as extractor.extractor does. The graph is evaluated here on all patches at once rather than
through extractor.extractor, whose loop over batches gathers later batches' mid-end features
from the first batch (a bug of musicnn 0.1.0) and whose penultimate output then fails.

The reference signal is synthesised (three chords with harmonics, a noise snare, a bass line:
9 s at 16 kHz, stored as 16-bit samples) and quiet enough that musicnn's float16 does not
overflow. The file holds the signal, musicnn's input patches (3 x 187 x 96) and, for
MSD_musicnn and MTT_musicnn, the taggram, penultimate, mean_pool and max_pool of each patch.

Whole songs, through musicnn's own code from file to outputs (script-only check):

    TF_USE_LEGACY_KERAS=1 /work/venv-musicnn-orig/bin/python benchmarks/musicnn_reference.py \\
        --songs /tmp/demo_tracks/*/*.mp3 --out /tmp/musicnn_original_songs.npz
    python benchmarks/musicnn_reference.py --compare /tmp/musicnn_original_songs.npz   # the series' venv

The second command runs helpers.pretrained.musicnn on the same files and prints the largest absolute
differences per output.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "tests" / "data" / "musicnn_reference.npz"
MODELS = ("MSD_musicnn", "MTT_musicnn")
OUTPUTS = ("taggram", "penultimate", "mean_pool", "max_pool")
SAMPLE_RATE = 16_000


def reference_signal(seconds: float = 9.0) -> np.ndarray:
    """Deterministic music-like test signal: int16 array of shape (seconds * 16000,)."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    signal = np.zeros_like(t)
    for k, root in enumerate((220.0, 261.6, 196.0)):  # one chord per 3 s
        part = (t >= 3 * k) & (t < 3 * k + 3)
        for ratio in (1.0, 1.26, 1.5):
            for harmonic in range(1, 6):
                signal[part] += np.sin(2 * np.pi * root * ratio * harmonic * t[part]) / harmonic
    beat = (t % 0.5) < 0.08  # a noise snare twice a second
    signal += 0.8 * beat * np.random.default_rng(0).standard_normal(len(t)) * np.exp(-40 * (t % 0.5))
    signal += 1.5 * np.sin(2 * np.pi * 55 * (1 + (t // 1.5) % 2 * 0.5) * t)  # a bass line
    signal *= 0.25 / np.abs(signal).max()  # peak 0.25: loud, yet no float16 overflow in musicnn's input
    return np.round(signal * 32767).astype(np.int16)


def original_outputs(batch: np.ndarray, model: str) -> dict[str, np.ndarray]:
    """musicnn's own graph (models.define_model) with its checkpoint, on patches (n, 187, 96)."""
    import musicnn
    import tensorflow as tf
    from musicnn import configuration, models

    tf.compat.v1.disable_eager_execution()
    tf.compat.v1.reset_default_graph()
    labels = configuration.MSD_LABELS if "MSD" in model else configuration.MTT_LABELS
    with tf.name_scope("model"):
        x = tf.compat.v1.placeholder(tf.float32, [None, batch.shape[1], configuration.N_MELS])
        is_training = tf.compat.v1.placeholder(tf.bool)
        y, timbral, temporal, cnn1, cnn2, cnn3, mean_pool, max_pool, penultimate = models.define_model(
            x, is_training, model, len(labels))
        taggram = tf.nn.sigmoid(y)
    with tf.compat.v1.Session() as session:
        tf.compat.v1.train.Saver().restore(session, os.path.dirname(musicnn.__file__) + "/" + model + "/")
        values = session.run([taggram, penultimate, mean_pool, max_pool], feed_dict={x: batch, is_training: False})
    return dict(zip(OUTPUTS, values))


def write_reference() -> None:
    """The committed reference: signal, musicnn's input patches and both models' outputs."""
    import soundfile as sf
    from musicnn.extractor import batch_data

    signal = reference_signal()
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "reference.wav"
        sf.write(wav, signal, SAMPLE_RATE, subtype="PCM_16")
        batch, _ = batch_data(str(wav), 187, 187)
    arrays = {"signal": signal, "patches": batch.astype(np.float32)}
    for model in MODELS:
        arrays.update({f"{model}/{name}": value for name, value in original_outputs(arrays["patches"], model).items()})
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(REFERENCE, **arrays)
    print(f"{REFERENCE}: {REFERENCE.stat().st_size / 1e3:.0f} kB, patches {batch.shape}")


def original_songs(songs: list[str], out: Path, model: str) -> None:
    """musicnn's own input and graph on whole songs, from file to outputs; and its graph once
    more on the same input with the bins where musicnn's float16 overflowed to infinity
    computed in float32 (what helpers.pretrained.musicnn.musicnn_input does), to compare the networks."""
    import librosa
    from musicnn.extractor import batch_data

    arrays = {}
    for i, song in enumerate(songs):
        batch, _ = batch_data(song, 187, 187)
        audio, sr = librosa.load(song, sr=SAMPLE_RATE)  # batch_data's own lines, in float32
        mel = librosa.feature.melspectrogram(y=audio, sr=sr, hop_length=256, n_fft=512, n_mels=96).T
        exact = np.log10(10000 * mel + 1)
        finite = np.stack([np.where(np.isfinite(patch), patch, exact[k * 187:(k + 1) * 187]) for k, patch in enumerate(batch)])
        arrays[f"{i}/path"] = np.array(str(Path(song).resolve()))
        arrays[f"{i}/patches"] = batch.astype(np.float32)
        arrays.update({f"{i}/{name}": value for name, value in original_outputs(batch, model).items()})
        arrays.update({f"{i}/finite/{name}": value for name, value in original_outputs(finite.astype(np.float32), model).items()})
    np.savez(out, model=np.array(model), **arrays)
    print(f"{out}: {len(songs)} songs through musicnn's own code ({model})")


def compare(original: Path) -> None:
    """helpers.pretrained.musicnn on the songs `original_songs` saved: the largest absolute differences,
    against musicnn's graph on its own input (patches where that input is finite, and all
    patches) and on its input with float16's overflows computed in float32."""
    sys.path.insert(0, str(ROOT))
    from helpers.load import load_song
    from helpers.pretrained.musicnn import load_musicnn, musicnn_input, patches, predict_patches

    saved = np.load(original)
    model = load_musicnn(str(saved["model"]))
    rows = {"input where musicnn's is finite": {}, "patches whose musicnn input is finite": {},
            "all patches, musicnn's input as it is": {}, "all patches, musicnn's input without overflow": {}}
    n_patches = n_overflowing = 0
    for i in range(sum(key.endswith("/path") for key in saved.files)):
        path = str(saved[f"{i}/path"])
        ours = patches(musicnn_input(load_song(path, sample_rate=SAMPLE_RATE)))
        theirs = saved[f"{i}/patches"]
        if ours.shape != theirs.shape:
            print(f"{path}: {ours.shape[0]} patches here, {theirs.shape[0]} in musicnn (trimmed silence?): skipped")
            continue
        clean = np.isfinite(theirs).all(axis=(1, 2))
        n_patches, n_overflowing = n_patches + len(clean), n_overflowing + int((~clean).sum())
        outputs = predict_patches(model, ours)

        def worst(row, name, difference):
            rows[row][name] = max(rows[row].get(name, 0.0), float(np.abs(difference).max(initial=0.0)))

        worst("input where musicnn's is finite", "log-mel", (ours - theirs)[np.isfinite(theirs)])
        for name in OUTPUTS:
            worst("patches whose musicnn input is finite", name, (outputs[name] - saved[f"{i}/{name}"])[clean])
            worst("all patches, musicnn's input as it is", name, outputs[name] - saved[f"{i}/{name}"])
            worst("all patches, musicnn's input without overflow", name, outputs[name] - saved[f"{i}/finite/{name}"])
    print(f"{saved['model']}: {n_patches} patches, {n_overflowing} of them with float16 overflow in musicnn's input")
    for row, values in rows.items():
        print(f"  largest absolute difference, {row}: " + ", ".join(f"{k} {v:.2g}" for k, v in values.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--songs", nargs="+", help="run musicnn's own code on these songs instead")
    parser.add_argument("--model", default="MSD_musicnn", choices=MODELS)
    parser.add_argument("--out", type=Path, default=Path("/tmp/musicnn_original_songs.npz"))
    parser.add_argument("--compare", type=Path, help="in the series' venv: compare helpers.pretrained.musicnn with this file")
    args = parser.parse_args()
    if args.compare:
        compare(args.compare)
        return
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    if args.songs:
        original_songs(args.songs, args.out, args.model)
    else:
        write_reference()


if __name__ == "__main__":
    main()
