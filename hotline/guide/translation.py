"""Translated fields of the guidance library, then its change history (in this order, so
the historical table gets the per-language columns; see services_directory/translation.py)."""

from modeltranslation.translator import TranslationOptions, register
from simple_history import register as register_history

from hotline.guide.models import Article, Audience


@register(Article)
class ArticleTranslation(TranslationOptions):
    fields = ("title", "summary", "body")


@register(Audience)
class AudienceTranslation(TranslationOptions):
    fields = ("label",)


register_history(Article, m2m_fields=["topics", "audiences"])
