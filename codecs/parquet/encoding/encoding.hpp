// The Parquet value encodings in one include: PLAIN, dictionary, RLE/bit-packed hybrid, BIT_PACKED,
// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT. Decoders read
// a decompressed page (data, size) and never past its end; malformed input is a kParseError naming
// the encoding and the byte offset in the page. Encoders append to a std::vector<std::uint8_t>.
#pragma once

#include "parquet/encoding/binary_out.hpp"
#include "parquet/encoding/bit_util.hpp"
#include "parquet/encoding/byte_stream_split.hpp"
#include "parquet/encoding/common.hpp"
#include "parquet/encoding/delta_binary_packed.hpp"
#include "parquet/encoding/delta_byte_array.hpp"
#include "parquet/encoding/dictionary.hpp"
#include "parquet/encoding/plain.hpp"
#include "parquet/encoding/rle.hpp"
