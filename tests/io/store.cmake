# Object stores, HTTP client, URIs, XML: unit tests without a server (io_store_unit_tests), and tests
# against a real radosgw that a CTest fixture starts on 127.0.0.1 and stops by PID (io_store_s3_tests).
sluice_test(io_store_unit_tests io/store_unit_test.cpp)
target_include_directories(io_store_unit_tests PRIVATE ${PROJECT_SOURCE_DIR}/io)

set(SLUICE_RADOSGW_DIR ${CMAKE_CURRENT_BINARY_DIR}/radosgw)
add_test(NAME store.radosgw.start COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/io/radosgw.sh start ${SLUICE_RADOSGW_DIR})
add_test(NAME store.radosgw.stop COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/io/radosgw.sh stop ${SLUICE_RADOSGW_DIR})
set_tests_properties(store.radosgw.start PROPERTIES FIXTURES_SETUP radosgw TIMEOUT 120 RESOURCE_LOCK radosgw)
set_tests_properties(store.radosgw.stop PROPERTIES FIXTURES_CLEANUP radosgw TIMEOUT 60 RESOURCE_LOCK radosgw)

add_executable(io_store_s3_tests io/store_s3_test.cpp)
target_link_libraries(io_store_s3_tests PRIVATE sluice::sluice GTest::gtest GTest::gtest_main Threads::Threads)
target_include_directories(io_store_s3_tests PRIVATE ${PROJECT_SOURCE_DIR}/io)
target_compile_options(io_store_s3_tests PRIVATE ${SLUICE_WARNINGS})
target_compile_definitions(io_store_s3_tests PRIVATE SLUICE_RADOSGW_ENV="${SLUICE_RADOSGW_DIR}/env")
# All radosgw tests share one server: they run one at a time, inside the fixture.
gtest_discover_tests(io_store_s3_tests DISCOVERY_TIMEOUT 60
  PROPERTIES TIMEOUT 600 FIXTURES_REQUIRED radosgw RESOURCE_LOCK radosgw)

if(SLUICE_BUILD_TOOLS)
  add_test(NAME store.cli.s3 COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/io/store_cli_test.sh $<TARGET_FILE:sluice>
           ${SLUICE_RADOSGW_DIR}/env)
  set_tests_properties(store.cli.s3 PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77 FIXTURES_REQUIRED radosgw RESOURCE_LOCK radosgw)
endif()
