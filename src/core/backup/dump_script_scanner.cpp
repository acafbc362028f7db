#include "core/backup/dump_script_scanner.hpp"

#include "core/backup/dump_statements.hpp"

#include <algorithm>
#include <cstring>

namespace lokbackup
{

namespace
{

// A COPY statement holds its column list, which may be long, but its table's name comes first;
// a setval() is short.
constexpr std::size_t longest_kept_statement = 64 * 1024;
// A dollar quote's tag is an identifier; pg_dump's are a few characters.
constexpr std::size_t longest_tag = 64 * 1024;
// A COPY block's end: a line of these two bytes.
constexpr char end_of_data[] = "\\.";

bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}

// Whether `c` may continue an identifier or keyword: a '$' after it is part of it, no quote.
bool is_identifier_byte(char c)
{
    return is_letter(c) || (c >= '0' && c <= '9') || c == '$';
}

// The bytes that may change the state in a statement's text; between them, nothing happens but
// that the last two bytes are remembered.
bool is_special(char c)
{
    return c == '\'' || c == '"' || c == '$' || c == '-' || c == '/' || c == ';';
}

const char *find(const char *at, const char *end, char c)
{
    const void *found = std::memchr(at, c, static_cast<std::size_t>(end - at));
    return found ? static_cast<const char *>(found) : end;
}

} // namespace

void DumpScriptScanner::write(const char *data, std::size_t size)
{
    const char *end = data + size;
    while (data < end)
        data = scan(data, end);
}

void DumpScriptScanner::finish()
{
    bool between_statements =
        state_ == State::code || state_ == State::line_comment || state_ == State::meta_command;
    if (in_statement_ || !between_statements)
        complete_ = false;
}

const char *DumpScriptScanner::scan(const char *at, const char *end)
{
    switch (state_) {
    case State::code:
        return code(at, end);
    case State::maybe_line_comment:
    case State::maybe_block_comment: {
        bool line = state_ == State::maybe_line_comment;
        if (*at == (line ? '-' : '*')) {
            state_ = line ? State::line_comment : State::block_comment;
            comment_depth_ = 1;
            comment_last_ = 0;
            last_ = ' '; // a comment separates tokens as a space does
            return at + 1;
        }
        // Not a comment: the '-' or '/' is the statement's, and this byte is read again.
        state_ = State::code;
        statement_byte(line ? '-' : '/');
        return at;
    }
    case State::line_comment:
    case State::meta_command:
        return to_end_of_line(at, end, State::code);
    case State::block_comment:
        return block_comment(at);
    case State::single_quoted:
        return quoted(at, end, '\'');
    case State::double_quoted:
        return quoted(at, end, '"');
    case State::escaped_string:
        keep(at, 1);
        if (*at == '\\')
            state_ = State::escaped_char;
        else if (*at == '\'')
            state_ = State::code;
        return at + 1;
    case State::escaped_char:
        keep(at, 1);
        state_ = State::escaped_string;
        return at + 1;
    case State::dollar_tag:
        return dollar_tag(at);
    case State::dollar_quoted:
        return dollar_quoted(at, end);
    case State::copy_statement_end:
        return to_end_of_line(at, end, State::copy_data);
    case State::copy_data:
        return copy_data(at, end);
    }
    return end;
}

const char *DumpScriptScanner::code(const char *at, const char *end)
{
    // The text of a statement that is neither COPY nor setval() (most of the schema: a byte at a
    // time would cost 30 times the read) is skipped up to the next byte that matters.
    if (in_statement_ && !keeping_ && !is_special(*at)) {
        const char *plain = at;
        while (at < end && !is_special(*at))
            ++at;
        before_last_ = at - plain > 1 ? at[-2] : last_;
        last_ = at[-1];
        return at;
    }
    char c = *at;
    if (!in_statement_) {
        if (is_space(c))
            return at + 1;
        // psql's own commands: pg_dump's \restrict and \unrestrict lines, \connect.
        if (c == '\\') {
            state_ = State::meta_command;
            return at + 1;
        }
    }
    if (c == '-' || c == '/') {
        state_ = c == '-' ? State::maybe_line_comment : State::maybe_block_comment;
        return at + 1;
    }
    statement_byte(c);
    return at + 1;
}

