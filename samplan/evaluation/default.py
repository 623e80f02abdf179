"""Samplan's own questionnaire, "Samplans utvärdering av SIP, version 1", built from the
individual's rights and the meeting's agenda. Data, never code: a later version is a new row.

Installed by the data migration, and again (it adds nothing then) by the demo and the tests,
whose flushed databases lose what migrations wrote. `install` takes an app registry, so the
migration passes its historical models."""

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


def install(apps) -> None:
    Instrument = apps.get_model("evaluation", "Instrument")
    InstrumentVersion = apps.get_model("evaluation", "InstrumentVersion")
    Question = apps.get_model("evaluation", "Question")
    instrument, _created = Instrument.objects.get_or_create(
        code="samplan-sip-evaluation",
        defaults={
            "name": "Samplans utvärdering av SIP",
            "publisher": "Samplan",
            "url": "urn:samplan:questionnaire:samplan-sip-evaluation",
        },
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
        in_use=not InstrumentVersion.objects.filter(in_use=True).exists(),
    )
    options = [
        {"code": code, "value": value, "sv": sv, "en": en, "easy_sv": easy}
        for code, value, sv, en, easy in SCALE
    ]
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
    Question.objects.create(
        version=version,
        link_id="anything_else",
        position=len(QUESTIONS) + 1,
        kind="text",
        required=False,
        text_sv="Vill du säga något mer?",
        text_en="Anything else?",
        text_easy_sv="Vill du säga något mer?",
        options=[],
    )
