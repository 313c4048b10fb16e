# Tests of ui/account and the app's account wiring: devices, signing out, sharing and
# signing in with a password, against a real ferry-server.
ferry_add_test(tst_accountui SOURCES ui/tst_accountui.cpp LIBRARIES ferry_desktop)
