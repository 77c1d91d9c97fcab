from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import check_for_language

from hotline.http import PUBLIC_API_PREFIX


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


class NoStoreMiddleware:
    """Every response but the public API's is ``Cache-Control: no-store`` (and private).

    Staff pages show what a caller said (the desk's search is in its URL), confidential
    addresses and statistics; no browser or proxy cache may keep them, error pages and the
    CSRF failure page included. Goes right after WhiteNoise, so static files stay cacheable
    and every other response passes through here, whichever middleware produced it. The
    public API's answers are cacheable by design (hotline/api/conditional.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(PUBLIC_API_PREFIX):
            add_never_cache_headers(response)
        return response
