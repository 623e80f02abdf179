"""Samplan's own questionnaires: "Samplans utvärdering av SIP, version 1" for the individual
(and guardians and relatives), built from the individual's rights and the meeting's agenda,
and "Samplans utvärdering av SIP för personal, version 1" for the staff who took part, built
from the staff side of the agenda. Data, never code: a later version is a new row.

Installed by the data migrations (0002 the individual's, 0004 the staff's), and again (it adds
nothing then) by the demo and the tests, whose flushed databases lose what migrations wrote:
`install` installs both. The functions take an app registry, so the migrations pass their
historical models."""

SCALE = [
    ("1", 1, "Instämmer inte alls", "Do not agree at all", "Nej, inte alls"),
    ("2", 2, "Instämmer till viss del", "Agree a little", "Lite grann"),
    ("3", 3, "Instämmer delvis", "Partly agree", "Ibland"),
    ("4", 4, "Instämmer till stor del", "Mostly agree", "Ja, oftast"),
    ("5", 5, "Instämmer helt", "Agree completely", "Ja, helt"),
    ("dont_know", None, "Vet inte", "Don't know", "Vet inte"),
]

QUESTIONS = [
    (
        "said_what_matters",
        "Jag kunde säga det som var viktigt för mig.",
        "I could say what was important to me.",
        "Jag fick säga det som är viktigt för mig.",
    ),
    (
        "knows_who_does_what",
        "Jag vet vem som gör vad.",
        "I know who does what.",
        "Jag vet vem som gör vad.",
    ),
    (
        "knows_who_leads",
        "Jag vet vem som har ansvar för helheten.",
        "I know who is responsible for the whole.",
        "Jag vet vem som ansvarar för allt tillsammans.",
    ),
    (
        "knows_follow_up",
        "Jag vet när vi följer upp planen.",
        "I know when we follow up.",
        "Jag vet när vi ska träffas igen och prata om planen.",
    ),
    (
        "chose_who_took_part",
        "Jag kunde påverka vilka som var med.",
        "I could influence who took part.",
        "Jag fick vara med och bestämma vilka som var med.",
    ),
    (
        "sip_helps",
        "Sammantaget hjälper SIP:en mig.",
        "Overall, the SIP helps me.",
        "Min SIP hjälper mig.",
    ),
]


STAFF_QUESTIONS = [
    (
        "own_goals_guided",
        "Den enskildes egna mål styrde planen.",
        "The individual's own goals guided the plan.",
    ),
    (
        "clear_who_does_what",
        "Det är tydligt vem som gör vad.",
        "It is clear who does what.",
    ),
    (
        "clear_overall_responsibility",
        "Det är tydligt vem som har det övergripande ansvaret.",
        "It is clear who has overall responsibility.",
    ),
    (
        "follow_up_set",
        "Datum för uppföljning är bestämt.",
        "The follow-up date is set.",
    ),
    (
        "principals_took_part",
        "Både kommun och region deltog i den omfattning som behövdes.",
        "Both principals took part as needed.",
    ),
    (
        "collaboration_worked",
        "Sammantaget fungerade samverkan.",
        "Overall, the collaboration worked.",
    ),
]


def _has_audience(apps) -> bool:
    """Whether the registry's questionnaires know their audience (from migration 0003 on)."""
    Instrument = apps.get_model("evaluation", "Instrument")
    return any(f.name == "audience" for f in Instrument._meta.get_fields())


def _none_in_use(apps, audience: str) -> bool:
    InstrumentVersion = apps.get_model("evaluation", "InstrumentVersion")
    in_use = InstrumentVersion.objects.filter(in_use=True)
    if _has_audience(apps):
        in_use = in_use.filter(instrument__audience=audience)
    return not in_use.exists()


def _options() -> list[dict]:
    return [
        {"code": code, "value": value, "sv": sv, "en": en, "easy_sv": easy}
        for code, value, sv, en, easy in SCALE
    ]


def install(apps) -> None:
    """Both of Samplan's questionnaires (what is there already is left as it is)."""
    install_individual(apps)
    install_staff(apps)


