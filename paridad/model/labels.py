"""Spanish and English labels for every schema and property.

FtM's own schemata are translated by FtM's gettext catalogues; Paridad's schemata carry
``label``/``label_es`` side by side in their YAML, where a reviewer sees both at once.
"""

from __future__ import annotations

from functools import cache

from babel import Locale
from followthemoney.property import Property
from followthemoney.schema import Schema
from followthemoney.types import registry
from followthemoney.types.common import PropertyType
from followthemoney.util import gettext, set_model_locale

from paridad.i18n import LOCALES, N_, Lang, get_lang, translate
from paridad.model import paridad_schema_specs
from paridad.model.vocabularies import property_vocabularies


@cache
def _own_labels() -> dict[str, dict[str, str]]:
    """Map ``Schema`` and ``Schema:prop`` keys to {lang: label} for Paridad's schemata."""
    out: dict[str, dict[str, str]] = {}
    for name, spec in paridad_schema_specs().items():
        out[name] = {"en": spec["label"], "es": spec["label_es"]}
        out[f"{name}#plural"] = {"en": spec["plural"], "es": spec["plural_es"]}
        for pname, pspec in (spec.get("properties") or {}).items():
            out[f"{name}:{pname}"] = {"en": pspec["label"], "es": pspec["label_es"]}
            reverse = pspec.get("reverse")
            if reverse:
                out[f"{pspec['range']}:{reverse['name']}"] = {
                    "en": reverse["label"],
                    "es": reverse["label_es"],
                }
    return out


def schema_label(schema: Schema, lang: Lang | None = None, plural: bool = False) -> str:
    lang = lang or get_lang()
    key = f"{schema.name}#plural" if plural else schema.name
    own = _own_labels().get(key)
    if own is not None:
        return own[lang]
    set_model_locale(Locale.parse(LOCALES[lang]))
    try:
        return schema.plural if plural else schema.label
    finally:
        set_model_locale(Locale.parse(LOCALES[get_lang()]))


def property_label(prop: Property, lang: Lang | None = None) -> str:
    lang = lang or get_lang()
    own = _own_labels().get(prop.qname)
    if own is not None:
        return own[lang]
    set_model_locale(Locale.parse(LOCALES[lang]))
    try:
        return prop.label
    finally:
        set_model_locale(Locale.parse(LOCALES[get_lang()]))


def type_label(type_: PropertyType, lang: Lang | None = None) -> str:
    """FtM's label of a property type (date, country, name…), translated by FtM."""
    lang = lang or get_lang()
    set_model_locale(Locale.parse(LOCALES[lang]))
    try:
        return gettext(type_.label)
    finally:
        set_model_locale(Locale.parse(LOCALES[get_lang()]))


# FtM's gender codes; its own catalogues lack Spanish for them.
GENDERS = {"male": N_("male"), "female": N_("female"), "other": N_("other")}


def value_label(prop: Property, value: str, lang: Lang | None = None) -> str:
    """A value as a reader wants to see it: vocabulary codes, countries, languages and
    genders by name in the reader's language (Babel's names for countries and languages);
    other values as they are."""
    lang = lang or get_lang()
    vocab = property_vocabularies().get(prop.qname)
    if vocab is not None and value in vocab:
        return vocab.term(value).label(lang)
    locale = Locale.parse(LOCALES[lang])
    if prop.type == registry.country and len(value) == 2:
        return str(locale.territories.get(value.upper(), prop.type.caption(value)))
    if prop.type == registry.language:
        return str(locale.languages.get(value[:2], value))
    if prop.type == registry.gender and value in GENDERS:
        return translate(GENDERS[value], lang)
    return value
