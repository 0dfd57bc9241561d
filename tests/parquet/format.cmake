# Parquet metadata: the footer, page headers, page indexes and bloom filter headers.
sluice_test(parquet_format_tests parquet/metadata_test.cpp)
target_include_directories(parquet_format_tests SYSTEM PRIVATE ${SLUICE_CODECS_PRIVATE_INCLUDES})
# Writes the seed corpus fuzz/corpus/parquet_footer/ (by hand: make_footer_seeds <dir>).
add_executable(parquet_make_footer_seeds EXCLUDE_FROM_ALL parquet/make_footer_seeds.cpp)
target_link_libraries(parquet_make_footer_seeds PRIVATE sluice::sluice)
target_include_directories(parquet_make_footer_seeds SYSTEM PRIVATE ${SLUICE_CODECS_PRIVATE_INCLUDES})
