"""Presets: the format (names, digests, checks), loading, saving, the shipped ones."""
