"""Presets: trained models in checked folders, and the ones keras-seq ships.

- `format`: the folder format, names, digests and the checks made before
  anything loads; `source_kind` says which source a value names.
- `load`: loading a preset, or any source the command loads
  (`Task.from_preset` calls `load.load_source`).
- `save`: writing a preset folder (`Task.save_to_preset`).
- `weights`: the `weights` argument of the builders.
- `shipped`: the registry of shipped presets (`shipped.json`) and their
  folders under `files/`; `listing.list_presets` describes them.

Importing this package, `shipped`, `format` or `listing` imports no Keras.

Example:

>>> from keras_seq.presets import shipped
>>> sorted(shipped.SHIPPED_PRESETS)[:2]
['digit_captions', 'en_fr_names']
"""
