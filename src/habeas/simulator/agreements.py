"""Whose agreement an extension needs: the prosecutors' levels the law's ladders ask for.

The law says which prosecutor must agree (custody, CPC art. 151) or make (the investigation's
term, CPC art. 192) each extension, by the step of its ladder the extension reaches; the steps
and levels are the package's data (the `ladder` rules of `rules.yaml`). The simulator never
copies them: it judges the extension as if no agreement were recorded and takes the levels the
law then finds missing. A ladder whose level is the extension's own (`own`) is met by the
extension's maker; the others by decisions naming the extension, one per level.
"""

from __future__ import annotations

from dataclasses import dataclass

from habeas.domain.case import CaseState
from habeas.law.package import Law
from habeas.law.rules import Facts, load_rules
from habeas.law.rules.mechanisms import Judge
from habeas.law.rules.schema import LadderRule, RulesDocument

# where a prosecutor of a level above the case's own sits (names only: who must agree is the law's)
OFFICES = {"regional": "prosecutor-{region}-regional", "general": "prosecutor-general"}


@dataclass(frozen=True)
class Needed:
    """The levels an extension needs, the highest first, and whether its maker gives the level."""

    levels: tuple[str, ...] = ()
    own: bool = False
    lowest: str | None = None  # the ladder's lowest level: the case's own prosecutor's

    def by(self, region: str, own_prosecutor: dict) -> list[tuple[str, dict]]:
        """Each level with the prosecutor who gives it."""
        return [(lv, own_prosecutor if lv == self.lowest else prosecutor(lv, region)) for lv in self.levels]


def ladders(law: Law, kind: str) -> RulesDocument | None:
    """The law's ladder rules that judge extensions of `kind`, as a rules document of their own
    (None: the kind needs no agreement); made once per law."""
    known = law.cache.setdefault("simulator.ladders", {})
    if kind not in known:
        rules = load_rules(law)
        found = [rule for rule in rules.rules if isinstance(rule, LadderRule) and kind in rule.kinds]
        known[kind] = rules.model_copy(update={"rules": found}) if found else None
    return known[kind]


def needed(law: Law, state: CaseState, kind: str, extension: str) -> Needed:
    """What the law's ladders ask for the extension with id `extension` (of `kind`) on these
    facts: none when the extension needs no agreement or no ladder is in force."""
    document = ladders(law, kind)
    if document is None:
        return Needed()
    rules = {rule.code: rule for rule in document.rules}
    for finding in Judge(law, Facts.of(state), document).run():  # only the ladders: as `evaluate` judges
        rule = rules.get(finding.code)
        if rule is not None and extension in finding.evidence:
            missing = tuple(finding.params.get("missing") or ())
            return Needed(missing, rule.approval.own, rule.approval.order[0] if rule.approval.order else None)
    return Needed()


def prosecutor(level: str, region: str) -> dict:
    """A prosecutor of `level` above the case's own, as an actor of the import format."""
    agency = OFFICES.get(level, "prosecutor-{region}-" + level).format(region=region)
    return {"id": f"pr-{agency.removeprefix('prosecutor-')}", "role": "prosecutor", "agency": agency}
