"""Ship the controlled vocabularies with stable codes (labels in nb and en).

Editors can add terms and edit labels later; codes are what filters, HSDS and the API
use, so they never change once shipped.
"""

from django.db import migrations

SERVICE_TYPES = [
    ("krisesenter", "Krisesenter", "Crisis centre"),
    ("overgrepsmottak", "Overgrepsmottak", "Sexual assault centre"),
    ("legevakt", "Legevakt", "Emergency medical clinic"),
    ("politi", "Politi", "Police"),
    ("stottesenter", "Støttesenter", "Support centre"),
    ("hjelpetelefon", "Hjelpetelefon", "Helpline"),
    ("familievern", "Familievern", "Family counselling"),
    ("barnevern", "Barnevern", "Child welfare"),
    ("voldsbehandling", "Behandling for voldsutøvere", "Treatment for people who use violence"),
    ("juridisk", "Juridisk hjelp", "Legal aid"),
    ("radgivning", "Rådgivning", "Counselling"),
    ("helse", "Helsetjeneste", "Health service"),
    ("kompetansesenter", "Kompetansesenter", "Resource centre"),
]
TOPICS = [
    ("vold-i-nare-relasjoner", "Vold i nære relasjoner", "Domestic violence"),
    ("partnervold", "Partnervold", "Intimate partner violence"),
    ("voldtekt", "Voldtekt", "Rape"),
    ("seksuelle-overgrep", "Seksuelle overgrep", "Sexual abuse"),
    ("incest", "Incest", "Incest"),
    ("tvangsekteskap", "Tvangsekteskap", "Forced marriage"),
    ("negativ-sosial-kontroll", "Negativ sosial kontroll", "Negative social control"),
    ("kjonnslemlestelse", "Kjønnslemlestelse", "Female genital mutilation"),
    ("vold-mot-eldre", "Vold mot eldre", "Violence against older people"),
    ("menneskehandel", "Menneskehandel", "Human trafficking"),
    ("digital-vold", "Digital vold", "Digital violence"),
    ("forfolgelse", "Forfølgelse", "Stalking"),
    ("vold-utenfor-nare-relasjoner", "Vold utenfor nære relasjoner", "Violence outside close relationships"),
    ("egen-voldsbruk", "Egen voldsbruk", "Own use of violence"),
]
TARGET_GROUPS = [
    ("kvinner", "Kvinner", "Women"),
    ("menn", "Menn", "Men"),
    ("unge", "Barn og unge", "Children and young people"),
    ("eldre", "Eldre", "Older people"),
    ("minoritet", "Minoritetsbakgrunn", "Minority background"),
    ("funksjonsnedsettelse", "Personer med funksjonsnedsettelse", "People with disabilities"),
    ("lhbtiq", "LHBTIQ+", "LGBTIQ+"),
    ("rus", "Rusproblemer", "Substance use problems"),
    ("parorende", "Pårørende", "Relatives"),
    ("fagpersoner", "Fagpersoner", "Professionals"),
    ("utovere", "Personer som utøver vold", "People who use violence"),
]
ACCESSIBILITY = [
    ("rullestol", "Tilgjengelig med rullestol", "Wheelchair access"),
    ("teksttelefon", "Teksttelefon", "Text telephone"),
    ("tegnspraktolk", "Tegnspråktolk", "Sign-language interpreter"),
    ("tolk", "Tolk ved behov", "Interpreter on request"),
    ("teleslynge", "Teleslynge", "Hearing loop"),
]
# Review intervals that differ from the 6-month default: police and emergency clinics
# change rarely; crisis centres' details matter most and are reviewed more often.
REVIEW_MONTHS = {"krisesenter": 3, "overgrepsmottak": 3}

LANGUAGES = [
    ("nb", "norsk bokmål", "Norwegian Bokmål"),
    ("nn", "nynorsk", "Norwegian Nynorsk"),
    ("se", "nordsamisk", "Northern Sámi"),
    ("smj", "lulesamisk", "Lule Sámi"),
    ("sma", "sørsamisk", "South Sámi"),
    ("fkv", "kvensk", "Kven"),
    ("nsl", "norsk tegnspråk", "Norwegian Sign Language"),
    ("en", "engelsk", "English"),
    ("sv", "svensk", "Swedish"),
    ("da", "dansk", "Danish"),
    ("fi", "finsk", "Finnish"),
    ("de", "tysk", "German"),
    ("fr", "fransk", "French"),
    ("es", "spansk", "Spanish"),
    ("pl", "polsk", "Polish"),
    ("lt", "litauisk", "Lithuanian"),
    ("ru", "russisk", "Russian"),
    ("uk", "ukrainsk", "Ukrainian"),
    ("ar", "arabisk", "Arabic"),
    ("so", "somali", "Somali"),
    ("ti", "tigrinja", "Tigrinya"),
    ("fa", "persisk", "Persian"),
    ("prs", "dari", "Dari"),
    ("ps", "pashto", "Pashto"),
    ("ur", "urdu", "Urdu"),
    ("tr", "tyrkisk", "Turkish"),
    ("ku", "kurdisk", "Kurdish"),
    ("th", "thai", "Thai"),
    ("tl", "tagalog", "Tagalog"),
    ("vi", "vietnamesisk", "Vietnamese"),
    ("zh", "kinesisk", "Chinese"),
]


def seed(apps, schema_editor):
    for model_name, rows in [
        ("ServiceType", SERVICE_TYPES),
        ("Topic", TOPICS),
        ("TargetGroup", TARGET_GROUPS),
        ("AccessibilityFeature", ACCESSIBILITY),
    ]:
        model = apps.get_model("services_directory", model_name)
        for position, (code, nb, en) in enumerate(rows):
            extra = {}
            if model_name == "ServiceType":
                extra["review_interval_months"] = REVIEW_MONTHS.get(code, 6)
            model.objects.update_or_create(
                code=code,
                defaults={"label": nb, "label_nb": nb, "label_en": en, "position": position, **extra},
            )
    Language = apps.get_model("services_directory", "Language")
    for code, nb, en in LANGUAGES:
        Language.objects.update_or_create(code=code, defaults={"name_nb": nb, "name_en": en})


class Migration(migrations.Migration):
    dependencies = [("services_directory", "0002_directory")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
