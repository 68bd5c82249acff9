"""The trace request form (ATF Form 3312.1), read from ``request_form.yaml``.

An investigator's trace request is only as useful as the fields it carries: the dealer's
records are searched by make, serial and caliber, and the answer is filed under the case and
officer named on the form. So a request is validated field by field before it leaves the
node, and again when the partner receives it; each problem names the field by its label in
the reader's language, so a Mexican investigator reads "Número de serie (como se leyó)" and a
US analyst "Serial number (as read)".

The form can be filled in by hand (the CLI's options) or built from a recovery the node
already holds (:func:`form_from_recovery`: the FirearmRecovery, its Firearm and possessor).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from paridad.errors import ParidadError, render_message
from paridad.i18n import N_, Lang, get_lang
from paridad.model.vocabularies import vocabulary

if TYPE_CHECKING:
    from paridad.exchange.context import Exchange

FORM_FILE = Path(__file__).with_name("request_form.yaml")

MSG_REQUIRED = N_("{field}: this field is required.")
MSG_TOO_LONG = N_("{field}: at most {max} characters.")
MSG_BAD_DATE = N_("{field}: '{value}' is not a date (YYYY-MM-DD).")
MSG_FUTURE_DATE = N_("{field}: {value} is in the future.")
MSG_BAD_CHOICE = N_("{field}: '{value}' is not one of: {allowed}.")
MSG_BAD_COUNTRY = N_("{field}: '{value}' is not a two-letter country code (ISO 3166-1).")
MSG_NOT_TEXT = N_("{field}: the value must be text.")
MSG_UNKNOWN_FIELD = N_("'{field}' is not a field of the trace request form.")
MSG_INVALID_FORM = N_("The trace request has {count} problem(s): {problems}")
MSG_NO_RECOVERY = N_("There is no firearm recovery {entity} on this node.")
MSG_NO_FIREARM = N_("Recovery {entity} names no firearm; record the firearm before tracing it.")
MSG_FROM_RECORDS = N_(
    "{field}: this value is read from the recovery's records; correct it there, not in the request."
)

KINDS = ("text", "date", "choice", "country", "list")


@dataclass(frozen=True)
class Choice:
    code: str
    labels: Mapping[str, str]


@dataclass(frozen=True)
class Field:
    """One box of the form: its code, labels, kind and whether it must be filled in."""

    name: str
    section: str
    labels: Mapping[str, str]
    kind: str
    source: str  # "request": stated in the request; "entity": read from the node's records
    required: bool
    when: Mapping[str, str]  # required only when another field has this code
    unless: Mapping[str, str]  # required except when another field has this code
    max: int
    choices: tuple[Choice, ...]

    def label(self, lang: Lang | None = None) -> str:
        return self.labels[lang or get_lang()]

    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.choices)


@dataclass(frozen=True)
class Form:
    name: str
    labels: Mapping[str, str]
    sections: Mapping[str, Mapping[str, str]]
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


def _choices(spec: Mapping[str, Any]) -> tuple[Choice, ...]:
    if spec.get("vocabulary"):
        terms = vocabulary(str(spec["vocabulary"])).terms
        return tuple(Choice(t.code, dict(t.labels)) for t in terms)
    return tuple(
        Choice(str(c["code"]), {"en": str(c["en"]), "es": str(c["es"])})
        for c in spec.get("choices") or []
    )


def _field(spec: Mapping[str, Any]) -> Field:
    kind = str(spec["kind"])
    if kind not in KINDS:
        raise ValueError(f"request_form.yaml: field {spec['name']} has unknown kind {kind}")
    required = spec.get("required", False)
    when: dict[str, str] = {}
    unless: dict[str, str] = {}
    if isinstance(required, Mapping):
        when = {str(k): str(v) for k, v in (required.get("when") or {}).items()}
        unless = {str(k): str(v) for k, v in (required.get("unless") or {}).items()}
        required = True
    return Field(
        name=str(spec["name"]),
        section=str(spec["section"]),
        labels={"en": str(spec["en"]), "es": str(spec["es"])},
        kind=kind,
        source=str(spec.get("source", "entity")),
        required=bool(required),
        when=when,
        unless=unless,
        max=int(spec.get("max", 200)),
        choices=_choices(spec),
    )


@cache
def trace_request_form() -> Form:
    """The form as the YAML file describes it (read once per process)."""
    data = yaml.safe_load(FORM_FILE.read_text(encoding="utf-8"))
    return Form(
        name=str(data["name"]),
        labels=dict(data["label"]),
        sections={k: dict(v) for k, v in data["sections"].items()},
        fields=tuple(_field(f) for f in data["fields"]),
    )


def field_label(name: str, lang: Lang | None = None) -> str:
    """A field's label in ``lang``; an unknown name is shown as it was given."""
    found = trace_request_form().field(name)
    return found.label(lang) if found else name


