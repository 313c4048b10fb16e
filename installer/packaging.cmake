# Packages made by `cpack` in a build folder: a tarball everywhere, a .deb on Debian/Ubuntu.
# The desktop app's .desktop file, AppStream metadata and icons join when the app lands.
set(CPACK_PACKAGE_NAME "ferry")
set(CPACK_PACKAGE_VENDOR "Ferry")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Offline-first record sync: ferry-server and ferry-cli")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "Ferry maintainers")
set(CPACK_GENERATOR "TGZ")
if(EXISTS "/usr/bin/dpkg")
    list(APPEND CPACK_GENERATOR "DEB")
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
    set(CPACK_DEBIAN_PACKAGE_SECTION "utils")
endif()
include(CPack)
