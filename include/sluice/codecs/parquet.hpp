// The Parquet codec: the reader and the writer.
#pragma once

#include "sluice/codecs/parquet/options.hpp"
#include "sluice/codecs/parquet/reader.hpp"
#include "sluice/codecs/parquet/writer.hpp"
