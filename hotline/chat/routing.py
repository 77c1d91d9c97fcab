from django.urls import path

from hotline.chat import consumers

websocket_urlpatterns = [
    path("ws/chat/", consumers.WriterConsumer.as_asgi()),
    path("ws/chat/desk/", consumers.OperatorConsumer.as_asgi()),
]
