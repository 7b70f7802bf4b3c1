# Runs one command and checks both its exit code and its output, which ctest alone cannot do
# (PASS_REGULAR_EXPRESSION ignores the exit code, WILL_FAIL ignores the output):
#
#   cmake -DEXPECT_EXIT=1 -P expect_run.cmake REGEX... -- CMD ARGS...
#
# Every REGEX must match stdout and stderr together. The output is printed either way, so a
# failing test shows what the command said.
cmake_minimum_required(VERSION 3.20)

# The arguments after the script's path: regexes up to "--", then the command.
set(regexes "")
set(command "")
set(part before_script)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
  set(arg "${CMAKE_ARGV${i}}")
  if(part STREQUAL "command")
    list(APPEND command "${arg}")
  elseif(part STREQUAL "regexes" AND arg STREQUAL "--")
    set(part command)
  elseif(part STREQUAL "regexes")
    list(APPEND regexes "${arg}")
  elseif(part STREQUAL "script")
    set(part regexes)
  elseif(arg STREQUAL "-P")
    set(part script)
  endif()
endforeach()
if(NOT command)
  message(FATAL_ERROR "expect_run.cmake: no command after --")
endif()

execute_process(COMMAND ${command} RESULT_VARIABLE exit_code OUTPUT_VARIABLE output
                ERROR_VARIABLE output)
message("${output}")
if(NOT "${exit_code}" STREQUAL "${EXPECT_EXIT}")
  message(FATAL_ERROR "expected exit code ${EXPECT_EXIT}, got ${exit_code}")
endif()
foreach(regex IN LISTS regexes)
  if(NOT output MATCHES "${regex}")
    message(FATAL_ERROR "the output does not match '${regex}'")
  endif()
endforeach()
