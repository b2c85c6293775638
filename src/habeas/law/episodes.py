"""What holds or restrains a person, as the jurisdiction defines it (`episodes.yaml`).

Pure. One definition of each episode — a police detention, custody, house arrest, bail, an
extradition arrest, imprisonment: which acts open it, renew its term, close it, end its
term or its pre-trial part, and which rules limit it — read by the rules (a selector may
name an episode's acts, `expand_selectors`), the case file (`in_force`), the detention board
(`limits`) and the statistics (`statistics.episodes`). A package without the file has no
episodes: nothing is held, and a rule that names one does not load.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from habeas.law.package import Certainty, Citation, Law, LawDataError, validated

FILE = "episodes.yaml"
Acts = Literal["opens", "renews", "closes", "term_ends", "pre_trial_ends"]
ACTS: tuple[str, ...] = Acts.__args__
# The episodes the register knows by name: the words of the case file's `measures`, and what
# the board and the statistics ask for. A package defines those its law has.
Name = Literal["detention", "custody", "house_arrest", "bail", "extradition_arrest", "prison"]


# every level holds something: an empty test would be read as "any", silently
_Tests = Annotated[
    dict[str, Annotated[dict[str, Annotated[list[Any], Field(min_length=1)]], Field(min_length=1)]], Field(min_length=1)
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CountsToward(_Model):
    term: str
    citations: list[Citation] = Field(min_length=1)
    certainty: Certainty


class Episode(_Model):
    description: str = Field(min_length=1)
    held: bool
    opens: list[str] = Field(min_length=1)
    renews: list[str] = Field(default_factory=list)
    closes: list[str] = Field(min_length=1)
    term_ends: list[str] = Field(default_factory=list)
    pre_trial_ends: list[str] = Field(default_factory=list)
    where: dict[Acts, _Tests] = Field(default_factory=dict)  # act → kind → field → the values it must have
    limits: list[str] = Field(default_factory=list)
    counts_toward: list[CountsToward] = Field(default_factory=list)
    citations: list[Citation] = Field(min_length=1)
    certainty: Certainty

    def acts(self, *names: str) -> list[str]:
        """The kinds of these acts, in order, each once."""
        return list(dict.fromkeys(k for name in names for k in getattr(self, name)))

    def is_act(self, name: str, kind: str, data: Mapping[str, Any]) -> bool:
        """Whether a fact of `kind` with `data` is one of this episode's `name` acts."""
        if kind not in getattr(self, name):
            return False
        tests = self.where.get(name, {}).get(kind, {})
        return all(data.get(field) in allowed for field, allowed in tests.items())

    def kinds(self) -> set[str]:
        return {k for name in ACTS for k in getattr(self, name)} | {k for tests in self.where.values() for k in tests}


class Episodes(_Model):
    jurisdiction: str
    episodes: dict[Name, Episode] = Field(min_length=1)

    @cached_property
    def index(self) -> tuple[dict[str, list], dict[str, list]]:
        """{kind: (name, episode) it closes}, {kind: (name, is a renewal) it opens or renews}."""
        closing: dict[str, list] = {}
        opening: dict[str, list] = {}
        for name, ep in self.episodes.items():
            for kind in ep.closes:
                closing.setdefault(kind, []).append((name, ep))
            for kind in ep.opens:
                opening.setdefault(kind, []).append((name, False))
            for kind in ep.renews:
                opening.setdefault(kind, []).append((name, True))
        return closing, opening

    def get(self, name: str, where: str = FILE) -> Episode:
        if name not in self.episodes:
            raise LawDataError(where, name, f"no episode {name!r} in {FILE} (known: {', '.join(self.episodes)})")
        return self.episodes[name]


def definitions(law: Law) -> Episodes:
    """The package's episodes, parsed once per Law."""
    cached = law.cache.get("episodes")
    if cached is None:
        raw = law.extra.get(FILE)
        cached = (
            Episodes.model_construct(jurisdiction=law.jurisdiction, episodes={})
            if raw is None
            else validated(Episodes, raw, FILE, law.jurisdiction)
        )
        law.cache["episodes"] = cached
    return cached


def episode(law: Law, name: str) -> Episode:
    return definitions(law).get(name)


def expand_selectors(raw: Any, episodes: Episodes, where: str) -> Any:
    """A rules document with every `{episode: NAME or [NAMES], acts: [...]}` selector written
    out as the kinds (and `where` field tests) those episodes' acts are, plus any `kinds` it
    lists itself: so the rules read the one definition."""
    if isinstance(raw, list):
        return [expand_selectors(item, episodes, f"{where}.{n}") for n, item in enumerate(raw)]
    if not isinstance(raw, Mapping):
        return raw
    if "episode" in raw and "acts" in raw:
        return _selector(raw, episodes, where)
    return {key: expand_selectors(value, episodes, f"{where}.{key}") for key, value in raw.items()}


def _selector(raw: Mapping[str, Any], episodes: Episodes, where: str) -> dict[str, Any]:
    names = raw["episode"] if isinstance(raw["episode"], list) else [raw["episode"]]
    acts = raw["acts"] if isinstance(raw["acts"], list) else [raw["acts"]]
    for act in acts:
        if act not in ACTS:
            raise LawDataError("rules.yaml", where, f"no act {act!r} of an episode (one of {', '.join(ACTS)})")
    out = {k: v for k, v in raw.items() if k not in ("episode", "acts")}
    kinds = list(out.get("kinds") or [])
    tests = dict(out.get("where") or {})
    for name in names:
        found = episodes.get(name, f"rules.yaml: {where}")
        for act in acts:
            for kind in getattr(found, act):
                if kind not in kinds:
                    kinds.append(kind)
                if kind in found.where.get(act, {}):
                    tests.setdefault(kind, found.where[act][kind])
    out["kinds"] = kinds
    if tests:
        out["where"] = tests
    return out


@dataclass(frozen=True, slots=True)
class InForce:
    """The episode a person is under at a moment: which, since when, and until when (a judge's term)."""

    measure: str
    since: datetime
    until: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"measure": self.measure, "since": self.since.isoformat()}
        if self.until is not None:
            out["until"] = self.until.isoformat()
        return out


def in_force(defined: Episodes, timeline: Iterable[Any]) -> dict[str, InForce]:
    """Per person, the episode in force after these facts (in their order): the latest opened
    and not closed since. A renewal moves the term, not the start (with none open it stands
    for the episode it renews: the register holds that the person is under it)."""
    closing, opening = defined.index
    open_now: dict[str, dict[str, InForce]] = {}
    for event in timeline:
        kind = event.kind
        if kind not in closing and kind not in opening:
            continue
        person = event.data.get("person")
        if person is None:
            continue
        mine = open_now.setdefault(person, {})
        for name, ep in closing.get(kind, ()):
            if ep.is_act("closes", kind, event.data):
                mine.pop(name, None)
        for name, renews in opening.get(kind, ()):
            until = event.data.get("until")
            since = mine.pop(name).since if renews and name in mine else event.occurred_at
            mine[name] = InForce(name, since, datetime.fromisoformat(until) if until else None)  # the latest last
    return {person: list(mine.values())[-1] for person, mine in open_now.items() if mine}


def measures(law: Law, timeline: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """The case file's `measures`: per person, the episode in force (`in_force`) as JSON."""
    return {person: found.to_dict() for person, found in in_force(definitions(law), timeline).items()}
