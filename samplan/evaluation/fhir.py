"""The questionnaires as FHIR (R4) resources: a version out as a `Questionnaire`, an anonymous
answer out as a `QuestionnaireResponse`, and a `Questionnaire` JSON file in as a new version.

The mapping:

- Instrument.url / code -> Questionnaire.url, .name; InstrumentVersion.version -> .version;
  title_sv -> .title (language "sv"), title_en -> the translation extension of `_title`.
- Question -> item: link_id -> linkId, kind -> type ("choice" / "text"), required, text_sv ->
  text, text_en -> `_text` translation (lang "en"), text_easy_sv -> the easy-read extension.
- An option of the scale -> answerOption.valueCoding (code, display, `_display` translations);
  its value (1-5) -> the ordinalValue extension; "Don't know" has none.

`fhir.resources` is not installed here, so the JSON is read by hand with a message per mistake.
"""

import json
import re

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from samplan.evaluation.models import EvaluationAnswer, Instrument, InstrumentVersion, Question

TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
# Samplan's own extension for the easy-read (lättläst) Swedish text.
EASY_READ = "urn:samplan:fhir:StructureDefinition:easy-read"
CHOICE, TEXT = Question.Kind.CHOICE, Question.Kind.TEXT
FHIR_TYPES = {"choice": CHOICE, "coding": CHOICE, "text": TEXT, "string": TEXT}
MAX_ITEMS = 100


class FhirImportError(ValueError):
    """The file is not a Questionnaire Samplan can use; the message says why."""


# --- Out ------------------------------------------------------------------------------------


def _translation(en: str) -> dict:
    extension = [{"url": "lang", "valueCode": "en"}, {"url": "content", "valueString": en}]
    return {"extension": [{"url": TRANSLATION, "extension": extension}]}


def _texts(element: dict, key: str, sv: str, en: str, easy: str = "") -> dict:
    element[key] = sv
    extensions = _translation(en)["extension"] if en else []
    if easy:
        extensions.append({"url": EASY_READ, "valueString": easy})
    if extensions:
        element[f"_{key}"] = {"extension": extensions}
    return element


def canonical_url(instrument: Instrument) -> str:
    return instrument.url or f"urn:samplan:questionnaire:{instrument.code}"


def _option(option: dict) -> dict:
    coding = _texts(
        {"code": str(option["code"])},
        "display",
        option.get("sv", ""),
        option.get("en", ""),
        option.get("easy_sv", ""),
    )
    answer = {"valueCoding": coding}
    if option.get("value") is not None:
        answer["extension"] = [{"url": ORDINAL, "valueDecimal": option["value"]}]
    return answer


def _item(question: Question) -> dict:
    item = {"linkId": question.link_id}
    _texts(item, "text", question.text_sv, question.text_en, question.text_easy_sv)
    item["type"] = question.kind
    item["required"] = question.required
    if question.kind == CHOICE:
        item["answerOption"] = [_option(o) for o in question.options]
    return item


def questionnaire(version: InstrumentVersion) -> dict:
    """The version as a FHIR Questionnaire (a dict, ready for json.dumps)."""
    instrument = version.instrument
    resource = {
        "resourceType": "Questionnaire",
        "url": canonical_url(instrument),
        "version": version.version,
        "name": instrument.code.replace("-", "_"),
        "status": "active" if version.in_use else "draft",
        "language": "sv",
        "publisher": instrument.publisher,
    }
    _texts(resource, "title", version.title_sv, version.title_en, version.title_easy_sv)
    if version.intro_sv:
        _texts(resource, "description", version.intro_sv, version.intro_en, version.intro_easy_sv)
    resource["item"] = [_item(q) for q in version.questions.order_by("position", "pk")]
    return resource


def questionnaire_response(answer: EvaluationAnswer) -> dict:
    """One anonymous answer as a FHIR QuestionnaireResponse: no subject, no author, and only
    the month it belongs to."""
    version = answer.version
    items = []
    for question in version.questions.order_by("position", "pk"):
        given = answer.answers.get(question.link_id)
        if given in (None, ""):
            continue
        if question.kind == CHOICE:
            option = next((o for o in question.options if str(o["code"]) == str(given)), None)
            if option is None:
                continue
            value = {"valueCoding": {"code": str(option["code"]), "display": option["sv"]}}
        else:
            value = {"valueString": str(given)}
        items.append({"linkId": question.link_id, "text": question.text_sv, "answer": [value]})
    return {
        "resourceType": "QuestionnaireResponse",
        "id": str(answer.pk),
        "questionnaire": f"{canonical_url(version.instrument)}|{version.version}",
        "status": "completed",
        "authored": answer.month.strftime("%Y-%m"),
        "item": items,
    }


# --- In -------------------------------------------------------------------------------------


def _text(element: dict, key: str, where: str, *, required: bool = True) -> str:
    value = element.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise FhirImportError(_("%(where)s has no %(key)s.") % {"where": where, "key": key})
    return value.strip()


def _extensions(element: dict, key: str) -> tuple[str, str]:
    """The English translation and the easy-read text of element[key], if any."""
    en = easy = ""
    extensions = (element.get(f"_{key}") or {}).get("extension") or []
    if not isinstance(extensions, list):
        return en, easy
    for extension in extensions:
        if not isinstance(extension, dict):
            continue
        if extension.get("url") == EASY_READ and isinstance(extension.get("valueString"), str):
            easy = extension["valueString"].strip()
        if extension.get("url") == TRANSLATION:
            parts = {
                p.get("url"): p.get("valueCode") or p.get("valueString")
                for p in extension.get("extension") or []
                if isinstance(p, dict)
            }
            if parts.get("lang") == "en" and isinstance(parts.get("content"), str):
                en = parts["content"].strip()
    return en, easy


