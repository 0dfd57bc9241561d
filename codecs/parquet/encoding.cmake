# Parquet value encodings (header-only): decoders and encoders under parquet/encoding/.
add_library(sluice_parquet_encoding INTERFACE)
target_include_directories(sluice_parquet_encoding INTERFACE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(sluice_parquet_encoding INTERFACE sluice_core)
