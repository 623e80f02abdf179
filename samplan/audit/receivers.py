"""Record Django's authentication signals as security events.

Only auditing happens here; no business rules live in signal receivers.
"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from samplan.audit.models import SecurityEvent
from samplan.audit.services import security_event_record


@receiver(user_logged_in, dispatch_uid="audit_login")
def record_login(sender, request, user, **kwargs) -> None:
    security_event_record(kind=SecurityEvent.Kind.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def record_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        security_event_record(kind=SecurityEvent.Kind.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def record_login_failed(sender, credentials, request=None, **kwargs) -> None:
    security_event_record(
        kind=SecurityEvent.Kind.LOGIN_FAILED,
        request=request,
        attempted_username=str(credentials.get("username", "")),
    )


@receiver(user_locked_out, dispatch_uid="audit_login_locked_out")
def record_locked_out(sender, request=None, username=None, **kwargs) -> None:
    security_event_record(
        kind=SecurityEvent.Kind.LOGIN_LOCKED_OUT,
        request=request,
        attempted_username=str(username or ""),
    )
