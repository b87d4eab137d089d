"""musicnn, a music tagger pretrained on real music, rebuilt in Keras 3: its tags and its
embeddings (the activations of a layer) for every 3-second patch of a song.

musicnn (Jordi Pons and Xavier Serra, "musicnn: pre-trained convolutional neural networks for
music audio tagging", ISMIR 2019 late-breaking demo, https://github.com/jordipons/musicnn) was
trained to give 50 tags to 3-second excerpts of songs. Its own code is TensorFlow 1 and pins
numpy<1.17, so it cannot be installed beside the series. This module is the same network,
written out in Keras 3 layers from musicnn's models.py, with musicnn's own input (extractor.py)
and its trained weights, read from its TensorFlow 1 checkpoint and converted once.

    spectrogram patch (187 frames x 96 mel bands, log10(1 + 10000 S))
      front end: batch norm of the input; timbral filters 7 frames x 38 and x 67 bands,
                 temporal filters 128, 64 and 32 frames x 1 band; each max-pooled over frequency
      mid end:   three convolutions of 7 frames, 64 filters, the last two with residual connections
      back end:  max and mean over time ("max_pool", "mean_pool", 753 each), dense 200
                 ("penultimate"), dense 50 with a sigmoid ("taggram")

Models: "MSD_musicnn" (the default) and "MTT_musicnn", the same architecture with other
weights and tags. The rule for the default: MSD_musicnn was trained on the larger collection
(the Million Song Dataset, about 200 000 songs, against MagnaTagATune's 25 000 clips), and its
tags include genres and moods ("rock", "jazz", "Hip-Hop", "Mellow", "sad"), which is what a
genre classifier builds on. The default layer is "penultimate" (200 values per patch), the
layer that feeds the tags: most general, and small.

Weights: the musicnn 0.1.0 wheel from PyPI (by package name, never from a model hub), checked
against a pinned SHA-256, kept in `<cache_dir>/pretrained/`, downloaded once; each model's
checkpoint is converted once to a Keras weights file beside it. When the wheel is missing and
pip cannot fetch it, `PretrainedWeightsError` (helpers.plumbing.errors.InputError) names the file, the pip command
and where to put it.

Licence of musicnn and its weights: ISC, "Copyright (c) Music Technology Group, Universitat
Pompeu Fabra 2019. Code developed by Jordi Pons". Please cite: J. Pons and X. Serra, musicnn:
pre-trained convolutional neural networks for music audio tagging, ISMIR 2019 LBD,
arXiv:1909.06654.

tests/test_musicnn.py proves the Keras model equal to musicnn's own TensorFlow 1 graph on the
patches in tests/data/musicnn_reference.npz (made by benchmarks/musicnn_reference.py).

Imports TensorFlow: `from helpers.pretrained.musicnn import ...`. Written for the transfer-learning notebook.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import librosa
import numpy as np

from ..plumbing.atomic import replace_durably, temporary_beside, write_array_atomically
from ..plumbing.errors import InputError
from ..load import load_song
from ..plumbing.quiet_tensorflow import keras, tf
from ..settings import Settings, load_settings

layers = keras.layers

# musicnn's input (configuration.py and extractor.py).
SAMPLE_RATE = 16_000
N_FFT = 512
HOP_LENGTH = 256
N_MELS = 96
PATCH_FRAMES = 187
"""Frames per patch: 3 s (``librosa.time_to_frames(3, sr=16000, n_fft=512, hop_length=256) + 1``)."""
PATCH_HOP = 187
"""Frames between the starts of two patches: musicnn's default (``input_overlap=False``), patches side by side."""

MODELS = ("MSD_musicnn", "MTT_musicnn")
DEFAULT_MODEL = "MSD_musicnn"
LAYERS = {"taggram": 50, "penultimate": 200, "mean_pool": 753, "max_pool": 753}
"""The outputs of the model, with their size per patch."""
DEFAULT_LAYER = "penultimate"

