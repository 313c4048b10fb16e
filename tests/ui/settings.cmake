# Tests of ui/settings.
ferry_add_test(tst_appsettings SOURCES ui/tst_appsettings.cpp LIBRARIES ferry_ui)
ferry_add_test(tst_tokenstore SOURCES ui/tst_tokenstore.cpp LIBRARIES ferry_ui)
ferry_add_test(tst_autostart SOURCES ui/tst_autostart.cpp LIBRARIES ferry_ui)
ferry_add_test(tst_settingsdialog SOURCES ui/tst_settingsdialog.cpp LIBRARIES ferry_ui)
ferry_add_test(tst_firstrundialog SOURCES ui/tst_firstrundialog.cpp LIBRARIES ferry_ui)
# The same tests against a real keychain: a private D-Bus session with its own unlocked
# gnome-keyring (scripts/with-keyring.sh), where the token must go to the keychain and
# never to a file. Linux only; macOS and Windows would use the person's own keychain.
if(UNIX AND NOT APPLE)
    add_test(NAME tst_tokenstore_keychain
        COMMAND ${PROJECT_SOURCE_DIR}/scripts/with-keyring.sh $<TARGET_FILE:tst_tokenstore>)
    set_tests_properties(tst_tokenstore_keychain PROPERTIES
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;QTEST_FUNCTION_TIMEOUT=240000;FERRY_TEST_KEYCHAIN=1"
        TIMEOUT 300)
endif()
