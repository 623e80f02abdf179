"""The demo world: a small, realistic set of organisations, staff and individuals, and a year
of their SIPs.

Everything here is fictional. Identity numbers use the birth-number series 980-999 that
Skatteverket sets aside for tests, with valid check digits. The organisations, staff and people
are registered a little over a year back; their SIPs are then lived through the services, each
step at its own moment (samplan.demo.timeline). Running it twice changes nothing.
"""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max

from samplan.accounts.models import Membership, Organization, Unit, User
from samplan.core.identifiers import luhn_valid
from samplan.demo.api_client import load_demo_api_client
from samplan.demo.caseload import CASELOAD_RELATIONS, CASELOAD_RELATIVES, CASES, PROTECTED
from samplan.demo.deviations import load_demo_deviations
from samplan.demo.discharge import load_demo_admissions
from samplan.demo.evaluations import load_demo_evaluations
from samplan.demo.history import history_plans, load_demo_history
from samplan.demo.notifications import load_demo_notifications
from samplan.demo.plans import load_demo_plans
from samplan.demo.timeline import Clock
from samplan.evaluation import default as evaluation_default
from samplan.notifications.models import Notification
from samplan.people import identity
from samplan.people.models import Person, Relation
from samplan.people.services import person_listing_set, relation_add
from samplan.plans.models import LocalAgreement
from samplan.statistics.services import facts_rebuild

DEMO_PASSWORD = "samplan-demo"
REGION = "Region Mälardalen"
ASBY = "Åsby kommun"
NORRBY = "Norrby kommun"
FK = "Försäkringskassan"


def with_luhn(nine_digits: str) -> str:
    """Complete a nine-digit organisation number with its check digit: NNNNNN-NNNN."""
    for check in "0123456789":
        if luhn_valid(nine_digits + check):
            return f"{nine_digits[:6]}-{nine_digits[6:]}{check}"
    raise AssertionError("unreachable")


ORGANIZATIONS = [
    # name, kind, nine digits of the organisation number, municipality code
    (REGION, Organization.Kind.REGION, "232199000", ""),
    (ASBY, Organization.Kind.MUNICIPALITY, "212099001", "1997"),
    (NORRBY, Organization.Kind.MUNICIPALITY, "212099002", "1998"),
    (FK, Organization.Kind.OTHER, "202199552", ""),
]

UNITS = [
    # organisation, name, kind, phone
    (REGION, "Vårdcentralen Åsby", Unit.Kind.PRIMARY_CARE, "021-450 10 00"),
    (REGION, "Psykiatriska kliniken Mälarsjukhuset", Unit.Kind.PSYCHIATRIC_CLINIC, "021-450 20 00"),
    (REGION, "Avdelning 14 medicin, Mälarsjukhuset", Unit.Kind.HOSPITAL_WARD, "021-450 30 14"),
    (ASBY, "Biståndshandläggning Åsby", Unit.Kind.NEEDS_ASSESSMENT, "0221-390 00"),
    (ASBY, "Socialpsykiatri Åsby", Unit.Kind.SOCIAL_PSYCHIATRY, "0221-391 00"),
    (ASBY, "Hemtjänst Åsby", Unit.Kind.HOME_CARE, "0221-392 00"),
    (ASBY, "Elevhälsan Åsby", Unit.Kind.SCHOOL_HEALTH, "0221-393 00"),
    # Where the municipality's analysts work: figures only, no plan takes part here.
    (ASBY, "Kvalitet och uppföljning Åsby", Unit.Kind.OTHER, "0221-394 00"),
    (NORRBY, "Biståndshandläggning Norrby", Unit.Kind.NEEDS_ASSESSMENT, "0224-550 00"),
    (NORRBY, "Socialpsykiatri Norrby", Unit.Kind.SOCIAL_PSYCHIATRY, "0224-551 00"),
    (NORRBY, "Hemtjänst Norrby", Unit.Kind.HOME_CARE, "0224-552 00"),
    (NORRBY, "Elevhälsan Norrby", Unit.Kind.SCHOOL_HEALTH, "0224-553 00"),
    (
        FK,
        "Försäkringskassan, lokalt försäkringscenter Åsby",
        Unit.Kind.SOCIAL_INSURANCE,
        "0771-524 524",
    ),
]

