// The CSV codec: reader, writer, sniffing.
#pragma once

#include "sluice/codecs/csv/options.hpp"
#include "sluice/codecs/csv/reader.hpp"
#include "sluice/codecs/csv/sniff.hpp"
#include "sluice/codecs/csv/writer.hpp"
