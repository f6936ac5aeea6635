from claimwatch.resolve.normalize import adjectival_stems, cyrillic_case_variants, name_key


def test_russian_and_ukrainian_romanisations_share_a_key():
    assert name_key("Kostiantynivka") == name_key("Kostyantynivka") == name_key("Костянтинівка")
    assert name_key("Konstantinovka") == name_key("Константиновка") == name_key("Konstantinowka")
    assert name_key("Krasnoarmeysk") == name_key("Krasnoarmejsk") == name_key("Красноармейск")


def test_variant_folds_from_the_brief():
    assert name_key("Kharkiv") == name_key("Harkiv")  # kh/h
    assert name_key("Zaporozhye") == name_key("Zaporozhe")  # ye/e
    assert name_key("Zaporizhzhia") == name_key("Zaporizhzhya")  # ia/ya
    assert name_key("Dnipropetrovs'k") == name_key("Dnipropetrovsk")  # apostrophe / soft sign
    assert name_key("Donbass") == name_key("Donbas")  # doubled letters
    assert name_key("Mariupol’") == name_key("Мариуполь")


def test_diacritics_and_punctuation_are_ignored():
    assert name_key("Doněck") == name_key("Doneck")
    assert name_key("Rostov-on-Don") == "rostov on don"


def test_different_words_stay_different():
    assert name_key("Konstantinovka") != name_key("Kostiantynivka")
    assert name_key("Pokrovsk") != name_key("Pokrovske")


def test_adjectival_forms_give_the_town_name():
    assert adjectival_stems(name_key("Krasnoarmeyskoye"))[0] == name_key("Krasnoarmeysk")
    assert name_key("Dimitrov") in adjectival_stems(name_key("Dymitrovskoye"))


def test_cyrillic_case_endings_give_the_nominative():
    assert "константиновка" in cyrillic_case_variants("Константиновке")
    assert "покровск" in cyrillic_case_variants("Покровском")
    assert "бахмут" in cyrillic_case_variants("Бахмуте")
    assert cyrillic_case_variants("Pokrovsk") == []
