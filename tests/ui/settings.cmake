# Tests of ui/settings.
ferry_add_test(tst_appsettings SOURCES ui/tst_appsettings.cpp LIBRARIES ferry_ui)
ferry_add_test(tst_tokenstore SOURCES ui/tst_tokenstore.cpp LIBRARIES ferry_ui)
ferry_add_test(tst_autostart SOURCES ui/tst_autostart.cpp LIBRARIES ferry_ui)
ferry_add_test(tst_settingsdialog SOURCES ui/tst_settingsdialog.cpp LIBRARIES ferry_ui)
ferry_add_test(tst_firstrundialog SOURCES ui/tst_firstrundialog.cpp LIBRARIES ferry_ui)
