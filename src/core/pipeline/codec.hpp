// Streaming compression and decompression: zstd (libzstd), gzip (zlib) and none.
#pragma once

#include "core/base/sink.hpp"
#include "core/base/vocabulary.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace lokbackup
{

enum class Compression { none, gzip, zstd };

// zstd, gzip, none: lokbackup.compression's values, and the manifest's and the request's names.
const Vocabulary<Compression> &compression_vocabulary();
// Throws InvalidValue naming the allowed values.
Compression parse_compression(std::string_view name);
std::string_view compression_name(Compression compression);
// ".zst", ".gz" or "" for none.
std::string_view compression_extension(Compression compression);

struct LevelRange {
    int min;
    int max;
    int fallback; // used when the level setting is 0
};
LevelRange compression_levels(Compression compression);
// 0 means "the codec's default"; throws InvalidValue when the level is outside the codec's range.
int effective_level(Compression compression, int level);

// Compresses everything written to it into `out`; finish() ends the stream and finishes `out`.
std::unique_ptr<Sink> make_compressor(Compression compression, int level, Sink &out);
// Decompresses into `out`; finish() throws Error when the compressed stream is truncated or
// corrupt, and otherwise finishes `out`. Concatenated frames/members are accepted.
std::unique_ptr<Sink> make_decompressor(Compression compression, Sink &out);

} // namespace lokbackup
