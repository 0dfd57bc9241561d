# Parquet's Thrift metadata: C++ generated at build time from parquet.thrift (into the build tree),
# compiled with metadata.cpp into the object library sluice_parquet_format. Included from
# codecs/CMakeLists.txt, so CMAKE_CURRENT_SOURCE_DIR is codecs/.
find_program(SLUICE_THRIFT_COMPILER thrift DOC "Apache Thrift compiler")
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(SLUICE_PC_THRIFT QUIET thrift)
endif()
find_path(SLUICE_THRIFT_INCLUDE_DIR thrift/protocol/TCompactProtocol.h HINTS ${SLUICE_PC_THRIFT_INCLUDE_DIRS})
find_library(SLUICE_THRIFT_LIBRARY NAMES thrift HINTS ${SLUICE_PC_THRIFT_LIBRARY_DIRS})
# Debian's libthrift-dev headers include Boost without depending on it (libboost-dev).
find_path(SLUICE_BOOST_INCLUDE_DIR boost/numeric/conversion/cast.hpp)
if(NOT SLUICE_THRIFT_COMPILER OR NOT SLUICE_THRIFT_INCLUDE_DIR OR NOT SLUICE_THRIFT_LIBRARY
   OR NOT SLUICE_BOOST_INCLUDE_DIR)
  message(FATAL_ERROR "Parquet (SLUICE_PARQUET_WIP) needs the thrift compiler, libthrift and the Boost "
                      "headers (Debian: thrift-compiler libthrift-dev libboost-dev); found compiler="
                      "'${SLUICE_THRIFT_COMPILER}' include='${SLUICE_THRIFT_INCLUDE_DIR}' library="
                      "'${SLUICE_THRIFT_LIBRARY}' boost='${SLUICE_BOOST_INCLUDE_DIR}'")
endif()
if(NOT TARGET sluice_thrift)
  add_library(sluice_thrift INTERFACE)
  target_include_directories(sluice_thrift SYSTEM INTERFACE ${SLUICE_THRIFT_INCLUDE_DIR} ${SLUICE_BOOST_INCLUDE_DIR})
  target_link_libraries(sluice_thrift INTERFACE ${SLUICE_THRIFT_LIBRARY})
endif()

# Included as "parquet/thrift/parquet_types.h". moveable_types: a decoded footer is moved, not copied.
# Thrift emits unscoped enums without a fixed underlying type, so holding a value the IDL does not
# list (a newer encoding, a hostile footer) would be undefined behaviour (UBSan: "load of value ...
# which is not a valid value for type 'Type::type'"). The fix-up script gives every generated enum
# the underlying type int32_t, which makes every value on the wire a valid value of its enum.
set(SLUICE_PARQUET_IDL ${CMAKE_CURRENT_SOURCE_DIR}/parquet/parquet.thrift)
set(SLUICE_PARQUET_GEN_ROOT ${CMAKE_CURRENT_BINARY_DIR}/parquet_generated)
set(SLUICE_PARQUET_GEN_DIR ${SLUICE_PARQUET_GEN_ROOT}/parquet/thrift)
set(SLUICE_PARQUET_GEN_FIX ${CMAKE_CURRENT_BINARY_DIR}/parquet_fix_generated_enums.cmake)
file(CONFIGURE OUTPUT ${SLUICE_PARQUET_GEN_FIX} @ONLY CONTENT [=[
# Gives the enums of Thrift-generated C++ a fixed underlying type (see codecs/parquet/format.cmake).
file(READ "${FILE}" text)
string(REPLACE "  enum type {" "  enum type : int32_t {" fixed "${text}")
if(fixed STREQUAL text)
  message(FATAL_ERROR "no enum found in ${FILE}: the Thrift compiler's output has changed")
endif()
file(WRITE "${FILE}" "${fixed}")
]=])
add_custom_command(
  OUTPUT ${SLUICE_PARQUET_GEN_DIR}/parquet_types.cpp ${SLUICE_PARQUET_GEN_DIR}/parquet_types.h
  COMMAND ${CMAKE_COMMAND} -E make_directory ${SLUICE_PARQUET_GEN_DIR}
  COMMAND ${SLUICE_THRIFT_COMPILER} --gen cpp:no_skeleton,moveable_types -out ${SLUICE_PARQUET_GEN_DIR}
          ${SLUICE_PARQUET_IDL}
  COMMAND ${CMAKE_COMMAND} -DFILE=${SLUICE_PARQUET_GEN_DIR}/parquet_types.h -P ${SLUICE_PARQUET_GEN_FIX}
  DEPENDS ${SLUICE_PARQUET_IDL} ${SLUICE_PARQUET_GEN_FIX}
  COMMENT "Generating C++ from parquet.thrift"
  VERBATIM)

add_library(sluice_parquet_format OBJECT
  ${SLUICE_PARQUET_GEN_DIR}/parquet_types.cpp
  ${SLUICE_PARQUET_GEN_DIR}/parquet_types.h
  ${CMAKE_CURRENT_SOURCE_DIR}/parquet/metadata.cpp)
# The generated tree is not ours: included as a system directory so its warnings stay quiet in our
# translation units, and compiled without our warning flags (only metadata.cpp gets them).
target_include_directories(sluice_parquet_format PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_include_directories(sluice_parquet_format SYSTEM PUBLIC ${SLUICE_PARQUET_GEN_ROOT})
set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/parquet/metadata.cpp
  PROPERTIES COMPILE_OPTIONS "${SLUICE_WARNINGS}")
target_link_libraries(sluice_parquet_format PUBLIC sluice_thrift sluice_core)
target_compile_features(sluice_parquet_format PUBLIC cxx_std_20)
if(SLUICE_BUILD_FUZZ)
  # Coverage feedback from the metadata code too (see fuzz/CMakeLists.txt).
  target_compile_options(sluice_parquet_format PRIVATE -fsanitize=fuzzer-no-link)
  target_link_options(sluice_parquet_format INTERFACE $<BUILD_INTERFACE:-fsanitize=fuzzer-no-link>)
endif()
