# Streaming gzip and zstd Sources and Sinks (codecs/common/compressed_stream.cpp). The tests also read
# files made by gzip(1) and zstd(1) when those are installed, and build zstd frames by hand.
sluice_test(compressed_stream_tests codecs/compressed_stream_test.cpp)
target_include_directories(compressed_stream_tests SYSTEM PRIVATE ${SLUICE_ZSTD_INCLUDE_DIR})
target_link_libraries(compressed_stream_tests PRIVATE ZLIB::ZLIB ${SLUICE_ZSTD_LIBRARY})
