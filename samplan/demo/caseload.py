"""The busy unit: Biståndshandläggning Åsby's caseload, some forty SIPs in every state.

Each individual has a need (older people who want to stay at home, a stay in hospital, mental
ill-health, dependence, neuropsychiatric disabilities, a child who stays away from school...).
A need lists what such plans usually hold; each plan takes its own selection from it, by its
place in the list, with the individual's own words and long-term goal beside it, so that no
two plans read alike. Everything is fictional; the identity numbers are in Skatteverket's test
series (980-999), odd for men and even for women.
"""

import collections
from dataclasses import dataclass, field

from samplan.demo.timeline import FollowUp, Story
from samplan.plans.models import Plan, PlanVersion

BUSY = "Biståndshandläggning Åsby"
VC = "Vårdcentralen Åsby"
PSYK = "Psykiatriska kliniken Mälarsjukhuset"
AVD14 = "Avdelning 14 medicin, Mälarsjukhuset"
SOCPSYK = "Socialpsykiatri Åsby"
HEMTJ = "Hemtjänst Åsby"
SKOLA = "Elevhälsan Åsby"
FK = "Försäkringskassan, lokalt försäkringscenter Åsby"

# The unit each caseload initiator works in.
HOME_UNIT = {
    "anna.lind": BUSY,
    "elin.dahl": BUSY,
    "omar.khalil": BUSY,
    "maria.nilsson": VC,
    "karin.ek": AVD14,
    "peter.lund": SKOLA,
}


@dataclass(frozen=True)
class Need:
    """What plans for one kind of need usually hold. `{name}` is the individual's given name."""

    reasons: tuple[str, ...]
    units: tuple[str, ...]  # the units taking part besides the initiator's (and the busy unit)
    goals: tuple[tuple[str, str, str], ...]  # short-term goals: term, text, topic
    interventions: dict[str, tuple[tuple[str, str, str], ...]]  # unit -> (what, topic, how often)
    works_well: tuple[str, ...]
    works_badly: tuple[str, ...]
    questions: tuple[str, ...]
    self_actions: tuple[str, ...]
    summaries: tuple[str, ...]
    answers: tuple[tuple[str, str, str], ...]  # at a follow-up: how, helped or hindered, go on
    later_goals: tuple[tuple[str, str, str], ...]  # goals added at a revision
    place: str
    follow_up_place: str = ""


