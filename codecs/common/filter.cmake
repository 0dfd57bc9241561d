# Row filters (--where) and take(): parsing, constants per column type, evaluation, gathering rows.
target_sources(sluice_codecs PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/common/filter_parse.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/common/filter_coerce.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/common/filter.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/common/take.cpp)