class FormProblem(ParidadError):
    """One field that does not validate; shown with the field's label in the reader's language."""

    def __init__(self, msgid: str, *, field: str, **params: Any) -> None:
        super().__init__(msgid, field=field, **params)
        self.args = (self.localized("en"),)

    @property
    def field(self) -> str:
        return str(self.params["field"])

    def localized(self, lang: Lang | None = None) -> str:
        lang = lang or get_lang()
        params = {**self.params, "field": field_label(self.field, lang)}
        return render_message(self.msgid, params, lang)


class InvalidTraceRequest(ParidadError):
    """A trace request that cannot be sent (or, received, applied): every problem it has."""

    def __init__(self, problems: Sequence[FormProblem]) -> None:
        self.problems = list(problems)
        super().__init__(MSG_INVALID_FORM, count=len(self.problems), problems="")
        self.args = (self.localized("en"),)

    def localized(self, lang: Lang | None = None) -> str:
        lang = lang or get_lang()
        joined = "; ".join(p.localized(lang) for p in self.problems)
        return render_message(self.msgid, {"count": len(self.problems), "problems": joined}, lang)

    def as_record(self) -> dict[str, Any]:
        return {
            "msgid": self.msgid,
            "params": {"count": str(len(self.problems))},
            "problems": [p.as_record() for p in self.problems],
        }


def _text(field: Field, raw: Any) -> tuple[str | None, FormProblem | None]:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        return None, FormProblem(MSG_NOT_TEXT, field=field.name)
    value = " ".join(str(raw).split())
    if len(value) > field.max:
        return None, FormProblem(MSG_TOO_LONG, field=field.name, max=field.max)
    return value, None


def _check(field: Field, value: str, today: date) -> tuple[str, FormProblem | None]:
    """Normalise one non-empty value of ``field``; a problem when it does not fit its kind."""
    shown = value[:60]
    if field.kind == "date":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value, FormProblem(MSG_BAD_DATE, field=field.name, value=shown)
        if day > today:
            return value, FormProblem(MSG_FUTURE_DATE, field=field.name, value=day.isoformat())
        return day.isoformat(), None
    if field.kind == "choice":
        code = value.lower()
        if code not in field.codes():
            allowed = ", ".join(field.codes())
            return value, FormProblem(
                MSG_BAD_CHOICE, field=field.name, value=shown, allowed=allowed
            )
        return code, None
    if field.kind == "country":
        code = value.upper()
        if len(code) != 2 or not code.isalpha() or not code.isascii():
            return value, FormProblem(MSG_BAD_COUNTRY, field=field.name, value=shown)
        return code, None
    return value, None


def validate_form(
    values: Mapping[str, Any], *, today: date | None = None, source: str | None = None
) -> dict[str, Any]:
    """The form's values cleaned (text trimmed, codes lower-cased, dates ISO), or
    :class:`InvalidTraceRequest` listing every problem, each naming its field.

    With ``source="request"`` only the fields a request states itself are checked (what a
    partner receives as the request, the rest arriving as records).
    """
    form = trace_request_form()
    fields = tuple(f for f in form.fields if source is None or f.source == source)
    today = today or date.today()
    problems: list[FormProblem] = []
    clean: dict[str, Any] = {}
    for name in values:
        if not any(f.name == name for f in fields):
            problems.append(FormProblem(MSG_UNKNOWN_FIELD, field=str(name)[:60]))
    for field in fields:
        raw = values.get(field.name)
        if field.kind == "list":
            items = raw if isinstance(raw, list | tuple) else ([] if raw in (None, "") else [raw])
            kept: list[str] = []
            for item in items:
                text, problem = _text(field, item)
                if problem is not None:
                    problems.append(problem)
                elif text:
                    kept.append(text)
            if kept:
                clean[field.name] = kept
            continue
        text, problem = (None, None) if raw is None else _text(field, raw)
        if problem is not None:
            problems.append(problem)
            continue
        if text:
            checked, problem = _check(field, text, today)
            if problem is not None:
                problems.append(problem)
            else:
                clean[field.name] = checked
    for field in fields:
        if field.name in clean or not field.required:
            continue
        if any(clean.get(other) == code for other, code in field.unless.items()):
            continue
        if any(clean.get(other) != code for other, code in field.when.items()):
            continue
        if any(p.field == field.name for p in problems):
            continue  # already told why
        problems.append(FormProblem(MSG_REQUIRED, field=field.name))
    if problems:
        raise InvalidTraceRequest(problems)
    return clean


