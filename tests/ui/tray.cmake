# Tests of ui/tray.
ferry_add_test(tst_trayicon SOURCES ui/tst_trayicon.cpp LIBRARIES ferry_ui)
