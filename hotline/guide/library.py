"""The published articles the desk shows beside its results, and the caller roles it
offers as chips, kept by each process.

Every desk search shows the articles on the topics chosen or for who is calling: a query
with two many-to-many joins each time, for a library of a few dozen articles that
changes a few times a month. Each process keeps them instead, with their topics and
caller roles, until the library's tables stamp a new ``GUIDE`` token (database
triggers, ``services_directory.triggers``; the desk reads the token with the search
index's, in the same query).
"""

import threading
from typing import NamedTuple

from hotline.guide.models import Article, Audience

BESIDE_RESULTS = 5


class Shelf(NamedTuple):
    article: Article
    topics: frozenset[int]
    audiences: frozenset[str]


class Library(NamedTuple):
    token: int | None
    shelves: tuple[Shelf, ...]
    roles: tuple[Audience, ...]

    @classmethod
    def load(cls, token: int | None) -> "Library":
        articles = Article.objects.published().prefetch_related("topics", "audiences")
        return cls(
            token,
            tuple(
                Shelf(
                    article,
                    frozenset(topic.pk for topic in article.topics.all()),
                    frozenset(audience.code for audience in article.audiences.all()),
                )
                for article in articles
            ),
            tuple(Audience.objects.all()),
        )

    def beside_results(self, topics, codes, limit: int = BESIDE_RESULTS) -> list[Article]:
        """On any of ``topics`` or for any of the caller roles ``codes``, by title in
        the active language: what ``Article.objects.for_topics_or_audiences`` finds."""
        wanted, roles = {topic.pk for topic in topics or ()}, set(codes or ())
        found = [
            shelf.article
            for shelf in self.shelves
            if shelf.topics & wanted or shelf.audiences & roles
        ]
        return sorted(found, key=lambda article: (article.title.casefold(), article.pk))[:limit]


_current: Library | None = None
_loading = threading.Lock()


def library(token: int | None) -> Library:
    """This process's library as of ``token`` (the GUIDE token just read)."""
    global _current
    found = _current
    if found is None or found.token != token:
        with _loading:
            found = _current
            if found is None or found.token != token:
                found = _current = Library.load(token)
    return found
