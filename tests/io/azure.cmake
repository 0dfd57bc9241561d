# Azure Blob storage: unit tests without a server (connection strings, SharedKey string-to-sign,
# endpoints, credentials, List Blobs parsing: io_azure_unit_tests), and tests against a real azurite
# that a CTest fixture starts on 127.0.0.1 and stops by PID (io_azure_tests, store.azure.cli).
sluice_test(io_azure_unit_tests io/azure_unit_test.cpp)
target_include_directories(io_azure_unit_tests PRIVATE ${PROJECT_SOURCE_DIR}/io)

set(SLUICE_AZURITE_DIR ${CMAKE_CURRENT_BINARY_DIR}/azurite)
add_test(NAME store.azurite.start COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/io/azurite.sh start ${SLUICE_AZURITE_DIR})
add_test(NAME store.azurite.stop COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/io/azurite.sh stop ${SLUICE_AZURITE_DIR})
set_tests_properties(store.azurite.start PROPERTIES FIXTURES_SETUP azurite TIMEOUT 60 RESOURCE_LOCK azurite)
set_tests_properties(store.azurite.stop PROPERTIES FIXTURES_CLEANUP azurite TIMEOUT 60 RESOURCE_LOCK azurite)

add_executable(io_azure_tests io/azure_test.cpp)
target_link_libraries(io_azure_tests PRIVATE sluice::sluice GTest::gtest GTest::gtest_main Threads::Threads)
target_include_directories(io_azure_tests PRIVATE ${PROJECT_SOURCE_DIR}/io)
target_compile_options(io_azure_tests PRIVATE ${SLUICE_WARNINGS})
target_compile_definitions(io_azure_tests PRIVATE SLUICE_AZURITE_ENV="${SLUICE_AZURITE_DIR}/env")
# All azurite tests share one server (each its own container); they run inside the fixture.
gtest_discover_tests(io_azure_tests DISCOVERY_TIMEOUT 60
  PROPERTIES TIMEOUT 600 FIXTURES_REQUIRED azurite RESOURCE_LOCK azurite)

if(SLUICE_BUILD_TOOLS)
  # A second client: Debian's azure-cli reads what sluice wrote and the other way round.
  add_test(NAME store.azure.cli COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/io/azure_cli_test.sh $<TARGET_FILE:sluice>
           ${SLUICE_AZURITE_DIR}/env)
  set_tests_properties(store.azure.cli PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77 FIXTURES_REQUIRED azurite RESOURCE_LOCK azurite)
endif()
