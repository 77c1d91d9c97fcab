"""Translated content fields (settings.MODELTRANSLATION_LANGUAGES), then change history.

History is registered here rather than with a HistoricalRecords() field on the models,
so that the historical tables also get the per-language columns that modeltranslation
adds (the order django-simple-history documents for use with modeltranslation).
"""

from modeltranslation.translator import TranslationOptions, register
from simple_history import register as register_history

from services_directory.models import (
    AccessibilityFeature,
    CapacityLink,
    ConfirmationLink,
    ContactChannel,
    Location,
    OpeningHours,
    Organization,
    Service,
    ServiceType,
    ShelterCapacity,
    TargetGroup,
    Topic,
)
from services_directory.models.vocabulary import SERVICE_VOCABULARIES


@register(Service)
class ServiceTranslation(TranslationOptions):
    fields = ("name", "description", "fees_description")


@register(ServiceType)
@register(TargetGroup)
@register(AccessibilityFeature)
class TermTranslation(TranslationOptions):
    fields = ("label",)


@register(Topic)
class TopicTranslation(TranslationOptions):
    fields = ("label", "guidance")


@register(ContactChannel)
class ChannelTranslation(TranslationOptions):
    fields = ("description",)


register_history(
    Service,
    m2m_fields=[*SERVICE_VOCABULARIES, "coverage_counties", "coverage_municipalities"],
)
for model in (
    Organization,
    Location,
    ContactChannel,
    OpeningHours,
    ServiceType,
    Topic,
    TargetGroup,
    AccessibilityFeature,
):
    register_history(model)

# Every capacity report is kept: supervisors count from it how often shelters were full.
register_history(ShelterCapacity)
# Who issued, rotated and revoked shelters' links, without the token hashes.
register_history(CapacityLink, excluded_fields=["token_hash"])
# Who asked which service to confirm its entry, and when; never the token hashes.
register_history(ConfirmationLink, excluded_fields=["token_hash"])
