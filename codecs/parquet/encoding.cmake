# Parquet value encodings: decoders and encoders under parquet/encoding/ (headers; their unrolled
# bit-unpacking kernels are compiled once into sluice_codecs, parquet/encoding/kernels.cpp).
add_library(sluice_parquet_encoding INTERFACE)
target_include_directories(sluice_parquet_encoding INTERFACE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(sluice_parquet_encoding INTERFACE sluice_core)
