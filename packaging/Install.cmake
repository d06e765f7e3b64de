# `cmake --install` and the Debian package (CPack): the binary, config/ (verdict thresholds,
# scanner profiles) under <prefix>/share/sijtrack/config, the serve configuration in
# /etc/sijtrack/serve.conf, the systemd unit in /lib/systemd/system, and the docs.
# The prefix defaults to /usr here, so that the unit, the package and `cmake --install` agree.
include(GNUInstallDirs)

install(TARGETS sijtrack RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY config/ DESTINATION ${CMAKE_INSTALL_DATADIR}/sijtrack/config PATTERN serve.conf EXCLUDE)
install(FILES config/serve.conf DESTINATION /etc/sijtrack)
configure_file(packaging/sijtrack.service.in ${CMAKE_CURRENT_BINARY_DIR}/sijtrack.service @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/sijtrack.service DESTINATION /lib/systemd/system)
install(FILES README.md docs/sidecar.md docs/exit-codes.md docs/report.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "sijtrack")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "sijtrack maintainers <sijtrack@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Trocar tip and ozone distribution for CT-guided sacroiliac joint injections")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
# The shared libraries the binary links (ITK, DCMTK, OpenCV, OpenIGTLink, ...) as dependencies.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# /etc/sijtrack/serve.conf is the administrator's: kept on upgrade.
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/packaging/conffiles "/etc/sijtrack/serve.conf\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_CURRENT_BINARY_DIR}/packaging/conffiles)
include(CPack)
