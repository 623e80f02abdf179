"""The demo world shows inbox items and reminders, and loading it again adds nothing."""

from django.core.management import call_command

from samplan.accounts.models import User
from samplan.demo.notifications import load_demo_notifications
from samplan.demo.world import DEMO_PASSWORD
from samplan.notifications.models import Notification


def test_the_demo_world_has_invitations_reminders_and_closing_notices(db, client):
    call_command("load_demo", quiet_logins=True)
    assert Notification.objects.exists()
    assert load_demo_notifications() == 0  # idempotent
    call_command("load_demo", quiet_logins=True)
    assert load_demo_notifications() == 0
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"meeting_invitation", "plan_closed", "deadline_overdue", "approval_waiting"} <= kinds

    staff = User.objects.filter(notifications__isnull=False).distinct().first()
    response = client.post(
        "/konto/logga-in/", {"username": staff.username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    page = client.get("/inkorg/").content.decode()
    assert "Markera som läst" in page
