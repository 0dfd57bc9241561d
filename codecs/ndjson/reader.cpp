#include "sluice/codecs/ndjson/reader.hpp"
