"""Demo directory content: the services in NKVTS report 2/2015 plus example local services.

Sources and scope
-----------------
* The Norwegian services in table 5.1 and appendix 2 ("Vedlegg 2") of NKVTS rapport
  2/2015, *Nasjonal telefon for voldsutsatte*, with the opening hours the report gives.
  The Danish and Swedish lines (LOKK, Kvinnofridslinjen) are out of scope. The two
  crisis-centre umbrella organisations and Nklm are described in the appendix but are
  not services a caller is referred to, so they are left out.
* The five RVTS centres (appendix 2), with their regions' counties.
* For every county, example entries (named "Eksempel ...") for a crisis centre, a
  sexual-assault centre and the police, so that a local search finds something
  everywhere. Oslo already has the report's real Oslo krisesenter and Overgrepsmottaket
  i Oslo, so only its police entry is an example.

* Two example entries (named "Eksempel ...") for people who use violence, one national
  and one for Finnmark, so that the topic "Egen voldsbruk" finds a service to ring in
  every county (in reality Alternativ til Vold and the family counselling offices).

Review dates are set relative to the day of loading (see ``loader.py``): most entries
are within their review cycle, a few are due soon and a few overdue.

Real services keep the phone numbers that are well known (116 111, 22 40 00 40, ...);
where the report gives none the entry has its web address only, and the editors'
dashboard lists it as published without a phone. Every crisis centre, example or not,
and every example that callers or operators ring gets a made-up number in the range
59 99 00 xx (``demo_phone`` in ``spec.py``), which Nkom's numbering plan gives to
machine-to-machine communication, so no person answers it; its description says it is
a demo number. Example entries otherwise carry only the shared national numbers
(02800, 112, 116 117).

The entries are written as ``Spec`` records (``spec.py``); ``loader.py`` loads them.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from services_directory.demo.spec import (
    ALL_DAYS,
    CLOSED_ON_HOLIDAYS,
    MON,
    OWN_HOLIDAY_HOURS,
    SAT,
    SUN,
    THU,
    TUE,
    WED,
    WEEKDAYS,
    Org,
    Place,
    Spec,
    chat,
    demo_phone,
    on_holidays,
    phone,
    web,
    weekly,
)
from services_directory.models import County, Municipality, Postcode
from services_directory.models.directory import distance_km

OSLO_TZ = ZoneInfo("Europe/Oslo")
CONFIDENTIAL_ADDRESS_NOTE = "Adressen er hemmelig – ikke oppgi den til innringer."
# Neighbouring municipalities an example crisis centre covers besides the main one.
SHELTER_NEIGHBOURS = 5

ROUND_THE_CLOCK = weekly(ALL_DAYS, "00:00", "00:00")


# --- The report's services (table 5.1 and appendix 2) --------------------------------

ALARMTELEFONEN = Org("alarmtelefonen", "Alarmtelefonen for barn og unge", "https://www.116111.no/")
KIRKENS_SOS = Org("kirkens-sos", "Kirkens SOS i Norge", "https://www.kirkens-sos.no/")
INCESTSENTERET = Org("incestsenteret-vestfold", "Incestsenteret i Vestfold")
OSLO_KRISESENTER = Org("oslo-krisesenter", "Oslo krisesenter", "https://www.oslokrisesenter.no/")
OSLO_KOMMUNE = Org("oslo-kommune", "Oslo kommune", "https://www.oslo.kommune.no/")
REFORM = Org("reform", "Reform – ressurssenter for menn", "https://reform.no/")
RODE_KORS = Org("rode-kors", "Røde Kors", "https://www.rodekors.no/")
SEIF = Org("seif", "Selvhjelp for innvandrere og flyktninger (SEIF)", "https://www.seif.no/")
RKK = Org("rkk", "Rådgivningskontorene for kriminalitetsofre (RKK)")
RVTS = Org(
    "rvts",
    "Regionale ressurssentre om vold, traumatisk stress og selvmordsforebygging (RVTS)",
    "https://www.rvts.no/",
)
POLITIET = Org("politiet", "Politiet", "https://www.politiet.no/")

SHELTER_TOPICS = (
    "vold-i-nare-relasjoner",
    "partnervold",
    "negativ-sosial-kontroll",
    "tvangsekteskap",
    "forfolgelse",
)
ASSAULT_CENTRE_TOPICS = (
    "voldtekt",
    "seksuelle-overgrep",
    "vold-i-nare-relasjoner",
    "vold-utenfor-nare-relasjoner",
)

REPORT_SERVICES = [
    Spec(
        slug="alarmtelefonen-for-barn-og-unge",
        organization=ALARMTELEFONEN,
        name_nb="Alarmtelefonen for barn og unge",
        name_en="Emergency helpline for children and young people",
        description_nb=(
            "Gratis nødtelefon for barn og unge 0–18 år som utsettes for vold, omsorgssvikt "
            "eller på annen måte er i fare, og for voksne som er bekymret for et barn. Åpen "
            "når barneverntjenesten er stengt. Kan sende bekymringsmelding til barnevernet og "
            "kontakte andre hjelpeinstanser."
        ),
        description_en=(
            "Free emergency line for children and young people aged 0–18 exposed to violence "
            "or neglect, and for adults worried about a child. Open when the child welfare "
            "services are closed."
        ),
        service_types=("hjelpetelefon", "barnevern"),
        topics=("vold-i-nare-relasjoner", "seksuelle-overgrep", "incest"),
        target_groups=("unge", "parorende"),
        # "Hverdager 15.00–08.00, døgnåpent i helger og på helligdager": open from 15:00 on
        # a working day until 08:00 the next working day. A span starting at 08:00 on
        # weekend days and holidays runs to 08:00 the next day, so Monday morning and the
        # morning after a holiday are covered too.
        hours=weekly(WEEKDAYS, "15:00", "08:00")
        + weekly((SAT, SUN), "08:00", "08:00")
        + on_holidays("08:00", "08:00"),
        holiday_policy=OWN_HOLIDAY_HOURS,
        channels=[phone("116 111", "Gratis", "Free of charge")],
        covers_whole_country=True,
        min_age=0,
        max_age=18,
        anonymous_contact=True,
    ),
    Spec(
        slug="kirkens-sos-krisetelefon",
        organization=KIRKENS_SOS,
        name_nb="Kirkens SOS krisetelefon",
        name_en="Kirkens SOS crisis line",
        description_nb=(
            "Døgnåpen krisetelefon for mennesker i følelsesmessig eller eksistensiell krise, "
            "og for den som tenker på å ta sitt eget liv. Mange ringer også om vold. Anonym "
            "SOS-chat på hverdager og anonym skriftlig SOS-melding med svar innen 24 timer."
        ),
        description_en=(
            "Crisis line open 24/7 for people in emotional or existential crisis and for "
            "anyone thinking of taking their own life. Anonymous chat on weekday evenings."
        ),
        service_types=("hjelpetelefon", "radgivning"),
        topics=("vold-i-nare-relasjoner", "vold-utenfor-nare-relasjoner"),
        target_groups=("kvinner", "menn", "parorende"),
        languages=("nb", "nn", "en"),
        hours=ROUND_THE_CLOCK + weekly(WEEKDAYS, "18:30", "22:30", channel=1),
        channels=[
            phone("22 40 00 40", "Krisetelefonen, døgnåpen", "Crisis line, 24/7"),
            chat("https://www.kirkens-sos.no/", "SOS-chat, hverdager", "SOS chat, weekdays"),
        ],
        covers_whole_country=True,
        anonymous_contact=True,
    ),
    Spec(
        slug="landsdekkende-telefon-for-incest-og-seksuelt-misbrukte",
        organization=INCESTSENTERET,
        name_nb="Landsdekkende telefon for incest- og seksuelt misbrukte",
        name_en="National helpline for survivors of incest and sexual abuse",
        description_nb=(
            "Døgnåpen nasjonal telefon for incestutsatte og seksuelt misbrukte barn og "
            "voksne, og deres pårørende. Drives av Incestsenteret i Vestfold. Noen av de "
            "ansatte har egenerfaring. Støtte og informasjon om hjelpetilbud; kontakten kan "
            "vare over flere år."
        ),
        description_en=(
            "National 24/7 helpline for children and adults who have experienced incest or "
            "sexual abuse, and their relatives."
        ),
        service_types=("hjelpetelefon", "stottesenter"),
        topics=("incest", "seksuelle-overgrep", "voldtekt"),
        target_groups=("kvinner", "menn", "unge", "parorende"),
        hours=ROUND_THE_CLOCK,
        channels=[
            phone("800 57 000", "Gratis, døgnåpen", "Free of charge, 24/7"),
            web("http://www.incest80057000.no/"),
        ],
        covers_whole_country=True,
        anonymous_contact=True,
    ),
    Spec(
        slug="oslo-krisesenter",
        organization=OSLO_KRISESENTER,
        name_nb="Oslo krisesenter",
        name_en="Oslo Crisis Centre",
        description_nb=(
            "Krisesenteret for hele Oslo kommune, for kvinner og menn utsatt for vold fra "
            "partner og for barna deres. Døgnåpen telefon med råd og veiledning, dagtilbud, "
            "og overnatting, også med barn. Oppfølging over tid."
        ),
        description_en=(
            "The crisis centre for the whole of Oslo, for women and men exposed to violence "
            "by a partner and for their children. Phone advice 24/7, day services and "
            "shelter."
        ),
        service_types=("krisesenter",),
        topics=SHELTER_TOPICS,
        target_groups=("kvinner", "menn", "unge"),
        accessibility=("tolk",),
        hours=ROUND_THE_CLOCK,
        # The report gives no number; the demo's stands in for the real one.
        channels=[demo_phone(3), web("https://www.oslokrisesenter.no/")],
        places=[Place("0301", "Oslo krisesenter", is_confidential=True)],
        municipalities=("0301",),
        anonymous_contact=True,
        operator_note=CONFIDENTIAL_ADDRESS_NOTE,
    ),
    Spec(
        slug="overgrepsmottaket-i-oslo",
        organization=OSLO_KOMMUNE,
        name_nb="Overgrepsmottaket i Oslo",
        name_en="Oslo Sexual Assault Centre",
        description_nb=(
            "Akutthjelp for personer som nylig har vært utsatt for seksuelle overgrep eller "
            "vold: medisinsk undersøkelse og behandling, psykososial støtte og oppfølging, "
            "rettsmedisinsk undersøkelse og sporsikring. Råd på telefon. Døgnåpent og gratis. "
            "Du trenger ikke anmelde for å få hjelp. Ligger ved Legevakten i Storgata."
        ),
        description_en=(
            "Acute help after a recent sexual assault or violence: medical care, support "
            "and forensic examination. Open 24/7 and free; no police report needed."
        ),
        service_types=("overgrepsmottak", "legevakt", "helse"),
        topics=ASSAULT_CENTRE_TOPICS,
        target_groups=("kvinner", "menn"),
        accessibility=("rullestol", "tolk"),
        hours=ROUND_THE_CLOCK,
        channels=[
            phone("116 117", "Legevakt – be om overgrepsmottaket", "Out-of-hours clinic"),
            web("https://www.oslo.kommune.no/dognapne-vakttjenester/legevakt/legevakt-storgata/"),
        ],
        places=[
            Place("0301", "Legevakten Storgata", "Storgata 40", "0182", 59.9157, 10.7562),
        ],
        municipalities=("0301",),
    ),
    Spec(
        slug="reform-mannstelefonen",
        organization=REFORM,
        name_nb="Mannstelefonen (Reform)",
        name_en="The men's helpline (Reform)",
        description_nb=(
            "Samtaletelefon for menn med problemer knyttet til vold, sinne, samliv og "
            "psykisk helse, også for menn som har utøvd vold. Gjentatte samtaler er mulig, og "
            "Reform tilbyr samtaler over tid."
        ),
        description_en=(
            "Helpline for men with problems related to violence, anger, relationships and "
            "mental health, including men who have used violence."
        ),
        service_types=("hjelpetelefon", "radgivning"),
        topics=("vold-i-nare-relasjoner", "partnervold", "egen-voldsbruk"),
        target_groups=("menn", "utovere"),
        hours=weekly(WEEKDAYS, "17:00", "20:00"),
        holiday_policy=CLOSED_ON_HOLIDAYS,
        channels=[web("https://reform.no/")],
        covers_whole_country=True,
        anonymous_contact=True,
    ),
    Spec(
        slug="reform-juridisk-radgivningstelefon",
        organization=REFORM,
        name_nb="Juridisk rådgivningstelefon (Reform)",
        name_en="Legal advice line for men (Reform)",
        description_nb="Gratis juridisk rådgivning på telefon for menn.",
        description_en="Free legal advice by phone for men.",
        service_types=("juridisk", "hjelpetelefon"),
        topics=("vold-i-nare-relasjoner",),
        target_groups=("menn",),
        hours=weekly((MON, TUE, WED, THU), "19:00", "21:00"),
        holiday_policy=CLOSED_ON_HOLIDAYS,
        channels=[web("https://reform.no/")],
        covers_whole_country=True,
    ),
    Spec(
        slug="rode-kors-telefonen-om-tvangsekteskap-og-kjonnslemlestelse",
        organization=RODE_KORS,
        name_nb="Røde Kors-telefonen om tvangsekteskap og kjønnslemlestelse",
        name_en="Red Cross helpline on forced marriage and female genital mutilation",
        description_nb=(
            "Nasjonal informasjonstelefon for barn, unge og voksne som blir utsatt for "
            "tvangsekteskap, kjønnslemlestelse og annen æresrelatert vold. Informerer om "
            "norsk lov, bistår i familiekonflikter og bygger bro til hjelpeapparatet i inn- "
            "og utland. Kan følge opp over lang tid, også med personlige møter."
        ),
        description_en=(
            "National helpline for children, young people and adults exposed to forced "
            "marriage, female genital mutilation and other honour-related violence."
        ),
        service_types=("hjelpetelefon", "radgivning"),
        topics=("tvangsekteskap", "kjonnslemlestelse", "negativ-sosial-kontroll"),
        target_groups=("unge", "kvinner", "menn", "minoritet", "parorende"),
        accessibility=("tolk",),
        hours=weekly(WEEKDAYS, "09:00", "16:00"),
        holiday_policy=CLOSED_ON_HOLIDAYS,
        channels=[phone("815 55 201"), web("https://www.rodekors.no/")],
        covers_whole_country=True,
        anonymous_contact=True,
    ),
    Spec(
        slug="seif-telefonradgivning",
        organization=SEIF,
        name_nb="SEIF – råd og veiledning på telefon",
        name_en="SEIF – advice by phone for immigrants and refugees",
        description_nb=(
            "Råd og veiledning til innvandrere og flyktninger, voksne, ungdom og barn av "
            "førstegenerasjons innvandrere: informasjon, henvisning til andre instanser og "
            "hjelp til å løse egne problemer. Krisehjelp ved tvangsekteskap. Kontorer i Oslo, "
            "Kristiansand, Ålesund, Trondheim, Bergen og Stavanger."
        ),
        description_en=(
            "Advice for immigrants and refugees, including crisis help for people threatened "
            "with forced marriage."
        ),
        service_types=("radgivning", "hjelpetelefon"),
        topics=("tvangsekteskap", "negativ-sosial-kontroll", "vold-i-nare-relasjoner"),
        target_groups=("minoritet", "unge", "kvinner", "menn"),
        accessibility=("tolk",),
        hours=weekly((MON, TUE, WED, THU), "09:00", "16:00"),
        holiday_policy=CLOSED_ON_HOLIDAYS,
        channels=[web("https://www.seif.no/")],
        covers_whole_country=True,
    ),
    Spec(
        slug="seif-krisetelefon-mot-kjonnslemlestelse",
        organization=SEIF,
        name_nb="SEIF krisetelefon mot kjønnslemlestelse",
        name_en="SEIF crisis line against female genital mutilation",
        description_nb="Krisetelefon om kjønnslemlestelse for innvandrere og flyktninger.",
        description_en="Crisis line on female genital mutilation for immigrants and refugees.",
        service_types=("hjelpetelefon",),
        topics=("kjonnslemlestelse",),
        target_groups=("minoritet", "kvinner", "unge", "parorende"),
        accessibility=("tolk",),
        hours=weekly(WEEKDAYS, "09:00", "18:00"),
        holiday_policy=CLOSED_ON_HOLIDAYS,
        channels=[web("https://www.seif.no/")],
        covers_whole_country=True,
    ),
    Spec(
        slug="stottetelefonen-for-kriminalitetsofre",
        organization=RKK,
        name_nb="Støttetelefonen for kriminalitetsofre",
        name_en="Support line for victims of crime",
        description_nb=(
            "Statlig, gratis telefon for alle som er rammet av kriminelle handlinger, direkte "
            "eller som pårørende – også vold i nære relasjoner. Støttesamtaler, hjelp til å "
            "kontakte hjelpeapparatet, vitnestøtte, informasjon om rettigheter og hjelp til å "
            "søke voldsoffererstatning."
        ),
        description_en=(
            "Free national line for anyone affected by crime, directly or as a relative: "
            "support, witness support, information about rights and help to apply for "
            "compensation."
        ),
        service_types=("hjelpetelefon", "radgivning", "juridisk"),
        topics=(
            "vold-i-nare-relasjoner",
            "vold-utenfor-nare-relasjoner",
            "voldtekt",
            "forfolgelse",
            "menneskehandel",
        ),
        target_groups=("kvinner", "menn", "parorende"),
        accessibility=("tolk",),
        hours=weekly(WEEKDAYS, "09:00", "15:00"),
        holiday_policy=CLOSED_ON_HOLIDAYS,
        channels=[
            phone("116 006", "Gratis", "Free of charge"),
            web("http://www.stottetelefon.no/"),
        ],
        covers_whole_country=True,
        anonymous_contact=True,
    ),
    Spec(
        slug="vern-for-eldre-nasjonal-kontakttelefon",
        organization=OSLO_KOMMUNE,
        name_nb="Vern for eldre – nasjonal kontakttelefon",
        name_en="Protection for older people – national helpline",
        description_nb=(
            "Gratis telefon for personer over 62 år som er utsatt for vold, overgrep eller "
            "omsorgssvikt: samtale om erfaringer med, eller trusler om, vold og overgrep, og "
            "informasjon om hjelpeinstanser. Drives av Oslo kommune."
        ),
        description_en=("Free helpline for people over 62 exposed to violence, abuse or neglect."),
        service_types=("hjelpetelefon", "radgivning"),
        topics=("vold-mot-eldre", "vold-i-nare-relasjoner"),
        target_groups=("eldre",),
        accessibility=("tolk",),
        hours=weekly(WEEKDAYS, "09:00", "15:00"),
        holiday_policy=CLOSED_ON_HOLIDAYS,
        channels=[
            phone("800 30 196", "Gratis", "Free of charge"),
            web("https://www.vernforeldre.no/"),
        ],
        covers_whole_country=True,
        min_age=62,
        anonymous_contact=True,
    ),
]


# --- RVTS ----------------------------------------------------------------------------

# (slug suffix, name, city municipality number, region's county numbers, web, languages)
RVTS_CENTRES = [
    ("ost", "RVTS Øst", "0301", ("03", "31", "32", "33", "34"), "https://www.rvtsost.no/", ()),
    ("sor", "RVTS Sør", "4204", ("39", "40", "42"), "https://www.rvtssor.no/", ()),
    ("vest", "RVTS Vest", "4601", ("11", "46"), "https://www.rvtsvest.no/", ()),
    ("midt", "RVTS Midt", "5001", ("15", "50"), "https://www.rvtsmidt.no/", ()),
    ("nord", "RVTS Nord", "5501", ("18", "55", "56"), "https://www.rvtsnord.no/", ("se",)),
]


def rvts_specs() -> list[Spec]:
    specs = []
    for suffix, name, city, counties, url, extra_languages in RVTS_CENTRES:
        specs.append(
            Spec(
                slug=f"rvts-{suffix}",
                organization=RVTS,
                name_nb=name,
                name_en=name,
                description_nb=(
                    "Regionalt ressurssenter om vold, traumatisk stress og "
                    "selvmordsforebygging. For ansatte i hjelpetjenester som møter mennesker "
                    "berørt av vold og seksuelle overgrep, traumer, migrasjon eller "
                    "selvmordsproblematikk: undervisning, veiledning, konsultasjon og "
                    "nettverk. Ikke et tilbud direkte til den som er utsatt."
                ),
                description_en=(
                    "Regional resource centre on violence, traumatic stress and suicide "
                    "prevention, for professionals (teaching, supervision, consultation)."
                ),
                service_types=("kompetansesenter",),
                topics=(
                    "vold-i-nare-relasjoner",
                    "seksuelle-overgrep",
                    "vold-utenfor-nare-relasjoner",
                ),
                target_groups=("fagpersoner",),
                languages=("nb", "en", *extra_languages),
                # The report gives no hours; ordinary office hours, closed on holidays.
                hours=weekly(WEEKDAYS, "08:00", "15:30"),
                holiday_policy=CLOSED_ON_HOLIDAYS,
                channels=[web(url)],
                places=[Place(city, name)],
                counties=counties,
            )
        )
    return specs


# --- Example local services ----------------------------------------------------------

# Counties whose crisis centre and sexual-assault centre are real entries from the report.
COUNTIES_WITH_REPORT_SERVICES = {"03"}
# Where the local population speaks a Sámi language, examples list it too.
EXTRA_LANGUAGES_BY_COUNTY = {"18": ("se", "smj"), "50": ("sma",), "55": ("se",), "56": ("se",)}
EXAMPLE_NOTE_NB = "Eksempeloppføring i demodata – ikke en virkelig tjeneste."
EXAMPLE_NOTE_EN = "Example entry in demo data – not a real service."


def main_municipality(county: County) -> Municipality | None:
    """The county's largest active municipality by population."""
    return (
        Municipality.objects.active()
        .filter(county=county)
        .order_by("-population", "number")
        .first()
    )