NEEDS = {
    "hemma": Need(
        reasons=("several_units", "order"),
        units=(HEMTJ, VC),
        goals=(
            (
                "short",
                "Jag vill kunna duscha två gånger i veckan utan att vara rädd för att ramla",
                "physical_health",
            ),
            ("short", "Jag vill veta vem som kommer hem till mig och när", ""),
            (
                "short",
                "Jag vill komma ut på en promenad varje dag när vädret tillåter",
                "physical_health",
            ),
            (
                "short",
                "Jag vill ta mina mediciner rätt utan att behöva ringa min dotter",
                "physical_health",
            ),
            ("short", "Jag vill äta lagad mat varje dag", "physical_health"),
            ("short", "Jag vill kunna ringa någon när jag känner mig ensam", ""),
        ),
        interventions={
            BUSY: (
                ("Trygghetslarm och bedömning av bostadsanpassning i badrummet", "housing", ""),
                ("Beslut om hemtjänst och matdistribution", "", ""),
            ),
            HEMTJ: (
                ("Hjälp med personlig omvårdnad morgon och kväll", "physical_health", "Varje dag"),
                ("Inköp, städning och tvätt", "", "En gång i veckan"),
            ),
            VC: (
                (
                    "Läkemedelsgenomgång hos distriktsläkare",
                    "physical_health",
                    "En gång, sedan vid behov",
                ),
                (
                    "Fysioterapeut tränar balans och gång i hemmet",
                    "physical_health",
                    "Varannan vecka",
                ),
            ),
        },
        works_well=(
            "Grannen tittar in varje morgon.",
            "Jag lagar fortfarande min egen frukost.",
            "Sonen ringer varje kväll och frågar hur dagen har varit.",
        ),
        works_badly=(
            "Jag har ramlat två gånger i badrummet i höst.",
            "Det kommer ny personal hela tiden och jag vet inte vem som ska komma.",
            "Jag glömmer att ta medicinerna på kvällen.",
        ),
        questions=(
            "Kan jag få ett trygghetslarm?",
            "Vem ska jag ringa om hemtjänsten inte kommer?",
            "Får jag behålla samma personal så långt det går?",
        ),
        self_actions=(
            "Dottern handlar på helgerna och följer med på läkarbesök.",
            "Bär larmet på armen hela dagen och säger till om något inte fungerar.",
            "Sonen sköter räkningarna och hjälper till med telefonen.",
        ),
        summaries=(
            "Alla var överens om att stödet i hemmet ska öka och att risken att falla ska minska. Hemtjänsten och vårdcentralen hör av sig till varandra direkt om något förändras.",
            "Vi gick igenom en vanlig dag timme för timme och bestämde vem som hjälper {name} med vad. Larmet beställs samma vecka.",
            "{name} vill bo kvar hemma och alla insatser planeras för det. De anhöriga fortsätter att hjälpa till som i dag.",
        ),
        answers=(
            (
                "Inga nya fall sedan larmet kom på plats, och duschen fungerar med stöd.",
                "Att samma personal kommer morgon och kväll.",
                "Ja, men fysioterapin glesas ut till en gång i månaden.",
            ),
            (
                "Det har gått bättre än väntat. Promenaderna blir av de flesta dagar.",
                "Att distriktssköterskan och hemtjänsten pratar med varandra.",
                "Ja, alla insatser fortsätter som nu.",
            ),
            (
                "Det har varit tungt efter en förkylning, men {name} klarar sig hemma.",
                "Matdistributionen, och att dottern kommer på helgerna.",
                "Ja, och hemtjänsten kommer även mitt på dagen.",
            ),
        ),
        later_goals=(
            ("short", "Jag vill kunna gå till brevlådan själv", "physical_health"),
            ("short", "Jag vill träffa andra pensionärer en gång i veckan", ""),
            ("short", "Jag vill sova hela natten utan att vakna av oro", ""),
        ),
        place="Hemma hos {name}",
    ),
    "utskrivning": Need(
        reasons=("inpatient", "emergency"),
        units=(AVD14, VC, HEMTJ),
        goals=(
            ("short", "Jag vill slippa åka in akut igen", "physical_health"),
            ("short", "Jag vill förstå vad mina mediciner är till för", "physical_health"),
            ("short", "Jag vill orka laga min egen mat", ""),
            ("short", "Jag vill klara trapporna ner till tvättstugan", "physical_health"),
            ("short", "Jag vill kunna sova liggande utan att bli andfådd", "physical_health"),
        ),
        interventions={
            AVD14: (
                (
                    "Samordnad utskrivning med läkemedelslistan till vårdcentralen samma dag",
                    "physical_health",
                    "",
                ),
                ("Utskrivningssamtal med läkare och sjuksköterska", "physical_health", ""),
            ),
            VC: (
                (
                    "Besök på hjärtsviktsmottagningen hos sjuksköterska",
                    "physical_health",
                    "Var tredje vecka",
                ),
                ("Vikt och symtom följs upp per telefon", "physical_health", "Varje vecka"),
            ),
            HEMTJ: (
                ("Hjälp med dosett och måltider", "physical_health", "Varje dag"),
                ("Tillsyn på kvällen de första veckorna hemma", "", "Varje kväll"),
            ),
            BUSY: (
                ("Beslut om hemtjänst efter utskrivningen och korttidsplats vid behov", "", ""),
                ("Trygghetslarm installeras före hemgången", "housing", ""),
            ),
        },
        works_well=(
            "Min sambo är hemma och hjälper mig mycket.",
            "Jag har lätt att prata med sköterskan på avdelningen.",
            "Jag har en bra granne som handlar åt mig.",
        ),
        works_badly=(
            "Jag har legat inne på sjukhus tre gånger sedan i somras.",
            "Jag blir andfådd och orkar inte gå till affären.",
            "Jag vet inte vilka tabletter jag ska ta när.",
        ),
        questions=(
            "Vem ringer jag om jag blir sämre på natten?",
            "Kan jag få hjälp med medicinerna hemma?",
            "Hur länge får jag ha hemtjänst?",
        ),
        self_actions=(
            "Väger sig varje morgon och skriver upp vikten.",
            "Familjen ringer vårdcentralen om det blir sämre.",
            "Går korta promenader i trapphuset varje dag.",
        ),
        summaries=(
            "Avdelningen skickar läkemedelslistan till vårdcentralen samma dag som {name} skrivs ut, och hemtjänsten börjar på kvällen.",
            "Vi gick igenom vad som ska hända de första veckorna hemma och vem {name} ringer om andningen blir sämre.",
            "Alla var överens om att målet är färre akuta besök. Vårdcentralen tar över den medicinska uppföljningen.",
        ),
        answers=(
            (
                "Inga akuta besök sedan utskrivningen. Vikten har varit stabil.",
                "Att sjuksköterskan ringer varje vecka och att dosetten är färdig.",
                "Ja, men tillsynen på kvällen tas bort.",
            ),
            (
                "Ett kort besök på akuten i början, sedan lugnt.",
                "Att läkemedelslistan var rätt från början.",
                "Ja, alla insatser fortsätter.",
            ),
            (
                "{name} orkar mer och lagar mat själv några dagar i veckan.",
                "Träningen och att hemtjänsten har tid.",
                "Ja, med färre besök av hemtjänsten.",
            ),
        ),
        later_goals=(
            ("short", "Jag vill kunna åka till sommarstugan i juni", ""),
            ("short", "Jag vill gå till affären själv en gång i veckan", "physical_health"),
            ("short", "Jag vill kunna sköta dosetten själv", "physical_health"),
        ),
        place="Avdelning 14 medicin, Mälarsjukhuset, dagrummet",
        follow_up_place="Hemma hos {name}",
    ),
    "demens": Need(
        reasons=("several_units", "order"),
        units=(HEMTJ, VC),
        goals=(
            ("short", "Jag vill fortsätta gå till dagverksamheten", ""),
            ("short", "Jag vill kunna gå ut med hunden på förmiddagen", ""),
            ("short", "Jag vill känna igen personalen som kommer", ""),
            ("short", "Jag vill att vi ska orka ha det bra hemma tillsammans", "family"),
            ("short", "Jag vill hitta hem när jag går ut", ""),
        ),
        interventions={
            BUSY: (
                ("Dagverksamhet för personer med demenssjukdom", "", "Tre dagar i veckan"),
                ("Växelvård så att den anhöriga får vila", "family", "En vecka i månaden"),
            ),
            HEMTJ: (
                ("Tillsyn och stöd vid måltider", "", "Två gånger om dagen"),
                ("Hjälp med dusch och påklädning", "physical_health", "Tre gånger i veckan"),
            ),
            VC: (
                ("Uppföljning hos demenssjuksköterska", "physical_health", "Var tredje månad"),
                ("Läkarbedömning av sömn och oro", "mental_health", ""),
            ),
        },
        works_well=(
            "Familjen hjälper mig varje dag.",
            "Dagverksamheten på tisdagar är det bästa i veckan.",
            "Hunden gör att jag kommer ut varje dag.",
        ),
        works_badly=(
            "Jag går upp på natten och vet inte var jag är.",
            "Jag glömmer att äta när jag är ensam.",
            "Min familj är trött och har ingen egen tid.",
        ),
        questions=(
            "Kan jag få komma till dagverksamheten fler dagar?",
            "Vad händer om den som hjälper mig blir sjuk?",
            "Finns det en anhöriggrupp?",
        ),
        self_actions=(
            "Den anhöriga lagar maten och följer med till vårdcentralen.",
            "Dottern kommer varje söndag och går igenom veckan.",
            "Den anhöriga går i anhöriggruppen på onsdagar.",
        ),
        summaries=(
            "Alla var överens om att {name} ska kunna bo kvar hemma och att den anhöriga behöver avlastning.",
            "Dagverksamheten utökas och demenssjuksköterskan följer upp sömnen.",
            "Vi gick igenom vad som fungerar en vanlig vecka och vad som behöver ändras för {name}.",
        ),
        answers=(
            (
                "Dagverksamheten fungerar bra och nätterna har blivit lugnare.",
                "Samma personal och fasta tider.",
                "Ja, och växelvården fortsätter.",
            ),
            (
                "{name} har blivit mer orolig på kvällarna.",
                "Att de anhöriga kan ringa demenssjuksköterskan direkt.",
                "Ja, med tillsyn även på kvällen.",
            ),
            (
                "Det har gått lugnt. Den anhöriga har fått sova bättre.",
                "Växelvården.",
                "Ja, som nu.",
            ),
        ),
        later_goals=(
            ("short", "Jag vill sjunga i kören på dagverksamheten", ""),
            ("short", "Jag vill äta middag hemma tillsammans med min familj varje dag", "family"),
            ("short", "Jag vill vara ute i trädgården i sommar", ""),
        ),
        place="Hemma hos {name}",
    ),
    "depression": Need(
        reasons=("several_units", "passed_around"),
        units=(PSYK, SOCPSYK, FK),
        goals=(
            ("short", "Jag vill orka gå upp och äta frukost varje morgon", "mental_health"),
            ("short", "Jag vill våga åka buss igen", "mental_health"),
            ("short", "Jag vill ha ordning på mina räkningar", "economy"),
            ("short", "Jag vill träffa en vän varje vecka", ""),
            ("short", "Jag vill kunna handla mat utan att få panik", "mental_health"),
            ("short", "Jag vill ha en kväll i veckan för något jag tycker om", ""),
        ),
        interventions={
            BUSY: (
                ("Sysselsättning på Träffpunkten Åsby", "occupation", "Tre förmiddagar i veckan"),
                ("Budget- och skuldrådgivning", "economy", "Varannan vecka"),
            ),
            PSYK: (
                ("Kognitiv beteendeterapi, tolv samtal", "mental_health", "Varje vecka"),
                (
                    "Läkemedelsbehandling med uppföljning hos psykiatriker",
                    "mental_health",
                    "Var sjätte vecka",
                ),
            ),
            SOCPSYK: (
                ("Boendestöd med struktur för vardagen", "", "Två gånger i veckan"),
                ("Stöd att komma i gång med promenader och träning", "", "En gång i veckan"),
            ),
            FK: (
                ("Avstämningsmöte om sjukpenning och rehabilitering", "occupation", ""),
                ("Utredning av arbetsförmåga inför återgång i arbete", "occupation", ""),
            ),
        },
        works_well=(
            "Min syster ringer varje dag.",
            "Jag har en bra relation med min läkare.",
            "Jag tycker om att laga mat när jag orkar.",
        ),
        works_badly=(
            "Jag har inte öppnat min post på flera månader.",
            "Jag sover bara några timmar per natt.",
            "Jag har fått berätta samma sak för många olika personer.",
        ),
        questions=(
            "Vem ska jag prata med när det blir kris?",
            "Hur länge kan jag vara sjukskriven?",
            "Kan alla prata med varandra så att jag slipper upprepa mig?",
        ),
        self_actions=(
            "Går en promenad varje dag, även de tunga dagarna.",
            "Säger till sin kontaktperson när det blir sämre.",
            "Öppnar posten tillsammans med boendestödjaren varje tisdag.",
        ),
        summaries=(
            "{name} berättade om sin vardag. Vi kom överens om vem som gör vad och att boendestödet börjar direkt.",
            "Psykiatrin och Försäkringskassan stämmer av sjukskrivningen tillsammans, så att {name} slipper berätta samma sak två gånger.",
            "Alla var överens om små steg: struktur i vardagen först, sedan arbete.",
        ),
        answers=(
            (
                "{name} sover bättre och går upp på morgnarna de flesta dagar.",
                "Boendestödet och att samtalen blev av varje vecka.",
                "Ja, men terapin avslutas som planerat efter tolv samtal.",
            ),
            (
                "Det har gått upp och ner. Räkningarna är betalda.",
                "Att boendestödjaren och budgetrådgivaren hjälps åt.",
                "Ja, alla insatser fortsätter.",
            ),
            (
                "{name} har börjat arbetsträna tio timmar i veckan.",
                "Avstämningsmötet med Försäkringskassan gav en tydlig plan.",
                "Ja, och arbetsträningen ökar till femton timmar.",
            ),
        ),
        later_goals=(
            ("short", "Jag vill arbetsträna femton timmar i veckan", "occupation"),
            (
                "short",
                "Jag vill kunna gå på mitt barnbarns kalas utan att bli rädd",
                "mental_health",
            ),
            ("long", "Jag vill ha en egen inkomst igen", "economy"),
        ),
        place="Biståndshandläggning Åsby, mötesrum Linden",
    ),
    "beroende": Need(
        reasons=("several_units", "unclear"),
        units=(PSYK, VC),
        goals=(
            ("short", "Jag vill vara nykter i tre månader", "addiction"),
            ("short", "Jag vill betala av min skuld till hyresvärden", "economy"),
            ("short", "Jag vill ha kontakt med mina barn igen", "family"),
            ("short", "Jag vill ha en dag med rutiner, inte bara vänta", ""),
            ("short", "Jag vill gå på alla tider jag har bokat", ""),
            ("short", "Jag vill sova utan att dricka först", "addiction"),
        ),
        interventions={
            BUSY: (
                (
                    "Öppenvård för alkoholberoende, återfallsprevention i grupp",
                    "addiction",
                    "En gång i veckan",
                ),
                ("Stöd i kontakten med hyresvärden och en avbetalningsplan", "housing", ""),
            ),
            PSYK: (
                ("Läkemedel mot alkoholberoende och provtagning", "addiction", "Varannan vecka"),
                ("Bedömning av oro och sömn hos psykiatriker", "mental_health", ""),
            ),
            VC: (
                ("Hälsokontroll av lever och blodtryck", "physical_health", "Var tredje månad"),
                ("Återbesök hos distriktsläkare för magbesvären", "physical_health", ""),
            ),
        },
        works_well=(
            "Jag har varit nykter i två veckor.",
            "Mina AA-möten på torsdagar.",
            "Min bror ställer upp när det är svårt.",
        ),
        works_badly=(
            "Jag riskerar att bli av med lägenheten.",
            "Jag dricker mest när jag är ensam på kvällarna.",
            "Jag har missat flera tider för att jag inte öppnar posten.",
        ),
        questions=(
            "Kan jag få hjälp att prata med hyresvärden?",
            "Vad händer om jag får ett återfall?",
            "Kan vårdcentralen och beroendevården prata med varandra?",
        ),
        self_actions=(
            "Går på AA-möten på torsdagar.",
            "Lämnar prover enligt schemat och ringer om det inte går att komma.",
            "Ringer sin bror när suget blir starkt.",
        ),
        summaries=(
            "{name} vill behålla lägenheten och vara nykter. Öppenvården och psykiatrin samordnar provtagningen.",
            "Vi gick igenom vad som händer vid ett återfall: {name} ringer sin kontaktperson, och ingen insats avslutas för det.",
            "Hyresvärden får en avbetalningsplan, som {name} själv har godkänt.",
        ),
        answers=(
            (
                "{name} har varit nykter sedan förra mötet, med ett kort återfall i början.",
                "Gruppen på torsdagar och att proverna tas på samma ställe.",
                "Ja, alla insatser fortsätter.",
            ),
            (
                "Hyresskulden är halverad och lägenheten är kvar.",
                "Avbetalningsplanen och att någon följde med till hyresvärden.",
                "Ja, men stödet med hyresvärden avslutas.",
            ),
            (
                "Det har varit svårt med flera återfall, men {name} har kommit till alla möten.",
                "Att ingen gav upp och att läkemedlet justerades.",
                "Ja, och provtagningen blir varje vecka en period.",
            ),
        ),
        later_goals=(
            ("short", "Jag vill träffa min dotter varannan helg", "family"),
            ("short", "Jag vill söka ett arbete på deltid", "occupation"),
            ("short", "Jag vill vara nykter hela sommaren", "addiction"),
        ),
        place="Biståndshandläggning Åsby, mötesrum Eken",
    ),
    "npf": Need(
        reasons=("several_units", "unclear"),
        units=(PSYK, SOCPSYK, FK),
        goals=(
            ("short", "Jag vill ha något att göra på dagarna", "occupation"),
            ("short", "Jag vill klara att handla och laga mat själv", ""),
            ("short", "Jag vill få veta om jag har adhd", "mental_health"),
            ("short", "Jag vill komma i tid till saker", ""),
            ("short", "Jag vill vara vaken på dagen och sova på natten", ""),
            ("short", "Jag vill kunna sköta mina papper med lite hjälp", "economy"),
        ),
        interventions={
            BUSY: (
                ("Daglig verksamhet på Åsby verkstad", "occupation", "Fyra dagar i veckan"),
                ("Kontaktperson som följer med på aktiviteter", "", "En gång i veckan"),
            ),
            PSYK: (
                ("Neuropsykiatrisk utredning", "mental_health", ""),
                (
                    "Läkemedelsbehandling för adhd med uppföljning",
                    "mental_health",
                    "Var åttonde vecka",
                ),
            ),
            SOCPSYK: (
                ("Boendestöd med veckoschema och bildstöd", "", "Tre gånger i veckan"),
                ("Stöd att träna på att handla och laga mat", "", "En gång i veckan"),
            ),
            FK: (
                ("Utredning av aktivitetsersättning", "economy", ""),
                ("Samverkan om arbetsträning", "occupation", ""),
            ),
        },
        works_well=(
            "Jag är bra på datorer och spel.",
            "Mamma hjälper mig med papper.",
            "Jag tycker om att vara i verkstaden.",
        ),
        works_badly=(
            "Jag sover på dagen och är vaken på natten.",
            "Jag missar tider för att jag glömmer dem.",
            "Det blir för mycket när många pratar samtidigt.",
        ),
        questions=(
            "Kan jag få påminnelser om tider i telefonen?",
            "Får jag ha med mamma på mötena?",
            "Vad är aktivitetsersättning?",
        ),
        self_actions=(
            "Använder kalendern i telefonen för alla tider.",
            "Mamma hjälper till med ansökningar och post.",
            "Säger till när det blir för mycket på mötet.",
        ),
        summaries=(
            "Mötet hölls kort och med pauser, som {name} ville. Alla skrev ner sin del på tavlan.",
            "{name} vill ha något att göra på dagarna. Utredningen och sysselsättningen startar samtidigt.",
            "Vi kom överens om att alla tider skickas som påminnelser i telefonen.",
        ),
        answers=(
            (
                "{name} går till verkstaden fyra dagar i veckan och trivs.",
                "Veckoschemat och påminnelserna.",
                "Ja, men boendestödet minskas till två gånger i veckan.",
            ),
            (
                "Utredningen är klar och medicineringen har börjat.",
                "Att psykiatrin förklarade resultatet i lugn och ro.",
                "Ja, alla insatser fortsätter.",
            ),
            (
                "Det har varit svårt att komma i tid, men bättre den sista månaden.",
                "Kontaktpersonen.",
                "Ja, och Försäkringskassan beslutar om aktivitetsersättning.",
            ),
        ),
        later_goals=(
            ("short", "Jag vill ta körkort", "occupation"),
            ("short", "Jag vill bo i egen lägenhet utan boendestöd", "housing"),
            ("short", "Jag vill prova en praktikplats", "occupation"),
        ),
        place="Socialpsykiatri Åsby, Träffpunkten",
    ),
    "psykos": Need(
        reasons=("several_units", "order"),
        units=(PSYK, SOCPSYK),
        goals=(
            ("short", "Jag vill ha en vardag med fasta tider", ""),
            ("short", "Jag vill träffa andra människor minst två gånger i veckan", ""),
            ("short", "Jag vill behålla min lägenhet", "housing"),
            ("short", "Jag vill märka i tid när jag börjar bli sjuk", "mental_health"),
            ("short", "Jag vill ha kontakt med min bror igen", "family"),
        ),
        interventions={
            BUSY: (
                ("Utredning av boende med särskild service", "housing", ""),
                ("Sysselsättning på Träffpunkten Åsby", "occupation", "Tre dagar i veckan"),
            ),
            PSYK: (
                ("Case manager och depåinjektion", "mental_health", "Var fjärde vecka"),
                ("Krisplan med tidiga tecken, som alla har en kopia av", "mental_health", ""),
            ),
            SOCPSYK: (
                ("Boendestöd med städning och inköp", "", "Tre gånger i veckan"),
                ("Stöd i kontakten med hyresvärden", "housing", "Vid behov"),
            ),
        },
        works_well=(
            "Min case manager känner mig väl.",
            "Jag tycker om att måla.",
            "Injektionen gör att jag slipper ta tabletter.",
        ),
        works_badly=(
            "Jag isolerar mig när jag blir sämre.",
            "Jag har svårt att hålla ordning hemma.",
            "Grannarna har klagat på ljud på natten.",
        ),
        questions=(
            "Vem märker om jag blir sämre?",
            "Kan jag få fortsätta med samma boendestödjare?",
            "Vad står i krisplanen?",
        ),
        self_actions=(
            "Säger till case managern när rösterna blir starkare.",
            "Går till Träffpunkten på måndagar, onsdagar och fredagar.",
            "Har krisplanen på kylskåpsdörren.",
        ),
        summaries=(
            "{name} vill att boendestödjaren ringer psykiatrin vid tidiga tecken på försämring. Alla fick en kopia av krisplanen.",
            "Psykiatrin och socialpsykiatrin har tät kontakt. {name} behåller samma boendestödjare.",
            "Alla var överens om att vardagen ska ha fasta tider och att lägenheten är det viktigaste just nu.",
        ),
        answers=(
            (
                "{name} har mått stabilt och inte behövt läggas in.",
                "Depåinjektionen och de fasta tiderna på Träffpunkten.",
                "Ja, alla insatser fortsätter.",
            ),
            (
                "En kortare försämring i höstas fångades upp tidigt.",
                "Krisplanen fungerade: boendestödjaren ringde i tid.",
                "Ja, och krisplanen uppdateras.",
            ),
            (
                "Grannarna har inte klagat sedan förra uppföljningen.",
                "Stödet i kontakten med hyresvärden.",
                "Ja, men stödet med hyresvärden avslutas.",
            ),
        ),
        later_goals=(
            ("short", "Jag vill börja i en målargrupp", ""),
            ("short", "Jag vill åka och hälsa på min mamma själv", "family"),
            ("short", "Jag vill laga middag själv tre dagar i veckan", ""),
        ),
        place="Psykiatriska kliniken Mälarsjukhuset, mottagningen plan 3",
    ),
    "smarta": Need(
        reasons=("several_units", "passed_around"),
        units=(VC, FK),
        goals=(
            ("short", "Jag vill ha så lite ont att jag kan sova en hel natt", "physical_health"),
            ("short", "Jag vill kunna arbeta halvtid", "occupation"),
            ("short", "Jag vill orka träna på gymmet två gånger i veckan", "physical_health"),
            ("short", "Jag vill ha en stabil ekonomi under sjukskrivningen", "economy"),
            ("short", "Jag vill kunna gå en timme i skogen", "physical_health"),
        ),
        interventions={
            BUSY: (
                ("Utredning av ekonomiskt bistånd under väntetiden", "economy", ""),
                ("Kontakt med arbetsmarknadsenheten om arbetsträning", "occupation", ""),
            ),
            VC: (
                (
                    "Multimodal smärtrehabilitering",
                    "physical_health",
                    "Två gånger i veckan i tio veckor",
                ),
                ("Fysioterapi och träningsprogram", "physical_health", "Varje vecka"),
            ),
            FK: (
                ("Avstämningsmöte med arbetsgivaren om återgång i arbete", "occupation", ""),
                ("Beslut om sjukpenning och arbetslivsinriktad rehabilitering", "economy", ""),
            ),
        },
        works_well=(
            "Jag har en förstående chef.",
            "Värmen i bassängen hjälper mot smärtan.",
            "Familjen tar hand om det mesta hemma.",
        ),
        works_badly=(
            "Jag har varit sjukskriven i ett år och vet inte vad som händer.",
            "Smärtan gör att jag inte sover.",
            "Pengarna räcker inte när sjukpenningen dröjer.",
        ),
        questions=(
            "Vad händer när sjukpenningen tar slut?",
            "Kan jag arbeta lite och vara sjukskriven resten?",
            "Vem samordnar min rehabilitering?",
        ),
        self_actions=(
            "Gör träningsprogrammet hemma varje dag.",
            "Håller arbetsgivaren informerad om hur det går.",
            "Skriver smärtdagbok inför varje besök.",
        ),
        summaries=(
            "Vi gick igenom sjukskrivningen och rehabiliteringen. Försäkringskassan bokar ett avstämningsmöte med arbetsgivaren.",
            "{name} vill tillbaka till arbetet. Rehabiliteringen startar före arbetsträningen.",
            "Alla var överens om att ekonomin måste lösas först, så att {name} orkar med rehabiliteringen.",
        ),
        answers=(
            (
                "{name} arbetar 25 procent och har mindre ont.",
                "Smärtrehabiliteringen i grupp.",
                "Ja, och arbetstiden ökar till 50 procent.",
            ),
            (
                "Smärtan är densamma, men sömnen är bättre.",
                "Fysioterapin och att ekonomin blev löst.",
                "Ja, alla insatser fortsätter.",
            ),
            (
                "Arbetsträningen har kommit i gång.",
                "Avstämningsmötet med arbetsgivaren.",
                "Ja, men det ekonomiska biståndet avslutas.",
            ),
        ),
        later_goals=(
            ("short", "Jag vill arbeta 50 procent före sommaren", "occupation"),
            ("short", "Jag vill kunna cykla till jobbet", "physical_health"),
            ("short", "Jag vill klara mig utan ekonomiskt bistånd", "economy"),
        ),
        place="Vårdcentralen Åsby, konferensrummet",
    ),
    "stroke": Need(
        reasons=("inpatient", "order"),
        units=(AVD14, VC, HEMTJ),
        goals=(
            ("short", "Jag vill kunna prata i telefon med mina barnbarn", ""),
            ("short", "Jag vill kunna klä på mig själv", "physical_health"),
            ("short", "Jag vill kunna gå ut på balkongen utan hjälp", "physical_health"),
            ("short", "Jag vill kunna läsa tidningen igen", ""),
        ),
        interventions={
            AVD14: (
                (
                    "Strokerehabilitering under vårdtiden och planering inför hemgången",
                    "physical_health",
                    "",
                ),
                ("Genomgång av läkemedlen efter stroken", "physical_health", ""),
            ),
            VC: (
                ("Logoped och arbetsterapeut i hemmet", "physical_health", "Varje vecka"),
                ("Blodtryckskontroll hos distriktssköterska", "physical_health", "Varannan vecka"),
            ),
            HEMTJ: (
                ("Hjälp med påklädning och måltider", "physical_health", "Två gånger om dagen"),
                ("Ledsagning till träningen", "", "En gång i veckan"),
            ),
            BUSY: (
                ("Bostadsanpassning: ramp vid entrén och duschplats", "housing", ""),
                ("Beslut om hemtjänst och trygghetslarm", "", ""),
            ),
        },
        works_well=(
            "Familjen förstår vad jag menar.",
            "Jag kan gå med rollator inomhus.",
            "Barnen kommer ofta.",
        ),
        works_badly=(
            "Jag kan inte duscha själv.",
            "Jag blir trött av att prata.",
            "Trappan vid entrén är för svår.",
        ),
        questions=(
            "När kan bostadsanpassningen vara klar?",
            "Får jag träna hemma?",
            "Kan jag köra bil igen?",
        ),
        self_actions=(
            "Tränar talövningar varje dag tillsammans med familjen.",
            "Går med rollatorn i korridoren morgon och kväll.",
            "Dottern samordnar tiderna i en kalender på kylskåpet.",
        ),
        summaries=(
            "Mötet hölls på avdelningen före hemgången. Bostadsanpassningen beställs och hemtjänsten börjar samma dag som {name} kommer hem.",
            "Logopeden och arbetsterapeuten kommer hem till {name}. Hemtjänsten hjälper till med påklädning tills {name} klarar det själv.",
            "Vi talade långsamt och tog pauser. {name} vill träna hemma, inte på mottagningen.",
        ),
        answers=(
            (
                "{name} klär på sig själv på morgonen och talet har blivit tydligare.",
                "Träningen i hemmet.",
                "Ja, men hjälpen med påklädning tas bort.",
            ),
            (
                "Rampen är på plats och {name} kommer ut varje dag.",
                "Bostadsanpassningen blev klar i tid.",
                "Ja, alla insatser fortsätter.",
            ),
            (
                "Blodtrycket är bra, men tröttheten är kvar.",
                "Att få vila mellan träningspassen.",
                "Ja, med kortare träningspass.",
            ),
        ),
        later_goals=(
            ("short", "Jag vill kunna åka buss till stan", ""),
            ("short", "Jag vill laga frukost själv", "physical_health"),
            ("short", "Jag vill skriva julkort i år", ""),
        ),
        place="Avdelning 14 medicin, Mälarsjukhuset, dagrummet",
        follow_up_place="Hemma hos {name}",
    ),
    "skola": Need(
        reasons=("several_units", "unclear"),
        units=(PSYK, BUSY),
        goals=(
            ("short", "Jag vill gå i skolan minst tre dagar i veckan", "occupation"),
            ("short", "Jag vill kunna somna före elva på kvällen", ""),
            ("short", "Jag vill ha någon att vara med på rasterna", ""),
            ("short", "Jag vill våga säga till när det blir för mycket", "mental_health"),
        ),
        interventions={
            SKOLA: (
                ("Anpassad studiegång och en trygg vuxen på skolan", "occupation", "Varje skoldag"),
                ("Samtal med skolkurator", "mental_health", "Varje vecka"),
            ),
            PSYK: (
                ("Utredning och behandling av ångest", "mental_health", "Varannan vecka"),
                ("Föräldrastöd: hur man hjälper barnet tillbaka till skolan", "family", ""),
            ),
            BUSY: (
                ("Föräldrastöd i grupp", "family", "Sex träffar"),
                ("Kontaktperson på fritiden", "", "Varannan vecka"),
            ),
        },
        works_well=(
            "Jag tycker om matte och att spela fotboll.",
            "Mormor hämtar mig på onsdagar.",
            "Min mentor är snäll.",
        ),
        works_badly=(
            "Jag får ont i magen på morgonen.",
            "Jag har inte varit i skolan på tre veckor.",
            "Jag vet inte vad jag ska göra på rasterna.",
        ),
        questions=(
            "Kan jag börja med några timmar om dagen?",
            "Måste jag vara med på hela mötet?",
            "Vem på skolan kan jag gå till?",
        ),
        self_actions=(
            "Föräldrarna följer med till skolan på morgonen och håller kontakt med mentorn.",
            "Föräldrarna går föräldrastödet och hjälper till med läxorna.",
            "Mamma ringer skolan samma morgon om det inte går.",
        ),
        summaries=(
            "{name} var med i början av mötet och berättade själv vad som är svårt.",
            "Skolan, psykiatrin och socialtjänsten gör en gemensam plan för hur {name} kommer tillbaka till skolan.",
            "Vi kom överens om att börja med korta skoldagar och öka efter hand.",
        ),
        answers=(
            (
                "{name} går i skolan tre dagar i veckan.",
                "Den trygga vuxna på skolan och de korta dagarna.",
                "Ja, och skoldagarna blir längre.",
            ),
            (
                "Det har gått upp och ner, men magont på morgonen har minskat.",
                "Behandlingen för ångest.",
                "Ja, alla insatser fortsätter.",
            ),
            (
                "{name} har fått en kompis i klassen.",
                "Kontaktpersonen på fritiden.",
                "Ja, men föräldrastödet i grupp är avslutat.",
            ),
        ),
        later_goals=(
            ("short", "Jag vill vara med på idrotten", "occupation"),
            ("short", "Jag vill gå på fritids två dagar i veckan", ""),
            ("short", "Jag vill åka på klassresan", ""),
        ),
        place="Åsby skola, elevhälsans rum",
    ),
    "trauma": Need(
        reasons=("several_units", "passed_around"),
        units=(PSYK, VC),
        goals=(
            ("short", "Jag vill kunna sova utan mardrömmar", "mental_health"),
            ("short", "Jag vill lära mig svenska", "occupation"),
            ("short", "Jag vill förstå breven jag får från myndigheter", ""),
            ("short", "Jag vill att mina barn ska ha det bra i skolan", "family"),
            ("short", "Jag vill kunna handla och prata svenska i affären", "occupation"),
        ),
        interventions={
            BUSY: (
                ("Stöd i kontakten med myndigheter, med tolk", "", "Varannan vecka"),
                ("Familjebehandling i hemmet", "family", "En gång i veckan"),
            ),
            PSYK: (
                ("Traumafokuserad behandling med tolk", "mental_health", "Varje vecka"),
                ("Bedömning av sömn och läkemedel", "mental_health", ""),
            ),
            VC: (
                ("Hälsoundersökning och provtagning", "physical_health", ""),
                ("Uppföljning av värk i rygg och nacke", "physical_health", "Var sjätte vecka"),
            ),
        },
        works_well=(
            "Mina barn går i skolan och har kompisar.",
            "Jag har en kusin i Västerås som hjälper mig.",
            "Jag går på SFI på förmiddagarna.",
        ),
        works_badly=(
            "Jag förstår inte breven jag får.",
            "Jag sover dåligt och har ont i kroppen.",
            "Tolken på telefon hörs dåligt.",
        ),
        questions=(
            "Kan jag få samma tolk varje gång?",
            "Vem kan hjälpa mig med breven?",
            "Får jag ta med min kusin på mötet?",
        ),
        self_actions=(
            "Går på SFI fyra förmiddagar i veckan.",
            "Tar med alla brev till mötena.",
            "Håller kontakten med barnens skola.",
        ),
        summaries=(
            "Tolk deltog på plats. {name} berättade själv vad som är viktigast.",
            "Vi gick långsamt igenom vem som gör vad, med tolk. Breven från myndigheterna går {name} igenom tillsammans med handläggaren.",
            "Psykiatrin bokar alltid tolk på plats, inte på telefon, som {name} önskar.",
        ),
        answers=(
            (
                "{name} sover bättre och har kommit i gång med behandlingen.",
                "Att tolken är densamma varje gång.",
                "Ja, alla insatser fortsätter.",
            ),
            (
                "Breven blir lästa och besvarade i tid.",
                "Stödet i kontakten med myndigheterna.",
                "Ja, men stödet kan bli en gång i månaden.",
            ),
            (
                "Barnen har det bättre i skolan.",
                "Familjebehandlingen i hemmet.",
                "Ja, och familjebehandlingen fortsätter till sommaren.",
            ),
        ),
        later_goals=(
            ("short", "Jag vill klara SFI kurs C", "occupation"),
            ("short", "Jag vill ringa själv till Försäkringskassan", ""),
            ("short", "Jag vill gå med i en samtalsgrupp på mitt språk", "mental_health"),
        ),
        place="Biståndshandläggning Åsby, mötesrum Linden",
    ),
}

