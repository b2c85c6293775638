"""A jurisdiction's law as data: dated, cited parameters and competences.

Pure: `Law.from_documents` takes already-read YAML/CSV content (the reading is
done by `habeas.jurisdictions`), validates it and answers "what was the rule in
force on that day?". A broken document raises `LawDataError` naming the file,
the key and the reason.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Certainty = Literal["C", "P", "M", "U", "policy", "-"]
M = TypeVar("M", bound=BaseModel)


class LawDataError(Exception):
    """A law document that cannot be used: which file, which key, why."""

    def __init__(self, file: str, key: str, reason: str):
        self.file, self.key, self.reason = file, key, reason
        super().__init__(f"{file}: {key}: {reason}")


class Citation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    act: str
    article: str | None = None
    part: str | None = None
    title: str | None = None
    source: str | None = None
    note: str | None = None

    def __str__(self) -> str:
        text = self.act
        if self.article:
            text += f" art. {self.article}"
        if self.part:
            text += f" part {self.part}"
        return text


class Version(BaseModel):
    """One value of a parameter for a period; `valid_until` is the last day it applies."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: Any
    unit: Literal["hours", "days", "months", "years", "count", "flag", "text"] | None = None
    valid_from: date
    valid_until: date | None = None
    citations: list[Citation] = Field(min_length=1)
    certainty: Certainty
    verified: str | None = None  # how and where the value was checked, when it was
    overlay: str | None = None  # the overlay this version comes from (a what-if), not the package

    @model_validator(mode="after")
    def _period(self) -> Version:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self

    def applies_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class Parameter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str
    versions: list[Version] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_overlap(self) -> Parameter:
        ordered = sorted(self.versions, key=lambda v: v.valid_from)
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            if earlier.valid_until is None or earlier.valid_until >= later.valid_from:
                raise ValueError(
                    f"versions overlap: {earlier.valid_from}..{earlier.valid_until} and {later.valid_from}.."
                )
        return self


class ParametersDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    jurisdiction: str
    parameters: dict[str, Parameter]


