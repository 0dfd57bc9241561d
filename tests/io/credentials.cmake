# Credentials: the AWS chain (environment, profiles, credential_process, STS web identity, ECS, IMDSv2)
# and GCS OAuth2 tokens (service-account JWT, metadata server). The HTTP flows run against
# io/cred_endpoint.mjs, which each test process starts with node on a free port and stops by PID.
find_package(OpenSSL REQUIRED)
find_package(simdjson REQUIRED)
find_program(SLUICE_NODE_FOR_TESTS node)
sluice_test(io_credentials_tests io/credentials_test.cpp)
target_include_directories(io_credentials_tests PRIVATE ${PROJECT_SOURCE_DIR}/io)
target_link_libraries(io_credentials_tests PRIVATE OpenSSL::Crypto simdjson::simdjson)
target_compile_definitions(io_credentials_tests PRIVATE
  SLUICE_NODE="${SLUICE_NODE_FOR_TESTS}"
  SLUICE_CRED_ENDPOINT="${CMAKE_CURRENT_SOURCE_DIR}/io/cred_endpoint.mjs")
