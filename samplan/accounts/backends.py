"""Authentication backends: the login throttle against password spraying."""

from django.core.exceptions import PermissionDenied

from samplan.accounts.services import login_throttle_reason
from samplan.audit.models import SecurityEvent
from samplan.audit.services import client_ip, security_event_record


class LoginThrottleBackend:
    """Refuses a login, right password or not, from an address that is throttled.

    Sits after axes' backend and before the model backend. The refusal is shown by axes'
    middleware as the lockout page (429), with the reason from `request.samplan_login_throttled`.
    Django then sends `user_login_failed`, so a refused attempt counts as a failure too.
    It has no `get_user`: it never logs anyone in, so sessions never name it as their backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        reason = login_throttle_reason(ip_address=client_ip(request))
        if reason is None:
            return None
        request.samplan_login_throttled = reason
        request.axes_locked_out = True
        security_event_record(
            kind=SecurityEvent.Kind.LOGIN_THROTTLED,
            request=request,
            attempted_username=str(username or ""),
        )
        raise PermissionDenied
