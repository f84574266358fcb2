"""The stage: each cue that fires adds its weight to its stage; the days since the apology and
"forgiven" add a little; the stages with enough evidence fit and the precedence of labels.md §3 picks
among them. When no stage fits, the learned stage reader (:mod:`.stage_model`) decides, the weak evidence
adding a little to its probabilities. The fit table, bonuses and confidence bands are ``decision`` in
``knowledge/situations.yaml``."""

from __future__ import annotations

from collections.abc import Callable

from ..check.engine import RawMatch
from ..labels import Stage
from .cues import CueRule, Decision
from .models import Evidence, Facts
from .spans import Spans


def score_stages(
    spans: Spans,
    rules: tuple[CueRule, ...],
    decision: Decision,
    hits: dict[str, list[RawMatch]],
    prior: dict[str, float] | None = None,
) -> tuple[dict[str, float], list[Evidence]]:
    """Each cue that fired adds its weight once; its first match is the evidence. The weight of the
    prior cues (``decision.model.prior_cues``) is also added to *prior*, when given."""
    scores = {s.value: 0.0 for s in decision.precedence}
    evidence: list[Evidence] = []
    prior_ids = decision.model.prior_cues
    for rule in rules:
        found = hits.get(rule.id)
        if not found or rule.stage is None:
            continue
        scores[rule.stage] += rule.weight
        if prior is not None and rule.id in prior_ids:
            prior[rule.stage] = prior.get(rule.stage, 0.0) + rule.weight
        first = found[0]
        evidence.append(
            Evidence(kind="stage", value=rule.stage, text=spans.text_of(first.start, first.end), weight=rule.weight)
        )
    return scores, evidence


def decide_stage(
    scores: dict[str, float],
    facts: Facts,
    decision: Decision,
    model: Callable[[], dict[Stage, float]] | None = None,
    prior: dict[str, float] | None = None,
) -> tuple[Stage, float]:
    """The stage and its confidence. *model* gives the learned reader's probabilities; it is called only
    when no stage fits and none leans on specific evidence (*prior*: the part of *scores* that is the
    prior cues'). Without a model, the weak evidence and then the days decide, as before."""
    s = dict(scores)
    fit = decision.fit
    days = facts.days_since_apology
    if days is not None:
        bonus = decision.days.today if days == 0 else decision.days.yesterday if days == 1 else decision.days.later
        for st, v in bonus.items():
            s[st.value] += v
    if facts.forgiven:
        # "forgiven but …": the stages that presuppose forgiveness get the benefit of the doubt
        for st, v in decision.forgiven.below_fit.items():
            if 0 < s[st.value] < fit:
                s[st.value] += v
        if days and days >= 2:
            for st, v in decision.forgiven.later.items():
                s[st.value] += v
        if days == 0:
            for st, v in decision.forgiven.today.items():
                s[st.value] += v
    order = [st.value for st in decision.precedence]
    c = decision.confidence
    fits = [st for st in order if s[st] >= fit]
    if fits:
        top = fits[0]
        conf = c.strong if s[top] >= c.strong_at else c.fit
        exempt = {st.value for st in c.rival_exempt}
        rivals = [st for st in fits[1:] if s[st] >= c.strong_at and st not in exempt]
        if rivals:
            conf -= c.rival_penalty
        return Stage(top), conf
    if model is not None:
        m = decision.model
        prior = prior or {}
        never = {st.value for st in m.never_lean}
        leaning = [
            (s[name] - prior.get(name, 0.0), -order.index(name), name)
            for name in order
            if name not in never and s[name] - prior.get(name, 0.0) >= c.lean_at
        ]
        if leaning:
            return Stage(max(leaning)[2]), c.lean
        probs = model()
        combined = {st: p + m.cue_weight * max(s[st.value], 0.0) for st, p in probs.items()}
        best_stage = max(combined, key=lambda st: (combined[st], -order.index(st.value)))
        if combined[best_stage] >= m.min_confidence:
            return best_stage, min(m.confidence_cap, combined[best_stage])
        # the model is guessing (「彼氏に謝った」 says nothing about after): the rules' prior stands
    positive = [(v, -order.index(name), name) for name, v in s.items() if v > 0]
    if positive:
        best, _, name = max(positive)
        if best >= c.lean_at:
            return Stage(name), c.lean
        return Stage(name), c.weak
    if facts.forgiven:
        return Stage.days_later if days and days >= 2 else Stage.just_apologized, c.forgiven_only
    return Stage.just_apologized, c.nothing
