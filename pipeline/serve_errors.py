"""A Datasette plugin for ``pactwatch serve``: a failed request is one log line, not a traceback.

Datasette's default exception handler prints a rich traceback with every local variable for each failed request
(a query over its time limit, a bad ``_sort``): about 240 lines a request. This handler logs one line and answers
as the default would (JSON or the HTML error page, same status). :func:`pipeline.serve.serve` registers it in
place of the default; it imports Datasette, so only the serve command loads it.
"""

from __future__ import annotations

import logging
from typing import Any

from datasette import handle_exception as default
from datasette import hookimpl
from datasette.utils.asgi import Base400
from datasette.views.base import DatasetteError

log = logging.getLogger(__name__)


@hookimpl
def handle_exception(datasette: Any, request: Any, exception: BaseException) -> Any:
    """Log one line, then let the default handler build the response without printing anything."""
    shown = exception
    if not isinstance(exception, (Base400, DatasetteError)):  # the default prints these with traceback.print_exc
        shown = DatasetteError(f"{type(exception).__name__}: {exception}", status=500)
    first = str(exception).splitlines()[0] if str(exception) else type(exception).__name__
    log.warning("request failed (%s): %s %s: %s", getattr(shown, "status", 500), request.method,
                request.full_path[:300], first[:300], extra={"stage": "serve"})
    default.rich = None  # the default handler's rich traceback with locals
    return default.handle_exception(datasette, request, shown)
