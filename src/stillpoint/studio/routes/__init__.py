"""The studio's HTTP layer: requests in, use cases of stillpoint.app called, JSON and files out.

Every route only translates: it reads and bounds what the page sent (`fields`), calls the application layer (on the
voice thread when speech is needed) and turns the answer, or the error (`errors`), into a response. One module per
thing the page works on: the page itself, the practices, the draft being checked, hearing, handing over, recording.
The JSON API of each is mounted under /api; the files they serve (parts heard, exports) have addresses of their own.
"""

from __future__ import annotations

from starlette.routing import Mount

from stillpoint.studio.routes import drafts, errors, handover, hearing, pages, practices, recording

ROUTES = [
    *pages.ROUTES,
    Mount("/api", routes=[*practices.API, *drafts.API, *hearing.API, *handover.API, *recording.API]),
    *hearing.FILES,
    *handover.FILES,
]
EXCEPTION_HANDLERS = errors.HANDLERS
UPLOADS = recording.UPLOADS