class KindCompetence(BaseModel):
    """Who may record a kind; `by_stage` narrows it by the stage the case is in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    roles: list[str] = Field(min_length=1)
    by_stage: dict[str, list[str]] | None = None
    citations: list[Citation] = Field(default_factory=list)
    certainty: Certainty = "-"


class CompetenceDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    jurisdiction: str
    supervisors: dict[str, list[str]] = Field(default_factory=dict)
    # who may record a kind the package does not list (absent: every kind must be listed)
    default: KindCompetence | None = None
    kinds: dict[str, KindCompetence]

    def of(self, kind: str) -> KindCompetence | None:
        return self.kinds.get(kind, self.default)


class MissingLaw(LookupError):
    """No version of a parameter is in force on the day asked about."""


def digest_of(documents: Any) -> str:
    """SHA-256 of parsed documents, as canonical JSON (sorted keys; a date as its ISO text).
    Keys of mixed types (a year written `2024` beside a misspelt `"2024x"`, which validation
    then refuses) are told apart by type, not compared."""
    try:
        text = json.dumps(documents, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    except TypeError:
        text = json.dumps(_typed_keys(documents), ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _typed_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        pairs = [(type(k).__name__, str(k), _typed_keys(v)) for k, v in value.items()]
        return sorted(pairs, key=lambda pair: pair[:2])
    if isinstance(value, list | tuple):
        return [_typed_keys(v) for v in value]
    return value


@dataclass(frozen=True)
class Law:
    """A jurisdiction's law package, validated; with an overlay's dated changes, if any."""

    jurisdiction: str
    parameters: Mapping[str, Parameter]
    competence: CompetenceDocument
    extra: Mapping[str, Any] = field(default_factory=dict)  # further documents (rules, offences)
    overlay: Overlay | None = None
    # What the law says, as one SHA-256 (hex): the documents it was built from and the overlay.
    # A projection records the digest it judged under, so that a changed law is judged again.
    digest: str = ""
    # what is parsed from `extra` once per Law (rules, offences, calendar); not law itself
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_documents(cls, documents: Mapping[str, Any]) -> Law:
        """Build from {file name: parsed content}.

        Parameters may be split over several files under `parameters/`; a key
        defined twice is an error. `competence.yaml` is required.
        """
        competence = _validated("competence.yaml", documents, CompetenceDocument)
        parameters: dict[str, Parameter] = {}
        origin: dict[str, str] = {}
        param_files = sorted(k for k in documents if k.startswith("parameters/"))
        if not param_files:
            raise LawDataError("parameters/", "-", "no parameter files in the law package")
        for name in param_files:
            doc = _validated(name, documents, ParametersDocument)
            if doc.jurisdiction != competence.jurisdiction:
                raise LawDataError(name, "jurisdiction", "differs from competence.yaml")
            for key, param in doc.parameters.items():
                if key in parameters:
                    raise LawDataError(name, f"parameters.{key}", f"already defined in {origin[key]}")
                parameters[key], origin[key] = param, name
        extra = {k: v for k, v in documents.items() if k != "competence.yaml" and k not in param_files}
        return cls(competence.jurisdiction, parameters, competence, extra, digest=digest_of(documents))

    def parameter(self, key: str) -> Parameter:
        try:
            return self.parameters[key]
        except KeyError:
            raise MissingLaw(f"no parameter {key!r} in the {self.jurisdiction} law package") from None

    def version(self, key: str, moment: date | datetime) -> Version:
        """The version of `key` in force on the local day of `moment`."""
        day = moment.date() if isinstance(moment, datetime) else moment
        periods = self.cache.get("periods")
        if periods is None:  # each parameter's versions with their periods, as plain tuples, once
            periods = self.cache["periods"] = {
                name: tuple((v.valid_from, v.valid_until, v) for v in param.versions)
                for name, param in self.parameters.items()
            }
        found = periods.get(key)
        if found is None:
            self.parameter(key)  # raises MissingLaw: no such parameter
            found = ()
        for valid_from, valid_until, version in found:
            if valid_from <= day and (valid_until is None or day <= valid_until):
                return version
        raise MissingLaw(f"{key}: no version in force on {day.isoformat()}")

    def value(self, key: str, moment: date | datetime) -> Any:
        return self.version(key, moment).value

    def with_overlay(self, overlay: Overlay) -> Law:
        """This law with the overlay's dated changes applied; the package is untouched."""
        parameters = dict(self.parameters)
        for key, changes in overlay.parameters.items():
            if key not in parameters:
                raise LawDataError("overlay", f"parameters.{key}", "no such parameter in the package")
            param = parameters[key]
            for change in changes:
                param = change.applied_to(param, overlay.name)
            parameters[key] = param
        digest = digest_of({"law": self.digest, "overlay": overlay.model_dump(mode="json")})
        return Law(self.jurisdiction, parameters, self.competence, self.extra, overlay, digest)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParameterChange(_Model):
    """A parameter's value from a date (to a date): the versions around it are clipped."""

    value: Any
    unit: Literal["hours", "days", "months", "years", "count", "flag", "text"] | None = None
    valid_from: date
    valid_until: date | None = None
    note: str | None = None

    def applied_to(self, param: Parameter, overlay: str) -> Parameter:
        before, after = [], []
        for v in param.versions:
            if v.valid_from < self.valid_from:
                end = self.valid_from - timedelta(days=1)
                before.append(v.model_copy(update={"valid_until": min(v.valid_until or end, end)}))
            if self.valid_until is not None and (v.valid_until is None or v.valid_until > self.valid_until):
                start = self.valid_until + timedelta(days=1)
                after.append(v.model_copy(update={"valid_from": max(v.valid_from, start)}))
        in_force = [v for v in param.versions if v.applies_on(self.valid_from)] or param.versions[-1:]
        version = Version(
            value=self.value,
            unit=self.unit or in_force[0].unit,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            citations=[Citation(act="overlay", title=overlay, note=self.note)],
            certainty="-",
            overlay=overlay,
        )
        return Parameter(description=param.description, versions=[*before, version, *after])


class RuleSwitch(_Model):
    """A rule switched on or off from a date."""

    enabled: bool
    from_: date = Field(alias="from")

    def period(self) -> dict[str, date | None]:
        """The rule's new period of force: from the date on, or until the day before it."""
        if self.enabled:
            return {"valid_from": self.from_, "valid_until": None}
        return {"valid_until": self.from_ - timedelta(days=1)}


class Overlay(_Model):
    """Dated changes to a jurisdiction's law (a what-if), kept apart from the package."""

    name: str = "overlay"
    description: str | None = None
    parameters: dict[str, list[ParameterChange]] = Field(default_factory=dict)
    rules: dict[str, RuleSwitch] = Field(default_factory=dict)

    @classmethod
    def parse(cls, raw: Any, file: str = "overlay") -> Overlay:
        return validated(cls, raw, file)


def validated(model: type[M], raw: Any, file: str, jurisdiction: str | None = None) -> M:
    """`raw` as `model`, or `LawDataError` naming the file, the key and the reason; and, where
    a jurisdiction is given, a document that says it is another jurisdiction's is refused."""
    try:
        document = model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        raise LawDataError(file, ".".join(str(part) for part in err["loc"]) or "-", err["msg"]) from None
    if jurisdiction is not None and getattr(document, "jurisdiction", jurisdiction) != jurisdiction:
        raise LawDataError(file, "jurisdiction", f"is not {jurisdiction!r}")
    return document


def _validated(name: str, documents: Mapping[str, Any], model: type[BaseModel]) -> Any:
    if name not in documents:
        raise LawDataError(name, "-", "file is missing from the law package")
    return validated(model, documents[name], name)
