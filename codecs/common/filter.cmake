# Row filters (--where), take() and cast(): parsing, constants per column type, evaluation, gathering
# rows, converting columns between types (datasets unify files by them).
target_sources(sluice_codecs PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/common/filter_parse.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/common/filter_coerce.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/common/filter.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/common/take.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/common/cast.cpp)
