"""Swedish names and plan texts for the national-scale world: everything is fictional."""

# Given names by sex and generation (born before 1960, 1960-1989, 1990 and later).
MALE = {
    "old": ["Karl", "Lars", "Bengt", "Sven", "Göran", "Kjell", "Rolf", "Lennart", "Bo",
            "Stig", "Leif", "Åke", "Ingvar", "Gunnar", "Hans", "Olle", "Bertil", "Sture",
            "Kurt", "Arne", "Rune", "Erik", "Nils", "Gösta", "Per"],
    "mid": ["Anders", "Johan", "Mikael", "Peter", "Thomas", "Daniel", "Fredrik", "Magnus",
            "Stefan", "Jonas", "Mattias", "Andreas", "Martin", "Patrik", "Henrik", "Niklas",
            "Tobias", "Jimmy", "Marcus", "Robert", "Ali", "Mohammed", "Ahmed", "Dragan",
            "Mehmet", "Juha", "Tomasz"],
    "young": ["William", "Liam", "Noah", "Hugo", "Lucas", "Oliver", "Elias", "Alexander",
              "Adam", "Leo", "Viktor", "Filip", "Emil", "Isak", "Axel", "Oscar", "Theo",
              "Melvin", "Ludvig", "Omar", "Yusuf", "Mohamed", "Ibrahim", "Elvin", "Sixten",
              "Nils", "Vincent", "Albin"],
}  # fmt: skip
FEMALE = {
    "old": ["Anna", "Margareta", "Elisabeth", "Kerstin", "Birgitta", "Ingrid", "Gunilla",
            "Britt", "Ulla", "Barbro", "Inger", "Marianne", "Gun", "Siv", "Karin", "Elsa",
            "Maj", "Astrid", "Märta", "Ingegerd", "Solveig", "Berit", "Gudrun", "Lena"],
    "mid": ["Maria", "Sara", "Johanna", "Emma", "Linda", "Jessica", "Camilla", "Anna",
            "Malin", "Jenny", "Sofia", "Therese", "Helena", "Susanne", "Annika", "Petra",
            "Karolina", "Fatima", "Amina", "Leyla", "Mirja", "Agnieszka", "Jelena", "Hanna"],
    "young": ["Alice", "Maja", "Vera", "Ella", "Wilma", "Alma", "Elsa", "Ebba", "Olivia",
              "Saga", "Astrid", "Selma", "Freja", "Agnes", "Signe", "Nova", "Ellen", "Lilly",
              "Tilde", "Molly", "Klara", "Moa", "Amira", "Sara", "Hiba", "Liv"],
}  # fmt: skip
FAMILY = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
    "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Olofsson", "Lindström",
    "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lind", "Lundgren",
    "Lundqvist", "Mattsson", "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Forsberg",
    "Sjöberg", "Wallin", "Ali", "Engström", "Mohamed", "Eklund", "Danielsson", "Lundin",
    "Håkansson", "Björk", "Bergman", "Gunnarsson", "Holm", "Wikström", "Samuelsson",
    "Isaksson", "Fransson", "Bergqvist", "Nyström", "Holmberg", "Arvidsson", "Löfgren",
    "Söderberg", "Nyberg", "Blomqvist", "Claesson", "Nordström", "Mårtensson", "Lundström",
    "Ahmed", "Viklund", "Björklund", "Eliasson", "Pålsson", "Hassan", "Berggren",
    "Sandström", "Lund", "Nordin", "Ström", "Åberg", "Hermansson", "Ekström", "Falk",
    "Holmgren", "Dahlberg", "Hellström", "Hedlund", "Sundberg", "Sjögren", "Ek", "Blom",
    "Abrahamsson", "Martinsson", "Öberg", "Andreasson", "Strömberg", "Månsson", "Hansen",
    "Åkesson", "Dahl", "Lindholm", "Norberg", "Holmqvist", "Yilmaz", "Nowak", "Mäkinen",
    "Kovačević", "Hussein", "Abdi", "Warsame", "Nguyen", "Rahimi", "Khalil", "Korhonen",
]  # fmt: skip

