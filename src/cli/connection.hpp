// libpq for the cli: the connection options every server-talking command shares, connections,
// and query results, all reporting failures as lokbackup::Error.
#pragma once

#include "cli/options.hpp"

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lokbackup::cli
{

// -h/--host, -p/--port, -U/--username and --catalog-dbname; unset ones fall back to libpq's
// environment variables and defaults, as in psql.
struct ConnectionOptions {
    std::optional<std::string> host;
    std::optional<std::string> port;
    std::optional<std::string> user;
    std::optional<std::string> password; // -W: asked for on the terminal
    std::string catalog_database = "postgres";
    std::string application_name = "lokbackup";

    static std::vector<OptionSpec> specs();
    // The part of a command's --help that describes specs().
    static const char *const help;
    static ConnectionOptions from(const Arguments &arguments);

    // PGHOST, PGPORT and PGUSER for a program (psql, pg_restore) that must reach the same server,
    // plus PGDATABASE = `database`: a name in argv would be parsed as a connection string; and
    // PGOPTIONS with the search_path of every session (server_options()) and `more_options`.
    std::vector<std::pair<std::string, std::string>>
    environment(const std::string &database, const std::string &more_options = "") const;
};

// The lokbackup extension is not installed in the database a Connection reached.
class ExtensionMissing : public Error
{
  public:
    using Error::Error;
};

// A statement the server refused: its SQLSTATE and words, as libpq reports them. what() is the
// message with DETAIL and HINT lines, as psql shows it.
class ServerError : public Error
{
  public:
    ServerError(const std::string &message, std::string sqlstate, std::string primary,
                std::string detail, std::string hint)
        : Error(message), sqlstate(std::move(sqlstate)), primary(std::move(primary)),
          detail(std::move(detail)), hint(std::move(hint))
    {
    }

    std::string sqlstate; // "42501"; empty when the connection, not the statement, failed
    std::string primary;  // the message without DETAIL and HINT
    std::string detail;
    std::string hint;
};

// Someone's own login (lokbackup serve): the password goes to the server and nowhere else.
struct Login {
    std::string user;
    std::string password;
};

class QueryResult
{
  public:
    explicit QueryResult(PGresult *result) : result_(result, PQclear) {}

    int rows() const { return PQntuples(result_.get()); }
    int columns() const { return PQnfields(result_.get()); }
    std::string column_name(int column) const { return PQfname(result_.get(), column); }
    bool is_numeric(int column) const;
    bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column); }
    std::string value(int row, int column) const { return PQgetvalue(result_.get(), row, column); }
    // The value of the column named `name`; throws Error when the result has no such column.
    std::string value(int row, const char *name) const;
    const PGresult *raw() const { return result_.get(); }

  private:
    std::unique_ptr<PGresult, void (*)(PGresult *)> result_;
};

class Connection
{
  public:
    // Throws Error with libpq's explanation when the connection fails. With a login, its user
    // and password replace the options' user and libpq's password sources.
    Connection(const ConnectionOptions &options, const std::string &database,
               const Login *login = nullptr);

    // Whether the server asked for the password: false when pg_hba.conf let the login in without
    // one (trust, peer, ident), whatever password was given.
    bool server_checked_password() const;
    // False once the server closed the connection (it restarted, or the backend was terminated).
    bool is_open() const { return PQstatus(connection_.get()) == CONNECTION_OK; }

    // Runs one statement with text parameters (std::nullopt is NULL); throws ServerError with
    // the server's message, detail and hint when it fails.
    QueryResult query(const std::string &sql,
                      const std::vector<std::optional<std::string>> &parameters = {});
    std::string quote_identifier(const std::string &name);
    // The lokbackup extension's schema, quoted; looked up at the first call. Throws
    // ExtensionMissing when the extension is not installed in this database.
    const std::string &extension_schema();
    // `sql` with each @extschema@ (as in the extension's install script) replaced by
    // extension_schema(). The session's search_path holds pg_catalog alone, so every name of the
    // extension's objects is written @extschema@.name, and their arguments cast to the parameter
    // types, so that no overload that someone else created in that schema fits better.
    std::string with_extension_schema(const std::string &sql);

  private:
    std::unique_ptr<PGconn, void (*)(PGconn *)> connection_;
    std::optional<std::string> extension_schema_;
};

} // namespace lokbackup::cli
