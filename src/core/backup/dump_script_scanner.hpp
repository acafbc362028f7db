// What a plain dump's script holds, read as it streams by (a Sink beside the compressor): the rows
// of each table, from its `COPY name (columns) FROM stdin;` block (one line a row, a newline in a
// value written as \n, ended by a line `\.`), and each sequence's value, from pg_dump's
// `SELECT pg_catalog.setval('name', 42, true);`. Those are the dump's own snapshot's, at the cost
// of reading the bytes once more: what a restore drill must find again (dump_inventory.hpp).
//
// The script holds what the database's users wrote: names, comments, defaults, function bodies.
// So it is read as psql reads it, statement by statement, with SQL's quotes (standard and E''
// strings, double-quoted names, dollar quotes) and comments, so that a name or a literal that
// holds a line `COPY x (a) FROM stdin;` or a setval() is text of its statement and never one of
// its own. A COPY block's lines are rows whatever they look like, until `\.`.
#pragma once

#include "core/base/sink.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace lokbackup
{

class DumpScriptScanner : public Sink
{
  public:
    void write(const char *data, std::size_t size) override;
    void finish() override;

    // Whether the script read as one pg_dump writes: it ended between statements, with every
    // quote and COPY block closed, and no COPY names an unreadable table. When not, the counts
    // are not to be trusted.
    bool complete() const { return complete_; }
    // By the table's name as the COPY statement spells it (public.t, "we""ird"."a b").
    const std::map<std::string, std::uint64_t> &table_rows() const { return table_rows_; }
    // By the sequence's name as the setval() literal holds it, unescaped: "42,true".
    const std::map<std::string, std::string> &sequence_values() const { return sequence_values_; }

  private:
    enum class State {
        code,                // a statement's text outside quotes, or between statements
        maybe_line_comment,  // after a '-'
        maybe_block_comment, // after a '/'
        line_comment,        // -- to the end of the line
        block_comment,       // /* */, nested
        meta_command,        // a psql backslash command, to the end of the line
        single_quoted,       // '...' ('' inside toggles out and back in)
        escaped_string,      // E'...', where \' does not end it
        escaped_char,        // the character after a backslash in E'...'
        double_quoted,       // "..."
        dollar_tag,          // $tag$ being read, maybe not a tag at all ($1)
        dollar_quoted,       // $tag$...$tag$
        copy_statement_end,  // the rest of the COPY statement's line
        copy_data,           // one line a row, until \.
    };

    // Each consumes from `at` (up to `end`) and returns where it stopped; at least one byte, but
    // for a state change whose byte the new state reads again.
    const char *scan(const char *at, const char *end);
    const char *code(const char *at, const char *end);
    const char *to_end_of_line(const char *at, const char *end, State next);
    const char *quoted(const char *at, const char *end, char quote);
    const char *block_comment(const char *at);
    const char *dollar_tag(const char *at);
    const char *dollar_quoted(const char *at, const char *end);
    const char *copy_data(const char *at, const char *end);

    // One byte of a statement's text outside quotes.
    void statement_byte(char c);
    void end_statement();
    // Keeps the statement's text while it may be a COPY or a setval(), bounded.
    void keep(const char *data, std::size_t size);

    State state_ = State::code;
    State string_state_ = State::single_quoted; // the kind of the last string literal
    bool in_statement_ = false; // a statement's text began: a backslash is no meta-command
    char last_ = ' ';           // the statement's last two bytes outside quotes: E'' and $
    char before_last_ = ' ';    // quotes need them
    std::string statement_;     // its start, kept while may_be_data_statement()
    bool keeping_ = true;
    bool statement_cut_ = false; // longer than what is kept
    std::string tag_;            // the dollar quote's $tag$
    std::size_t tag_matched_ = 0;
    int comment_depth_ = 0;
    char comment_last_ = 0;
    std::uint64_t *copying_ = nullptr; // the rows of the table whose data streams by
    std::size_t row_start_ = 0;        // how much of the row line's start was seen, up to 3
    bool row_is_end_ = true;           // that start is so far "\."'s
    bool complete_ = true;

    std::map<std::string, std::uint64_t> table_rows_;
    std::map<std::string, std::string> sequence_values_;
};

} // namespace lokbackup
