"""The anonymous call log.

A call record must never identify a caller: it holds only categories, a start time
rounded to the hour, and the site. There is deliberately no free text, no exact
timestamp and no history (django-simple-history rows would carry times and users).
The operator is linked only while the call is open, so the desk can find "my open
call"; closing the call removes that link.
"""

import secrets
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from services_directory.models import Language, Municipality, Service, ServiceType, Topic

OSLO = ZoneInfo("Europe/Oslo")


class Site(models.Model):
    """A centre operators answer the national line from."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # New operators practise on a training site: its calls are kept out of every report.
    is_training = models.BooleanField(
        _("training site"),
        default=False,
        help_text=_("Calls logged here are practice: they never reach the reports."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="helpline_sites",
        verbose_name=_("members"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("helpline site")
        verbose_name_plural = _("helpline sites")

    def __str__(self) -> str:
        return self.name


def start_of_hour(moment: datetime) -> datetime:
    """``moment`` truncated to the whole hour in Oslo time (exact times could identify)."""
    return timezone.localtime(moment, OSLO).replace(minute=0, second=0, microsecond=0)


# Cell keys are sums of record keys modulo 2**31 (see docs/disclosure-control.md).
DISCLOSURE_KEY_LIMIT = 2**31


def new_disclosure_key() -> int:
    """A random per-record key; the reports derive their noise from sums of these."""
    return secrets.randbelow(DISCLOSURE_KEY_LIMIT)


class CallQuerySet(models.QuerySet):
    def open_for(self, user):
        return self.filter(is_open=True, operator=user)

    def closed(self):
        return self.filter(is_open=False)

    def counted(self):
        """Closed calls that belong in the reports: training calls never do."""
        return self.closed().filter(site__is_training=False)

    def left_open(self, started_before):
        """Calls still open that started before ``started_before``: forgotten ones."""
        return self.filter(is_open=True, started_hour__lt=started_before)


class Call(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", _("phone")
        CHAT = "chat", _("chat")
        SMS = "sms", _("SMS")

    class CallerRole(models.TextChoices):
        EXPOSED = "utsatt", _("exposed to violence")
        RELATIVE = "parorende", _("relative or friend")
        PROFESSIONAL = "fagperson", _("professional")
        PERPETRATOR = "utover", _("uses violence")
        # Context: bokmål says "annen" of a person, "annet" of a thing.
        OTHER = "annen", pgettext_lazy("caller role", "other")

    class AgeGroup(models.TextChoices):
        UNDER_16 = "under_16", _("under 16")
        AGE_16_17 = "16_17", _("16–17")
        AGE_18_24 = "18_24", _("18–24")
        AGE_25_34 = "25_34", _("25–34")
        AGE_35_49 = "35_49", _("35–49")
        AGE_50_66 = "50_66", _("50–66")
        AGE_67_PLUS = "67_plus", _("67 or older")
        UNKNOWN = "unknown", _("unknown")

    class Gender(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")
        OTHER = "other", _("other")
        UNKNOWN = "unknown", _("unknown")

    class Relation(models.TextChoices):
        PARTNER = "partner", _("partner")
        EX_PARTNER = "ex_partner", _("former partner")
        PARENT = "parent", _("parent")
        CHILD = "child", _("child")
        SIBLING = "sibling", _("sibling")
        OTHER_FAMILY = "other_family", _("other family")
        ACQUAINTANCE = "acquaintance", _("acquaintance")
        STRANGER = "stranger", _("stranger")
        UNKNOWN = "unknown", _("unknown")
        NOT_RELEVANT = "not_relevant", _("not relevant")

    class Outcome(models.TextChoices):
        REFERRED = "referred", _("referred to a service")
        INFORMATION = "information", _("information given")
        SUPPORT_TALK = "support_talk", _("support talk")
        SILENT_OR_HUNG_UP = "silent_or_hung_up", _("silent or hung up")
        WRONG_NUMBER = "wrong_number", _("wrong number")
        OTHER = "other", _("other")

    class UnmetReason(models.TextChoices):
        # Chosen explicitly at close: a blank (older calls, calls closed when left
        # open) means "not recorded", not "met", and neither is an unmet need.
        NONE = "none", _("none – the need was met")
        NO_SERVICE = "no_service", _("no suitable service")
        CLOSED = "closed", _("service closed")
        FULL = "full", _("service full")
        LANGUAGE = "language", _("language barrier")
        ACCESSIBILITY = "accessibility", _("not accessible")
        DISTANCE = "distance", _("too far away")
        OTHER = "other", _("other")

    class Adaptation(models.TextChoices):
        SPOKEN_INTERPRETER = "spoken_interpreter", _("spoken-language interpreter")
        SIGN_INTERPRETER = "sign_interpreter", _("sign-language interpreter")
        TEXT_RELAY = "text_relay", _("text relay (teksttelefon)")
        NONE = "none", _("no adaptation")

    class HeardVia(models.TextChoices):
        SEARCH = "search", _("internet search or website")
        SOCIAL_MEDIA = "social_media", _("social media")
        CAMPAIGN = "campaign", _("campaign, poster or media")
        POLICE = "police", _("police")
        HEALTH = "health", _("doctor or health service")
        CHILD_WELFARE = "child_welfare", _("child welfare service")
        SCHOOL = "school", _("school or student health service")
        HELP_SERVICE = "help_service", _("crisis centre or other help service")
        FAMILY_FRIENDS = "family_friends", _("family or friends")
        CALLED_BEFORE = "called_before", _("has called before")
        # Context: of a thing ("annet").
        OTHER = "other", pgettext_lazy("source", "other")

    # Random, not sequential: sequential ids would reveal the order of calls.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="calls", verbose_name=_("helpline site")
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("operator"),
    )
    is_open = models.BooleanField(_("open"), default=True, editable=False)
    # The only time on a call: the hour it started, never the minute.
    started_hour = models.DateTimeField(_("started (hour)"), editable=False)
    # One-time token of the final submit, so a double submit cannot close twice.
    close_token = models.UUIDField(
        _("close token"), null=True, blank=True, unique=True, editable=False
    )

    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE, blank=True
    )
    caller_role = models.CharField(
        _("who is calling"), max_length=20, choices=CallerRole.choices, blank=True
    )
    age_group = models.CharField(
        _("age group"), max_length=10, choices=AgeGroup.choices, blank=True
    )
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    topics = models.ManyToManyField(
        Topic, blank=True, through="calls.CallTopic", related_name="calls", verbose_name=_("topics")
    )
    relation = models.CharField(
        _("relation to the person using violence"),
        max_length=20,
        choices=Relation.choices,
        blank=True,
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("caller's municipality"),
    )
    acute = models.BooleanField(_("acute situation"), default=False)
    emergency_services = models.BooleanField(_("emergency services were involved"), default=False)
    interpreter_language = models.ForeignKey(
        Language,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("interpreter language"),
    )
    adaptation = models.CharField(
        _("adaptation used"), max_length=20, choices=Adaptation.choices, blank=True
    )
    heard_via = models.CharField(
        _("heard of the line through"), max_length=20, choices=HeardVia.choices, blank=True
    )
    referrals = models.ManyToManyField(
        Service,
        blank=True,
        through="calls.CallReferral",
        related_name="call_referrals",
        verbose_name=_("referred to"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    unmet_reason = models.CharField(
        _("unmet need"), max_length=20, choices=UnmetReason.choices, blank=True
    )
    # What the field is missing: counted only with an unmet need (see reports.summary).
    unmet_service_type = models.ForeignKey(
        ServiceType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("missing service type"),
    )
    # Secret random number, set once: the same set of calls always gets the same noise
    # in the reports, and sets that differ by one call get unrelated noise.
    disclosure_key = models.PositiveIntegerField(
        _("disclosure key"), default=new_disclosure_key, editable=False
    )

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.UniqueConstraint(
                fields=["operator"],
                condition=Q(is_open=True),
                name="calls_one_open_call_per_operator",
            ),
            # A closed call must not point back at who took it.
            models.CheckConstraint(
                condition=Q(is_open=True) | Q(operator__isnull=True, close_token__isnull=True),
                name="calls_closed_call_is_anonymous",
            ),
        ]

    def __str__(self) -> str:
        return str(_("call"))

    @classmethod
    def start(cls, user, site: Site, answers: dict | None = None) -> "Call":
        """Open a call for ``user``, or return the one already open (a double click).

        ``answers`` (as cleaned by ``CallForm``) prefill a new call: what the desk's
        search already says, for the operator to change."""
        with transaction.atomic():
            existing = cls.objects.open_for(user).first()
            if existing is not None:
                return existing
            try:
                with transaction.atomic():
                    call = cls.objects.create(
                        site=site,
                        operator=user,
                        is_open=True,
                        started_hour=start_of_hour(timezone.now()),
                        close_token=uuid.uuid4(),
                    )
            except IntegrityError:
                # A concurrent request opened one first; the constraint kept it single.
                return cls.objects.open_for(user).get()
            if answers:
                call.update_answers(answers)
            if not site.is_training:
                LastSite.objects.update_or_create(operator=user, defaults={"site": site})
            return call

    def update_answers(self, answers: dict) -> None:
        """Store the categorical answers (as cleaned by ``CallForm``)."""
        answers = dict(answers)
        topics = answers.pop("topics", None)
        with transaction.atomic():
            for name, value in answers.items():
                setattr(self, name, value)
            self.save()
            if topics is not None:
                self.topics.set(topics)

    def add_referral(self, service: Service) -> None:
        with transaction.atomic():
            self.referrals.add(service)

    def remove_referral(self, service: Service) -> None:
        with transaction.atomic():
            self.referrals.remove(service)

    def close(self, answers: dict | None = None) -> None:
        """Finish the call: from now on nothing links it to the operator. The desk closes
        calls through ``hotline.calls.services.close_call``, which also counts them in
        the reports' summary."""
        with transaction.atomic():
            if answers is not None:
                self.update_answers(answers)
            self.is_open = False
            self.operator = None
            self.close_token = None
            self.save()

    def discard(self) -> None:
        """Delete a call started by mistake."""
        with transaction.atomic():
            self.delete()


def is_unmet(reason: str) -> bool:
    """Whether an unmet-need answer counts as a need that went unmet."""
    return reason not in ("", Call.UnmetReason.NONE)


class LastSite(models.Model):
    """The real (not training) site an operator last started a call at: the start
    form's default, so that a real call never lands in training unnoticed.

    Kept per operator, apart from the calls: a closed call loses its link to the
    operator, so it cannot say where the operator works. It holds no time and no call.
    """

    operator = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("operator"),
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="+", verbose_name=_("helpline site")
    )

    class Meta:
        verbose_name = _("operator's last site")
        verbose_name_plural = _("operators' last sites")

    def __str__(self) -> str:
        return str(self.site)


class CallLink(models.Model):
    """A row linking a call to one of its topics or referrals. Its id is random: Django's
    own link tables number their rows, and the numbers would order calls (and their
    referrals) within the hour that the call record keeps."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class CallTopic(CallLink):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["call", "topic"], name="calls_calltopic_once")
        ]

    def __str__(self) -> str:
        return str(self.topic)


class CallReferral(CallLink):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["call", "service"], name="calls_callreferral_once")
        ]

    def __str__(self) -> str:
        return str(self.service)
