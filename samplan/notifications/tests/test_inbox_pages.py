"""The inbox pages: each recipient sees and changes only his or her own items."""

import time

import pytest

from samplan.conftest import login
from samplan.notifications.models import Notification, NotificationPreference
from samplan.people.session import CITIZEN_SESSION_KEY
from samplan.plans import services as plans
from samplan.testing.cast import make_person


@pytest.fixture
def invited(cast):
    """A meeting scheduled, so an invitation: items for Alice, Bob, Bea and Eva; e-mails for
    the units."""
    plan = cast.plan()
    cast.meeting(plan)
    return plan


def citizen_client(client, person):
    """A Min SIP session for the person, as after a verified login."""
    session = client.session
    now = int(time.time())
    session[CITIZEN_SESSION_KEY] = {
        "person": str(person.pk),
        "method": "test",
        "acr": "",
        "at": now,
        "seen": now,
    }
    session.save()
    return client


def test_staff_see_their_own_items_only_and_the_header_counts_them(client, cast, invited):
    login(client, cast.bob)
    page = client.get("/inkorg/").content.decode()
    bobs = Notification.objects.filter(user=cast.bob)
    assert bobs.count() == 1
    assert f'name="notification" value="{bobs.get().pk}"' in page
    for other in Notification.objects.exclude(user=cast.bob).filter(channel="inbox"):
        assert f'name="notification" value="{other.pk}"' not in page
    assert "Kallelse till SIP-möte" in page
    assert f'href="/sip/{invited.pk}/moten/"' in page
    assert "Inkorg (1" in page  # the header's unread count
    assert "Hemliga" not in page  # never the place: it may be a home


def test_a_get_marks_nothing_read_and_mark_read_is_post_only(client, cast, invited):
    login(client, cast.bob)
    client.get("/inkorg/")
    assert Notification.objects.filter(user=cast.bob, read_at__isnull=True).count() == 1
    assert client.get("/inkorg/las/").status_code == 405


def test_marking_read_touches_only_ones_own_items(client, cast, invited):
    login(client, cast.bob)
    alices = Notification.objects.get(user=cast.alice)
    bobs = Notification.objects.get(user=cast.bob)
    response = client.post("/inkorg/las/", {"notification": [alices.pk, bobs.pk]})
    assert response.status_code == 302 and response["Location"] == "/inkorg/"
    alices.refresh_from_db()
    bobs.refresh_from_db()
    assert alices.read_at is None and bobs.read_at is not None
    page = client.get("/inkorg/").content.decode()
    assert "Inkorg (" not in page and "Markera som läst" not in page


def test_mark_all_read(client, cast, invited):
    plans.meeting_cancel(**cast.as_alice, meeting=invited.meetings.get())  # a second item
    login(client, cast.bob)
    assert Notification.objects.filter(user=cast.bob, read_at__isnull=True).count() == 2
    client.post("/inkorg/las/", {"all": "1"})
    assert not Notification.objects.filter(user=cast.bob, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=cast.alice, read_at__isnull=True).count() == 2


def test_the_citizen_sees_his_or_her_own_items_only(client, cast, invited):
    other = make_person("19700101", "111", "Ulf", "Annan")
    cast.meeting(cast.plan(other))
    citizen_client(client, cast.person)
    page = client.get("/inkorg/min-sip/").content.decode()
    evas = Notification.objects.get(person=cast.person, channel="inbox")
    ulfs = Notification.objects.get(person=other, channel="inbox")
    assert f'value="{evas.pk}"' in page and f'value="{ulfs.pk}"' not in page
    assert f'href="/min-sip/{invited.pk}/"' in page
    assert "Inkorg (1" in page

    client.post("/inkorg/min-sip/las/", {"notification": [ulfs.pk]})
    ulfs.refresh_from_db()
    assert ulfs.read_at is None
    client.post("/inkorg/min-sip/las/", {"notification": [evas.pk]})
    evas.refresh_from_db()
    assert evas.read_at is not None


def test_staff_and_anonymous_visitors_are_sent_to_the_right_login(client, cast, invited):
    assert client.get("/inkorg/")["Location"].startswith("/konto/logga-in/")
    assert client.get("/inkorg/min-sip/")["Location"].startswith("/min-sip/logga-in/")
    login(client, cast.bob)
    assert client.get("/inkorg/min-sip/")["Location"].startswith("/min-sip/logga-in/")
    response = client.post("/inkorg/min-sip/las/", {"all": "1"})
    assert response.status_code == 302
    assert Notification.objects.filter(person__isnull=False, read_at__isnull=True).exists()


def test_the_citizen_chooses_email(client, cast):
    citizen_client(client, cast.person)
    page = client.get("/inkorg/min-sip/").content.decode()
    assert "eva.exempel@mejl.test" in page and 'name="email_ok"' in page
    client.post("/inkorg/min-sip/e-post/", {"email_ok": "on"})
    assert NotificationPreference.objects.get(person=cast.person).email_ok is True
    client.post("/inkorg/min-sip/e-post/", {})
    assert NotificationPreference.objects.get(person=cast.person).email_ok is False


def test_administrators_see_failed_emails_with_subject_and_error_only(client, cast, invited, adam):
    mail = Notification.objects.filter(channel="email").first()
    Notification.objects.filter(pk=mail.pk).update(
        status="failed_permanently", last_error="SMTPRecipientsRefused: 550", attempts=1
    )
    login(client, adam)
    page = client.get("/admin/notifications/failedemail/").content.decode()
    assert "SMTPRecipientsRefused: 550" in page and "SIP-möte" in page
    assert mail.email not in page
    page = client.get(f"/admin/notifications/failedemail/{mail.pk}/change/").content.decode()
    assert "SMTPRecipientsRefused: 550" in page and mail.email not in page


def test_others_do_not_see_failed_emails(client, cast):
    login(client, cast.alice)
    assert client.get("/admin/notifications/failedemail/").status_code == 302


def test_a_long_inbox_is_shown_fifty_items_a_page_and_counts_every_unread(client, cast):
    Notification.objects.bulk_create(
        Notification(
            kind=Notification.Kind.DEADLINE_DUE_SOON,
            channel=Notification.Channel.INBOX,
            status=Notification.Status.DELIVERED,
            user=cast.bob,
            subject=f"Påminnelse {n}",
            body=f"Påminnelse nummer {n}",
            dedupe_key=f"test-long-inbox-{n}",
        )
        for n in range(55)
    )
    login(client, cast.bob)
    first = client.get("/inkorg/").content.decode()
    assert first.count('name="notification"') == 50
    assert "Sida 1 av 2" in first and "55 olästa" in first
    second = client.get("/inkorg/?sida=2").content.decode()
    assert second.count('name="notification"') == 5
    assert client.get("/inkorg/?sida=x").status_code == 200
