"""Plain Swedish for the words of the SIP, explained where they first appear on a Min SIP page.

`{% explain "consent" %}` after a paragraph that uses the word renders one short sentence with
the word as a `<dfn>`, the first time on the page only: later calls render nothing, so a
template may call it in every place the word can first appear (which depends on the plan's
state) without repeating it.
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

register = template.Library()

# term: (the word itself, starting the sentence; what it means, completing the sentence)
TERMS = {
    "consent": (
        pgettext_lazy("term", "Consent"),
        _(
            "means saying yes to those who give the help talking to each other and sharing "
            "information, to make the plan together. A consent can be withdrawn at any time."
        ),
    ),
    "lead": (
        pgettext_lazy("term", "Lead"),
        _(
            "is the person who coordinates the SIP, and whom you can contact first if you "
            "wonder about something."
        ),
    ),
    "overall_responsibility": (
        pgettext_lazy("term", "Overall responsibility"),
        _("means that this organisation sees to it that the plan is made and followed up."),
    ),
    "intervention": (
        pgettext_lazy("term", "Intervention"),
        _("means help or support you get, for example home help or visits from a nurse."),
    ),
    "invitation": (
        pgettext_lazy("term", "Invitation"),
        _("means a message asking you to a meeting, with the day, the time and the place."),
    ),
    "law": (
        pgettext_lazy("term", "SoL and HSL"),
        _(
            "are the social services act and the health and medical services act. They say "
            "that the municipality and the region make a SIP together with you when you need "
            "help from both."
        ),
    ),
}
SEEN = "citizen_terms_explained"


@register.simple_tag(takes_context=True)
def explain(context, term: str) -> str:
    """The term's explanation, the first time it is asked for while rendering this page."""
    word, meaning = TERMS[term]  # an unknown term is a programming error
    # The bottom of the render context lives as long as the page's rendering, includes too.
    seen = context.render_context.dicts[0].setdefault(SEEN, set())
    if term in seen:
        return ""
    seen.add(term)
    return format_html('<p class="term"><dfn>{}</dfn> {}</p>', word, meaning)


@register.filter
def sip_request_accepted(request) -> bool:
    """A request for a SIP from Min SIP was accepted (the SIP is started)."""
    from samplan.citizen.models import SipRequest

    return request.state == SipRequest.State.ACCEPTED


@register.filter
def sip_request_declined(request) -> bool:
    from samplan.citizen.models import SipRequest

    return request.state == SipRequest.State.DECLINED
