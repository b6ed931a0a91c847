# satchel_module(<target> DIRS <dir>... [DEPS <target>...] [EXTERNAL <target>...])
#
# One library per module folder (CONVENTIONS.md). Sources are globbed so that adding a file
# needs no edit here; a module with no .cpp yet becomes an INTERFACE library.
function(satchel_module target)
  cmake_parse_arguments(M "" "" "DIRS;DEPS;EXTERNAL" ${ARGN})
  set(sources)
  foreach(dir IN LISTS M_DIRS)
    file(GLOB_RECURSE found CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*.cpp")
    list(APPEND sources ${found})
  endforeach()
  if(sources)
    add_library(${target} STATIC ${sources})
    target_link_libraries(${target} PUBLIC ${M_DEPS} ${M_EXTERNAL})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
  else()
    add_library(${target} INTERFACE)
    target_link_libraries(${target} INTERFACE ${M_DEPS} ${M_EXTERNAL})
    target_include_directories(${target} INTERFACE ${PROJECT_SOURCE_DIR})
  endif()
endfunction()

# satchel_unit_test(<module>): tests/unit/<module>/**/*_test.cpp -> one executable per module,
# registered with ctest as unit_<module>.
function(satchel_unit_test module)
  cmake_parse_arguments(T "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE found CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/${module}/*_test.cpp")
  if(NOT found)
    return()
  endif()
  add_executable(unit_${module} ${found})
  target_link_libraries(unit_${module} PRIVATE satchel_test_main ${T_DEPS})
  add_test(NAME unit_${module} COMMAND unit_${module})
endfunction()