# Individuals listed at Vårdcentralen Åsby (Person.listed_primary_care).
LISTED_AT_VC = ("nils", "amina")

# The receiving units that get requests for a SIP from Min SIP (issue 14).
RECEIVING_UNITS = {"Biståndshandläggning Åsby"}

CW, UM, ADM, AN, JA = (
    Membership.Role.CASEWORKER,
    Membership.Role.UNIT_MANAGER,
    Membership.Role.ADMINISTRATOR,
    Membership.Role.ANALYST,
    Membership.Role.JOINT_ANALYST,
)

STAFF = [
    # username, first, last, title, [(unit name, role)]
    (
        "anna.lind",
        "Anna",
        "Lind",
        "Socialsekreterare",
        [("Biståndshandläggning Åsby", CW), ("Socialpsykiatri Åsby", CW)],
    ),
    ("maria.nilsson", "Maria", "Nilsson", "Distriktssköterska", [("Vårdcentralen Åsby", CW)]),
    ("johan.berg", "Johan", "Berg", "Överläkare", [("Psykiatriska kliniken Mälarsjukhuset", CW)]),
    ("karin.ek", "Karin", "Ek", "Kurator", [("Avdelning 14 medicin, Mälarsjukhuset", CW)]),
    (
        "hanna.wik",
        "Hanna",
        "Wik",
        "Sjuksköterska",
        [("Avdelning 14 medicin, Mälarsjukhuset", CW)],
    ),
    ("sanna.moberg", "Sanna", "Moberg", "Samordnare", [("Hemtjänst Åsby", CW)]),
    ("sara.holm", "Sara", "Holm", "Enhetschef", [("Biståndshandläggning Åsby", UM)]),
    # Figures only: the municipality's statistics, and the joint area with the region.
    ("ulla.berg", "Ulla", "Berg", "Analytiker", [("Kvalitet och uppföljning Åsby", AN)]),
    (
        "tomas.wall",
        "Tomas",
        "Wall",
        "Analytiker, gemensam uppföljning",
        [("Kvalitet och uppföljning Åsby", JA)],
    ),
    ("elin.dahl", "Elin", "Dahl", "Biståndshandläggare", [("Biståndshandläggning Åsby", CW)]),
    ("omar.khalil", "Omar", "Khalil", "Biståndshandläggare", [("Biståndshandläggning Åsby", CW)]),
    ("eva.strand", "Eva", "Strand", "Verksamhetschef", [("Vårdcentralen Åsby", UM)]),
    ("lars.svensson", "Lars", "Svensson", "Boendestödjare", [("Socialpsykiatri Åsby", CW)]),
    (
        "fatima.hassan",
        "Fatima",
        "Hassan",
        "Biståndshandläggare",
        [("Biståndshandläggning Norrby", CW)],
    ),
    (
        "peter.lund",
        "Peter",
        "Lund",
        "Skolkurator",
        [("Elevhälsan Norrby", CW), ("Elevhälsan Åsby", CW)],
    ),
    ("lena.ahmadi", "Lena", "Ahmadi", "Samordnare", [("Hemtjänst Norrby", CW)]),
    (
        "mikael.sandberg",
        "Mikael",
        "Sandberg",
        "Handläggare",
        [("Försäkringskassan, lokalt försäkringscenter Åsby", CW)],
    ),
    ("ingrid.falk", "Ingrid", "Falk", "Verksamhetsutvecklare", [("Socialpsykiatri Norrby", ADM)]),
]
SYSTEM_ADMIN = ("admin", "Göran", "Ahl", "Systemförvaltare")


