"""/health and /metrics: a running worker and a moving outbox are green; a worker that stopped
sweeping or an e-mail stuck in the outbox turns the check red (503), and the metrics say why."""

import datetime

import time_machine
from django.test import override_settings
from django.utils import timezone

from samplan.core.metrics import ACCESS_LOG_FAILURES
from samplan.notifications.models import Heartbeat, Notification
from samplan.notifications.tasks import sweep_and_remind


def test_a_sweeping_worker_is_green_and_a_stopped_one_turns_the_check_red(client, db):
    assert client.get("/health").json()["checks"]["worker"]["ok"] is False  # never swept
    sweep_and_remind.call()
    response = client.get("/health")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ok"
    # The worker stops: no sweep for ten minutes.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10), tick=False):
        stopped = client.get("/health")
    assert stopped.status_code == 503
    body = stopped.json()
    assert body["status"] == "fail" and body["checks"]["worker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert "stopped" in body["checks"]["worker"]["detail"]


def test_an_e_mail_stuck_in_the_outbox_turns_the_check_red(client, db):
    sweep_and_remind.call()
    Notification.objects.create(
        channel=Notification.Channel.EMAIL,
        kind=Notification.Kind.EVALUATION_REQUEST,
        email="funktionsbrevlada@example.se",
        status=Notification.Status.PENDING,
        next_attempt_at=timezone.now(),
        subject="Test",
        body="Test",
    )
    assert client.get("/health").json()["checks"]["outbox"]["ok"] is True
    later = timezone.now() + datetime.timedelta(minutes=20)
    with time_machine.travel(later, tick=False):
        # The worker still sweeps, but the e-mail does not go (the mail server refuses it).
        Heartbeat.objects.filter(name="worker").update(at=timezone.now())
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["checks"]["outbox"]["ok"] is False
    assert response.json()["checks"]["worker"]["ok"] is True


def test_metrics_answer_in_prometheus_format_with_requests_and_the_queue(client, db):
    client.get("/halsa/")
    ACCESS_LOG_FAILURES.inc(0)
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    for name in (
        "samplan_http_request_duration_seconds_count",
        "samplan_access_log_write_failures_total",
        "samplan_task_queue_depth",
        "samplan_outbox_waiting",
        "samplan_deliveries_failed",
        "samplan_worker_heartbeat_age_seconds -1.0",
    ):
        assert name in text, name
    assert 'route="halsa/"' in text


@override_settings(METRICS_TOKEN="s3cret")
def test_metrics_need_the_token_when_one_is_set(client, db):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret").status_code == 200


@override_settings(PRODUCTION=True, METRICS_TOKEN="")
def test_metrics_are_closed_in_production_without_a_token(client, db):
    assert client.get("/metrics").status_code == 404