OPENINGS = (
    "Vi presenterade oss och gick igenom syftet med mötet. {name} började med att berätta vad som är viktigast.",
    "{name} hälsade alla välkomna. Vi kom överens om att mötet får ta en timme, med en paus.",
    "Vi gick igenom samtycket och vilka som är med. {name} ville själv börja berätta.",
)


@dataclass(frozen=True)
class Case:
    """One individual in the busy unit and where his or her SIP stands."""

    key: str
    given: str
    family: str
    born: str  # YYYYMMDD
    serial: str
    need: str
    by: str  # username of the initiator (HOME_UNIT says where)
    stage: str
    age: int  # days since the initiative
    goal: tuple[str, str]  # the long-term goal in his or her own words, and its topic
    own_words: str
    # follow-ups in the history: "continue", "revise" (approved at the meeting), "revise:phone",
    # "revise:min_sip", "revise:" (waiting for the answer), "close:<reason>"
    follow_ups: tuple[str, ...] = ()
    options: dict = field(default_factory=dict)  # any other Story field


def _fu(code: str, n: int, need: Need, name: str) -> FollowUp:
    decision, _sep, rest = code.partition(":")
    answers = tuple(text.format(name=name) for text in need.answers[n % len(need.answers)])
    summary = need.summaries[(n + 1) % len(need.summaries)].format(name=name)
    if decision == "close":
        return FollowUp(
            "close",
            answers=answers,
            closing_reason=rest,
            summary=summary,
            approval="",
        )
    if decision == "revise":
        later = need.later_goals[n % len(need.later_goals)]
        return FollowUp(
            "revise",
            approval=rest if ":" in code else "meeting_oral",
            answers=answers,
            achieved=1,
            new_goal=later,
            summary=summary,
        )
    return FollowUp("continue", answers=answers, summary=summary)


