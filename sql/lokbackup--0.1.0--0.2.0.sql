-- lokbackup 0.1.0 -> 0.2.0.

\echo Use "ALTER EXTENSION lokbackup UPDATE TO '0.2.0'" to load this file. \quit

-- Quotes `word` for a POSIX shell, so that the command line a plan shows is safe to paste
-- whatever the names in it hold ($(...), quotes, spaces, newlines).
CREATE FUNCTION lokbackup_shell_quote(word text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN word ~ '^[A-Za-z0-9_./=-]+$' THEN word
            ELSE '''' || replace(word, '''', '''"''"''') || '''' END;

-- The command a plan shows: names quoted for the shell rather than for SQL, and given as
-- --option=VALUE, so that a name that starts with "-" is still a value.
CREATE OR REPLACE FUNCTION lokbackup_restore_plan(backup text DEFAULT 'latest', database text DEFAULT NULL)
    RETURNS SETOF @extschema@.lokbackup_plan
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b @extschema@.lokbackup_backups := @extschema@.lokbackup_find_backup(backup, database);
    catalog text := current_setting('lokbackup.database');
BEGIN
    INSERT INTO @extschema@.lokbackup_audit (actor, action, backup_id, detail)
    VALUES (@extschema@.lokbackup_actor(), 'restore_plan', b.id, jsonb_build_object('requested', backup));
    RETURN QUERY SELECT
        b.id, b.database, b.contents, @extschema@.lokbackup_storage_location(b.object_key),
        -- The manifest's key is the object's plus this suffix (manifest_key() in core).
        @extschema@.lokbackup_storage_location(b.object_key || '.manifest.json'),
        b.sha256, b.size, b.raw_size, b.format, b.compression, catalog, b.requested_at,
        format('lokbackup restore %s %s%s', b.id,
               @extschema@.lokbackup_shell_quote('--dbname=' || coalesce(b.database, catalog)),
               CASE WHEN catalog <> 'postgres'
                    THEN ' ' || @extschema@.lokbackup_shell_quote('--catalog-dbname=' || catalog)
                    ELSE '' END);
END
$$;
