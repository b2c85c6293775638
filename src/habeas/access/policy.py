"""The access policy: who may do what, as the jurisdiction's data (`policy.yaml`).

`decide(policy, principal, action, case)` answers allowed or refused, with a reason; it
is deny by default: an action is allowed only where a grant of the principal's role names
it and the grant's scope holds for this case. Actions are `resource:verb` names; scopes
are the relations this module knows between a principal and a case (`SCOPES`); which
role holds which action in which scope is data, with the law's citations, so a second
jurisdiction is a second `policy.yaml`, never an `if role == ...` here.

A grant may be limited to a `section` of the case file (the ombudsman reads detention and
complaint data everywhere, not the whole file): the decision then names the section,
whose kinds the policy lists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from habeas.access.facts import PUBLIC, CaseFacts, Principal
from habeas.domain.vocabulary import KINDS, ROLES
from habeas.law.package import Citation, Law, LawDataError, validated

FILE = "policy.yaml"

# The actions habeas asks about. Each is `resource:verb`.
ACTIONS: dict[str, str] = {
    "case:read": "read a case file (parties, timeline, findings)",
    "case:record": "record a fact on a case (what fact is the law's competence)",
    "case:record_for_others": "record facts whose actor is another official (a registrar, a system)",
    "case:assign": "assign an official to a case, or end an assignment",
    "case:transfer": "move a case to another region (a registration naming another region)",
    "reads:read": "see who read a case",
    "export:read": "export the whole log",
    "statistics:read": "read the public statistics",
    "user:admin": "add, list and disable users",
    "checkpoint:write": "sign a checkpoint of the logs",
}
CASE_ACTIONS = frozenset({"case:read", "case:record", "case:assign", "case:transfer", "reads:read"})

SCOPES: dict[str, Callable[[Principal, CaseFacts | None], bool]] = {
    "everywhere": lambda p, c: True,
    "assigned": lambda p, c: c is not None and p.id in c.assigned,
    "unit": lambda p, c: c is not None and p.agency is not None and p.agency in c.agencies,
    "region": lambda p, c: c is not None and p.region is not None and c.region == p.region,
    "court": lambda p, c: c is not None and p.agency is not None and p.agency in c.courts,
    "counsel": lambda p, c: c is not None and p.id in c.lawyers,
    "own": lambda p, c: c is not None and p.person is not None and p.person[0] == c.case and p.person[1] in c.parties,
}
SCOPE_WORDS = {
    "everywhere": "anywhere",
    "assigned": "on a case assigned to you",
    "unit": "on a case of your unit",
    "region": "on a case of your region",
    "court": "on a case before your court",
    "counsel": "on a case where you are admitted as counsel",
    "own": "on your own case",
}


class Grant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    actions: list[str] = Field(min_length=1)
    scope: str
    section: str | None = None
    title: str | None = None  # only an official holding this title (policy.yaml `titles`)
    citations: list[Citation] = []
    note: str | None = None


class Title(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str
    roles: list[str] = Field(min_length=1)
    citations: list[Citation] = []


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str
    kinds: list[str] = Field(min_length=1)


class NamesSelf(BaseModel):
    """For these roles the act names only the actor: `field` holds their `id` or `agency`."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    field: str
    as_: Literal["id", "agency"] = Field(alias="as")
    roles: list[str] = Field(min_length=1)


