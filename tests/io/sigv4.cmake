# AWS SigV4 signing and its crypto helpers; the conformance suites are read from SLUICE_TESTDATA_DIR.
sluice_test(io_sigv4_tests io/sigv4_test.cpp)
target_include_directories(io_sigv4_tests PRIVATE ${PROJECT_SOURCE_DIR}/io)