STREETS = [
    "Storgatan", "Drottninggatan", "Kungsgatan", "Skolgatan", "Järnvägsgatan", "Parkvägen",
    "Björkvägen", "Ekvägen", "Tallvägen", "Granvägen", "Lärkvägen", "Sjövägen", "Kyrkogatan",
    "Ringvägen", "Industrigatan", "Ängsvägen", "Backvägen", "Solvägen", "Idrottsvägen",
    "Nygatan", "Västra vägen", "Östra Långgatan", "Hantverkargatan", "Smedjegatan",
    "Trädgårdsgatan", "Villavägen", "Bruksgatan", "Allégatan", "Lindvägen", "Rönnvägen",
]  # fmt: skip

DISTRICTS = [
    "Centrum", "Norr", "Söder", "Öster", "Väster", "Sjöstaden", "Ekhagen", "Björkhagen",
    "Lindö", "Ängby", "Hagaberg", "Strandängen", "Kvarnbacken", "Torget", "Solbacken",
    "Brunnsparken", "Stationen", "Hamnen", "Skogsbacken", "Åsen", "Ekdalen", "Slottsstaden",
    "Fridhem", "Bergsjön", "Rosengård", "Vallby", "Gamlestan", "Nyhem", "Hertig",
    "Furulund", "Tallbacken", "Berga", "Liljeholmen", "Viksjö", "Mariedal", "Kungsängen",
]  # fmt: skip

RELATIVE_WORDS = {
    "old": ["dotter", "son", "make", "maka", "sambo"],
    "mid": ["mamma", "pappa", "syster", "bror", "sambo", "make", "maka"],
    "young": ["mamma", "pappa", "syster", "bror", "mormor", "farmor"],
}

LANGUAGES = ["arabiska", "somaliska", "persiska", "tigrinja", "polska", "bosniska", "finska",
             "dari", "turkiska", "kurdiska (sorani)"]  # fmt: skip

# What the individual says at the preparation, by kind of need.
OWN_WORDS = {
    "psychiatry": [
        "Att jag slipper berätta samma sak för alla.",
        "Att någon håller ihop allt och att jag vet vem jag ska ringa.",
        "Att få sova, ha en vardag och kanske jobba lite igen.",
        "Att jag får vara med och bestämma om min egen behandling.",
    ],
    "elderly": [
        "Att kunna bo kvar hemma så länge det går.",
        "Att min dotter inte ska behöva samordna allt själv.",
        "Att jag känner mig trygg på nätterna.",
        "Att kunna gå till affären och träffa vänner.",
    ],
    "addiction": [
        "Att hålla mig nykter och ha ett eget boende.",
        "Att få ordning på ekonomin och träffa mina barn.",
        "Att alla drar åt samma håll.",
    ],
    "child": [
        "Att skolan och vården pratar med varandra.",
        "Att jag får gå i skolan och ha kompisar.",
        "Att mamma och pappa inte behöver gå på så många möten.",
        "Att jag får vara med och säga vad jag tycker.",
    ],
    "disability": [
        "Att jag har en egen lägenhet och ett jobb jag trivs med.",
        "Att stödet kommer på de tider jag behöver det.",
        "Att slippa söka samma sak hos flera myndigheter.",
    ],
}
WORKS_WELL = [
    "Kontakten med boendestödjaren fungerar bra.",
    "Jag har bra stöd från min familj.",
    "Medicinerna hjälper.",
    "Hemtjänsten kommer i tid.",
    "Skolan har anpassat schemat.",
]
WORKS_BADLY = [
    "Jag får olika besked från olika håll.",
    "Det tar lång tid att få svar.",
    "Jag vet inte vem jag ska ringa när det blir svårt.",
    "Nätterna är jobbiga.",
    "Det har blivit många akutbesök.",
]
QUESTIONS = [
    "Vem är min kontaktperson?",
    "Kan jag få hjälp med ansökan till Försäkringskassan?",
    "Hur länge ska insatserna pågå?",
    "Kan vi ha mötet hemma hos mig?",
    "",
]
SELF_ACTIONS = [
    "Går på alla möten och säger till om något inte fungerar.",
    "Tar medicinerna enligt ordination och för dagbok över sömnen.",
    "Dottern följer med på läkarbesöken.",
    "Vårdnadshavarna håller kontakten med skolan varje vecka.",
    "Promenerar varje dag och handlar själv med stöd.",
]

