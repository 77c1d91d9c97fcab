"""What the call log tells other apps, so that it need not know them.

``call_closed`` is sent by ``Call.close`` inside the closing transaction, with the closed
call as ``call``: whatever a receiver writes commits or rolls back with the close, and a
receiver's error undoes the close. The reports app listens (see its apps.py).
"""

from django.dispatch import Signal

call_closed = Signal()
