"""The tenancy test app for a granian server with several workers (the change-feed test).

Settings come from the environment; every response names the worker process that served it.
"""

from __future__ import annotations

import os

from tests.tenancy.support import make_app

app = make_app(
    os.environ["FEED_TEST_REGISTRY"],
    change_feed_url=os.environ["FEED_TEST_REDIS"],
    cache_ttl=300,  # far beyond the test's bound: only the change feed can be in time
)


@app.after_request
def name_the_worker(response):
    response.headers["X-Worker-Pid"] = str(os.getpid())
    return response
