"""The notebooks' plain code (Keras, librosa, scikit-learn, no helpers) does what the text says.

Notebook 05 builds, compiles and fits the original CNN in plain Keras cells, then says that
`helpers.original_cnn` is the series' copy of them: tested here, layer by layer. Notebook 06 ends
with the whole spine in one helper-free cell: run here on a small folder of songs.
The cells are found by what they contain, run as the notebook runs them, and read back.
"""

from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest

import helpers

pytest.importorskip("tensorflow")

NOTEBOOKS = helpers.PROJECT_ROOT / "notebooks"


def code_cell(notebook: str, containing: str) -> str:
    """The source of the one code cell of `notebook` that contains `containing`."""
    cells = [cell.source for cell in nbformat.read(NOTEBOOKS / notebook, as_version=4).cells
             if cell.cell_type == "code" and containing in cell.source]
    assert len(cells) == 1, f"{notebook}: {len(cells)} code cells contain {containing!r}"
    return cells[0]


def notebook_05_model(n_genres: int, model_source: str | None = None, shape=(128, 196, 1)):
    """The model notebook 05's `keras.Sequential(` and `model.compile(` cells build, for `n_genres`."""
    dataset = SimpleNamespace(X=np.zeros((1, *shape), dtype=np.float32), genres=[f"g{i}" for i in range(n_genres)])
    namespace = {"dataset": dataset, "settings": helpers.load_settings()}
    exec(model_source or code_cell("05_cnn.ipynb", "keras.Sequential("), namespace)
    exec(code_cell("05_cnn.ipynb", "model.compile("), namespace)
    return namespace["model"]


def differences(model, reference) -> list[str]:
    """What differs between two compiled models' architectures and compile configurations
    (layer names apart); an empty list when they are the same model."""
    found = []
    if model.input_shape != reference.input_shape:
        found.append(f"input {model.input_shape} != {reference.input_shape}")
    kinds = [type(layer).__name__ for layer in model.layers]
    if kinds != [type(layer).__name__ for layer in reference.layers]:
        found.append(f"layers {kinds} != {[type(layer).__name__ for layer in reference.layers]}")
    for layer, other in zip(model.layers, reference.layers):
        config = {k: v for k, v in layer.get_config().items() if k != "name"}
        expected = {k: v for k, v in other.get_config().items() if k != "name"}
        if config != expected:
            found.append(f"{layer.name}: {config} != {expected}")
    compiled, expected = model.get_compile_config(), reference.get_compile_config()
    for key in ("loss", "metrics", "weighted_metrics", "loss_weights"):
        if compiled.get(key) != expected.get(key):
            found.append(f"{key}: {compiled.get(key)} != {expected.get(key)}")
    if type(model.optimizer) is not type(reference.optimizer):
        found.append(f"optimizer {type(model.optimizer).__name__} != {type(reference.optimizer).__name__}")
    optimizer = {k: v for k, v in model.optimizer.get_config().items() if k != "name"}
    if optimizer != {k: v for k, v in reference.optimizer.get_config().items() if k != "name"}:
        found.append(f"optimizer config {optimizer} != {reference.optimizer.get_config()}")
    return found


@pytest.mark.parametrize("n_genres", [2, 3])
def test_notebook_05s_cells_build_and_compile_exactly_original_cnn(n_genres):
    from helpers.model import original_cnn

    model = notebook_05_model(n_genres)
    reference = original_cnn((128, 196, 1), n_genres=n_genres)
    assert differences(model, reference) == []
    # Spelled out, what the comparison covers:
    assert [type(layer).__name__ for layer in model.layers] == [
        "Rescaling", "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Conv2D", "Flatten", "Dense", "Dense"]
    assert model.count_params() == reference.count_params()
    assert isinstance(model.optimizer, type(reference.optimizer))
    assert float(model.optimizer.learning_rate) == pytest.approx(float(reference.optimizer.learning_rate))
    assert model.get_compile_config()["loss"] == reference.get_compile_config()["loss"]
    assert model.layers[-1].get_config()["activation"] == ("sigmoid" if n_genres == 2 else "softmax")


