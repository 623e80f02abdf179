"""Protected identity: a protected person's address and contact details appear on no page.

Unique canary strings are written into the street address, postal code, city, phone and
e-mail of every protected person of a small generated world (individuals, guardians and
relatives alike); some of them also hold grants to see those details that have been revoked or
have expired. Then every page is fetched by every staff member acting for his or her unit
(every page of each plan whose overview answers, every page of one plan that is refused and
the overview of the others), every person is looked up by identity number (once per user: a
search shows what the user's grants allow), and system administrators walk the whole admin.
No canary may appear in any response or in any log line (captured at DEBUG). A non-protected
person's address is the positive control: it must show up (in the search result). PDF copies
are made by a stand-in for WeasyPrint that returns the HTML the PDF would be typeset from, so
that their text can be searched too.
"""

import functools
import logging
import random

from samplan.people.models import Person
from samplan.testing.world import (
    PlanObjects,
    admin_get_paths,
    build_world,
    crawl_staff_pages,
    staff_client,
    staff_get_paths,
    stand_in_for_pdfs,
)

SEED = 20250603
FIELDS = ("street_address", "postal_code", "city", "phone", "email")


def canary(rng: random.Random, name: str) -> tuple[str, str]:
    """(value to store, string to look for) for one field; postal codes hold ten characters."""
    hex8 = f"{rng.getrandbits(32):08x}"
    if name == "postal_code":
        return f"KN{hex8}", f"KN{hex8}"
    if name == "email":
        return f"kanarie-{hex8}@example.invalid", f"kanarie-{hex8}"
    return f"KANARIE-{hex8}", f"KANARIE-{hex8}"


def test_no_page_and_no_log_line_shows_a_protected_persons_contact_details(db, caplog, monkeypatch):
    stand_in_for_pdfs(monkeypatch)  # PDFs as searchable text, and fast
    world = build_world(
        seed=SEED, staff=3, individuals=8, plans=8, units_per_organization=1, units_per_user=1
    )
    rng = random.Random(SEED)  # noqa: S311
    canaries: dict[str, str] = {}  # string looked for -> "person field"
    protected = world.protected
    assert len(protected) >= 3, "the small world needs protected people"
    for person in protected:
        for name in FIELDS:
            value, needle = canary(rng, name)
            setattr(person, name, value)
            canaries[needle] = f"{person.pk} {name}"
    Person.objects.bulk_update(protected, FIELDS)
    control = next(p for p in world.individuals if not p.protected_identity)
    control.street_address = f"KONTROLL-{rng.getrandbits(32):08x}"
    control.save(update_fields=["street_address"])

    objects = PlanObjects.load(world.plans)
    paths = staff_get_paths(world, objects, skip=("citizen",))  # Min SIP: staff are sent away
    assert not paths.unknown, f"routes the crawl cannot fill in: {paths.unknown}"
    administrators = [world.superuser] + [
        user for user, _unit, role in world.staff_actors() if role == "administrator"
    ][:1]
    clients = [
        (f"{user.username}@{unit.pk}", staff_client(user, unit))
        for user, unit, _role in world.staff_actors()
    ]
    admin_clients = [(user.username, staff_client(user, None)) for user in administrators]

    django_logger = logging.getLogger("django")  # does not propagate to the root logger
    django_logger.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    caplog.clear()
    hits, control_seen, pages = [], 0, 0
    plan_ids_of_protected = {str(p.pk) for p in world.plans if p.person.protected_identity}
    protected_pages = 0

    def look(who: str, method: str, path: str, response) -> None:
        assert response.status_code < 500, (who, method, path)
        nonlocal control_seen, pages, protected_pages
        text = response.content.decode(errors="replace") + repr(sorted(response.items()))
        for needle, where in canaries.items():
            if needle in text:
                hits.append(f"{who} {method} {path} ({response.status_code}): {where}")
        control_seen += control.street_address in text
        pages += response.status_code == 200
        if response.status_code == 200 and any(pk in path for pk in plan_ids_of_protected):
            protected_pages += 1

    try:
        searched = set()
        for who, client in clients:
            crawl_staff_pages(client, paths, functools.partial(look, who))
            if who.split("@")[0] in searched:
                continue  # what a search shows depends on the user (grants), not the unit
            searched.add(who.split("@")[0])
            for person in world.persons:
                data = {"identity_number": person.identity_display}
                look(
                    who,
                    "POST",
                    "/individer/sok/",
                    client.post("/individer/sok/", data, follow=True),
                )
            for person in [*protected, control]:
                data = {"step": "find", "identity_number": person.identity_display}
                look(who, "POST", "/sip/ny/", client.post("/sip/ny/", data, follow=True))
        for index, (who, client) in enumerate(admin_clients):
            # Every change page as the superuser; the lists as the administrator member.
            for path in admin_get_paths(limit_per_model=60 if index == 0 else 0):
                look(who, "GET", path, client.get(path))
    finally:
        django_logger.removeHandler(caplog.handler)

    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    in_logs = [where for needle, where in canaries.items() if needle in logged]
    assert not hits, f"{len(hits)} pages show protected details:\n" + "\n".join(hits[:20])
    assert not in_logs, f"protected details in the log: {in_logs}"
    assert control_seen >= 1, "the positive control never appeared: the crawl proves nothing"
    assert protected_pages > 0, "no page about a protected individual was reached"
    assert pages > 150, pages
