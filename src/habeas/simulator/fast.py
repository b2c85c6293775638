"""The vectorised path: many replications of the same calibration at once, with numpy.

It draws what the event-driven engine draws case by case, as arrays: the offence's gravity,
whether a suspect is found and detained, whether a petition is made and granted, how long
preparing it and deciding it take, whether a release comes late; and it counts what the
engine counts. It has no queues (officials are taken to be free), so it answers sweeps over
what-ifs in a blink and is checked against the engine on the same calibration
(`tests/simulator`): the counts agree within the tolerance stated there. The detention
limit is asked of the law engine, once per gravity, never copied.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from habeas.domain.case import fold_all
from habeas.domain.events import parse_event
from habeas.law.offences import gravity_of
from habeas.law.package import Law
from habeas.law.rules import due
from habeas.simulator.arrivals import Arrivals
from habeas.simulator.calibration import Calibration, Figure


def _limit_hours(law: Law, article: str, part: int | None, at: datetime) -> float:
    """The detention limit for an adult suspected under this article, from the law engine."""
    data = {"erdr_number": "1", "article": article, "region": "r"}
    if part:
        data["part"] = int(part)
    actor = {"id": "i", "role": "investigator"}
    registered = {
        "id": "r",
        "kind": "case.registered",
        "case": "C",
        "occurred_at": at.isoformat(),
        "actor": actor,
        "data": data,
    }
    detained = {
        "id": "d",
        "kind": "person.detained",
        "case": "C",
        "occurred_at": at.isoformat(),
        "actor": actor,
        "data": {"person": "P1", "place": "street"},
    }
    events = [parse_event(registered), parse_event(detained)]
    until = due(law, "KZ-DETENTION-LIMIT", fold_all(events), events[1])
    return (until - at).total_seconds() / 3600 if until else float("inf")


def _lognormal(rng: np.random.Generator, figure: Figure, shape) -> np.ndarray:
    return figure.median * np.exp(rng.normal(0.0, figure.spread or 0.0, shape))


def replicate(law: Law, cal: Calibration, *, cases: int, replications: int, seed: int, at: datetime) -> dict:
    """Counts per replication (arrays of length `replications`)."""
    rng = np.random.default_rng(seed)
    prob, fail, dur = cal.probabilities, cal.failures, cal.durations
    arrivals = Arrivals(cal, cases=cases, years=1.0)  # the engine's arrivals model, drawn as arrays
    groups = arrivals.groups
    shape = (replications, cases)
    group = arrivals.groups_drawn(rng, shape)
    # each group's articles, drawn uniformly as the engine does; their limit and gravity from the law
    offences = [(g, article, part) for g in groups for article, part in arrivals.articles[g]]
    counts = np.array([len(arrivals.articles[g]) for g in groups])
    first = np.cumsum([0, *counts])[:-1]
    offence = first[group] + (rng.random(shape) * counts[group]).astype(int)
    limit = np.array([_limit_hours(law, article, part, at) for _, article, part in offences])
    gravity = [gravity_of(law, article, part, at.date()) or g for g, article, part in offences]

    def by_group(figure: Figure) -> np.ndarray:
        return np.array([figure.of(g) for g in gravity], dtype=float)[offence]

    found = rng.random(shape) < prob["suspect_identified"].value
    detained = found & (rng.random(shape) < by_group(prob["detained"]))
    petition = detained & (rng.random(shape) < by_group(prob["custody_petition"]))
    granted = petition & (rng.random(shape) < prob["petition_granted"].value)
    hold = limit[offence]
    decided = _lognormal(rng, dur["petition_preparation"], shape) + dur["custody_decision_work"].median
    released_late = (rng.random(shape) < fail["release_late"].value) & (
        _lognormal(rng, dur["release_without_petition"], shape) > hold
    )
    over_limit = (petition & (decided > hold)) | (detained & ~petition & released_late)
    to_court = np.where(granted, prob["sent_to_court_held"].value, prob["sent_to_court"].value)
    sent = found & (rng.random(shape) < to_court)
    convicted = sent & (rng.random(shape) >= prob["acquitted"].value)
    imprisoned = convicted & (rng.random(shape) < by_group(prob["imprisoned"]))
    return {
        "detentions": detained.sum(axis=1),
        "custody petitions": petition.sum(axis=1),
        "custody petitions granted": granted.sum(axis=1),
        "breaches KZ-DETENTION-LIMIT": over_limit.sum(axis=1),
        "sent to court": sent.sum(axis=1),
        "prisoners admitted": imprisoned.sum(axis=1),
    }
