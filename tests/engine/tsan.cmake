# The opt-in ThreadSanitizer run of the engine tests: `ctest -L tsan`.
# Include from tests/CMakeLists.txt: include(${CMAKE_CURRENT_SOURCE_DIR}/engine/tsan.cmake)
# Not registered inside a TSan build itself (that build's engine_tests are
# already instrumented: run `ctest -L engine` there).
if(NOT BLOBGRAPH_TSAN)
  add_test(NAME engine_tsan
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/run_tsan.sh ${PROJECT_SOURCE_DIR}
                   ${PROJECT_BINARY_DIR}/tsan)
  set_tests_properties(engine_tsan PROPERTIES LABELS "tsan" TIMEOUT 3600)
endif()
