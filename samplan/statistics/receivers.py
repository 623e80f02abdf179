"""Receivers of Django's model signals (connected in `StatisticsConfig.ready`): a saved or
deleted local agreement is recorded in the history of the deadlines. No rule lives here."""

from samplan.statistics.services import agreement_terms_record, facts_forget


def agreement_saved(sender, instance, **kwargs) -> None:
    agreement_terms_record(organization_id=instance.organization_id, agreement=instance)


def agreement_deleted(sender, instance, **kwargs) -> None:
    agreement_terms_record(organization_id=instance.organization_id, agreement=None)


def plan_deleted(sender, instance, **kwargs) -> None:
    facts_forget([instance.pk])
