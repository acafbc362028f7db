#include "core/backup/dump_script_scanner.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>

namespace lokbackup
{
namespace
{

using Rows = std::map<std::string, std::uint64_t>;
using Values = std::map<std::string, std::string>;

// pg_dump 15.20's script of a database with hostile names, as it wrote it: a comment whose
// literal holds a COPY line, a table named with a newline, a row that looks like a COPY line.
const std::string hostile_script = R"(--
-- PostgreSQL database dump
--

\restrict 1zI2SaTbx1OJNeigOvgX6RsjfsKI1s9tLoD7fsZcH2m3kiayeNi9ExeUDIYTAdZ

SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);

--
-- Name: c"d; Type: TABLE; Schema: a b; Owner: postgres
--

CREATE TABLE "a b"."c""d" (
    v integer
);

COMMENT ON TABLE "a b"."c""d" IS 'x
COPY public.fake (a) FROM stdin;
';

CREATE TABLE public."new
line" (
    z integer
);

CREATE SEQUENCE public."se'q"
    START WITH 1
    CACHE 1;

--
-- Data for Name: c"d; Type: TABLE DATA; Schema: a b; Owner: postgres
--

COPY "a b"."c""d" (v) FROM stdin;
1
\.


COPY public."new
line" (z) FROM stdin;
5
6
\.


COPY public."we""ird name" (x, "col ""q") FROM stdin;
1	COPY public.t (a) FROM stdin;
2	line\nbreak\\.
\.


COPY public.one_text (t) FROM stdin;
COPY public.t (a) FROM stdin;
SELECT pg_catalog.setval('public.forged', 1, true);
\.x
\\.

\.


--
-- Name: se'q; Type: SEQUENCE SET; Schema: public; Owner: postgres
--

SELECT pg_catalog.setval('public."se''q"', 42, true);
SELECT pg_catalog.setval('public.unused', 1, false);
SELECT pg_catalog.setval('public.down', -7, true);

--
-- PostgreSQL database dump complete
--

\unrestrict 1zI2SaTbx1OJNeigOvgX6RsjfsKI1s9tLoD7fsZcH2m3kiayeNi9ExeUDIYTAdZ
)";

const Rows hostile_rows = {{"\"a b\".\"c\"\"d\"", 1},
                           {"public.\"new\nline\"", 2},
                           {"public.\"we\"\"ird name\"", 2},
                           {"public.one_text", 5}};
const Values hostile_values = {
    {"public.\"se'q\"", "42,true"}, {"public.unused", "1,false"}, {"public.down", "-7,true"}};

DumpScriptScanner scanned(const std::string &script, std::size_t chunk)
{
    DumpScriptScanner scanner;
    for (std::size_t at = 0; at < script.size(); at += chunk)
        scanner.write(script.data() + at, std::min(chunk, script.size() - at));
    scanner.finish();
    return scanner;
}

TEST(DumpScriptScanner, CountsRowsAndSequenceValuesOfHostileNames)
{
    DumpScriptScanner scanner = scanned(hostile_script, hostile_script.size());
    EXPECT_TRUE(scanner.complete());
    EXPECT_EQ(scanner.table_rows(), hostile_rows);
    EXPECT_EQ(scanner.sequence_values(), hostile_values);
}

TEST(DumpScriptScanner, ChunksMayEndAnywhere)
{
    for (std::size_t chunk : {1, 2, 3, 5, 7, 64}) {
        DumpScriptScanner scanner = scanned(hostile_script, chunk);
        EXPECT_TRUE(scanner.complete()) << chunk;
        EXPECT_EQ(scanner.table_rows(), hostile_rows) << chunk;
        EXPECT_EQ(scanner.sequence_values(), hostile_values) << chunk;
    }
}