def _parse_option(answer: object, where: str) -> dict:
    if not isinstance(answer, dict) or not isinstance(answer.get("valueCoding"), dict):
        raise FhirImportError(
            _("%(where)s: every answer option needs a valueCoding.") % {"where": where}
        )
    coding = answer["valueCoding"]
    code = coding.get("code")
    if not isinstance(code, str) or not code.strip():
        raise FhirImportError(_("%(where)s: an answer option has no code.") % {"where": where})
    display = _text(coding, "display", f"{where}, {code}")
    en, easy = _extensions(coding, "display")
    value = None
    for extension in answer.get("extension") or []:
        if isinstance(extension, dict) and extension.get("url") == ORDINAL:
            value = extension.get("valueDecimal", extension.get("valueInteger"))
    if value is not None and not isinstance(value, int | float):
        raise FhirImportError(_("%(where)s: an ordinal value is not a number.") % {"where": where})
    return {
        "code": code.strip(),
        "value": value,
        "sv": display,
        "en": en or display,
        "easy_sv": easy,
    }


def _parse_item(item: object, number: int) -> dict:
    where = _("Question %(n)s") % {"n": number}
    if not isinstance(item, dict):
        raise FhirImportError(_("%(where)s is not an object.") % {"where": where})
    link_id = _text(item, "linkId", where)
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,100}", link_id):
        raise FhirImportError(
            _("%(where)s: the linkId may have letters, digits, . _ - only.") % {"where": where}
        )
    kind = FHIR_TYPES.get(item.get("type"))
    if kind is None:
        raise FhirImportError(
            _("%(where)s has type %(type)r; Samplan takes choice and text questions.")
            % {"where": where, "type": item.get("type")}
        )
    text = _text(item, "text", where)
    en, easy = _extensions(item, "text")
    options = []
    if kind == CHOICE:
        answers = item.get("answerOption")
        if not isinstance(answers, list) or not answers:
            raise FhirImportError(
                _("%(where)s is a choice without answer options.") % {"where": where}
            )
        options = [_parse_option(a, where) for a in answers]
        if len({o["code"] for o in options}) != len(options):
            raise FhirImportError(
                _("%(where)s has two answer options with the same code.") % {"where": where}
            )
    required = item.get("required", False)
    if not isinstance(required, bool):
        raise FhirImportError(_("%(where)s: required must be true or false.") % {"where": where})
    return {
        "link_id": link_id,
        "position": number,
        "kind": kind,
        "required": required,
        "text_sv": text[:500],
        "text_en": (en or text)[:500],
        "text_easy_sv": easy[:500],
        "options": options,
    }


def parse_questionnaire(raw: bytes | str) -> dict:
    """Read a FHIR Questionnaire JSON file into what a version is made of, or raise
    FhirImportError with a message for the administrator."""
    try:
        resource = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise FhirImportError(_("The file is not JSON (%(error)s).") % {"error": error}) from None
    if not isinstance(resource, dict) or resource.get("resourceType") != "Questionnaire":
        raise FhirImportError(_("The file is not a FHIR Questionnaire (resourceType)."))
    where = _("The questionnaire")
    title = _text(resource, "title", where)
    version = _text(resource, "version", where)
    if len(version) > 20:
        raise FhirImportError(_("The version is longer than 20 characters."))
    title_en, title_easy = _extensions(resource, "title")
    items = resource.get("item")
    if not isinstance(items, list) or not items:
        raise FhirImportError(_("The questionnaire has no questions (item)."))
    if len(items) > MAX_ITEMS:
        raise FhirImportError(
            _("The questionnaire has more than %(n)s questions.") % {"n": MAX_ITEMS}
        )
    questions = [_parse_item(item, n) for n, item in enumerate(items, start=1)]
    if len({q["link_id"] for q in questions}) != len(questions):
        raise FhirImportError(_("Two questions have the same linkId."))
    url = resource.get("url") if isinstance(resource.get("url"), str) else ""
    name = resource.get("name") if isinstance(resource.get("name"), str) else ""
    description = (
        resource.get("description") if isinstance(resource.get("description"), str) else ""
    )
    intro_en, intro_easy = _extensions(resource, "description")
    return {
        "code": slugify(name or url.rsplit("/", 1)[-1] or title)[:100] or "questionnaire",
        "url": url[:300],
        "publisher": str(resource.get("publisher") or "")[:200],
        "version": version,
        "title_sv": title[:200],
        "title_en": (title_en or title)[:200],
        "title_easy_sv": title_easy[:200],
        "intro_sv": description,
        "intro_en": intro_en or description,
        "intro_easy_sv": intro_easy,
        "questions": questions,
    }


@transaction.atomic
def questionnaire_import(raw: bytes | str) -> InstrumentVersion:
    """Import the file as a new version (not in use until an administrator says so)."""
    data = parse_questionnaire(raw)
    questions = data.pop("questions")
    code, url, publisher = data.pop("code"), data.pop("url"), data.pop("publisher")
    instrument = Instrument.objects.filter(url=url).first() if url else None
    if instrument is None:
        instrument, _created = Instrument.objects.get_or_create(
            code=code, defaults={"name": data["title_sv"], "url": url, "publisher": publisher}
        )
    if instrument.versions.filter(version=data["version"]).exists():
        raise FhirImportError(
            _("Version %(version)s of %(name)s already exists; a new version needs a new number.")
            % {"version": data["version"], "name": instrument.name}
        )
    version = InstrumentVersion.objects.create(instrument=instrument, **data)
    Question.objects.bulk_create(Question(version=version, **q) for q in questions)
    return version
