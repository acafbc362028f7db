#include "cli/connection.hpp"

#include "core/base/error.hpp"

#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

namespace lokbackup::cli
{

namespace
{

std::string trimmed(std::string text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    return text;
}

// The server's words, as psql shows them: the message, then DETAIL and HINT lines.
ServerError server_error(const PGresult *result, PGconn *connection)
{
    const char *primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    if (!primary) {
        std::string message = trimmed(PQerrorMessage(connection));
        return ServerError(message, "", message, "", "");
    }
    std::string message = primary;
    const char *detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL);
    if (detail)
        message += std::string("\nDETAIL:  ") + detail;
    const char *hint = PQresultErrorField(result, PG_DIAG_MESSAGE_HINT);
    if (hint)
        message += std::string("\nHINT:  ") + hint;
    const char *sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    return ServerError(message, sqlstate ? sqlstate : "", primary, detail ? detail : "",
                       hint ? hint : "");
}

// The server options of every session that lokbackup opens, its own and those of the programs it
// runs (psql, pg_restore): the caller's PGOPTIONS, then a search_path of pg_catalog alone. A name
// in a statement can then not resolve to an object that someone who may create objects in a schema
// of the caller's search_path put there, to run with the caller's privileges (CVE-2018-1058).
std::string server_options(const std::string &more_options)
{
    const char *caller_options = std::getenv("PGOPTIONS");
    std::string options =
        std::string(caller_options ? caller_options : "") + " -c search_path=pg_catalog,pg_temp";
    return more_options.empty() ? options : options + " " + more_options;
}

// Type oids of the integer and floating-point types (int8, int2, int4, float4, float8, numeric).
bool is_numeric_type(Oid type)
{
    return type == 20 || type == 21 || type == 23 || type == 700 || type == 701 || type == 1700;
}

// Asks on the terminal, without echo, as psql -W does; the terminal, not stdin, which may carry
// a script.
std::string read_password(const char *prompt)
{
    int tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (tty < 0)
        throw UsageError("-W asks for the password on a terminal, and there is none: give it in "
                         "PGPASSWORD or ~/.pgpass instead");
    termios saved{};
    bool is_terminal = tcgetattr(tty, &saved) == 0;
    if (is_terminal) {
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(tty, TCSAFLUSH, &quiet);
    }
    if (write(tty, prompt, std::strlen(prompt)) < 0) {
        // The prompt is a courtesy: the password is read all the same.
    }
    std::string password;
    char c;
    while (read(tty, &c, 1) == 1 && c != '\n')
        password += c;
    if (is_terminal) {
        tcsetattr(tty, TCSAFLUSH, &saved);
        if (write(tty, "\n", 1) < 0) {
            // As above.
        }
    }
    close(tty);
    return password;
}

} // namespace

const char *const ConnectionOptions::help = R"(Connection options:
  -h, --host HOST             database server host or socket directory
  -p, --port PORT             database server port
  -U, --username USER         database user name
  -W, --password              ask for the password (else libpq's: PGPASSWORD, ~/.pgpass)
  --catalog-dbname NAME       the database that holds the lokbackup catalog (default: postgres)
)";

std::vector<OptionSpec> ConnectionOptions::specs()
{
    return {{"host", 'h', true},
            {"port", 'p', true},
            {"username", 'U', true},
            {"password", 'W', false},
            {"catalog-dbname", 0, true}};
}

ConnectionOptions ConnectionOptions::from(const Arguments &arguments)
{
    ConnectionOptions options;
    options.host = arguments.value("host");
    options.port = arguments.value("port");
    options.user = arguments.value("username");
    if (auto catalog = arguments.value("catalog-dbname"))
        options.catalog_database = *catalog;
    if (arguments.flag("password"))
        options.password = read_password("Password: ");
    return options;
}

std::vector<std::pair<std::string, std::string>>
ConnectionOptions::environment(const std::string &database, const std::string &more_options) const
{
    std::vector<std::pair<std::string, std::string>> variables = {
        {"PGDATABASE", database},
        {"PGAPPNAME", application_name},
        {"PGOPTIONS", server_options(more_options)}};
    if (host)
        variables.emplace_back("PGHOST", *host);
    if (port)
        variables.emplace_back("PGPORT", *port);
    if (user)
        variables.emplace_back("PGUSER", *user);
    // In the environment of psql and pg_restore, never in their argv, which anyone may read.
    if (password)
        variables.emplace_back("PGPASSWORD", *password);
    return variables;
}

