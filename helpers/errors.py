"""The one kind of error the series raises for what a reader gave it: a folder, a file, a setting,
a saved model that cannot be used. Its message names the thing and says what is wrong and what
to do; `python -m helpers` prints that one line instead of a traceback.

Anything else (a bug, in a library or here) keeps its traceback.
"""


class InputError(ValueError):
    """Something the reader gave the series cannot be used; the message names it and says why.

    The modules give it names that say where it comes from (`CollectionError`, `AudioError`,
    `SettingsError`, `ModelFileError`, `OpenMusicError`): each is this class, so catching one of
    them catches them all, and the command line knows exactly one type.
    """
