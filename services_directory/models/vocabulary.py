"""Controlled vocabularies with stable codes (used by filters, HSDS and the API)."""

from typing import TYPE_CHECKING

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    # modeltranslation gives the translated vocabularies its MultilingualManager at start-up;
    # the type checker must know that class to type their managers.
    import modeltranslation.manager  # noqa: F401

# Service's many-to-many fields onto the vocabularies below, in the order editors see them.
SERVICE_VOCABULARIES = ("service_types", "topics", "target_groups", "languages", "accessibility")
# The ones a search can filter on (all of them: a caller who needs step-free access or a
# sign-language interpreter needs services that have it).
FILTERABLE_VOCABULARIES = SERVICE_VOCABULARIES
# The line's own interpreter and text-relay contacts (migration 0012), listed on the desk.
INTERPRETER_TYPE_CODE = "tolk-og-teksttelefon"

code_validator = RegexValidator(
    r"^[a-z0-9]+(-[a-z0-9]+)*$",
    _("Use lowercase letters, digits and single hyphens, e.g. “vold-i-nare-relasjoner”."),
)


class Term(models.Model):
    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    label = models.CharField(_("label"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label or self.code


class ServiceType(Term):
    # How often entries of this type must be re-verified by an editor.
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"), default=6
    )

    class Meta(Term.Meta):
        verbose_name = _("service type")
        verbose_name_plural = _("service types")


class Topic(Term):
    # Guidance for operators, shown next to results when this topic is selected.
    guidance = models.TextField(_("guidance for operators"), blank=True)

    class Meta(Term.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class TargetGroup(Term):
    class Meta(Term.Meta):
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")


class AccessibilityFeature(Term):
    class Meta(Term.Meta):
        verbose_name = _("accessibility feature")
        verbose_name_plural = _("accessibility features")


class Language(models.Model):
    """A language a service can be contacted in (ISO 639-1, plus Sámi variants)."""

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name_nb = models.CharField(_("name (bokmål)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)

    class Meta:
        ordering = ["name_nb"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        return f"{self.name_nb} ({self.code})"

    @property
    def label(self) -> str:
        """The name in the interface language."""
        return self.name_en if get_language() == "en" else self.name_nb
