"""`{% evaluation_card %}`: the card on the Min SIP start page asking the citizen to evaluate
the SIP, for each of his or her open requests (at most five)."""

from django import template
from django.utils.translation import gettext as _

from samplan.core import dates
from samplan.evaluation import services
from samplan.evaluation.models import Occasion

register = template.Library()


def _link_text(asked) -> str:
    day = dates.day(asked.asked_on)
    if asked.occasion == Occasion.ESTABLISHED:
        return _("Answer: the plan made on %(day)s") % {"day": day}
    return _("Answer: the follow-up on %(day)s") % {"day": day}


@register.inclusion_tag("evaluation/_card.html", takes_context=True)
def evaluation_card(context) -> dict:
    request = context.get("request")
    actor = getattr(request, "actor", None)
    return {"requests": [(r, _link_text(r)) for r in services.open_requests(actor)[:5]]}