TAGS = {
    "MSD_musicnn": ["rock", "pop", "alternative", "indie", "electronic", "female vocalists", "dance", "00s",
                    "alternative rock", "jazz", "beautiful", "metal", "chillout", "male vocalists", "classic rock",
                    "soul", "indie rock", "Mellow", "electronica", "80s", "folk", "90s", "chill", "instrumental",
                    "punk", "oldies", "blues", "hard rock", "ambient", "acoustic", "experimental", "female vocalist",
                    "guitar", "Hip-Hop", "70s", "party", "country", "easy listening", "sexy", "catchy", "funk",
                    "electro", "heavy metal", "Progressive rock", "60s", "rnb", "indie pop", "sad", "House", "happy"],
    "MTT_musicnn": ["guitar", "classical", "slow", "techno", "strings", "drums", "electronic", "rock", "fast",
                    "piano", "ambient", "beat", "violin", "vocal", "synth", "female", "indian", "opera", "male",
                    "singing", "vocals", "no vocals", "harpsichord", "loud", "quiet", "flute", "woman", "male vocal",
                    "no vocal", "pop", "soft", "sitar", "solo", "man", "classic", "choir", "voice", "new age",
                    "dance", "male voice", "female vocal", "beats", "harp", "cello", "no voice", "weird", "country",
                    "metal", "female voice", "choral"],
}
"""The 50 tags of each model, in the order of its outputs (musicnn's configuration.py)."""

WHEEL = "musicnn-0.1.0-py3-none-any.whl"
WHEEL_SHA256 = "f38a4890c648c1ddbb141c5d96d2b0a8cfcd36746002d896989f7b88beb65cfa"
"""The SHA-256 of the wheel on PyPI: a cached or downloaded wheel with another is never used."""

EMBEDDING_VERSION = 1
"""Bump when the embedding computation changes, so cached embeddings are not trusted."""

CONVERTER_VERSION = 1
"""Bump when `convert_checkpoint` changes: the converted weights' file name and every cached
embedding carry it, so weights converted by an older (perhaps wrong) converter are never reused."""

# Keras layer -> the TensorFlow 1 variable scope musicnn's models.py gave it (layers are
# numbered in the order models.py creates them).
CHECKPOINT_NAMES = {
    "input_norm": "batch_normalization",
    "timbral_38": "conv2d", "timbral_38_norm": "batch_normalization_1",
    "timbral_67": "conv2d_1", "timbral_67_norm": "batch_normalization_2",
    "temporal_128": "conv2d_2", "temporal_128_norm": "batch_normalization_3",
    "temporal_64": "conv2d_3", "temporal_64_norm": "batch_normalization_4",
    "temporal_32": "conv2d_4", "temporal_32_norm": "batch_normalization_5",
    "midend_1": "conv2d_5", "midend_1_norm": "batch_normalization_6",
    "midend_2": "conv2d_6", "midend_2_norm": "batch_normalization_7",
    "midend_3": "conv2d_7", "midend_3_norm": "batch_normalization_8",
    "pooled_norm": "batch_normalization_9",
    "dense_200": "dense", "penultimate": "batch_normalization_10",
    "tags": "dense_1",
}


class PretrainedWeightsError(InputError):
    """The weights are not on this machine and cannot be had: the message names the file, the pip command
    that fetches it and where to put it. (An InputError, so the command line prints its one line.)"""


# --- musicnn's input -------------------------------------------------------------------------

def musicnn_input(signal: np.ndarray) -> np.ndarray:
    """musicnn's log-mel spectrogram of a 16 kHz mono signal, as its extractor.py computes it.

    librosa's mel power spectrogram (n_fft 512, hop 256, 96 Slaney mel bands, centred frames),
    rounded to float16 as musicnn does, then ``log10(1 + 10000 S)`` in float16. One difference:
    where musicnn's float16 overflows (10000 S above 65504: loud low notes) musicnn gets
    infinity, here the value is computed in float32 instead. It is common: 1 % of the bins of
    musicnn's own example song, and 692 of the demo collection's 799 patches hold at least one,
    on which musicnn's own pooled features are infinite and its tags move by up to 0.53
    (benchmarks/musicnn_reference.py --compare). Elsewhere the two inputs are equal, bit for bit.
    The frames are centred with zero padding, librosa's default since 0.10 (musicnn 0.1.0 ran
    on librosa 0.6-0.7, which padded by reflection: only the first and last frame differ).

    Args:
        signal: float32 array of shape (samples,) at 16000 Hz (``load_song(path, sample_rate=16000)``).

    Returns:
        float32 array of shape (frames, 96): time first, as musicnn's patches are.
    """
    # The very call musicnn's extractor makes (equal here bit for bit to an stft and a mel matrix by hand).
    mel = librosa.feature.melspectrogram(y=signal, sr=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP_LENGTH, n_mels=N_MELS,
                                         htk=False, norm="slaney", window="hann", center=True, pad_mode="constant",
                                         power=2.0).T
    with np.errstate(over="ignore"):
        half = np.log10(np.float16(10000) * mel.astype(np.float16) + np.float16(1))
    exact = np.log10(10000 * mel + 1)  # float32, used only where float16 overflowed
    return np.where(np.isfinite(half), half, exact).astype(np.float32)