def _pick(items: tuple, n: int, k: int = 0):
    return items[(n + k) % len(items)]


def case_story(n: int, m: int, case: Case) -> Story:
    """The Story of the n-th case, the m-th of its need: its own words and goal, and from its
    need the goals, interventions and words that the cases before it with the same need did
    not take (as long as there are new ones)."""
    need, name = NEEDS[case.need], case.given
    unit = HOME_UNIT[case.by]
    options = dict(case.options)
    units = list(dict.fromkeys([unit, *need.units, BUSY, *options.pop("extra_units", ())]))
    goals = [("long", *case.goal), _pick(need.goals, 2 * m), _pick(need.goals, 2 * m + 1)]
    interventions = [
        (unit_name, *_pick(need.interventions[unit_name], m + k))
        for k, unit_name in enumerate(units)
        if unit_name in need.interventions
    ]
    preparation = {
        "own_words": case.own_words,
        "works_well": _pick(need.works_well, m),
        "works_badly": _pick(need.works_badly, m, 1),
        "questions": _pick(need.questions, m, 2),
    }
    for name_ in ("interpreter_language", "digital_participation", "meeting_place_wish"):
        if name_ in options:
            preparation[name_] = options.pop(name_)
    follow_ups = [_fu(code, m + i, need, name) for i, code in enumerate(case.follow_ups)]
    story = Story(
        person=case.key,
        by=case.by,
        unit=unit,
        units=units,
        stage=case.stage,
        age=case.age,
        reasons=list(need.reasons),
        goals=list(dict.fromkeys(goals)),
        interventions=interventions,
        preparation=preparation,
        self_actions=_pick(need.self_actions, m),
        place=need.place.format(name=name),
        follow_up_place=need.follow_up_place.format(name=name),
        notes=(_pick(OPENINGS, n).format(name=name), _pick(need.summaries, m).format(name=name)),
        approval_method=(
            PlanVersion.Method.MEETING_WRITTEN if n % 3 == 0 else PlanVersion.Method.MEETING_ORAL
        ),
        follow_ups=follow_ups,
        meeting_after=7 + n % 6,
        meeting_hour=(13, 9, 10, 14)[n % 4],
    )
    for key, value in options.items():
        setattr(story, key, value)
    return story


