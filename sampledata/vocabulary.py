"""The words of the synthetic corpus (sampledata/writer.py): topical phrases and the people
who work on them per field of work, in the organisation's register; headline, lead and
paragraph patterns; places, events and tags."""

# fmt: off
# Per topical field of work: (topics, the people who work on them), in the organisation's words.
FIELD_VOCABULARY = {
    "arms-control": (
        ("small arms and light weapons", "stockpiles of conventional ammunition",
         "the Vienna Document", "confidence- and security-building measures",
         "the destruction of surplus ammunition", "the physical security of weapons depots",
         "the Treaty on Open Skies", "export controls", "UN Security Council resolution 1540",
         "the non-proliferation of weapons of mass destruction", "mine action",
         "explosive remnants of war"),
        ("military officers", "arms control experts", "defence officials", "verification officers",
         "ammunition technicians"),
    ),
    "border-management": (
        ("border security and management", "risk analysis at border crossing points",
         "integrated border management", "cross-border co-operation",
         "the detection of forged travel documents at borders", "customs procedures",
         "green border patrolling",
         "trade facilitation at borders", "the movement of people and goods across borders",
         "the work of border checkpoints", "mobile border patrol units", "customs risk management"),
        ("border guards", "customs officers", "border police officers", "customs officials",
         "border troops"),
    ),
    "combating-trafficking-in-human-beings": (
        ("trafficking in human beings", "the identification of victims of trafficking",
         "labour exploitation", "national referral mechanisms", "support for trafficking survivors",
         "financial investigations into human trafficking", "trafficking in supply chains",
         "the online recruitment of victims", "child trafficking",
         "the prosecution of traffickers", "trafficking along migration routes"),
        ("labour inspectors", "prosecutors", "social workers", "police investigators",
         "NGO representatives"),
    ),
    "conflict-prevention-and-resolution": (
        ("early warning", "confidence-building measures", "the settlement process", "mediation",
         "dialogue across the contact line", "incident prevention and response mechanisms",
         "the ceasefire", "freedom of movement", "humanitarian demining",
         "the negotiations in the 5+2 format", "the Geneva International Discussions",
         "insider mediation"),
        ("mediators", "community leaders", "local authorities", "negotiators",
         "civil society activists"),
    ),
    "countering-terrorism": (
        ("violent extremism and radicalization that lead to terrorism", "terrorist financing",
         "foreign terrorist fighters", "the protection of critical infrastructure",
         "advance passenger information", "the use of the Internet for terrorist purposes",
         "community policing to prevent terrorism", "travel document security",
         "the rehabilitation and reintegration of returnees", "countering terrorism"),
        ("counter-terrorism officials", "financial intelligence analysts", "police officers",
         "youth workers", "religious leaders"),
    ),
    "cyber-ict-security": (
        ("cyber/ICT security", "confidence-building measures for ICT security",
         "the protection of critical infrastructure from cyber attacks",
         "cybercrime investigations", "digital evidence", "national cyber security strategies",
         "cyber incident response", "cyber diplomacy", "online safety"),
        ("cyber security experts", "diplomats", "ICT specialists",
         "computer emergency response teams", "investigators"),
    ),
    "democratization": (
        ("democratic institutions", "political party regulation", "parliamentary oversight",
         "public participation in decision-making", "local self-government",
         "legislative drafting", "freedom of peaceful assembly", "civil society engagement",
         "women's political participation", "inclusive governance", "parliamentary ethics"),
        ("members of parliament", "civil society representatives", "municipal officials",
         "political party representatives", "young leaders"),
    ),
    "economic-activities": (
        ("trade facilitation", "economic connectivity", "the investment climate",
         "small and medium-sized enterprises", "women's economic empowerment",
         "transport corridors", "the digital economy", "energy security",
         "public-private partnerships", "business integrity", "the economic dimension"),
        ("entrepreneurs", "economists", "government officials", "business associations",
         "chambers of commerce"),
    ),
    "education": (
        ("civic education", "multilingual education", "teacher training",
         "education for peace and security", "history teaching",
         "access to education for minority children", "human rights education",
         "vocational training", "media literacy in schools", "school curricula"),
        ("teachers", "students", "education officials", "school directors",
         "university lecturers"),
    ),
    "elections": (
        ("election observation", "electoral reform", "voter registration",
         "the implementation of ODIHR recommendations", "campaign finance",
         "election dispute resolution", "election administration",
         "access to the vote for persons with disabilities",
         "media coverage of election campaigns", "citizen election observers",
         "election day procedures"),
        ("election officials", "election observers", "members of election commissions",
         "candidates", "party agents"),
    ),
    "environmental-activities": (
        ("climate change", "water management", "disaster risk reduction", "hazardous waste",
         "the Aarhus Convention", "environmental governance", "wildfire management",
         "transboundary river basins", "environmental crime", "uranium legacy sites",
         "public participation in environmental matters"),
        ("environmental inspectors", "Aarhus Centre staff", "water experts", "emergency services",
         "environmental NGOs"),
    ),
    "gender-equality": (
        ("gender equality", "violence against women", "women's participation in peace processes",
         "gender mainstreaming", "women in the security sector", "women's leadership",
         "domestic violence", "gender-responsive budgeting",
         "the Women, Peace and Security agenda"),
        ("women leaders", "women police officers", "gender focal points", "women entrepreneurs",
         "women's rights activists"),
    ),
    "good-governance": (
        ("good governance", "the fight against corruption", "asset declarations",
         "public procurement", "transparency in public finances", "anti-money laundering",
         "integrity in the public sector", "open data", "beneficial ownership",
         "whistle-blower protection", "e-governance"),
        ("anti-corruption officials", "auditors", "public servants", "procurement officers",
         "financial investigators"),
    ),
    "human-rights": (
        ("human rights", "the prevention of torture", "freedom of religion or belief",
         "the protection of human rights defenders", "the rights of persons with disabilities",
         "fair trial standards", "national human rights institutions", "freedom of association",
         "the rights of detained persons", "human rights monitoring", "freedom of movement"),
        ("human rights defenders", "ombudspersons", "lawyers", "human rights monitors",
         "prison staff"),
    ),
    "media-freedom-and-development": (
        ("media freedom", "the safety of journalists", "access to information",
         "media self-regulation", "public service broadcasting", "media pluralism",
         "the safety of female journalists online", "defamation laws", "investigative journalism",
         "media literacy", "the digital switchover of broadcasting"),
        ("journalists", "editors", "media lawyers", "journalism students", "media regulators"),
    ),
    "migration": (
        ("labour migration", "migration governance", "the integration of migrants",
         "migration data", "remittances", "the rights of migrant workers",
         "pre-departure orientation for migrants", "migrant smuggling", "migration routes"),
        ("migration officials", "consular staff", "migrant workers", "employment agencies",
         "border officials"),
    ),
    "national-minority-issues": (
        ("the rights of national minorities", "minority languages",
         "the integration of diverse societies", "inter-ethnic relations",
         "the Ljubljana Guidelines", "the participation of national minorities in public life",
         "mother-tongue education", "minority media", "the Bolzano/Bozen Recommendations",
         "social cohesion"),
        ("minority representatives", "community leaders", "teachers", "local officials",
         "language experts"),
    ),
    "policing": (
        ("community policing", "police reform", "the investigation of organized crime",
         "police accountability", "criminal intelligence", "drug trafficking", "forensic science",
         "police-public partnerships", "human rights in policing", "the fight against cybercrime",
         "intelligence-led policing"),
        ("police officers", "criminal investigators", "police trainers", "forensic experts",
         "police commanders"),
    ),
    "reform-and-co-operation-in-the-security-sector": (
        ("security sector governance and reform", "parliamentary oversight of the armed forces",
         "democratic control of armed forces",
         "the Code of Conduct on Politico-Military Aspects of Security",
         "private military and security companies", "defence institution building",
         "ombuds institutions for the armed forces", "security sector reform"),
        ("defence officials", "parliamentarians", "military officers", "security sector experts",
         "ombudspersons"),
    ),
    "roma-and-sinti": (
        ("the situation of Roma and Sinti", "Roma inclusion", "the civil registration of Roma",
         "access to education for Roma children", "Roma women's participation",
         "anti-Roma rhetoric", "housing for Roma communities",
         "the Action Plan on Improving the Situation of Roma and Sinti"),
        ("Roma activists", "Roma mediators", "municipal officials", "young Roma",
         "Roma and Sinti community representatives"),
    ),
    "rule-of-law": (
        ("the rule of law", "judicial independence", "criminal justice reform", "free legal aid",
         "trial monitoring", "war crimes proceedings", "the execution of court decisions",
         "juvenile justice", "alternatives to detention", "judicial ethics"),
        ("judges", "prosecutors", "defence lawyers", "court staff", "law students"),
    ),
    "tolerance-and-non-discrimination": (
        ("hate crime", "tolerance and non-discrimination", "antisemitism",
         "intolerance against Muslims", "intolerance against Christians", "hate speech",
         "equality bodies", "hate crime data collection", "inclusive societies",
         "interfaith dialogue"),
        ("police officers", "prosecutors", "community leaders", "religious leaders",
         "equality body staff"),
    ),
    "youth": (
        ("youth engagement", "the role of young people in peace and security",
         "youth participation", "youth employment", "youth networks", "intercultural dialogue",
         "leadership skills", "digital skills", "volunteering", "the Youth and Security agenda"),
        ("young people", "youth leaders", "students", "youth workers", "young activists"),
    ),
}

