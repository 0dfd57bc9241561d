// The Parquet codec: the reader (the writer follows).
#pragma once

#include "sluice/codecs/parquet/options.hpp"
#include "sluice/codecs/parquet/reader.hpp"
