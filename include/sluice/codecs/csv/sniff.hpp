// Dialect sniffing: which delimiter and quote make the sample's rows most consistent.
#pragma once

#include <string_view>

#include "sluice/codecs/csv/reader.hpp"

namespace sluice::csv {

// Picks the delimiter among , ; \t | and the quote among " ' (or none) that give the sample the
// most rows with the same number of fields (more fields breaking ties), keeping whatever `options`
// fixes. `at_eof` says the sample is the whole input (so an open quote at its end disqualifies).
// The header is decided later, from types (see CsvReader::open).
Dialect sniff_dialect(std::string_view sample, const ReadOptions& options, bool at_eof);

}  // namespace sluice::csv
