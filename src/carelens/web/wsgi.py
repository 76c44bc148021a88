"""The WSGI application gunicorn serves (``carelens serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carelens.web.settings")
application = get_wsgi_application()