class Act(BaseModel):
    """An act judged like a right (`access.acts`): it `needs` an action on the case (when it
    changes `field`, if one is named), or, for some roles, `names_self` only."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    needs: str | None = None
    field: str | None = None
    what: str = ""  # words for a refusal: "naming another region "
    names_self: NamesSelf | None = None
    citations: list[Citation] = []
    note: str | None = None


class PolicyDocument(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    jurisdiction: str
    sections: dict[str, Section] = {}
    titles: dict[str, Title] = {}
    acts: dict[str, Act] = {}
    roles: dict[str, list[Grant]]


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    action: str
    reason: str
    scope: str | None = None  # the scope of the grant that allowed it
    section: str | None = None  # only this section of the case file
    assigned: bool = False  # whether the case is assigned to the principal


@dataclass(frozen=True)
class Policy:
    document: PolicyDocument

    @property
    def jurisdiction(self) -> str:
        return self.document.jurisdiction

    def holds(self, role: str, action: str, scope: str | None = None) -> bool:
        """Whether the role has a grant of `action` at all (in `scope`, if given): what a
        screen offers a role, never a decision on a case (that is `decide`'s)."""
        return any(action in g.actions and scope in (None, g.scope) for g in self.document.roles.get(role, ()))

    def may_record(self, principal: Principal, kind: str) -> bool:
        """Whether an act of `kind` can ever be this official's: an act the policy names
        (`acts`) with a right it always needs, held by no grant of their role and title, is
        not (what a screen offers; the act itself is judged on its case by `access.acts`)."""
        act = self.document.acts.get(kind)
        if act is None or act.needs is None or act.field is not None:
            return True
        return any(
            act.needs in g.actions and g.title in (None, principal.title)
            for g in self.document.roles.get(principal.role, ())
        )

    def section_kinds(self, section: str) -> frozenset[str]:
        return frozenset(self.document.sections[section].kinds)

    def decide(self, principal: Principal, action: str, case: CaseFacts | None = None) -> Decision:
        """Allowed or refused, and why. A whole-file grant wins over a section's."""
        assigned = case is not None and principal.id in case.assigned
        if action not in ACTIONS:
            return Decision(False, action, f"{action} is no action habeas knows", assigned=assigned)
        grants = [g for g in self.document.roles.get(principal.role, ()) if action in g.actions]
        if action in CASE_ACTIONS and case is None:
            grants = [g for g in grants if g.scope == "everywhere"]
        held = [g for g in grants if SCOPES[g.scope](principal, case) and g.title in (None, principal.title)]
        held.sort(key=lambda g: g.section is not None)
        if held:
            grant = held[0]
            where = f" {SCOPE_WORDS[grant.scope]}" if grant.scope != "everywhere" else ""
            only = f", {grant.section} only" if grant.section else ""
            who = f"{principal.role} ({grant.title})" if grant.title else principal.role
            reason = f"a {who} may {action}{where}{only}"
            return Decision(True, action, reason, grant.scope, grant.section, assigned)
        return Decision(False, action, _refusal(principal, action, case, grants), assigned=assigned)


def _refusal(principal: Principal, action: str, case: CaseFacts | None, grants: list[Grant]) -> str:
    """Names the right that is missing; never anything about the case but its id."""
    on = f" on {case.case}" if case is not None else ""
    if not grants:
        return f"refused: {action}{on} is no right of the role {principal.role}"
    needs = " or ".join(dict.fromkeys(SCOPE_WORDS[g.scope] + (f" as the {g.title}" if g.title else "") for g in grants))
    return f"refused: {action}{on} needs the right to act {needs}"


def titles_of(policy: Policy, role: str) -> list[str]:
    """The titles an official of `role` may hold (`user add --title`)."""
    return [name for name, title in policy.document.titles.items() if role in title.roles]


def parse(raw: Any) -> Policy:
    """A validated policy: known roles, actions, scopes, sections and kinds, or LawDataError."""
    document = validated(PolicyDocument, raw, FILE)
    for name, section in document.sections.items():
        for kind in section.kinds:
            if kind not in KINDS:
                raise LawDataError(FILE, f"sections.{name}.kinds", f"unknown event kind {kind!r}")
    for role, grants in document.roles.items():
        if role not in ROLES and role != PUBLIC:
            raise LawDataError(FILE, f"roles.{role}", f"unknown role {role!r}")
        for n, grant in enumerate(grants):
            where = f"roles.{role}.{n}"
            for action in grant.actions:
                if action not in ACTIONS:
                    raise LawDataError(FILE, f"{where}.actions", f"unknown action {action!r}")
            if grant.scope not in SCOPES:
                raise LawDataError(FILE, f"{where}.scope", f"unknown scope {grant.scope!r}")
            if grant.section is not None and grant.section not in document.sections:
                raise LawDataError(FILE, f"{where}.section", f"unknown section {grant.section!r}")
            if grant.title is not None:
                title = document.titles.get(grant.title)
                if title is None or role not in title.roles:
                    raise LawDataError(FILE, f"{where}.title", f"no title {grant.title!r} of the role {role!r}")
    _check_acts(document)
    for name, title in document.titles.items():
        for role in title.roles:
            if role not in ROLES:
                raise LawDataError(FILE, f"titles.{name}.roles", f"unknown role {role!r}")
    return Policy(document)


def _check_acts(document: PolicyDocument) -> None:
    for kind, act in document.acts.items():
        where = f"acts.{kind}"
        if kind not in KINDS:
            raise LawDataError(FILE, where, f"unknown event kind {kind!r}")
        if act.needs is not None and act.needs not in ACTIONS:
            raise LawDataError(FILE, f"{where}.needs", f"unknown action {act.needs!r}")
        for role in act.names_self.roles if act.names_self else ():
            if role not in ROLES:
                raise LawDataError(FILE, f"{where}.names_self.roles", f"unknown role {role!r}")


def of(law: Law) -> Policy:
    """The policy of a law package (its `policy.yaml`, read with the rest of the package),
    parsed once per Law."""
    cached = law.cache.get("policy")
    if cached is None:
        if FILE not in law.extra:
            raise LawDataError(FILE, "-", f"the {law.jurisdiction} package has no access policy")
        cached = parse(law.extra[FILE])
        if cached.jurisdiction != law.jurisdiction:
            raise LawDataError(FILE, "jurisdiction", "differs from competence.yaml")
        law.cache["policy"] = cached
    return cached
