# Tests of ui/account and the app's account wiring: devices, signing out, sharing and
# signing in with a password, against a real ferry-server.
ferry_add_test(tst_accountui SOURCES ui/tst_accountui.cpp ui/desktopapptest.h LIBRARIES ferry_desktop)
