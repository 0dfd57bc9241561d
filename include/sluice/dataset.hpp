// sluice's dataset layer: globs, hive partitions, many files read as one table, one table written as
// many files, write modes.
#pragma once

#include "sluice/dataset/discover.hpp"
#include "sluice/dataset/format.hpp"
#include "sluice/dataset/glob.hpp"
#include "sluice/dataset/hive.hpp"
#include "sluice/dataset/reader.hpp"
#include "sluice/dataset/writer.hpp"
