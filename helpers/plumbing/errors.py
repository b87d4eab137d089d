"""The base of the errors the series raises for what a reader gave it: a folder, a file, a setting,
a saved model that cannot be used. Its message names the thing and says what is wrong and what
to do; `python -m helpers` prints that one line instead of a traceback.

Anything else (a bug, in a library or here) keeps its traceback.
"""


class InputError(ValueError):
    """Something the reader gave the series cannot be used; the message names it and says why.

    Each module raises a subclass of its own, defined beside the code that raises it:
    `helpers.collection.CollectionError`, `helpers.load.AudioError`, `helpers.settings.SettingsError`,
    `helpers.plumbing.saved.ModelFileError`, `helpers.data.open_music.OpenMusicError`,
    `helpers.pretrained.musicnn.PretrainedWeightsError`. Catch the one you mean (the feature cache
    skips a song on an `AudioError` only); the command line catches them all through this class.
    """