bool QueryResult::is_numeric(int column) const
{
    return is_numeric_type(PQftype(result_.get(), column));
}

std::string QueryResult::value(int row, const char *name) const
{
    int column = PQfnumber(result_.get(), name);
    if (column < 0)
        throw Error(std::string("the server's answer has no column \"") + name +
                    "\"; is the lokbackup extension of the same version as this program?");
    return value(row, column);
}

Connection::Connection(const ConnectionOptions &options, const std::string &database,
                       const Login *login)
    : connection_(nullptr, PQfinish)
{
    std::string options_value = server_options("");
    std::vector<const char *> keywords = {"dbname", "application_name", "options"};
    std::vector<const char *> values = {database.c_str(), options.application_name.c_str(),
                                        options_value.c_str()};
    auto add = [&](const char *keyword, const std::optional<std::string> &value) {
        if (value) {
            keywords.push_back(keyword);
            values.push_back(value->c_str());
        }
    };
    add("host", options.host);
    add("port", options.port);
    add("user", login ? std::optional<std::string>(login->user) : options.user);
    if (!login)
        add("password", options.password);
    if (login) {
        keywords.push_back("password");
        values.push_back(login->password.c_str());
        // Neither ~/.pgpass nor PGPASSWORD of this process may stand in for the person's password.
        keywords.push_back("passfile");
        values.push_back("/dev/null");
    }
    keywords.push_back(nullptr);
    values.push_back(nullptr);

    // expand_dbname = 0: a database name is only ever a name.
    connection_.reset(PQconnectdbParams(keywords.data(), values.data(), 0));
    if (!connection_)
        throw Error("out of memory while connecting to the server");
    if (PQstatus(connection_.get()) != CONNECTION_OK)
        throw Error(trimmed(PQerrorMessage(connection_.get())));
}

bool Connection::server_checked_password() const
{
    return PQconnectionUsedPassword(connection_.get()) == 1;
}

QueryResult Connection::query(const std::string &sql,
                              const std::vector<std::optional<std::string>> &parameters)
{
    std::vector<const char *> values;
    for (const auto &parameter : parameters)
        values.push_back(parameter ? parameter->c_str() : nullptr);
    QueryResult result(PQexecParams(connection_.get(), sql.c_str(), static_cast<int>(values.size()),
                                    nullptr, values.data(), nullptr, nullptr, 0));
    ExecStatusType status = PQresultStatus(result.raw());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
        throw server_error(result.raw(), connection_.get());
    return result;
}

std::string Connection::quote_identifier(const std::string &name)
{
    char *quoted = PQescapeIdentifier(connection_.get(), name.c_str(), name.size());
    if (!quoted)
        throw Error(trimmed(PQerrorMessage(connection_.get())));
    std::string text = quoted;
    PQfreemem(quoted);
    return text;
}

const std::string &Connection::extension_schema()
{
    if (!extension_schema_) {
        // regnamespace output is quoted where needed.
        QueryResult schema = query("SELECT extnamespace::regnamespace::text FROM pg_extension "
                                   "WHERE extname = 'lokbackup'");
        if (schema.rows() != 1)
            throw ExtensionMissing("the lokbackup extension is not installed in database \"" +
                                   std::string(PQdb(connection_.get())) +
                                   "\": name the database that has it (lokbackup.database) "
                                   "with --catalog-dbname");
        extension_schema_ = schema.value(0, 0);
    }
    return *extension_schema_;
}

std::string Connection::with_extension_schema(const std::string &sql)
{
    static const std::string placeholder = "@extschema@";
    const std::string &schema = extension_schema();
    std::string text = sql;
    for (std::size_t at = 0; (at = text.find(placeholder, at)) != std::string::npos;
         at += schema.size())
        text.replace(at, placeholder.size(), schema);
    return text;
}

} // namespace lokbackup::cli
