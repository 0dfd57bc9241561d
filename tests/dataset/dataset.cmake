# The dataset layer: globs, hive partitions, multi-file reads, partitioned writes, write modes.
sluice_test(dataset_tests dataset/dataset_test.cpp)
if(SLUICE_BUILD_TOOLS)
  find_program(NODE_EXECUTABLE node)
  if(NODE_EXECUTABLE)
    # DuckDB reads sluice's partitioned output and sluice DuckDB's; gzip/zstd streams; SIGKILL halfway.
    add_test(NAME duckdb.oracle.dataset COMMAND ${NODE_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/dataset/dataset_oracle.mjs
             $<TARGET_FILE:sluice>)
    set_tests_properties(duckdb.oracle.dataset PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77)
  endif()
endif()
