"""A throwaway PostgreSQL cluster sized for the estate, with PgBouncer in front of it.

The machine's own PostgreSQL allows 100 connections; 1,500 tenant databases served
without connection churn need one server connection each, as they would across the
production's database servers. So the benchmark starts its own cluster from the same
PostgreSQL binaries (``tests/tenancy/clusters.py``: ``initdb``, ``pg_ctl``), with
``max_connections`` sized to the estate, and PgBouncer (Debian's ``pgbouncer``) in
transaction mode in front of it. Both live in a temporary directory and are stopped and
removed at the end.
"""

from __future__ import annotations

from tests.tenancy.clusters import PostgresCluster
from tests.tenancy.pgbouncer import PgBouncer


class PrivateCluster:
    """Start with :meth:`start`, stop and remove everything with :meth:`stop`."""

    def __init__(self, max_connections: int, bouncer_pool_size: int) -> None:
        self.server = PostgresCluster(max_connections, prefix="satbench-pg-")
        self.port = self.server.port
        # PgBouncer may use all but a few of the server's connections (admin, sampler).
        self.bouncer = PgBouncer(self.port, bouncer_pool_size, max_connections - 20)

    def start(self) -> PrivateCluster:
        self.server.start()
        self.bouncer.start()
        return self

    def stop(self) -> None:
        self.bouncer.stop()
        self.server.remove()
