"""ASGI entry point: HTTP as under WSGI, plus the chat's WebSockets (hotline/chat).

Only our own hosts may open a WebSocket (AllowedHostsOriginValidator), so another site
cannot drive a writer's or an operator's chat. The operator's socket reads the desk's
session (AuthMiddlewareStack, in hotline/chat/routing.py); the writer's has no account
and reads neither cookies nor a session.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")

# Django first: the routing below imports models.
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from hotline.chat.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns)),
    }
)
