from channels.auth import AuthMiddlewareStack
from django.urls import path

from hotline.chat import consumers

websocket_urlpatterns = [
    # The writer has no account: its socket never reads a cookie or a session.
    path("ws/chat/", consumers.WriterConsumer.as_asgi()),
    path("ws/chat/desk/", AuthMiddlewareStack(consumers.OperatorConsumer.as_asgi())),
]
