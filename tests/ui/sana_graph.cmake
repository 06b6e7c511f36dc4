# The editor running the real SANA-Video node pack (included from tests/CMakeLists.txt): ui_sana_graph_test opens the
# shipped default graph in the window and runs it on a demo model made by `sanavideo make-demo-model`.
# ui_sana_long_graph_test does the same with the long-video graph on a LongSANA demo model.
foreach(t ui_sana_graph_test ui_sana_long_graph_test)
  if(TARGET ${t} AND TARGET sv_nodes_sana AND TARGET sanavideo)
    add_dependencies(${t} sv_nodes_sana sanavideo)
    target_compile_definitions(${t} PRIVATE
      SV_SANA_PACK_FILE="$<TARGET_FILE:sv_nodes_sana>"
      SV_SANAVIDEO_EXE="$<TARGET_FILE:sanavideo>"
      SV_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  endif()
endforeach()

# The studio run as a program (ui_studio_cli_test, and the exit code of a failing run in ui_sana_graph_test).
foreach(t ui_studio_cli_test ui_sana_graph_test)
  if(TARGET ${t} AND TARGET sanavideo-studio)
    add_dependencies(${t} sanavideo-studio)
    target_compile_definitions(${t} PRIVATE SV_STUDIO_EXE="$<TARGET_FILE:sanavideo-studio>")
  endif()
endforeach()
