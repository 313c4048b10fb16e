# Tests of ui/editor: the record editor driven like a person, against real stores and a
# real ferry-server.
ferry_add_test(tst_recordeditor SOURCES ui/tst_recordeditor.cpp LIBRARIES ferry_ui)
