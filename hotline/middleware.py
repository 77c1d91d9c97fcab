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


class PermissionsPolicyMiddleware:
    """Deny ``PERMISSIONS_POLICY_DENY`` on every response (static files and errors included).

    Django has no setting for this header. The desk needs none of the browser's powerful
    features (the copy button's clipboard write is allowed to our own origin by default),
    so a script that got in anyway could not turn on a camera or read a location.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.policy)
        return response