@dataclass(frozen=True)
class DemoPerson:
    key: str
    given: str
    family: str
    born: str  # YYYYMMDD
    serial: str  # three digits in the 980-999 test series
    city: str
    protected: bool = False
    coordination: bool = False


PEOPLE = [
    DemoPerson("erik", "Erik", "Andersson", "19650412", "983", "Åsby"),
    DemoPerson("birgitta", "Birgitta", "Karlsson", "19480203", "984", "Åsby"),
    DemoPerson("ahmed", "Ahmed", "Yusuf", "19790921", "985", "Norrby"),
    DemoPerson("linnea", "Linnéa", "Persson", "19980716", "986", "Åsby"),
    DemoPerson("goran", "Göran", "Olsson", "19520830", "987", "Norrby"),
    DemoPerson("sofia", "Sofia", "Eriksson", "19870114", "988", "Åsby", protected=True),
    DemoPerson("mohammed", "Mohammed", "Ali", "19910305", "989", "Norrby"),
    DemoPerson("ulla", "Ulla", "Gustafsson", "19410619", "990", "Åsby"),
    DemoPerson("jonas", "Jonas", "Lindberg", "19830227", "991", "Åsby"),
    DemoPerson("aleksandra", "Aleksandra", "Nowak", "19900511", "992", "Norrby", coordination=True),
    DemoPerson("kent", "Kent", "Jakobsson", "19600908", "993", "Norrby"),
    DemoPerson("maja", "Maja", "Hedlund", "19751124", "994", "Åsby", protected=True),
    DemoPerson("tove", "Tove", "Sundberg", "19930302", "995", "Åsby"),
    DemoPerson("nils", "Nils", "Forsberg", "19551013", "996", "Norrby"),
    DemoPerson("amina", "Amina", "Warsame", "19950708", "997", "Åsby"),
    # children and their guardians
    DemoPerson("elias", "Elias", "Andersson", "20130615", "981", "Åsby"),
    DemoPerson("camilla", "Camilla", "Andersson", "19840302", "982", "Åsby"),
    DemoPerson("henrik", "Henrik", "Andersson", "19820917", "980", "Åsby"),
    DemoPerson("wilma", "Wilma", "Berglund", "20110204", "983", "Norrby"),
    DemoPerson("jessica", "Jessica", "Berglund", "19860521", "984", "Norrby"),
    DemoPerson("noah", "Noah", "Hedlund", "20150930", "985", "Åsby", protected=True),
    DemoPerson("leo", "Leo", "Mäkinen", "20090112", "986", "Norrby"),
    DemoPerson("satu", "Satu", "Mäkinen", "19770803", "987", "Norrby"),
    DemoPerson("mikko", "Mikko", "Mäkinen", "19750429", "988", "Norrby"),
    DemoPerson("ella", "Ella", "Sundberg", "20170405", "989", "Åsby"),
    # representatives
    DemoPerson("leif", "Leif", "Holmgren", "19590122", "990", "Norrby"),
    DemoPerson("marta", "Marta", "Kowalska", "19680314", "991", "Norrby"),
]

GUARDIANS = [
    ("elias", "camilla", "mamma"),
    ("elias", "henrik", "pappa"),
    ("wilma", "jessica", "mamma"),
    ("noah", "maja", "mamma"),
    ("leo", "satu", "mamma"),
    ("leo", "mikko", "pappa"),
    ("ella", "tove", "mamma"),
]
RELATIVES = [
    ("erik", "camilla", "syster"),
    ("birgitta", "goran", "make"),
    ("ulla", "nils", "bror"),
]
# (individual, representative, kind, basis, what the appointment covers, access in Min SIP,
# valid for this many days or None)
REPRESENTATIVES = [
    ("kent", "leif", "god_man", "overformyndare", "Bevaka rätt, förvalta egendom och sörja för person", "write", None),
    ("aleksandra", "marta", "ombud", "power_of_attorney", "Företräda mig i min SIP och i kontakter med socialtjänsten och vården", "answer", 365),
]  # fmt: skip