def patches(features: np.ndarray) -> np.ndarray:
    """Cut musicnn's spectrogram into patches of 187 frames (3 s), side by side; a tail shorter
    than a patch is dropped, as musicnn's extractor does.

    Args:
        features: array of shape (frames, 96) from `musicnn_input`.

    Returns:
        float32 array of shape (n_patches, 187, 96); n_patches is 0 for less than 3 s.
    """
    starts = range(0, len(features) - PATCH_FRAMES + 1, PATCH_HOP)
    out = np.empty((len(starts), PATCH_FRAMES, N_MELS), np.float32)
    for i, start in enumerate(starts):
        out[i] = features[start:start + PATCH_FRAMES]
    return out


def song_patches(path: Path) -> np.ndarray:
    """A song's musicnn input patches: decoded at 16 kHz mono (`load_song`), `musicnn_input`, `patches`.

    Returns:
        float32 array of shape (n_patches, 187, 96).
    """
    return patches(musicnn_input(load_song(path, sample_rate=SAMPLE_RATE)))


# --- the network -----------------------------------------------------------------------------

def _batch_norm(name: str):
    # TensorFlow 1's epsilon (Keras 3's default is the same, 0.001); momentum only matters in training.
    return layers.BatchNormalization(epsilon=1e-3, name=name)


def build_musicnn(name: str = DEFAULT_MODEL, n_tags: int = 50) -> keras.Model:
    """musicnn's architecture (models.py, ``build_musicnn`` with 64 mid-end filters and 200
    back-end units), without weights; `load_musicnn` gives it its trained weights.

    Returns:
        A Keras model from (batch, 187, 96) patches to a dict of (batch, size) arrays:
        "taggram" (50 tag probabilities), "penultimate" (200), "mean_pool" and "max_pool" (753).
    """
    spectrogram = keras.Input((PATCH_FRAMES, N_MELS), name="log_mel")  # (time, frequency)
    x = layers.Reshape((PATCH_FRAMES, N_MELS, 1))(spectrogram)
    x = _batch_norm("input_norm")(x)

    def max_over_frequency(feature_map):  # (batch, time, bands, filters) -> (batch, time, filters)
        pooled = layers.MaxPooling2D(pool_size=(1, feature_map.shape[2]))(feature_map)
        return layers.Reshape((PATCH_FRAMES, feature_map.shape[3]))(pooled)

    # Front end. Timbral filters span 40 % and 70 % of the bands; musicnn pads time by 3 on
    # each side (its tf.pad), then convolves "valid": "same" in time, valid in frequency.
    padded = layers.ZeroPadding2D(((3, 3), (0, 0)))(x)
    front = []
    for bands in (int(0.4 * N_MELS), int(0.7 * N_MELS)):  # 38, 67
        conv = layers.Conv2D(204, (7, bands), activation="relu", name=f"timbral_{bands}")(padded)
        front.append(max_over_frequency(_batch_norm(f"timbral_{bands}_norm")(conv)))
    for frames in (128, 64, 32):  # temporal filters, one band wide, "same" padding
        conv = layers.Conv2D(51, (frames, 1), padding="same", activation="relu", name=f"temporal_{frames}")(x)
        front.append(max_over_frequency(_batch_norm(f"temporal_{frames}_norm")(conv)))
    front = layers.Concatenate(name="front_end")(front)  # (batch, 187, 561)

    # Mid end: convolutions over 7 frames and all features (musicnn's 2-D kernels of 7 x all
    # features are 1-D convolutions over time), padded by 3 frames each side.
    def midend_conv(features, k):
        conv = layers.Conv1D(64, 7, activation="relu", name=f"midend_{k}")(layers.ZeroPadding1D(3)(features))
        return _batch_norm(f"midend_{k}_norm")(conv)

    cnn1 = midend_conv(front, 1)
    cnn2 = layers.Add()([midend_conv(cnn1, 2), cnn1])
    cnn3 = layers.Add()([midend_conv(cnn2, 3), cnn2])
    mid = layers.Concatenate(name="mid_end")([front, cnn1, cnn2, cnn3])  # (batch, 187, 753)

    # Back end. musicnn stacks max and mean as (753, 2) and flattens it: the two interleave.
    max_pool = layers.GlobalMaxPooling1D(name="max_pool")(mid)
    mean_pool = layers.GlobalAveragePooling1D(name="mean_pool")(mid)
    stacked = layers.Concatenate()([layers.Reshape((-1, 1))(max_pool), layers.Reshape((-1, 1))(mean_pool)])
    pooled = _batch_norm("pooled_norm")(layers.Flatten()(stacked))  # (batch, 1506)
    hidden = layers.Dense(200, activation="relu", name="dense_200")(pooled)
    penultimate = _batch_norm("penultimate")(hidden)
    taggram = layers.Activation("sigmoid", name="taggram")(layers.Dense(n_tags, name="tags")(penultimate))
    return keras.Model(spectrogram, {"taggram": taggram, "penultimate": penultimate,
                                     "mean_pool": mean_pool, "max_pool": max_pool}, name=name)


