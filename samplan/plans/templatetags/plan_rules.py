"""The rule book's predicates for templates: `{% load plan_rules %}{% if plan|before_consent %}`.

Templates never compare a state, role or decision with a literal (a test reads them all); they
ask the rule book (samplan.plans.rules) through these filters, or the `can` object a view
passes (samplan.plans.access.Can)."""

from django import template

from samplan.plans import rules

register = template.Library()

register.filter("before_consent", rules.before_consent)
register.filter("consent_given", rules.consent_given)
register.filter("consent_refused", rules.consent_refused)
register.filter("consent_withdrawable", rules.consent_withdrawable)
register.filter("is_established", rules.is_established)
register.filter("is_closed", rules.is_closed)
register.filter("kept_elsewhere", rules.kept_elsewhere)
register.filter("kept_on_paper", rules.kept_on_paper)
register.filter("next_step", rules.next_step)
register.filter("meeting_scheduled", rules.meeting_scheduled)
register.filter("topic_label", rules.topic_label)
register.filter("intervention_status", rules.intervention_status_label)
register.filter("unanswered_too_long", rules.invitation_unanswered_too_long)
register.filter("declined_by_unit", rules.invitation_declined_by_unit)


@register.filter
def may_start(plan, action: str) -> bool:
    """{% if plan|may_start:"version.approve" %}: the transition table (rules.TRANSITIONS)."""
    return rules.may_start(action, plan)
