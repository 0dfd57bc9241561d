// The NDJSON codec: reader and writer (JSON Lines, and JSON arrays of objects).
#pragma once

#include "sluice/codecs/ndjson/options.hpp"
#include "sluice/codecs/ndjson/reader.hpp"
#include "sluice/codecs/ndjson/writer.hpp"
