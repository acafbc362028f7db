#include "cli/restore/database_properties_query.hpp"

namespace lokbackup::cli
{

namespace
{

// Every session's search_path is pg_catalog alone (connection.hpp). to_jsonb(d) for the columns
// that only some versions have: datlocprovider (15), daticulocale (15, 16), datlocale (17, which
// renamed it) and daticurules (16).
const char *const database_query =
    "SELECT pg_get_userbyid(d.datdba) AS owner,"
    " pg_encoding_to_char(d.encoding) AS encoding,"
    " d.datcollate AS collate, d.datctype AS ctype,"
    " CASE to_jsonb(d) ->> 'datlocprovider'"
    "  WHEN 'i' THEN 'icu' WHEN 'b' THEN 'builtin' ELSE 'libc' END AS locale_provider,"
    " coalesce(to_jsonb(d) ->> 'datlocale',"
    "  to_jsonb(d) ->> 'daticulocale') AS locale,"
    " to_jsonb(d) ->> 'daticurules' AS icu_rules,"
    " d.datconnlimit AS connection_limit, d.datacl IS NULL AS default_acl,"
    " shobj_description(d.oid, 'pg_database') AS comment"
    " FROM pg_database d WHERE d.datname = current_database()";

const char *const acl_query =
    "SELECT CASE WHEN a.grantee = 0 THEN '' ELSE pg_get_userbyid(a.grantee) END,"
    " a.privilege_type, a.is_grantable"
    " FROM pg_database d, aclexplode(d.datacl) a"
    " WHERE d.datname = current_database() ORDER BY 1, 2";

// Split at the first '=': a value may hold one too.
const char *const settings_query =
    "SELECT CASE WHEN s.setrole = 0 THEN '' ELSE pg_get_userbyid(s.setrole) END,"
    " substr(c.setting, 1, strpos(c.setting, '=') - 1),"
    " substr(c.setting, strpos(c.setting, '=') + 1)"
    " FROM pg_db_role_setting s"
    " JOIN pg_database d ON d.oid = s.setdatabase,"
    " unnest(s.setconfig) WITH ORDINALITY c(setting, n)"
    " WHERE d.datname = current_database() ORDER BY 1, c.n";

std::optional<std::string> nullable(const QueryResult &result, int column)
{
    if (result.is_null(0, column))
        return std::nullopt;
    return result.value(0, column);
}

} // namespace

DatabaseProperties read_database_properties(Connection &connection)
{
    QueryResult database = connection.query(database_query);
    DatabaseProperties properties;
    properties.owner = database.value(0, "owner");
    properties.encoding = database.value(0, "encoding");
    properties.locale_provider = database.value(0, "locale_provider");
    properties.collate = database.value(0, "collate");
    properties.ctype = database.value(0, "ctype");
    properties.locale = nullable(database, 5);
    properties.icu_rules = nullable(database, 6);
    properties.connection_limit = std::stoi(database.value(0, "connection_limit"));
    properties.comment = nullable(database, 9);
    if (database.value(0, "default_acl") == "f") {
        properties.acl.emplace();
        QueryResult acl = connection.query(acl_query);
        for (int row = 0; row < acl.rows(); ++row)
            properties.acl->push_back(
                {acl.value(row, 0), acl.value(row, 1), acl.value(row, 2) == "t"});
    }
    QueryResult settings = connection.query(settings_query);
    for (int row = 0; row < settings.rows(); ++row)
        properties.settings.push_back(
            {settings.value(row, 0), settings.value(row, 1), settings.value(row, 2)});
    return properties;
}

} // namespace lokbackup::cli
