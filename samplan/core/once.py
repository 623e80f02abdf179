"""Once-only form submits: a repeated POST of the same form creates nothing new.

Every POST form carries a one-time token (the `{% once %}` tag, a template builtin, right
after `{% csrf_token %}`). The first POST with a token records it in the same transaction as
the view's work; when the view succeeds (a redirect, the one posting style) the record keeps
where it led. A second POST with the same token, sequential or concurrent, finds the record
(on PostgreSQL it waits on the unique index until the first commits) and is sent to the
first one's result with a note, so a double click, a slow connection, Back and send again
never make two goals, meetings, consents or plan versions. A POST that is shown again with
errors forgets its token, so the corrected form can be sent.
"""

import datetime
import uuid

from django import template
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from samplan.core.models import Submission

FIELD = "_once"
KEPT = datetime.timedelta(days=1)
REDIRECTS = {301, 302, 303}

register = template.Library()


@register.simple_tag
def once() -> str:
    """The hidden one-time token of a form."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4())


def _token(request) -> uuid.UUID | None:
    if request.method != "POST" or getattr(request, "actor", None) is None:
        return None  # logins and other anonymous forms repeat harmlessly
    raw = request.POST.get(FIELD, "")
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


class SubmitOnceMiddleware:
    """Runs a tokened POST once (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _token(request)
        if token is None:
            return self.get_response(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    Submission.objects.create(token=token, path=request.path[:300])
            except IntegrityError:
                return self._repeated(request, token)
            response = self.get_response(request)
            done = Submission.objects.filter(token=token)
            if response.status_code in REDIRECTS:
                done.update(location=response["Location"][:500])
            else:
                done.delete()  # shown again with errors: the corrected form may be sent
        return response

    def _repeated(self, request, token):
        first = Submission.objects.filter(token=token).first()
        messages.info(request, _("The form was already sent. This is the result."))
        if first and first.location:
            return redirect(first.location)
        back = request.headers.get("Referer", "")
        safe = url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure())
        return redirect(back if back and safe else "/")


def submissions_forget() -> int:
    """Forget tokens older than a day (the worker's sweep)."""
    old = Submission.objects.filter(created_at__lt=timezone.now() - KEPT)
    return old.delete()[0]