# The caseload. Relatives and guardians are listed in CASELOAD_RELATIONS.
CASES = [
    # Waiting for consent (the agreement: within three days; the last two are late).
    Case("bengt", "Bengt", "Lundqvist", "19470318", "981", "hemma", "elin.dahl", "initiated", 1,
         ("Jag vill bo kvar i lägenheten och klara mig med lite hjälp", "housing"),
         "Att jag får bo kvar hemma, nära Louise och barnbarnen.",
         options={"source": Plan.Source.RELATIVE, "source_detail": "Dottern Louise Lundqvist"}),
    Case("yasmin", "Yasmin", "Haddad", "19960607", "982", "depression", "omar.khalil", "initiated", 2,
         ("Jag vill orka plugga klart till undersköterska", "occupation"),
         "Att jag får hjälp innan allt rasar igen.",
         options={"source": Plan.Source.INDIVIDUAL}),
    Case("stig", "Stig", "Wikström", "19410922", "983", "utskrivning", "anna.lind", "initiated", 5,
         ("Jag vill kunna vara hemma med Gun i vår lägenhet", "housing"),
         "Att slippa ligga på sjukhus över jul.",
         options={"reasons": ["inpatient", "emergency"]}),
    Case("nadia", "Nadia", "Rahimi", "20010214", "984", "npf", "omar.khalil", "initiated", 9,
         ("Jag vill ha ett jobb där jag får jobba i min egen takt", "occupation"),
         "Att någon förstår att jag inte är lat, bara trött.",
         options={"source": Plan.Source.OTHER_ACTOR, "source_detail": "Arbetsförmedlingen Åsby"}),
    # Refused.
    Case("tomas", "Tomas", "Engström", "19710504", "985", "beroende", "elin.dahl", "refused", 16,
         ("Jag vill klara mig själv", ""), "",
         options={"consent_after": 3}),
    # Consent given, no first meeting booked yet (the agreement: within 14 days; Olle is late).
    Case("agneta", "Agneta", "Sjöberg", "19500828", "986", "demens", "elin.dahl", "consented", 4,
         ("Jag vill att vi ska kunna bo kvar i huset tillsammans", "housing"),
         "Att Sven orkar, och att jag får vara hemma.",
         options={"relatives": ["sven"]}),
    Case("dragan", "Dragan", "Jovanović", "19660719", "983", "smarta", "omar.khalil", "consented", 6,
         ("Jag vill tillbaka till mitt jobb som busschaufför", "occupation"),
         "Att jag får ett besked om vad som händer med min sjukskrivning."),
    Case("ida", "Ida", "Nordin", "19990302", "986", "depression", "anna.lind", "consented", 9,
         ("Jag vill klara mina studier på komvux", "occupation"),
         "Att jag slipper ta alla kontakter själv när jag mår dåligt."),
    Case("olle", "Olle", "Danielsson", "19580127", "985", "beroende", "anna.lind", "consented", 19,
         ("Jag vill behålla min lägenhet och vara nykter", "addiction"),
         "Att jag får en ärlig chans till.",
         options={"exclusions": "Mina tidigare domar ska inte tas upp."}),
    # Consent given and the first meeting booked.
    Case("margareta", "Margareta", "Hellström", "19400605", "980", "utskrivning", "karin.ek", "invited", 9,
         ("Jag vill komma hem till min lägenhet och klara mig där", "housing"),
         "Att jag får komma hem och att någon tittar till mig på kvällen.",
         options={"consent_after": 1, "meeting_in": 2, "unanswered": True, "lead": "elin.dahl"}),
    Case("rasmus", "Rasmus", "Åberg", "20030911", "981", "npf", "omar.khalil", "invited", 12,
         ("Jag vill flytta hemifrån och klara det", "housing"),
         "Att mötet inte blir för långt och att mamma får vara med.",
         options={"moved_from": 4, "meeting_in": 6}),
    Case("zeynep", "Zeynep", "Demir", "19780420", "984", "trauma", "elin.dahl", "invited", 10,
         ("Jag vill känna mig hemma i Sverige", ""),
         "Att jag får tala turkiska med en tolk som jag litar på.",
         options={"meeting_in": 9, "interpreter_language": "turkiska",
                  "meeting_place_wish": "Gärna en tolk på plats, inte på telefon."}),
    Case("hugo", "Hugo", "Blom", "20140310", "983", "skola", "peter.lund", "invited", 14,
         ("Jag vill gå i skolan som alla andra", "occupation"),
         "Att skolan förstår att jag inte gör det med flit.",
         options={"meeting_in": 4, "child_view": "Hugo vill inte att hela klassen ska få veta."}),
    Case("lennart", "Lennart", "Isaksson", "19440203", "985", "stroke", "karin.ek", "invited", 11,
         ("Jag vill kunna prata med min fru igen utan att hon måste gissa", ""),
         "Att komma hem och att huset fungerar för mig nu.",
         options={"meeting_in": 5, "consent_after": 1}),
    Case("siv", "Siv", "Fransson", "19370814", "980", "hemma", "maria.nilsson", "invited", 8,
         ("Jag vill fira min nittioårsdag hemma", "housing"),
         "Att jag får vara kvar i mitt hus med mina minnen.",
         options={"meeting_in": 12}),
    # Established.
    Case("selma", "Selma", "Hägg", "20120925", "984", "skola", "peter.lund", "active", 65,
         ("Jag vill kunna vara i klassrummet hela lektioner", "occupation"),
         "Att lärarna vet vad som hjälper mig.",
         options={"next_follow_up": 20,
                  "child_view": "Selma vill sitta längst fram och ha hörlurar när det är stökigt.",
                  "messages": [(6, "comment", "Selma har haft en bra vecka och vill berätta om det på nästa möte.", None)]}),
    Case("britt", "Britt", "Hermansson", "19450130", "982", "hemma", "maria.nilsson", "active", 40,
         ("Jag vill klara mig hemma efter min höftoperation", "physical_health"),
         "Att jag blir stark nog att gå ut själv till våren.",
         options={"next_follow_up": 35}),
    Case("fredrik", "Fredrik", "Sandström", "19840915", "983", "depression", "anna.lind", "active", 55,
         ("Jag vill kunna vara en bra pappa varannan vecka", "family"),
         "Att jag orkar med barnen när de är hos mig.",
         options={"next_follow_up": 2,
                  "messages": [(8, "change", "Jag behöver också hjälp att hitta en lägenhet med ett rum till, så att barnen kan sova hos mig.", 2)]}),
    Case("hanna", "Hanna", "Mattsson", "19920408", "980", "npf", "omar.khalil", "active", 70,
         ("Jag vill bo kvar i min lägenhet med mina katter", "housing"),
         "Att få vara med digitalt, hemifrån.",
         options={"next_follow_up": 5, "video": True, "digital_participation": True,
                  "messages": [(3, "comment", "Kan nästa möte också vara digitalt? Det fungerade bra.", None)]}),
    Case("ibrahim", "Ibrahim", "Hakimi", "19750101", "985", "trauma", "elin.dahl", "active", 80,
         ("Jag vill arbeta som elektriker igen, som jag gjorde i Afghanistan", "occupation"),
         "Att mina barn får en trygg uppväxt och att jag får sova.",
         options={"next_follow_up": -6, "interpreter_language": "dari"}),
    Case("kerstin", "Kerstin", "Ström", "19480507", "984", "demens", "elin.dahl", "active", 100,
         ("Jag vill bo hemma med Ulf så länge det går", "housing"),
         "Att Ulf får vila ibland, han gör så mycket.",
         follow_ups=("continue",),
         options={"relatives": ["ulf"], "last_follow_up": 20, "next_follow_up": 70}),
    Case("mats", "Mats", "Berggren", "19690226", "981", "beroende", "anna.lind", "active", 120,
         ("Jag vill ha ett nyktert liv och träffa mina barn", "addiction"),
         "Att inte behöva skämmas när jag träffar mina barn.",
         follow_ups=("revise",),
         options={"last_follow_up": 35, "next_follow_up": 3,
                  "messages": [(12, "comment", "Jag har fått ett nytt telefonnummer. Kan ni ringa i stället för att skicka brev?", 1)]}),
    Case("josefin", "Josefin", "Wallin", "19900918", "988", "depression", "anna.lind", "active", 75,
         ("Jag vill känna mig trygg i min nya lägenhet", "housing"),
         "Att jag och barnen får en lugn vardag på den nya adressen.",
         options={"next_follow_up": 25, "extra_units": (VC,),
                  "place": "Biståndshandläggning Åsby, samtalsrummet",
                  "grant": (VC, "Hembesök och provtagning i hemmet")}),
    Case("gustav", "Gustav", "Lindqvist", "19610514", "983", "smarta", "omar.khalil", "active", 150,
         ("Jag vill kunna gå på fiske med mitt barnbarn i sommar", "physical_health"),
         "Att någon tar ett helhetsgrepp om min smärta och min ekonomi.",
         follow_ups=("continue",),
         options={"last_follow_up": 60, "next_follow_up": -12,
                  "join": ("johan.berg", PSYK, 3),
                  "declines": {FK: "Vi kan inte komma den dagen. Ett skriftligt underlag om sjukpenningen skickas före mötet."}}),
    Case("vera", "Vera", "Eklund", "19550402", "980", "stroke", "elin.dahl", "active", 130,
         ("Jag vill kunna måla akvarell igen", ""),
         "Att få komma hem till mitt eget, med hjälp.",
         follow_ups=("revise:min_sip",),
         options={"last_follow_up": 40, "next_follow_up": 50}),
    Case("emil", "Emil", "Björk", "20000620", "985", "psykos", "anna.lind", "active", 200,
         ("Jag vill ha ett eget liv med en egen lägenhet och ett jobb", "housing"),
         "Att samma personer finns kvar omkring mig.",
         follow_ups=("continue", "revise:phone"),
         options={"last_follow_up": 30, "next_follow_up": 60, "lead": "johan.berg"}),
    Case("malin", "Malin", "Söderberg", "19820811", "986", "depression", "omar.khalil", "active", 45,
         ("Jag vill kunna arbeta som förskollärare igen", "occupation"),
         "Att jag inte behöver jaga alla själv.",
         options={"next_follow_up": 6}),
    Case("arvid", "Arvid", "Öberg", "19361105", "981", "utskrivning", "karin.ek", "active", 60,
         ("Jag vill klara mig hemma i min lägenhet vid torget", "housing"),
         "Att jag inte blir en börda för någon.",
         options={"next_follow_up": 30, "lead": "elin.dahl", "consent_after": 1}),
    Case("inger", "Inger", "Axelsson", "19420317", "982", "hemma", "elin.dahl", "active", 250,
         ("Jag vill ha det som förr, med kaffe och grannar", ""),
         "Att jag slipper flytta till ett boende.",
         follow_ups=("continue", "continue"),
         options={"last_follow_up": 45, "next_follow_up": -20}),
    Case("amina", "Amina", "Warsame", "19950708", "997", "trauma", "anna.lind", "active", 90,
         ("Jag vill utbilda mig till tandsköterska", "occupation"),
         "Att jag förstår allt som sägs, på somaliska.",
         options={"next_follow_up": 15, "interpreter_language": "somaliska"}),
    Case("pontus", "Pontus", "Nyström", "19970129", "983", "npf", "omar.khalil", "active", 35,
         ("Jag vill ha ett jobb med djur", "occupation"),
         "Att få göra saker i min egen takt.",
         options={"next_follow_up": 45}),
    Case("gunilla", "Gunilla", "Jonsson", "19540722", "984", "beroende", "elin.dahl", "active", 180,
         ("Jag vill kunna vara med på mina barnbarns födelsedagar, nykter", "addiction"),
         "Att jag slipper skämmas inför min familj.",
         follow_ups=("continue",),
         options={"last_follow_up": 70, "next_follow_up": 10,
                  "exclusions": "Min ekonomi ska inte diskuteras med vårdcentralen."}),
    # Under follow-up: the follow-up meeting is booked.
    Case("sixten", "Sixten", "Lindgren", "19430604", "985", "stroke", "anna.lind", "follow_up", 110,
         ("Jag vill kunna köra ut till sommarstället igen", ""),
         "Att jag får träna, och att det syns att jag blir bättre.",
         options={"follow_up_booked": 6, "next_follow_up": 4}),
    Case("sanna", "Sanna", "Bergström", "19881201", "980", "depression", "omar.khalil", "follow_up", 140,
         ("Jag vill tycka om mitt liv igen", "mental_health"),
         "Att någon ser hela mig, inte bara sjukskrivningen.",
         follow_ups=("continue",),
         options={"last_follow_up": 80, "follow_up_booked": 5, "next_follow_up": 8}),
    Case("viktor", "Viktor", "Kovačević", "19790909", "981", "beroende", "elin.dahl", "follow_up", 95,
         ("Jag vill vara nykter och ha ett jobb", "addiction"),
         "Att jag har någon att ringa när det är svårt.",
         options={"follow_up_booked": 3, "next_follow_up": 2}),
    Case("rut", "Rut", "Sundqvist", "19330419", "982", "demens", "maria.nilsson", "follow_up", 210,
         ("Jag vill få vara hemma med mina blommor", "housing"),
         "Att Annika vet att jag har det bra.",
         follow_ups=("continue",),
         options={"relatives": ["annika"], "last_follow_up": 100, "follow_up_booked": 10,
                  "next_follow_up": 6}),
    # A new version sent to the individual, waiting for the answer.
    Case("jakob", "Jakob", "Hellberg", "19870315", "983", "psykos", "anna.lind", "revision", 160,
         ("Jag vill kunna arbeta några timmar i veckan", "occupation"),
         "Att jag får vara med och bestämma.",
         follow_ups=("revise:",),
         options={"last_follow_up": 4, "next_follow_up": 90}),
    Case("elsie", "Elsie", "Bäckström", "19380110", "986", "hemma", "elin.dahl", "revision", 130,
         ("Jag vill klara mig hemma med katten Greta", ""),
         "Att samma personal kommer och att de har tid att prata.",
         follow_ups=("revise:",),
         options={"last_follow_up": 9, "next_follow_up": 80}),
    Case("tobias", "Tobias", "Ekström", "19930827", "985", "npf", "omar.khalil", "revision", 220,
         ("Jag vill ha en egen lägenhet nära pendeltåget", "housing"),
         "Att det är tydligt vem som gör vad.",
         follow_ups=("continue", "revise:"),
         options={"last_follow_up": 2, "next_follow_up": 100}),
    Case("karolina", "Karolina", "Strömberg", "19760613", "980", "smarta", "anna.lind", "revision", 180,
         ("Jag vill kunna arbeta på heltid igen", "occupation"),
         "Att jag får tillbaka min vardag.",
         follow_ups=("revise:",),
         options={"last_follow_up": 12, "next_follow_up": 75}),
    # Closed.
    Case("sven_erik", "Sven-Erik", "Holmberg", "19490808", "981", "utskrivning", "anna.lind", "closed", 300,
         ("Jag vill kunna sköta mig själv hemma", "physical_health"),
         "Att jag slipper åka in och ut från sjukhuset.",
         follow_ups=("continue", "close:works"),
         options={"last_follow_up": 50}),
    Case("emma", "Emma", "Lindholm", "19850425", "982", "depression", "omar.khalil", "closed", 210,
         ("Jag vill må bra och arbeta igen", "mental_health"),
         "Att jag blir frisk och kan gå tillbaka till jobbet.",
         follow_ups=("close:not_needed",),
         options={"last_follow_up": 30}),
    Case("daniel", "Daniel", "Aho", "19900703", "983", "beroende", "elin.dahl", "closed", 150,
         ("Jag vill vara drogfri", "addiction"),
         "Att jag får bestämma själv vilka som är med.",
         options={"closed": (60, Plan.ClosingReason.CONSENT_WITHDRAWN,
                             "Vill ha kontakt med öppenvården direkt, utan samordnad plan."),
                  "next_follow_up": -40}),
    Case("asa", "Åsa", "Wiklund", "19681016", "984", "smarta", "omar.khalil", "closed", 170,
         ("Jag vill kunna arbeta utan att ha ont", "occupation"),
         "Att alla pratar med varandra och inte om mig.",
         options={"closed": (40, Plan.ClosingReason.MOVED,
                             "Har flyttat till Uppsala och tar själv med planen till sina nya kontakter."),
                  "next_follow_up": -10}),
]  # fmt: skip

