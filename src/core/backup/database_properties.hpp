// A database's own properties, which pg_dump without --create leaves out of the dump: the backup
// child reads them from the dump's snapshot, the manifest records them, and a restore creates the
// database from template0 with them. Here: the record, its JSON, and the SQL that re-creates them.
#pragma once

#include "core/base/json_document.hpp"

#include <optional>
#include <string>
#include <vector>

namespace lokbackup
{

// One entry of the database's ACL, as aclexplode() shows it.
struct DatabaseGrant {
    std::string grantee;   // empty: PUBLIC
    std::string privilege; // CREATE, TEMPORARY or CONNECT
    bool grantable = false;
};

// One ALTER DATABASE ... SET (role empty) or ALTER ROLE ... IN DATABASE ... SET value.
struct DatabaseSetting {
    std::string role;
    std::string name;
    std::string value; // as pg_db_role_setting stores it
};

struct DatabaseProperties {
    std::string owner;
    std::string encoding;                 // UTF8
    std::string locale_provider = "libc"; // libc, icu or builtin
    std::string collate;
    std::string ctype;
    std::optional<std::string> locale;    // the ICU or builtin locale
    std::optional<std::string> icu_rules; // PostgreSQL 16 and later
    int connection_limit = -1;
    std::optional<std::vector<DatabaseGrant>> acl; // std::nullopt: the default privileges
    std::optional<std::string> comment;
    std::vector<DatabaseSetting> settings;
};

Json database_properties_to_json(const DatabaseProperties &properties);
// Throws Error naming the field that is missing or malformed; `document` names the whole.
DatabaseProperties database_properties_from_json(const std::string &document, const Json &json);
// The same from JSON text (the catalog's jsonb column).
DatabaseProperties database_properties_from_text(const std::string &document,
                                                 const std::string &text);

// CREATE DATABASE `name` from template0 with the encoding and locale of `properties`.
std::string create_database_sql(const std::string &name, const DatabaseProperties &properties);

// A statement that gives database `name` one of its properties, and what it gives, for the
// warning when it fails (a grant to a role that does not exist).
struct PropertyStatement {
    std::string sql;
    std::string description;
    std::string setting; // the setting's name for a SET; empty for the other properties
};

// Owner, comment, connection limit, ACL and settings, in the order pg_dump --create applies them.
// Each is its own statement, so that one that fails leaves the others.
std::vector<PropertyStatement> property_statements(const std::string &name,
                                                   const DatabaseProperties &properties);

// SQL quoting that holds whatever standard_conforming_strings is.
std::string sql_identifier(const std::string &name);
std::string sql_literal(const std::string &value);

} // namespace lokbackup
