# What an install puts where, and the packages `cpack` makes in a build folder: a tarball
# everywhere, a .deb on Debian/Ubuntu (checked by scripts/test-package.sh). Windows (NSIS) and
# macOS (DragNDrop) packaging is configured below and not verified here.

if(UNIX AND NOT APPLE)
    # The desktop entry, the icon (scalable, and PNGs of the hicolor sizes drawn from it at
    # build time by Qt's SVG icon engine), AppStream metadata and the server's systemd unit.
    set(ferry_app_id "org.ferrysync.Ferry")
    set(ferry_icon_svg "${PROJECT_SOURCE_DIR}/resources/icons/app/${ferry_app_id}.svg")
    qt_add_executable(render_icon installer/tools/render_icon.cpp)
    target_link_libraries(render_icon PRIVATE Qt6::Gui)
    ferry_target_defaults(render_icon)
    set(ferry_icons_dir "${CMAKE_BINARY_DIR}/icons/hicolor")
    set(ferry_icons_stamp "${CMAKE_BINARY_DIR}/icons/rendered.stamp")
    add_custom_command(OUTPUT "${ferry_icons_stamp}"
        COMMAND render_icon "${ferry_icon_svg}" "${ferry_icons_dir}"
        COMMAND ${CMAKE_COMMAND} -E touch "${ferry_icons_stamp}"
        DEPENDS render_icon "${ferry_icon_svg}"
        COMMENT "Drawing the app icon's PNG sizes")
    add_custom_target(ferry_icons ALL DEPENDS "${ferry_icons_stamp}")

    configure_file(installer/${ferry_app_id}.metainfo.xml
        "${CMAKE_BINARY_DIR}/${ferry_app_id}.metainfo.xml" @ONLY)
    install(FILES installer/${ferry_app_id}.desktop DESTINATION share/applications)
    install(FILES "${CMAKE_BINARY_DIR}/${ferry_app_id}.metainfo.xml" DESTINATION share/metainfo)
    install(FILES "${ferry_icon_svg}" DESTINATION share/icons/hicolor/scalable/apps)
    install(DIRECTORY "${ferry_icons_dir}/" DESTINATION share/icons/hicolor)
    install(FILES installer/ferry-server.service DESTINATION lib/systemd/system)
endif()

set(CPACK_PACKAGE_NAME "ferry")
set(CPACK_PACKAGE_VENDOR "Ferry")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Offline-first record sync: the desktop app, ferry-cli and ferry-server")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "Ferry maintainers")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "Ferry")
set(CPACK_PACKAGE_EXECUTABLES "ferry;Ferry")
set(CPACK_STRIP_FILES TRUE) # the build keeps its debug information; the package does not
set(CPACK_GENERATOR "TGZ")
if(WIN32)
    # windeployqt puts the Qt libraries and plugins beside ferry.exe before NSIS packs them.
    list(APPEND CPACK_GENERATOR "NSIS")
    set(CPACK_NSIS_DISPLAY_NAME "Ferry")
    find_program(WINDEPLOYQT windeployqt HINTS "${QT6_INSTALL_PREFIX}/bin")
    if(WINDEPLOYQT)
        install(CODE "execute_process(COMMAND \"${WINDEPLOYQT}\" --no-translations
            \"\${CMAKE_INSTALL_PREFIX}/bin/ferry.exe\")")
    endif()
elseif(APPLE)
    # macdeployqt makes Ferry.app self-contained before it goes into the disk image.
    list(APPEND CPACK_GENERATOR "DragNDrop")
    find_program(MACDEPLOYQT macdeployqt HINTS "${QT6_INSTALL_PREFIX}/bin")
    if(MACDEPLOYQT)
        install(CODE "execute_process(COMMAND \"${MACDEPLOYQT}\"
            \"\${CMAKE_INSTALL_PREFIX}/ferry.app\")")
    endif()
elseif(EXISTS "/usr/bin/dpkg")
    list(APPEND CPACK_GENERATOR "DEB")
    set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
    set(CPACK_DEBIAN_PACKAGE_SECTION "utils")
    # Qt's plugins are loaded, not linked, so dpkg-shlibdeps cannot find them: the SQLite
    # driver (every store), the SVG icon engine (the icons); PostgreSQL's driver for a server
    # that keeps its data there.
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite, libqt6svg6, adduser")
    set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libqt6sql6-psql, gnome-keyring | kwalletmanager")
    set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
        "${PROJECT_SOURCE_DIR}/installer/deb/postinst;${PROJECT_SOURCE_DIR}/installer/deb/postrm")
    set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
endif()
include(CPack)
