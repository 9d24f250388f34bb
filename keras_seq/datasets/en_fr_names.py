"""English names of countries, currencies and languages with their French names.

Two sources, read offline, English name -> French name:

- CLDR, the Unicode Common Locale Data Repository, as Babel ships it
  (`babel/locale-data/{en,fr}.dat`): the names its English and French
  locales give each language ("German" -> "Allemand", "Swiss High
  German" -> "Allemand suisse"), territory ("Germany" -> "Allemagne",
  "Western Africa" -> "Afrique occidentale") and currency ("Euro" ->
  "Euro", "US Dollar" -> "Dollar des États-Unis"): the names people use.
  French writes language and currency names in lower case; here every
  name starts with a capital, as ISO's do. A pair whose dates disagree
  between the two locales (a currency's years) is left out.
- ISO, through `pycountry`'s databases (`pycountry/databases/*.json`) and
  the French translations of its gettext catalogues
  (`pycountry/locales/fr/LC_MESSAGES/{iso3166-1,iso4217,iso639-3}.mo`):
  countries (official and common names too: "Republic of Austria" ->
  "République d'Autriche"), currencies ("Algerian Dinar" -> "Dinar
  algérien") and languages ("South Bolivian Quechua" -> "Quechua bolivien
  méridional"). pycountry is read, not imported.

Each English name is kept once, with the French name of the first source
that names it (CLDR, then ISO; languages, territories, currencies in that
order). Typographic apostrophes and dashes are written in ASCII ("’" ->
"'", "–" -> "-"), so every character is one the default character
tokenizer covers.

The names written alike in both languages are a small minority: those of
CLDR and of ISO's countries and currencies are kept ("Canada" ->
"Canada"), while the 5,293 ISO 639-3 language names its French catalogue
leaves untranslated (rare languages, "Ghotuo" -> "Ghotuo") are left out:
in the first version of this set they were 64 % of the pairs, and a model
that copied its input scored as well as one that translated.

With Babel 2.19.0 (CLDR 49) and pycountry 26.2.16: 3,839 pairs (1,228
from CLDR, 2,611 more from ISO), 3,490 of them differing (91 %); 2,959
languages, 503 countries and regions and 377 currencies. The split is a
seeded permutation, 10% test, 10% validation and the rest training:
3,071, 384 and 384 pairs (other versions of the two packages give other
sizes, and another permutation). No English name is in two splits (a
French name may be). `load_domains(split)` tells
which domain each pair is; `differing(english, french)` selects the pairs
that French writes differently, those the held-out figure scores.
"""

import functools
import gettext
import json
import re

import numpy as np

from keras_seq.datasets import _common

DOMAINS = ("country", "currency", "language")
SPLITS = _common.SPLITS
# The share of the pairs in each of the validation and test splits.
_HELD_OUT = 0.1
# CLDR's names of each domain, as Babel's `Locale` attributes.
_CLDR = {"language": "languages", "country": "territories", "currency": "currencies"}
# Each domain's ISO standard: its database (and root key) and catalogue.
_STANDARDS = {"country": "3166-1", "currency": "4217", "language": "639-3"}
# The ISO domains whose names written alike in French are kept.
_ALIKE_KEPT = ("country", "currency")
_FIELDS = ("name", "official_name", "common_name")
_ASCII = str.maketrans({"’": "'", "ʼ": "'", "ʻ": "'", "–": "-", "—": "-"})
_SEED = 20260506


class _Untranslated(gettext.NullTranslations):
    """The fallback of a catalogue: None for a name it does not translate."""

    def gettext(self, message):
        return None


def _capitalised(name):
    name = name.translate(_ASCII)
    return name[:1].upper() + name[1:]


def _cldr_pairs():
    """`{english: (domain, french)}` of CLDR's English and French locales."""
    # Located first, for the message that names the package to install.
    _common.package_file("babel", "locale-data/fr.dat", install="babel")
    from babel import Locale

    english, french = Locale("en"), Locale("fr")
    pairs = {}
    for domain, attribute in _CLDR.items():
        translations = getattr(french, attribute)
        for code, name in getattr(english, attribute).items():
            if code not in translations:
                continue
            source, target = _capitalised(name), _capitalised(translations[code])
            if re.findall(r"\d+", source) != re.findall(r"\d+", target):
                continue  # years that disagree: "(1946-1965)", "(1947-1961)"
            pairs.setdefault(source, (domain, target))
    return pairs


def _iso_pairs():
    """`{english: (domain, french)}` of pycountry's ISO names."""
    pairs = {}
    for domain, standard in _STANDARDS.items():
        database = _common.package_file(
            "pycountry", f"databases/iso{standard}.json", install="pycountry"
        )
        catalogue = _common.package_file(
            "pycountry",
            f"locales/fr/LC_MESSAGES/iso{standard}.mo",
            install="pycountry",
        )
        with catalogue.open("rb") as file:
            french = gettext.GNUTranslations(file)
        # Without it, `gettext` returns an untranslated name unchanged.
        french.add_fallback(_Untranslated())
        entries = json.loads(database.read_text(encoding="utf-8"))[standard]
        for entry in entries:
            for field in _FIELDS:
                english = entry.get(field)
                translation = french.gettext(english) if english else None
                if not translation:
                    continue
                english, translation = (
                    english.translate(_ASCII),
                    translation.translate(_ASCII),
                )
                if english == translation and domain not in _ALIKE_KEPT:
                    continue
                pairs.setdefault(english, (domain, translation))
    return pairs


def _read_pairs():
    """`(domains, english, french)` lists: CLDR's pairs, then ISO's new ones."""
    pairs = _cldr_pairs()
    for english, pair in _iso_pairs().items():
        pairs.setdefault(english, pair)
    return [
        [domain for domain, _ in pairs.values()],
        list(pairs),
        [french for _, french in pairs.values()],
    ]


@functools.lru_cache(maxsize=1)
def _splits():
    """The cached, read-only `{split: (english, french, domains)}`."""
    domains, english, french = (np.array(c, dtype=object) for c in _read_pairs())
    order = np.random.default_rng(_SEED).permutation(len(english))
    held_out = round(_HELD_OUT * len(english))
    parts = np.split(order, [len(english) - 2 * held_out, len(english) - held_out])
    return _common.take_splits((english, french, domains), parts)


def load_data(split=None):
    """Loads the English-French name pairs with a fixed 3,071/384/384 split.

    Args:
        split: `"train"`, `"validation"`, `"test"`, or None for all three.

    Returns:
        For one split, `(english, french)`: two `(n,)` arrays of `str`,
        `french[i]` the translation of `english[i]`. For `split=None`, a dict
        of the three. The arrays are fresh copies.

    Example:

    >>> english, french = load_data("train")
    >>> len(english), len(french)
    (3071, 3071)
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


def differing(english, french):
    """The pairs French writes differently: `(english, french)` arrays.

    The held-out figure of the set scores a model on these: copying the
    English name gets none of them right.

    Example:

    >>> english, french = differing(*load_data("test"))
    >>> bool((english != french).all())
    True
    """
    english, french = (
        np.asarray(english, dtype=object),
        np.asarray(french, dtype=object),
    )
    kept = english != french
    return english[kept], french[kept]
