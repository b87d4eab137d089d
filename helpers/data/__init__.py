"""Where the songs come from when the reader brings none: the synthesised demo collection
(`demo`, notebook 01) and the openly licensed game soundtracks from Debian (`open_music`, notebook 10)."""
