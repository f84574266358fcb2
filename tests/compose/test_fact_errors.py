"""A fact that is not a sentence gets an error that says what is actually wrong with it."""

from __future__ import annotations

import pytest

from nakanaori import compose
from nakanaori.errors import InputError

PARTICLE = "助詞で終わる形は使えません"


def _error(**facts: str) -> InputError:
    with pytest.raises(InputError) as exc:
        compose(relationship="friend", stage="just_apologized", **facts)
    assert exc.value.code == "bad_option"
    return exc.value


@pytest.mark.parametrize(
    ("facts", "particle"),
    [({"will": "約束の時間に"}, "に"), ({"did": "友だちと"}, "と"), ({"will": "すぐに"}, "に")],
)
def test_a_fact_ending_in_a_particle_is_told_so(facts: dict[str, str], particle: str) -> None:
    e = _error(**facts)
    assert f"「{particle}」のような{PARTICLE}" in e.message_ja
    assert "文の形" in e.message_ja and "ends in a particle" in e.message_en


@pytest.mark.parametrize(
    ("facts", "ending"),
    [({"did": "もっと"}, "もっと"), ({"thanks": "わー"}, "わー"), ({"will": "ちゃんと"}, "ちゃんと")],
)
def test_a_fact_ending_in_another_word_is_not_told_about_particles(facts: dict[str, str], ending: str) -> None:
    e = _error(**facts)
    assert PARTICLE not in e.message_ja
    assert f"「{ending}」で終わっていて、文になっていません" in e.message_ja


@pytest.mark.parametrize("facts", [{"will": "ありがとう"}, {"did": "ごめん"}])
def test_a_fact_that_is_only_sorry_or_thanks_is_told_so(facts: dict[str, str]) -> None:
    e = _error(**facts)
    assert PARTICLE not in e.message_ja
    assert "「ごめん」「ありがとう」のような言葉だけでは" in e.message_ja


def test_a_register_that_does_not_fit_lists_the_ones_that_do_whole() -> None:
    with pytest.raises(InputError) as exc:
        compose(relationship="partner", stage="improve", register="honorific", did="約束の時間に遅れた")
    assert "「くだけた話し言葉」か「です・ます」を選んでください" in exc.value.message_ja