def nearest_neighbours(main: Municipality, count: int) -> list[Municipality]:
    """The ``count`` active municipalities in ``main``'s county closest to it."""
    others = Municipality.objects.active().filter(county_id=main.county_id).exclude(pk=main.pk)
    by_distance = sorted(
        others,
        key=lambda m: (
            distance_km(main.latitude, main.longitude, m.latitude, m.longitude),
            m.number,
        ),
    )
    return by_distance[:count]


def street_postcode(municipality: Municipality) -> str:
    """A real postcode for street addresses in the municipality, for made-up addresses."""
    code = (
        Postcode.objects.active()
        .filter(municipality=municipality, category__in=["G", "B"])
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    return code or ""


def example_specs() -> list[Spec]:
    specs = []
    for county in County.objects.active().order_by("number"):
        main = main_municipality(county)
        if main is None:
            continue
        town = main.name
        languages = ("nb", "en", *EXTRA_LANGUAGES_BY_COUNTY.get(county.number, ()))
        postcode = street_postcode(main)
        if county.number not in COUNTIES_WITH_REPORT_SERVICES:
            shelter_area = [main, *nearest_neighbours(main, SHELTER_NEIGHBOURS)]
            area_names = ", ".join(m.name for m in shelter_area)
            specs.append(
                Spec(
                    slug=f"eksempel-krisesenter-{county.number}",
                    organization=Org(
                        f"eksempel-krisesenter-{county.number}",
                        f"Eksempel krisesenter {town} IKS",
                    ),
                    name_nb=f"Eksempel krisesenter {town}",
                    name_en=f"Example crisis centre {town}",
                    description_nb=(
                        f"{EXAMPLE_NOTE_NB} Interkommunalt krisesenter for {area_names}. "
                        "Døgnåpen telefon med råd og veiledning, samtaler, dagtilbud og "
                        "trygt midlertidig botilbud for kvinner, menn og barn utsatt for "
                        "vold i nære relasjoner."
                    ),
                    description_en=(
                        f"{EXAMPLE_NOTE_EN} Inter-municipal crisis centre for {area_names}: "
                        "advice 24/7, day services and safe temporary housing."
                    ),
                    service_types=("krisesenter",),
                    topics=SHELTER_TOPICS,
                    target_groups=("kvinner", "menn", "unge"),
                    languages=languages,
                    accessibility=("rullestol", "tolk"),
                    hours=ROUND_THE_CLOCK,
                    channels=[demo_phone(int(county.number))],
                    places=[
                        Place(
                            main.number,
                            f"Eksempel krisesenter {town}",
                            "Eksempelveien 1",
                            postcode,
                            is_confidential=True,
                        )
                    ],
                    municipalities=tuple(m.number for m in shelter_area),
                    anonymous_contact=True,
                    operator_note=CONFIDENTIAL_ADDRESS_NOTE,
                )
            )
            specs.append(
                Spec(
                    slug=f"eksempel-overgrepsmottak-{county.number}",
                    organization=Org(
                        f"eksempel-legevakt-{county.number}", f"Eksempel legevakt {town}"
                    ),
                    name_nb=f"Eksempel overgrepsmottak {town}",
                    name_en=f"Example sexual assault centre {town}",
                    description_nb=(
                        f"{EXAMPLE_NOTE_NB} Overgrepsmottak for hele {county.name}, ved "
                        f"legevakten i {town}. Medisinsk hjelp, samtale og sporsikring etter "
                        "voldtekt, seksuelle overgrep og vold. Døgnåpent og gratis. Du "
                        "trenger ikke anmelde for å få hjelp."
                    ),
                    description_en=(
                        f"{EXAMPLE_NOTE_EN} Sexual assault centre for all of {county.name}: "
                        "medical care, support and forensic examination, 24/7 and free."
                    ),
                    service_types=("overgrepsmottak", "helse"),
                    topics=ASSAULT_CENTRE_TOPICS,
                    target_groups=("kvinner", "menn"),
                    languages=languages,
                    accessibility=("rullestol", "tolk"),
                    hours=ROUND_THE_CLOCK,
                    channels=[
                        phone(
                            "116 117",
                            "Legevakt – be om overgrepsmottaket",
                            "Out-of-hours clinic",
                        )
                    ],
                    places=[
                        Place(
                            main.number,
                            f"Eksempel legevakt {town}",
                            "Eksempelgata 2",
                            postcode,
                        )
                    ],
                    counties=(county.number,),
                )
            )
        specs.append(
            Spec(
                slug=f"eksempel-politi-{county.number}",
                organization=POLITIET,
                name_nb=f"Eksempel politistasjon {town}",
                name_en=f"Example police station {town}",
                description_nb=(
                    f"{EXAMPLE_NOTE_NB} Politiet i {county.name}. Anmeldelse, råd og "
                    "beskyttelse ved vold, trusler og overgrep. Ring 112 når det haster, "
                    "02800 ellers."
                ),
                description_en=(
                    f"{EXAMPLE_NOTE_EN} Police for {county.name}. Call 112 in an emergency, "
                    "02800 otherwise."
                ),
                service_types=("politi",),
                topics=(
                    "vold-i-nare-relasjoner",
                    "voldtekt",
                    "seksuelle-overgrep",
                    "forfolgelse",
                    "digital-vold",
                    "menneskehandel",
                    "tvangsekteskap",
                ),
                target_groups=("kvinner", "menn", "unge"),
                languages=languages,
                accessibility=("rullestol", "tolk"),
                hours=ROUND_THE_CLOCK,
                channels=[
                    phone("02800", "Politiet, ikke akutt", "Police, non-emergency"),
                    phone("112", "Nødnummer – når det haster", "Emergency number"),
                ],
                places=[
                    Place(
                        main.number,
                        f"Eksempel politistasjon {town}",
                        "Eksempelgata 10",
                        postcode,
                    )
                ],
                counties=(county.number,),
            )
        )
    return specs


# The line's own interpreter and text-relay contacts, for the desk's "Tolk / teksttelefon"
# panel. Examples: a real line puts its agreements here.
TOLKEFORMIDLING = Org("eksempel-tolkeformidling", "Eksempel Tolkeformidling AS")
INTERPRETER_SERVICES = [
    Spec(
        slug="eksempel-telefontolk",
        organization=TOLKEFORMIDLING,
        name_nb="Telefontolk for hjelpetelefonen (eksempel)",
        name_en="Telephone interpreter for the helpline (example)",
        description_nb=(
            f"{EXAMPLE_NOTE_NB} Talespråktolk på telefon etter avtale med hjelpetelefonen: "
            "ring, oppgi avtalenummeret og språket, og tolken kobles inn i samtalen. Tolkene "
            "har taushetsplikt."
        ),
        description_en=(
            f"{EXAMPLE_NOTE_EN} Telephone interpreting under the helpline's agreement: call, "
            "give the agreement number and the language, and the interpreter joins the call."
        ),
        service_types=("tolk-og-teksttelefon",),
        languages=("nb", "en", "ar", "so", "pl", "ti", "uk", "fa"),
        hours=ROUND_THE_CLOCK,
        # Made-up numbers no person answers, and the reserved .example domain.
        channels=[
            demo_phone(90),
            web("https://telefontolk.example/", "Bestill tolk", "Book an interpreter"),
        ],
        target_groups=("minoritet",),
        covers_whole_country=True,
        operator_note="Oppgi avtalenummer 4411. Tolken ringer ikke innringer selv.",
    ),
    Spec(
        slug="eksempel-tegnspraktolk",
        organization=TOLKEFORMIDLING,
        name_nb="Tegnspråk- og skrivetolk på video (eksempel)",
        name_en="Sign-language and text interpreting by video (example)",
        description_nb=(
            f"{EXAMPLE_NOTE_NB} Tegnspråktolk og skrivetolk over video for døve, "
            "hørselshemmede og døvblinde innringere. Hverdager 08–20."
        ),
        description_en=(
            f"{EXAMPLE_NOTE_EN} Sign-language and text interpreting by video for deaf, "
            "hard-of-hearing and deafblind callers. Weekdays 08–20."
        ),
        service_types=("tolk-og-teksttelefon",),
        accessibility=("tegnspraktolk",),
        hours=weekly(WEEKDAYS, "08:00", "20:00"),
        holiday_policy=CLOSED_ON_HOLIDAYS,
        channels=[
            demo_phone(91),
            web("https://videotolk.example/", "Videotolk", "Video interpreting"),
        ],
        target_groups=("funksjonsnedsettelse",),
        covers_whole_country=True,
    ),
    Spec(
        slug="eksempel-teksttelefon",
        organization=TOLKEFORMIDLING,
        name_nb="Teksttelefon – relétjeneste (eksempel)",
        name_en="Text relay service (example)",
        description_nb=(
            f"{EXAMPLE_NOTE_NB} Relétjeneste som formidler mellom tekst og tale, så "
            "innringere som ikke kan bruke vanlig telefon når hjelpetelefonen."
        ),
        description_en=(
            f"{EXAMPLE_NOTE_EN} A relay service between text and speech, so callers who "
            "cannot use an ordinary phone can reach the helpline."
        ),
        service_types=("tolk-og-teksttelefon",),
        accessibility=("teksttelefon",),
        hours=ROUND_THE_CLOCK,
        channels=[demo_phone(92), web("https://relay.example/", "Teksttelefon", "Text telephone")],
        target_groups=("funksjonsnedsettelse",),
        covers_whole_country=True,
    ),
]


# For people who use violence: the report's only entry (Reform's men's line) has no
# number and opens three evenings a week. Examples, with made-up numbers.
VIOLENCE_TREATMENT = Org("eksempel-voldsbehandling", "Eksempel voldsbehandling")
VIOLENCE_TREATMENT_TOPICS = ("egen-voldsbruk", "vold-i-nare-relasjoner", "partnervold")
VIOLENCE_TREATMENT_SERVICES = [
    Spec(
        slug="eksempel-voldsbehandling-nasjonal",
        organization=VIOLENCE_TREATMENT,
        name_nb="Eksempel voldsbehandling – nasjonal telefon",
        name_en="Example treatment for people who use violence – national line",
        description_nb=(
            f"{EXAMPLE_NOTE_NB} Telefon for den som har brukt eller er redd for å bruke "
            "vold mot partner eller barn, og for pårørende. Samtale, råd og henvisning til "
            "behandling der innringer bor. I virkeligheten: Alternativ til Vold og "
            "familievernet."
        ),
        description_en=(
            f"{EXAMPLE_NOTE_EN} A line for people who have used, or fear they will use, "
            "violence against a partner or children, and for relatives: advice and "
            "referral to treatment where the caller lives."
        ),
        service_types=("voldsbehandling", "hjelpetelefon"),
        topics=VIOLENCE_TREATMENT_TOPICS,
        target_groups=("utovere", "menn", "kvinner", "parorende"),
        hours=weekly(WEEKDAYS, "08:00", "20:00"),
        holiday_policy=CLOSED_ON_HOLIDAYS,
        channels=[demo_phone(80)],
        covers_whole_country=True,
        anonymous_contact=True,
    ),
    Spec(
        slug="eksempel-voldsbehandling-finnmark",
        organization=VIOLENCE_TREATMENT,
        name_nb="Eksempel voldsbehandling Finnmark",
        name_en="Example treatment for people who use violence, Finnmark",
        description_nb=(
            f"{EXAMPLE_NOTE_NB} Behandling i samtaler for den som bruker vold i nære "
            "relasjoner, i hele Finnmark, også på nordsamisk og over video."
        ),
        description_en=(
            f"{EXAMPLE_NOTE_EN} Counselling treatment for people who use violence in close "
            "relationships, in all of Finnmark, in Northern Sámi too and by video."
        ),
        service_types=("voldsbehandling",),
        topics=VIOLENCE_TREATMENT_TOPICS,
        target_groups=("utovere", "menn", "kvinner"),
        languages=("nb", "en", "se"),
        hours=weekly(WEEKDAYS, "08:00", "15:30"),
        holiday_policy=CLOSED_ON_HOLIDAYS,
        channels=[demo_phone(81)],
        places=[Place("5601", "Eksempel voldsbehandling Alta", "Eksempelgata 5", "9510")],
        counties=("56",),
    ),
]


def all_specs() -> list[Spec]:
    return [
        *REPORT_SERVICES,
        *rvts_specs(),
        *example_specs(),
        *INTERPRETER_SERVICES,
        *VIOLENCE_TREATMENT_SERVICES,
    ]


# Demo guidance cards for operators (report, section 7.4.2: one shared knowledge base).
# Editors replace these; the loader never overwrites a card an editor has written, only
# an earlier demo text (OUTDATED_GUIDANCE).
DEMO_GUIDANCE = {
    "voldtekt": (
        "Overgrepsmottaket kan sikre spor og gi helsehjelp uten at innringer anmelder. "
        "Jo raskere, jo bedre – men det er aldri for sent å ringe. Nærmeste legevakt "
        "sier hvor overgrepsmottaket er.",
        "The sexual-assault centre can secure evidence and give medical care without a "
        "police report. Sooner is better, but it is never too late to call. The nearest "
        "out-of-hours clinic knows where the centre is.",
    ),
    "tvangsekteskap": (
        "Spør om innringer kan snakke fritt nå, og om et trygt tidspunkt å ringe tilbake. "
        "Ved fare for bortgifting i utlandet: politiet og Kompetanseteamet mot negativ "
        "sosial kontroll og æresrelatert vold. Røde Kors-telefonen er spesialisert.",
        "Ask whether the caller can talk freely now, and for a safe time to call back. "
        "If a marriage abroad is feared: the police and the national expert team on "
        "negative social control and honour-based violence. The Red Cross line specialises.",
    ),
    "negativ-sosial-kontroll": (
        "Kontroll fra familie kan gjøre det farlig å bli ringt opp. Avtal hvordan innringer "
        "vil bli kontaktet. Kompetanseteamet veileder fagpersoner.",
        "Control by the family can make a call-back dangerous. Agree how the caller wants "
        "to be contacted. The national expert team advises professionals.",
    ),
    "egen-voldsbruk": (
        "Møt den som bruker vold med respekt: det tar mot å ringe. Søk på emnet: "
        "behandlingstilbudene for voldsutøvere (i demoen «Eksempel voldsbehandling») og "
        "familievernet tar imot. Spør om barn er i huset.",
        "Meet people who use violence with respect: calling takes courage. Search the "
        'topic: treatment for people who use violence (in the demo "Example treatment") '
        "and family counselling take such calls. Ask whether children live there.",
    ),
    "vold-mot-eldre": (
        "Vold mot eldre kommer ofte fra egne barn. Vern for eldre gir råd, også til "
        "pårørende og ansatte i helsetjenesten.",
        "Violence against older people often comes from their own children. The national "
        "line for older people advises relatives and health workers too.",
    ),
    "menneskehandel": (
        "Ikke lov noe om oppholdstillatelse. ROSA gir bistand og trygt bosted til "
        "utsatte for menneskehandel.",
        "Promise nothing about residence permits. ROSA helps victims of human trafficking "
        "with support and safe housing.",
    ),
}


# Earlier demo texts a reload replaces: this one named a service the directory lacks.
OUTDATED_GUIDANCE = {
    "egen-voldsbruk": (
        "Møt den som bruker vold med respekt: det tar mot å ringe. Alternativ til Vold "
        "og familievernet tilbyr behandling. Spør om barn er i huset."
    ),
}
