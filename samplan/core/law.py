"""The legal references Samplan cites, with the dates they are valid, in one table.

Every page, PDF and message takes its citation from here for the day in question
(`cite(topic, day)`), so that the text changes when the law does and nothing prints a repealed
provision for a current plan. A provision whose chapter and paragraph could not be checked
against the statute's text is cited by the law's name alone (`place` empty, `verified` False)
until someone checks it and fills it in: docs/domain.md says how.

Sources: SFS 2009:981 (SoL 2001:453 2 kap. 7 §, in force 2010-01-01; the plan's required
content is its third stycke); SFS 2025:400, the new socialtjänstlag, in force 2025-07-01
(prop. 2024/25:89), which carries the duty over; HSL 2017:30 16 kap. 4 § (same wording as the
old SoL paragraph); lag 2017:612 on discharge from inpatient care; föräldrabalken 6 kap. for
guardians; OSL 2009:400 for secrecy; patientdatalagen 2008:355 4 kap. 3 § and HSLF-FS 2016:40
for the access log.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

Date = datetime.date


@dataclass(frozen=True)
class Reference:
    topic: str
    law: str  # the law's Swedish name with its SFS number, as it is cited
    short: str  # the usual abbreviation
    place: str = ""  # chapter and paragraph (and stycke), empty when not verified
    valid_from: Date | None = None
    valid_to: Date | None = None  # the last day it applied
    verified: bool = True

    def applies_on(self, day: Date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    @property
    def citation(self) -> str:
        """'2 kap. 7 § socialtjänstlagen (2001:453)', or the law alone when not verified."""
        return f"{self.place} {self.law}" if self.place else self.law

    @property
    def short_citation(self) -> str:
        """'SoL 2 kap. 7 §', or 'socialtjänstlagen (2025:400)' when the place is not verified
        (an abbreviation alone would not tell which socialtjänstlag)."""
        return f"{self.short} {self.place}" if self.place else self.law


REFERENCES: tuple[Reference, ...] = (
    # The duty to make a SIP, and what the plan must say (social services).
    Reference(
        "sip_social_services",
        "socialtjänstlagen (2001:453)",
        "SoL",
        "2 kap. 7 §",
        valid_from=Date(2010, 1, 1),
        valid_to=Date(2025, 6, 30),
    ),
    Reference(
        "sip_content_social_services",
        "socialtjänstlagen (2001:453)",
        "SoL",
        "2 kap. 7 § tredje stycket",
        valid_from=Date(2010, 1, 1),
        valid_to=Date(2025, 6, 30),
    ),
    # The new socialtjänstlag carries the duty over; its chapter and paragraph for SIP have
    # not been checked against the statute's text here, so it is cited by name only.
    Reference(
        "sip_social_services",
        "socialtjänstlagen (2025:400)",
        "SoL",
        valid_from=Date(2025, 7, 1),
        verified=False,
    ),
    Reference(
        "sip_content_social_services",
        "socialtjänstlagen (2025:400)",
        "SoL",
        valid_from=Date(2025, 7, 1),
        verified=False,
    ),
    # The same duty and content for health care.
    Reference(
        "sip_health_care",
        "hälso- och sjukvårdslagen (2017:30)",
        "HSL",
        "16 kap. 4 §",
        valid_from=Date(2017, 4, 1),
    ),
    Reference(
        "sip_content_health_care",
        "hälso- och sjukvårdslagen (2017:30)",
        "HSL",
        "16 kap. 4 § tredje stycket",
        valid_from=Date(2017, 4, 1),
    ),
    # A SIP after discharge from inpatient care.
    Reference(
        "discharge",
        "lagen (2017:612) om samverkan vid utskrivning från sluten hälso- och sjukvård",
        "LUS",
        valid_from=Date(2018, 1, 1),
        verified=False,
    ),
    # Guardians decide for a child, together when there are two.
    Reference("guardians", "föräldrabalken (1949:381)", "FB", "6 kap. 11 och 13 §§"),
    # Secrecy in social services and in health care.
    Reference(
        "secrecy",
        "offentlighets- och sekretesslagen (2009:400)",
        "OSL",
        "25 kap. 1 § och 26 kap. 1 §",
        valid_from=Date(2009, 6, 30),
    ),
    # Logging and checking who read a patient's record.
    Reference(
        "access_log",
        "patientdatalagen (2008:355)",
        "PDL",
        "4 kap. 3 §",
        valid_from=Date(2008, 7, 1),
    ),
)


def cite(topic: str, day: Date | None = None) -> Reference:
    """The reference for a topic on a day (today by default). Exactly one applies."""
    day = day or timezone.localdate()
    found = [r for r in REFERENCES if r.topic == topic and r.applies_on(day)]
    if len(found) != 1:
        raise LookupError(f"{len(found)} references for {topic!r} on {day}")
    return found[0]


def sip_basis(day: Date | None = None) -> str:
    """The SIP's legal basis on a day, in short form: 'SoL 2 kap. 7 § och HSL 16 kap. 4 §'
    until 2025-06-30, 'socialtjänstlagen (2025:400) och HSL 16 kap. 4 §' from 2025-07-01."""
    social = cite("sip_social_services", day).short_citation
    health = cite("sip_health_care", day).short_citation
    return _("%(social)s and %(health)s") % {"social": social, "health": health}
