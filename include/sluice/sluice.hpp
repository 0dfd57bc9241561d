// sluice: move tabular data between formats and stores as a stream. The one header for everything.
#pragma once

#include "sluice/core/array.hpp"
#include "sluice/core/arrow_c.hpp"
#include "sluice/core/buffer.hpp"
#include "sluice/core/builder.hpp"
#include "sluice/core/compare.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/temporal.hpp"
#include "sluice/core/types.hpp"
#include "sluice/io/local.hpp"
#include "sluice/io/open.hpp"
#include "sluice/io/sink.hpp"
#include "sluice/io/source.hpp"
#include "sluice/codecs/csv.hpp"
#include "sluice/codecs/ndjson.hpp"
#include "sluice/codecs/filter.hpp"
#include "sluice/codecs/parquet.hpp"
