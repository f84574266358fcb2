"""The shared word lists (``knowledge/lexicon.yaml``): one file for the analyser, the speaker marks
and the situation reader. Each list answers one question about a morpheme; see the file's comments."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..knowledge.loader import KNOWLEDGE_DIR, cached, load_model

LEXICON_FILE = KNOWLEDGE_DIR / "lexicon.yaml"
Words = list[str]


class Lexicon(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    first_person: Words = Field(min_length=1)
    other_people: Words = Field(min_length=1)
    third_parties: Words = Field(min_length=1)
    own_act_nouns: Words = Field(min_length=1)
    not_action: Words = Field(min_length=1)
    end_ok_particles: Words = Field(min_length=1)
    work_not_promise: Words = Field(min_length=1)
    reported_speech_verbs: Words = Field(min_length=1)
    reported_thought_verbs: Words = Field(min_length=1)
    speaker_other_verbs: Words = Field(min_length=1)
    speaker_thought_verbs: Words = Field(min_length=1)
    negators: Words = Field(min_length=1)
    kansai_negators: Words = Field(min_length=1)
    negation_passes: Words = Field(min_length=1)
    fear_words: Words = Field(min_length=1)
    act_verbs: Words = Field(min_length=1)
    story_words: Words = Field(min_length=1)
    target_particles: Words = Field(min_length=1)
    care_question_words: Words = Field(min_length=1)
    answer_demand_words: Words = Field(min_length=1)
    reply_nouns: Words = Field(min_length=1)
    reply_release_words: Words = Field(min_length=1)
    vague_commitment_words: Words = Field(min_length=1)

    @field_validator("*")
    @classmethod
    def _words(cls, v: Words) -> Words:
        bad = [w for w in v if not isinstance(w, str) or not w.strip() or w != w.strip()]
        if bad:
            raise ValueError(f"words must be non-empty strings without spaces around them: {bad}")
        dupes = sorted({w for w in v if v.count(w) > 1})
        if dupes:
            raise ValueError(f"words repeat: {', '.join(dupes)}")
        return v

    def words(self, name: str) -> frozenset[str]:
        """The list *name* as a set (for membership tests in hot loops), built once per lexicon."""
        hit = _WORD_SETS.get((id(self), name))
        if hit is None or hit[0] is not self:
            hit = (self, frozenset(getattr(self, name)))
            _WORD_SETS[(id(self), name)] = hit
        return hit[1]


# (id of a lexicon, list name) -> (that lexicon, the list as a set); the lexicon is kept so its id stays its own
_WORD_SETS: dict[tuple[int, str], tuple[Lexicon, frozenset[str]]] = {}


def load_lexicon_from(path: Path) -> Lexicon:
    return load_model(path, Lexicon, "lexicon")


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The packaged lexicon (validated, cached; on disk too)."""
    return cached("lexicon", lambda: load_lexicon_from(LEXICON_FILE))
