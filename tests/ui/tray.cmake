# Tests of ui/tray.
ferry_add_test(tst_trayicon SOURCES ui/tst_trayicon.cpp LIBRARIES ferry_ui)
ferry_add_test(tst_traycontroller SOURCES ui/tst_traycontroller.cpp ui/desktopfixture.h LIBRARIES ferry_ui)
