"""A reader's own file, uploaded in notebook 08: saved whole, under its own name, never over another file."""

import sys
from datetime import datetime, timezone
import types

import pytest

from helpers.plumbing.upload import FileChooser, save_upload


def test_an_upload_is_saved_under_its_name_and_never_over_a_different_file(tmp_path):
    first = save_upload("My Song.mp3", b"one", tmp_path)
    assert first == tmp_path / "My Song.mp3" and first.read_bytes() == b"one"
    assert save_upload("My Song.mp3", b"one", tmp_path) == first  # the same file again: no copy
    second = save_upload("My Song.mp3", b"two", tmp_path)
    assert second == tmp_path / "My Song (2).mp3" and second.read_bytes() == b"two"
    assert first.read_bytes() == b"one"  # the reader's earlier file is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["My Song (2).mp3", "My Song.mp3"]  # no temporary left


def test_an_upload_cannot_escape_its_folder_and_must_be_audio(tmp_path):
    folder = tmp_path / "uploads"
    assert save_upload("../../etc/evil.wav", b"x", folder) == folder / "evil.wav"
    with pytest.raises(ValueError, match=r"notes\.txt: not an audio file"):
        save_upload("notes.txt", b"x", folder)
    assert not (folder / "notes.txt").exists()


def test_locally_the_chooser_is_a_button_whose_file_is_saved_when_asked(tmp_path):
    chooser = FileChooser(tmp_path)
    assert chooser.button is not None and chooser.path is None  # nothing chosen yet
    chooser.button.value = ({"name": "tune.ogg", "type": "audio/ogg", "size": 3, "content": memoryview(b"abc"),
                             "last_modified": datetime.now(timezone.utc)},)  # what ipywidgets 8 holds once chosen
    assert chooser.path == tmp_path / "tune.ogg" and chooser.path.read_bytes() == b"abc"


def test_on_colab_the_chooser_opens_the_file_dialog(tmp_path, monkeypatch):
    files = types.SimpleNamespace(upload=lambda: {"song.flac": b"flac bytes"})
    colab = types.ModuleType("google.colab")
    colab.files = files
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    chooser = FileChooser(tmp_path)
    assert chooser.button is None and chooser.path == tmp_path / "song.flac"
    assert chooser.path.read_bytes() == b"flac bytes"
