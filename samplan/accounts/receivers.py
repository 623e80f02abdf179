"""Start the session clocks at every login, whichever view logs the user in (staff, admin)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from samplan.accounts.middleware import session_lifetime_start


@receiver(user_logged_in, dispatch_uid="accounts_session_lifetime_start")
def start_session_clocks(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        session_lifetime_start(request.session)
