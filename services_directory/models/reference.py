"""Norwegian reference geography: counties, municipalities, postcodes and places.

Rows are never deleted. When the municipal structure changes (mergers, renumbering),
the loader marks rows that left the register inactive, so history that points at them
(call records, old coverage) stays intact.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActiveQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class County(models.Model):
    number = models.CharField(_("number"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    number = models.CharField(_("number"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100)
    official_name = models.CharField(_("official name"), max_length=200, blank=True)
    sami_name = models.CharField(_("Sámi name"), max_length=100, blank=True)
    kven_name = models.CharField(_("Kven name"), max_length=100, blank=True)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("county")
    )
    # Representative point inside the municipality's land area (WGS84).
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    population = models.PositiveIntegerField(_("population"), default=0)
    # Set by the loader when another active municipality has the same name
    # (Herøy, Våler), so labels can add the county.
    name_is_shared = models.BooleanField(default=False, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        ordering = ["name", "number"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.name_is_shared:
            return f"{self.name} ({self.county.name})"
        return self.name


class Postcode(models.Model):
    class Category(models.TextChoices):
        STREET = "G", _("street addresses")
        PO_BOX = "P", _("PO boxes")
        BOTH = "B", _("street addresses and PO boxes")
        SERVICE = "S", _("service postcode")

    class Territory(models.TextChoices):
        MAINLAND = "mainland", _("mainland Norway")
        SVALBARD = "svalbard", _("Svalbard")
        JAN_MAYEN = "jan_mayen", _("Jan Mayen")

    code = models.CharField(_("postcode"), max_length=4, unique=True)
    place = models.CharField(_("postal place"), max_length=100)
    category = models.CharField(_("category"), max_length=1, choices=Category.choices)
    # Svalbard and Jan Mayen are not municipalities: their postcodes keep the
    # register's area number and a territory, with no municipality.
    territory = models.CharField(
        _("territory"), max_length=10, choices=Territory.choices, default=Territory.MAINLAND
    )
    area_number = models.CharField(_("area number in the postcode register"), max_length=4)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="postcodes",
        null=True,
        blank=True,
        verbose_name=_("municipality"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("postcode")
        verbose_name_plural = _("postcodes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(territory="mainland", municipality__isnull=False)
                | ~models.Q(territory="mainland"),
                name="mainland_postcode_has_municipality",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.place}"


class Place(models.Model):
    """A larger place (GeoNames populated place), so operators can type "Mo i Rana"."""

    geonameid = models.PositiveIntegerField(unique=True)
    name = models.CharField(_("name"), max_length=100)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="places",
        verbose_name=_("municipality"),
    )
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    population = models.PositiveIntegerField(_("population"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        ordering = ["-population", "name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def __str__(self) -> str:
        return self.name


class PlaceName(models.Model):
    """A Sámi, Kven or Norwegian name of a place that the GeoNames places lack or list
    without saying its language ("Romsa" and "Tromssa" for Tromsø, "Máze" for Masi), so
    that the desk finds the place's municipality by it. Loaded from
    ``data/place_names.csv``, where each name's source is given."""

    class Language(models.TextChoices):
        NORWEGIAN = "nb", _("Norwegian")
        NORTHERN_SAMI = "se", _("Northern Sámi")
        LULE_SAMI = "smj", _("Lule Sámi")
        SOUTHERN_SAMI = "sma", _("Southern Sámi")
        KVEN = "fkv", _("Kven")

    name = models.CharField(_("name"), max_length=100, unique=True)
    language = models.CharField(_("language"), max_length=3, choices=Language.choices)
    place = models.CharField(
        _("place"), max_length=100, help_text=_("The place's name in Norwegian.")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="place_names",
        verbose_name=_("municipality"),
    )
    source = models.CharField(_("source"), max_length=300)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("place name")
        verbose_name_plural = _("place names")

    def __str__(self) -> str:
        return self.name
