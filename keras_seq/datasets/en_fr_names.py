"""English names of countries, currencies and languages with their French names.

The pairs are the French translations that ship with `pycountry` in its
gettext catalogues (`pycountry/locales/fr/LC_MESSAGES/{iso3166-1,iso4217,
iso639-3}.mo`) of the English names in its ISO databases
(`pycountry/databases/*.json`): countries ("Republic of Austria" ->
"République d'Autriche", official and common names too), currencies
("Algerian Dinar" -> "Dinar algérien") and languages ("South Bolivian
Quechua" -> "Quechua bolivien méridional"). The files are read directly,
pycountry is not imported. The databases come from Debian's iso-codes
(LGPL-2.1), as does pycountry. Install it with `pip install pycountry`.

Every English name that has a French translation is kept once (the first
domain of `DOMAINS` that names it wins): with pycountry 26.2.16, 8,468
pairs, 7,869 of them languages (many written in French as in English),
425 countries and 174 currencies. The split is a seeded permutation, 10%
test, 10% validation and the rest training: 6,774, 847 and 847 pairs (a
pycountry with other names gives other sizes, and another permutation).
No English name is in two splits (a French name may be: 18 are shared by
two English names). `load_domains(split)` tells which domain each pair is.
"""

import functools
import gettext
import json

import numpy as np

from keras_seq.datasets import _common

DOMAINS = ("country", "currency", "language")
SPLITS = _common.SPLITS
# The share of the pairs in each of the validation and test splits.
_HELD_OUT = 0.1
# Each domain's ISO standard: its database (and root key) and catalogue.
_STANDARDS = {"country": "3166-1", "currency": "4217", "language": "639-3"}
_FIELDS = ("name", "official_name", "common_name")
_INSTALL = "pycountry"
_SEED = 20260506


class _Untranslated(gettext.NullTranslations):
    """The fallback of a catalogue: None for a name it does not translate."""

    def gettext(self, message):
        return None


def _read_pairs():
    """`(domains, english, french)` lists, in the databases' order."""
    pairs = {}
    for domain, standard in _STANDARDS.items():
        database = _common.package_file(
            "pycountry", f"databases/iso{standard}.json", install=_INSTALL
        )
        catalogue = _common.package_file(
            "pycountry", f"locales/fr/LC_MESSAGES/iso{standard}.mo", install=_INSTALL
        )
        with catalogue.open("rb") as file:
            french = gettext.GNUTranslations(file)
        # Without it, `gettext` returns an untranslated name unchanged.
        french.add_fallback(_Untranslated())
        entries = json.loads(database.read_text(encoding="utf-8"))[standard]
        for entry in entries:
            for field in _FIELDS:
                english = entry.get(field)
                if english and english not in pairs:
                    translation = french.gettext(english)
                    if translation:
                        pairs[english] = (domain, english, translation)
    return [list(column) for column in zip(*pairs.values())]


@functools.lru_cache(maxsize=1)
def _splits():
    """The cached, read-only `{split: (english, french, domains)}`."""
    domains, english, french = (np.array(c, dtype=object) for c in _read_pairs())
    order = np.random.default_rng(_SEED).permutation(len(english))
    held_out = round(_HELD_OUT * len(english))
    parts = np.split(order, [len(english) - 2 * held_out, len(english) - held_out])
    return _common.take_splits((english, french, domains), parts)


def load_data(split=None):
    """Loads the English-French name pairs with a fixed 6,774/847/847 split.

    Args:
        split: `"train"`, `"validation"`, `"test"`, or None for all three.

    Returns:
        For one split, `(english, french)`: two `(n,)` arrays of `str`,
        `french[i]` the translation of `english[i]`. For `split=None`, a dict
        of the three. The arrays are fresh copies.

    Example:

    >>> english, french = load_data("train")
    >>> len(english), len(french)
    (6774, 6774)
    >>> dict(zip(english, french))["Algerian Dinar"]
    'Dinar algérien'
    """
    _common.check_split(split)
    splits = {name: arrays[:2] for name, arrays in _splits().items()}
    return _common.select(splits, split)


def load_domains(split=None):
    """The domain of each pair of `load_data(split)`, one of `DOMAINS`.

    Args:
        split: `"train"`, `"validation"`, `"test"`, or None for all three.

    Returns:
        An `(n,)` array of `str`, aligned with `load_data(split)`; for
        `split=None`, a dict of the three.

    Example:

    >>> domains = load_domains("test")
    >>> sorted(set(domains)) == sorted(DOMAINS)
    True
    """
    _common.check_split(split)
    splits = {name: arrays[2:] for name, arrays in _splits().items()}
    selected = _common.select(splits, split)
    if split is None:
        return {name: arrays[0] for name, arrays in selected.items()}
    return selected[0]
