# Node packs for plugin_plugin_loader_test (included from tests/CMakeLists.txt). They go to their own folder, never
# the real plugin folder, and are not installed.
set(SV_TEST_PACK_DIR ${CMAKE_BINARY_DIR}/tests/plugin_packs)
set(_sv_test_packs)
foreach(p a_good b_duplicate c_throwing d_wrong_iid f_alien_throw)
  sv_add_node_pack(sv_testpack_${p} ${CMAKE_CURRENT_LIST_DIR}/packs/${p}.cpp
    OUTPUT_DIRECTORY ${SV_TEST_PACK_DIR} NO_INSTALL)
  list(APPEND _sv_test_packs sv_testpack_${p})
endforeach()
add_library(sv_testpack_e_not_plugin MODULE ${CMAKE_CURRENT_LIST_DIR}/packs/e_not_plugin.cpp)
set_target_properties(sv_testpack_e_not_plugin PROPERTIES PREFIX "lib" LIBRARY_OUTPUT_DIRECTORY ${SV_TEST_PACK_DIR})
list(APPEND _sv_test_packs sv_testpack_e_not_plugin)
if(TARGET plugin_plugin_loader_test)
  add_dependencies(plugin_plugin_loader_test ${_sv_test_packs})
  target_compile_definitions(plugin_plugin_loader_test PRIVATE SV_TEST_PACK_DIR="${SV_TEST_PACK_DIR}")
endif()

# End-to-end test of `sanavideo run` / `sanavideo nodes` with these packs.
if(TARGET sanavideo)
  add_test(NAME plugin_cli_run COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli_run_test.sh $<TARGET_FILE:sanavideo>
    ${SV_TEST_PACK_DIR})
  set_tests_properties(plugin_cli_run PROPERTIES LABELS plugin TIMEOUT 120)
endif()
