#include "core/schedule/tzif.hpp"

#include "core/base/error.hpp"

#include <cstddef>

namespace lokbackup
{

namespace
{

class TzifReader
{
  public:
    TzifReader(std::string_view data, const std::string &source) : data_(data), source_(source) {}

    TzifData read()
    {
        Header first = header();
        if (first.version == 0)
            return block(first, 4);
        // Version 2 and later repeat the data with 64-bit times after the version 1 block,
        // then add the footer; only that second part is read.
        skip(block_size(first, 4));
        Header second = header();
        TzifData data = block(second, 8);
        if (byte() != '\n')
            fail("no footer");
        std::size_t end = data_.find('\n', position_);
        if (end == std::string_view::npos)
            fail("unterminated footer");
        data.footer = std::string(data_.substr(position_, end - position_));
        return data;
    }

  private:
    struct Header {
        int version = 0; // 0 for the original format, else 2, 3, 4, ...
        std::uint32_t is_ut_count, is_standard_count, leap_count, transition_count, type_count,
            abbreviation_bytes;
    };

    [[noreturn]] void fail(const std::string &what) const
    {
        throw Error("time zone file " + source_ + " is not a valid TZif file: " + what);
    }

    void need(std::size_t bytes) const
    {
        if (data_.size() - position_ < bytes)
            fail("truncated");
    }
    void skip(std::size_t bytes)
    {
        need(bytes);
        position_ += bytes;
    }
    unsigned char byte()
    {
        need(1);
        return static_cast<unsigned char>(data_[position_++]);
    }
    // Big-endian two's complement, 4 or 8 bytes.
    std::int64_t integer(int size)
    {
        std::uint64_t value = 0;
        for (int i = 0; i < size; ++i)
            value = value << 8 | byte();
        if (size == 4)
            return static_cast<std::int32_t>(static_cast<std::uint32_t>(value));
        return static_cast<std::int64_t>(value);
    }

    Header header()
    {
        need(44);
        if (data_.substr(position_, 4) != "TZif")
            fail("no TZif magic");
        position_ += 4;
        unsigned char version = byte();
        skip(15);
        Header header;
        header.version = version == 0 ? 0 : version - '0';
        header.is_ut_count = static_cast<std::uint32_t>(integer(4));
        header.is_standard_count = static_cast<std::uint32_t>(integer(4));
        header.leap_count = static_cast<std::uint32_t>(integer(4));
        header.transition_count = static_cast<std::uint32_t>(integer(4));
        header.type_count = static_cast<std::uint32_t>(integer(4));
        header.abbreviation_bytes = static_cast<std::uint32_t>(integer(4));
        if (header.type_count == 0)
            fail("no local time types");
        if (header.leap_count != 0)
            throw Error("time zone file " + source_ +
                        " counts leap seconds (a \"right/\" zone), which is not supported");
        return header;
    }

    static std::size_t block_size(const Header &header, int time_size)
    {
        return std::size_t(header.transition_count) * (time_size + 1) +
               std::size_t(header.type_count) * 6 + header.abbreviation_bytes +
               std::size_t(header.leap_count) * (time_size + 4) + header.is_standard_count +
               header.is_ut_count;
    }

    TzifData block(const Header &header, int time_size)
    {
        need(block_size(header, time_size));
        std::vector<std::int64_t> times(header.transition_count);
        for (auto &time : times)
            time = integer(time_size);
        std::vector<unsigned char> type_of_transition(header.transition_count);
        for (auto &type : type_of_transition) {
            type = byte();
            if (type >= header.type_count)
                fail("transition to an unknown local time type");
        }
        std::vector<int> type_offsets(header.type_count);
        for (auto &offset : type_offsets) {
            offset = static_cast<int>(integer(4));
            skip(2); // is-DST flag and abbreviation index: only offsets matter here
        }
        skip(header.abbreviation_bytes + header.is_standard_count + header.is_ut_count);

        TzifData data;
        data.first_offset = type_offsets[0];
        for (std::size_t i = 0; i < times.size(); ++i) {
            if (i > 0 && times[i] <= times[i - 1])
                fail("transitions out of order");
            data.transitions.push_back(times[i]);
            data.offsets.push_back(type_offsets[type_of_transition[i]]);
        }
        return data;
    }

    std::string_view data_;
    const std::string &source_;
    std::size_t position_ = 0;
};

} // namespace

TzifData parse_tzif(std::string_view data, const std::string &source)
{
    return TzifReader(data, source).read();
}

} // namespace lokbackup