def test_the_comparison_sees_one_changed_filter_count_or_learning_rate():
    from helpers.model import original_cnn

    reference = original_cnn((128, 196, 1), n_genres=2)
    source = code_cell("05_cnn.ipynb", "keras.Sequential(")
    assert source.count("layers.Conv2D(32, 3,") == 1
    changed = notebook_05_model(2, source.replace("layers.Conv2D(32, 3,", "layers.Conv2D(16, 3,"))
    assert any("filters" in difference for difference in differences(changed, reference))
    changed.compile(optimizer=changed.optimizer.__class__(learning_rate=1e-3), loss=changed.loss,
                    weighted_metrics=["accuracy"])
    assert any("learning_rate" in difference for difference in differences(changed, reference))


def test_notebook_05s_plain_fit_learns_its_training_songs(demo_settings):
    # The cell's epoch table is not compared by nbval (its digits vary by CPU); what it shows is checked here.
    settings = demo_settings
    dataset = helpers.build_dataset(settings, progress=False)
    split = helpers.split_by_song(dataset.y, dataset.groups, dataset.genres, seed=settings.seed,
                                  song_names=dataset.song_names)
    namespace = {"dataset": dataset, "split": split, "settings": settings}
    for containing in ("keras.Sequential(", "model.compile(", "model.fit("):
        exec(code_cell("05_cnn.ipynb", containing), namespace)
    history = namespace["history"].history
    assert all(len(history[k]) == settings.epochs for k in ("loss", "accuracy", "val_loss", "val_accuracy")), history
    assert history["loss"][-1] < 0.8 * history["loss"][0] and history["accuracy"][-1] > 0.7, history
    assert history["accuracy"][-1] >= history["val_accuracy"][-1] + 0.10, history  # and over-fits, as 06 reads
    assert history["val_accuracy"][-1] < 0.5, history  # 05: "Both end below 0.5" (0.434 there)


@pytest.mark.lessons
def test_notebook_06s_spine_scores_the_demo_within_two_songs_of_chance(demo_settings):
    """The spine cell on the demo, as notebook 06 runs it: 24 training songs, 8 test songs, and a song
    accuracy "a song or two away from the 0.500 above" (0.625 there), the shaky estimate 06 calls it."""
    namespace = {"settings": demo_settings}
    exec(code_cell("06_history.ipynb", "GroupShuffleSplit("), namespace)
    song, train, test = namespace["song"], namespace["train"], namespace["test"]
    assert (len(set(song[train])), len(set(song[test]))) == (24, 8)
    assert abs(namespace["song_accuracy"] - 0.5) <= 2 / 8, namespace["song_accuracy"]


def test_notebook_06s_spine_trains_on_a_folder_and_scores_unseen_songs(tmp_path, small_collection):
    from helpers.plumbing.quiet_tensorflow import keras  # as notebook 06 has, before its last cell

    source = code_cell("06_history.ipynb", "GroupShuffleSplit(")
    assert "helpers" not in source  # only librosa, numpy, scikit-learn and Keras
    (small_collection / "low" / "notes.txt").write_text("not a song")  # skipped: not an audio file
    namespace = {"settings": helpers.load_settings(tracks_dir=small_collection)}
    exec(source, namespace)
    song, train, test = namespace["song"], namespace["train"], namespace["test"]
    assert namespace["genres"] == ["high", "low"]
    assert len(set(song)) == 8 and sorted(np.concatenate([train, test])) == list(range(len(song)))
    assert set(song[train]).isdisjoint(song[test]), "a test song has pieces in training"
    assert len(set(song[test])) >= 2
    model = namespace["spine_model"]
    assert "model" not in namespace and "proba" not in namespace  # 06's Try it still reads the notebook's own model
    assert isinstance(model, keras.Model) and int(model.optimizer.iterations) > 0  # trained
    assert 0.0 <= namespace["song_accuracy"] <= 1.0
    assert len(namespace["votes"]) == len(set(song[test]))

    # Its features are the series' own: the same pieces and log-mel spectrograms as helpers make.
    first = sorted(set(song))[0]
    expected = helpers.log_mel(helpers.segment(helpers.load_song(Path(first), 22050), 100_000), sample_rate=22050)
    assert namespace["X"][song == first].shape == (*expected.shape, 1)
    np.testing.assert_allclose(namespace["X"][song == first][..., 0], expected, atol=0.05)
