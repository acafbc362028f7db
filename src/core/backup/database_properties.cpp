#include "core/backup/database_properties.hpp"

#include "core/base/error.hpp"

#include <algorithm>
#include <array>

namespace lokbackup
{

namespace
{

const std::array<const char *, 3> database_privileges = {"CREATE", "TEMPORARY", "CONNECT"};
const std::array<const char *, 3> locale_providers = {"libc", "icu", "builtin"};

// The settings whose stored value is a list of quoted items (GUC_LIST_QUOTE): SET takes them as
// a list, one literal an item, as pg_dump's variable_is_guc_list_quote() knows them.
const std::array<const char *, 6> list_settings = {
    "local_preload_libraries",  "search_path",      "session_preload_libraries",
    "shared_preload_libraries", "temp_tablespaces", "unix_socket_directories"};

template <std::size_t N>
bool one_of(const std::string &value, const std::array<const char *, N> &allowed)
{
    return std::any_of(allowed.begin(), allowed.end(),
                       [&](const char *name) { return value == name; });
}

// The items of a stored list value ("$user", public): double-quoted ones unquoted, as pg_dump's
// SplitGUCList() reads them.
std::vector<std::string> split_list_value(const std::string &value)
{
    std::vector<std::string> items;
    std::size_t at = 0;
    auto skip_blanks = [&] {
        while (at < value.size() && (value[at] == ' ' || value[at] == '\t'))
            ++at;
    };
    skip_blanks();
    while (at < value.size()) {
        std::string item;
        if (value[at] == '"') {
            for (++at; at < value.size(); ++at) {
                if (value[at] == '"') {
                    if (at + 1 < value.size() && value[at + 1] == '"') {
                        item += '"';
                        ++at;
                        continue;
                    }
                    ++at;
                    break;
                }
                item += value[at];
            }
        } else {
            while (at < value.size() && value[at] != ',' && value[at] != ' ' && value[at] != '\t')
                item += value[at++];
        }
        items.push_back(item);
        skip_blanks();
        if (at < value.size() && value[at] == ',')
            ++at;
        skip_blanks();
    }
    return items;
}

std::string setting_value_sql(const DatabaseSetting &setting)
{
    if (!one_of(setting.name, list_settings))
        return sql_literal(setting.value);
    std::string sql;
    for (const std::string &item : split_list_value(setting.value))
        sql += (sql.empty() ? "" : ", ") + sql_literal(item);
    return sql.empty() ? "''" : sql;
}

std::string grantee_sql(const std::string &grantee)
{
    return grantee.empty() ? "PUBLIC" : sql_identifier(grantee);
}

std::string grantee_words(const std::string &grantee)
{
    return grantee.empty() ? "PUBLIC" : "role \"" + grantee + "\"";
}

std::optional<std::string> optional_string(const std::string &document, const Json &json,
                                           const char *field)
{
    auto found = json.find(field);
    if (found == json.end() || found->is_null())
        return std::nullopt;
    if (!found->is_string())
        throw Error(document + ": field \"" + field + "\" is not a string");
    return found->get<std::string>();
}

std::string required_string(const std::string &document, const Json &json, const char *field)
{
    std::optional<std::string> value = optional_string(document, json, field);
    if (!value)
        throw Error(document + ": field \"" + field + "\" is missing or not a string");
    return *value;
}

const Json &required_array(const std::string &document, const Json &json, const char *field)
{
    auto found = json.find(field);
    if (found == json.end() || !found->is_array())
        throw Error(document + ": field \"" + field + "\" is missing or not an array");
    return *found;
}

DatabaseGrant grant_from_json(const std::string &document, const Json &json)
{
    if (!json.is_object() || !json.contains("grantable") || !json["grantable"].is_boolean())
        throw Error(document + ": an entry of \"acl\" is not a grant");
    DatabaseGrant grant{required_string(document, json, "grantee"),
                        required_string(document, json, "privilege"),
                        json["grantable"].get<bool>()};
    // Only these reach GRANT: the manifest is read back from storage.
    if (!one_of(grant.privilege, database_privileges))
        throw Error(document + ": \"" + grant.privilege +
                    "\" is not a database privilege (CREATE, TEMPORARY, CONNECT)");
    return grant;
}

DatabaseSetting setting_from_json(const std::string &document, const Json &json)
{
    if (!json.is_object())
        throw Error(document + ": an entry of \"settings\" is not an object");
    return {required_string(document, json, "role"), required_string(document, json, "name"),
            required_string(document, json, "value")};
}

} // namespace

std::string sql_identifier(const std::string &name)
{
    std::string quoted = "\"";
    for (char c : name)
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

std::string sql_literal(const std::string &value)
{
    // E'' reads backslashes the same way whatever standard_conforming_strings is.
    std::string quoted = value.find('\\') == std::string::npos ? "'" : "E'";
    for (char c : value) {
        if (c == '\'' || c == '\\')
            quoted += c;
        quoted += c;
    }
    return quoted + "'";
}

Json database_properties_to_json(const DatabaseProperties &properties)
{
    auto nullable = [](const std::optional<std::string> &value) {
        return value ? Json(*value) : Json(nullptr);
    };
    Json acl = nullptr;
    if (properties.acl) {
        acl = Json::array();
        for (const DatabaseGrant &grant : *properties.acl)
            acl.push_back({{"grantee", grant.grantee},
                           {"privilege", grant.privilege},
                           {"grantable", grant.grantable}});
    }
    Json settings = Json::array();
    for (const DatabaseSetting &setting : properties.settings)
        settings.push_back(
            {{"role", setting.role}, {"name", setting.name}, {"value", setting.value}});
    return {{"owner", properties.owner},
            {"encoding", properties.encoding},
            {"locale_provider", properties.locale_provider},
            {"collate", properties.collate},
            {"ctype", properties.ctype},
            {"locale", nullable(properties.locale)},
            {"icu_rules", nullable(properties.icu_rules)},
            {"connection_limit", properties.connection_limit},
            {"acl", acl},
            {"comment", nullable(properties.comment)},
            {"settings", settings}};
}

DatabaseProperties database_properties_from_json(const std::string &document, const Json &json)
{
    if (!json.is_object())
        throw Error(document + ": not a JSON object");
    DatabaseProperties properties;
    properties.owner = required_string(document, json, "owner");
    properties.encoding = required_string(document, json, "encoding");
    properties.locale_provider = required_string(document, json, "locale_provider");
    if (!one_of(properties.locale_provider, locale_providers))
        throw Error(document + ": locale_provider \"" + properties.locale_provider +
                    "\" is not one of libc, icu, builtin");
    properties.collate = required_string(document, json, "collate");
    properties.ctype = required_string(document, json, "ctype");
    properties.locale = optional_string(document, json, "locale");
    properties.icu_rules = optional_string(document, json, "icu_rules");
    auto limit = json.find("connection_limit");
    if (limit == json.end() || !limit->is_number_integer() || *limit < -1 || *limit > INT32_MAX)
        throw Error(document + ": field \"connection_limit\" is missing or not an integer >= -1");
    properties.connection_limit = limit->get<int>();
    if (json.contains("acl") && !json["acl"].is_null()) {
        properties.acl.emplace();
        for (const Json &grant : required_array(document, json, "acl"))
            properties.acl->push_back(grant_from_json(document, grant));
    }
    properties.comment = optional_string(document, json, "comment");
    for (const Json &setting : required_array(document, json, "settings"))
        properties.settings.push_back(setting_from_json(document, setting));
    return properties;
}

DatabaseProperties database_properties_from_text(const std::string &document,
                                                 const std::string &text)
{
    Json json = Json::parse(text, nullptr, false);
    if (json.is_discarded())
        throw Error(document + ": not valid JSON");
    return database_properties_from_json(document, json);
}

std::string create_database_sql(const std::string &name, const DatabaseProperties &properties)
{
    std::string sql = "CREATE DATABASE " + sql_identifier(name) + " TEMPLATE template0";
    if (!properties.encoding.empty())
        sql += " ENCODING " + sql_literal(properties.encoding);
    if (!properties.collate.empty())
        sql += " LC_COLLATE " + sql_literal(properties.collate);
    if (!properties.ctype.empty())
        sql += " LC_CTYPE " + sql_literal(properties.ctype);
    sql += " LOCALE_PROVIDER " + properties.locale_provider;
    if (properties.locale && properties.locale_provider == "icu")
        sql += " ICU_LOCALE " + sql_literal(*properties.locale);
    if (properties.locale && properties.locale_provider == "builtin")
        sql += " BUILTIN_LOCALE " + sql_literal(*properties.locale);
    if (properties.icu_rules)
        sql += " ICU_RULES " + sql_literal(*properties.icu_rules);
    return sql;
}

std::vector<PropertyStatement> property_statements(const std::string &name,
                                                   const DatabaseProperties &properties)
{
    std::string database = sql_identifier(name);
    std::vector<PropertyStatement> statements;
    if (!properties.owner.empty())
        statements.push_back(
            {"ALTER DATABASE " + database + " OWNER TO " + sql_identifier(properties.owner),
             "the owner, role \"" + properties.owner + "\""});
    if (properties.comment)
        statements.push_back(
            {"COMMENT ON DATABASE " + database + " IS " + sql_literal(*properties.comment),
             "the comment"});
    if (properties.connection_limit != -1)
        statements.push_back({"ALTER DATABASE " + database + " CONNECTION LIMIT " +
                                  std::to_string(properties.connection_limit),
                              "the connection limit"});
    if (properties.acl) {
        // From nothing, as pg_dump does: then exactly the recorded grants.
        statements.push_back({"REVOKE ALL ON DATABASE " + database + " FROM PUBLIC",
                              "the revocation of PUBLIC's default privileges"});
        if (!properties.owner.empty())
            statements.push_back(
                {"REVOKE ALL ON DATABASE " + database + " FROM " + sql_identifier(properties.owner),
                 "the revocation of the owner's default privileges"});
        for (const DatabaseGrant &grant : *properties.acl) {
            bool with_option = grant.grantable && grant.grantee != properties.owner;
            statements.push_back(
                {"GRANT " + grant.privilege + " ON DATABASE " + database + " TO " +
                     grantee_sql(grant.grantee) + (with_option ? " WITH GRANT OPTION" : ""),
                 "the grant of " + grant.privilege + " to " + grantee_words(grant.grantee)});
        }
    }
    for (const DatabaseSetting &setting : properties.settings) {
        std::string set =
            " SET " + sql_identifier(setting.name) + " TO " + setting_value_sql(setting);
        if (setting.role.empty())
            statements.push_back(
                {"ALTER DATABASE " + database + set, "the setting " + setting.name, setting.name});
        else
            statements.push_back(
                {"ALTER ROLE " + sql_identifier(setting.role) + " IN DATABASE " + database + set,
                 "the setting " + setting.name + " of role \"" + setting.role + "\"",
                 setting.name});
    }
    return statements;
}

} // namespace lokbackup