def tag_names(model: keras.Model | str) -> list[str]:
    """The 50 tags of a musicnn model (or model name), in the order of its "taggram" output."""
    name = model if isinstance(model, str) else model.name
    if name not in TAGS:
        raise ValueError(f"unknown musicnn model {name!r}; choose one of {', '.join(MODELS)}")
    return list(TAGS[name])


def load_musicnn(name: str = DEFAULT_MODEL, cache_dir: Path | None = None) -> keras.Model:
    """musicnn with its trained weights: from the converted weights file in
    `<cache_dir>/pretrained/`, made from the musicnn wheel the first time (`musicnn_wheel`).

    Args:
        name: "MSD_musicnn" (default: larger collection, genre and mood tags) or "MTT_musicnn".
        cache_dir: defaults to the series' cache (`settings.cache_dir`).

    Raises:
        PretrainedWeightsError: the weights are not converted yet and the wheel cannot be had.
    """
    tag_names(name)  # raises for an unknown name
    model = build_musicnn(name)
    weights = weights_path(name, cache_dir)
    if not weights.exists():
        convert_checkpoint(musicnn_wheel(cache_dir), model, weights)
    model.load_weights(weights)
    return model


def weights_path(name: str, cache_dir: Path | None = None) -> Path:
    """Where the converted Keras weights of model `name` are kept."""
    return _pretrained_dir(cache_dir) / f"{name}-musicnn-0.1.0-converter{CONVERTER_VERSION}.weights.h5"


