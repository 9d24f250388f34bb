import gettext

import numpy as np
import pytest

from keras_seq.datasets import en_fr_names
from tests.datasets import loader_checks

SIZES = {"train": 6774, "validation": 847, "test": 847}


@pytest.fixture(scope="module")
def splits():
    return en_fr_names.load_data()


class _Untranslated(gettext.NullTranslations):
    def gettext(self, message):
        return None


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
                if english and english not in pairs and french.gettext(english):
                    pairs[english] = (domain, french.gettext(english))
    return pairs


def test_shapes_dtypes_and_sizes(splits):
    for split, size in SIZES.items():
        english, french = splits[split]
        assert english.shape == french.shape == (size,)
        assert english.dtype == french.dtype == object
        assert all(type(name) is str and name for name in [*english, *french])


def test_the_pairs_pycountry_translates(splits):
    ours = {
        english: (domain, french)
        for split, (english_names, french_names) in splits.items()
        for english, french, domain in zip(
            english_names, french_names, en_fr_names.load_domains(split)
        )
    }
    assert ours == pycountry_pairs()
    assert ours["Algerian Dinar"] == ("currency", "Dinar algérien")
    assert ours["Republic of Austria"] == ("country", "République d'Autriche")
    assert ours["South Bolivian Quechua"] == ("language", "Quechua bolivien méridional")


def test_no_english_name_in_two_splits(splits):
    loader_checks.check_disjoint(
        {split: list(english) for split, (english, _) in splits.items()}
    )
    assert sum(len(set(english)) for english, _ in splits.values()) == 8468


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
        "country": 425,
        "currency": 174,
        "language": 7869,
    }
    with pytest.raises(ValueError, match="split"):
        en_fr_names.load_domains("dev")


def test_a_seeded_shuffle_not_the_databases_order(splits):
    # Sorted by domain, the first 847 names would all be countries/currencies.
    assert 0.85 < np.mean(en_fr_names.load_domains("test") == "language") < 0.99


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


def test_missing_package(monkeypatch):
    loader_checks.check_missing_package(
        en_fr_names, "pycountry", "pycountry", monkeypatch
    )
