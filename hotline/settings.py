"""Settings for the helpline operator desk.

All configuration comes from the environment (see README, "Production"). Each variable
may instead be given as NAME_FILE pointing at a secret file. Bad values stop start-up.
With nothing set, the app runs the zero-setup demo: DEBUG on, SQLite in the project dir.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from hotline.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)

_INSECURE_DEV_KEY = "django-insecure-demo-key-only-for-local-development"
SECRET_KEY = env_str("SECRET_KEY") or (_INSECURE_DEV_KEY if DEBUG else None)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# A deploy check the deployer has confirmed by hand (e.g. chat.W002 on a managed Redis).
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", [])


def _database(url: str | None) -> dj_database_url.DBConfig:
    if url is None:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE_DIR / "db.sqlite3")}
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # the library raises several unrelated types
        raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {exc}") from None
    if config["ENGINE"] not in {
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    }:
        raise ImproperlyConfigured("DATABASE_URL must be a postgres:// or sqlite:// URL.")
    if not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL has no database name.")
    if config["ENGINE"].endswith("sqlite3"):
        config["CONN_MAX_AGE"] = 0
    else:
        # Short OLTP queries: JIT compilation costs more (tens of ms) than it saves.
        options = config.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    return config


DATABASES = {"default": _database(env_str("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    # First, so that its runserver (daphne's, ASGI) wins: the demo serves the chat's
    # WebSockets too. daphne itself is not an installed app (see ASGI_APPLICATION).
    "hotline.chat",
    # modeltranslation must come before admin so its admin integration wins.
    "modeltranslation",
    "django.contrib.admin",
    # Before auth, so its createsuperuser (which audits the new admin's role) wins.
    "hotline.audit",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "hotline.accounts",
    "hotline.calls",
    "hotline.demo",
    "hotline.desk",
    "hotline.guide",
    "hotline.reports",
    "services_directory",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hotline.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hotline.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hotline.middleware.BokmalFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "hotline.accounts.throttle.PasswordCheckRefusedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "hotline.accounts.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must be last so it sees the final authentication result.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hotline.urls"
WSGI_APPLICATION = "hotline.wsgi.application"
# The chat's WebSockets (hotline/chat). daphne is not an installed app: its app would load
# twisted and the crypto stack into every WSGI worker. runserver (and so the demo) is
# daphne's all the same, through hotline/chat/management/commands/runserver.py.
ASGI_APPLICATION = "hotline.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hotline.accounts.context_processors.roles",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Password checks within their limits (see the block under PUBLIC_API_RATE_LIMIT).
    "hotline.accounts.throttle.ThrottledModelBackend",
    # Only for sessions signed in before the line above: it never checks a password.
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: lock a username from one address after repeated failures, for a
# limited time only, so an attacker elsewhere cannot lock staff out for good.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Attempts during a lockout must not extend it, or someone sharing the staff's network
# address could keep them locked out for good.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# One rule for the client's address (hotline.ratelimit.client_ip): behind our TLS proxy the
# address the proxy saw, so a lockout is per client, not per proxy. The audit log reads it
# through axes too.
AXES_CLIENT_IP_CALLABLE = "hotline.ratelimit.client_ip"

# Two-factor sign-in and staff sessions (hotline/accounts). Every role needs a second
# factor; only the demo (DEBUG on) may switch it off.
REQUIRE_2FA = env_bool("REQUIRE_2FA", default=True)
if not REQUIRE_2FA and not DEBUG:
    raise ImproperlyConfigured("REQUIRE_2FA=false is allowed only with DEBUG on (the demo).")
# With two factors, failures are forgotten only once the second one passes: the password
# alone must not wipe the count of wrong codes.
AXES_RESET_ON_SUCCESS = not REQUIRE_2FA
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Hjelpetelefonen")
# django-otp's throttle is per device, so anyone with the password could keep a user's
# codes refused from everywhere. Guessing is limited per user and address by axes, and
# per user with a budget that spares the user's known addresses (hotline/accounts/two_factor.py).
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Passkeys (WebAuthn) as a second factor beside the app (hotline/accounts/passkeys.py).
# A passkey is bound to the relying party ID, the site's domain: changing it later makes
# every registered passkey useless. Browsers accept "localhost" over plain HTTP only.
_DEFAULT_RP_ID = (
    "localhost" if DEBUG else next((h.lstrip(".") for h in ALLOWED_HOSTS if h != "*"), "localhost")
)
WEBAUTHN_RP_ID = env_str("WEBAUTHN_RP_ID", _DEFAULT_RP_ID)
WEBAUTHN_RP_NAME = env_str("WEBAUTHN_RP_NAME", "Hjelpetelefonen")
# The exact origins (scheme, host and any port) a browser may sign from.
WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "WEBAUTHN_ALLOWED_ORIGINS",
    ["http://localhost:8000"] if DEBUG else [f"https://{WEBAUTHN_RP_ID}"],
)
# A session ends after this long without a request, and SESSION_COOKIE_AGE after sign-in.
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600, minimum=300)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Our windows share no browsing context with other sites' (Django's default, kept on purpose).
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features no page may use (sent by hotline.middleware.PermissionsPolicyMiddleware).
# Passkeys (publickey-credentials-*) and the clipboard keep their default: our origin only.
PERMISSIONS_POLICY_DENY = [
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


# Rate-limit counters live here. With several server processes or hosts they must be
# shared: CACHE_URL=redis://host:6379/0 (or rediss:// for TLS). CACHE_BACKEND and
# CACHE_LOCATION name any other Django cache backend. CACHE_KEY_PREFIX keeps deployments
# that share one Redis apart.
def _cache(url: str | None) -> dict:
    if url is None:
        backend = env_str("CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache")
        return {"BACKEND": backend, "LOCATION": env_str("CACHE_LOCATION", "")}
    if env_str("CACHE_BACKEND") or env_str("CACHE_LOCATION"):
        raise ImproperlyConfigured("Set CACHE_URL or CACHE_BACKEND/CACHE_LOCATION, not both.")
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CACHE_URL must be a redis://, rediss:// or unix:// URL.")
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}


CACHES = {
    "default": {**_cache(env_str("CACHE_URL")), "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "")}
}
# Requests per minute from one address to the open API under /api/v1/public/ (counted in
# the cache above, so share it between processes for the limit to hold).
PUBLIC_API_RATE_LIMIT = env_int("PUBLIC_API_RATE_LIMIT", 120, minimum=1)
# What anonymous clients may make the servers do at once (hotline/slots.py), counted in
# the cache above: with CACHE_URL across every process and host, otherwise per process.
# Beyond it they get a 503 with Retry-After at once, so they never queue for the workers
# the desk needs. Public API requests; password checks (~0.3 s of CPU each, also for a
# name that is no account); and failed password checks from one address per
# AXES_COOLOFF_TIME, whatever the usernames, before that address gets a 429.
PUBLIC_API_SLOTS = env_int("PUBLIC_API_SLOTS", 4, minimum=1)
PASSWORD_CHECK_SLOTS = env_int("PASSWORD_CHECK_SLOTS", 2, minimum=1)
SIGN_IN_ADDRESS_FAILURE_LIMIT = env_int("SIGN_IN_ADDRESS_FAILURE_LIMIT", 30, minimum=1)
# /healthz must answer plain HTTP probes from the load balancer.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Everything is served from our own origin; no inline scripts, no CDNs.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Closed calls are deleted (manage.py purge_old_calls) this many months after they began;
# the reports keep their figures.
CALL_RETENTION_MONTHS = env_int("CALL_RETENTION_MONTHS", 36, minimum=1)

# Reports never publish a count below this many calls (docs/disclosure-control.md).
# Below 3 a published figure could single out a caller, so such values are refused.
REPORTS_MIN_CELL = env_int("REPORTS_MIN_CELL", 5, minimum=3)

# The UI is bokmål first, with English beside it.
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", "Norsk bokmål"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Oslo"
USE_TZ = True

# Django knows no Northern Sámi; content translation needs its language info.
LANG_INFO.setdefault(
    "se", {"bidi": False, "code": "se", "name": "Northern Sami", "name_local": "davvisámegiella"}
)

# Directory content is translated into bokmål, nynorsk, English and Northern Sámi. This is
# the one list of content languages: code that needs it reads it from here.
MODELTRANSLATION_LANGUAGES = ("nb", "nn", "en", "se")
MODELTRANSLATION_DEFAULT_LANGUAGE = "nb"
# A text missing in any language is shown in bokmål.
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": (MODELTRANSLATION_DEFAULT_LANGUAGE,)}
# The admin's translation tabs need jQuery UI: serve our vendored copy, not a CDN.
JQUERY_UI_URL = "vendor/jquery-ui-1.14.2.min.js"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Review reminders go to editors; the demo prints mail to the console. A server must name
# its backend: the console one would drop every reminder silently (and fails mail.E001).
_EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend" if DEBUG else None
)
if not _EMAIL_BACKEND:
    raise ImproperlyConfigured(
        "EMAIL_BACKEND must be set when DEBUG is off "
        "(e.g. django.core.mail.backends.smtp.EmailBackend)."
    )
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": (
            {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 587, minimum=1),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
            }
            if _EMAIL_BACKEND.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ikke-svar@localhost")
# Where the links that services get by e-mail (to confirm their entry) point, e.g.
# https://desk.example.no. review_reminders refuses to send links without it.
SITE_URL = env_str("SITE_URL", "").rstrip("/")
if SITE_URL and not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("SITE_URL must start with https:// (or http://).")

# A shelter's report of free places older than this is shown to operators as "call to
# check", not as fact: places fill up within hours.
CAPACITY_STALE_HOURS = env_int("CAPACITY_STALE_HOURS", 12, minimum=1)
# check_directory names the helpline and this address in its User-Agent, so the owner of a
# site we check can reach us instead of blocking us.
DIRECTORY_CHECK_CONTACT = env_str("DIRECTORY_CHECK_CONTACT", DEFAULT_FROM_EMAIL)
# check_directory refuses internal addresses (loopback, private, link-local, ...) unless
# their host is named here: an editor's typo must not make us probe our own network.
LINK_CHECK_ALLOWED_HOSTS = env_list("LINK_CHECK_ALLOWED_HOSTS", [])

# Never log query strings (they may hold what an operator typed during a call) nor ids in
# paths: Django's request warnings name the path, and every line passes the console
# handler's filter. gunicorn.conf.py keeps its access log to the same rule.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_path": {"()": "hotline.log_privacy.RequestPathFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_path"]},
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        # Not Django's default handlers (their console has no filter, and mail_admins
        # mails the whole request): through the root's filtered console only.
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["null"], "propagate": False},
        # daphne's runserver (the demo): its request lines name the client's address.
        "django.channels.server": {"handlers": ["null"], "propagate": False},
        "axes": {"level": "WARNING"},
    },
}


# The anonymous chat (hotline/chat, docs/chat.md). CHAT_REDIS_URL (redis:// or rediss://)
# carries both the channel layer and the shared queue, so every ASGI process and host
# serves one queue. Unset, one process keeps both in memory: the demo and the fast tests.
CHAT_REDIS_URL = env_str("CHAT_REDIS_URL")
if CHAT_REDIS_URL and not CHAT_REDIS_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("CHAT_REDIS_URL must be a redis:// or rediss:// URL.")
CHAT_KEY_PREFIX = env_str("CHAT_KEY_PREFIX", "chat")
CHANNEL_LAYERS = {
    "default": (
        {
            "BACKEND": "hotline.chat.layer.BoundedRedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": CHAT_REDIS_URL,
                        # redis-py 8 reads with a 5 s timeout by default, which cuts the
                        # layer's 5 s blocking receive and tears every quiet socket down
                        # (django/channels_redis#422).
                        "socket_timeout": 15,
                        # The receive loop holds one; a burst waits up to 10 s for the rest.
                        "max_connections": 16,
                        "timeout": 10,
                    }
                ],
                "prefix": f"{CHAT_KEY_PREFIX}-asgi",
                # A process's consumers share one inbox in Redis, so its capacity is for
                # all of them (the default, 100, drops messages with hundreds open).
                "capacity": 5000,
            },
        }
        if CHAT_REDIS_URL
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    )
}
# Opening hours, Oslo time, every day: "HH:MM-HH:MM" ("00:00-00:00" is round the clock).
# CHAT_HOLIDAY_HOURS: "closed", "normal" or a span, for public holidays.
CHAT_HOURS = env_str("CHAT_HOURS", "00:00-00:00")
CHAT_HOLIDAY_HOURS = env_str("CHAT_HOLIDAY_HOURS", "normal")
# The line's round-the-clock numbers, shown when the chat is closed.
CHAT_PHONE_NUMBERS = env_list("CHAT_PHONE_NUMBERS", ["116 006"])
# Where quick exit sends the writer (the page is replaced, with no history entry back).
CHAT_QUICK_EXIT_URL = env_str("CHAT_QUICK_EXIT_URL", "https://www.yr.no/")
CHAT_MAX_CONCURRENT = env_int("CHAT_MAX_CONCURRENT", 2, minimum=1)
CHAT_MAX_MESSAGE_LENGTH = env_int("CHAT_MAX_MESSAGE_LENGTH", 2000, minimum=100)
# A chat with no message either way for this long ends (and its state expires).
CHAT_IDLE_SECONDS = env_int("CHAT_IDLE_SECONDS", 2 * 3600, minimum=1)
CHAT_BLOCK_HOURS = env_int("CHAT_BLOCK_HOURS", 4, minimum=1)
# A writer whose connection drops (a phone locking, a train tunnel) may come back to the
# same chat from the same page for this long; 0 ends the chat at once.
CHAT_RESUME_SECONDS = env_int("CHAT_RESUME_SECONDS", 120, minimum=0)
# Per address (kept only as a hash with a salt that changes daily): chats open at once,
# new chats per hour, messages per minute. Raise the first for shared networks.
CHAT_CHATS_PER_ADDRESS = env_int("CHAT_CHATS_PER_ADDRESS", 1, minimum=1)
CHAT_STARTS_PER_HOUR = env_int("CHAT_STARTS_PER_HOUR", 10, minimum=1)
CHAT_MESSAGES_PER_MINUTE = env_int("CHAT_MESSAGES_PER_MINUTE", 30, minimum=1)