def convert_checkpoint(wheel: Path, model: keras.Model, out: Path) -> None:
    """Read model `model.name`'s TensorFlow 1 checkpoint from inside the wheel, set every
    weight of `model` from it and save them to `out` (written whole or not at all).

    Raises:
        ValueError: a variable is missing, has another shape, or the checkpoint holds a
            variable of the network that nothing used.
    """
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(wheel) as archive:
        # musicnn's checkpoint files have an empty name ("MSD_musicnn/.index"): extracted
        # under a name, tf.train.load_checkpoint reads them without their "checkpoint" file.
        for suffix in (".index", ".data-00000-of-00001"):
            with archive.open(f"musicnn/{model.name}/{suffix}") as source, open(Path(folder) / f"model{suffix}", "wb") as target:
                target.write(source.read())
        reader = tf.train.load_checkpoint(str(Path(folder) / "model"))
        checkpoint = {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}
    used = set()
    for layer_name, scope in CHECKPOINT_NAMES.items():
        layer = model.get_layer(layer_name)
        for variable in layer.weights:
            key = f"{scope}/{variable.name}"  # e.g. "conv2d/kernel", "batch_normalization/moving_mean"
            if key not in checkpoint:
                raise ValueError(f"{wheel.name}: {model.name} has no variable {key} for layer {layer_name}")
            value = checkpoint[key]
            if isinstance(layer, layers.Conv1D) and value.ndim == 4:
                value = value[:, :, 0, :]  # musicnn's (7, features, 1, filters) 2-D kernel is a 1-D one
            if value.shape != tuple(variable.shape):
                raise ValueError(f"{wheel.name}: {key} has shape {value.shape}, layer {layer_name}'s "
                                 f"{variable.name} needs {tuple(variable.shape)}")
            variable.assign(value)
            used.add(key)
    unused = sorted(k for k in checkpoint if k not in used and "Adam" not in k and not k.startswith("beta"))
    if unused:  # beta1_power, beta2_power and the "/Adam" slots are the optimizer's, not the network's
        raise ValueError(f"{wheel.name}: variables of {model.name} that no layer used: {', '.join(unused)}")
    tmp = temporary_beside(out, suffix=".weights.h5")
    try:
        model.save_weights(tmp)
        replace_durably(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --- the wheel -------------------------------------------------------------------------------

def _pretrained_dir(cache_dir: Path | None) -> Path:
    return Path(cache_dir if cache_dir is not None else load_settings().cache_dir) / "pretrained"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def pip_command(folder: Path) -> list[str]:
    """The pip command that downloads the musicnn wheel (and nothing else) into `folder`."""
    return [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "musicnn==0.1.0", "-d", str(folder)]


def _pip_download(folder: Path) -> subprocess.CompletedProcess:
    # Without the caller's PYTHONWARNINGS: where warnings are errors (the series' tests, their notebook
    # kernels), an older pip's own DeprecationWarning would otherwise end the download.
    env = {name: value for name, value in os.environ.items() if name != "PYTHONWARNINGS"}
    return subprocess.run(pip_command(folder), capture_output=True, text=True, env=env)


def musicnn_wheel(cache_dir: Path | None = None) -> Path:
    """The musicnn 0.1.0 wheel in `<cache_dir>/pretrained/`, downloaded by pip the first time.

    A cached wheel with the wrong SHA-256 (a damaged or replaced file) is renamed to
    "<name>.damaged-<time>", never deleted, and downloaded again.

    Raises:
        PretrainedWeightsError: pip cannot download it (offline, registry unreachable), or the
            download has the wrong SHA-256.
    """
    folder = _pretrained_dir(cache_dir)
    wheel = folder / WHEEL
    if wheel.exists():
        if _sha256(wheel) == WHEEL_SHA256:
            return wheel
        aside = wheel.with_name(f"{WHEEL}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        os.replace(wheel, aside)
        print(f"{wheel} does not have the SHA-256 of musicnn 0.1.0 (damaged or replaced): set aside as {aside.name}, "
              "downloading it again")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".download-") as download:
        result = _pip_download(Path(download))
        downloaded = Path(download) / WHEEL
        if result.returncode != 0 or not downloaded.exists():
            reason = (result.stderr.strip().splitlines() or ["no wheel written"])[-1]
            command = " ".join(["python", *pip_command(folder)[1:]])
            raise PretrainedWeightsError(
                f"musicnn's pretrained weights are missing: {wheel} is not there and pip could not download it "
                f"({reason}).\nOn a machine with access to PyPI run\n    {command}\nand put the file {WHEEL} "
                f"(SHA-256 {WHEEL_SHA256}) into {folder}")
        if (found := _sha256(downloaded)) != WHEEL_SHA256:
            raise PretrainedWeightsError(f"pip downloaded {WHEEL} with SHA-256 {found}, not the pinned {WHEEL_SHA256}: "
                                         "not used (a changed index or a proxy that alters files?)")
        os.replace(downloaded, wheel)
    return wheel


# --- embeddings of songs ---------------------------------------------------------------------

def predict_patches(model: keras.Model, patch_batch: np.ndarray, batch_size: int = 64) -> dict[str, np.ndarray]:
    """Run musicnn on patches, `batch_size` at a time.

    Args:
        patch_batch: float32 array of shape (n_patches, 187, 96).

    Returns:
        {"taggram": (n_patches, 50), "penultimate": (n_patches, 200), "mean_pool": (n_patches, 753),
        "max_pool": (n_patches, 753)}, float32.
    """
    parts = [model.predict_on_batch(patch_batch[start:start + batch_size])
             for start in range(0, len(patch_batch), batch_size)]
    return {name: (np.concatenate([np.asarray(part[name]) for part in parts]) if parts else np.zeros((0, size), np.float32))
            for name, size in LAYERS.items()}


def embedding_cache_path(path: Path, model: str, layer: str, settings: Settings) -> Path:
    """Where the embeddings of the song at `path` are cached: the name changes with the song
    (path, size, modification time), the model and layer, musicnn's input settings and the
    versions of everything that computes them."""
    from ..dataset import feature_versions

    stat = Path(path).stat()
    identity = {"path": str(Path(path).resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                "model": model, "layer": layer, "wheel": WHEEL_SHA256, "version": EMBEDDING_VERSION,
                "converter": CONVERTER_VERSION,
                "input": [SAMPLE_RATE, N_FFT, HOP_LENGTH, N_MELS, PATCH_FRAMES, PATCH_HOP],
                "libraries": {**feature_versions(), "keras": keras.__version__, "tensorflow": tf.__version__}}
    key = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:32]
    return Path(settings.cache_dir) / "embeddings" / f"{key}.npy"


def _read_embedding(file: Path, size: int) -> np.ndarray | None:
    try:
        array = np.load(file, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    return array if array.dtype == np.float32 and array.ndim == 2 and array.shape[1] == size else None


def embed_songs(paths: list[Path], model: str = DEFAULT_MODEL, layer: str = DEFAULT_LAYER,
                settings: Settings | None = None, progress: bool = True, workers: int | None = None
                ) -> list[np.ndarray]:
    """musicnn's embedding of every 3-second patch of each song, cached on disk per song (every
    layer of `LAYERS` at once: they come out of the same pass, so asking for another layer later
    costs a read, as notebook 11's fine-tuning does).

    Summarise over time yourself: ``e.mean(axis=0)`` and ``e.std(axis=0)`` per song, or
    classify each patch and vote. Songs are embedded `workers` at a time, each from decoding to
    the network's outputs: TensorFlow spreads one small patch's work poorly over two cores, so two
    songs at once keep both busy (benchmarks/musicnn_speed.py measures the gain). A song's
    embedding is the same whichever worker computes it.

    Args:
        paths: audio files.
        model: "MSD_musicnn" (default) or "MTT_musicnn".
        layer: "penultimate" (default, 200 values), "taggram" (50), "mean_pool" or "max_pool" (753).
        settings: where the cache is (`settings.cache_dir`); defaults to `load_settings()`.
        workers: songs embedded at once; default one per core.

    Returns:
        per song, a float32 array of shape (n_patches, size); n_patches is 0 for a song under 3 s.

    Raises:
        AudioError: a file cannot be decoded.
        PretrainedWeightsError: the weights are not converted yet and the wheel cannot be had.
    """
    from concurrent.futures import ThreadPoolExecutor

    from ..plumbing.progress import Progress

    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; choose one of {', '.join(LAYERS)}")
    settings = settings or load_settings()
    files = [embedding_cache_path(p, model, layer, settings) for p in paths]
    results = [_read_embedding(f, LAYERS[layer]) if f.exists() else None for f in files]
    todo = [i for i, r in enumerate(results) if r is None]
    with Progress(len(paths), "songs", unit="song", enabled=progress) as bar:
        bar.update(len(paths) - len(todo))
        if todo:
            network = load_musicnn(model, settings.cache_dir)
            network.make_predict_function()  # built once, before the workers share it
            workers = max(1, min(workers or os.cpu_count() or 1, len(todo)))
            with ThreadPoolExecutor(workers) as pool:
                embedded = pool.map(lambda i: predict_patches(network, song_patches(paths[i])), todo)
                for i, outputs in zip(todo, embedded):  # in order, as each song is done
                    for name, values in outputs.items():  # every layer comes out of the same pass: keep them all
                        target = files[i] if name == layer else embedding_cache_path(paths[i], model, name, settings)
                        if name == layer or not target.exists():
                            write_array_atomically(target, values)
                    results[i] = outputs[layer]
                    bar.update()
    return results


# --- what it hears ---------------------------------------------------------------------------

def top_tags(taggram: np.ndarray, tags: list[str], n: int = 5) -> list[tuple[str, float]]:
    """The `n` tags with the highest mean probability over the patches of `taggram` (patches, tags)."""
    mean = np.asarray(taggram).mean(axis=0)
    return [(tags[i], float(mean[i])) for i in np.argsort(mean)[::-1][:n]]


def plot_taggram(taggram: np.ndarray, tags: list[str], top: int = 8, ax=None, title: str = ""):
    """The `top` tags of a song (by mean probability) along its timeline, one column per 3-s patch.

    Taught in notebooks/11_transfer_learning.ipynb. Returns (fig, ax).
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 0.3 * top + 1.2))
    order = np.argsort(np.asarray(taggram).mean(axis=0))[::-1][:top]
    seconds = PATCH_HOP * HOP_LENGTH / SAMPLE_RATE
    image = ax.imshow(np.asarray(taggram)[:, order].T, aspect="auto", cmap="magma", vmin=0, vmax=1,
                      extent=(0, len(taggram) * seconds, top - 0.5, -0.5), interpolation="nearest")
    ax.set_yticks(range(top), [tags[i] for i in order])
    ax.set_xlabel("time in the song (s)")
    ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, label="probability", pad=0.01)
    return ax.figure, ax