GOALS = {
    "psychiatry": [
        ("long", "Jag vill ha ett eget jobb igen"),
        ("long", "Jag vill må bättre och klara vardagen själv"),
        ("short", "Jag vill sova bättre"),
        ("short", "Jag vill komma ut och gå en promenad varje dag"),
        ("short", "Jag vill veta vem jag ska ringa när det blir svårt"),
        ("long", "Jag vill ha kontakt med mina vänner igen"),
    ],
    "elderly": [
        ("long", "Jag vill bo kvar i mitt hus"),
        ("short", "Jag vill kunna gå till affären själv"),
        ("short", "Jag vill inte falla igen"),
        ("long", "Jag vill känna mig trygg hemma"),
        ("short", "Jag vill äta bättre och gå upp i vikt"),
    ],
    "addiction": [
        ("long", "Jag vill vara drogfri"),
        ("long", "Jag vill ha ett eget boende"),
        ("short", "Jag vill ha ordning på min ekonomi"),
        ("short", "Jag vill träffa mina barn varannan helg"),
        ("short", "Jag vill ha en sysselsättning på dagarna"),
    ],
    "child": [
        ("long", "Jag vill gå i skolan varje dag"),
        ("short", "Jag vill ha en kompis på rasten"),
        ("short", "Jag vill orka med läxorna"),
        ("long", "Jag vill må bra hemma och i skolan"),
        ("short", "Jag vill ha en fritidsaktivitet"),
    ],
    "disability": [
        ("long", "Jag vill ha ett arbete som passar mig"),
        ("short", "Jag vill lära mig åka buss själv"),
        ("long", "Jag vill bo i en egen lägenhet"),
        ("short", "Jag vill ha en fast struktur för veckan"),
    ],
}

# Interventions by the responsible unit's kind: (what, how often).
INTERVENTIONS = {
    "needs_assessment": [
        ("Utredning av behov av hemtjänst", ""),
        ("Beslut om trygghetslarm", ""),
        ("Ansökan om korttidsboende", ""),
        ("Handläggning av ansökan om särskilt boende", ""),
    ],
    "social_psychiatry": [
        ("Boendestöd", "två gånger i veckan"),
        ("Plats på träfflokal", "måndag till fredag"),
        ("Stöd i kontakt med myndigheter", "vid behov"),
        ("Sysselsättning med stöd", "tre dagar i veckan"),
    ],
    "home_care": [
        ("Hjälp med dusch och personlig hygien", "två gånger i veckan"),
        ("Hjälp med inköp och städning", "en gång i veckan"),
        ("Tillsyn på natten", "varje natt"),
        ("Matdistribution", "dagligen"),
    ],
    "home_health_care": [
        ("Läkemedelsöverlämning", "morgon och kväll"),
        ("Fallprevention och bostadsanpassning, arbetsterapeut", ""),
        ("Sårvård", "tre gånger i veckan"),
    ],
    "individual_family": [
        ("Kontaktfamilj", "en helg i månaden"),
        ("Föräldrastöd", "varannan vecka"),
        ("Ekonomiskt bistånd och budgetrådgivning", "vid behov"),
        ("Familjebehandling", "en gång i veckan"),
    ],
    "addiction_care": [
        ("Återfallsprevention i grupp", "en gång i veckan"),
        ("Motiverande samtal", "varannan vecka"),
        ("Urinprovskontroller", "två gånger i veckan"),
        ("Läkemedelsassisterad behandling", "dagligen"),
    ],
    "disability_support": [
        ("Daglig verksamhet enligt LSS", "fem dagar i veckan"),
        ("Kontaktperson enligt LSS", "en gång i veckan"),
        ("Korttidsvistelse enligt LSS", "en helg i månaden"),
    ],
    "school_health": [
        ("Samtal med skolkurator", "varje vecka"),
        ("Anpassad studiegång", ""),
        ("Hälsosamtal med skolsköterska", "en gång i månaden"),
    ],
    "school": [
        ("Särskilt stöd i klassrummet", "dagligen"),
        ("Elevassistent på lektioner", "dagligen"),
    ],
    "primary_care": [
        ("Läkemedelsgenomgång", ""),
        ("Hembesök av distriktssköterska", "varje vecka"),
        ("Diabeteskontroller", "var tredje månad"),
        ("Fysioterapi", "en gång i veckan"),
        ("Samtalsbehandling med kurator", "varannan vecka"),
    ],
    "psychiatric_clinic": [
        ("Samtalsbehandling", "varannan vecka"),
        ("Läkarbesök och läkemedelsuppföljning", "var sjätte vecka"),
        ("Psykoedukation i grupp", "en gång i veckan"),
        ("Utredning av ADHD", ""),
    ],
    "child_psychiatry": [
        ("Utredning av koncentrationssvårigheter", ""),
        ("KBT-behandling", "en gång i veckan"),
        ("Läkemedelsuppföljning", "en gång i månaden"),
    ],
    "hospital_ward": [
        ("Planering inför utskrivning", ""),
        ("Samordnad vårdplanering", ""),
    ],
    "habilitation": [
        ("Kartläggning av kommunikation och stöd", ""),
        ("Arbetsterapeutiska insatser", "varannan vecka"),
    ],
    "social_insurance": [
        ("Utreda rätt till sjukersättning", ""),
        ("Avstämningsmöte om rehabilitering", ""),
        ("Handläggning av aktivitetsersättning", ""),
    ],
    "employment": [
        ("Arbetsträning med handledare", "tre dagar i veckan"),
        ("Kartläggning av arbetsförmåga", ""),
    ],
}

