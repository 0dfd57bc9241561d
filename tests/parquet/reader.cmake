# The Parquet reader against the parquet-testing corpus.
sluice_test(parquet_reader_tests parquet/reader_test.cpp)
target_include_directories(parquet_reader_tests SYSTEM PRIVATE ${SLUICE_CODECS_PRIVATE_INCLUDES})
