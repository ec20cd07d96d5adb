# mycompose_module(NAME DIR [DEPS ...]): a static library from every .cpp in DIR
# (globbed, so adding a file needs no CMake edit), public headers in include/.
function(mycompose_module name)
  cmake_parse_arguments(M "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/include PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${M_DEPS})
endfunction()

# mycompose_lean_link(TARGET [STATIC] ARCHIVES ...): link a program that starts on the path of
# every container start (the launcher, the container init) with almost no dynamic linking:
# libstdc++, libseccomp, libcap and libcrypto static, only glibc shared. The module archives are
# named directly because their usage requirements carry shared-only libraries (spdlog) these
# programs never call.
# STATIC: glibc too (static-pie: still randomized), for the container init. It lives as long as
# its container, and every file it maps (a shared libc, ld.so) would be a host file in
# /proc/1/map_files. glibc warns when a static program calls getpwnam & co (NSS) or dlopen; the
# init calls neither, and the build fails if the linker warns.
function(mycompose_lean_link target)
  cmake_parse_arguments(L "STATIC" "" "ARCHIVES" ${ARGN})
  foreach(a ${L_ARCHIVES})
    add_dependencies(${target} ${a})
    target_link_libraries(${target} PRIVATE $<TARGET_FILE:${a}>)
  endforeach()
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/include)
  if(L_STATIC)
    target_link_libraries(${target} PRIVATE nlohmann_json::nlohmann_json
      -static-pie -Wl,--gc-sections -Wl,--fatal-warnings -lseccomp -lcap -lcrypto)
  else()
    target_link_libraries(${target} PRIVATE nlohmann_json::nlohmann_json
      -static-libstdc++ -static-libgcc -Wl,--gc-sections -Wl,--as-needed
      -Wl,-Bstatic -lseccomp -lcap -lcrypto -Wl,-Bdynamic)
  endif()
endfunction()