# --- where, who, what happened ---------------------------------------------------------------

HEADS = {
    "chairpersonship": "OSCE Chairperson-in-Office", "secretariat": "OSCE Secretary General",
    "secretary-general": "OSCE Secretary General", "odihr": "ODIHR Director",
    "hcnm": "OSCE High Commissioner on National Minorities",
    "rfom": "OSCE Representative on Freedom of the Media",
    "parliamentary-assembly": "OSCE PA President",
    "office-of-the-special-representative-cthb":
        "OSCE Special Representative for Combating Trafficking in Human Beings",
}

# Cities to write about, by country code; the first is the capital or seat.
CITIES = {
    "AL": ("Tirana", "Shkodra", "Durrës", "Vlora"), "AM": ("Yerevan", "Gyumri"),
    "AT": ("Vienna", "Graz"), "AZ": ("Baku", "Ganja"), "BA": ("Sarajevo", "Banja Luka", "Mostar",
    "Tuzla", "Brčko"), "BE": ("Brussels",), "BG": ("Sofia",), "BY": ("Minsk", "Brest"),
    "CA": ("Ottawa",), "CH": ("Bern", "Geneva"), "CY": ("Nicosia",), "CZ": ("Prague",),
    "DE": ("Berlin", "Hamburg"), "DK": ("Copenhagen",), "EE": ("Tallinn", "Narva"),
    "ES": ("Madrid",), "FI": ("Helsinki",), "FR": ("Paris", "Strasbourg"), "GB": ("London",),
    "GE": ("Tbilisi", "Batumi"), "GR": ("Athens",), "HR": ("Zagreb", "Vukovar"),
    "HU": ("Budapest",), "IE": ("Dublin",), "IS": ("Reykjavik",), "IT": ("Rome",),
    "KG": ("Bishkek", "Osh", "Jalal-Abad", "Karakol"), "KZ": ("Astana", "Almaty", "Shymkent"),
    "LT": ("Vilnius",), "LV": ("Riga", "Daugavpils"), "MD": ("Chisinau", "Tiraspol", "Comrat",
    "Bălți"), "ME": ("Podgorica", "Nikšić", "Bar"), "MK": ("Skopje", "Tetovo", "Ohrid",
    "Kumanovo"), "MN": ("Ulaanbaatar",), "MT": ("Valletta",), "NL": ("The Hague", "Amsterdam"),
    "NO": ("Oslo",), "PL": ("Warsaw", "Kraków"), "PT": ("Lisbon",), "RO": ("Bucharest",),
    "RS": ("Belgrade", "Novi Sad", "Niš", "Bujanovac"), "RU": ("Moscow",), "SE": ("Stockholm",),
    "SI": ("Ljubljana",), "SK": ("Bratislava",), "TJ": ("Dushanbe", "Khujand", "Khorog", "Kulob"),
    "TM": ("Ashgabat", "Mary", "Turkmenbashi"), "TR": ("Ankara", "Istanbul"),
    "UA": ("Kyiv", "Kharkiv", "Odesa", "Lviv", "Dnipro", "Kramatorsk"), "US": ("Washington",),
    "UZ": ("Tashkent", "Samarkand", "Termez", "Nukus"),
    "XK": ("Prishtinë/Priština", "Mitrovicë/Mitrovica", "Prizren", "Pejë/Peć"),
}
SMM_PLACES = ("Donetsk", "Luhansk", "Mariupol", "Avdiivka", "Horlivka", "Shchastia", "Popasna",
              "Stanytsia Luhanska", "Zolote", "Shyrokyne", "Debaltseve", "Marinka", "Yasynuvata")
