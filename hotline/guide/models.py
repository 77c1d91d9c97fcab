"""The guidance library: shared articles that give every operator the same professional
basis (report 7.4.2 and 7.5), linked to topics and to who is calling.

Articles are translated (translation.py) and every change is kept in history. Like a
service, each has an owner and a review date, and shows on the editors' dashboard when
its review is due.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.manager import MultilingualManager

from services_directory.models import Topic

REVIEW_MONTHS = 12
UNDER_16 = "under_16"


class Audience(models.Model):
    """Who an article is for: a caller role of the call log (same codes), or under 16."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    label = models.CharField(_("label"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("caller role")
        verbose_name_plural = _("caller roles")

    def __str__(self) -> str:
        return self.label


def default_review_due() -> date:
    from services_directory.models.directory import add_months

    return add_months(timezone.localdate(), REVIEW_MONTHS)


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def for_topics(self, topics):
        return self.filter(topics__in=topics).distinct()

    def for_audiences(self, codes):
        return self.filter(audiences__code__in=codes).distinct()

    def for_topics_or_audiences(self, topics, codes):
        """On any of ``topics`` or for any of the caller roles ``codes``: the desk shows
        what fits the call from either side. Neither given: nothing."""
        match = Q()
        if topics:
            match |= Q(topics__in=topics)
        if codes:
            match |= Q(audiences__code__in=codes)
        return self.filter(match).distinct() if match else self.none()

    def matching(self, words: str):
        """Articles holding every word of ``words`` in a title, summary or text, in any
        language (an operator may search in bokmål while reading in English)."""
        query = self
        for word in words.split():
            match = Q()
            for language in settings.MODELTRANSLATION_LANGUAGES:
                for field in ("title", "summary", "body"):
                    match |= Q(**{f"{field}_{language}__icontains": word})
            query = query.filter(match)
        return query

    def needing_review(self, today: date, days: int):
        """Overdue, or due within ``days``: what the editors' dashboard lists."""
        return (
            self.filter(review_due__lte=today + timedelta(days=days))
            .select_related("owner")
            .order_by("review_due", "pk")
        )


# Translated model: built on modeltranslation's manager, as Service's is (see directory.py).
ArticleManager = MultilingualManager.from_queryset(ArticleQuerySet)


class Article(models.Model):
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences, shown beside the results on the desk."),
    )
    body = models.TextField(_("text"))
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="articles", verbose_name=_("topics")
    )
    audiences = models.ManyToManyField(
        Audience, blank=True, related_name="articles", verbose_name=_("caller roles")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
        help_text=_("Who keeps this article true."),
    )
    review_due = models.DateField(_("next review due"), default=default_review_due)
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Drafts are invisible to operators.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ArticleManager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("guidance article")
        verbose_name_plural = _("guidance articles")
        indexes = [models.Index(fields=["review_due"])]

    def __str__(self) -> str:
        return self.title

    def mark_reviewed(self) -> date:
        """Reviewed today: the next review is due in REVIEW_MONTHS."""
        with transaction.atomic():
            self.review_due = default_review_due()
            self.save(update_fields=["review_due", "updated_at"])
        return self.review_due
