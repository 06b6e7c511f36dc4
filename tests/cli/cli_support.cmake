# Helpers shared by the `sanavideo` CLI test scripts (cmake -P): run the CLI (SANAVIDEO) and check its exit code
# and output.

function(run_cli expected_rc out_var)
  execute_process(COMMAND ${SANAVIDEO} ${ARGN} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  message(STATUS "sanavideo ${ARGN} -> ${rc}\n${out}${err}")
  if(NOT rc EQUAL expected_rc)
    message(FATAL_ERROR "sanavideo ${ARGN}: exit code ${rc}, expected ${expected_rc}")
  endif()
  set(${out_var} "${out}${err}" PARENT_SCOPE)
endfunction()

function(expect_match text regex what)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "expected ${what} (regex: ${regex})")
  endif()
endfunction()