# The people of the busy unit's caseload (samplan.demo.caseload), and their relatives.
CASELOAD_PEOPLE = [
    DemoPerson(c.key, c.given, c.family, c.born, c.serial, "Åsby", protected=c.key in PROTECTED)
    for c in CASES
    if c.key not in {p.key for p in PEOPLE}
] + [
    DemoPerson(key, given, family, born, serial, "Åsby")
    for key, given, family, born, serial in CASELOAD_RELATIVES
]

# The regional agreement on SIP deadlines, which the region and both municipalities signed.
AGREEMENT = {
    "consent_within_days": 3,
    "first_meeting_within_days": 14,
    "due_soon_days": 7,
    "child_reads_from_age": 16,
}
# The organisations, staff and people were registered this many days before the world was
# loaded, before the oldest SIP.
WORLD_AGE = 400


def demo_identity_number(person: DemoPerson) -> str:
    day = int(person.born[6:8]) + (60 if person.coordination else 0)
    return identity.identity_number_with_check_digit(f"{person.born[:6]}{day:02d}{person.serial}")


def demo_identity_display(person: DemoPerson) -> str:
    """The number as Swedes write it: 19650412-9831."""
    number = identity.parse_identity_number(demo_identity_number(person))
    return identity.format_identity_number(number.kind, number.value)


@transaction.atomic
def load_demo_world(clock: Clock | None = None, *, caseload: bool = True) -> dict[str, int]:
    """Load the demo world; without `caseload`, the busy unit's forty SIPs are left out (the
    named individuals' SIPs load in a fraction of the time)."""
    clock = clock or Clock()
    last_before = Notification.objects.aggregate(last=Max("id"))["last"] or 0
    evaluation_default.install(apps)  # Samplan's questionnaire, also in a flushed database
    with clock.at(-WORLD_AGE, 8, 0):
        people = _load_people_and_staff(clock)
    # The SIPs' services send their invitations and notices; then today's reminders.
    plans = load_demo_plans(people, clock, caseload=caseload)
    load_demo_admissions(people, clock)
    load_demo_deviations(people, clock)
    # Two years of SIPs behind the stories, for the statistics (their past notices are not
    # sent again; today's reminders are); then the statistics' facts.
    plans += load_demo_history(clock)
    load_demo_evaluations()  # what the individuals, relatives and staff of the history thought
    load_demo_notifications(clock, after_id=last_before, leave_out=history_plans())
    load_demo_api_client()  # the record system of docs/api.md's curl walk-through
    facts_rebuild()
    return {
        "plans": plans,
        "notifications": Notification.objects.filter(id__gt=last_before).count(),
        "organizations": Organization.objects.count(),
        "units": Unit.objects.count(),
        "staff": User.objects.count(),
        "individuals": Person.objects.count(),
    }


