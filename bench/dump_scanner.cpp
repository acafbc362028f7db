// The cost of DumpScriptScanner (core/backup/dump_script_scanner.hpp), which a plain backup runs
// over every byte of the script beside the compressor. Reads a plain dump file in the pipeline's
// 1 MiB chunks, from the page cache, and times three cases in one process, alternating, medians
// of --runs rounds of CPU time:
//   R  read only
//   S  read and scan
//   Z  read and compress with zstd level 3 (what the backup child does with the same bytes)
// Prints the rows counted, so that the scan is checked and cannot be optimized away.
// Built and run by bench/dump_scanner.
#include "core/backup/dump_script_scanner.hpp"
#include "core/pipeline/codec.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace
{

class Discard : public lokbackup::Sink
{
  public:
    void write(const char *, std::size_t) override {}
    void finish() override {}
};

double cpu_seconds()
{
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return now.tv_sec + now.tv_nsec / 1e9;
}

// Reads `path` through `sink` (none: read only); returns the CPU seconds it took.
double timed(const char *path, lokbackup::Sink *sink)
{
    std::vector<char> buffer(1 << 20);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        std::perror(path);
        std::exit(1);
    }
    double start = cpu_seconds();
    while (ssize_t got = read(fd, buffer.data(), buffer.size())) {
        if (got < 0) {
            std::perror(path);
            std::exit(1);
        }
        if (sink != nullptr)
            sink->write(buffer.data(), static_cast<std::size_t>(got));
    }
    if (sink != nullptr)
        sink->finish();
    double seconds = cpu_seconds() - start;
    close(fd);
    return seconds;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: dump_scanner DUMP.sql RUNS\n");
        return 2;
    }
    int runs = std::stoi(argv[2]);
    std::vector<double> read_only, scanned, compressed;
    std::uint64_t rows = 0;
    for (int round = 0; round < runs; ++round) {
        read_only.push_back(timed(argv[1], nullptr));
        lokbackup::DumpScriptScanner scanner;
        scanned.push_back(timed(argv[1], &scanner));
        rows = 0;
        for (const auto &table : scanner.table_rows())
            rows += table.second;
        if (!scanner.complete())
            std::fprintf(stderr, "the scanner did not read the whole script\n");
        Discard discard;
        auto zstd = lokbackup::make_compressor(lokbackup::Compression::zstd, 3, discard);
        compressed.push_back(timed(argv[1], zstd.get()));
    }
    double r = median(read_only), s = median(scanned), z = median(compressed);
    std::printf("rows counted: %llu\n", static_cast<unsigned long long>(rows));
    std::printf("R read only:          %.3f CPU-s\n", r);
    std::printf("S read and scan:      %.3f CPU-s  (scan alone %.3f, %.2fx R)\n", s, s - r, s / r);
    std::printf("Z read and zstd -3:   %.3f CPU-s  (scan costs %.0f%% of zstd's %.3f)\n", z,
                100 * (s - r) / (z - r), z - r);
    return 0;
}
