# Tests of ui/merge: the merge dialog alone, and conflicts resolved end to end through it
# with a real ferry-server and several devices.
ferry_add_test(tst_mergedialog SOURCES ui/tst_mergedialog.cpp LIBRARIES ferry_ui)
ferry_add_test(tst_conflictresolution SOURCES ui/tst_conflictresolution.cpp ui/desktopfixture.h
    LIBRARIES ferry_ui)
