"""runserver through daphne (ASGI), so the demo serves the chat's WebSockets. Imported
only when runserver runs: twisted stays out of the WSGI workers."""

from daphne.management.commands.runserver import Command as DaphneRunserver


class Command(DaphneRunserver):
    pass
