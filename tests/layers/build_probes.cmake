# cmake -DBUILD_DIR=... -DCONTROL=target -DPROBES="target=header;..." -P build_probes.cmake
# Builds each probe target of tests/layers/CMakeLists.txt: the control must
# compile; every other probe must fail because its header is not on the
# layer's include path (the compiler's "No such file or directory" naming the
# header), not for any other reason.
set(failures "")
foreach(probe ${PROBES})
  string(REPLACE "=" ";" parts "${probe}")
  list(GET parts 0 target)
  list(GET parts 1 header)
  execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${target}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(text "${out}${err}")
  if(target STREQUAL CONTROL)
    if(NOT rc EQUAL 0)
      list(APPEND failures "${target}: the control probe (${header}) did not compile:\n${text}")
    else()
      message(STATUS "${target}: compiles (a header below the layer)")
    endif()
  elseif(rc EQUAL 0)
    list(APPEND failures "${target}: compiled although ${header} is a header above its layer")
  elseif(NOT text MATCHES "${header}: No such file or directory")
    list(APPEND failures "${target}: failed, but not because ${header} is unreachable:\n${text}")
  else()
    message(STATUS "${target}: refused (${header}: No such file or directory)")
  endif()
endforeach()
if(failures)
  string(REPLACE ";" "\n" failures "${failures}")
  message(FATAL_ERROR "${failures}")
endif()
