"""Demo articles for the guidance library, written for this project (no copied text).

They sound real so the demo makes sense, but they are examples, not the line's routines.
"""

from dataclasses import dataclass

from django.db import transaction


@dataclass(frozen=True)
class DemoArticle:
    title_nb: str
    title_en: str
    summary_nb: str
    summary_en: str
    body_nb: str
    body_en: str
    topics: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()


ARTICLES = (
    DemoArticle(
        "Når innringeren er pårørende eller venn",
        "When the caller is a relative or friend",
        "Støtt den som ringer, og gi råd de kan ta med seg videre – uten å love noe på vegne "
        "av den utsatte.",
        "Support the caller and give advice they can pass on, without promising anything on "
        "behalf of the person exposed.",
        "Pårørende ringer ofte fordi de er redde, men usikre på hva de kan gjøre. Spør hva de "
        "har sett eller hørt, og hva de er mest bekymret for akkurat nå.\n\n"
        "Forklar at den utsatte selv bestemmer over egne valg. Det hjelper sjelden å presse; "
        "det hjelper å holde kontakten og si tydelig at volden ikke er greit.\n\n"
        "Gi gjerne nummeret til krisesenteret eller støttesenteret i kommunen, slik at den "
        "pårørende kan gi det videre. Pårørende kan også selv få samtaler ved mange sentre.\n\n"
        "Er noen i akutt fare, skal den som ringer kontakte politiet på 112.",
        "Relatives often call because they are frightened but unsure what they can do. Ask "
        "what they have seen or heard, and what worries them most right now.\n\n"
        "Explain that the person exposed makes their own choices. Pressure rarely helps; "
        "staying in touch and saying clearly that violence is not acceptable does.\n\n"
        "Offer the number of the local crisis or support centre so they can pass it on. "
        "Many centres also talk with relatives themselves.\n\n"
        "If anyone is in immediate danger, the caller should ring the police on 112.",
        topics=("vold-i-nare-relasjoner", "partnervold"),
        audiences=("parorende",),
    ),
    DemoArticle(
        "Samtaler med barn og unge under 16 år",
        "Talking with children and young people under 16",
        "Snakk enkelt, ta det barnet sier på alvor, og følg linjens rutine ved bekymring for "
        "et barn.",
        "Use simple words, take what the child says seriously, and follow the line's routine "
        "when you are concerned about a child.",
        "Barn som ringer har ofte brukt lang tid på å tørre. Si at det var bra at de ringte, "
        "og at de ikke har gjort noe galt.\n\n"
        "Still åpne spørsmål og la barnet fortelle i sitt tempo. Ikke lov å holde alt "
        "hemmelig; si heller at du vil hjelpe dem å finne en voksen som kan gjøre noe.\n\n"
        "Ved bekymring for at et barn utsettes for vold eller overgrep, drøft samtalen med "
        "vaktleder og følg linjens rutine for melding til barnevernet.\n\n"
        "Gi gjerne også nummeret til Alarmtelefonen for barn og unge, 116 111.",
        "Children who call have often taken a long time to dare. Tell them it was good that "
        "they called and that they have done nothing wrong.\n\n"
        "Ask open questions and let the child tell at their own pace. Do not promise to keep "
        "everything secret; say instead that you will help them find an adult who can act.\n\n"
        "When you are concerned that a child is exposed to violence or abuse, talk the call "
        "through with the shift leader and follow the line's routine for notifying the "
        "child welfare service.\n\n"
        "You can also give the number of the children's emergency line, 116 111.",
        topics=("vold-i-nare-relasjoner", "seksuelle-overgrep", "incest"),
        audiences=("under_16",),
    ),
    DemoArticle(
        "Når innringeren selv utøver vold",
        "When the caller uses violence",
        "Møt ønsket om å endre seg med respekt, vær tydelig på ansvaret, og henvis til "
        "behandling for voldsutøvere.",
        "Meet the wish to change with respect, be clear about responsibility, and refer to "
        "treatment for people who use violence.",
        "Det er et viktig skritt å ringe. Du kan anerkjenne det uten å bagatellisere volden: "
        "ansvaret for volden ligger hos den som utøver den.\n\n"
        "Spør om det er barn i hjemmet, og om noen er i fare nå. Er det fare, skal politiet "
        "varsles på 112.\n\n"
        "Finn tjenester med tjenestetypen «Behandling for voldsutøvere» for innringerens "
        "kommune. Mange tilbyr samtaler uten lang ventetid og uten henvisning fra lege.",
        "Calling is an important step. You can acknowledge it without playing the violence "
        "down: responsibility for the violence lies with the person who uses it.\n\n"
        "Ask whether there are children in the home, and whether anyone is in danger now. "
        "If so, the police must be alerted on 112.\n\n"
        "Search for services of the type “Treatment for people who use violence” for the "
        "caller's municipality. Many offer sessions without a long wait or a doctor's "
        "referral.",
        topics=("egen-voldsbruk",),
        audiences=("utover",),
    ),
    DemoArticle(
        "Fagpersoner som ringer om en bruker",
        "Professionals calling about someone they work with",
        "Hjelp fagpersonen videre uten å ta imot personopplysninger om brukeren.",
        "Help the professional on without taking personal details about the person they work with.",
        "Lærere, helsesykepleiere, NAV-ansatte og andre ringer for å drøfte en bekymring. Be "
        "dem beskrive situasjonen uten navn eller andre detaljer som kan identifisere "
        "brukeren.\n\n"
        "Pek på tjenestene i kommunen som brukeren kan henvises til, og minn om at "
        "fagpersonen kan ha egen meldeplikt etter sitt regelverk.\n\n"
        "For veiledning over tid kan fagpersoner kontakte regionale ressurssentre om vold, "
        "traumatisk stress og selvmordsforebygging (RVTS) i sin region.",
        "Teachers, school nurses, welfare staff and others call to talk a concern through. "
        "Ask them to describe the situation without names or other details that could "
        "identify the person.\n\n"
        "Point to the services in the municipality the person can be referred to, and "
        "remind them that they may have their own duty to notify under their rules.\n\n"
        "For guidance over time, professionals can contact the regional resource centre on "
        "violence, traumatic stress and suicide prevention (RVTS) for their region.",
        topics=("vold-i-nare-relasjoner",),
        audiences=("fagperson",),
    ),
    DemoArticle(
        "Voldtekt: de første døgnene",
        "Rape: the first days",
        "Overgrepsmottaket er gratis og krever ikke politianmeldelse. Spor kan sikres og "
        "lagres mens den utsatte tenker seg om.",
        "The sexual assault centre is free and needs no police report. Evidence can be "
        "secured and stored while the person decides.",
        "Mange tror at de må anmelde for å få hjelp. Det stemmer ikke: overgrepsmottaket gir "
        "medisinsk hjelp, samtale og sporsikring uten anmeldelse, og det er gratis.\n\n"
        "Jo tidligere den utsatte kommer, desto mer kan sikres. Råd gjerne til å ta med "
        "klærne i en papirpose, og å vente med å dusje om det går an – men si at det "
        "aldri er for sent å komme.\n\n"
        "Finn nærmeste overgrepsmottak med emnet «Voldtekt» på pulten, og gi nummeret til "
        "støttesenteret mot incest og seksuelle overgrep for samtaler senere.",
        "Many believe they must report to the police to get help. They need not: the sexual "
        "assault centre gives medical care, someone to talk to and forensic examination "
        "without a report, free of charge.\n\n"
        "The sooner the person comes, the more can be secured. You can suggest bringing "
        "their clothes in a paper bag and waiting to shower if they can, but say it is never "
        "too late to come.\n\n"
        "Find the nearest sexual assault centre with the topic “Rape” on the desk, and give "
        "the number of a support centre for later conversations.",
        topics=("voldtekt", "seksuelle-overgrep"),
        audiences=("utsatt",),
    ),
    DemoArticle(
        "Tvangsekteskap og negativ sosial kontroll",
        "Forced marriage and negative social control",
        "Avklar om det er akutt fare eller planlagt reise, og bruk de spesialiserte tjenestene.",
        "Find out whether there is immediate danger or a planned journey, and use the "
        "specialised services.",
        "Spør forsiktig om innringeren kan snakke fritt der de er nå, og om det finnes en "
        "trygg måte å ringe tilbake på.\n\n"
        "Er det planer om en reise til utlandet, haster det. Kompetanseteamet mot negativ "
        "sosial kontroll og tvangsekteskap gir råd til både utsatte og fagpersoner.\n\n"
        "Bruk tolk hvis det trengs, men aldri et familiemedlem eller noen fra innringerens "
        "nærmiljø.",
        "Ask carefully whether the caller can speak freely where they are, and whether there "
        "is a safe way to call back.\n\n"
        "A planned journey abroad makes it urgent. The national expert team on negative "
        "social control and forced marriage advises both those exposed and professionals.\n\n"
        "Use an interpreter if needed, but never a family member or anyone close to the "
        "caller.",
        topics=("tvangsekteskap", "negativ-sosial-kontroll"),
        audiences=("utsatt", "fagperson"),
    ),
    DemoArticle(
        "Tolk og teksttelefon i samtalen",
        "Interpreters and text relay in a call",
        "Hvordan du kobler inn telefontolk, tegnspråktolk eller teksttelefon, og hva du "
        "fører i samtaleloggen.",
        "How to bring in a telephone interpreter, a sign-language interpreter or text "
        "relay, and what to record in the call log.",
        "Kontaktene til linjens egne tolke- og relétjenester står i panelet «Tolk / "
        "teksttelefon» på pulten. Si til innringeren at tolken har taushetsplikt.\n\n"
        "Snakk direkte til innringeren, ikke til tolken, og bruk korte setninger.\n\n"
        "Før tilretteleggingen i samtaleloggen under «Tilrettelegging brukt», og tolkespråket "
        "der det var talespråktolk. Slik ser vi hvor ofte det trengs.",
        "The contacts of the line's own interpreter and relay services are in the "
        "“Interpreter / text relay” panel on the desk. Tell the caller that the interpreter "
        "is bound by confidentiality.\n\n"
        "Speak to the caller, not to the interpreter, and use short sentences.\n\n"
        "Record the adaptation in the call log under “Adaptation used”, and the language "
        "where a spoken-language interpreter was used. That is how we learn how often it is "
        "needed.",
        audiences=("utsatt", "parorende"),
    ),
    # Ready texts for the chat (audience "chat", hotline/chat/ready_texts.py): the title
    # is the button in the desk's chat panel, the text goes into the message box.
    DemoArticle(
        "Chat: hilsen",
        "Chat: greeting",
        "Ferdig tekst for chatten.",
        "Ready text for the chat.",
        "Hei, du skriver med Hjelpetelefonen, og her er du anonym. Hva vil du snakke om?",
        "Hello, you are writing with the helpline. You are anonymous here. "
        "What would you like to talk about?",
        audiences=("chat",),
    ),
    DemoArticle(
        "Chat: er det trygt?",
        "Chat: is it safe?",
        "Ferdig tekst for chatten.",
        "Ready text for the chat.",
        "Er det trygt for deg å skrive nå? Kan noen se skjermen din? Trykk «Rask utgang» "
        "eller Esc hvis noen kommer.",
        "Is it safe for you to write now? Can anyone see your screen? Press Quick exit or "
        "Esc if someone comes.",
        audiences=("chat",),
    ),
    DemoArticle(
        "Chat: avslutning",
        "Chat: closing",
        "Ferdig tekst for chatten.",
        "Ready text for the chat.",
        "Takk for at du skrev. Du kan alltid skrive eller ringe igjen, hele døgnet. "
        "Tjenestene jeg sendte kan du kopiere før du lukker siden.",
        "Thank you for writing. You can always write or call again. You can copy the "
        "services I sent before you close the page.",
        audiences=("chat",),
    ),
)


def load_demo_articles(owner) -> int:
    """Create or update the demo articles, published, owned by ``owner``; returns how many."""
    from hotline.guide.models import Article, Audience
    from services_directory.models import Topic

    with transaction.atomic():
        for demo in ARTICLES:
            # Found by its English title, so loading twice updates instead of duplicating.
            article, _created = Article.objects.update_or_create(
                title_en=demo.title_en,
                defaults={
                    "title_nb": demo.title_nb,
                    "summary_nb": demo.summary_nb,
                    "summary_en": demo.summary_en,
                    "body_nb": demo.body_nb,
                    "body_en": demo.body_en,
                    "owner": owner,
                    "is_published": True,
                },
            )
            article.topics.set(Topic.objects.filter(code__in=demo.topics))
            article.audiences.set(Audience.objects.filter(code__in=demo.audiences))
    return len(ARTICLES)
