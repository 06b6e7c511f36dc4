# Tests of the SANA-Video node pack (included from tests/CMakeLists.txt): they load the real pack from the build
# tree's plugin folder in-process (plugin_sana_nodes_test) and run the sanavideo binary end to end
# (plugin_sana_cli_test), both on a demo model made with `sanavideo make-demo-model`.
if(TARGET sv_nodes_sana AND TARGET sanavideo)
  foreach(t plugin_sana_nodes_test plugin_sana_cli_test plugin_sana_hostile_test plugin_sana_long_node_test
          plugin_sana_load_model_test)
    if(TARGET ${t})
      add_dependencies(${t} sv_nodes_sana sanavideo)
      target_link_libraries(${t} PRIVATE sv_media)
      target_compile_definitions(${t} PRIVATE
        SV_SANA_PACK_FILE="$<TARGET_FILE:sv_nodes_sana>"
        SV_SANAVIDEO_EXE="$<TARGET_FILE:sanavideo>"
        SV_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    endif()
  endforeach()
endif()