SMM_INCIDENTS = ("civilian casualties after shelling", "damage to a water pumping station",
                 "shelling damages residential houses", "SMM patrol restricted at a checkpoint",
                 "SMM unmanned aerial vehicle lost", "damage to a school")

EVENTS = (("training course", "training"), ("workshop", "workshop"), ("roundtable", "roundtable"),
          ("conference", "conference"), ("study visit", "study visit"), ("seminar", "seminar"),
          ("expert meeting", "expert meeting"), ("public discussion", "civil society"),
          ("summer school", "young people"), ("simulation exercise", "training"))
TAGS = ("capacity building", "civil society", "women", "young people", "legislation",
        "regional co-operation", "equipment", "anniversary", "field visit", "project", "handbook")
DURATIONS = ("one-day", "two-day", "three-day", "week-long", "five-day")
WITHDRAWN_REASONS = ("Published in error.", "Superseded by a corrected version.",
                     "Withdrawn at the request of the issuing body.", "Duplicate of another item.")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")

# --- the patterns of a story ------------------------------------------------------------------

TITLES = {
    "news": (
        "{Actors} from {place} trained on {topic}", "{label} supports work on {topic} in {place}",
        "{Event} in {city} looks at {topic}", "OSCE-supported {event} on {topic} held in {city}",
        "{Actors} discuss {topic} at OSCE {event} in {city}",
        "{label} brings together {actors} to discuss {topic}",
    ),
    "press_release": (
        "{label} launches project on {topic} in {place}",
        "{label} hands over equipment to {actors} in {place}",
        "{label} and authorities in {place} agree to step up co-operation on {topic}",
        "{label} opens regional {event} on {topic} in {city}",
        "{label} publishes report on {topic}",
    ),
    "press_statement": (
        "{head} welcomes progress on {topic} in {place}",
        "{head} concerned about {topic} in {place}", "{head} visits {city}, discusses {topic}",
        "{head} calls for further work on {topic} in {place}",
    ),
}
LEADS = (
    "{The_label} {verb} a {duration} {event} on {topic} for {n} {actors} from {place}, which ended "
    "in {city} on {date}.",
    "Some {n} {actors} from {place} took part in a {duration} {event} on {topic}, organized by "
    "{the_label} in {city} on {date}.",
    "{Actors} from {place} discussed {topic} and {topic2} at a {duration} {event} held by "
    "{the_label} in {city} on {date}.",
)
STATEMENT_LEADS = (
    "{The_head} today called for continued attention to {topic} in {place} and underlined the "
    "importance of {topic2}.",
    "Speaking in {city} on {date}, {the_head} welcomed the steps taken on {topic} and offered the "
    "support of {the_label}.",
)
INTROS = (
    "The {event} brought together {actors} and {actors2} from {place}. It was organized by "
    "{the_label}{partner} and focused on {topic} and {topic2}.",
    "Participants of the {event} in {city} worked on {topic}, with a particular focus on {topic2}. "
    "The {event} was organized by {the_label}{partner}.",
)
DISCUSSIONS = (
    "Participants discussed {topic3}, exchanged experience of {topic4} and looked at practical "
    "ways of addressing {topic5}. Experts from {country2} presented examples of good practice.",
    "Sessions covered {topic3} and {topic4}. {Actors2} shared their experience, and the "
    "participants agreed on recommendations for the authorities on {topic5}.",
)
QUOTES = (
    "“Progress on {topic} depends on the {actors} who deal with it every day, and this {event} "
    "was about them,” said the {head}.",
    "“{Topic} is a shared responsibility across the OSCE area,” said the {head}. “We will "
    "continue to support {place} in this work.”",
)
CLOSINGS = (
    "The {event} is part of {the_label}’s long-term support to {place} in its work on {topic5}.",
    "The {event} was organized within a project on {topic4}, funded by extra-budgetary "
    "contributions.",
)
HEADINGS = ("Background", "Next steps", "About the project", "The programme")
PARTNERS = ("Ministry of Internal Affairs", "Ministry of Justice", "Ministry of Foreign Affairs",
            "Ombudsperson’s Office", "national parliament", "Central Election Commission")
VERBS = ("organized", "held", "supported", "co-organized")
PEER_COUNTRIES = ("Finland", "Germany", "Austria", "Norway", "Sweden", "Switzerland", "Lithuania",
                  "Estonia", "Slovenia", "Italy", "France", "Poland", "The Netherlands")
# fmt: on
