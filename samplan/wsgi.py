"""WSGI entry point (gunicorn samplan.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samplan.settings")
application = get_wsgi_application()