# --- building the form from what the node holds ---------------------------------------------

Properties = dict[str, list[str]]


def _first(props: Properties, name: str) -> str | None:
    values = props.get(name)
    return values[0] if values else None


def _serial_condition(firearm: Properties) -> str | None:
    condition = _first(firearm, "serialCondition")
    if condition:
        return condition
    return "obliterated" if _first(firearm, "serialObliterated") == "true" else None


def form_from_entities(
    recovery: Properties,
    firearm: Properties,
    possessor: Properties | None = None,
    associates: Sequence[str] = (),
) -> dict[str, Any]:
    """The boxes a recovery already answers (its firearm and possessor included); the
    investigator adds who asks and why (agency identifier, officer, urgency, crime type)."""
    form: dict[str, Any] = {
        "requesting_agency": _first(recovery, "agency"),
        "case_number": _first(recovery, "caseNumber"),
        "recovered_on": (_first(recovery, "date") or "")[:10] or None,
        "recovery_state": _first(recovery, "state"),
        "recovery_municipality": _first(recovery, "municipality"),
        "recovery_place": _first(recovery, "location"),
        "manufacturer": _first(firearm, "make"),
        "importer": _first(firearm, "importerMarks"),
        "model": _first(firearm, "model"),
        "caliber": _first(firearm, "caliber"),
        "serial": _first(firearm, "serialNumber"),
        "firearm_type": _first(firearm, "type"),
        "manufacture_country": _first(firearm, "manufactureCountry"),
        "serial_condition": _serial_condition(firearm),
    }
    if possessor:
        form["possessor_name"] = _first(possessor, "name")
        form["possessor_birth_date"] = (_first(possessor, "birthDate") or "")[:10] or None
    if associates:
        form["associates"] = list(associates)
    return {k: v for k, v in form.items() if v}


def request_part(form: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a request states itself: what crosses as the request, not as records."""
    names = {f.name for f in trace_request_form().fields if f.source == "request"}
    return {k: v for k, v in form.items() if k in names}


class TraceRequestError(ParidadError):
    """A trace request that cannot be built from the node's records."""


def form_from_recovery(
    ex: Exchange, recovery_id: str, stated: Mapping[str, Any], *, today: date | None = None
) -> dict[str, Any]:
    """The validated form for a recovery the node holds, completed with what the
    investigator states (``stated``: only request fields — who asks, officer, urgency, crime
    type). A firearm's or possessor's value comes from the records, never typed in beside
    them, so what the form says is what the records (and the audit log) say."""
    from paridad.trace.in_node import read_entities

    request_names = {f.name for f in trace_request_form().fields if f.source == "request"}
    problems = [
        FormProblem(MSG_FROM_RECORDS, field=str(name)[:60])
        for name in stated
        if name not in request_names and trace_request_form().field(str(name)) is not None
    ]
    if problems:
        raise InvalidTraceRequest(problems)
    recovery = read_entities(ex, [recovery_id]).get(recovery_id)
    if recovery is None or recovery.schema != "FirearmRecovery":
        raise TraceRequestError(MSG_NO_RECOVERY, entity=recovery_id)
    firearm_id = recovery.first("firearm")
    firearm = read_entities(ex, [firearm_id]).get(firearm_id) if firearm_id else None
    if firearm is None:
        raise TraceRequestError(MSG_NO_FIREARM, entity=recovery_id)
    people = read_entities(ex, recovery.properties.get("possessor", []))
    ordered = [people[i] for i in recovery.properties.get("possessor", []) if i in people]
    possessor = ordered[0].properties if ordered else None
    associates = [p.first("name") for p in ordered[1:] if p.first("name")]
    form = form_from_entities(recovery.properties, firearm.properties, possessor, associates)
    form.update({k: v for k, v in stated.items() if v not in (None, "", [], ())})
    return validate_form(form, today=today)
