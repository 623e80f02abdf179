"""Asking for, answering and declining the evaluation of a SIP.

After the plan is established and after each follow-up (the plans' signals, connected in
EvaluationConfig.ready, inside the change's transaction) those who took part are asked, once
each per occasion: the individual (for a child, the guardians), the relatives who attended the
meeting, and the staff who took part (who recorded it, the meeting's chair and recorder, and
the contact persons of the units that attended). The individual, guardians and relatives see
the request in Min SIP; staff get an inbox item. Each is asked the questionnaire in use for
their side: staff the staff's, the individual, guardians and relatives the individual's
(`Instrument.audience`).

The answer is written apart from the request: the request only becomes "answered".
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan import policy
from samplan.evaluation.models import (
    AUDIENCE_OF,
    Audience,
    Category,
    EvaluationAnswer,
    EvaluationRequest,
    InstrumentVersion,
    Occasion,
)
from samplan.notifications import outbox
from samplan.people.models import Relation
from samplan.plans.models import Meeting
from samplan.plans.rules import refuse_unless

# A request is open this many days, then it expires.
OPEN_DAYS = 30


def version_in_use(audience: str = Audience.CITIZENS) -> InstrumentVersion | None:
    """The questionnaire version asked of `audience` (the individual's side, or the staff)."""
    return (
        InstrumentVersion.objects.filter(in_use=True, instrument__audience=audience)
        .order_by("-created_at", "-pk")
        .first()
    )


# --- Asking ---------------------------------------------------------------------------------


def _meeting_of(plan, occasion: str, followup=None) -> Meeting | None:
    if occasion == Occasion.FOLLOW_UP:
        return followup.meeting if followup is not None else None
    return plan.meetings.filter(kind=Meeting.Kind.FIRST, status=Meeting.Status.HELD).first()


def _citizens(plan, meeting: Meeting | None) -> list[tuple[object, str]]:
    """(person, category): the individual, or for a child the guardians (never for a protected
    identity); and the relatives who attended the meeting."""
    subject = plan.person
    asked: list[tuple[object, str]] = []
    if subject.is_child():
        if not subject.protected_identity:
            guardians = Relation.objects.filter(
                person=subject, kind=Relation.Kind.GUARDIAN
            ).select_related("related")
            asked += [(r.related, Category.GUARDIAN) for r in guardians]
    else:
        asked.append((subject, Category.INDIVIDUAL))
    if meeting is not None:
        already = {p.pk for p, _c in asked} | {subject.pk}
        for invitee in meeting.invitees.filter(person__isnull=False, attended=True).select_related(
            "person"
        ):
            if invitee.person_id not in already:
                asked.append((invitee.person, Category.RELATIVE))
                already.add(invitee.person_id)
    return asked


def _staff(plan, meeting: Meeting | None, actor) -> list:
    """The staff who took part: who recorded the occasion, the meeting's chair and recorder,
    and the contact persons of the units that attended."""
    users = []
    if isinstance(actor, policy.Staff):
        users.append(actor.user)
    if meeting is not None:
        users += [u for u in (meeting.chair, meeting.recorder) if u is not None]
        attended = set(
            meeting.invitees.filter(unit__isnull=False, attended=True).values_list(
                "unit_id", flat=True
            )
        )
        for participant in plan.participants.filter(
            unit_id__in=attended, is_active=True, contact_person__isnull=False
        ).select_related("contact_person"):
            users.append(participant.contact_person)
    unique = {u.pk: u for u in users if u.is_active}
    return list(unique.values())


def _units(meeting: Meeting | None, actor) -> set[int]:
    units = set()
    if isinstance(actor, policy.Staff):
        units.add(actor.unit.pk)
    if meeting is not None:
        units |= set(
            meeting.invitees.filter(unit__isnull=False, attended=True).values_list(
                "unit_id", flat=True
            )
        )
    return units


def evaluation_ask(
    *, plan, occasion: str, occasion_key: str, actor, followup=None
) -> list[EvaluationRequest]:
    """Ask everyone who took part in the occasion, once each, the questionnaire of their side
    (none is asked of a side without a questionnaire in use). Returns the requests made now."""
    versions = {audience: version_in_use(audience) for audience in Audience.values}
    if not any(versions.values()):
        return []
    meeting = _meeting_of(plan, occasion, followup)
    today = timezone.localdate()
    units = _units(meeting, actor)
    common = {
        "occasion": occasion,
        "asked_on": today,
        "expires_on": today + datetime.timedelta(days=OPEN_DAYS),
    }
    made = []
    asked = []
    if versions[Audience.CITIZENS] is not None:
        asked += [({"person": p}, category) for p, category in _citizens(plan, meeting)]
    if versions[Audience.STAFF] is not None:
        asked += [({"user": u}, Category.STAFF) for u in _staff(plan, meeting, actor)]
    for who, category in asked:
        version = versions[AUDIENCE_OF[category]]
        request, created = EvaluationRequest.objects.get_or_create(
            plan=plan,
            occasion_key=occasion_key,
            **who,
            defaults={"category": category, "version": version, **common},
        )
        if created:
            made.append(request)
    for request in made:
        request.units.set(units)
    outbox.evaluation_request_queue(requests=[r for r in made if r.user_id])
    return made


def plan_established_received(sender, *, plan, version, actor, **kwargs):
    return evaluation_ask(
        plan=plan, occasion=Occasion.ESTABLISHED, occasion_key="established", actor=actor
    )


def plan_followed_up_received(sender, *, plan, followup, actor, **kwargs):
    return evaluation_ask(
        plan=plan,
        occasion=Occasion.FOLLOW_UP,
        occasion_key=f"follow_up:{followup.pk}",
        actor=actor,
        followup=followup,
    )


# --- Finding one's requests -----------------------------------------------------------------


def open_requests(actor):
    """The actor's own requests still open (a citizen's or a staff member's)."""
    today = timezone.localdate()
    requests = EvaluationRequest.objects.filter(
        state=EvaluationRequest.State.OPEN, expires_on__gte=today
    )
    if isinstance(actor, policy.Citizen):
        return requests.filter(person=actor.person).order_by("-asked_on")
    if isinstance(actor, policy.Staff):
        return requests.filter(user=actor.user).order_by("-asked_on")
    return requests.none()


def request_for(actor, request_id) -> EvaluationRequest | None:
    """The actor's own request with this id, whatever its state; None for anyone else's."""
    requests = EvaluationRequest.objects.select_related("version")
    if isinstance(actor, policy.Citizen):
        return requests.filter(pk=request_id, person=actor.person).first()
    if isinstance(actor, policy.Staff):
        return requests.filter(pk=request_id, user=actor.user).first()
    return None


def request_open(request: EvaluationRequest, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return request.state == EvaluationRequest.State.OPEN and request.expires_on >= today


# --- Answering ------------------------------------------------------------------------------


def _lock_open(request: EvaluationRequest) -> EvaluationRequest:
    request = EvaluationRequest.objects.select_for_update().get(pk=request.pk)
    refuse_unless(request_open(request), _("This evaluation is closed; thank you all the same."))
    return request


@transaction.atomic
def evaluation_answer(*, actor, request: EvaluationRequest, answers: dict) -> None:
    """Store the answer apart (no link to the request, plan or person) and close the request."""
    refuse_unless(request_for(actor, request.pk) is not None, _("This is not your evaluation."))
    request = _lock_open(request)
    answer = EvaluationAnswer.objects.create(
        version=request.version,
        occasion=request.occasion,
        category=request.category,
        month=request.asked_on.replace(day=1),
        answers={k: v for k, v in answers.items() if v not in ("", None)},
    )
    answer.units.set(request.units.all())
    EvaluationRequest.objects.filter(pk=request.pk).update(state=EvaluationRequest.State.ANSWERED)


@transaction.atomic
def evaluation_decline(*, actor, request: EvaluationRequest) -> None:
    """ "No thanks": the request is closed, nothing is stored."""
    refuse_unless(request_for(actor, request.pk) is not None, _("This is not your evaluation."))
    request = _lock_open(request)
    EvaluationRequest.objects.filter(pk=request.pk).update(state=EvaluationRequest.State.DECLINED)


def evaluation_requests_expire(today: datetime.date | None = None) -> int:
    """Close the requests whose time is out (for the worker). Returns how many."""
    today = today or timezone.localdate()
    return EvaluationRequest.objects.filter(
        state=EvaluationRequest.State.OPEN, expires_on__lt=today
    ).update(state=EvaluationRequest.State.EXPIRED)
