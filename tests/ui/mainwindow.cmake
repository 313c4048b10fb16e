# Tests of ui/mainwindow: the window driven like a person, against a real ferry-server.
ferry_add_test(tst_mainwindow SOURCES ui/tst_mainwindow.cpp ui/desktopfixture.h LIBRARIES ferry_ui)
