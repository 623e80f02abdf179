"""The demo's patients at Avdelning 14: admissions and their notices (lag 2017:612), made
through the discharge services at their own past moments, like the SIPs' stories."""

from samplan.demo.caseload import AVD14, VC
from samplan.demo.timeline import Cast, Clock
from samplan.discharge import services
from samplan.discharge.models import Admission
from samplan.people.models import Person

HEMTJ_NORRBY = "Hemtjänst Norrby"


def load_demo_admissions(people: dict[str, Person], clock: Clock) -> int:
    """Nils Forsberg, admitted three days ago after a fall, is ready for discharge tomorrow:
    the ward has told Hemtjänst Norrby and Vårdcentralen Åsby, which has appointed his
    designated care contact; the home care has acknowledged the notices."""
    nils = people["nils"]
    if Admission.objects.filter(person=nils).exists():
        return 0
    cast = Cast(people)
    nurse = cast.staff("hanna.wik", AVD14)
    units = [cast.units[HEMTJ_NORRBY], cast.units[VC]]
    with clock.at(-3, 14, 10):
        admission = services.admission_register(
            actor=nurse,
            person=nils,
            admitted_on=clock.day(-3),
            expected_needs=(
                "Höftfraktur efter fall i hemmet. Behöver hemtjänst morgon och kväll, "
                "trygghetslarm och hjälp med läkemedel de första veckorna."
            ),
            units=units,
            reasons=["several_units", "order"],
        )
    with clock.at(-2, 9, 30):
        services.notice_acknowledge(
            actor=cast.staff("lena.ahmadi", HEMTJ_NORRBY), admission=admission
        )
    with clock.at(-2, 11, 0):
        services.care_contact_appoint(
            actor=cast.staff("maria.nilsson", VC),
            admission=admission,
            care_contact=cast.users["maria.nilsson"],
        )
    with clock.at(-1, 10, 15):
        services.admission_inform(
            actor=nurse,
            admission=admission,
            planned_discharge=clock.day(1),
            information="Rullator och toalettförhöjning behövs i hemmet före hemgång.",
        )
    return 1