def _load_people_and_staff(clock: Clock) -> dict[str, Person]:
    organizations = {}
    for name, kind, nine, code in ORGANIZATIONS:
        organizations[name], _ = Organization.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "organization_number": with_luhn(nine),
                "municipality_code": code,
                "hsa_id": f"SE{with_luhn(nine).replace('-', '')}-1000" if kind == "region" else "",
            },
        )
        if organizations[name].is_principal:
            # A local agreement set in the admin since is left as it is.
            LocalAgreement.objects.get_or_create(
                organization=organizations[name], defaults=AGREEMENT
            )
    units = {}
    for org_name, name, kind, phone in UNITS:
        slug = name.split(",")[0].lower().replace(" ", ".").replace("å", "a").replace("ä", "a")
        slug = slug.replace("ö", "o")
        units[name], _ = Unit.objects.update_or_create(
            organization=organizations[org_name],
            name=name,
            defaults={
                "kind": kind,
                "phone": phone,
                "email": f"{slug}@demo.samplan.invalid",
                "receives_requests": name in RECEIVING_UNITS,
            },
        )
    password = _PasswordHash()
    for username, first, last, title, memberships in STAFF:
        user = _demo_user(username, first, last, title, password)
        for unit_name, role in memberships:
            Membership.objects.update_or_create(
                user=user, unit=units[unit_name], defaults={"role": role, "is_active": True}
            )
    admin = _demo_user(*SYSTEM_ADMIN, password)
    if not admin.is_superuser:
        admin.is_superuser = admin.is_staff = True
        admin.save(update_fields=["is_superuser", "is_staff"])
    people = {p.key: _demo_person(p) for p in [*PEOPLE, *CASELOAD_PEOPLE]}
    Person.objects.update_or_create(
        identity_kind=Person.IdentityKind.RESERVNUMMER,
        identity_number="RM-990001",
        defaults={
            "given_name": "Okänd",
            "family_name": "Patient",
            "birth_date": datetime.date(1970, 1, 1),
        },
    )
    # Registered through the service, as staff register them (validated by Relation.clean).
    relations = [
        *[(c, g, Relation.Kind.GUARDIAN, d, Relation.Basis.POPULATION_REGISTER, "", "none", None) for c, g, d in GUARDIANS],
        *[(p, r, Relation.Kind.RELATIVE, d, "", "", "none", None) for p, r, d in RELATIVES],
        *[(p, r, k, "", b, scope, m, days) for p, r, k, b, scope, m, days in REPRESENTATIVES],
        *[(p, r, k, d, Relation.Basis.POPULATION_REGISTER if k == "guardian" else "", "", "none", None) for p, r, k, d in CASELOAD_RELATIONS],
    ]  # fmt: skip
    existing = set(Relation.objects.values_list("person_id", "related_id", "kind"))
    for person, related, kind, description, basis, scope, min_sip, days in relations:
        if (people[person].pk, people[related].pk, kind) in existing:
            continue
        relation_add(
            actor=None,
            person=people[person],
            related=people[related],
            kind=kind,
            description=description,
            basis=basis,
            scope=scope,
            min_sip=min_sip,
            # counted from the day the world is loaded, not from when it was registered
            valid_until=clock.day(days) if days else None,
        )
    # Listed at the primary care centre: offered first where a unit is chosen for them.
    for key in LISTED_AT_VC:
        person_listing_set(actor=None, person=people[key], unit=units["Vårdcentralen Åsby"])
    return people


class _PasswordHash:
    """The demo password, hashed once for every new account (hashing takes a good fraction
    of a second; the demo has fifteen accounts)."""

    def __init__(self):
        self.value = ""

    def __str__(self) -> str:
        if not self.value:
            self.value = make_password(DEMO_PASSWORD)
        return self.value


def _demo_user(username: str, first: str, last: str, title: str, password: _PasswordHash) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            title=title,
            email=f"{username}@demo.samplan.invalid",
            password=str(password),
        )
    return user


def _demo_person(p: DemoPerson) -> Person:
    number = identity.parse_identity_number(demo_identity_number(p))
    street = f"{p.family}vägen {len(p.given) + 2}"
    person, _ = Person.objects.update_or_create(
        identity_kind=number.kind,
        identity_number=number.value,
        defaults={
            "given_name": p.given,
            "family_name": p.family,
            "birth_date": number.birth_date,
            "protected_identity": p.protected,
            "street_address": street,
            "postal_code": "721 30" if p.city == "Åsby" else "733 40",
            "city": p.city,
            "phone": f"070-{p.born[2:5]} {p.serial} {p.born[6:8]}",
            "email": f"{p.key.replace('_', '.')}@example.invalid",
        },
    )
    return person


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, name and title, units) for the README and `make run`."""
    rows = [
        (username, f"{first} {last}, {title}", ", ".join(unit for unit, _ in memberships))
        for username, first, last, title, memberships in STAFF
    ]
    rows.append(
        (SYSTEM_ADMIN[0], f"{SYSTEM_ADMIN[1]} {SYSTEM_ADMIN[2]}, {SYSTEM_ADMIN[3]}", "admin")
    )
    return rows
