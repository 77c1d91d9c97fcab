from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import check_for_language


class BokmalFirstLocaleMiddleware(LocaleMiddleware):
    """Bokmål unless the user chose English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a staff
    member with an English browser would get English without asking for it.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen and check_for_language(chosen) else settings.LANGUAGE_CODE
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
