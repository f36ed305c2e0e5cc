# `cmake --install`: headers, the four libraries, the `barriers` command, a
# CMake package (find_package(barriers) -> barriers::solvers etc., the Debian
# dependencies found again transitively) and a pkg-config file.
include(CMakePackageConfigHelpers)

set(barriers_libraries barriers_precision barriers_oracle barriers_solvers barriers_impossibility)
set_target_properties(barriers_numlibs PROPERTIES EXPORT_NAME numlibs)
foreach(lib ${barriers_libraries})
  string(REPLACE "barriers_" "" short ${lib})
  set_target_properties(${lib} PROPERTIES EXPORT_NAME ${short})
endforeach()
install(TARGETS barriers_numlibs ${barriers_libraries} EXPORT barriersTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS barriers RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
foreach(module precision oracle solvers impossibility)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${module}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endforeach()

set(barriers_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/barriers)
install(EXPORT barriersTargets NAMESPACE barriers:: DESTINATION ${barriers_cmake_dir})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/barriersConfig.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/barriersConfig.cmake
                              INSTALL_DESTINATION ${barriers_cmake_dir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/barriersConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/barriersConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/barriersConfigVersion.cmake
        DESTINATION ${barriers_cmake_dir})

# pkg-config: the same flags for builds without CMake.
if(BARRIERS_NATIVE)
  set(barriers_pc_native "-march=native")
else()
  set(barriers_pc_native "")
endif()
string(REGEX REPLACE "[^/]+" ".." barriers_pc_up "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
configure_file(${CMAKE_CURRENT_LIST_DIR}/barriers.pc.in ${CMAKE_CURRENT_BINARY_DIR}/barriers.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/barriers.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# `make deb` (cpack -G DEB): the same install tree as a Debian package under
# /usr. It depends on the -dev packages a consumer needs for
# find_package(barriers) (the libraries are static and the headers include
# Eigen, Boost, MPFR, ...), and on what the `barriers` command links
# (dpkg-shlibdeps). Built with BARRIERS_NATIVE=ON it runs only on CPUs like
# the build machine's: package with -DBARRIERS_NATIVE=OFF for others.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME barriers)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "barriers developers <barriers@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "limits of computing sparse regularisation and neural networks, in exact and arbitrary precision")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libboost-dev, libgmp-dev, libmpfr-dev, libmpc-dev, libmpfi-dev, libflint-dev, libflint-arb-dev, libeigen3-dev, libfftw3-dev, libpng-dev, pkg-config")
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)
include(CPack)