# People with protected identity (skyddade personuppgifter) in the caseload.
PROTECTED = {"josefin"}

# The relatives and guardians in the caseload, and how they are related.
CASELOAD_RELATIVES = [
    # key, given, family, born, serial
    ("louise", "Louise", "Lundqvist", "19750512", "986"),
    ("sven", "Sven", "Sjöberg", "19480111", "989"),
    ("therese", "Therese", "Blom", "19830716", "982"),
    ("patrik", "Patrik", "Hägg", "19800412", "981"),
    ("jenny", "Jenny", "Hägg", "19820623", "986"),
    ("ulf", "Ulf", "Ström", "19460311", "983"),
    ("annika", "Annika", "Sundqvist", "19620830", "984"),
]
# individual, related, kind, description
CASELOAD_RELATIONS = [
    ("bengt", "louise", "relative", "dotter"),
    ("agneta", "sven", "relative", "make"),
    ("hugo", "therese", "guardian", "mamma"),
    ("selma", "patrik", "guardian", "pappa"),
    ("selma", "jenny", "guardian", "mamma"),
    ("kerstin", "ulf", "relative", "make"),
    ("rut", "annika", "relative", "dotter"),
]


def caseload_stories() -> list[Story]:
    stories, seen = [], collections.Counter()
    for n, case in enumerate(CASES):
        stories.append(case_story(n, seen[case.need], case))
        seen[case.need] += 1
    return stories
