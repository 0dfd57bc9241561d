# Parquet value encodings: unit tests, and an optional microbenchmark (not built by default). The fuzz
# target parquet_encoding is in fuzz/CMakeLists.txt.
sluice_test(parquet_encoding_tests parquet/encoding_test.cpp)
target_include_directories(parquet_encoding_tests SYSTEM PRIVATE ${SLUICE_CODECS_PRIVATE_INCLUDES})

find_package(benchmark QUIET)
if(benchmark_FOUND AND EXISTS ${PROJECT_SOURCE_DIR}/bench/parquet_encoding_bench.cpp)
  add_executable(parquet_encoding_bench EXCLUDE_FROM_ALL ${PROJECT_SOURCE_DIR}/bench/parquet_encoding_bench.cpp)
  target_link_libraries(parquet_encoding_bench PRIVATE sluice::sluice benchmark::benchmark)
  target_include_directories(parquet_encoding_bench SYSTEM PRIVATE ${SLUICE_CODECS_PRIVATE_INCLUDES})
  target_compile_options(parquet_encoding_bench PRIVATE ${SLUICE_WARNINGS})
endif()
