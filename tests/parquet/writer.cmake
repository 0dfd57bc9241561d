# The Parquet writer: every type, nesting, option and footer structure, checked by reading back with
# sluice's own reader and by parsing the footer, page index and bloom filters it wrote.
sluice_test(parquet_writer_tests parquet/writer_test.cpp)
target_include_directories(parquet_writer_tests SYSTEM PRIVATE ${SLUICE_CODECS_PRIVATE_INCLUDES})
