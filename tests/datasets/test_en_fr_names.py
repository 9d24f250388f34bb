import gettext

import numpy as np
import pytest

from keras_seq.datasets import en_fr_names
from tests.datasets import loader_checks

SIZES = {"train": 3071, "validation": 384, "test": 384}
ASCII = str.maketrans({"’": "'", "ʼ": "'", "ʻ": "'", "–": "-", "—": "-"})


@pytest.fixture(scope="module")
def splits():
    return en_fr_names.load_data()


class _Untranslated(gettext.NullTranslations):
    def gettext(self, message):
        return None


def cldr_pairs():
    """`{english: (domain, french)}` through Babel's own API."""
    from babel import Locale

    def capital(name):
        name = name.translate(ASCII)
        return name[0].upper() + name[1:]

    pairs = {}
    for domain, attribute in [
        ("language", "languages"),
        ("country", "territories"),
        ("currency", "currencies"),
    ]:
        english = getattr(Locale.parse("en"), attribute)
        french = getattr(Locale.parse("fr"), attribute)
        for code in english:
            if code in french:
                source, target = capital(english[code]), capital(french[code])
                digits = [[c for c in name if c.isdigit()] for name in (source, target)]
                if digits[0] == digits[1] and source not in pairs:
                    pairs[source] = (domain, target)
    return pairs


def pycountry_pairs():
    """`{english: (domain, french)}` through pycountry's own API."""
    import pycountry

    databases = {
        "country": ("iso3166-1", pycountry.countries),
        "currency": ("iso4217", pycountry.currencies),
        "language": ("iso639-3", pycountry.languages),
    }
    pairs = {}
    for domain, (catalogue, database) in databases.items():
        french = gettext.translation(catalogue, pycountry.LOCALES_DIR, ["fr"])
        french.add_fallback(_Untranslated())
        for entry in database:
            for field in ("name", "official_name", "common_name"):
                english = getattr(entry, field, None)
                if not english or not french.gettext(english):
                    continue
                target = french.gettext(english).translate(ASCII)
                english = english.translate(ASCII)
                if english == target and domain == "language":
                    continue  # an ISO 639-3 name left untranslated
                pairs.setdefault(english, (domain, target))
    return pairs


def test_shapes_dtypes_and_sizes(splits):
    for split, size in SIZES.items():
        english, french = splits[split]
        assert english.shape == french.shape == (size,)
        assert english.dtype == french.dtype == object
        assert all(type(name) is str and name for name in [*english, *french])


def test_the_pairs_cldr_then_pycountry_translate(splits):
    ours = {
        english: (domain, french)
        for split, (english_names, french_names) in splits.items()
        for english, french, domain in zip(
            english_names, french_names, en_fr_names.load_domains(split)
        )
    }
    cldr = cldr_pairs()
    assert ours == {**pycountry_pairs(), **cldr}
    assert len(cldr) == 1228
    assert ours["German"] == ("language", "Allemand")
    assert ours["Germany"] == ("country", "Allemagne")
    assert ours["US Dollar"] == ("currency", "Dollar des États-Unis")
    assert ours["World"] == ("country", "Monde")
    assert ours["Algerian Dinar"] == ("currency", "Dinar algérien")
    assert ours["Republic of Austria"] == ("country", "République d'Autriche")
    assert ours["South Bolivian Quechua"] == ("language", "Quechua bolivien méridional")


def test_no_english_name_in_two_splits(splits):
    loader_checks.check_disjoint(
        {split: list(english) for split, (english, _) in splits.items()}
    )
    assert sum(len(set(english)) for english, _ in splits.values()) == 3839


def test_domains(splits):
    assert en_fr_names.DOMAINS == ("country", "currency", "language")
    domains = en_fr_names.load_domains()
    assert list(domains) == ["train", "validation", "test"]
    for split, (english, _) in splits.items():
        assert domains[split].shape == english.shape
        assert set(domains[split]) == set(en_fr_names.DOMAINS)
        np.testing.assert_array_equal(en_fr_names.load_domains(split), domains[split])
    every = np.concatenate(list(domains.values()))
    assert {d: int((every == d).sum()) for d in en_fr_names.DOMAINS} == {
        "country": 503,
        "currency": 377,
        "language": 2959,
    }
    with pytest.raises(ValueError, match="split"):
        en_fr_names.load_domains("dev")


def test_a_seeded_shuffle_not_the_databases_order(splits):
    # In the sources' order, the test names would all be ISO languages.
    assert 0.6 < np.mean(en_fr_names.load_domains("test") == "language") < 0.9


def test_names_written_alike_are_a_small_minority(splits):
    for english, french in splits.values():
        assert 0.05 < np.mean(english == french) < 0.15
    every = {
        e: f for english, french in splits.values() for e, f in zip(english, french)
    }
    assert every["Canada"] == "Canada" and "Ghotuo" not in every
    # Every character is one the default character tokenizer (384 ids) keeps.
    rare = {c for name in [*every, *every.values()] for c in name if ord(c) >= 384}
    assert len(rare) <= 10, rare


def test_differing_keeps_the_pairs_french_writes_differently(splits):
    english, french = splits["test"]
    kept_english, kept_french = en_fr_names.differing(english, french)
    assert len(kept_english) == int((english != french).sum()) == 345
    assert (kept_english != kept_french).all()
    assert set(kept_english) <= set(english)
    assert (
        dict(zip(kept_english, kept_french)).items()
        <= dict(zip(english, french)).items()
    )


def test_split_argument():
    loader_checks.check_split_argument(en_fr_names)


def test_results_are_copies():
    loader_checks.check_results_are_copies(en_fr_names)
    domains = en_fr_names.load_domains("test")
    domains[:] = "changed"
    assert "changed" not in set(en_fr_names.load_domains("test"))


def test_same_in_every_process_and_fast():
    loader_checks.check_same_in_every_process(en_fr_names)
    loader_checks.check_cached_reload_is_fast(en_fr_names)


@pytest.mark.parametrize("package", ["pycountry", "babel"])
def test_missing_package(monkeypatch, package):
    loader_checks.check_missing_package(en_fr_names, package, package, monkeypatch)
