# Tests of app/desktop: the app's wiring (first run, sign-in, local server, restart) driven
# like a person, against real ferry-server processes.
ferry_add_test(tst_desktopapp SOURCES ui/tst_desktopapp.cpp ui/desktopapptest.h LIBRARIES ferry_desktop)
ferry_add_test(tst_desktoptls SOURCES ui/tst_desktoptls.cpp ui/desktopapptest.h LIBRARIES ferry_desktop)
ferry_add_test(tst_journeys SOURCES ui/tst_journeys.cpp ui/desktopapptest.h LIBRARIES ferry_desktop)
# tst_desktopapp also starts the real `ferry` binary.
target_compile_definitions(tst_desktopapp PRIVATE FERRY_DESKTOP_PATH="$<TARGET_FILE:ferry>")
add_dependencies(tst_desktopapp ferry)
