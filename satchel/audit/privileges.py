"""Make the PostgreSQL audit append-only for everyone but the role that installed it.

Run right after the audit table and trigger function are created, by the owner (the role
migrations run as). The trigger function becomes ``SECURITY DEFINER``: it inserts with the
owner's rights whoever writes the audited row, so no other role needs - or keeps - any write
right on ``satchel_audit``: INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES and TRIGGER are
revoked from PUBLIC and from every role granted them (default privileges grant the runtime
role data rights on every new table, this one included); SELECT stays, so the service can
read its history. Only an owner can disable or drop a trigger, so a runtime role that owns
no table (:mod:`satchel.tenancy.roles`) cannot switch the audit off either.

A definer function runs with a fixed ``search_path`` (``pg_catalog``, the audit's schema,
then ``pg_temp``), so a caller's temporary table cannot stand in for ``satchel_audit``.
"""

from __future__ import annotations

__all__ = ["SEAL", "WRITE_RIGHTS"]

WRITE_RIGHTS = "INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER"

SEAL = [
    """
    DO $$
    BEGIN
        EXECUTE format(
            'ALTER FUNCTION satchel_audit_row() SECURITY DEFINER'
            ' SET search_path = pg_catalog, %I, pg_temp',
            current_schema()
        );
    END
    $$
    """,
    "REVOKE ALL ON FUNCTION satchel_audit_row() FROM PUBLIC",
    f"REVOKE {WRITE_RIGHTS} ON satchel_audit FROM PUBLIC",
    f"""
    DO $$
    DECLARE
        grantee text;
    BEGIN
        FOR grantee IN
            SELECT DISTINCT acl.grantee::regrole::text
              FROM pg_class AS audit, aclexplode(audit.relacl) AS acl
             WHERE audit.oid = 'satchel_audit'::regclass
               AND acl.grantee <> 0
               AND acl.grantee <> audit.relowner
               AND acl.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE',
                                          'REFERENCES', 'TRIGGER')
        LOOP
            EXECUTE format('REVOKE {WRITE_RIGHTS} ON satchel_audit FROM %s', grantee);
        END LOOP;
    END
    $$
    """,
]
