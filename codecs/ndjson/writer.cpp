#include "sluice/codecs/ndjson/writer.hpp"
