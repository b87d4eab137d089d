import pytest

from helpers import CollectionError, find_songs, genres_of
from conftest import write_tone


def test_genres_are_the_sub_folders(small_collection):
    songs, skipped = find_songs(small_collection)
    assert genres_of(songs) == ["high", "low"]
    assert len(songs) == 8 and skipped == []
    assert sorted(s.path.name for s in songs if s.genre == "low") == [f"low {k}.wav" for k in range(4)]
    # A song with no genre folder is no song, and the reader is told where it belongs; so is a licence folder.
    write_tone(small_collection / "loose song.wav")
    (small_collection / "LICENSES").mkdir()
    (small_collection / "LICENSES" / "game.txt").write_text("GPL")
    songs, skipped = find_songs(small_collection)
    assert genres_of(songs) == ["high", "low"] and len(songs) == 8
    assert [(s.path.name, s.reason[:29]) for s in skipped] == [("loose song.wav", "sits directly in the tracks f")]


def test_non_audio_files_are_skipped_with_a_reason(small_collection):
    (small_collection / "low" / "cover.jpg").write_bytes(b"\xff\xd8")
    (small_collection / "low" / "notes.txt").write_text("hi")
    (small_collection / "low" / "live").mkdir()
    (small_collection / "low" / ".DS_Store").write_bytes(b"\0")
    (small_collection / "low" / ".hidden.mp3").write_bytes(b"\0")
    (small_collection / "low" / "Thumbs.db").write_bytes(b"\0")
    songs, skipped = find_songs(small_collection)
    assert len(songs) == 8
    reasons = {s.path.name: s.reason for s in skipped}
    assert set(reasons) == {"cover.jpg", "notes.txt", "live"}
    assert "not an audio file" in reasons["cover.jpg"]
    assert "folder inside a genre folder" in reasons["live"]


def test_upper_case_endings_and_unusual_names_are_songs(tmp_path):
    write_tone(tmp_path / "a" / "Ünïcödé sóng 日本.WAV")
    write_tone(tmp_path / "b" / "with spaces.FLAC")
    songs, _ = find_songs(tmp_path)
    assert sorted(s.path.name for s in songs) == ["with spaces.FLAC", "Ünïcödé sóng 日本.WAV"]


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(CollectionError, match="nowhere.*does not exist"):
        find_songs(tmp_path / "nowhere")


def test_the_first_table_says_which_genre_has_too_few_songs_for_the_series(small_collection):
    from helpers.collection import SONGS_PER_GENRE_NEEDED, collection_table

    write_tone(small_collection / "high" / "high 4.wav", freq=2000)  # high: 5 songs, low: 4
    table = collection_table(find_songs(small_collection)[0], small_collection)
    warned = [line for line in table.splitlines() if line.startswith("too few songs")]
    assert SONGS_PER_GENRE_NEEDED == 5 and len(warned) == 1
    assert "'low' has 4" in warned[0] and "add 1 to" in warned[0] and "low" in warned[0].rsplit(" ", 1)[1]
    write_tone(small_collection / "low" / "low 4.wav", freq=100)
    assert "too few" not in collection_table(find_songs(small_collection)[0], small_collection)


def test_a_folder_linked_into_the_series_is_shown_by_its_name_there(tmp_path, monkeypatch):
    """Outputs name the tracks folder as the reader named it (tracks/), even when it links to their music
    elsewhere; a folder outside the series is shown whole."""
    from helpers import collection

    music, series = tmp_path / "Music" / "genres", tmp_path / "series"
    write_tone(music / "rock" / "a.wav")
    series.mkdir()
    try:
        (series / "tracks").symlink_to(music, target_is_directory=True)
    except OSError as error:  # Windows without the right to make links
        pytest.skip(f"this system does not let the test make a link: {error}")
    monkeypatch.setattr(collection, "PROJECT_ROOT", series)
    assert collection.display_path(series / "tracks") == "tracks/"
    assert collection.display_path(series / "tracks" / "rock" / "a.wav") == "tracks/rock/a.wav"
    assert collection.display_path(music) == str(music.resolve())
