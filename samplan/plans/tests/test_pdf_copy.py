"""The PDF copy of an established version is rendered once and kept, until anything on it
changes (docs/performance.md)."""

import datetime

import pytest
from django.urls import reverse

from samplan.plans import pdf
from samplan.plans.models import VersionCopy
from samplan.testing.cast import login


@pytest.fixture
def renders(monkeypatch):
    calls = []
    real = pdf._render

    def counted(html):
        calls.append(html)
        return real(html)

    monkeypatch.setattr(pdf, "_render", counted)
    return calls


def download(client, plan):
    response = client.get(reverse("plans:pdf", args=[plan.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    return response.content


@pytest.mark.django_db
def test_the_same_copy_is_rendered_once_and_served_again(client, sip, renders):
    plan = sip.to("active")
    login(client, sip.alice)
    first = download(client, plan)
    second = download(client, plan)
    assert first == second
    assert len(renders) == 1
    assert VersionCopy.objects.filter(version__plan=plan).count() == 1


@pytest.mark.django_db
def test_a_change_on_the_copy_renders_a_new_one(client, sip, renders):
    plan = sip.to("active")
    login(client, sip.alice)
    download(client, plan)
    sip.update(plan, next_follow_up=datetime.date.today() + datetime.timedelta(days=200))
    download(client, plan)
    assert len(renders) == 2
    assert VersionCopy.objects.filter(version__plan=plan).count() == 2


@pytest.mark.django_db
def test_copies_of_earlier_days_and_versions_are_dropped(client, sip, renders):
    plan = sip.to("active")
    login(client, sip.alice)
    download(client, plan)
    VersionCopy.objects.update(created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    sip.update(plan, next_follow_up=datetime.date.today() + datetime.timedelta(days=200))
    download(client, plan)
    assert list(VersionCopy.objects.values_list("created_at__year", flat=True)) != [2020]
    assert VersionCopy.objects.filter(version__plan=plan).count() == 1


@pytest.mark.django_db
def test_a_plan_without_an_established_version_is_rendered_each_time(client, sip, renders):
    plan = sip.to("consented")
    login(client, sip.alice)
    download(client, plan)
    download(client, plan)
    assert len(renders) == 2
    assert not VersionCopy.objects.exists()
