# One place for compiler flags, applied per target (no global include_directories / add_compile_options).
add_library(kupffer_warnings INTERFACE)
target_compile_options(kupffer_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion-null)
# GCC 12 reports -Wrestrict on `"literal" + std::string` at -O3, a known false positive (GCC bug 105329).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(kupffer_warnings INTERFACE -Wno-restrict)
endif()
if(KUPFFER_WERROR)
  target_compile_options(kupffer_warnings INTERFACE -Werror)
endif()
if(KUPFFER_SANITIZE)
  target_compile_options(kupffer_warnings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(kupffer_warnings INTERFACE -fsanitize=address,undefined)
endif()
if(KUPFFER_FUZZ)
  # Coverage feedback in every library; the fuzz executables add -fsanitize=fuzzer (libFuzzer's main).
  target_compile_options(kupffer_warnings INTERFACE -fsanitize=fuzzer-no-link)
endif()

# kupffer_add_library(NAME <short> SOURCES ... DEPS ...): a library target kupffer::<short>
# with public headers under <folder>/include.
function(kupffer_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(kupffer_${name} ${ARG_SOURCES})
  add_library(kupffer::${name} ALIAS kupffer_${name})
  target_include_directories(kupffer_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(kupffer_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE kupffer_warnings ${ARG_PRIVATE_DEPS})
endfunction()