def install_individual(apps) -> None:
    Instrument = apps.get_model("evaluation", "Instrument")
    InstrumentVersion = apps.get_model("evaluation", "InstrumentVersion")
    Question = apps.get_model("evaluation", "Question")
    defaults = {
        "name": "Samplans utvärdering av SIP",
        "publisher": "Samplan",
        "url": "urn:samplan:questionnaire:samplan-sip-evaluation",
    }
    if _has_audience(apps):
        defaults["audience"] = "citizens"
    instrument, _created = Instrument.objects.get_or_create(
        code="samplan-sip-evaluation", defaults=defaults
    )
    if InstrumentVersion.objects.filter(instrument=instrument, version="1").exists():
        return
    version = InstrumentVersion.objects.create(
        instrument=instrument,
        version="1",
        title_sv="Samplans utvärdering av SIP, version 1",
        title_en="Samplan's evaluation of the SIP, version 1",
        title_easy_sv="Vad tycker du om din SIP?",
        intro_sv=(
            "Hjälp oss att bli bättre. Svaren är anonyma: ingen som arbetar med planen kan se "
            "vad du har svarat. Det tar ungefär två minuter och du väljer själv om du vill svara."
        ),
        intro_en=(
            "Help us get better. The answers are anonymous: nobody working on the plan can see "
            "what you answered. It takes about two minutes, and answering is up to you."
        ),
        intro_easy_sv=(
            "Vi vill veta vad du tycker. Ingen som jobbar med din plan kan se vad du svarar. "
            "Du bestämmer själv om du vill svara."
        ),
        in_use=_none_in_use(apps, "citizens"),
    )
    options = _options()
    for position, (link_id, sv, en, easy) in enumerate(QUESTIONS, start=1):
        Question.objects.create(
            version=version,
            link_id=link_id,
            position=position,
            kind="choice",
            required=True,
            text_sv=sv,
            text_en=en,
            text_easy_sv=easy,
            options=options,
        )
    _anything_else(Question, version, len(QUESTIONS) + 1, easy=True)


def install_staff(apps) -> None:
    """The staff's questionnaire: the same scale, statements from the staff side of the
    meeting's agenda. Staff read Swedish or English; the easy-read texts are the Swedish."""
    Instrument = apps.get_model("evaluation", "Instrument")
    InstrumentVersion = apps.get_model("evaluation", "InstrumentVersion")
    Question = apps.get_model("evaluation", "Question")
    instrument, _created = Instrument.objects.get_or_create(
        code="samplan-sip-evaluation-staff",
        defaults={
            "name": "Samplans utvärdering av SIP för personal",
            "publisher": "Samplan",
            "url": "urn:samplan:questionnaire:samplan-sip-evaluation-staff",
            "audience": "staff",
        },
    )
    if InstrumentVersion.objects.filter(instrument=instrument, version="1").exists():
        return
    version = InstrumentVersion.objects.create(
        instrument=instrument,
        version="1",
        title_sv="Samplans utvärdering av SIP för personal, version 1",
        title_en="Samplan's evaluation of the SIP for staff, version 1",
        title_easy_sv="",
        intro_sv=(
            "Du deltog i arbetet med en SIP. Hjälp oss att förbättra samverkan. Svaren är "
            "anonyma och redovisas bara när minst fem har svarat. Det tar ungefär två minuter."
        ),
        intro_en=(
            "You took part in the work on a SIP. Help us improve the collaboration. The answers "
            "are anonymous and shown only once at least five have answered. It takes about two "
            "minutes."
        ),
        intro_easy_sv="",
        in_use=_none_in_use(apps, "staff"),
    )
    options = _options()
    for position, (link_id, sv, en) in enumerate(STAFF_QUESTIONS, start=1):
        Question.objects.create(
            version=version,
            link_id=link_id,
            position=position,
            kind="choice",
            required=True,
            text_sv=sv,
            text_en=en,
            text_easy_sv="",
            options=options,
        )
    _anything_else(Question, version, len(STAFF_QUESTIONS) + 1, easy=False)


def _anything_else(Question, version, position: int, *, easy: bool) -> None:
    """The last question of both: free text, never shown in any figure."""
    Question.objects.create(
        version=version,
        link_id="anything_else",
        position=position,
        kind="text",
        required=False,
        text_sv="Vill du säga något mer?",
        text_en="Anything else?",
        text_easy_sv="Vill du säga något mer?" if easy else "",
        options=[],
    )