void DumpScriptScanner::statement_byte(char c)
{
    in_statement_ = true;
    if (c == ';')
        return end_statement();
    keep(&c, 1);
    switch (c) {
    case '\'':
        // Right after a string's closing quote, a quote is a doubled one: the same string goes on.
        if (last_ != '\'')
            string_state_ = (last_ == 'E' || last_ == 'e') && !is_identifier_byte(before_last_)
                                ? State::escaped_string
                                : State::single_quoted;
        state_ = string_state_;
        break;
    case '"':
        state_ = State::double_quoted;
        break;
    case '$':
        if (!is_identifier_byte(last_)) {
            state_ = State::dollar_tag;
            tag_ = "$";
        }
        break;
    default:
        break;
    }
    before_last_ = last_;
    last_ = c;
}

void DumpScriptScanner::end_statement()
{
    if (keeping_ && is_copy_statement(statement_)) {
        // Its data follows, whatever the name: the lines up to \. are rows, never statements.
        std::optional<std::string> table = copied_table(statement_);
        copying_ = table ? &table_rows_[*table] : nullptr;
        if (!table)
            complete_ = false;
        row_start_ = 0;
        row_is_end_ = true;
        state_ = State::copy_statement_end;
    } else if (keeping_ && !statement_cut_) {
        if (auto value = set_sequence_value(statement_))
            sequence_values_[value->first] = value->second;
    }
    statement_.clear();
    keeping_ = true;
    statement_cut_ = false;
    in_statement_ = false;
    last_ = ' ';
    before_last_ = ' ';
}

void DumpScriptScanner::keep(const char *data, std::size_t size)
{
    if (!keeping_)
        return;
    std::size_t room = longest_kept_statement - statement_.size();
    if (size > room)
        statement_cut_ = true;
    statement_.append(data, std::min(size, room));
    keeping_ = may_be_data_statement(statement_);
}

const char *DumpScriptScanner::to_end_of_line(const char *at, const char *end, State next)
{
    const char *newline = find(at, end, '\n');
    if (newline == end)
        return end;
    state_ = next;
    return newline + 1;
}

const char *DumpScriptScanner::quoted(const char *at, const char *end, char quote)
{
    const char *closing = find(at, end, quote);
    keep(at, static_cast<std::size_t>(closing - at) + (closing < end ? 1 : 0));
    if (closing == end)
        return end;
    state_ = State::code;
    return closing + 1;
}

const char *DumpScriptScanner::block_comment(const char *at)
{
    char c = *at;
    if (comment_last_ == '/' && c == '*') {
        ++comment_depth_;
        c = 0; // "/*/" opens, and does not close
    } else if (comment_last_ == '*' && c == '/') {
        if (--comment_depth_ == 0)
            state_ = State::code;
        c = 0;
    }
    comment_last_ = c;
    return at + 1;
}

const char *DumpScriptScanner::dollar_tag(const char *at)
{
    char c = *at;
    if (c == '$') {
        tag_ += c;
        tag_matched_ = 0;
        keep(at, 1);
        state_ = State::dollar_quoted;
        return at + 1;
    }
    bool continues = is_letter(c) || (c >= '0' && c <= '9' && tag_.size() > 1);
    if (continues && tag_.size() < longest_tag) {
        tag_ += c;
        keep(at, 1);
        return at + 1;
    }
    if (continues)
        complete_ = false; // no pg_dump writes such a tag: the rest cannot be trusted
    // No tag ($1, or a '$' in an operator): plain text, and this byte is read again.
    state_ = State::code;
    last_ = tag_.back();
    return at;
}

const char *DumpScriptScanner::dollar_quoted(const char *at, const char *end)
{
    if (tag_matched_ == 0) {
        at = find(at, end, '$');
        if (at == end)
            return end;
    }
    // The tag holds no '$' but its first and last: a mismatch restarts at 0, or at 1 on a '$'.
    char c = *at;
    if (c == tag_[tag_matched_])
        ++tag_matched_;
    else
        tag_matched_ = c == '$' ? 1 : 0;
    if (tag_matched_ == tag_.size()) {
        state_ = State::code;
        last_ = ' ';
    }
    return at + 1;
}

const char *DumpScriptScanner::copy_data(const char *at, const char *end)
{
    const char *newline = find(at, end, '\n');
    // Only a line's first bytes can tell \. from a row.
    for (const char *byte = at; byte < newline && row_start_ <= 2; ++byte, ++row_start_)
        if (row_start_ == 2 || *byte != end_of_data[row_start_])
            row_is_end_ = false;
    if (newline == end)
        return end;
    if (row_is_end_ && row_start_ == 2)
        state_ = State::code;
    else if (copying_ != nullptr)
        ++*copying_;
    row_start_ = 0;
    row_is_end_ = true;
    return newline + 1;
}

} // namespace lokbackup