FOLLOW_UP = {
    "how_it_went": [
        "Det har gått bra, boendestödet fungerar.",
        "Bättre än förra gången, men sömnen är fortfarande ett problem.",
        "Blandat. Skolgången har blivit bättre men det är oro hemma.",
        "Insatserna har kommit igång som planerat.",
    ],
    "helped_hindered": [
        "Täta kontakter hjälpte. Långa väntetider hindrade.",
        "Att ha en kontaktperson har hjälpt mycket.",
        "Sjukskrivning hos handläggaren gjorde att det dröjde.",
        "Tolk vid alla möten har underlättat.",
    ],
    "continue_interventions": [
        "Ja, med justeringar.",
        "Ja, alla insatser fortsätter.",
        "Boendestödet fortsätter, samtalen avslutas.",
    ],
}
DECLINE_REASONS = [
    "Krockar med annat möte, vi skickar skriftlig information.",
    "Ingen handläggare i tjänst den dagen.",
    "Kan inte delta, men vill ha protokollet.",
]
EXCLUSIONS = [
    "Tidigare missbruk ska inte tas upp.",
    "Inga uppgifter om ekonomin till Försäkringskassan.",
    "Familjesituationen tas inte upp med skolan.",
]
CHILD_VIEWS = [
    "Vill att mamma är med på mötena.",
    "Vill inte att skolan får veta om BUP-kontakten.",
    "Tycker att det är bra att alla träffas.",
]
REASON_TEXTS = [
    "Flera akutbesök senaste månaderna.",
    "Anhöriga har bett om samordning.",
    "",
    "",
]
TITLES = {
    "needs_assessment": "Biståndshandläggare",
    "social_psychiatry": "Boendestödjare",
    "home_care": "Samordnare",
    "home_health_care": "Sjuksköterska",
    "individual_family": "Socialsekreterare",
    "addiction_care": "Behandlare",
    "disability_support": "LSS-handläggare",
    "school_health": "Skolkurator",
    "school": "Specialpedagog",
    "primary_care": "Distriktssköterska",
    "psychiatric_clinic": "Kurator",
    "child_psychiatry": "Psykolog",
    "hospital_ward": "Sjuksköterska",
    "habilitation": "Arbetsterapeut",
    "social_insurance": "Handläggare",
    "employment": "Arbetsförmedlare",
    "other": "Systemförvaltare",
}
