"""Ready texts for the chat (greeting, "is it safe to write?", closing, ...): published
articles of the guidance library for the audience "chat", so editors keep them, in every
content language, like any other guidance."""

from django.conf import settings

from hotline.guide.library import library

CHAT_AUDIENCE = "chat"


def ready_texts(guide_token: int | None) -> list[dict[str, object]]:
    """Each text's title (the button) and its body per content language (bokmål where a
    language has none), for the desk's chat panel. From the process's copy of the
    library as of ``guide_token``, as the articles beside the results: no query a page."""
    articles = sorted(
        (
            shelf.article
            for shelf in library(guide_token).shelves
            if CHAT_AUDIENCE in shelf.audiences
        ),
        key=lambda article: article.pk,
    )
    texts: list[dict[str, object]] = []
    for article in articles:
        fallback = getattr(article, "body_nb", "") or article.body
        texts.append(
            {
                "title": article.title,
                "texts": {
                    code: getattr(article, f"body_{code}", "") or fallback
                    for code in settings.MODELTRANSLATION_LANGUAGES
                },
            }
        )
    return texts
