# Parquet page codecs.
sluice_test(parquet_compression_tests parquet/compression_test.cpp)
target_include_directories(parquet_compression_tests SYSTEM PRIVATE ${SLUICE_CODECS_PRIVATE_INCLUDES})
# The tests also build inputs with the codec libraries directly (zlib, lz4 frames, zstd streaming).
target_include_directories(parquet_compression_tests SYSTEM PRIVATE
  ${SLUICE_ZSTD_INCLUDE_DIR} ${SLUICE_LZ4_INCLUDE_DIR} ${SLUICE_BROTLIENC_INCLUDE_DIR})
target_link_libraries(parquet_compression_tests PRIVATE ZLIB::ZLIB ${SLUICE_ZSTD_LIBRARY} ${SLUICE_LZ4_LIBRARY}
  ${SLUICE_BROTLIENC_LIBRARY} ${SLUICE_BROTLIDEC_LIBRARY})
