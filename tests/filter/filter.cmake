# Row filters and take (included from tests/CMakeLists.txt).
sluice_test(filter_tests
  filter/parse_test.cpp
  filter/coerce_test.cpp
  filter/filter_test.cpp
  filter/take_test.cpp)
target_include_directories(filter_tests PRIVATE ${PROJECT_SOURCE_DIR}/codecs)
