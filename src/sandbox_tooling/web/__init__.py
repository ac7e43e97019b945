"""The web console: server-rendered pages (Jinja2 + htmx) over the same services as the API.

``install(app, settings)`` adds the console to the FastAPI app: its routes under ``/console``
(out of the OpenAPI description), its static files, the signed session cookie and the HTML
rendering of errors on console paths. Pages call the services in this process with the
signed-in user's ``Principal``, so they enforce exactly what the API enforces.
"""

from sandbox_tooling.web.app import install
from sandbox_tooling.web.context import PREFIX

__all__ = ["PREFIX", "install"]
