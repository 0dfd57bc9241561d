// Dialect sniffing: which delimiter and quote make the sample's rows most consistent.
#pragma once

#include <string_view>

#include "sluice/codecs/csv/reader.hpp"

namespace sluice::csv {

// Picks the delimiter among , ; \t | and the quote among " ' (or none) that give the sample the
// most consistent rows (the share of rows with the most common field count; more fields break ties,
// then the order above), keeping whatever `options` fixes. `at_eof` says the sample is the whole
// input (its last row then counts without a line end). A quote left open at the end does not
// disqualify a candidate: the reader reports it. The header is decided later, from types.
Dialect sniff_dialect(std::string_view sample, const ReadOptions& options, bool at_eof);

}  // namespace sluice::csv