TEST(DumpScriptScanner, QuotesAndCommentsHideStatementLookalikes)
{
    // Each literal, name, dollar quote and comment holds a line that would start a COPY block
    // or set a sequence, were it read as a line of its own.
    const std::string fake = "\nCOPY public.fake (a) FROM stdin;\n1\n\\.\n"
                             "SELECT pg_catalog.setval('public.fake', 9, true);\n";
    // The same inside a string literal, as pg_dump writes it there: quotes doubled.
    const std::string fake_literal = "\nCOPY public.fake (a) FROM stdin;\n1\n\\.\n"
                                     "SELECT pg_catalog.setval(''public.fake'', 9, true);\n";
    const std::string script =
        "CREATE FUNCTION public.f() RETURNS text LANGUAGE sql AS $_$SELECT 'it''s $$'" + fake +
        "$_$;\n"
        "CREATE FUNCTION public.g() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN $1; END $$;\n"
        "COMMENT ON TABLE public.t IS E'a \\' b" +
        fake_literal +
        "';\n"
        "COMMENT ON TABLE public.u IS 'it''s" +
        fake_literal +
        "';\n"
        "CREATE TABLE public.\"x" +
        fake +
        "\" (a integer);\n"
        "/* nested /* comment" +
        fake + "*/ still" + fake +
        "*/\n"
        "-- a line comment's 'quote and \"quote\n"
        "SELECT 1 - -1, 2 / 1, $1$2;\n"
        "COPY public.t (a) FROM stdin;\n7\n\\.\n";
    for (std::size_t chunk : {std::size_t(1), script.size()}) {
        DumpScriptScanner scanner = scanned(script, chunk);
        EXPECT_TRUE(scanner.complete()) << chunk;
        EXPECT_EQ(scanner.table_rows(), (Rows{{"public.t", 1}})) << chunk;
        EXPECT_TRUE(scanner.sequence_values().empty()) << chunk;
    }
}

TEST(DumpScriptScanner, EmptyTablesHaveZeroRows)
{
    DumpScriptScanner scanner =
        scanned("COPY public.empty (a) FROM stdin;\n\\.\nCOPY public.no_columns  FROM stdin;\n"
                "\n\n\\.\n",
                1);
    EXPECT_EQ(scanner.table_rows(), (Rows{{"public.empty", 0}, {"public.no_columns", 2}}));
}

TEST(DumpScriptScanner, EscapedStringNamesOfSequences)
{
    // pg_dump's literal when standard_conforming_strings is off and the name has a backslash.
    DumpScriptScanner scanner =
        scanned("SET standard_conforming_strings = off;\n"
                "SELECT pg_catalog.setval(E'public.\"b\\\\s''q\"', 3, false);\n",
                1);
    EXPECT_EQ(scanner.sequence_values(), (Values{{"public.\"b\\s'q\"", "3,false"}}));
}

TEST(DumpScriptScanner, OtherSetvalFormsAreNotValues)
{
    DumpScriptScanner scanner = scanned("SELECT pg_catalog.setval('public.s'::regclass, 3, true);\n"
                                        "SELECT pg_catalog.setval('public.s', 3);\n"
                                        "SELECT pg_catalog.setval('public.s', 3, true) AS x;\n"
                                        "SELECT setval('public.s', 3, true);\n",
                                        1);
    EXPECT_TRUE(scanner.complete());
    EXPECT_TRUE(scanner.sequence_values().empty());
}

TEST(DumpScriptScanner, ACutOffScriptIsIncomplete)
{
    for (const char *script : {"COPY public.t (a) FROM stdin;\n1\n", "COMMENT ON TABLE t IS 'x",
                               "CREATE FUNCTION f() AS $x$ body", "SELECT 1", "/* open"}) {
        DumpScriptScanner scanner = scanned(script, 1);
        EXPECT_FALSE(scanner.complete()) << script;
    }
    EXPECT_TRUE(scanned("SELECT 1;\n-- done", 1).complete());
}

TEST(DumpScriptScanner, LongLinesKeepMemoryBoundedAndCountRight)
{
    // A COPY with a column list beyond what is kept, and rows far longer than that.
    std::string columns(100 * 1024, 'c');
    std::string row(200 * 1024, 'r');
    std::string script = "COPY public.wide (" + columns + ") FROM stdin;\n" + row + "\n" + row +
                         "\n\\.\nSELECT pg_catalog.setval('public.s', 5, true);\n";
    DumpScriptScanner scanner = scanned(script, 4096);
    EXPECT_TRUE(scanner.complete());
    EXPECT_EQ(scanner.table_rows(), (Rows{{"public.wide", 2}}));
    EXPECT_EQ(scanner.sequence_values(), (Values{{"public.s", "5,true"}}));
}

TEST(DumpScriptScanner, ACopyWithoutATableNameIsIncomplete)
{
    std::string script = "COPY " + std::string(70 * 1024, 'n') + " (a) FROM stdin;\n1\n\\.\n";
    DumpScriptScanner scanner = scanned(script, 4096);
    EXPECT_FALSE(scanner.complete());
    EXPECT_TRUE(scanner.table_rows().empty());
}

} // namespace
} // namespace lokbackup
