# Parquet page codecs (included from codecs/CMakeLists.txt while SLUICE_PARQUET_WIP is on).
# The five libraries come from the system (Debian: libsnappy-dev zlib1g-dev libzstd-dev liblz4-dev
# libbrotli-dev). They are found by header and library name, with pkg-config's directories as hints,
# because only some of them ship CMake package files, and those differ between distributions.
find_package(ZLIB REQUIRED)
find_package(PkgConfig QUIET)

# sluice_find_codec_lib(<var> <header> <pkg-config module> <library names...>) sets <var>_INCLUDE_DIR
# and <var>_LIBRARY in the cache, or stops with a message naming what to install.
function(sluice_find_codec_lib var header module)
  set(hint_inc)
  set(hint_lib)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(_sluice_pc_${var} QUIET ${module})
    set(hint_inc ${_sluice_pc_${var}_INCLUDE_DIRS})
    set(hint_lib ${_sluice_pc_${var}_LIBRARY_DIRS})
  endif()
  find_path(${var}_INCLUDE_DIR ${header} HINTS ${hint_inc})
  find_library(${var}_LIBRARY NAMES ${ARGN} HINTS ${hint_lib})
  if(NOT ${var}_INCLUDE_DIR OR NOT ${var}_LIBRARY)
    message(FATAL_ERROR "sluice Parquet: ${header} / lib${module} not found (install its -dev package, "
                        "or set ${var}_INCLUDE_DIR and ${var}_LIBRARY)")
  endif()
endfunction()

sluice_find_codec_lib(SLUICE_SNAPPY snappy.h snappy snappy)
sluice_find_codec_lib(SLUICE_ZSTD zstd.h libzstd zstd)
sluice_find_codec_lib(SLUICE_LZ4 lz4.h liblz4 lz4)
sluice_find_codec_lib(SLUICE_BROTLIDEC brotli/decode.h libbrotlidec brotlidec)
sluice_find_codec_lib(SLUICE_BROTLIENC brotli/encode.h libbrotlienc brotlienc)

add_library(sluice_parquet_compression OBJECT ${CMAKE_CURRENT_LIST_DIR}/compression.cpp
  ${CMAKE_CURRENT_LIST_DIR}/snappy_many.cpp)
target_include_directories(sluice_parquet_compression PUBLIC ${CMAKE_CURRENT_LIST_DIR}/..)
# The codec headers are only needed by compression.cpp (compression.hpp names none of them).
target_include_directories(sluice_parquet_compression SYSTEM PRIVATE
  ${SLUICE_SNAPPY_INCLUDE_DIR} ${SLUICE_ZSTD_INCLUDE_DIR} ${SLUICE_LZ4_INCLUDE_DIR}
  ${SLUICE_BROTLIDEC_INCLUDE_DIR} ${SLUICE_BROTLIENC_INCLUDE_DIR})
# Linked as plain library paths (plus zlib's standard target) so that an installed static sluice
# exports no imported targets of ours.
target_link_libraries(sluice_parquet_compression PUBLIC
  sluice_core ZLIB::ZLIB
  ${SLUICE_SNAPPY_LIBRARY} ${SLUICE_ZSTD_LIBRARY} ${SLUICE_LZ4_LIBRARY}
  ${SLUICE_BROTLIDEC_LIBRARY} ${SLUICE_BROTLIENC_LIBRARY})
target_compile_options(sluice_parquet_compression PRIVATE ${SLUICE_WARNINGS})
if(SLUICE_BUILD_FUZZ)
  # Coverage feedback for the fuzz target (tests/parquet/compression.cmake), as fuzz/CMakeLists.txt does.
  target_compile_options(sluice_parquet_compression PRIVATE -fsanitize=fuzzer-no-link)
  target_link_options(sluice_parquet_compression INTERFACE $<BUILD_INTERFACE:-fsanitize=fuzzer-no-link>)
endif()
