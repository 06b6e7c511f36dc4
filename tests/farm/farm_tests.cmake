# Tests of sweeps and farm jobs (plugin/farm; sanavideo sweep, submit, jobs), included from tests/CMakeLists.txt.
#   label farm:  in-process test nodes, scripted Slurm commands, and the SANA pack on a demo model (no cluster)
#   label slurm: end to end on a real Slurm: `.ci/slurm.sh up` (root) starts a one-node cluster and the tests find
#                it through SLURM_CONF; without a cluster they skip, unless SV_REQUIRE_SLURM=1 (CI) makes that a
#                failure. `ctest -L slurm` runs them alone.
if(NOT TARGET sv_farm)
  return()
endif()

set(_sv_farm_dir ${CMAKE_CURRENT_LIST_DIR})
foreach(name sweep_test sweep_runner_test job_status_test)
  add_executable(farm_${name} ${_sv_farm_dir}/${name}.cpp)
  target_link_libraries(farm_${name} PRIVATE sv_farm sv_test_support GTest::gtest_main)
  sv_set_warnings(farm_${name})
  gtest_discover_tests(farm_${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300 LABELS farm)
endforeach()

# With the real node pack and the sanavideo binary: a sweep on a demo model (farm) and the Slurm tests (slurm).
if(TARGET sv_nodes_sana AND TARGET sanavideo)
  foreach(name sana_sweep_test slurm_test)
    add_executable(farm_${name} ${_sv_farm_dir}/${name}.cpp)
    target_link_libraries(farm_${name} PRIVATE sv_farm sv_media sv_test_support GTest::gtest_main)
    target_include_directories(farm_${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/plugin)
    add_dependencies(farm_${name} sv_nodes_sana sanavideo)
    target_compile_definitions(farm_${name} PRIVATE
      SV_SANA_PACK_FILE="$<TARGET_FILE:sv_nodes_sana>"
      SV_SANAVIDEO_EXE="$<TARGET_FILE:sanavideo>"
      SV_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    sv_set_warnings(farm_${name})
  endforeach()
  gtest_discover_tests(farm_sana_sweep_test DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 600 LABELS farm)
  # GTEST_SKIP() prints "[  SKIPPED ]"; ctest reports such a test as skipped.
  # One at a time (RESOURCE_LOCK): they share the cluster's two CPUs.
  gtest_discover_tests(farm_slurm_test DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 600 LABELS slurm
    RESOURCE_LOCK slurm SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]")
endif()

# The editor submitting to the real Slurm, under Xvfb (a real X server, as on an artist's desktop).
find_program(SV_XVFB_RUN xvfb-run)
if(TARGET sv_ui AND TARGET sv_nodes_sana AND TARGET sanavideo AND SV_XVFB_RUN)
  find_package(Qt6 REQUIRED COMPONENTS Test)
  add_executable(farm_ui_farm_test ${_sv_farm_dir}/ui_farm_test.cpp)
  target_link_libraries(farm_ui_farm_test PRIVATE sv_ui sv_farm sv_test_support Qt6::Test GTest::gtest_main)
  target_include_directories(farm_ui_farm_test PRIVATE ${PROJECT_SOURCE_DIR}/tests/plugin ${PROJECT_SOURCE_DIR}/tests/ui)
  add_dependencies(farm_ui_farm_test sv_nodes_sana sanavideo)
  target_compile_definitions(farm_ui_farm_test PRIVATE
    SV_SANA_PACK_FILE="$<TARGET_FILE:sv_nodes_sana>"
    SV_SANAVIDEO_EXE="$<TARGET_FILE:sanavideo>"
    SV_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  sv_set_warnings(farm_ui_farm_test)
  add_test(NAME farm_ui_submit_to_slurm
    COMMAND ${SV_XVFB_RUN} -a -s "-screen 0 1600x1000x24" $<TARGET_FILE:farm_ui_farm_test>)
  set_tests_properties(farm_ui_submit_to_slurm PROPERTIES LABELS slurm TIMEOUT 600 RESOURCE_LOCK slurm
    ENVIRONMENT "QT_QPA_PLATFORM=xcb" SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]")
endif()
